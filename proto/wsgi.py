"""The WSGI callable for other hosts: ``gunicorn proto.wsgi:application``.

    PROTO_CONFIG=conf/production.conf gunicorn -w 2 proto.wsgi:application

Reads PROTO_CONFIG and the PROTO_* overrides. CherryPy runs embedded: its own
HTTP server stays off, its engine is started once per process (so its plugins
run) on the first request, after any fork, and stopped when the process exits.
The mount prefix is each request's SCRIPT_NAME (gunicorn's SCRIPT_NAME
variable, uWSGI's --mount, mod_wsgi's --mount-point, lighttpd's "/proto" =>).
A bad setting stops the host with one line on stderr (exit status 4 for
gunicorn, 22 for uWSGI: the statuses that make each stop instead of respawning).
"""

from __future__ import annotations

import atexit
import sys
import threading
from collections.abc import Callable, Iterable
from typing import Any

import cherrypy

from proto.startup import first_run_path, load_or_exit

# The worker exit statuses that make the host give up instead of respawning workers forever:
# gunicorn's APP_LOAD_ERROR ("App failed to load"), uWSGI's UWSGI_FAILED_APP_CODE (with need-app).
GUNICORN_APP_LOAD_ERROR = 4
UWSGI_FAILED_APP_CODE = 22


def app_load_error_status() -> int:
    """Return the exit status that stops this host for good."""
    # uWSGI's embedded module exists only inside uWSGI.
    return UWSGI_FAILED_APP_CODE if "uwsgi" in sys.modules else GUNICORN_APP_LOAD_ERROR


def load_application() -> cherrypy.Application:
    """Build, check and prepare the application from the environment; exit with one line if it cannot be."""
    app = load_or_exit(app_load_error_status())
    settings = app.services.settings
    # None: the prefix is read from SCRIPT_NAME on each request, so one app serves any mount point.
    app.script_name = None
    setup = first_run_path(app)
    if setup:
        # stderr, never a log file: the link is a credential until used; the host knows its own URL.
        print(f"Proto: no account yet: create the first admin at <this site>{setup}", file=sys.stderr, flush=True)
    server_settings = {key: value for key, value in settings.server.items() if not key.startswith("server.")}
    cherrypy.config.update({**server_settings, "environment": "embedded"})
    # Otherwise the first worker binds 127.0.0.1:8080 and the others fail.
    cherrypy.server.unsubscribe()
    cherrypy.engine.subscribe("stop", app.services.db.dispose)
    return app


_app = load_application()
_engine_lock = threading.Lock()


def _start_engine() -> None:
    """Start the engine in this process, once, after any fork (a pre-fork start never runs its threads)."""
    with _engine_lock:
        if cherrypy.engine.state != cherrypy.engine.states.STARTED:
            cherrypy.engine.start()
            atexit.register(cherrypy.engine.exit)


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Serve one WSGI request with Proto."""
    if cherrypy.engine.state != cherrypy.engine.states.STARTED:
        _start_engine()
    return _app(environ, start_response)
