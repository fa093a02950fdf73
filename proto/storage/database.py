"""The database: one SQLAlchemy engine from a URL, SQLite or PostgreSQL.

    [proto]
    database_url = "postgresql+psycopg://proto@db.example/proto"

SQLite runs in WAL mode with a busy timeout, and every write transaction
starts with ``BEGIN IMMEDIATE``: a plain ``BEGIN`` that later writes fails with
"database is locked" under concurrent writers instead of waiting its turn.

Reads run outside any transaction (autocommit): each statement sees what was
committed when it began. A PostgreSQL read is then one round trip instead of
three (BEGIN, the query, ROLLBACK), which is most of a page's database time.
Anything that must see two statements agree, or that writes, uses ``write()``.
"""

from __future__ import annotations

import collections
import dataclasses
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Select, create_engine, event, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.pool import PoolProxiedConnection

SQLITE_BUSY_TIMEOUT_SECONDS = 30
AUTOCOMMIT_READ = "proto_autocommit_read"
# Pooled connections FastRead keeps between reads. The pool's own checkout and
# check-in (queue, events, reset) cost a documents page more than its two queries;
# the rest of the pool (5 + 10 overflow) stays free for everything else.
SPARE_READERS = 4


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
        options = connection.get_execution_options()
        if options.get(AUTOCOMMIT_READ):
            return  # pysqlite without isolation_level runs each statement on its own
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get("proto_write") else "BEGIN")


def _autocommit_reads(engine: Engine) -> Engine:
    """Return the engine reads use: the same pool, without a transaction around each read."""
    if engine.dialect.name == "sqlite":
        # Not SQLAlchemy's AUTOCOMMIT here: resetting it on check-in would give pysqlite
        # back its implicit transactions, which the BEGIN IMMEDIATE above must not meet.
        return engine.execution_options(**{AUTOCOMMIT_READ: True})
    return engine.execution_options(isolation_level="AUTOCOMMIT")


class Database:
    """Hand out short read and write transactions on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._reader = _autocommit_reads(engine)
        self._last_answer = float("-inf")
        self._spare_readers: collections.deque[PoolProxiedConnection] = collections.deque()

    @property
    def is_sqlite(self) -> bool:
        """Tell whether the engine is SQLite."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """Yield a connection for reading, each statement on its own (no transaction)."""
        with self._reader.connect() as connection:
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
        with self._reader.connect() as connection:
            connection.execute(text("SELECT 1"))
        self._last_answer = time.monotonic()

    def borrow_reader(self) -> PoolProxiedConnection:
        """Return a pooled connection for one FastRead: a spare one kept from a read before, if any."""
        try:
            return self._spare_readers.pop()
        except IndexError:
            return self.engine.raw_connection()

    def give_back_reader(self, connection: PoolProxiedConnection) -> None:
        """Keep a connection that read for the next read, or return it to the pool if enough are kept."""
        # deque operations are atomic: no lock. Two threads may keep one more than SPARE_READERS.
        if connection.is_valid and len(self._spare_readers) < SPARE_READERS:
            self._spare_readers.append(connection)
        else:
            connection.close()

    def drop_spare_readers(self) -> None:
        """Close the kept connections: after one was dropped by the server (a restart), and at the end."""
        while self._spare_readers:
            try:
                connection = self._spare_readers.pop()
            except IndexError:
                break  # another thread took the last one
            connection.invalidate()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.drop_spare_readers()
        self.engine.dispose()


@contextmanager
def _autocommit(driver_connection: Any, dialect: Dialect) -> Iterator[None]:
    """Run a PostgreSQL read in one round trip, as read() does; SQLite's connections already are."""
    if dialect.name != "postgresql":
        yield
        return
    driver_connection.autocommit = True  # psycopg sets it on its side only: no round trip
    try:
        yield
    finally:
        if not driver_connection.broken:
            driver_connection.autocommit = False


def _dialect_key(dialect: Dialect) -> tuple[str, str, str]:
    return dialect.name, dialect.driver, dialect.paramstyle


@dataclasses.dataclass(frozen=True)
class _Prepared:
    """A statement as one dialect's driver runs it."""

    sql: str
    order: tuple[str, ...] | None  # parameter names, for a driver that takes them by position
    constants: dict[str, Any]  # the values of literals in the statement, bound as parameters
    make_row: Callable[[list[Any]], tuple]
    convert: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column, SQLAlchemy's result processor)


class FastRead:
    """A SELECT that runs on every page: compiled once per dialect, run on the driver's cursor.

    For a small indexed read, SQLAlchemy's per-execution work (an execution
    context, result metadata, events) costs several times the statement itself
    (the documents page spent 170 us in it around a 43 us query). This runs the
    SQL SQLAlchemy compiled, converts columns with SQLAlchemy's own result
    processors (time zones, booleans), and wraps a driver's error as SQLAlchemy
    would, invalidating a connection the server dropped. Rows are named tuples.
    """

    def __init__(self, statement: Select) -> None:
        self.statement = statement
        self._prepared: dict[tuple[str, str, str], _Prepared] = {}

    def _prepare(self, dialect: Dialect) -> _Prepared:
        compiled = self.statement.compile(dialect=dialect)
        columns = list(self.statement.selected_columns)
        convert = tuple((index, processor) for index, column in enumerate(columns)
                        if (processor := column.type._cached_result_processor(dialect, None)) is not None)
        row_class = collections.namedtuple("Row", [column.key for column in columns])
        constants = {name: value for name, value in compiled.params.items() if value is not None}
        prepared = _Prepared(compiled.string, tuple(compiled.positiontup) if compiled.positional else None,
                             constants, row_class._make, convert)
        self._prepared[_dialect_key(dialect)] = prepared
        return prepared

    def all(self, db: Database, **params: Any) -> list[tuple]:
        """Return every row for these parameters."""
        dialect = db.engine.dialect
        prepared = self._prepared.get(_dialect_key(dialect)) or self._prepare(dialect)
        params = {**prepared.constants, **params}
        arguments = tuple(params[name] for name in prepared.order) if prepared.order is not None else params
        try:
            connection = db.borrow_reader()
        except dialect.loaded_dbapi.Error as error:
            # Wrapped as Engine.connect() wraps it: an unreachable database is an OperationalError (503).
            raise DBAPIError.instance(None, None, error, dialect.loaded_dbapi.Error, dialect=dialect) from error
        cursor = None
        try:
            cursor = connection.cursor()
            with _autocommit(connection.driver_connection, dialect):
                cursor.execute(prepared.sql, arguments)
                fetched = cursor.fetchall()
            cursor.close()
        except dialect.loaded_dbapi.Error as error:
            dropped = dialect.is_disconnect(error, connection.dbapi_connection, cursor)
            if dropped:
                connection.invalidate(error)
                db.drop_spare_readers()
            raise DBAPIError.instance(prepared.sql, arguments, error, dialect.loaded_dbapi.Error,
                                      connection_invalidated=dropped, dialect=dialect) from error
        finally:
            db.give_back_reader(connection)
        if not prepared.convert:
            return list(map(prepared.make_row, fetched))
        rows = []
        for values in fetched:
            values = list(values)
            for index, processor in prepared.convert:
                values[index] = processor(values[index])
            rows.append(prepared.make_row(values))
        return rows

    def first(self, db: Database, **params: Any) -> tuple | None:
        """Return the first row for these parameters, or None."""
        rows = self.all(db, **params)
        return rows[0] if rows else None
