"""Downloading an audit and importing one, through the web pages."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audits.models import Audit, Membership
from audits.reports.exports import CONTENT_TYPES

from .factories import AuditFactory


def export_url(audit, file_format):
    return reverse("audits:audit-export", args=[audit.pk, file_format])


@pytest.mark.parametrize("file_format", ["json", "xlsx", "pptx"])
def test_it_downloads_each_format_with_a_safe_file_name(owner_client, audit, file_format):
    response = owner_client.get(export_url(audit, file_format))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[file_format]
    assert response["Content-Disposition"] == f'attachment; filename="self-serve-annual-audit-2025.{file_format}"'
    assert len(response.content) > 100


def test_a_viewer_can_download(client, audit, member_factory):
    client.force_login(member_factory(Membership.Role.VIEWER))
    assert client.get(export_url(audit, "json")).status_code == 200


def test_it_404s_an_unknown_format_and_another_organizations_audit(owner_client, audit, outsider):
    assert owner_client.get(export_url(audit, "docx")).status_code == 404
    other = Audit.objects.exclude(flywheel__organization=audit.flywheel.organization).first()
    assert owner_client.get(export_url(other, "json")).status_code == 404


def test_the_audit_page_offers_the_downloads(owner_client, audit):
    page = owner_client.get(audit.get_absolute_url()).content.decode()
    for file_format in ("pptx", "xlsx", "json"):
        assert export_url(audit, file_format) in page


def import_url(flywheel):
    return reverse("audits:audit-import", args=[flywheel.pk])


def backup_of(client, audit) -> bytes:
    return client.get(export_url(audit, "json")).content


def test_it_imports_a_backup_as_a_new_audit(owner_client, audit, flywheel):
    upload = SimpleUploadedFile("backup.json", backup_of(owner_client, audit), content_type="application/json")
    response = owner_client.post(import_url(flywheel), {"file": upload})
    new = Audit.objects.exclude(pk=audit.pk).get()
    assert response.status_code == 302
    assert response.url == new.get_absolute_url()
    assert new.flywheel == flywheel
    assert new.title == audit.title


def test_it_tells_a_file_by_its_content_not_its_name(owner_client, audit, flywheel):
    upload = SimpleUploadedFile("looks-like.xlsx", backup_of(owner_client, audit))
    assert owner_client.post(import_url(flywheel), {"file": upload}).status_code == 302
    fake = SimpleUploadedFile("real.json", b"\x89PNG\r\n\x1a\n....")
    response = owner_client.post(import_url(flywheel), {"file": fake})
    assert response.status_code == 422
    assert "neither an Excel workbook" in response.content.decode()


def test_it_lists_every_problem_and_saves_nothing(owner_client, audit, flywheel):
    data = json.loads(backup_of(owner_client, audit))
    data["audit"]["title"] = ""
    data["strategies"][0]["stage"] = "Atract"
    upload = SimpleUploadedFile("backup.json", json.dumps(data).encode())
    response = owner_client.post(import_url(flywheel), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 422
    assert "2 problems" in page
    assert "strategies[0]: stage &#x27;Atract&#x27; is not one of Attract, Engage, Delight." in page
    assert "audit, title: This field is required." in page
    assert Audit.objects.count() == 1


def test_it_refuses_a_file_over_the_size_cap(owner_client, flywheel, settings):
    settings.IMPORT_MAX_BYTES = 1024
    upload = SimpleUploadedFile("big.json", b"{" + b" " * 2048 + b"}")
    response = owner_client.post(import_url(flywheel), {"file": upload})
    assert response.status_code == 422
    assert "larger than" in response.content.decode()
    assert Audit.objects.count() == 0


def test_it_asks_for_a_file(owner_client, flywheel, field_errors):
    response = owner_client.post(import_url(flywheel), {})
    assert response.status_code == 422
    assert field_errors(response, "file") == ["This field is required."]


def test_importing_needs_the_facilitator_role(client, flywheel, audit, member_factory):
    client.force_login(member_factory(Membership.Role.PARTICIPANT))
    assert client.get(import_url(flywheel)).status_code == 403


def test_the_flywheel_page_links_to_the_import(owner_client, flywheel):
    assert import_url(flywheel) in owner_client.get(flywheel.get_absolute_url()).content.decode()


def test_importing_into_another_organizations_flywheel_is_a_404(client, audit, outsider):
    client.force_login(outsider)
    upload = SimpleUploadedFile("backup.json", b"{}")
    assert client.post(import_url(audit.flywheel), {"file": upload}).status_code == 404
    assert AuditFactory._meta.model.objects.filter(flywheel=audit.flywheel).count() == 1
