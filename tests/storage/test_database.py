"""The database layer: SQLite write transactions queue instead of failing under concurrency."""

import threading

from sqlalchemy import text

from proto.storage.database import Database, create_database_engine


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
