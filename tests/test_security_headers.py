import re

import pytest
from django.test import Client
from django.urls import reverse

from audits.models import Flywheel

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)


def csp_directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    parts = (part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    return {part[0]: part[1] if len(part) > 1 else "" for part in parts}


@pytest.fixture
def page(owner_client, audit):
    return owner_client.get(audit.get_absolute_url())


def test_it_sends_a_strict_content_security_policy(page):
    assert page.status_code == 200
    directives = csp_directives(page)
    assert directives["object-src"] == "'none'"
    assert directives["base-uri"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "'self'" in directives["script-src"]
    assert "'unsafe-inline'" not in directives["script-src"]
    assert "'unsafe-eval'" not in directives["script-src"]


def test_it_sends_the_other_security_headers(page):
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_it_sends_the_headers_to_anonymous_visitors(client, db):
    response = client.get(reverse("login"))
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_it_enforces_csrf(owner, db):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(reverse("audits:flywheel-create"), {"name": "Forged"})
    assert response.status_code == 403
    assert not Flywheel.objects.exists()

    # With the token from the form the same request goes through.
    client.get(reverse("audits:flywheel-create"))
    token = client.cookies["csrftoken"].value
    response = client.post(reverse("audits:flywheel-create"), {"name": "Genuine", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert Flywheel.objects.get().name == "Genuine"


def test_it_shows_unknown_urls_in_the_sites_layout(owner_client):
    response = owner_client.get("/no/such/page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert '<header class="site-header">' in html
    assert "Flywheel Audit</a>" in html


def test_it_shows_unknown_urls_to_anonymous_visitors_in_the_layout(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert '<header class="site-header">' in response.content.decode()


def test_it_has_no_inline_scripts(owner_client, organization, flywheel, audit):
    urls = [
        reverse("audits:flywheels"),
        flywheel.get_absolute_url(),
        audit.get_absolute_url(),
        reverse("audits:audit-edit", kwargs={"audit_id": audit.pk}),
        reverse("audits:members", kwargs={"organization_id": organization.pk}),
        reverse("audits:trash"),
        reverse("password_change"),
        "/no/such/page/",
    ]
    pages = [owner_client.get(url) for url in urls]
    owner_client.post(reverse("logout"))
    pages += [owner_client.get(reverse("login")), owner_client.get(reverse("audits:signup"))]
    # The patterns do catch what they look for.
    assert INLINE_SCRIPT.findall('<script>alert(1)</script><script src="/x.js"></script>') == ["<script>"]
    assert EVENT_HANDLER.findall('<button onclick="go()">') == ["<button onclick="]
    for response in pages:
        html = response.content.decode()
        assert "<script" in html  # the page has its scripts, all from files
        assert INLINE_SCRIPT.findall(html) == [], response.request["PATH_INFO"]
        assert EVENT_HANDLER.findall(html) == [], response.request["PATH_INFO"]
