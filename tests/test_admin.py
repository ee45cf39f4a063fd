from datetime import date

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from audits.models import Invitation, Membership

from .factories import AuditFactory, FlywheelFactory, UserFactory

AUDITS_MODELS = list(apps.get_app_config("audits").get_models())


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def admin_client(client, audit, owner):
    """A superuser's client, with a row of each kind so that every filter has choices."""
    AuditFactory(flywheel=FlywheelFactory(organization=audit.flywheel.organization, deleted_at=timezone.now()))
    AuditFactory(flywheel=audit.flywheel, period_year=2019, workshop_date=date(2019, 5, 1), deleted_at=timezone.now())
    open_invitation, _ = Invitation.issue(audit.flywheel.organization, Membership.Role.VIEWER, owner, note="x")
    used, _ = Invitation.issue(audit.flywheel.organization, Membership.Role.OWNER, owner)
    Invitation.objects.filter(pk=used.pk).update(accepted_at=timezone.now(), revoked_at=timezone.now())
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_it_registers_every_model():
    missing = [model.__name__ for model in AUDITS_MODELS if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("model", AUDITS_MODELS, ids=lambda model: model.__name__)
def test_it_opens_the_changelist_with_a_search(admin_client, model):
    response = admin_client.get(changelist_url(model), {"q": "x"})
    assert response.status_code == 200
    assert response.context["cl"].query == "x"


@pytest.mark.parametrize("model", AUDITS_MODELS, ids=lambda model: model.__name__)
def test_it_opens_every_list_filter_choice(admin_client, model):
    changelist = admin_client.get(changelist_url(model)).context["cl"]
    choices = [choice for spec in changelist.filter_specs for choice in spec.choices(changelist)]
    model_admin = admin.site.get_model_admin(model)
    # Every filter offers at least "All" and one choice of its own.
    assert len(choices) >= 2 * len(model_admin.list_filter)
    for choice in choices:
        response = admin_client.get(changelist_url(model) + choice["query_string"])
        # An invalid lookup would redirect to "?e=1" instead.
        assert response.status_code == 200, choice["query_string"]


def test_it_forbids_the_admin_to_a_non_staff_user(owner_client):
    response = owner_client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
