from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from audits.content.demo import DEMO_PASSWORD
from audits.models import Audit, Membership

User = get_user_model()


@pytest.fixture
def debug(settings, db):
    settings.DEBUG = True


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    models = [*apps.get_app_config("audits").get_models(), User]
    return {model.__name__: model.objects.count() for model in models}


def test_it_creates_the_demo_and_prints_the_login(debug):
    output = load_demo()
    assert "Log in as demo / flywheel-demo" in output
    user = User.objects.get(username="demo")
    assert user.check_password(DEMO_PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.role == Membership.Role.OWNER
    assert membership.organization.name == "Demo organization"
    audit, follow_up = Audit.objects.filter(flywheel__organization=membership.organization).order_by("period_year")
    assert audit.flywheel.name == "HubSpot example"
    assert audit.title == "HubSpot flywheel audit"
    assert audit.period_year == 2018
    # 2019 carries 2018 forward, so the compare and trend pages have something to show.
    assert (follow_up.title, follow_up.period_year, follow_up.carried_from) == (
        "HubSpot flywheel audit 2019",
        2019,
        audit,
    )


def test_it_lets_the_demo_user_log_in(debug, client):
    load_demo()
    client.post(reverse("login"), {"username": "demo", "password": DEMO_PASSWORD})
    response = client.get(reverse("audits:flywheels"))
    assert response.status_code == 200
    assert "HubSpot example" in response.content.decode()


def test_it_changes_nothing_when_run_twice(debug):
    load_demo()
    first = counts()
    assert first["Audit"] == 2
    load_demo()
    assert counts() == first


def test_it_keeps_the_demo_users_changed_password(debug):
    load_demo()
    user = User.objects.get(username="demo")
    user.set_password("a-private-passphrase")
    user.save()
    load_demo()
    user.refresh_from_db()
    assert user.check_password("a-private-passphrase")


def test_it_refuses_to_run_with_debug_off(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        load_demo()
    assert not User.objects.exists()
    assert not Audit.objects.exists()
