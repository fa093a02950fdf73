"""Each account's documents version, bumped by the triggers that keep its document count.

Revision ID: 0005
Revises: 0004

A documents page read its ids from the database on every view. The version
changes with every insert, delete or change of owner of an account's documents,
whoever makes it, in the same statement as the count: so a page of ids kept by
(account, version, page) is never stale, and the version comes with the session
row the page reads anyway.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _counted(sign: str, account: str, *, versioned: bool) -> str:
    """Return the UPDATE that moves one account's count (and, once versioned, its version)."""
    version = ", documents_version = documents_version + 1" if versioned else ""
    return f"UPDATE accounts SET document_count = document_count {sign} 1{version} WHERE id = {account}.account_id;"


def _install_triggers(*, versioned: bool) -> None:
    """Replace the counting triggers of migration 0004 by ones that do (or do not) bump the version."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""CREATE OR REPLACE FUNCTION proto_count_documents() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('DELETE', 'UPDATE') THEN
                {_counted("-", "OLD", versioned=versioned)}
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN
                {_counted("+", "NEW", versioned=versioned)}
            END IF;
            RETURN NULL;
        END $$""")
        return
    bodies = {
        "insert": ("AFTER INSERT", _counted("+", "NEW", versioned=versioned)),
        "delete": ("AFTER DELETE", _counted("-", "OLD", versioned=versioned)),
        "update": ("AFTER UPDATE OF account_id",
                   _counted("-", "OLD", versioned=versioned) + "\n" + _counted("+", "NEW", versioned=versioned)),
    }
    for name, (event, body) in bodies.items():
        op.execute(f"DROP TRIGGER documents_counted_{name}")
        op.execute(f"CREATE TRIGGER documents_counted_{name} {event} ON documents BEGIN\n{body}\nEND")


def upgrade() -> None:
    """Add accounts.documents_version and have the counting triggers bump it."""
    op.add_column("accounts", sa.Column("documents_version", sa.BigInteger, nullable=False, server_default="0"))
    _install_triggers(versioned=True)


def downgrade() -> None:
    """Go back to the triggers of 0004 and drop the version."""
    _install_triggers(versioned=False)
    op.drop_column("accounts", "documents_version")
