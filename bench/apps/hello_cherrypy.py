"""A bare CherryPy hello-world with the server settings Proto runs with: the ceiling."""

import sys

import cherrypy


class Hello:
    """One page that says hello."""

    @cherrypy.expose
    def index(self):
        """Say hello."""
        return "Hello, world"


if __name__ == "__main__":
    cherrypy.config.update({"environment": "production", "server.socket_host": "127.0.0.1",
                            "server.socket_port": int(sys.argv[1]), "server.thread_pool": 10,
                            "log.screen": False})
    cherrypy.tree.mount(Hello(), "")
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    print(f"ready http://127.0.0.1:{cherrypy.server.bound_addr[1]}/", flush=True)
    cherrypy.engine.block()
