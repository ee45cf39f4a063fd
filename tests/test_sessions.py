"""Sessions read from the shared cache (audits/accounts/sessions.py): no query on a hit, the database
when the cache is down."""

from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "audits.accounts.sessions"


def down(*args, **kwargs):
    raise ConnectionError("Redis is restarting")


def queries_for(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as asked:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in asked]


def test_a_signed_in_request_reads_its_session_from_the_cache(cached_sessions, owner_client, audit):
    url = reverse("audits:audit", kwargs={"audit_id": audit.pk})
    cache.clear()  # as after a Redis restart: the first request reads the database, and fills the cache
    first = queries_for(owner_client, url)
    again = queries_for(owner_client, url)
    assert any("django_session" in sql for sql in first)
    assert not any("django_session" in sql for sql in again)


def test_a_cache_that_is_down_costs_a_query_not_the_request(cached_sessions, owner_client, audit):
    cache.clear()
    url = reverse("audits:audit", kwargs={"audit_id": audit.pk})
    with mock.patch.object(cache, "get", down), mock.patch.object(cache, "set", down):
        asked = queries_for(owner_client, url)
    assert any("django_session" in sql for sql in asked)


def test_logging_out_ends_the_cached_session(cached_sessions, owner_client, audit):
    url = reverse("audits:audit", kwargs={"audit_id": audit.pk})
    queries_for(owner_client, url)
    owner_client.post(reverse("logout"))
    assert owner_client.get(url).status_code == 302
