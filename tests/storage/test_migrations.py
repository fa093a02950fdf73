"""Migrations that change data: 0004 counts the documents already stored, 0005 versions them."""

from __future__ import annotations

from alembic import command
from sqlalchemy import insert, inspect
from sqlalchemy.engine import Connection

from proto.storage import schema
from proto.storage.database import Database, create_database_engine
from proto.storage.tables import accounts, documents, utcnow


def migrate(db: Database, revision: str, *, down: bool = False) -> None:
    """Move the schema to a revision, as init-db does."""
    with db.write() as connection:
        (command.downgrade if down else command.upgrade)(schema._config(connection), revision)


def document_row(number: int, account_id: int) -> dict:
    """Return the columns of a document row."""
    return {"id": f"{number:032x}", "account_id": account_id, "name": f"{number}.xml", "content_type": "text/xml",
            "size": 4, "sha256": "0" * 64, "root": "r", "elements": 1, "encoding": "UTF-8", "created_at": utcnow()}


def add_alice_and_bob(connection: Connection) -> None:
    """Insert accounts 1 and 2 with only the columns 0003 has (tables.py describes more)."""
    for account_id, name in ((1, "alice"), (2, "bob")):
        connection.exec_driver_sql(
            "INSERT INTO accounts (id, username, username_key, password_hash, is_admin, disabled, created_at)"
            f" VALUES ({account_id}, '{name}', '{name}', 'x', false, false, CURRENT_TIMESTAMP)")


def test_0004_counts_the_documents_already_stored_and_goes_back_cleanly(database_url):
    db = Database(create_database_engine(database_url))
    try:
        migrate(db, "0003")
        with db.write() as connection:
            add_alice_and_bob(connection)
            connection.execute(insert(documents), [document_row(n, 1 if n < 3 else 2) for n in range(5)])
        migrate(db, "head")
        with db.read() as connection:
            counts = connection.execute(accounts.select().order_by(accounts.c.id)).all()
        assert [(row.username, row.document_count) for row in counts] == [("alice", 3), ("bob", 2)]

        migrate(db, "0003", down=True)
        with db.read() as connection:
            assert "document_count" not in {column["name"] for column in inspect(connection).get_columns("accounts")}
        with db.write() as connection:
            # Without the triggers, a row is added as 0003 adds it; the next upgrade counts it.
            connection.execute(insert(documents).values(document_row(9, 1)))
        migrate(db, "head")
        assert schema.current_revision(db) == schema.head_revision()
        with db.read() as connection:
            assert connection.execute(accounts.select().where(accounts.c.id == 1)).one().document_count == 4
    finally:
        db.dispose()


def test_0005_bumps_the_documents_version_with_every_change_and_goes_back_cleanly(database_url):
    db = Database(create_database_engine(database_url))

    def counts_and_versions() -> list[tuple[int, int]]:
        with db.read() as connection:
            rows = connection.execute(accounts.select().order_by(accounts.c.id)).all()
        return [(row.document_count, row.documents_version) for row in rows]

    try:
        migrate(db, "0004")
        with db.write() as connection:
            add_alice_and_bob(connection)
            connection.execute(insert(documents), [document_row(n, 1) for n in range(2)])
        migrate(db, "head")
        assert counts_and_versions() == [(2, 0), (0, 0)]
        with db.write() as connection:
            connection.execute(insert(documents).values(document_row(7, 1)))
        assert counts_and_versions() == [(3, 1), (0, 0)]
        with db.write() as connection:
            connection.execute(documents.delete().where(documents.c.id == document_row(0, 1)["id"]))
            moved = documents.c.id == document_row(1, 1)["id"]
            connection.execute(documents.update().where(moved).values(account_id=2))
        assert counts_and_versions() == [(1, 3), (1, 1)]

        migrate(db, "0004", down=True)
        with db.read() as connection:
            assert "documents_version" not in {column["name"] for column in inspect(connection).get_columns("accounts")}
        with db.write() as connection:  # 0004's triggers count again, without the version
            connection.execute(insert(documents).values(document_row(8, 2)))
            count = connection.exec_driver_sql("SELECT document_count FROM accounts WHERE id = 2").scalar_one()
        assert count == 2
        migrate(db, "head")
        assert schema.current_revision(db) == schema.head_revision()
    finally:
        db.dispose()
