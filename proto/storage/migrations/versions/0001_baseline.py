"""Baseline: the migration history starts here.

Revision ID: 0001
Revises:
"""

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to create: later revisions add the tables."""


def downgrade() -> None:
    """Nothing to drop."""
