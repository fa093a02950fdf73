"""Each account's document count, kept by the database; list indexes that match the lists' order.

Revision ID: 0004
Revises: 0003

Counting an owner's 10,000 rows on every documents page cost more than the rest
of the page. Triggers keep ``accounts.document_count`` right whoever inserts or
deletes a row (the store, a script, a cascade), so the count is read with the
account instead. The lists sort by (created_at, id): with id in the index the
database reads a page straight off it instead of sorting.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """CREATE TRIGGER documents_counted_insert AFTER INSERT ON documents BEGIN
        UPDATE accounts SET document_count = document_count + 1 WHERE id = NEW.account_id;
    END""",
    """CREATE TRIGGER documents_counted_delete AFTER DELETE ON documents BEGIN
        UPDATE accounts SET document_count = document_count - 1 WHERE id = OLD.account_id;
    END""",
    """CREATE TRIGGER documents_counted_update AFTER UPDATE OF account_id ON documents BEGIN
        UPDATE accounts SET document_count = document_count - 1 WHERE id = OLD.account_id;
        UPDATE accounts SET document_count = document_count + 1 WHERE id = NEW.account_id;
    END""",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION proto_count_documents() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            UPDATE accounts SET document_count = document_count - 1 WHERE id = OLD.account_id;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            UPDATE accounts SET document_count = document_count + 1 WHERE id = NEW.account_id;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER documents_counted AFTER INSERT OR DELETE OR UPDATE OF account_id ON documents
        FOR EACH ROW EXECUTE FUNCTION proto_count_documents()""",
)


def upgrade() -> None:
    """Add and fill accounts.document_count, install its triggers, and rebuild the list indexes."""
    op.add_column("accounts", sa.Column("document_count", sa.BigInteger, nullable=False, server_default="0"))
    op.execute("UPDATE accounts SET document_count = "
               "(SELECT count(*) FROM documents WHERE documents.account_id = accounts.id)")
    for statement in POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS:
        op.execute(statement)
    op.drop_index("ix_documents_account_created", "documents")
    op.drop_index("ix_documents_created", "documents")
    op.create_index("ix_documents_account_created", "documents", ["account_id", "created_at", "id"])
    op.create_index("ix_documents_created", "documents", ["created_at", "id"])


def downgrade() -> None:
    """Drop the count, its triggers, and go back to the former indexes."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER documents_counted ON documents")
        op.execute("DROP FUNCTION proto_count_documents()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER documents_counted_{name}")
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop accounts, which
    # the other tables' foreign keys forbid.
    op.drop_column("accounts", "document_count")
    op.drop_index("ix_documents_account_created", "documents")
    op.drop_index("ix_documents_created", "documents")
    op.create_index("ix_documents_account_created", "documents", ["account_id", "created_at"])
    op.create_index("ix_documents_created", "documents", ["created_at"])
