"""The root of the published tree: landing page, health status and site map."""

from __future__ import annotations

import cherrypy
from sqlalchemy.exc import SQLAlchemyError

import proto
from proto.services import Services
from proto.tools.responses import json_body, wants_json
from proto.tools.templates import render
from proto.web.account import AccountPage
from proto.web.admin import AdminPage
from proto.web.api import Api
from proto.web.documents import DocumentsPage
from proto.web.setup import FirstRun
from proto.web.sitemap import site_map
from proto.web.tree import Node, expose


STATUS_MAX_AGE = 1.0  # seconds a successful database check stays good


class Root(Node):
    """The site's root: ``/``."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.account = AccountPage(services)
        self.admin = AdminPage(services)
        self.api = Api(services)
        self.documents = DocumentsPage(services)
        self.first_run = FirstRun(services)

    @expose(access="public")
    def index(self) -> bytes:
        """Show the landing page, or the dashboard when logged in."""
        return render("root/index.mako")

    @expose(access="setup-token", methods=("GET", "POST"))
    def setup(self, token: str = "", username: str = "", password: str = "") -> bytes:
        """Create the first admin account with the one-time link printed at start."""
        return self.first_run.handle(token, username, password)

    @expose(access="public")
    def status(self) -> bytes:
        """Report whether the service and its database are up (503 when the database is down)."""
        try:
            # A load balancer may poll this many times a second: one query a second is enough.
            self.services.db.ping(max_age=STATUS_MAX_AGE)
        except SQLAlchemyError as error:
            cherrypy.log(f"status: database unavailable: {error.__class__.__name__}")
            return json_body({"status": "unavailable", "database": "unavailable", "version": proto.__version__},
                             status=503)
        return json_body({"status": "ok", "database": "ok", "version": proto.__version__})

    @expose(access="public")
    def sitemap(self) -> bytes:
        """List every URL of the site with its methods, who may use it and what it does."""
        app = cherrypy.serving.request.app
        routes = site_map(app.root, app.config)
        cherrypy.serving.response.headers["Vary"] = "Accept"
        if wants_json():
            # Paths a client can request as they are, under whatever prefix the host mounted us.
            prefix = cherrypy.serving.request.script_name
            return json_body({"routes": [route.as_json(prefix) for route in routes]})
        return render("root/sitemap.mako", routes=routes)

