"""Documents: one row per upload; the bytes live in the content-addressed file store.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the documents table and the indexes its lists use."""
    op.create_table(
        "documents",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("account_id", sa.Integer, sa.ForeignKey("accounts.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("root", sa.String(1000), nullable=False),
        sa.Column("elements", sa.BigInteger, nullable=False),
        sa.Column("encoding", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_documents_account_created", "documents", ["account_id", "created_at"])
    op.create_index("ix_documents_created", "documents", ["created_at"])


def downgrade() -> None:
    """Drop the documents table."""
    op.drop_table("documents")
