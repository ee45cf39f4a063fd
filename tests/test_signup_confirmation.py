"""Signing up through a confirmation e-mail: the sign-up form never tells whether an address has an account."""

import re
import time
from datetime import timedelta
from unittest import mock

from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audits.accounts.permissions import SESSION_KEY
from audits.models import Invitation, Membership, Organization

from . import test_signup
from .factories import PASSWORD, UserFactory
from .test_signup import URL, confirmation_link

User = get_user_model()
CONFIRM_URL = reverse("audits:signup-confirm")
data = test_signup.data  # the sign-up form's fields, a fixture shared with test_signup.py


def page_templates(response) -> list[str]:
    """The templates of the page itself (its e-mail's are rendered in the same request)."""
    return [template.name for template in response.templates if template.name.endswith(".html")]


def without_csrf_tokens(html: str) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "<csrf>", html)


def test_a_new_address_gets_an_inactive_account_and_a_confirmation_link(client, db, data):
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    user = User.objects.get(username="sam")
    assert not user.is_active
    assert not Organization.objects.exists()
    assert USER_SESSION_KEY not in client.session
    [message] = mail.outbox
    assert message.to == ["sam@example.com"]
    assert message.subject == "Confirm your Flywheel Audit account"
    assert "Hello sam," in message.body
    assert "The link works once, for 3 days." in message.body
    assert confirmation_link(message).startswith(CONFIRM_URL + "?token=")


def test_a_known_address_gets_an_email_saying_so_and_no_account(client, db, data):
    UserFactory(username="samuel", email="Sam@Example.com")
    response = client.post(URL, data)
    assert response.status_code == 200
    assert "Check your e-mail" in response.content.decode()
    assert list(User.objects.values_list("username", flat=True)) == ["samuel"]
    [message] = mail.outbox
    assert message.to == ["Sam@Example.com"]
    assert message.subject == "Someone tried to sign up with your address"
    assert "Your username is samuel." in message.body
    assert "http://testserver/accounts/login/" in message.body
    assert "http://testserver/accounts/password_reset/" in message.body
    assert "/accounts/signup/confirm/" not in message.body


def test_a_known_address_takes_the_time_of_a_new_accounts_password_hash(client, db, data):
    UserFactory(username="samuel", email="sam@example.com")
    with mock.patch("audits.accounts.signups.make_password") as make_password:
        client.post(URL, data)
    make_password.assert_called_once_with(PASSWORD)


def test_it_answers_the_same_whether_or_not_the_address_has_an_account(db, data):
    new = Client().post(URL, data)
    User.objects.all().delete()
    UserFactory(username="samuel", email="sam@example.com")
    known = Client().post(URL, data)
    assert new.status_code == known.status_code == 200
    assert page_templates(new) == page_templates(known)
    assert page_templates(new)[0] == "registration/signup_done.html"
    assert without_csrf_tokens(new.content.decode()) == without_csrf_tokens(known.content.decode())
    assert len(mail.outbox) == 2


def test_the_link_activates_logs_in_and_creates_the_organization(client, db, data):
    client.post(URL, data)
    response = client.get(confirmation_link(mail.outbox[0]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:flywheels")
    assert "Welcome to Flywheel Audit. You are in Sam&#x27;s Bakery." in response.content.decode()
    user = User.objects.get(username="sam")
    assert user.is_active
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert client.session[USER_SESSION_KEY] == str(user.pk)
    assert client.session[SESSION_KEY] == membership.organization_id


def test_the_link_works_in_another_browser(db, data):
    Client().post(URL, data)
    other_browser = Client()
    assert other_browser.get(confirmation_link(mail.outbox[0])).status_code == 302
    assert other_browser.session[USER_SESSION_KEY] == str(User.objects.get(username="sam").pk)


def test_the_link_works_once(client, db, data):
    client.post(URL, data)
    link = confirmation_link(mail.outbox[0])
    client.get(link)
    again = Client().get(link)
    assert again.status_code == 404
    assert "This confirmation link does not work" in again.content.decode()
    assert Organization.objects.count() == 1


def test_the_link_expires(client, db, data, settings):
    client.post(URL, data)
    later = time.time() + timedelta(days=settings.SIGNUP_CONFIRMATION_DAYS, minutes=1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=later):
        response = client.get(confirmation_link(mail.outbox[0]))
    assert response.status_code == 404
    assert not User.objects.get(username="sam").is_active


def test_an_altered_or_missing_token_does_not_work(client, db, data):
    client.post(URL, data)
    link = confirmation_link(mail.outbox[0])
    for bad in (link[:-1] + ("A" if link[-1] != "A" else "B"), CONFIRM_URL, CONFIRM_URL + "?token=nonsense"):
        assert client.get(bad).status_code == 404
    assert not User.objects.get(username="sam").is_active
    assert USER_SESSION_KEY not in client.session


def test_it_rejects_post_on_the_link(client, db, data):
    client.post(URL, data)
    assert client.post(confirmation_link(mail.outbox[0])).status_code == 405
    assert not User.objects.get(username="sam").is_active


def test_an_unconfirmed_account_cannot_log_in(client, db, data):
    client.post(URL, data)
    response = client.post(reverse("login"), {"username": "sam", "password": PASSWORD})
    assert response.status_code == 200
    assert USER_SESSION_KEY not in client.session


def test_a_second_sign_up_replaces_an_unconfirmed_one_with_the_same_username(client, db, data):
    client.post(URL, data | {"email": "sam@example.con"})  # a typo in the address
    response = client.post(URL, data)
    assert response.status_code == 200
    assert User.objects.get(username="sam").email == "sam@example.com"
    assert client.get(confirmation_link(mail.outbox[0])).status_code == 404
    assert client.get(confirmation_link(mail.outbox[1])).status_code == 302


def test_a_second_sign_up_replaces_an_unconfirmed_one_with_the_same_address(client, db, data):
    client.post(URL, data)
    client.post(URL, data | {"username": "samantha"})
    assert list(User.objects.values_list("username", flat=True)) == ["samantha"]
    assert mail.outbox[1].subject == "Confirm your Flywheel Audit account"


def test_a_confirmed_account_keeps_its_username(client, db, data, field_errors):
    UserFactory(username="Sam", email="other@example.com")
    response = client.post(URL, data)
    assert field_errors(response, "username") == ["A user with that username already exists."]
    assert mail.outbox == []


def test_it_forgets_unconfirmed_accounts_whose_link_expired(client, db, data, settings):
    stale = UserFactory(username="stale", email="stale@example.com", is_active=False)
    User.objects.filter(pk=stale.pk).update(date_joined=timezone.now() - timedelta(days=4))
    recent = UserFactory(username="recent", email="recent@example.com", is_active=False)
    client.post(URL, data)
    assert set(User.objects.values_list("username", flat=True)) == {recent.username, "sam"}


def test_it_keeps_inactive_accounts_that_were_used(client, db, data):
    used = UserFactory(username="former", email="former@example.com", is_active=False, last_login=timezone.now())
    User.objects.filter(pk=used.pk).update(date_joined=timezone.now() - timedelta(days=400))
    client.post(URL, data | {"email": "former@example.com"})
    assert User.objects.filter(pk=used.pk).exists()
    assert mail.outbox[0].subject == "Someone tried to sign up with your address"


def test_a_signed_in_person_who_opens_a_link_becomes_the_new_account(owner_client, data):
    Client().post(URL, data)
    assert owner_client.get(confirmation_link(mail.outbox[0])).status_code == 302
    assert owner_client.session[USER_SESSION_KEY] == str(User.objects.get(username="sam").pk)


def test_the_link_carries_the_pending_invitation(client, organization, owner, data):
    invitation, token = Invitation.issue(organization, Membership.Role.FACILITATOR, owner)
    client.get(reverse("audits:invitation", kwargs={"token": token}))
    del data["organization_name"]
    client.post(URL, data)
    assert not Membership.objects.filter(user__username="sam").exists()
    other_browser = Client()
    other_browser.get(confirmation_link(mail.outbox[0]))
    membership = Membership.objects.get(user__username="sam")
    assert membership.organization == organization
    assert membership.role == Membership.Role.FACILITATOR
    assert other_browser.session[SESSION_KEY] == organization.pk


def test_an_invitation_used_meanwhile_leaves_the_account_without_organization(client, organization, owner, data):
    invitation, token = Invitation.issue(organization, Membership.Role.VIEWER, owner)
    client.get(reverse("audits:invitation", kwargs={"token": token}))
    del data["organization_name"]
    client.post(URL, data)
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    response = client.get(confirmation_link(mail.outbox[0]), follow=True)
    assert "The invitation was used or revoked meanwhile; ask for a new link." in response.content.decode()
    assert User.objects.get(username="sam").is_active
    assert not Membership.objects.filter(user__username="sam").exists()
    assert Organization.objects.count() == 1


def test_an_invalid_form_sends_no_email(client, db, data):
    data["password2"] = "something else"
    assert "Check your e-mail" not in client.post(URL, data).content.decode()
    assert mail.outbox == []
