"""Joining a workshop is the join page's POST: opening the link (a GET) changes nothing."""

import pytest
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.test import Client
from django.urls import reverse

from audits.accounts.guests import GUEST_SESSION_KEY
from audits.live import room
from audits.models import Guest, Membership

from .factories import AuditFactory, FlywheelFactory, MembershipFactory, UserFactory


def join_url(link) -> str:
    return reverse("audits:join", kwargs={"token": room.join_token(link)})


@pytest.fixture
def facilitator(member_factory):
    return member_factory(Membership.Role.FACILITATOR, username="fiona")


@pytest.fixture
def link(audit, facilitator):
    return room.open_join_link(audit, facilitator, hours=4)


@pytest.fixture
def stranger_client(client, db):
    """A logged-in person of another organization."""
    client.force_login(UserFactory(username="sam", first_name="Sam", last_name="Lee"))
    return client


def test_it_moves_no_guest_pass_on_get(stranger_client, link, audit, facilitator):
    assert stranger_client.post(join_url(link)).status_code == 302
    new_link = room.open_join_link(audit, facilitator, hours=4)  # closes the first link
    response = stranger_client.get(join_url(new_link))
    assert response.status_code == 200
    html = response.content.decode()
    assert "You join as <strong>Sam Lee</strong>." in html
    assert "Join the workshop</button>" in html
    assert Guest.objects.get().join_link == link


def test_it_moves_the_guest_pass_on_post(stranger_client, link, audit, facilitator):
    stranger_client.post(join_url(link))
    new_link = room.open_join_link(audit, facilitator, hours=4)
    response = stranger_client.post(join_url(new_link))
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    assert Guest.objects.get().join_link == new_link


def test_it_lets_a_pass_on_this_very_link_straight_in(stranger_client, link, audit):
    stranger_client.post(join_url(link))
    response = stranger_client.get(join_url(link))
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()


def test_it_shows_a_signed_in_outsider_a_join_button_and_makes_no_pass_on_get(stranger_client, link):
    response = stranger_client.get(join_url(link))
    assert response.status_code == 200
    assert 'name="name"' not in response.content.decode()
    assert not Guest.objects.exists()


def test_it_redirects_a_member_on_get_and_changes_nothing(owner_client, link, audit):
    response = owner_client.get(join_url(link))
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    assert not Guest.objects.exists()


def test_it_shows_an_anonymous_visitor_the_name_form_and_makes_no_guest_on_get(client, link):
    response = client.get(join_url(link))
    assert response.status_code == 200
    assert 'name="name"' in response.content.decode()
    assert not Guest.objects.exists()
    assert USER_SESSION_KEY not in client.session


def test_it_keeps_a_guest_of_another_workshop_signed_in_on_get(link, audit):
    other_audit = AuditFactory(flywheel=FlywheelFactory(organization=MembershipFactory().organization))
    other_link = room.open_join_link(other_audit, None, hours=4)
    client = Client()
    client.post(join_url(other_link), {"name": "Gita"})
    guest_user = Guest.objects.get(audit=other_audit).user

    page = client.get(join_url(link))
    assert page.status_code == 200
    assert 'name="name"' in page.content.decode()  # they join here afresh, by name
    assert client.session[USER_SESSION_KEY] == str(guest_user.pk)
    assert client.session[GUEST_SESSION_KEY] == other_audit.pk

    assert client.post(join_url(link), {"name": "Gita"}).status_code == 302
    new_guest = Guest.objects.get(audit=audit)
    assert new_guest.user != guest_user
    assert client.session[USER_SESSION_KEY] == str(new_guest.user.pk)
    assert client.session[GUEST_SESSION_KEY] == audit.pk


def test_it_rejects_other_methods(client, link):
    assert client.put(join_url(link)).status_code == 405
