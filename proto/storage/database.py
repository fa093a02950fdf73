"""The database: one SQLAlchemy engine from a URL, SQLite or PostgreSQL.

    [proto]
    database_url = "postgresql+psycopg://proto@db.example/proto"

SQLite runs in WAL mode with a busy timeout, and every write transaction
starts with ``BEGIN IMMEDIATE``: a plain ``BEGIN`` that later writes fails with
"database is locked" under concurrent writers instead of waiting its turn.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

SQLITE_BUSY_TIMEOUT_SECONDS = 30


class DatabaseConfigError(ValueError):
    """The database URL cannot be used."""


def create_database_engine(url: str) -> Engine:
    """Create the engine for a URL, with SQLite tuned for concurrent writers."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseConfigError(f"not a database URL: {url!r}") from None
    try:
        if parsed.get_backend_name() != "sqlite":
            # No pre-ping: it costs a round trip per checkout. A connection broken by a
            # database restart fails one request (503), and SQLAlchemy renews the pool
            # (tests/reliability/test_faults_live.py cuts and restores the database).
            return create_engine(parsed)
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, connect_args={
            "timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False})
    except NoSuchModuleError:
        raise DatabaseConfigError(f"no driver for {parsed.drivername!r}: "
                                  "for PostgreSQL install the extra: pip install -e '.[postgres]'") from None
    except ModuleNotFoundError as error:
        raise DatabaseConfigError(f"the driver for {parsed.drivername!r} is not installed ({error.name}): "
                                  "pip install -e '.[postgres]'") from None
    _tune_sqlite(engine)
    return engine


def _tune_sqlite(engine: Engine) -> None:
    """Take transaction control from pysqlite so writes can BEGIN IMMEDIATE."""

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:
        # pysqlite's own implicit BEGIN would defeat the "begin" hook below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get("proto_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class Database:
    """Hand out short read and write transactions on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._last_answer = float("-inf")

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the engine is SQLite."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Yield a connection for reading; its transaction is rolled back at the end."""
        with self.engine.connect() as connection:
            yield connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """Yield a connection in a write transaction, committed at the end unless it raises."""
        with self.engine.connect() as connection:
            connection.execution_options(proto_write=True)
            with connection.begin():
                yield connection

    def ping(self, *, max_age: float = 0.0) -> None:
        """Raise unless the database answers a trivial query; trust an answer younger than max_age seconds."""
        if time.monotonic() - self._last_answer < max_age:
            return
        self._last_answer = float("-inf")
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        self._last_answer = time.monotonic()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()
