"""The presenter view: the step it opens at and follows, the QR code on its next poll, and the join
link's expiry as a time of day."""

import re
from datetime import UTC, datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from audits.live import room
from audits.models import Membership, Workshop
from audits.templatetags.local_time import local_time

from .factories import FrictionPointFactory

Role = Membership.Role
QR_CODE = 'alt="QR code to join the workshop"'


def present_url(audit) -> str:
    return reverse("audits:present", kwargs={"audit_id": audit.pk})


def heading(html: str) -> str:
    return re.search(r"<h1>(.*?)</h1>", html, re.S).group(1).strip()


def presenter_poll(client, audit, since: int, **shown_and_seen) -> str:
    url = reverse("audits:audit-changes", kwargs={"audit_id": audit.pk})
    response = client.get(url, {"since": since, "step": "present", **shown_and_seen})
    assert response.status_code == 200
    return response.content.decode()


def version(audit) -> int:
    audit.refresh_from_db()
    return audit.content_version


@pytest.fixture
def facilitator_client(client, member_factory):
    client.force_login(member_factory(Role.FACILITATOR, username="fiona"))
    return client


@pytest.mark.parametrize(
    ("current", "shown", "seen", "expected"),
    [
        ("", None, None, "strategy"),  # opened from the overview, no session yet: the first step
        ("forces", None, None, "forces"),  # opened from the overview: the facilitator's step
        ("forces", "goals", None, "goals"),  # opened from a step page: that step
        ("forces", "no-such-step", None, "forces"),
        ("forces", "goals", "forces", "goals"),  # the facilitator has not moved since: it stays
        ("identify", "goals", "forces", "identify"),  # the facilitator moved: it follows
        ("identify", "goals", "", "identify"),  # the facilitator began leading
    ],
)
def test_the_presenter_shows_its_step_until_the_facilitator_moves(current, shown, seen, expected):
    assert room.presenter_step(Workshop(current_step=current), shown, seen) == expected


def test_without_a_workshop_the_presenter_opens_at_the_first_step():
    assert room.presenter_step(None, None) == "strategy"


def test_it_opens_at_the_step_of_its_link_else_the_facilitators(facilitator_client, audit):
    assert heading(facilitator_client.get(present_url(audit)).content.decode()) == "Map your go-to-market strategy"
    room.lead_to(audit, "identify")
    assert heading(facilitator_client.get(present_url(audit)).content.decode()) == "Identify the friction"
    opened_from_goals = facilitator_client.get(present_url(audit), {"step": "goals"}).content.decode()
    assert heading(opened_from_goals) == "Realign goals to bridge teams"
    # What its poll sends back: the step it shows, the facilitator's step it saw.
    assert '<input type="hidden" name="shown" value="goals">' in opened_from_goals
    assert '<input type="hidden" name="seen" value="identify">' in opened_from_goals


def test_each_page_links_to_the_presenter_at_its_step(facilitator_client, audit):
    step_page = facilitator_client.get(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "automate"}))
    assert f'href="{present_url(audit)}?step=automate"' in step_page.content.decode()
    overview = facilitator_client.get(audit.get_absolute_url())
    assert f'href="{present_url(audit)}"' in overview.content.decode()


def test_the_presenters_poll_brings_the_qr_code_and_follows_the_facilitator(facilitator_client, audit, owner):
    FrictionPointFactory(audit=audit, source="Leads wait for days")
    room.lead_to(audit, "forces")
    since = version(audit)
    link = room.open_join_link(audit, owner, hours=4)
    assert version(audit) > since  # open pages learn of the link on their next poll

    html = presenter_poll(facilitator_client, audit, since, shown="identify", seen="forces")
    assert heading(html) == "Identify the friction"  # the facilitator has not moved: the step it shows
    assert QR_CODE in html and room.join_token(link) in html

    since = version(audit)
    room.lead_to(audit, "goals")
    html = presenter_poll(facilitator_client, audit, since, shown="identify", seen="forces")
    assert heading(html) == "Realign goals to bridge teams"
    assert '<input type="hidden" name="seen" value="goals">' in html

    since = version(audit)
    room.revoke_join_link(link)
    assert QR_CODE not in presenter_poll(facilitator_client, audit, since, shown="goals", seen="goals")


def test_the_presenters_own_buttons_come_back_to_it_at_the_new_step(facilitator_client, audit):
    url = reverse("audits:facilitate", kwargs={"audit_id": audit.pk})
    data = {"action": "lead", "step": "goals", "from": "presenter"}
    response = facilitator_client.post(
        url, data, headers={"Referer": f"http://testserver{present_url(audit)}?step=forces"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{present_url(audit)}?step=goals"
    assert Workshop.objects.get(audit=audit).current_step == "goals"


FRIDAY_EVENING = datetime(2026, 5, 1, 22, 1, tzinfo=UTC)
FRIDAY_AFTERNOON = datetime(2026, 5, 1, 14, 0, tzinfo=UTC)
SATURDAY_NIGHT = datetime(2026, 5, 2, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "today", "tomorrow"),
    [
        ("en", "10:01 p.m. UTC", "Sat 3 a.m. UTC"),
        ("vi", "22:01 UTC", "Thứ 7 03:00 UTC"),
        ("fa", "22:01 UTC", "شنبه 3:00 UTC"),
    ],
)
def test_the_expiry_reads_as_a_time_of_day_and_the_weekday_when_not_today(language, today, tomorrow):
    with translation.override(language):
        assert local_time(FRIDAY_EVENING, now=FRIDAY_AFTERNOON) == (
            f'<time datetime="2026-05-01T22:01:00+00:00" data-local-time>{today}</time>'
        )
        assert f">{tomorrow}</time>" in local_time(SATURDAY_NIGHT, now=FRIDAY_AFTERNOON)


@override_settings(TIME_ZONE="Asia/Ho_Chi_Minh")
def test_the_expiry_is_written_in_the_servers_time_zone_until_the_browser_rewrites_it():
    assert local_time(FRIDAY_EVENING, now=FRIDAY_AFTERNOON) == (
        '<time datetime="2026-05-02T05:01:00+07:00" data-local-time>Sat 5:01 a.m. +07</time>'
    )


def test_the_bar_shows_the_links_expiry_and_a_copy_button(facilitator_client, audit, owner):
    room.open_join_link(audit, owner, hours=4)
    html = facilitator_client.get(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "strategy"})).content
    html = html.decode()
    assert re.search(r"Open until <time datetime=\"[^\"]+\" data-local-time>[^<]+ UTC</time>\.", html)
    assert 'data-copy="join-url"' in html and '<span class="copy-status" role="status"></span>' in html


def test_the_join_page_says_until_when_as_a_time_of_day(client, audit, owner):
    link = room.open_join_link(audit, owner, hours=4)
    html = client.get(reverse("audits:join", kwargs={"token": room.join_token(link)})).content.decode()
    assert re.search(r"This link works until <time datetime=\"[^\"]+\" data-local-time>[^<]+ UTC</time>\.", html)
