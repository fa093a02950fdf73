"""Proto's CherryPy tools, in one Toolbox registered on Proto's application only.

    [/]
    proto.forwarded.on = True
    proto.security_headers.on = True
    proto.sessions.on = True
    proto.auth.on = True
    proto.csrf.on = True
    [/api/documents]
    proto.xml_body.on = True

``make_toolbox()`` builds a fresh Toolbox for each application, so two
applications in one process never share tool state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import cherrypy
from cherrypy._cptools import Toolbox

from proto.tools.auth import AuthTool
from proto.tools.csrf import CsrfTool
from proto.tools.headers import SecurityHeadersTool
from proto.tools.proxies import ForwardedTool
from proto.tools.sessions import SessionTool
from proto.tools.xml_body import XmlBodyTool

if TYPE_CHECKING:
    from proto.services import Services

NAMESPACE = "proto"


def make_toolbox() -> Toolbox:
    """Build the toolbox with every Proto tool, each off until config turns it on."""
    toolbox = Toolbox(NAMESPACE)
    toolbox.forwarded = ForwardedTool()
    toolbox.security_headers = SecurityHeadersTool()
    toolbox.sessions = SessionTool()
    toolbox.auth = AuthTool()
    toolbox.csrf = CsrfTool()
    toolbox.xml_body = XmlBodyTool()
    return toolbox


def services() -> Services:
    """Return the services of the application serving the current request."""
    return cherrypy.serving.request.app.services
