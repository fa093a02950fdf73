"""Accounts: creation, password login, admin flags, API tokens. No web code here."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
import secrets

from sqlalchemy import func, select, update
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import IntegrityError

from proto import passwords
from proto.storage.database import Database
from proto.storage.tables import accounts, api_tokens, sessions, utcnow

USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
TOKEN_PREFIX = "proto_"


class AccountError(ValueError):
    """An account operation was refused; the message is for the person who asked."""


@dataclasses.dataclass(frozen=True)
class Account:
    """A person or machine that can log in."""

    id: int
    username: str
    is_admin: bool
    disabled: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None
    document_count: int = 0
    documents_version: int = 0

    @classmethod
    def from_row(cls, row: Row, prefix: str = "") -> Account:
        """Build an Account from an ``accounts`` row, or from its columns labelled ``prefix + name``."""
        return cls(*(getattr(row, prefix + field.name) for field in ACCOUNT_FIELDS))


ACCOUNT_FIELDS = dataclasses.fields(Account)


@dataclasses.dataclass(frozen=True)
class ApiToken:
    """An API token as listed to its owner: never the secret itself."""

    id: int
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


def username_key(username: str) -> str:
    """Return the case-insensitive form under which a name is unique."""
    return username.casefold()


def check_username(username: str) -> None:
    """Raise AccountError unless the name may be used for a new account."""
    if not USERNAME.match(username):
        raise AccountError("A username has 1 to 64 letters, digits, dots, dashes or underscores, "
                           "and starts with a letter or digit.")


def create_account(db: Database, username: str, password: str, *, is_admin: bool = False) -> Account:
    """Create an account; raise AccountError if the name is taken or the password too weak."""
    check_username(username)
    try:
        passwords.check_new_password(password)
    except passwords.PasswordRejected as error:
        raise AccountError(str(error)) from None
    values = {"username": username, "username_key": username_key(username),
              "password_hash": passwords.hash_password(password), "is_admin": is_admin,
              "disabled": False, "created_at": utcnow()}
    try:
        with db.write() as connection:
            new_id = connection.execute(accounts.insert().values(values)).inserted_primary_key[0]
    except IntegrityError:
        raise AccountError(f"The username {username!r} is taken.") from None
    return Account(new_id, username, is_admin, False, values["created_at"], None)


def count_accounts(db: Database) -> int:
    """Return how many accounts exist."""
    with db.read() as connection:
        return connection.execute(select(func.count()).select_from(accounts)).scalar_one()


def find_account(db: Database, username: str) -> Account | None:
    """Return the account with this name (any case), or None."""
    with db.read() as connection:
        row = connection.execute(select(accounts).where(accounts.c.username_key == username_key(username))).first()
    return Account.from_row(row) if row else None


def get_account(db: Database, account_id: int) -> Account | None:
    """Return the account with this id, or None."""
    with db.read() as connection:
        row = connection.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return Account.from_row(row) if row else None


def list_accounts(db: Database) -> list[Account]:
    """Return every account, by name."""
    with db.read() as connection:
        rows = connection.execute(select(accounts).order_by(accounts.c.username_key)).all()
    return [Account.from_row(row) for row in rows]


def authenticate(db: Database, username: str, password: str) -> Account | None:
    """Return the enabled account these credentials open, or None; same cost either way."""
    with db.read() as connection:
        row = connection.execute(select(accounts).where(accounts.c.username_key == username_key(username))).first()
    stored = row.password_hash if row is not None else passwords.dummy_hash()
    # Always verify, so a missing account takes as long as a wrong password.
    matches = passwords.verify_password(password, stored) and len(password) <= passwords.MAX_LENGTH
    if row is None or not matches or row.disabled:
        return None
    changes: dict = {"last_login_at": utcnow()}
    if passwords.needs_rehash(row.password_hash):
        changes["password_hash"] = passwords.hash_password(password)
    with db.write() as connection:
        connection.execute(update(accounts).where(accounts.c.id == row.id).values(changes))
    return Account.from_row(row)


def stored_password_hash(db: Database, account: Account) -> str:
    """Return the account's stored password hash, to check a password it types again."""
    with db.read() as connection:
        return connection.execute(select(accounts.c.password_hash).where(accounts.c.id == account.id)).scalar_one()


def _end_sessions(connection: Connection, account_id: int, keep_session: str | None) -> None:
    statement = sessions.delete().where(sessions.c.account_id == account_id)
    if keep_session is not None:
        statement = statement.where(sessions.c.id_hash != keep_session)
    connection.execute(statement)


def set_password(db: Database, account: Account, new_password: str, *, keep_session: str | None = None) -> None:
    """Store a new password and end the account's sessions (except ``keep_session``, an id hash)."""
    try:
        passwords.check_new_password(new_password)
    except passwords.PasswordRejected as error:
        raise AccountError(str(error)) from None
    with db.write() as connection:
        connection.execute(update(accounts).where(accounts.c.id == account.id)
                           .values(password_hash=passwords.hash_password(new_password)))
        _end_sessions(connection, account.id, keep_session)


def _active_admins(connection: Connection) -> int:
    query = select(func.count()).select_from(accounts).where(accounts.c.is_admin.is_(True),
                                                              accounts.c.disabled.is_(False))
    return connection.execute(query).scalar_one()


def set_disabled(db: Database, account: Account, disabled: bool) -> None:
    """Disable (ending every session) or enable an account; the last active admin stays."""
    with db.write() as connection:
        if disabled and account.is_admin and not account.disabled and _active_admins(connection) <= 1:
            raise AccountError("The last active admin cannot be disabled.")
        connection.execute(update(accounts).where(accounts.c.id == account.id).values(disabled=disabled))
        if disabled:
            _end_sessions(connection, account.id, None)


def set_admin(db: Database, account: Account, is_admin: bool) -> None:
    """Make an account admin or not; the last active admin stays admin."""
    with db.write() as connection:
        if not is_admin and account.is_admin and not account.disabled and _active_admins(connection) <= 1:
            raise AccountError("The last active admin cannot stop being admin.")
        connection.execute(update(accounts).where(accounts.c.id == account.id).values(is_admin=is_admin))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Database, account: Account, name: str) -> str:
    """Create an API token for the account and return its secret, which is never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("A token needs a name of 1 to 100 characters.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with db.write() as connection:
        connection.execute(api_tokens.insert().values(account_id=account.id, name=name,
                                                      token_hash=_token_hash(token), created_at=utcnow()))
    return token


def list_tokens(db: Database, account: Account) -> list[ApiToken]:
    """Return the account's tokens, newest first."""
    with db.read() as connection:
        rows = connection.execute(select(api_tokens).where(api_tokens.c.account_id == account.id)
                                  .order_by(api_tokens.c.id.desc())).all()
    return [ApiToken(row.id, row.name, row.created_at, row.last_used_at, row.revoked_at) for row in rows]


def revoke_token(db: Database, account: Account, token_id: int) -> bool:
    """Revoke one of the account's tokens; tell whether there was one to revoke."""
    with db.write() as connection:
        result = connection.execute(update(api_tokens).where(
            api_tokens.c.id == token_id, api_tokens.c.account_id == account.id,
            api_tokens.c.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return result.rowcount == 1


def account_for_token(db: Database, token: str) -> Account | None:
    """Return the enabled account an unrevoked API token belongs to, or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    query = (select(accounts, api_tokens.c.id.label("token_id"), api_tokens.c.last_used_at.label("token_used"))
             .join(api_tokens, api_tokens.c.account_id == accounts.c.id)
             .where(api_tokens.c.token_hash == _token_hash(token), api_tokens.c.revoked_at.is_(None),
                    accounts.c.disabled.is_(False)))
    with db.read() as connection:
        row = connection.execute(query).first()
    if row is None:
        return None
    now = utcnow()
    # Record use at most once a minute: a busy client must not turn every read into a write.
    if row.token_used is None or now - row.token_used > dt.timedelta(minutes=1):
        with db.write() as connection:
            connection.execute(update(api_tokens).where(api_tokens.c.id == row.token_id).values(last_used_at=now))
    return Account.from_row(row)
