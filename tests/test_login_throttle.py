"""Log-in throttling per address (audits/accounts/login_throttle.py) beside axes' per-username limit,
behind a proxy too."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from audits.accounts.login_throttle import forwarded_client_address

from .factories import PASSWORD
from .test_settings import settings_value

ROOM = "198.51.100.7"


def log_in(client, username: str, password: str, address: str = ROOM, forwarded: str | None = None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address, headers=headers
    )


def spray(client, count: int, **where) -> list[int]:
    """Try one wrong password on `count` different usernames; return the status codes."""
    return [log_in(client, f"someone{number}", "Winter2025!", **where).status_code for number in range(count)]


@pytest.fixture
def behind_a_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1


def test_it_locks_out_an_address_after_thirty_failures_over_many_usernames(client, owner):
    assert spray(client, 29) == [200] * 29
    # The thirtieth failure already shows the lockout page.
    response = log_in(client, "someone-else", "Winter2025!")
    assert response.status_code == 429
    assert "logging in from this network is paused for 15\xa0minutes after 30 failed attempts" in (
        response.content.decode()
    )
    # Even a right password is refused from that address while the lockout lasts.
    assert log_in(client, "olivia", PASSWORD).status_code == 429
    assert USER_SESSION_KEY not in client.session


def test_it_does_not_lock_out_an_address_after_twenty_nine_failures(client, owner):
    spray(client, 29)
    assert log_in(client, "olivia", PASSWORD).status_code == 302
    assert client.session[USER_SESSION_KEY] == str(owner.pk)


def test_it_locks_out_only_the_address_that_failed(client, owner):
    spray(client, 30)
    assert log_in(client, "olivia", PASSWORD, address="203.0.113.9").status_code == 302


def test_it_counts_failures_within_the_cool_off_time_only(client, owner, settings):
    spray(client, 29)
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    spray(client, 29)
    assert log_in(client, "olivia", PASSWORD).status_code == 302


def test_it_takes_the_address_limit_from_the_settings(client, owner, settings):
    settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS = 3
    assert spray(client, 3) == [200, 200, 429]


def test_it_still_locks_out_a_username_after_five_failures_with_its_own_message(client, owner):
    for _ in range(4):
        log_in(client, "olivia", "wrong")
    response = log_in(client, "olivia", "wrong")
    assert response.status_code == 429
    assert "logging in to this account from here is paused for 15\xa0minutes after 5 failed attempts" in (
        response.content.decode()
    )


def test_the_address_limit_comes_from_the_environment():
    assert settings_value("settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS") == "30"
    assert settings_value("settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS", LOGIN_FAILURE_LIMIT_PER_ADDRESS="50") == "50"


# --- Behind a proxy -----------------------------------------------------------------------------


def test_behind_a_proxy_two_clients_are_throttled_apart(client, owner, behind_a_proxy):
    proxy = "10.0.0.1"
    for _ in range(5):
        log_in(client, "olivia", "wrong", address=proxy, forwarded="203.0.113.1")
    assert log_in(client, "olivia", PASSWORD, address=proxy, forwarded="203.0.113.1").status_code == 429
    response = log_in(client, "olivia", PASSWORD, address=proxy, forwarded="203.0.113.2")
    assert response.status_code == 302
    assert client.session[USER_SESSION_KEY] == str(owner.pk)


def test_behind_a_proxy_the_address_limit_counts_each_client(client, owner, behind_a_proxy):
    spray(client, 30, address="10.0.0.1", forwarded="203.0.113.1")
    assert log_in(client, "olivia", PASSWORD, address="10.0.0.1", forwarded="203.0.113.2").status_code == 302


def test_behind_a_proxy_what_the_client_puts_in_the_header_does_not_count(client, owner, behind_a_proxy):
    for _ in range(5):
        log_in(client, "olivia", "wrong", address="10.0.0.1", forwarded="203.0.113.1")
    # The client sent "X-Forwarded-For: 192.0.2.77"; the proxy appended the address it saw.
    spoofed = log_in(client, "olivia", PASSWORD, address="10.0.0.1", forwarded="192.0.2.77, 203.0.113.1")
    assert spoofed.status_code == 429


def test_without_a_proxy_the_header_is_ignored(client, owner):
    for _ in range(5):
        log_in(client, "olivia", "wrong", forwarded="203.0.113.1")
    assert log_in(client, "olivia", PASSWORD, forwarded="203.0.113.2").status_code == 429


def test_it_reads_the_client_address_through_several_proxies(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 2
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.2", headers={"X-Forwarded-For": "1.1.1.1, 203.0.113.5, 10.0.0.1"}
    )
    assert forwarded_client_address(request) == "203.0.113.5"


def test_it_counts_the_connection_address_of_a_request_that_bypassed_the_proxy(settings):
    settings.AXES_IPWARE_PROXY_COUNT = 1
    assert forwarded_client_address(RequestFactory().get("/", REMOTE_ADDR="203.0.113.8")) == "203.0.113.8"


def test_behind_proxy_setting_trusts_one_proxy_by_default():
    assert settings_value("settings.AXES_IPWARE_PROXY_COUNT") == "0"
    assert settings_value("settings.AXES_IPWARE_PROXY_COUNT", DJANGO_BEHIND_PROXY="1") == "1"
    assert settings_value("settings.AXES_IPWARE_PROXY_COUNT", DJANGO_BEHIND_PROXY="1", AXES_PROXY_COUNT="2") == "2"
