"""Requests of one session run one at a time: none undoes another's change (as CherryPy's own test checks)."""

import io
import sys
import threading

import cherrypy

from proto.tools.sessions import current_session
from proto.web.tree import Node, expose
from tests.conftest import login


class Counter(Node):
    """A page that counts its visits in the session."""

    @expose(access="user")
    def index(self):
        """Count one more visit."""
        session = current_session()
        session["visits"] = session.get("visits", 0) + 1
        return str(session["visits"]).encode()


def wsgi_get(app, path, cookie):
    """Call the application directly from a thread, as a server's worker would."""
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": "",
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1",
               "HTTP_HOST": "localhost", "HTTP_COOKIE": f"session_id={cookie}", "REMOTE_ADDR": "127.0.0.1",
               "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr,
               "wsgi.multithread": True, "wsgi.multiprocess": False, "wsgi.run_once": False, "wsgi.version": (1, 0)}
    statuses = []
    body = app(environ, lambda status, headers, exc_info=None: statuses.append(status))
    try:
        return statuses[0], b"".join(body)
    finally:
        body.close()


def test_five_clients_times_thirty_requests_on_one_session_count_exactly(client, app, make_account):
    make_account("alice")
    login(client, "alice")
    cookie = client.cookies["session_id"]
    app.root.counter = Counter()
    failures = []

    def visit():
        for _ in range(30):
            status, _ = wsgi_get(app, "/counter/", cookie)
            if not status.startswith("200"):
                failures.append(status)

    threads = [threading.Thread(target=visit) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert wsgi_get(app, "/counter/", cookie) == ("200 OK", b"151")


def test_a_logout_racing_with_other_requests_is_not_undone(client, app, make_account):
    make_account("alice")
    login(client, "alice")
    cookie = client.cookies["session_id"]
    app.root.counter = Counter()
    stop = threading.Event()

    def keep_visiting():
        while not stop.is_set():
            wsgi_get(app, "/counter/", cookie)

    threads = [threading.Thread(target=keep_visiting) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        page = client.get("/account/")
        client.post("/account/logout", {"csrf_token": page.html.find("input", attrs={"name": "csrf_token"})["value"]},
                    status=303)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    status, _ = wsgi_get(app, "/counter/", cookie)
    assert status.startswith("303")
    assert cherrypy.serving  # the serving state is per thread; nothing leaked between threads
