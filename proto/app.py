"""The application factory: settings in, a CherryPy Application out.

    app = make_app(load_settings("conf/development.conf"))

Composition only: build the services, the published tree and the per-path
config. Only run.py, wsgi.py and the tests call it; none of them share state,
so two applications with different settings can live in one process.
"""

from __future__ import annotations

import logging
from typing import Any

import cherrypy
from cherrypy._cplogging import LogManager, NullHandler
from sqlalchemy.engine import Engine

from proto.documents.intake import Validator
from proto.documents.store import DocumentStore
from proto.services import Services
from proto.settings import PROJECT_ROOT, ConfigError, Settings
from proto.storage.database import Database, create_database_engine
from proto.storage.files import DocumentFileStore
from proto.storage.sessions import SqlSession
from proto.tools import make_toolbox
from proto.tools.errors import error_page, unexpected_error
from proto.tools.templates import Templates
from proto.web.root import Root

TEMPLATES_DIR = PROJECT_ROOT / "templates"
STATIC_DIR = PROJECT_ROOT / "static"
BODY_SLACK = 64 * 1024
NULL_HANDLERS = (logging.NullHandler, NullHandler)  # CherryPy has its own


def app_config(settings: Settings, session_class: type) -> dict[str, dict[str, Any]]:
    """Return the per-path CherryPy config: Proto's defaults, then the config file's paths."""
    config: dict[str, dict[str, Any]] = {
        "/": {
            # First: everything after it must see the real client behind a trusted proxy.
            "proto.forwarded.on": True,
            "proto.security_headers.on": True,
            "proto.sessions.on": True,
            "proto.sessions.storage_class": session_class,
            "proto.sessions.timeout": settings.session_timeout,
            "proto.auth.on": True,
            "proto.csrf.on": True,
            # Every handler returns bytes and names its charset: CherryPy's encoding pass
            # would only parse the Content-Type again on every answer.
            "tools.encode.on": False,
            # Production hides the CherryPy version that the Server header carries.
            "proto.security_headers.server_name": None if settings.debug else "Proto",
            "error_page.default": error_page,
            "request.error_response": unexpected_error,
            # unexpected_error logs what it answers (a traceback for a 500, one line when the
            # database is down): CherryPy's own traceback logging would say it all again.
            "tools.log_tracebacks.on": False,
            "request.show_tracebacks": settings.debug,
            "request.show_mismatched_params": settings.debug,
            # Enforced while reading, under every WSGI host: a body over it is a 413.
            # The slack covers a multipart form's own bytes around a maximal document.
            "request.body.maxbytes": settings.document_max_bytes + BODY_SLACK,
        },
        # Health checks are for machines: no session, no login, as cheap as possible.
        "/status": {"proto.sessions.on": False, "proto.auth.on": False, "proto.csrf.on": False},
        # Raw XML bodies only, streamed into the intake; the API's limit is the document's own.
        "/api/documents": {
            "proto.xml_body.on": True,
            "proto.xml_body.exclusive": True,
            "request.body.maxbytes": settings.document_max_bytes,
            # /api/documents and /api/documents/<id> are resources, not folders.
            "tools.trailing_slash.missing": False,
        },
        "/documents/upload": {"proto.xml_body.on": True},
        "/static": {
            "proto.sessions.on": False,
            "proto.auth.on": False,
            "proto.csrf.on": False,
            "tools.staticdir.on": True,
            "tools.staticdir.dir": str(STATIC_DIR),
            "tools.expires.on": True,
            "tools.expires.secs": 3600,
        },
    }
    # Requests log through the application's own logger: give it the [global] log settings.
    config["/"].update({key: value for key, value in settings.server.items() if key.startswith("log.")})
    for path, section in settings.paths.items():
        config.setdefault(path, {}).update(section)
    return config


def schema_validator(settings: Settings) -> Validator | None:
    """Compile the configured XML Schema once; a missing lxml or a broken XSD stops the start."""
    if settings.schema is None:
        return None
    from proto.documents.schema import load_validator

    try:
        return load_validator(settings.schema)
    except RuntimeError as error:
        # Said as a config error: the setting names a schema this installation cannot use.
        raise ConfigError(f"{settings.config_file}: [proto] schema: {error}") from None


def make_app(settings: Settings, *, engine: Engine | None = None) -> cherrypy.Application:
    """Build the Proto application for these settings (and, for tests, this engine)."""
    validator = schema_validator(settings)
    db = Database(engine if engine is not None else create_database_engine(settings.database_url))
    documents = DocumentStore(db, DocumentFileStore(settings.data_dir / "documents"),
                              max_bytes=settings.document_max_bytes, max_depth=settings.document_max_depth,
                              validator=validator)
    services = Services(
        settings=settings,
        db=db,
        templates=Templates(TEMPLATES_DIR, reload=settings.template_reload),
        documents=documents,
    )
    session_class = SqlSession.bind(db, lifetime=settings.session_lifetime, clean_freq=5)
    app = cherrypy.Application(Root(services), script_name="", config=app_config(settings, session_class))
    # Our own copy of the dict: the class attribute is shared by every application.
    app.toolboxes = {**app.toolboxes, "proto": make_toolbox()}
    app.services = services
    skip_unwritten_access_lines(app.log)
    return app


def skip_unwritten_access_lines(log: LogManager) -> None:
    """Format a request's access-log line only when a handler will write it somewhere."""
    # CherryPy formats the line for every request, even with no access log configured
    # (typical behind a front server that logs): that was a tenth of a documents page.
    write_line = log.access

    def access() -> None:
        if log.access_log.isEnabledFor(logging.INFO) and _has_writer(log.access_log):
            write_line()

    log.access = access


def _has_writer(logger: logging.Logger | None) -> bool:
    """Tell whether a record reaches a handler that writes (CherryPy adds a NullHandler to each)."""
    while logger is not None:
        if any(not isinstance(handler, NULL_HANDLERS) for handler in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False
