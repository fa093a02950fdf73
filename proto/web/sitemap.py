"""The site map: every published URL, found by walking the application's tree.

Nothing here lists URLs by hand: a method exposed tomorrow appears with no
other change, with the methods, access level and docstring declared next to it.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Iterator, Mapping
from typing import Any

from proto.web.tree import Node


@dataclasses.dataclass(frozen=True)
class Route:
    """One published URL."""

    path: str
    methods: tuple[str, ...]
    access: str
    summary: str
    section: str
    # The published callable, for what else it declares (the API's operations).
    handler: Any = dataclasses.field(default=None, compare=False, repr=False)

    @property
    def browsable(self) -> bool:
        """Tell whether a person can open this URL as a page (GET, no pattern)."""
        return "GET" in self.methods and "<" not in self.path and not self.path.endswith("...")

    def as_json(self, prefix: str = "") -> dict[str, Any]:
        """Describe the route for the JSON site map, its path under the mount ``prefix``."""
        return {"path": prefix + self.path, "methods": list(self.methods), "access": self.access,
                "summary": self.summary, "section": self.section}


def summary_of(obj: Any) -> str:
    """Return the first line of an object's docstring."""
    doc = inspect.getdoc(obj) or ""
    return doc.splitlines()[0] if doc else ""


def _section(path: str) -> str:
    first = path.strip("/").split("/", 1)[0]
    return f"/{first}/" if first and path.count("/") > 1 else "/"


def _handlers(node: Any) -> Iterator[tuple[str, Any]]:
    for name in sorted(dir(type(node))):
        if name.startswith("_"):
            continue
        value = getattr(node, name, None)
        if callable(value) and getattr(value, "exposed", False):
            yield name, value


def _children(node: Any) -> Iterator[tuple[str, Any]]:
    for name, value in sorted(vars(node).items()):
        if not name.startswith("_") and isinstance(value, Node):
            yield name, value


def walk(node: Any, prefix: str = "/") -> Iterator[Route]:
    """Yield a Route for every exposed handler under ``node``, mounted at ``prefix``."""
    for name, handler in _handlers(node):
        # Dispatch turns "-" into "_": publish the spelling a person types.
        segment = getattr(handler, "segment", None) or name.replace("_", "-")
        path = prefix if name == "index" else prefix + segment
        yield Route(path, getattr(handler, "methods", ("GET",)), getattr(handler, "access", "public"),
                    summary_of(handler), _section(path), handler)
    for name, child in _children(node):
        yield from walk(child, f"{prefix}{name.replace('_', '-')}/")
    dynamic = getattr(node, "dynamic", None)
    if dynamic is not None:
        parameter, child = dynamic
        yield from walk(child, f"{prefix}<{parameter}>/")


def static_routes(paths: Mapping[str, Mapping[str, Any]]) -> Iterator[Route]:
    """Yield a Route for each folder the application config serves as static files."""
    for path, section in paths.items():
        if path.startswith("/") and section.get("tools.staticdir.on"):
            yield Route(path.rstrip("/") + "/...", ("GET",), "public",
                        "Serve static files: style sheets, scripts and images.", path.rstrip("/") + "/")


def site_map(root: Any, config: Mapping[str, Mapping[str, Any]]) -> list[Route]:
    """Return every published route of an application, sorted by path."""
    routes = list(walk(root)) + list(static_routes(config))
    return sorted(routes, key=lambda route: (route.section != "/", route.section, route.path))
