"""``/admin/``: accounts and the audit log, for admins only."""

from __future__ import annotations

import math
from typing import Any

import cherrypy

from proto import accounts, audit, certificate_logins
from proto.accounts import Account, AccountError
from proto.services import Services
from proto.tools.sessions import flash
from proto.tools.templates import render
from proto.web.requests import caller, page_number, record, redirect
from proto.web.tree import Node, expose


def _checkbox(value: str | None) -> bool:
    return value in ("on", "1", "true", "yes")


def _pasted_or_uploaded(pasted: Any, uploaded: Any) -> bytes:
    """Return the PEM text from the textarea, else from the uploaded file (read with a cap)."""
    upload = getattr(uploaded, "file", None)
    try:
        if isinstance(pasted, str) and pasted.strip():
            return pasted.encode("utf-8", "replace")
        data = upload.read(certificate_logins.MAX_PEM_BYTES + 1) if upload is not None else b""
        if data.strip():
            return data
    finally:
        # An empty file input still arrives as a temporary file: close it either way.
        if upload is not None:
            upload.close()
    raise AccountError("Paste a PEM certificate or choose a PEM file.")


class UserPage(Node):
    """One account: ``/admin/users/<name>/``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def _account(self, name: str) -> Account:
        account = accounts.find_account(self.services.db, name)
        if account is None:
            raise cherrypy.NotFound()
        return account

    @expose(access="admin", methods=("GET", "POST"))
    def index(self, name: str, action: str = "", password: str = "", certificate: Any = None,
              certificate_file: Any = None, cert_id: str = "") -> bytes:
        """Show an account; disable, enable, reset password, (un)make admin, bind-cert or revoke-cert."""
        account = self._account(name)
        if cherrypy.serving.request.method == "GET":
            return self._render(account)
        db = self.services.db
        actions = {
            "disable": lambda: accounts.set_disabled(db, account, True),
            "enable": lambda: accounts.set_disabled(db, account, False),
            "make-admin": lambda: accounts.set_admin(db, account, True),
            "revoke-admin": lambda: accounts.set_admin(db, account, False),
            "reset-password": lambda: accounts.set_password(db, account, password),
            "bind-cert": lambda: self._bind(account, _pasted_or_uploaded(certificate, certificate_file)),
            "revoke-cert": lambda: self._revoke(account, cert_id),
        }
        if action not in actions:
            raise cherrypy.HTTPError(400, f"Unknown action {action!r}; use one of: {', '.join(actions)}.")
        try:
            detail = actions[action]()
        except AccountError as error:
            record(f"admin-{action}", "failure", str(error), username=caller().username)
            cherrypy.serving.response.status = 400
            return self._render(account, error=str(error))
        record(f"admin-{action}", detail=f"account {account.username}" + (f", {detail}" if detail else ""))
        flash(f"Done: {action.replace('-', ' ')} for {account.username}.")
        raise redirect(f"/admin/users/{account.username}/")

    def _bind(self, account: Account, pem: bytes) -> str:
        """Bind a certificate to the account; return what the audit log should say."""
        cert = certificate_logins.read_certificate(pem)
        bound = certificate_logins.bind_certificate(self.services.db, account, cert)
        return f"certificate {bound.fingerprint}"

    def _revoke(self, account: Account, cert_id: str) -> str:
        """Revoke one of the account's certificates; return what the audit log should say."""
        if not cert_id.isdigit():
            raise certificate_logins.CertificateBindError("There is no such unrevoked certificate.")
        revoked = certificate_logins.revoke_certificate(self.services.db, int(cert_id), account=account)
        return f"certificate {revoked.fingerprint}"

    def _render(self, account: Account, error: str | None = None) -> bytes:
        db = self.services.db
        recent, _ = audit.entries(db, username=account.username, per_page=20)
        return render("admin/user.mako", user=accounts.get_account(db, account.id), error=error, recent=recent,
                      certificates=certificate_logins.list_certificates(db, account))


class UsersPage(Node):
    """All accounts: ``/admin/users/``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.dynamic = ("name", UserPage(services))

    @expose(access="admin", methods=("GET", "POST"))
    def index(self, username: str = "", password: str = "", is_admin: str | None = None) -> bytes:
        """List the accounts; create one (fields username, password, is_admin, csrf_token)."""
        db = self.services.db
        if cherrypy.serving.request.method == "POST":
            try:
                account = accounts.create_account(db, username, password, is_admin=_checkbox(is_admin))
            except AccountError as error:
                record("admin-create-user", "failure", str(error))
                cherrypy.serving.response.status = 400
                return render("admin/users.mako", users=accounts.list_accounts(db), error=str(error),
                              form={"username": username, "is_admin": _checkbox(is_admin)})
            record("admin-create-user", detail=f"account {account.username}{' (admin)' if account.is_admin else ''}")
            flash(f"Account {account.username} created.")
            raise redirect("/admin/users/")
        return render("admin/users.mako", users=accounts.list_accounts(db), error=None,
                      form={"username": "", "is_admin": False})


class AdminPage(Node):
    """The admin area: ``/admin/``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.users = UsersPage(services)

    @expose(access="admin")
    def index(self) -> bytes:
        """Show counts and recent activity."""
        db = self.services.db
        users = accounts.list_accounts(db)
        recent, total = audit.entries(db, per_page=15)
        return render("admin/index.mako", users=users, recent=recent, audit_total=total,
                      documents=self.services.documents.count())

    @expose(access="admin")
    def audit(self, account: str = "", action: str = "", page: str = "1") -> bytes:
        """Show the audit log, newest first; filter by account and action (?account=, ?action=, ?page=)."""
        db = self.services.db
        number = page_number(page)
        rows, total = audit.entries(db, username=account.strip() or None, action=action or None, page=number)
        pages = max(1, math.ceil(total / audit.PAGE_SIZE))
        return render("admin/audit.mako", rows=rows, total=total, page=number, pages=pages,
                      account_filter=account, action_filter=action, actions=audit.actions(db))
