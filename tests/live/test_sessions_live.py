"""Sessions on real servers: they survive a restart and are shared by processes on one database."""

import re

from proto import accounts
from tests.conftest import PASSWORD
from tests.live.browser import Browser


def test_first_run_link_creates_the_admin_through_a_real_server(live_server):
    server = live_server()
    link = re.search(r"create the first admin at (\S+)", server.output).group(1)
    browser = Browser(server.url)
    path = link[len(server.url):]
    token = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(path).text).group(1)
    answer = browser.post("/setup", {"token": path.split("=", 1)[1], "username": "root",
                                     "password": PASSWORD, "csrf_token": token})
    assert answer.status == 303
    assert browser.get("/api/whoami").json() == {"username": "root", "admin": True, "auth": "session"}
    assert browser.get(path).status == 404


def test_a_session_survives_a_restart(live_server, app):
    accounts.create_account(app.services.db, "alice", PASSWORD)
    first = live_server()
    browser = Browser(first.url)
    assert browser.login("alice", PASSWORD).status == 303
    cookie = browser.session_cookie()
    assert first.stop() == 0
    second = live_server()
    answer = Browser(second.url).get("/api/whoami", headers={"Cookie": f"session_id={cookie}"})
    assert answer.status == 200
    assert answer.json()["username"] == "alice"
    assert PASSWORD not in first.output + second.output
    assert cookie not in first.output + second.output


def test_two_processes_share_sessions_and_logout(live_server, app):
    accounts.create_account(app.services.db, "alice", PASSWORD)
    one, two = live_server(), live_server()
    browser = Browser(one.url)
    assert browser.login("alice", PASSWORD).status == 303
    cookie = {"Cookie": f"session_id={browser.session_cookie()}"}
    other = Browser(two.url)
    assert other.get("/api/whoami", headers=cookie).json()["username"] == "alice"
    page = other.get("/account/", headers=cookie).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert other.post("/account/logout", {"csrf_token": token}, headers=cookie).status == 303
    assert browser.get("/api/whoami").status == 401
