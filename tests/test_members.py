import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from audits.models import Membership

Role = Membership.Role


def members_url(organization) -> str:
    return reverse("audits:members", kwargs={"organization_id": organization.pk})


def role_url(membership) -> str:
    return reverse(
        "audits:member-role", kwargs={"organization_id": membership.organization_id, "membership_id": membership.pk}
    )


def remove_url(membership) -> str:
    return reverse(
        "audits:member-remove", kwargs={"organization_id": membership.organization_id, "membership_id": membership.pk}
    )


@pytest.fixture
def participant(member_factory):
    return member_factory(Role.PARTICIPANT, username="pat")


def membership_of(user) -> Membership:
    return Membership.objects.get(user=user)


def test_it_lists_the_members_with_role_forms_for_an_owner(owner_client, organization, participant):
    html = owner_client.get(members_url(organization)).content.decode()
    assert "olivia (you)" in html
    assert "pat" in html
    assert role_url(membership_of(participant)) in html
    assert remove_url(membership_of(participant)) in html
    assert "Create invitation link" in html


def test_it_changes_a_role(owner_client, participant):
    membership = membership_of(participant)
    response = owner_client.post(role_url(membership), {"role": "facilitator"}, follow=True)
    assert "pat is now Facilitator." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.FACILITATOR


def test_it_refuses_an_unknown_role(owner_client, participant):
    membership = membership_of(participant)
    response = owner_client.post(role_url(membership), {"role": "emperor"}, follow=True)
    assert "Choose one of the roles." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.PARTICIPANT


def test_it_keeps_the_last_owner(owner_client, owner, participant):
    membership = membership_of(owner)
    response = owner_client.post(role_url(membership), {"role": "viewer"}, follow=True)
    assert "An organization needs at least one owner." in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_it_lets_one_of_two_owners_step_down(owner_client, owner, member_factory):
    member_factory(Role.OWNER)
    membership = membership_of(owner)
    owner_client.post(role_url(membership), {"role": "facilitator"})
    membership.refresh_from_db()
    assert membership.role == Role.FACILITATOR


def test_it_refuses_to_remove_the_last_owner(owner_client, owner):
    membership = membership_of(owner)
    response = owner_client.post(remove_url(membership), follow=True)
    assert "An organization needs at least one owner." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_removes_a_member(owner_client, participant):
    membership = membership_of(participant)
    response = owner_client.post(remove_url(membership), follow=True)
    assert "pat was removed from Acme." in response.content.decode()
    assert not Membership.objects.filter(pk=membership.pk).exists()
    # The account itself stays.
    assert get_user_model().objects.filter(pk=participant.pk).exists()


def test_it_shows_a_participant_the_list_read_only(client, organization, participant, owner):
    client.force_login(participant)
    response = client.get(members_url(organization))
    assert response.status_code == 200
    html = response.content.decode()
    assert "olivia" in html
    assert "pat (you)" in html
    assert "<td>Owner</td>" in html
    assert "<td>Participant</td>" in html
    assert 'name="role"' not in html
    assert role_url(membership_of(owner)) not in html
    assert remove_url(membership_of(owner)) not in html
    assert "Create invitation link" not in html


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT, Role.VIEWER])
def test_it_forbids_a_non_owner_to_change_roles(client, member_factory, owner, role):
    client.force_login(member_factory(role))
    membership = membership_of(owner)
    assert client.post(role_url(membership), {"role": "viewer"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


@pytest.mark.parametrize("role", [Role.FACILITATOR, Role.PARTICIPANT, Role.VIEWER])
def test_it_forbids_a_non_owner_to_remove_members(client, member_factory, participant, role):
    client.force_login(member_factory(role))
    membership = membership_of(participant)
    assert client.post(remove_url(membership)).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_it_rejects_get_on_role_and_remove(owner_client, participant):
    membership = membership_of(participant)
    assert owner_client.get(role_url(membership)).status_code == 405
    assert owner_client.get(remove_url(membership)).status_code == 405
    assert Membership.objects.filter(pk=membership.pk, role=Role.PARTICIPANT).exists()


def test_it_returns_404_for_a_membership_of_another_organization(owner_client, organization, outsider):
    membership = membership_of(outsider)
    url = reverse("audits:member-remove", kwargs={"organization_id": organization.pk, "membership_id": membership.pk})
    assert owner_client.post(url).status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()
