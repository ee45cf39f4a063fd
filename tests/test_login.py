import re

from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.core import mail
from django.urls import reverse

from .factories import PASSWORD


def log_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_logs_in_with_the_right_password(client, owner):
    response = log_in(client, "olivia", PASSWORD)
    assert response.status_code == 302
    assert response.url == reverse("audits:home")
    assert client.session[USER_SESSION_KEY] == str(owner.pk)


def test_it_refuses_a_wrong_password(client, owner):
    response = log_in(client, "olivia", "not-the-password")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert USER_SESSION_KEY not in client.session


def test_it_logs_out_with_post(owner_client):
    response = owner_client.post(reverse("logout"))
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert USER_SESSION_KEY not in owner_client.session
    assert owner_client.get(reverse("audits:flywheels")).status_code == 302


def test_it_rejects_logout_with_get(owner_client, owner):
    response = owner_client.get(reverse("logout"))
    assert response.status_code == 405
    assert owner_client.session[USER_SESSION_KEY] == str(owner.pk)


def test_it_locks_out_a_username_after_five_failures(client, owner):
    for _ in range(4):
        assert log_in(client, "olivia", "wrong").status_code == 200
    # The fifth failure already shows the lockout page.
    assert log_in(client, "olivia", "wrong").status_code == 429
    # Even the right password is refused while the lockout lasts.
    response = log_in(client, "olivia", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert USER_SESSION_KEY not in client.session


def test_it_locks_out_only_the_username_that_failed(client, owner, member_factory):
    other = member_factory(username="oscar")
    for _ in range(5):
        log_in(client, "olivia", "wrong")
    response = log_in(client, "oscar", PASSWORD)
    assert response.status_code == 302
    assert client.session[USER_SESSION_KEY] == str(other.pk)


def test_it_does_not_lock_out_after_four_failures(client, owner):
    for _ in range(4):
        log_in(client, "olivia", "wrong")
    response = log_in(client, "olivia", PASSWORD)
    assert response.status_code == 302
    assert client.session[USER_SESSION_KEY] == str(owner.pk)


def test_it_changes_the_password(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-passphrase",
            "new_password2": "a-brand-new-passphrase",
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-passphrase")
    # The session survives the change.
    assert owner_client.session[USER_SESSION_KEY] == str(owner.pk)


def test_it_requires_the_old_password_to_change_it(owner_client, owner):
    response = owner_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"},
    )
    assert response.status_code == 200
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_it_resets_a_forgotten_password_by_email(client, owner):
    response = client.post(reverse("password_reset"), {"email": "olivia@example.com"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["olivia@example.com"]

    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    assert response.url == reverse("password_reset_complete")

    assert log_in(client, "olivia", "a-brand-new-passphrase").status_code == 302
    assert client.session[USER_SESSION_KEY] == str(owner.pk)


def test_it_sends_no_reset_email_for_an_unknown_address(client, owner):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    # The same answer as for a known address, so the form does not reveal who has an account.
    assert response.status_code == 302
    assert mail.outbox == []
