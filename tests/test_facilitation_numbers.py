"""The facilitator's numbers (votes, join-link hours, timer minutes): anything odd is refused, never a 500."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from audits.live import room
from audits.models import JoinLink, Membership, Workshop

Role = Membership.Role
HTMX = {"HX-Request": "true"}
VOTES_MESSAGE = "Give the number of votes as a whole number between 1 and 50."
HOURS_MESSAGE = "Choose how long the link stays open: 2, 4, 8 or 24 hours."
MINUTES_MESSAGE = "Give the timer in minutes, as a number above 0 and at most 1440 (24 hours)."

ODD = [
    ("voting-open", "votes", "nan", VOTES_MESSAGE),
    ("voting-open", "votes", "inf", VOTES_MESSAGE),
    ("voting-open", "votes", "1e400", VOTES_MESSAGE),
    ("voting-open", "votes", "-inf", VOTES_MESSAGE),
    ("voting-open", "votes", "2.5", VOTES_MESSAGE),
    ("voting-open", "votes", "51", VOTES_MESSAGE),
    ("voting-open", "votes", "9" * 400, VOTES_MESSAGE),
    ("voting-open", "votes", "", VOTES_MESSAGE),
    ("link-open", "hours", "nan", HOURS_MESSAGE),
    ("link-open", "hours", "inf", HOURS_MESSAGE),
    ("link-open", "hours", "1e400", HOURS_MESSAGE),
    ("link-open", "hours", "3", HOURS_MESSAGE),
    ("link-open", "hours", "-4", HOURS_MESSAGE),
    ("timer-start", "minutes", "nan", MINUTES_MESSAGE),
    ("timer-start", "minutes", "inf", MINUTES_MESSAGE),
    ("timer-start", "minutes", "1e400", MINUTES_MESSAGE),
    ("timer-start", "minutes", "-0", MINUTES_MESSAGE),
    ("timer-start", "minutes", "1441", MINUTES_MESSAGE),
]


@pytest.fixture
def facilitator_client(client, member_factory):
    client.force_login(member_factory(Role.FACILITATOR, username="fiona"))
    return client


def facilitate(client, audit, action, htmx=True, **data):
    url = reverse("audits:facilitate", kwargs={"audit_id": audit.pk})
    return client.post(url, {"action": action, **data}, headers=HTMX if htmx else {})


def assert_nothing_changed(audit, version):
    audit.refresh_from_db()
    assert audit.content_version == version
    assert not Workshop.objects.filter(audit=audit).exists()
    assert not JoinLink.objects.filter(audit=audit).exists()


@pytest.mark.parametrize(("action", "field", "value", "message"), ODD)
def test_it_refuses_an_odd_number_with_a_422_for_htmx(facilitator_client, audit, action, field, value, message):
    version = audit.content_version
    response = facilitate(facilitator_client, audit, action, **{field: value})
    assert response.status_code == 422
    assert message in response.content.decode()
    assert_nothing_changed(audit, version)


@pytest.mark.parametrize(("action", "field", "value", "message"), ODD)
def test_it_refuses_an_odd_number_with_a_message_for_a_plain_post(
    facilitator_client, audit, action, field, value, message
):
    version = audit.content_version
    response = facilitate(facilitator_client, audit, action, htmx=False, **{field: value})
    assert response.status_code == 302
    assert [str(note) for note in get_messages(response.wsgi_request)] == [message]
    assert_nothing_changed(audit, version)


@pytest.mark.parametrize(("votes", "expected"), [("7", 7), (" 7 ", 7), ("50", 50), ("１２", 12), ("۱۲", 12)])
def test_it_takes_votes_as_a_whole_number_in_any_digits(facilitator_client, audit, votes, expected):
    assert facilitate(facilitator_client, audit, "voting-open", votes=votes).status_code == 200
    workshop = Workshop.objects.get(audit=audit)
    assert workshop.voting_open
    assert workshop.votes_per_person == expected


def test_it_gives_three_votes_when_the_field_is_left_out(facilitator_client, audit):
    assert facilitate(facilitator_client, audit, "voting-open").status_code == 200
    assert Workshop.objects.get(audit=audit).votes_per_person == 3


@pytest.mark.parametrize(("hours", "expected"), [("8", 8), (None, 4)])
def test_it_opens_a_join_link_for_the_hours_chosen(facilitator_client, audit, hours, expected):
    data = {} if hours is None else {"hours": hours}
    assert facilitate(facilitator_client, audit, "link-open", **data).status_code == 200
    link = JoinLink.objects.get(audit=audit)
    assert round((link.expires_at - link.created).total_seconds() / 3600) == expected


@pytest.mark.parametrize(("minutes", "seconds"), [("1,5", 90), ("0.5", 30), ("1440", 24 * 3600)])
def test_it_takes_minutes_with_a_decimal_comma_or_point(facilitator_client, audit, minutes, seconds):
    assert facilitate(facilitator_client, audit, "timer-start", minutes=minutes).status_code == 200
    left = room.timer_of(Workshop.objects.get(audit=audit)).seconds_left()
    assert seconds - 2 <= left <= seconds
