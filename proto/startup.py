"""What every entry point does before serving: reach the database, check the schema."""

from __future__ import annotations

import sys

import cherrypy
from sqlalchemy.exc import SQLAlchemyError

from proto import accounts
from proto.app import make_app
from proto.settings import ConfigError, load_settings
from proto.setup_token import SetupToken
from proto.storage import schema
from proto.storage.database import DatabaseConfigError


# An upload whose spool file has not grown for this long is dead: socket
# timeouts end a stalled upload within minutes.
ORPHAN_MIN_AGE = 3600.0


class StartupError(RuntimeError):
    """Proto cannot start; the message is one line for the operator."""


def prepare(app: cherrypy.Application) -> None:
    """Check the database is reachable and its schema current (or upgrade it if configured)."""
    services = app.services
    settings, db = services.settings, services.db
    where = db.engine.url.render_as_string(hide_password=True)
    try:
        db.ping()
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", error)).strip().splitlines()[0]
        raise StartupError(f"cannot reach the database {where} (database_url in {settings.config_file}): "
                           f"{reason}") from None
    try:
        if settings.migrate_on_start:
            schema.upgrade(db)
        else:
            schema.check(db)
    except schema.SchemaOutOfDate as error:
        raise StartupError(f"{where}: {error}") from None
    # Spool files of uploads cut short by a crash or a kill. Only those older
    # than ORPHAN_MIN_AGE: other processes (workers of a WSGI host, other
    # machines on a shared data_dir) may be receiving uploads right now.
    services.documents.files.clean_orphans(min_age=ORPHAN_MIN_AGE)


def first_run_path(app: cherrypy.Application) -> str | None:
    """Return ``/setup?token=...`` while no account exists (never logged: print it), else None."""
    services = app.services
    token = SetupToken(services.settings.data_dir)
    if accounts.count_accounts(services.db) > 0:
        token.discard()
        return None
    return f"/setup?token={token.ensure()}"


def load_or_exit(exit_status: int) -> cherrypy.Application:
    """Build and prepare the app from the environment (PROTO_CONFIG...), or print one line and exit."""
    try:
        app = make_app(load_settings())
        prepare(app)
    except (ConfigError, StartupError, DatabaseConfigError) as error:
        # One line the operator can act on; a traceback here would only bury it.
        print(f"proto: {error}", file=sys.stderr, flush=True)
        raise SystemExit(exit_status) from None
    return app
