"""Mako templates: one lookup per application, built from the settings.

Templates escape every expression (``default_filters``; Mako does not by
default) and refuse undefined names (``strict_undefined``), so a typo is an
error, not an empty string.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import cherrypy

import proto
from proto.kept import Kept
from proto.tools.sessions import csrf_token, take_flashes

if TYPE_CHECKING:
    from mako.lookup import TemplateLookup


# Characters of fragments kept per application: the body of a documents page is some 5,300.
FRAGMENTS_BUDGET = 4 * 1024 * 1024


class Templates:
    """Find, compile once and render the Mako templates of one application."""

    def __init__(self, directory: Path, *, reload: bool = False) -> None:
        self.directory, self.reload = directory, reload
        self._lookup: TemplateLookup | None = None
        self._fragments: Kept[str] = Kept(FRAGMENTS_BUDGET, weight=len)

    @property
    def lookup(self) -> TemplateLookup:
        """Return the template lookup, made by the first render."""
        if self._lookup is None:
            # Mako (and the pygments its error pages load) takes some 25 ms to import: a start and
            # /status need neither. Two first renders at once may each make one; the spare is dropped.
            from mako.lookup import TemplateLookup

            self._lookup = TemplateLookup(
                directories=[str(self.directory)],
                default_filters=["escape"],
                imports=["from proto.tools.templates import escape"],
                strict_undefined=True,
                input_encoding="utf-8",
                # Checking each file's mtime on every render is for development only.
                filesystem_checks=self.reload,
                collection_size=500,
            )
        return self._lookup

    def render(self, name: str, **context: Any) -> bytes:
        """Render a template to UTF-8 bytes."""
        return self.lookup.get_template(name).render_unicode(**context).encode("utf-8")

    def fragment(self, name: str, key: Hashable, /, **context: Any) -> str:
        """Render a template once per key and keep its markup, for data that never changes."""
        kept = self._fragments.get((name, key))
        if kept is None:
            kept = self.lookup.get_template(name).render_unicode(**context)
            if not self.reload:  # in development an edited template shows at once
                self._fragments.keep((name, key), kept)
        return kept


SIZE_UNITS = ("bytes", "KiB", "MiB", "GiB")


def escape(value: Any) -> str:
    """Escape a value for HTML text and attribute values: every ``${...}`` of every template."""
    # The entities markupsafe (Mako's "h") writes, without building a Markup object for
    # each of the hundred values a list page shows.
    text = value if isinstance(value, str) else str(value)
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&#34;").replace("'", "&#39;"))


def size(count: int) -> str:
    """Return a byte count as people read it: ``512 bytes``, ``1.5 KiB``, ``3.0 MiB``."""
    value, unit = float(count), 0
    while value >= 1024 and unit < len(SIZE_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    return f"{count} bytes" if unit == 0 else f"{value:.1f} {SIZE_UNITS[unit]}"


def when(moment: dt.datetime | None) -> str:
    """Return a moment in UTC to the minute, or a dash for never."""
    # isoformat, not strftime: a list formats twenty of these, and it is several times faster.
    return moment.isoformat(" ", "minutes")[:16] + " UTC" if moment else "—"


def url(path: str) -> str:
    """Return an absolute path for ``path`` under the application's mount point."""
    return cherrypy.serving.request.script_name + path


def current(prefix: str) -> str:
    """Return ``aria-current=page`` for a menu link whose subtree is being shown, else nothing."""
    # A plain function, not a Mako def: a def call costs a page more than its menu's links.
    return "aria-current=page" if cherrypy.serving.request.path_info.startswith(prefix) else ""


def fragment(name: str, key: Hashable, /, **context: Any) -> str:
    """Return a template's markup for data that never changes: rendered once per key and mount point.

    The key must name everything the markup shows. The documents page keeps the body
    of its list by the ids shown and by the search, page and total: a stored document
    never changes, so one list is rendered once, not on every view of it.
    """
    request = cherrypy.serving.request
    return request.app.services.templates.fragment(name, (request.script_name, key), **context)


def page_context() -> dict[str, Any]:
    """Return the names every page template may use, read from the current request."""
    request = cherrypy.serving.request
    return {
        "url": url,
        # Plain functions, not Mako defs: a list calls them on every row.
        "size": size,
        "when": when,
        "fragment": fragment,
        "version": proto.__version__,
        "account": getattr(request, "account", None),
        "auth_method": getattr(request, "auth_method", None),
        # A function: only pages with a form make a session for its token.
        "csrf_token": csrf_token,
        "flashes": take_flashes(),
    }


def render(name: str, **context: Any) -> bytes:
    """Render a page template of the current application with the request's context."""
    services = cherrypy.serving.request.app.services
    cherrypy.serving.response.headers["Content-Type"] = "text/html;charset=utf-8"
    return services.templates.render(name, **page_context(), **context)
