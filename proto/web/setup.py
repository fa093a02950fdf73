"""``/setup``: create the first admin account with the one-time token the server printed."""

from __future__ import annotations

import cherrypy

from proto import accounts
from proto.accounts import AccountError
from proto.services import Services
from proto.setup_token import SetupToken
from proto.tools.sessions import flash
from proto.tools.templates import render
from proto.web.account import log_in
from proto.web.requests import record, redirect


class FirstRun:
    """First-run setup, published as ``/setup``; gone for good once an account exists."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.token = SetupToken(services.settings.data_dir)

    def handle(self, token: str, username: str, password: str) -> bytes:
        """Show the form, or create the first admin account and log it in."""
        db = self.services.db
        if accounts.count_accounts(db) > 0:
            raise cherrypy.NotFound()
        if not self.token.matches(token):
            record("setup", "failure", "wrong or missing token", username=username or None)
            raise cherrypy.HTTPError(403, "This setup link is not valid: use the one the server printed at start.")
        if cherrypy.serving.request.method == "GET":
            return render("setup.mako", token=token, username="", error=None)
        try:
            account = accounts.create_account(db, username, password, is_admin=True)
        except AccountError as error:
            cherrypy.serving.response.status = 400
            return render("setup.mako", token=token, username=username, error=str(error))
        self.token.discard()
        record("setup", detail="first admin created", account=account)
        log_in(account, "password")
        flash(f"Welcome, {account.username}: your admin account is ready.")
        raise redirect("/admin/")
