import os
import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from hypothesis import settings as hypothesis_settings

from audits.models import Audit, Membership

from .factories import AuditFactory, FlywheelFactory, MembershipFactory, OrganizationFactory, UserFactory

# CI explores the same examples on every run, so a red build is always reproducible;
# developers' runs explore new ones.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

Role = Membership.Role


def own_redis_database_per_process():
    """In a parallel run (pytest-xdist), give each process a Redis database of its own: every test empties
    the cache (`empty_cache`), which on Redis empties the whole database, another process's keys too.
    The first process keeps the configured database (CI's 15), the next ones take the ones below it (from 0,
    the last ones: 15, 14, …)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")  # gw0, gw1, …
    cache = settings.CACHES["default"]
    if worker and cache["BACKEND"].endswith("RedisCache"):
        location = urlsplit(cache["LOCATION"])
        database = (int(location.path.strip("/") or 0) - int(worker.removeprefix("gw"))) % 16  # Redis has 16
        cache["LOCATION"] = location._replace(path=f"/{database}").geturl()


own_redis_database_per_process()


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: rendered fragments are keyed by ids and versions,
    and a rolled-back test database hands out the same ids again (with a Redis cache, so would
    an earlier run)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker):
    """One transaction around a whole test module, rolled back after it (Django's TestCase.setUpTestData does
    the same for a class): rows that a module-scoped fixture makes on top of it are made once and read by each
    of the module's tests, whose own changes roll back at each test's end as usual."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.fixture
def organization(db):
    return OrganizationFactory(name="Acme")


@pytest.fixture
def member_factory(organization):
    """Return a function that makes a user with the given role in `organization`."""

    def make(role: str = Role.OWNER, **user_fields):
        return MembershipFactory(organization=organization, role=role, user=UserFactory(**user_fields)).user

    return make


@pytest.fixture
def owner(member_factory):
    return member_factory(Role.OWNER, username="olivia")


@pytest.fixture
def flywheel(organization):
    return FlywheelFactory(organization=organization, name="Self-serve")


@pytest.fixture
def audit(flywheel):
    return AuditFactory(flywheel=flywheel, title="Annual audit", period_year=2025)


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def demo_audits(db) -> tuple:
    """The demo's 2018 audit and 2019's, carried forward from it."""
    from audits.content.demo import load_demo

    first = load_demo()
    return first, Audit.objects.get(carried_from=first)


@pytest.fixture
def outsider(db):
    """A user who owns another organization, with its own flywheel and audit."""
    membership = MembershipFactory(role=Role.OWNER, user=UserFactory(username="mallory"))
    AuditFactory(flywheel=FlywheelFactory(organization=membership.organization))
    return membership.user


@pytest.fixture(autouse=True)
def answers_at_once(request, settings):
    """A poll's answer is the audit as it is now: tests poll right after a change. The wait for the
    moment's answer (settings.LIVE_ANSWER_SECONDS) has its own tests, and the browser tests keep it."""
    if request.node.get_closest_marker("browser") is None:
        settings.LIVE_ANSWER_SECONDS = 0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is slow on purpose; tests need speed, not resistance to brute force.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def field_errors():
    """Return a function giving the error messages rendered beside a form field of a response."""

    def errors(response, field: str) -> list[str]:
        html = response.content.decode()
        found = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', html, re.DOTALL)
        return re.findall(r"<li>(.*?)</li>", found.group(1)) if found else []

    return errors
