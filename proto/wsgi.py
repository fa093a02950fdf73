"""The WSGI callable for other hosts: ``gunicorn proto.wsgi:application``.

    PROTO_CONFIG=conf/production.conf gunicorn -w 2 proto.wsgi:application

Reads PROTO_CONFIG and the PROTO_* overrides. CherryPy runs embedded: its own
HTTP server stays off, its engine is started once per process (so its plugins
run) on the first request, and stopped when the process exits.
"""

from __future__ import annotations

import atexit
import sys
import threading

import cherrypy

from proto.app import make_app
from proto.settings import load_settings
from proto.startup import first_run_path, prepare

_settings = load_settings()
_app = make_app(_settings)
# The mount prefix comes from each request's SCRIPT_NAME.
_app.script_name = None
prepare(_app)
_setup = first_run_path(_app)
if _setup:
    print(f"Proto: no account yet: create the first admin at <this site>{_setup}", file=sys.stderr, flush=True)

cherrypy.config.update({**_settings.server, "environment": "embedded"})
# Otherwise the first worker binds 127.0.0.1:8080 and the others fail.
cherrypy.server.unsubscribe()
cherrypy.engine.subscribe("stop", _app.services.db.dispose)
_engine_lock = threading.Lock()


def _start_engine() -> None:
    """Start the engine in this process, once, after any fork."""
    with _engine_lock:
        if cherrypy.engine.state != cherrypy.engine.states.STARTED:
            cherrypy.engine.start()
            atexit.register(cherrypy.engine.exit)


def application(environ: dict, start_response):
    """Serve one WSGI request with Proto."""
    if cherrypy.engine.state != cherrypy.engine.states.STARTED:
        _start_engine()
    return _app(environ, start_response)
