"""Every response carries the security headers: every URL, every kind of visitor, every way of answering.

The headers come from middleware (SecurityMiddleware, XFrameOptionsMiddleware, CSPMiddleware),
so they reach only the responses made inside them: a middleware listed before them that answers
by itself (the guest scope's 410 page and redirects, CommonMiddleware's slash redirect, a bad
host's 400) would send its response without them. The URLs come from the resolver, as in
test_isolation.py, so a new route is covered as soon as it exists.
"""

from collections import Counter

import pytest
from django.test import Client
from django.urls import get_resolver, reverse

from audits.accounts.guests import GUEST_SESSION_KEY
from audits.live import room

from .test_isolation import POST_DATA, _resolve, make_tenant, walk

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
ROUTES = list(walk(get_resolver().url_patterns))


def missing_headers(response) -> list[str]:
    missing = [name for name, value in HEADERS.items() if response.headers.get(name) != value]
    if "frame-ancestors 'none'" not in response.headers.get("Content-Security-Policy", ""):
        missing.append("Content-Security-Policy")
    return missing


def assert_headers(response) -> None:
    assert missing_headers(response) == [], f"{response.request['PATH_INFO']} ({response.status_code})"


def request_every_url(client, tenant: dict, prepare) -> tuple[list[str], Counter]:
    """GET, then POST, every URL with the tenant's ids; return the responses without headers and the statuses."""
    failures, statuses = [], Counter()
    for method in ("get", "post"):
        for route, name, arguments in ROUTES:
            url = _resolve(route, name, {argument: tenant[argument][0] for argument in arguments})
            prepare()
            response = getattr(client, method)(url, POST_DATA)
            statuses[response.status_code] += 1
            if missing := missing_headers(response):
                failures.append(f"{method.upper()} {url} ({response.status_code}): no {', '.join(missing)}")
    return failures, statuses


def log_in_as_guest(client, user, audit) -> None:
    client.force_login(user)
    session = client.session
    session[GUEST_SESSION_KEY] = audit.pk
    session.save()


@pytest.fixture
def home(db):
    return make_tenant("home")


@pytest.fixture
def elsewhere(db):
    return make_tenant("elsewhere")


def test_every_url_sends_the_headers_to_anonymous_visitors(client, home):
    failures, statuses = request_every_url(client, home, lambda: None)
    assert not failures, "\n".join(failures)
    assert {200, 302, 401, 404, 405} <= set(statuses)


def test_every_url_sends_the_headers_to_a_member(client, home):
    def prepare():
        if "_auth_user_id" not in client.session:  # logging out is one of the URLs
            client.force_login(home["user"])

    failures, statuses = request_every_url(client, home, prepare)
    assert not failures, "\n".join(failures)
    assert {200, 302, 404, 405} <= set(statuses)


def test_every_url_sends_the_headers_to_a_guest_whose_link_was_closed(client, home):
    link = room.active_join_link(home["audit"])
    guest = room.join_as_guest(link, "Gita")
    room.revoke_join_link(link)

    failures, statuses = request_every_url(client, home, lambda: log_in_as_guest(client, guest, home["audit"]))
    assert not failures, "\n".join(failures)
    assert statuses[410] > 100  # the guest scope's "link closed" page, for nearly every URL


def test_every_url_sends_the_headers_to_a_guest_of_another_audit(client, home, elsewhere):
    guest = room.join_as_guest(room.active_join_link(elsewhere["audit"]), "Gus")

    failures, statuses = request_every_url(client, home, lambda: log_in_as_guest(client, guest, elsewhere["audit"]))
    assert not failures, "\n".join(failures)
    assert statuses[302] > 100  # sent to their own audit (test_isolation.py checks where)


def test_the_csrf_failure_page_has_the_headers(owner):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "olivia", "password": "x"})
    assert response.status_code == 403
    assert_headers(response)

    client.force_login(owner)
    response = client.post(reverse("audits:flywheel-create"), {"name": "Forged"})
    assert response.status_code == 403
    assert_headers(response)


def test_the_lockout_page_has_the_headers(client, owner):
    for _ in range(5):
        response = client.post(reverse("login"), {"username": "olivia", "password": "wrong"})
    assert response.status_code == 429
    assert_headers(response)


def test_unknown_urls_have_the_headers(client, home):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_headers(response)
    # CommonMiddleware answers a missing slash itself.
    response = client.get("/flywheels")
    assert response.status_code == 301
    assert_headers(response)

    client.force_login(home["user"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_headers(response)

    guest = room.join_as_guest(room.active_join_link(home["audit"]), "Gita")
    log_in_as_guest(client, guest, home["audit"])
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert_headers(response)


def test_a_bad_host_gets_the_headers(client, db):
    response = client.get("/", headers={"host": "evil.example"})
    assert response.status_code == 400
    assert_headers(response)


def test_a_closed_join_link_has_the_headers(client, home):
    link = room.active_join_link(home["audit"])
    room.revoke_join_link(link)
    for method in ("get", "post"):
        response = getattr(client, method)(reverse("audits:join", kwargs={"token": room.join_token(link)}))
        assert response.status_code in (405, 410)
        assert_headers(response)


def test_static_files_have_the_headers(settings, db):
    # WhiteNoise serves from the finders, as with DEBUG on; its middleware reads this when a new client starts.
    settings.WHITENOISE_USE_FINDERS = True
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/fonts.css")
    assert response.status_code == 200
    assert_headers(response)
