"""Real-browser fixtures: Debian's Chromium driven by Playwright, against run.py on a free port.

Playwright's own browser download is never used (it needs the internet): the
browser is the system's ``chromium``. Every wait has a timeout, and each test
saves screenshots under ``test-artifacts/screenshots/``, which the run reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from proto.settings import PROJECT_ROOT
from tests.conftest import LiveServer, require_program

SCREENSHOTS = PROJECT_ROOT / "test-artifacts" / "screenshots"
# Generous: the machine may be shared with other test suites.
TIMEOUT_MS = 30_000
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
SETUP_LINE = re.compile(r"No account yet: create the first admin at (\S+/setup\?token=\S+)")
ADMIN, ADMIN_PASSWORD = "ada", "a long admin password"

_saved: list[Path] = []


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """Start one headless system Chromium for the whole run; stop it at the end."""
    executable = require_program("chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS,
                                             timeout=60_000)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def new_page(chromium) -> Iterator[Callable]:
    """Return a function that opens a page in a fresh browser context (its own cookies); closed after the test."""
    contexts = []

    def open_page():
        context = chromium.new_context(accept_downloads=True, viewport={"width": 1200, "height": 800})
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    """Return a page in a fresh browser context."""
    return new_page()


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable:
    """Return ``screenshot(page, step)``: save the whole page as test-artifacts/screenshots/<test>-<step>.png."""
    test = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name.removeprefix("test_")).strip("-")

    def save(page, step: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{test}-{step}.png"
        page.screenshot(path=str(path), full_page=True, timeout=TIMEOUT_MS)
        _saved.append(path)
        return path

    return save


@pytest.fixture
def server(live_server) -> LiveServer:
    """Start run.py with the test config on a free port, with no account yet."""
    return live_server()


def setup_link(server: LiveServer) -> str:
    """Return the one-time first-run link run.py printed."""
    match = SETUP_LINE.search(server.output)
    assert match, f"no first-run link in the output:\n{server.output}"
    return match.group(1)


@pytest.fixture
def admin_page(server, page, screenshot):
    """Return a page logged in as the first admin, made through the first-run link the server printed."""
    page.goto(setup_link(server))
    screenshot(page, "0-setup")
    page.get_by_label("Username").fill(ADMIN)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Create admin account").click()
    page.get_by_role("heading", level=1, name="Admin").wait_for()
    return page


def pytest_terminal_summary(terminalreporter) -> None:
    """Tell where this run's screenshots are, so a person can look at the pages."""
    if _saved:
        terminalreporter.write_sep("-", "browser screenshots")
        terminalreporter.write_line(f"{len(_saved)} screenshots in {SCREENSHOTS}")
