"""``/account/``: log in and out, the profile, password change and API tokens."""

from __future__ import annotations

import datetime as dt
import math

import cherrypy

from proto import accounts, audit, certificate_logins
from proto.accounts import AccountError
from proto.passwords import verify_password
from proto.services import Services
from proto.storage.sessions import hash_session_id
from proto.storage.tables import utcnow
from proto.tools.sessions import current_session, end_session, flash, has_stored_session, start_session
from proto.tools.templates import render
from proto.web.requests import caller, local_path, record, redirect, remote_address
from proto.web.tree import Node, expose

LOGIN_FAILED = "The username or password is wrong, or the account is disabled."
THROTTLE_WINDOW = dt.timedelta(minutes=15)
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 20


def log_in(account: accounts.Account, method: str) -> None:
    """Start a fresh session for the account: a new id, so a planted one is worthless."""
    start_session(account.id, method)


class AccountPage(Node):
    """The caller's own account: ``/account/``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @expose(access="user")
    def index(self) -> bytes:
        """Show the profile, bound certificates, API tokens and the password form."""
        account = caller()
        new_token = current_session().pop("new_token", None) if has_stored_session() else None
        return render("account/index.mako", profile=account, new_token=new_token,
                      tokens=accounts.list_tokens(self.services.db, account),
                      certificates=certificate_logins.list_certificates(self.services.db, account))

    @expose(access="public", methods=("GET", "POST"))
    def login(self, username: str = "", password: str = "", next: str = "") -> bytes:
        """Log in with a username and password (fields username, password, csrf_token, next)."""
        request = cherrypy.serving.request
        target = local_path(next)
        if request.method == "GET":
            if request.account is not None:
                raise redirect(target)
            return render("account/login.mako", username="", next=target, error=None)
        key = accounts.username_key(username)[:100]
        retry_after = self._throttled(key, remote_address())
        if retry_after:
            record("login", "throttled", username=key, account=None)
            cherrypy.serving.response.headers["Retry-After"] = str(retry_after)
            cherrypy.serving.response.status = 429
            return render("account/login.mako", username=username, next=target,
                          error=f"Too many failed attempts: try again in {math.ceil(retry_after / 60)} minutes.")
        account = accounts.authenticate(self.services.db, username, password) if len(username) <= 64 else None
        if account is None:
            record("login", "failure", "password", username=key, account=None)
            return render("account/login.mako", username=username, next=target, error=LOGIN_FAILED)
        log_in(account, "password")
        record("login", "success", "password", account=account)
        raise redirect(target)

    def _throttled(self, key: str, address: str) -> int:
        """Return seconds to wait if this name or address failed too often lately, else 0."""
        db = self.services.db
        now = utcnow()
        waits = []
        for failures, limit in ((audit.recent_failures(db, "login", username=key, window=THROTTLE_WINDOW),
                                 MAX_FAILURES_PER_ACCOUNT),
                                (audit.recent_failures(db, "login", address=address, window=THROTTLE_WINDOW),
                                 MAX_FAILURES_PER_ADDRESS)):
            if len(failures) >= limit:
                # Wait until enough of the oldest failures leave the window.
                waits.append((failures[len(failures) - limit] + THROTTLE_WINDOW - now).total_seconds())
        return max(1, math.ceil(max(waits))) if waits else 0

    @expose(access="user", methods=("POST",))
    def logout(self) -> None:
        """Log out: the session ends on the server, not only in this browser."""
        record("logout")
        session = current_session()
        if session is not None and cherrypy.serving.request.auth_method == "session":
            end_session()
        raise redirect("/")

    @expose(access="user", methods=("POST",))
    def password(self, current: str = "", new: str = "") -> bytes:
        """Change the password (fields current, new, csrf_token); other sessions end."""
        account = caller()
        db = self.services.db
        stored = accounts.stored_password_hash(db, account)
        if not verify_password(current, stored):
            record("password-change", "failure", "wrong current password")
            return self._page_with_error("The current password is wrong.")
        session = current_session()
        try:
            keep = hash_session_id(session.id) if cherrypy.serving.request.auth_method == "session" else None
            accounts.set_password(db, account, new, keep_session=keep)
        except AccountError as error:
            return self._page_with_error(str(error))
        record("password-change")
        if keep is not None:
            flash("Your password was changed; your other sessions have ended.")
        raise redirect("/account/")

    def _page_with_error(self, message: str) -> bytes:
        cherrypy.serving.response.status = 400
        account = caller()
        return render("account/index.mako", profile=account, new_token=None, error=message,
                      tokens=accounts.list_tokens(self.services.db, account),
                      certificates=certificate_logins.list_certificates(self.services.db, account))

    @expose(access="user", methods=("POST",))
    def tokens(self, action: str = "create", name: str = "", token_id: str = "") -> bytes:
        """Create an API token (shown once) or revoke one (fields action, name or token_id)."""
        account = caller()
        db = self.services.db
        if action == "revoke":
            if not token_id.isdigit() or not accounts.revoke_token(db, account, int(token_id)):
                raise cherrypy.HTTPError(404, "There is no such active token of yours.")
            record("token-revoke", detail=f"token {token_id}")
            flash("The token was revoked.")
            raise redirect("/account/")
        if action != "create":
            raise cherrypy.HTTPError(400, "action must be create or revoke.")
        try:
            token = accounts.create_token(db, account, name)
        except AccountError as error:
            return self._page_with_error(str(error))
        record("token-create", detail=f"token {name.strip()!r}")
        current_session()["new_token"] = token
        raise redirect("/account/")
