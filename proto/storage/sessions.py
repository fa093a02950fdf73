"""Server-side sessions in the SQL database, shared by every process.

    [/]
    proto.sessions.on = True
    proto.sessions.storage_class = <the SqlSession subclass make_app builds>

Rows are keyed by the SHA-256 of the session id; the data is JSON. A row is
written only when the data changed, or to push the idle expiry forward at most
once a minute. A session deleted by another request (a logout) is never brought
back by a later save. Sessions also end ``lifetime`` minutes after they began,
whatever happens. Expired rows are deleted from time to time by the process that
happens to be saving, so no clean-up thread is needed under any WSGI host.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
from typing import Any, ClassVar

import cherrypy
from cherrypy.lib.sessions import Session
from sqlalchemy import bindparam, delete, func, insert, select, update

from proto.storage.database import Database, FastRead
from proto.storage.tables import accounts, sessions, utcnow

EXPIRY_REFRESH = dt.timedelta(minutes=1)
BODILESS_METHODS = ("GET", "HEAD")
ACCOUNT_PREFIX = "account_"
# The session's account comes with its row, so identifying the caller costs no second
# query. Its columns are labelled account_<name>; its id is the session's account_id.
SESSION_ROW = FastRead(
    select(sessions, *(column.label(ACCOUNT_PREFIX + column.name) for column in accounts.c
                       if column.name not in ("id", "password_hash")))
    .outerjoin(accounts, accounts.c.id == sessions.c.account_id)
    .where(sessions.c.id_hash == bindparam("id_hash"))
)


def hash_session_id(session_id: str) -> str:
    """Return the key a session id is stored under."""
    return hashlib.sha256(session_id.encode("ascii", "replace")).hexdigest()


class SqlSession(Session):
    """A CherryPy session stored in the ``sessions`` table."""

    db: ClassVar[Database]
    lifetime: ClassVar[int] = 12 * 60  # minutes
    # Locks serialize requests of one session within this process (CherryPy's model).
    locks: ClassVar[dict[str, list]]
    locks_guard: ClassVar[threading.Lock]
    last_clean: ClassVar[float] = 0.0

    @classmethod
    def bind(cls, db: Database, *, lifetime: int, clean_freq: int) -> type[SqlSession]:
        """Return a subclass bound to one application's database."""
        return type("SqlSession", (cls,), {"db": db, "lifetime": lifetime, "clean_freq_minutes": clean_freq,
                                           "locks": {}, "locks_guard": threading.Lock(), "last_clean": 0.0})

    def __init__(self, id: str | None = None, **kwargs: Any) -> None:
        self._row: Any = None
        self._row_is_current = False
        self._peeked: tuple[Any, dict] | None = None  # (row, its data), parsed once
        self._saved_json: str | None = None
        self._is_new = id is None
        # CherryPy's own cleanup thread is off: ours runs on save (see clean_up).
        kwargs["clean_freq"] = 0
        super().__init__(id, **kwargs)

    def _regenerate(self) -> None:
        self._is_new = True
        super()._regenerate()
        self._row = None

    @property
    def id_hash(self) -> str:
        """Return the key of this session's row."""
        return hash_session_id(self.id)

    def now(self) -> dt.datetime:
        """Return the current time, timezone-aware."""
        return utcnow()

    def _fetch(self) -> Any:
        return SESSION_ROW.first(self.db, id_hash=self.id_hash)

    def _exists(self) -> bool:
        if self._is_new:
            return False  # a fresh 160-bit random id: asking the database is a wasted query
        request = cherrypy.serving.request
        if request.app is not None and request.method in BODILESS_METHODS:
            # Nothing to upload first: lock now, so the row read here is the one the handler
            # changes, and load() needs no second query.
            self.acquire_lock()
        try:
            self._row = self._fetch()
        except BaseException:
            # Raised inside the constructor, this session never reaches the request's
            # close hook: release the lock here, or every later request of it waits forever.
            if self.locked:
                self.release_lock()
            raise
        self._row_is_current = self.locked
        if self._row is None:
            return False
        alive = self._row.expires_at > self.now() and not self._past_lifetime(self._row.created_at)
        return alive

    def _past_lifetime(self, created_at: dt.datetime) -> bool:
        return created_at + dt.timedelta(minutes=self.lifetime) < self.now()

    def _load(self) -> tuple[dict, dt.datetime] | None:
        # Under the lock, read afresh unless the row was read under it: before, it may be stale.
        fresh = self._row is not None and (self._row_is_current or not self.locked)
        row = self._row if fresh else self._fetch()
        self._row = row
        if row is None or self._past_lifetime(row.created_at):
            return None
        self._saved_json = row.data
        return json.loads(row.data), row.expires_at

    def _save(self, expiration_time: dt.datetime) -> None:
        data = json.dumps(self._data, sort_keys=True, separators=(",", ":"))
        account_id = self._data.get("account_id")
        if self._is_new:
            if not self._data:
                return  # nothing worth a row (or a cookie) yet
            with self.db.write() as connection:
                connection.execute(insert(sessions).values(
                    id_hash=self.id_hash, data=data, account_id=account_id,
                    created_at=self.now(), expires_at=expiration_time))
            self._is_new = False
            self._row, self._saved_json = None, data
            self._maybe_clean_up()
            return
        unchanged = data == self._saved_json
        if unchanged and not self._expiry_due(expiration_time):
            return
        values: dict[str, Any] = {"expires_at": expiration_time}
        if not unchanged:
            values.update(data=data, account_id=account_id)
        self._update(values)
        self._saved_json = data

    def _expiry_due(self, expiration_time: dt.datetime) -> bool:
        """Tell whether the stored idle expiry is unknown or a minute or more behind this one."""
        return self._row is None or expiration_time - self._row.expires_at >= EXPIRY_REFRESH

    def _update(self, values: dict[str, Any]) -> None:
        with self.db.write() as connection:
            # UPDATE only: a row deleted meanwhile (logout elsewhere) stays deleted.
            connection.execute(update(sessions).where(sessions.c.id_hash == self.id_hash).values(values))

    def _delete(self) -> None:
        with self.db.write() as connection:
            connection.execute(delete(sessions).where(sessions.c.id_hash == self.id_hash))
        self._row = None

    def acquire_lock(self) -> None:
        """Lock this session against other requests of this process (once per request)."""
        if self.locked:
            return
        with self.locks_guard:
            # [lock, holders and waiters]: the entry goes once nobody needs it.
            entry = self.locks.setdefault(self.id, [threading.Lock(), 0])
            entry[1] += 1
        entry[0].acquire()
        self._held = (self.id, entry)
        self.locked = True

    def release_lock(self) -> None:
        """Release the lock taken by acquire_lock (the same lock, even if the id changed since)."""
        session_id, entry = self._held
        entry[0].release()
        with self.locks_guard:
            entry[1] -= 1
            if entry[1] == 0:
                self.locks.pop(session_id, None)
        self.locked = False

    def peek(self, key: str) -> Any:
        """Read one value without loading the session: as loaded if it was, else as stored."""
        if self.loaded:
            return self._data.get(key)
        if self._row is None:
            return None
        if self._peeked is None or self._peeked[0] is not self._row:
            self._peeked = (self._row, json.loads(self._row.data))
        return self._peeked[1].get(key)

    def save(self) -> None:
        """Save the data if it was loaded; a session only peeked at still has its idle expiry pushed on."""
        try:
            if not self.loaded and not self._is_new and self._row is not None:
                expiration_time = self.now() + dt.timedelta(minutes=self.timeout)
                if self._expiry_due(expiration_time):
                    self._update({"expires_at": expiration_time})
        finally:
            super().save()  # saves loaded data, and releases the lock whatever happened

    def peek_account(self) -> Any:
        """Return the stored row with its account's columns (``account_<name>``), None without an account."""
        if self._row is None or self._row.account_id is None or self._row.account_username is None:
            return None
        return self._row

    def _maybe_clean_up(self) -> None:
        now = time.monotonic()
        if now - type(self).last_clean >= self.clean_freq_minutes * 60:
            type(self).last_clean = now
            self.clean_up()

    def clean_up(self) -> None:
        """Delete every expired session row."""
        now = self.now()
        with self.db.write() as connection:
            connection.execute(delete(sessions).where(
                (sessions.c.expires_at < now)
                | (sessions.c.created_at < now - dt.timedelta(minutes=self.lifetime))))

    def __len__(self) -> int:
        """Return how many sessions are stored."""
        with self.db.read() as connection:
            return connection.execute(select(func.count()).select_from(sessions)).scalar_one()
