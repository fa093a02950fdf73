"""Migrations that change data: 0004 fills in the document counts of an existing database."""

from __future__ import annotations

from alembic import command
from sqlalchemy import insert, inspect

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


def test_0004_counts_the_documents_already_stored_and_goes_back_cleanly(database_url):
    db = Database(create_database_engine(database_url))
    try:
        migrate(db, "0003")
        with db.write() as connection:
            # Only the columns 0003 has: the table's description in tables.py has one more.
            for account_id, name in ((1, "alice"), (2, "bob")):
                connection.exec_driver_sql(
                    "INSERT INTO accounts (id, username, username_key, password_hash, is_admin, disabled, created_at)"
                    f" VALUES ({account_id}, '{name}', '{name}', 'x', false, false, CURRENT_TIMESTAMP)")
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
