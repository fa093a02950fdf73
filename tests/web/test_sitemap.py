"""The site map lists every published URL by walking the tree, with no list kept by hand."""

from proto.web.tree import Node, expose


def test_sitemap_lists_every_url_of_the_tree_as_json(client):
    answer = client.get("/sitemap", headers={"Accept": "application/json"})
    assert answer.content_type == "application/json"
    routes = {route["path"]: route for route in answer.json["routes"]}
    assert routes["/status"] == {
        "path": "/status", "methods": ["GET"], "access": "public", "section": "/",
        "summary": "Report whether the service and its database are up (503 when the database is down)."}
    assert {"/", "/sitemap", "/status", "/static/..."} <= set(routes)


def test_sitemap_page_is_readable_html_with_links(client):
    page = client.get("/sitemap")
    assert page.content_type == "text/html"
    assert page.headers["Vary"] == "Accept"
    assert page.html.find("h1").text == "Site map"
    rows = {row.find("td").text.strip(): row for row in page.html.select("tbody tr")}
    assert rows["/status"].find("a")["href"] == "/status"
    assert "public" in rows["/status"].text


class Widgets(Node):
    """Widgets, added to the tree by the test as a developer would add a page."""

    def __init__(self):
        self.dynamic = ("widget_id", Widget())

    @expose(access="user", methods=("GET", "POST"))
    def index(self):
        """List or create widgets."""
        return b""


class Widget(Node):
    """One widget."""

    @expose(access="public")
    def index(self, widget_id):
        """Show one widget."""
        return widget_id.encode()

    @expose(access="admin", methods=("POST",))
    def scrap(self, widget_id):
        """Scrap a widget for good."""
        return b""


def test_a_new_handler_appears_with_no_other_change(client):
    client.app.root.widgets = Widgets()
    routes = {route["path"]: route for route in
              client.get("/sitemap", headers={"Accept": "application/json"}).json["routes"]}
    assert routes["/widgets/"]["methods"] == ["GET", "POST"]
    assert routes["/widgets/"]["access"] == "user"
    assert routes["/widgets/<widget_id>/"]["summary"] == "Show one widget."
    assert routes["/widgets/<widget_id>/scrap"] == {
        "path": "/widgets/<widget_id>/scrap", "methods": ["POST"], "access": "admin",
        "summary": "Scrap a widget for good.", "section": "/widgets/"}
    # The pattern is real: the segment reaches the handler; the declared levels are enforced.
    assert client.get("/widgets/w-42/").text == "w-42"
    assert client.get("/widgets/", status=303).headers["Location"].endswith("/account/login?next=%2Fwidgets%2F")
    page = client.get("/sitemap")
    assert "/widgets/&lt;widget_id&gt;/scrap" in page.text
