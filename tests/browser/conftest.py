"""End-to-end tests in Debian's Chromium through Playwright, against pytest-django's live server.

Run them alone with `pytest -m browser`, or leave them out with `pytest -m "not browser"`.
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

# Playwright's sync API runs an event loop in the test thread, so Django's ORM would refuse
# the factories and the teardown flush with SynchronousOnlyOperation. Tests only, never settings.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# FLYWHEEL_CHROMIUM points elsewhere, e.g. at a missing file to check the skip and the CI failure.
CHROMIUM = os.environ.get("FLYWHEEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
HERE = Path(__file__).parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    # This hook sees the whole session's items, not only this folder's; tryfirst so that
    # `-m browser` and `-m "not browser"` see the marker.
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).is_file():
        message = f"Chromium not found at {CHROMIUM}"
        # CI must run these tests: a missing browser there is a broken build, not a skip.
        if os.environ.get("CI"):
            pytest.fail(f"{message}: CI must install it (apt-get install -y chromium)", pytrace=False)
        pytest.skip(f"{message}: install it (apt-get install -y chromium) to run the browser tests")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def base_url(live_server):
    """Let `page.goto("/flywheels/")` and `expect(page).to_have_url(...)` take paths."""
    return live_server.url


class InFlight:
    """The live server's requests still being answered, by the thread answering each (Django's request_started
    and request_finished).

    The test client's requests (SERVER_NAME "testserver") are left out: one whose streamed content a test
    never reads is never finished, and counted it would make every later browser test wait its full 5 s.
    """

    def __init__(self):
        self.threads = set()
        self.lock = threading.Lock()

    def started(self, environ=None, **_) -> None:
        if environ is not None and environ.get("SERVER_NAME") == "testserver":
            return
        with self.lock:
            self.threads.add(threading.get_ident())

    def finished(self, **_) -> None:
        with self.lock:
            self.threads.discard(threading.get_ident())

    @property
    def count(self) -> int:
        return len(self.threads)


IN_FLIGHT = InFlight()
request_started.connect(IN_FLIGHT.started, dispatch_uid="browser-in-flight-started")
request_finished.connect(IN_FLIGHT.finished, dispatch_uid="browser-in-flight-finished")


@pytest.fixture(autouse=True)
def quiet_server_before_flush(request):
    """After a browser test, wait (up to 5 s) for the answers its pages were still getting, then empty the database.

    Open pages poll every 2 s; a poll still being answered when the test's database is flushed makes
    the flush fail ("database table is locked" on SQLite), and the next test then finds the last
    one's rows. Set up after the database fixture, so torn down before it (and after the pages).
    """
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    deadline = time.monotonic() + 5
    while IN_FLIGHT.count > 0 and time.monotonic() < deadline:
        time.sleep(0.05)
