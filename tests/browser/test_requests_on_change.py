"""What an open workshop page asks the server for when someone else changes the audit, in Chromium.

The load test (bench/locustfile.py) simulates open pages; it can only measure the real thing if
its participants ask for what a real page asks for. Its requests_on_change() says what that is,
in one place; this test records the requests a real page makes while another browser changes a
cell, and fails if the two differ — so the load test and the page cannot drift apart again.
"""

import ast
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.starting import start_audit
from audits.models import Membership

from ..factories import AuditFactory, FlywheelFactory, FrictionPointFactory, MembershipFactory, UserFactory
from .test_workshop_keyboard import type_in_cell

LOCUSTFILE = Path(__file__).resolve().parents[2] / "bench" / "locustfile.py"
CHANGED = "Leads wait a week"
# After the change shows, one more poll interval (2 s) and some, for anything the page asks for afterwards.
AFTERWARDS_MS = 2500


def requests_on_change(audit_id: int) -> set[tuple[str, str, tuple[str, ...]]]:
    """The locustfile's requests_on_change(), read from its source: CI's browser job has no locust to import it with."""
    tree = ast.parse(LOCUSTFILE.read_text())
    function = next(
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "requests_on_change"
    )
    namespace: dict = {}
    exec(compile(ast.Module(body=[function], type_ignores=[]), str(LOCUSTFILE), "exec"), namespace)
    return {(method, path, tuple(sorted(keys))) for method, path, keys in namespace["requests_on_change"](audit_id)}


def logged_in_page(new_context, live_server, user) -> Page:
    """A browser context with the user's session, as after logging in (force_login: no password hashing)."""
    client = Client()
    client.force_login(user)
    context = new_context()
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context.new_page()


def test_an_open_page_asks_for_what_the_load_test_asks_for(new_context, live_server):
    olivia = MembershipFactory(user=UserFactory(username="olivia"))
    pablo = MembershipFactory(
        user=UserFactory(username="pablo"), organization=olivia.organization, role=Membership.Role.PARTICIPANT
    )
    audit = AuditFactory(flywheel=FlywheelFactory(organization=olivia.organization), title="Annual audit")
    start_audit(audit)
    FrictionPointFactory(audit=audit, source="Leads wait days")
    step_url = reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"})

    watcher = logged_in_page(new_context, live_server, pablo.user)
    watcher.goto(step_url)
    field = watcher.get_by_label("Source of friction, row 1", exact=True)
    expect(field).to_have_value("Leads wait days")
    editor = logged_in_page(new_context, live_server, olivia.user)
    editor.goto(step_url)

    recorded: list[tuple[str, str]] = []
    watcher.on(
        "request",
        lambda request: (
            recorded.append((request.method, request.url)) if request.resource_type in ("xhr", "fetch") else None
        ),
    )
    type_in_cell(editor, editor, "Source of friction, row 1", CHANGED)
    expect(field).to_have_value(CHANGED, timeout=3000)
    deadline = time.monotonic() + AFTERWARDS_MS / 1000
    while time.monotonic() < deadline:
        watcher.wait_for_timeout(100)

    seen = set()
    for method, url in recorded:
        parts = urlsplit(url)
        # Its heartbeat (every 15 s) is no request on a change; it may fall into the window.
        if method == "POST" and parts.path == reverse("audits:presence", kwargs={"audit_id": audit.pk}):
            continue
        seen.add((method, parts.path, tuple(sorted(parse_qs(parts.query, keep_blank_values=True)))))
    assert seen == requests_on_change(audit.pk)
