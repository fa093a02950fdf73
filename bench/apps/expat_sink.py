"""A bare CherryPy handler that streams the request body through expat with no-op handlers: the upload ceiling."""

import sys
from xml.parsers import expat

import cherrypy

CHUNK = 64 * 1024


def _noop(*args):
    """Do nothing: the ceiling pays only for expat calling back."""


class Sink:
    """Parse whatever is posted and say how many bytes it was."""

    @cherrypy.expose
    def index(self):
        """Stream the body through expat."""
        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = _noop
        parser.EndElementHandler = _noop
        parser.CharacterDataHandler = _noop
        size = 0
        while True:
            chunk = cherrypy.request.body.fp.read(CHUNK)
            if not chunk:
                break
            size += len(chunk)
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
        return str(size)

    # Leave the body unread for the handler: no processor, no size cap beyond the server's.
    index._cp_config = {"request.process_request_body": False, "request.body.maxbytes": 0}


if __name__ == "__main__":
    cherrypy.config.update({"environment": "production", "server.socket_host": "127.0.0.1",
                            "server.socket_port": int(sys.argv[1]), "server.thread_pool": 10,
                            "server.max_request_body_size": 0, "log.screen": False})
    cherrypy.tree.mount(Sink(), "")
    cherrypy.engine.signals.subscribe()
    cherrypy.engine.start()
    print(f"ready http://127.0.0.1:{cherrypy.server.bound_addr[1]}/", flush=True)
    cherrypy.engine.block()
