"""The tables, described once with SQLAlchemy Core; migrations create them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Column, DateTime, ForeignKey, Index, Integer, MetaData, String, Table, Text
from sqlalchemy.types import TypeDecorator

metadata = MetaData()


class UTCDateTime(TypeDecorator):
    """A point in time, stored in UTC and always read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use proto.storage.tables.utcnow()")
        # SQLite compares the stored text: every value must be in one zone.
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: dt.datetime | None, dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value.astimezone(dt.timezone.utc)


def utcnow() -> dt.datetime:
    """Return the current time, timezone-aware in UTC."""
    return dt.datetime.now(dt.timezone.utc)

accounts = Table(
    "accounts", metadata,
    Column("id", Integer, primary_key=True),
    Column("username", String(64), nullable=False),
    # The case-folded name: unique, so "Alice" and "alice" are one account.
    Column("username_key", String(64), nullable=False, unique=True),
    Column("password_hash", String(255), nullable=False),
    Column("is_admin", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_login_at", UTCDateTime()),
    # Kept by triggers on documents (migration 0004): the lists read it instead of counting.
    Column("document_count", BigInteger, nullable=False, server_default="0"),
    # Bumped by the same triggers whenever the account's documents change (migration 0005):
    # a list of them kept by this number is never stale.
    Column("documents_version", BigInteger, nullable=False, server_default="0"),
)

sessions = Table(
    "sessions", metadata,
    # SHA-256 of the session id: a leaked table gives no usable cookie.
    Column("id_hash", String(64), primary_key=True),
    Column("data", Text, nullable=False),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), index=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False, index=True),
)

api_tokens = Table(
    "api_tokens", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("last_used_at", UTCDateTime()),
    Column("revoked_at", UTCDateTime()),
)

certificates = Table(
    "certificates", metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="CASCADE"), nullable=False, index=True),
    # SHA-256 of the DER bytes, lowercase hex: subject names differ between servers.
    Column("fingerprint", String(64), nullable=False, unique=True),
    Column("subject", Text, nullable=False),
    Column("issuer", Text, nullable=False),
    Column("serial", String(80), nullable=False),
    Column("not_before", UTCDateTime(), nullable=False),
    Column("not_after", UTCDateTime(), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UTCDateTime(), nullable=False, index=True),
    Column("account_id", Integer, ForeignKey("accounts.id", ondelete="SET NULL")),
    # The name as given: kept for failed logins and for deleted accounts.
    Column("username", String(1100)),
    Column("address", String(64)),
    Column("action", String(40), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("detail", Text, nullable=False, default=""),
)
# Login throttling counts recent failures per name and per address.
Index("ix_audit_action_username_at", audit_log.c.action, audit_log.c.username, audit_log.c.at)
Index("ix_audit_action_address_at", audit_log.c.action, audit_log.c.address, audit_log.c.at)

documents = Table(
    "documents", metadata,
    # Random, 128 bits: a document's URL cannot be guessed from another's.
    Column("id", String(32), primary_key=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("name", String(255), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", BigInteger, nullable=False),
    # The file store's address: rows with the same bytes share one file.
    Column("sha256", String(64), nullable=False, index=True),
    Column("root", String(1000), nullable=False),
    Column("elements", BigInteger, nullable=False),
    Column("encoding", String(40), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
# The lists: one owner's documents newest first, and everyone's for admins, in
# (created_at, id) order, so a page is read off the index without a sort.
# A ?q= search filters within the owner's rows (a substring match cannot use
# a B-tree index; the owner index keeps the scan to one account's documents).
Index("ix_documents_account_created", documents.c.account_id, documents.c.created_at, documents.c.id)
Index("ix_documents_created", documents.c.created_at, documents.c.id)
