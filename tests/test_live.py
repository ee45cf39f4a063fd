import re

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audits.content import editing
from audits.content.starting import start_audit
from audits.content.tables import TABLES
from audits.models import Audit, Membership
from audits.views import polling

from .counting import session_queries

Role = Membership.Role


def changes_url(audit, since=None) -> str:
    url = reverse("audits:audit-changes", kwargs={"audit_id": audit.pk})
    return url if since is None else f"{url}?since={since}"


def test_it_answers_204_without_a_body_while_nothing_changed(owner_client, audit):
    response = owner_client.get(changes_url(audit, since=0))
    assert response.status_code == 204
    assert response.content == b""


def test_it_answers_the_new_poller_and_what_changed(owner_client, audit, owner):
    start_audit(audit)
    audit.refresh_from_db()
    since = audit.content_version
    row = audit.strategies.order_by("pk").first()
    editing.save_cell(audit, TABLES["strategy"], row, "approach", "Blog posts", row.approach, owner)
    editing.save_cell(audit, TABLES["strategy"], row, "principle", "Give first", row.principle, owner)
    response = owner_client.get(changes_url(audit, since=since) + "&step=strategy")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert html.startswith('<div id="live-poll"')
    assert f"since={since + 2}&amp;step=strategy" in html.split(">")[0]
    assert re.search(rf'<tr id="strategy-row-{row.pk}"[^>]* hx-swap-oob="morph"', html)
    assert "Blog posts" in html and "Give first" in html
    assert owner_client.get(changes_url(audit, since=since + 2)).status_code == 204


def test_it_answers_a_newer_version_than_the_database_too(owner_client, audit):
    # Any difference is news: a page from before a restore or a reset is drawn afresh.
    html = owner_client.get(changes_url(audit, since=7)).content.decode()
    assert 'data-version="0"' in html.split(">")[0]
    assert 'id="workshop-main"' in html


def test_it_asks_not_to_be_cached(owner_client, audit):
    for since in (0, 1):
        response = owner_client.get(changes_url(audit, since=since))
        assert "no-store" in response["Cache-Control"]


def test_the_check_is_one_query(rf: RequestFactory, owner, audit, django_assert_num_queries):
    # The user comes with the session in a real request; what the check itself adds is one query.
    request = rf.get(changes_url(audit, since=0))
    request.user = owner
    with django_assert_num_queries(1):
        response = polling.changes(request, audit_id=audit.pk)
    assert response.status_code == 204


def test_a_request_costs_the_session_the_user_and_the_check(owner_client, audit, django_assert_num_queries):
    with django_assert_num_queries(session_queries() + 2):
        owner_client.get(changes_url(audit, since=0))


@pytest.mark.parametrize("since", [None, "", "abc", "1.5"])
def test_it_requires_an_integer_since(owner_client, audit, since):
    url = reverse("audits:audit-changes", kwargs={"audit_id": audit.pk})
    response = owner_client.get(url if since is None else f"{url}?since={since}")
    assert response.status_code == 400


def test_it_answers_a_viewer(client, member_factory, audit):
    client.force_login(member_factory(Role.VIEWER))
    assert client.get(changes_url(audit, since=0)).status_code == 204


def test_it_rejects_post(owner_client, audit):
    assert owner_client.post(changes_url(audit, since=0)).status_code == 405


def test_it_hides_another_organizations_audit(client, outsider, audit):
    client.force_login(outsider)
    assert client.get(changes_url(audit, since=0)).status_code == 404
    # Even without a valid `since`: the lookup comes first.
    assert client.get(changes_url(audit)).status_code == 404


def test_it_hides_a_trashed_audit(owner_client, audit):
    Audit.objects.filter(pk=audit.pk).update(deleted_at=timezone.now())
    assert owner_client.get(changes_url(audit, since=0)).status_code == 404


def test_it_sends_anonymous_visitors_to_log_in(client, audit):
    response = client.get(changes_url(audit, since=0))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_workshop_pages_carry_the_poller_at_their_version(owner_client, audit, owner):
    editing.bump_content_version(audit)
    pages = {
        "": audit.get_absolute_url(),
        "strategy": reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "strategy"}),
    }
    for step, url in pages.items():
        html = owner_client.get(url).content.decode()
        assert f'hx-get="{changes_url(audit)}?since=1&amp;step={step}"' in html
        assert html.count('id="live-poll"') == 1
