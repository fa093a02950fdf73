"""A raw cheroot WSGI hello-world: what the HTTP server alone can do, for reference."""

import signal
import sys

from cheroot import wsgi


def hello(environ, start_response):
    """Say hello."""
    body = b"Hello, world"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]


if __name__ == "__main__":
    server = wsgi.Server(("127.0.0.1", int(sys.argv[1])), hello, numthreads=10)
    signal.signal(signal.SIGTERM, lambda *_: server.stop())
    server.prepare()
    print(f"ready http://127.0.0.1:{server.bind_addr[1]}/", flush=True)
    server.serve()
