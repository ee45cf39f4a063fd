import re

import pytest
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from audits.accounts.permissions import SESSION_KEY
from audits.models import Invitation, Membership, Organization

from .factories import PASSWORD, UserFactory

User = get_user_model()
URL = reverse("audits:signup")


@pytest.fixture
def data():
    return {
        "username": "sam",
        "email": "sam@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "organization_name": "Sam's Bakery",
    }


def confirmation_link(message) -> str:
    """Return the path of the confirmation link in a sign-up e-mail."""
    return re.search(r"https?://[^/\s]+(/accounts/signup/confirm/\?token=\S+)", message.body).group(1)


def sign_up(client, data, **options):
    """Sign up and open the link of the confirmation e-mail, as the new user does."""
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    return client.get(confirmation_link(mail.outbox[-1]), **options)


def assert_nothing_created() -> None:
    assert not User.objects.exists()
    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


def test_it_shows_the_form(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="organization_name"' in html


def test_it_creates_user_organization_and_owner_membership(client, db, data):
    response = sign_up(client, data)
    assert response.status_code == 302
    user = User.objects.get(username="sam")
    assert user.is_active
    assert user.email == "sam@example.com"
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.organization.name == "Sam's Bakery"
    assert membership.role == Membership.Role.OWNER
    assert client.session[USER_SESSION_KEY] == str(user.pk)
    assert client.session[SESSION_KEY] == membership.organization_id


def test_it_lands_on_the_flywheels_page(client, db, data):
    response = sign_up(client, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:flywheels")
    html = response.content.decode()
    assert "Flywheels of Sam&#x27;s Bakery" in html
    assert "Welcome to Flywheel Audit. You are in Sam&#x27;s Bakery." in html


def test_it_tidies_the_organization_name(client, db, data):
    data["organization_name"] = "  Sam's Bakery  "
    sign_up(client, data)
    assert Organization.objects.get().name == "Sam's Bakery"


def test_it_refuses_a_duplicate_username(client, db, data, field_errors):
    UserFactory(username="sam", email="other@example.com")
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field_errors(response, "username") == ["A user with that username already exists."]
    assert User.objects.count() == 1
    assert not Organization.objects.exists()


def test_it_makes_no_second_account_for_a_known_email_whatever_its_case(client, db, data, field_errors):
    UserFactory(username="samuel", email="sam@example.com")
    data["email"] = "SAM@Example.com"
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field_errors(response, "email") == []
    assert User.objects.count() == 1
    assert not Organization.objects.exists()


def test_it_refuses_mismatched_passwords(client, db, data, field_errors):
    data["password2"] = PASSWORD + "x"
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field_errors(response, "password2") == ["The two password fields didn’t match."]
    assert field_errors(response, "username") == []
    assert_nothing_created()


def test_it_refuses_a_blank_organization_name(client, db, data, field_errors):
    data["organization_name"] = "   "
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field_errors(response, "organization_name") == ["This field is required."]
    assert_nothing_created()


def test_it_refuses_an_over_long_organization_name(client, db, data, field_errors):
    data["organization_name"] = "x" * 121
    response = client.post(URL, data)
    assert response.status_code == 200
    assert field_errors(response, "organization_name") == ["Ensure this value has at most 120 characters (it has 121)."]
    assert_nothing_created()


def test_it_accepts_an_organization_name_of_120_characters(client, db, data):
    data["organization_name"] = "x" * 120
    assert sign_up(client, data).status_code == 302
    assert Organization.objects.get().name == "x" * 120


def test_it_ignores_extra_fields_like_role_and_organization(client, organization, data):
    data |= {"role": "viewer", "organization": organization.pk, "is_staff": "on", "is_superuser": "on"}
    sign_up(client, data)
    user = User.objects.get(username="sam")
    assert not user.is_staff
    assert not user.is_superuser
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert membership.organization != organization
    assert not organization.memberships.filter(user=user).exists()


def test_it_joins_the_organization_of_a_pending_invitation(client, organization, owner, data):
    invitation, token = Invitation.issue(organization, Membership.Role.FACILITATOR, owner)
    invitation_page = client.get(reverse("audits:invitation", kwargs={"token": token}))
    assert invitation_page.status_code == 200
    signup_page = client.get(URL).content.decode()
    assert "You are joining <strong>Acme</strong> as Facilitator." in signup_page
    assert 'name="organization_name"' not in signup_page

    del data["organization_name"]
    response = sign_up(client, data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:flywheels")
    user = User.objects.get(username="sam")
    membership = Membership.objects.get(user=user)
    assert membership.organization == organization
    assert membership.role == Membership.Role.FACILITATOR
    assert Organization.objects.count() == 1
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert invitation.accepted_at is not None
    assert client.session[SESSION_KEY] == organization.pk
    assert "pending_invitation" not in client.session


def test_it_ignores_an_organization_name_posted_with_an_invitation(client, organization, owner, data):
    _, token = Invitation.issue(organization, Membership.Role.VIEWER, owner)
    client.get(reverse("audits:invitation", kwargs={"token": token}))
    sign_up(client, data)
    assert Organization.objects.count() == 1
    assert Membership.objects.get(user__username="sam").role == Membership.Role.VIEWER


def test_it_creates_an_organization_when_the_pending_invitation_was_revoked(client, organization, owner, data):
    invitation, token = Invitation.issue(organization, Membership.Role.VIEWER, owner)
    client.get(reverse("audits:invitation", kwargs={"token": token}))
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=invitation.created)
    sign_up(client, data)
    membership = Membership.objects.get(user__username="sam")
    assert membership.organization.name == "Sam's Bakery"
    assert membership.role == Membership.Role.OWNER
    assert not organization.memberships.filter(user=membership.user).exists()


def test_it_redirects_a_logged_in_user(owner_client, data):
    assert owner_client.get(URL).url == reverse("audits:home")
    response = owner_client.post(URL, data)
    assert response.status_code == 302
    assert response.url == reverse("audits:home")
    assert not User.objects.filter(username="sam").exists()
