"""The audit log: who did what, from where, with which outcome. Never a secret."""

from __future__ import annotations

import dataclasses
import datetime as dt

from sqlalchemy import func, select

from proto.storage.database import Database
from proto.storage.tables import audit_log, utcnow

PAGE_SIZE = 50


@dataclasses.dataclass(frozen=True)
class AuditEntry:
    """One line of the audit log."""

    id: int
    at: dt.datetime
    username: str | None
    address: str | None
    action: str
    outcome: str
    detail: str


def record(db: Database, action: str, outcome: str, *, username: str | None = None,
           account_id: int | None = None, address: str | None = None, detail: str = "") -> None:
    """Write one entry to the audit log."""
    with db.write() as connection:
        connection.execute(audit_log.insert().values(
            at=utcnow(), action=action, outcome=outcome, username=username, account_id=account_id,
            address=address, detail=detail[:2000]))


def entries(db: Database, *, username: str | None = None, action: str | None = None,
            page: int = 1, per_page: int = PAGE_SIZE) -> tuple[list[AuditEntry], int]:
    """Return one page of entries, newest first, and how many match in all."""
    conditions = []
    if username:
        conditions.append(func.lower(audit_log.c.username) == username.casefold())
    if action:
        conditions.append(audit_log.c.action == action)
    query = select(audit_log).where(*conditions).order_by(audit_log.c.id.desc())
    with db.read() as connection:
        total = connection.execute(select(func.count()).select_from(audit_log).where(*conditions)).scalar_one()
        rows = connection.execute(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    return [AuditEntry(r.id, r.at, r.username, r.address, r.action, r.outcome, r.detail) for r in rows], total


def actions(db: Database) -> list[str]:
    """Return every action that appears in the log, for the filter."""
    with db.read() as connection:
        return list(connection.execute(select(audit_log.c.action).distinct().order_by(audit_log.c.action)).scalars())


def recent_failures(db: Database, action: str, *, username: str | None = None, address: str | None = None,
                    window: dt.timedelta) -> list[dt.datetime]:
    """Return the times of recent failed attempts for a name (any case) or an address."""
    since = utcnow() - window
    query = select(audit_log.c.at).where(audit_log.c.action == action, audit_log.c.outcome == "failure",
                                         audit_log.c.at >= since)
    if username is not None:
        query = query.where(audit_log.c.username == username)
    if address is not None:
        query = query.where(audit_log.c.address == address)
    with db.read() as connection:
        return list(connection.execute(query.order_by(audit_log.c.at)).scalars())
