"""The database layer: SQLite writers queue instead of failing; fast reads match SQLAlchemy's."""

import socket
import threading

import pytest
from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from proto.storage.database import SPARE_READERS, Database, FastRead, create_database_engine
from proto.storage.tables import accounts
from tests.conftest import POSTGRES_URL


def test_concurrent_read_then_write_transactions_all_succeed_on_sqlite(tmp_path):
    db = Database(create_database_engine(f"sqlite:///{tmp_path / 'counter.sqlite3'}"))
    with db.write() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))
    errors = []

    def increment(times):
        for _ in range(times):
            try:
                with db.write() as connection:
                    # Read, then write: the pattern that plain BEGIN loses on SQLite.
                    value = connection.execute(text("SELECT n FROM counter")).scalar_one()
                    connection.execute(text("UPDATE counter SET n = :n"), {"n": value + 1})
            except Exception as error:  # every failure is a finding
                errors.append(error)

    threads = [threading.Thread(target=increment, args=(50,)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with db.read() as connection:
        total = connection.execute(text("SELECT n FROM counter")).scalar_one()
    db.dispose()
    assert errors == []
    assert total == 400


def test_sqlite_runs_in_wal_mode(tmp_path):
    db = Database(create_database_engine(f"sqlite:///{tmp_path / 'sub' / 'x.sqlite3'}"))
    with db.read() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
    db.dispose()


def test_the_quick_head_revision_agrees_with_alembic():
    from alembic.script import ScriptDirectory

    from proto.storage import schema
    assert schema.head_revision() == ScriptDirectory.from_config(schema._config()).get_current_head()


def test_a_fast_read_gives_what_sqlalchemy_gives_and_its_errors(app, make_account):
    db = app.services.db
    make_account("alice")
    make_account("root", admin=True)
    by_name = select(accounts).where(accounts.c.username_key == bindparam("key"))
    with db.read() as connection:
        expected = connection.execute(by_name, {"key": "root"}).one()
    row = FastRead(by_name).first(db, key="root")
    assert tuple(row) == tuple(expected) and row.is_admin is True and row.created_at.tzinfo is not None
    assert FastRead(by_name).first(db, key="nobody") is None
    # A literal in the statement (the 0 of coalesce) is bound like the caller's values.
    total = FastRead(select(func.coalesce(func.sum(accounts.c.document_count), 0).label("n")))
    assert total.all(db) == [(0,)] and total.first(db).n == 0

    missing = FastRead(select(text("x")).select_from(text("no_such_table")))
    with pytest.raises(DBAPIError, match="no_such_table"):
        missing.all(db)
    # The connection went back to the pool as it was: writes are still transactions.
    with pytest.raises(RuntimeError), db.write() as connection:
        connection.execute(accounts.update().values(disabled=True))
        raise RuntimeError("roll back")
    assert FastRead(by_name).first(db, key="alice").disabled is False


def test_a_fast_read_of_an_unreachable_database_raises_what_sqlalchemy_raises():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there once the socket closes
    db = Database(create_database_engine(f"postgresql+psycopg://127.0.0.1:{port}/test"))
    with pytest.raises(OperationalError, match="Connection refused"):
        FastRead(select(text("1"))).all(db)
    db.dispose()


def test_fast_reads_keep_a_few_connections_and_leave_the_pool_the_rest(app, make_account):
    db = app.services.db
    make_account("alice")
    by_name = FastRead(select(accounts.c.username).where(accounts.c.username_key == bindparam("key")))
    assert by_name.first(db, key="alice").username == "alice"
    assert db.engine.pool.checkedout() == 1  # kept for the next read, not checked in
    assert by_name.first(db, key="alice").username == "alice"
    assert db.engine.pool.checkedout() == 1  # and that one read again
    # As many reads at once as threads: only SPARE_READERS stay out of the pool afterwards.
    borrowed = [db.borrow_reader() for _ in range(SPARE_READERS + 3)]
    for connection in borrowed:
        db.give_back_reader(connection)
    assert db.engine.pool.checkedout() == SPARE_READERS
    with db.write() as connection:  # writes still get a connection of their own
        connection.execute(accounts.update().values(disabled=True))
    assert FastRead(select(accounts.c.disabled)).first(db).disabled is True
    db.dispose()
    assert db.engine.pool.checkedout() == 0


@pytest.mark.skipif(not POSTGRES_URL, reason="needs PROTO_TEST_DATABASE_URL (PostgreSQL)")
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_dropped_connection_fails_one_fast_read_and_its_kept_siblings_go_too(database_url):
    db = Database(create_database_engine(database_url))
    one = FastRead(select(literal_column("1").label("n")))
    kept = [db.borrow_reader() for _ in range(2)]
    for connection in kept:
        db.give_back_reader(connection)
    backends = [connection.dbapi_connection.info.backend_pid for connection in kept]
    with db.read() as connection:  # a database restart, as far as these two connections can tell
        for pid in backends:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    with pytest.raises(OperationalError):
        one.all(db)
    # The other kept connection was dropped by the server too: it must not fail a second read.
    assert one.first(db).n == 1
    db.dispose()
