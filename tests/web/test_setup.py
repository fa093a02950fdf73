"""First run: the printed one-time link creates the first admin, then /setup is gone for good."""

import pytest
from webtest import TestApp

from proto import accounts
from proto.startup import first_run_path
from tests.conftest import csrf_from


@pytest.fixture
def setup_path(app):
    path = first_run_path(app)
    assert path.startswith("/setup?token=")
    return path


def test_setup_creates_the_first_admin_once(client, app, setup_path, settings):
    page = client.get(setup_path)
    assert page.html.find("h1").text == "Create the first admin account"
    form = page.forms[0]
    form["username"], form["password"] = "root", "a long enough password"
    answer = form.submit(status=303)
    assert answer.headers["Location"].endswith("/admin/")
    welcome = answer.follow()
    assert "Welcome, root: your admin account is ready." in welcome.text
    assert client.get("/api/whoami").json == {"username": "root", "admin": True, "auth": "session"}
    assert not (settings.data_dir / "setup-token").exists()
    TestApp(app).get(setup_path, status=404)
    client.get("/setup", status=404)
    assert first_run_path(app) is None


@pytest.mark.parametrize("query", ["", "?token=", "?token=guess"])
def test_setup_without_the_printed_token_is_403(client, setup_path, query):
    answer = client.get("/setup" + query, status=403)
    assert "This setup link is not valid" in answer.text


def test_setup_refuses_a_weak_password_and_keeps_the_link(client, app, setup_path):
    page = client.get(setup_path)
    token = page.forms[0]["token"].value
    answer = client.post("/setup", {"token": token, "username": "root", "password": "short",
                                    "csrf_token": csrf_from(page)}, status=400)
    assert "at least 8 characters" in answer.text
    assert accounts.count_accounts(app.services.db) == 0
    assert client.get(setup_path).status_int == 200


def test_the_token_is_the_same_for_every_process(app, setup_path):
    assert first_run_path(app) == setup_path


def test_no_setup_link_once_an_account_exists(app, make_account):
    make_account("someone")
    assert first_run_path(app) is None
