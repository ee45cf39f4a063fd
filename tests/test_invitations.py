import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.accounts.permissions import SESSION_KEY
from audits.models import Invitation, Membership, hash_token

from .factories import MembershipFactory, UserFactory

Role = Membership.Role


def invitation_url(token: str) -> str:
    return reverse("audits:invitation", kwargs={"token": token})


def create_url(organization) -> str:
    return reverse("audits:invitation-create", kwargs={"organization_id": organization.pk})


def revoke_url(invitation) -> str:
    return reverse(
        "audits:invitation-revoke",
        kwargs={"organization_id": invitation.organization_id, "invitation_id": invitation.pk},
    )


@pytest.fixture
def invitation_and_token(organization, owner):
    return Invitation.issue(organization, Role.PARTICIPANT, owner, note="For Priya")


@pytest.fixture
def newcomer(db):
    """A logged-in-able user who works in an organization of their own."""
    return MembershipFactory(user=UserFactory(username="nina"), role=Role.OWNER).user


def test_it_creates_an_invitation_link_shown_once(owner_client, organization, owner):
    response = owner_client.post(create_url(organization), {"role": "facilitator", "note": "For Priya"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:members", kwargs={"organization_id": organization.pk})
    html = response.content.decode()
    assert "Copy it now: it is shown only once." in html
    token = re.search(
        r'id="new-invitation-link" type="text" readonly value="http://testserver/invitations/([^/"]+)/"', html
    )
    assert token

    invitation = Invitation.objects.get()
    assert invitation.organization == organization
    assert invitation.role == Role.FACILITATOR
    assert invitation.note == "For Priya"
    assert invitation.created_by == owner
    assert invitation.token_hash == hash_token(token.group(1))

    again = owner_client.get(reverse("audits:members", kwargs={"organization_id": organization.pk}))
    assert token.group(1) not in again.content.decode()
    assert "For Priya" in again.content.decode()


def test_it_stores_only_the_hash_of_the_token(owner_client, organization):
    html = owner_client.post(create_url(organization), {"role": "viewer"}, follow=True).content.decode()
    token = re.search(r"/invitations/([^/\"]+)/", html).group(1)
    stored = [str(value) for value in Invitation.objects.values().get().values()]
    assert token not in stored
    assert hash_token(token) in stored


def test_it_refuses_an_invitation_without_a_valid_role(owner_client, organization):
    response = owner_client.post(create_url(organization), {"role": "emperor"}, follow=True)
    assert "Choose a role for the invitation." in response.content.decode()
    assert not Invitation.objects.exists()


def test_it_sets_the_expiry_from_the_settings(organization, owner, settings):
    settings.INVITATION_DAYS = 3
    invitation, _ = Invitation.issue(organization, Role.VIEWER, owner)
    assert timedelta(days=3) - timedelta(minutes=1) < invitation.expires_at - timezone.now() <= timedelta(days=3)


def test_it_shows_the_invitation_to_a_logged_in_non_member(client, newcomer, invitation_and_token):
    client.force_login(newcomer)
    response = client.get(invitation_url(invitation_and_token[1]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Acme" in html
    assert "<strong>Participant</strong>" in html
    # Looking is not accepting.
    assert not Membership.objects.filter(user=newcomer, organization__name="Acme").exists()


def test_it_accepts_for_a_logged_in_non_member(client, newcomer, organization, invitation_and_token):
    invitation, token = invitation_and_token
    own_organization = newcomer.memberships.get().organization
    client.force_login(newcomer)
    client.post(reverse("audits:organization-switch"), {"organization": own_organization.pk})
    assert client.session[SESSION_KEY] == own_organization.pk

    response = client.post(invitation_url(token), follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:flywheels")
    assert "You joined Acme as Participant." in response.content.decode()
    assert "Flywheels of Acme" in response.content.decode()
    assert Membership.objects.get(user=newcomer, organization=organization).role == Role.PARTICIPANT
    assert client.session[SESSION_KEY] == organization.pk
    invitation.refresh_from_db()
    assert invitation.accepted_by == newcomer
    assert invitation.status == "accepted"


def test_it_works_only_once(client, newcomer, organization, invitation_and_token):
    _, token = invitation_and_token
    client.force_login(newcomer)
    client.post(invitation_url(token))

    second = UserFactory(username="sid")
    client.force_login(second)
    for response in (client.get(invitation_url(token)), client.post(invitation_url(token))):
        assert response.status_code == 404
        assert "This invitation link does not work" in response.content.decode()
    assert not Membership.objects.filter(user=second).exists()


def test_it_refuses_an_expired_link(client, newcomer, invitation_and_token):
    invitation, token = invitation_and_token
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.force_login(newcomer)
    response = client.post(invitation_url(token))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer, organization=invitation.organization).exists()


def test_it_refuses_a_revoked_link(client, newcomer, invitation_and_token):
    invitation, token = invitation_and_token
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    client.force_login(newcomer)
    response = client.post(invitation_url(token))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()
    assert not Membership.objects.filter(user=newcomer, organization=invitation.organization).exists()


def test_it_refuses_an_unknown_token_anonymously(client, db):
    response = client.get(invitation_url("no-such-token"))
    assert response.status_code == 404
    assert "This invitation link does not work" in response.content.decode()


def test_it_revokes_an_invitation(owner_client, invitation_and_token):
    invitation, token = invitation_and_token
    response = owner_client.post(revoke_url(invitation), follow=True)
    assert "Invitation revoked: its link no longer works." in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invitation.status == "revoked"
    assert owner_client.get(invitation_url(token)).status_code == 404


def test_it_keeps_the_first_revocation_time(owner_client, invitation_and_token):
    invitation, _ = invitation_and_token
    revoked_at = timezone.now() - timedelta(hours=1)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=revoked_at)
    owner_client.post(revoke_url(invitation))
    invitation.refresh_from_db()
    assert invitation.revoked_at == revoked_at


def test_it_rejects_get_on_revoke(owner_client, invitation_and_token):
    invitation, _ = invitation_and_token
    assert owner_client.get(revoke_url(invitation)).status_code == 405
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_forbids_a_facilitator_to_create_invitations(client, member_factory, organization):
    client.force_login(member_factory(Role.FACILITATOR))
    response = client.post(create_url(organization), {"role": "owner"})
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_forbids_a_facilitator_to_revoke_invitations(client, member_factory, invitation_and_token):
    invitation, _ = invitation_and_token
    client.force_login(member_factory(Role.FACILITATOR))
    assert client.post(revoke_url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_it_hides_invitations_from_a_facilitator(client, member_factory, organization, invitation_and_token):
    client.force_login(member_factory(Role.FACILITATOR))
    html = client.get(reverse("audits:members", kwargs={"organization_id": organization.pk})).content.decode()
    assert "For Priya" not in html
    assert create_url(organization) not in html


def test_it_tells_an_existing_member_and_changes_nothing(client, member_factory, invitation_and_token):
    invitation, token = invitation_and_token
    viewer = member_factory(Role.VIEWER)
    client.force_login(viewer)
    page = client.get(invitation_url(token)).content.decode()
    assert "You are already a member of Acme (Viewer)." in page

    response = client.post(invitation_url(token))
    assert response.status_code == 200
    assert "You are already a member of Acme (Viewer)." in response.content.decode()
    assert Membership.objects.get(user=viewer).role == Role.VIEWER
    invitation.refresh_from_db()
    assert invitation.status == "open"


def test_it_keeps_only_the_token_hash_in_an_anonymous_session(client, organization, owner):
    invitation, token = Invitation.issue(organization, Membership.Role.PARTICIPANT, owner)
    client.get(reverse("audits:invitation", kwargs={"token": token}))
    session_values = [str(value) for value in client.session.values()]
    assert token not in session_values
    assert invitation.token_hash in session_values
