"""Versioned schema migrations (Alembic), applied by ``python -m proto init-db``.

    [proto]
    migrate_on_start = True    # development: upgrade at start instead of refusing

Add a revision under ``migrations/versions/`` with the next number and
``down_revision`` set to the current head; tables are described in ``tables.py``.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from proto.storage.database import Database

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
# Any constant works: it only has to be the same in every process.
POSTGRES_MIGRATION_LOCK = 0x70726F746F


class SchemaOutOfDate(RuntimeError):
    """The database schema is not at the revision this code needs."""


def _config(connection: Connection | None = None) -> Config:
    # Alembic is imported on use: it costs half a second at every start otherwise.
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


REVISION = re.compile(r'^revision = "([^"]+)"$', re.MULTILINE)
DOWN_REVISION = re.compile(r'^down_revision = (?:"([^"]+)"|None)$', re.MULTILINE)


@functools.cache
def head_revision() -> str:
    """Return the newest revision this code knows (read from the files, without Alembic)."""
    revisions, parents = set(), set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        text = path.read_text()
        revisions.add(REVISION.search(text).group(1))
        parents.add(DOWN_REVISION.search(text).group(1))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations must form one line, found heads {sorted(heads)}")
    return heads.pop()


def current_revision(db: Database) -> str | None:
    """Return the revision the database is at, None when it is empty."""
    with db.read() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db: Database) -> tuple[str | None, str]:
    """Bring the schema to the head revision; return (before, after)."""
    head = head_revision()
    current = current_revision(db)
    if current == head:
        # Every start but the first: Alembic would take a tenth of a second to import and find nothing to do.
        return current, head
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    with db.write() as connection:
        if connection.dialect.name == "postgresql":
            # Several workers may start at once: let one migrate, the others wait.
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({POSTGRES_MIGRATION_LOCK})")
        before = MigrationContext.configure(connection).get_current_revision()
        command.upgrade(_config(connection), "head")
    return before, head_revision()


def check(db: Database) -> None:
    """Raise SchemaOutOfDate unless the database is at the head revision."""
    current, head = current_revision(db), head_revision()
    if current != head:
        state = "empty" if current is None else f"at revision {current}"
        raise SchemaOutOfDate(f"the database is {state}, this code needs {head}: run `python -m proto init-db`")
