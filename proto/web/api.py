"""``/api/``: JSON for programs; errors are problem+json."""

from __future__ import annotations

import cherrypy

from proto.services import Services
from proto.tools.responses import json_body
from proto.web.requests import caller
from proto.web.tree import Node, expose


class Api(Node):
    """The JSON API: ``/api/``."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @expose(access="user")
    def whoami(self) -> bytes:
        """Tell who the caller is and how they authenticated."""
        account = caller()
        return json_body({"username": account.username, "admin": account.is_admin,
                          "auth": cherrypy.serving.request.auth_method})
