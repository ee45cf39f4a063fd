import datetime
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from audits.models import Audit, Flywheel, Membership

from .factories import AuditFactory, FlywheelFactory

Role = Membership.Role


def url(name: str, audit) -> str:
    return reverse(f"audits:{name}", kwargs={"audit_id": audit.pk})


@pytest.fixture
def data():
    return {
        "title": "Audit 2024",
        "period_year": "2024",
        "workshop_date": "2025-02-14",
        "language": "vi",
        "status": "complete",
    }


def test_it_creates_an_audit(owner_client, flywheel, data):
    create_url = reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk})
    assert owner_client.get(create_url).status_code == 200
    response = owner_client.post(create_url, data)
    audit = Audit.objects.get()
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    assert audit.flywheel == flywheel
    assert audit.title == "Audit 2024"
    assert audit.period_year == 2024
    assert audit.workshop_date == datetime.date(2025, 2, 14)
    assert audit.language == Audit.Language.VIETNAMESE
    assert audit.status == Audit.Status.COMPLETE


def test_it_creates_an_audit_with_only_the_required_fields(owner_client, flywheel):
    create_url = reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk})
    owner_client.post(create_url, {"title": "Plain", "period_year": "1990", "language": "fa", "status": "draft"})
    audit = Audit.objects.get()
    assert audit.workshop_date is None
    assert audit.period_year == 1990
    assert audit.language == Audit.Language.PERSIAN


@pytest.mark.parametrize(
    ("year", "error"),
    [
        ("1989", "Ensure this value is greater than or equal to 1990."),
        ("2101", "Ensure this value is less than or equal to 2100."),
        ("next", "Enter a whole number."),
    ],
)
def test_it_refuses_a_year_out_of_range(owner_client, flywheel, data, field_errors, year, error):
    data["period_year"] = year
    response = owner_client.post(reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk}), data)
    assert response.status_code == 200
    assert field_errors(response, "period_year") == [error]
    assert field_errors(response, "title") == []
    assert not Audit.objects.exists()


@pytest.mark.parametrize(("field", "value"), [("language", "de"), ("status", "archived"), ("title", "   ")])
def test_it_refuses_other_invalid_fields(owner_client, flywheel, data, field_errors, field, value):
    data[field] = value
    response = owner_client.post(reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk}), data)
    assert response.status_code == 200
    assert field_errors(response, field)
    assert not Audit.objects.exists()


def test_it_forbids_a_participant_to_create_an_audit(client, member_factory, flywheel, data):
    client.force_login(member_factory(Role.PARTICIPANT))
    response = client.post(reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk}), data)
    assert response.status_code == 403
    assert not Audit.objects.exists()


def test_it_edits_an_audit(owner_client, audit, data):
    response = owner_client.post(url("audit-edit", audit), data)
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    audit.refresh_from_db()
    assert audit.title == "Audit 2024"
    assert audit.period_year == 2024
    assert audit.status == Audit.Status.COMPLETE


def test_it_keeps_an_audit_unchanged_on_an_invalid_edit(owner_client, audit, data, field_errors):
    data["period_year"] = "3000"
    response = owner_client.post(url("audit-edit", audit), data)
    assert field_errors(response, "period_year") == ["Ensure this value is less than or equal to 2100."]
    audit.refresh_from_db()
    assert audit.title == "Annual audit"
    assert audit.period_year == 2025


def test_it_moves_an_audit_to_the_trash_and_back(owner_client, audit, flywheel):
    confirm = owner_client.get(url("audit-delete", audit))
    assert "Delete “Annual audit (2025)”?" in confirm.content.decode()
    audit.refresh_from_db()
    assert audit.deleted_at is None

    response = owner_client.post(url("audit-delete", audit))
    assert response.url == flywheel.get_absolute_url()
    audit.refresh_from_db()
    assert audit.deleted_at is not None
    assert owner_client.get(audit.get_absolute_url()).status_code == 404
    assert f'href="{audit.get_absolute_url()}"' not in owner_client.get(flywheel.get_absolute_url()).content.decode()
    assert "Annual audit (2025)" in owner_client.get(reverse("audits:trash")).content.decode()

    response = owner_client.post(url("audit-restore", audit))
    assert response.url == audit.get_absolute_url()
    audit.refresh_from_db()
    assert audit.deleted_at is None
    assert owner_client.get(audit.get_absolute_url()).status_code == 200


def test_it_rejects_get_on_restore(owner_client, audit):
    Audit.objects.filter(pk=audit.pk).update(deleted_at=timezone.now())
    assert owner_client.get(url("audit-restore", audit)).status_code == 405
    audit.refresh_from_db()
    assert audit.deleted_at is not None


def test_it_links_an_audit_to_its_page(audit):
    assert audit.get_absolute_url() == f"/audits/{audit.pk}/"
    assert audit.get_absolute_url() == reverse("audits:audit", kwargs={"audit_id": audit.pk})


def test_it_escapes_the_title(owner_client, flywheel):
    audit = AuditFactory(flywheel=flywheel, title="<script>alert(1)</script>")
    for path in (audit.get_absolute_url(), flywheel.get_absolute_url()):
        html = owner_client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_it_lets_a_viewer_view_but_not_edit(client, member_factory, audit, data):
    client.force_login(member_factory(Role.VIEWER))
    response = client.get(audit.get_absolute_url())
    assert response.status_code == 200
    assert "Annual audit" in response.content.decode()
    assert url("audit-edit", audit) not in response.content.decode()
    assert client.get(url("audit-edit", audit)).status_code == 403
    assert client.post(url("audit-edit", audit), data).status_code == 403
    assert client.post(url("audit-delete", audit)).status_code == 403
    audit.refresh_from_db()
    assert audit.title == "Annual audit"
    assert audit.deleted_at is None


def test_it_returns_404_for_an_audit_of_another_organization(owner_client, outsider):
    foreign = Audit.objects.get(flywheel__organization__memberships__user=outsider)
    assert owner_client.get(foreign.get_absolute_url()).status_code == 404
    assert owner_client.post(url("audit-delete", foreign)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.deleted_at is None


def test_it_lets_items_in_the_trash_expire_after_30_days(owner_client, audit, flywheel):
    old = timezone.now() - timedelta(days=31)
    Audit.objects.filter(pk=audit.pk).update(deleted_at=old)
    old_flywheel = FlywheelFactory(organization=flywheel.organization, name="Old wheel", deleted_at=old)

    html = owner_client.get(reverse("audits:trash")).content.decode()
    assert "Annual audit" not in html
    assert "Old wheel" not in html
    assert "The trash is empty." in html
    assert owner_client.post(url("audit-restore", audit)).status_code == 404
    assert owner_client.post(reverse("audits:flywheel-restore", args=[old_flywheel.pk])).status_code == 404
    audit.refresh_from_db()
    assert audit.deleted_at == old


def test_it_lists_items_deleted_within_30_days(owner_client, audit):
    Audit.objects.filter(pk=audit.pk).update(deleted_at=timezone.now() - timedelta(days=29))
    assert "Annual audit" in owner_client.get(reverse("audits:trash")).content.decode()
    assert owner_client.post(url("audit-restore", audit)).status_code == 302


def test_it_purges_expired_trash(audit, flywheel, capsys):
    old = timezone.now() - timedelta(days=31)
    Audit.objects.filter(pk=audit.pk).update(deleted_at=old)
    recent = AuditFactory(flywheel=flywheel, deleted_at=timezone.now() - timedelta(days=29))
    alive = AuditFactory(flywheel=flywheel)
    old_flywheel = FlywheelFactory(organization=flywheel.organization, deleted_at=old)
    AuditFactory(flywheel=old_flywheel)

    call_command("purge_trash")

    # The audit of the purged flywheel counts too.
    assert "Purged 2 audits and 1 flywheels older than 30 days." in capsys.readouterr().out
    assert set(Audit.objects.all()) == {recent, alive}
    assert set(Flywheel.objects.all()) == {flywheel}
