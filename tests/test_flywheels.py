import pytest
from django.urls import reverse
from django.utils import timezone

from audits.models import Flywheel, Membership

from .factories import AuditFactory, FlywheelFactory

Role = Membership.Role
LIST_URL = reverse("audits:flywheels")
CREATE_URL = reverse("audits:flywheel-create")


def url(name: str, flywheel) -> str:
    return reverse(f"audits:{name}", kwargs={"flywheel_id": flywheel.pk})


def test_it_lists_only_the_current_organizations_flywheels(owner_client, flywheel, outsider):
    FlywheelFactory(organization=outsider.memberships.get().organization, name="Mallory's wheel")
    FlywheelFactory(organization=flywheel.organization, name="Binned", deleted_at=timezone.now())
    AuditFactory(flywheel=flywheel)
    response = owner_client.get(LIST_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Self-serve" in html
    assert "1 audit<" in html
    assert "Mallory" not in html
    assert "Binned" not in html


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR])
def test_it_lets_a_facilitator_create_a_flywheel(client, member_factory, organization, role):
    client.force_login(member_factory(role))
    assert client.get(CREATE_URL).status_code == 200
    response = client.post(CREATE_URL, {"name": "  Enterprise  ", "description": "Big customers."})
    flywheel = Flywheel.objects.get()
    assert response.status_code == 302
    assert response.url == flywheel.get_absolute_url()
    assert flywheel.name == "Enterprise"
    assert flywheel.description == "Big customers."
    assert flywheel.organization == organization


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.VIEWER])
def test_it_forbids_lower_roles_to_create_a_flywheel(client, member_factory, role):
    client.force_login(member_factory(role))
    assert client.get(CREATE_URL).status_code == 403
    assert client.post(CREATE_URL, {"name": "Enterprise"}).status_code == 403
    assert not Flywheel.objects.exists()
    assert "New flywheel" not in client.get(LIST_URL).content.decode()


def test_it_requires_a_name(owner_client, field_errors):
    response = owner_client.post(CREATE_URL, {"name": "  "})
    assert field_errors(response, "name") == ["This field is required."]
    assert not Flywheel.objects.exists()


def test_it_limits_the_name_length(owner_client, field_errors):
    response = owner_client.post(CREATE_URL, {"name": "x" * 121})
    assert field_errors(response, "name") == ["Ensure this value has at most 120 characters (it has 121)."]
    assert not Flywheel.objects.exists()


def test_it_refuses_a_duplicate_name_in_the_same_organization(owner_client, flywheel, field_errors):
    response = owner_client.post(CREATE_URL, {"name": "self-SERVE"})
    assert response.status_code == 200
    assert field_errors(response, "name") == ["This organization already has a flywheel with this name."]
    assert Flywheel.objects.count() == 1


def test_it_allows_a_name_used_in_another_organization(owner_client, organization, outsider):
    FlywheelFactory(organization=outsider.memberships.get().organization, name="Enterprise")
    owner_client.post(CREATE_URL, {"name": "Enterprise"})
    assert Flywheel.objects.filter(organization=organization, name="Enterprise").exists()


def test_it_renames_a_flywheel(owner_client, flywheel):
    response = owner_client.post(url("flywheel-edit", flywheel), {"name": "Self-service", "description": ""})
    assert response.status_code == 302
    flywheel.refresh_from_db()
    assert flywheel.name == "Self-service"
    assert flywheel.description == ""


def test_it_keeps_a_flywheels_own_name_when_editing(owner_client, flywheel):
    owner_client.post(url("flywheel-edit", flywheel), {"name": "Self-serve", "description": "New words."})
    flywheel.refresh_from_db()
    assert flywheel.description == "New words."


def test_it_refuses_to_rename_to_a_sibling_name(owner_client, flywheel, field_errors):
    FlywheelFactory(organization=flywheel.organization, name="Enterprise")
    response = owner_client.post(url("flywheel-edit", flywheel), {"name": "Enterprise"})
    assert field_errors(response, "name") == ["This organization already has a flywheel with this name."]
    flywheel.refresh_from_db()
    assert flywheel.name == "Self-serve"


def test_it_forbids_a_participant_to_rename(client, member_factory, flywheel):
    client.force_login(member_factory(Role.PARTICIPANT))
    assert client.post(url("flywheel-edit", flywheel), {"name": "Mine"}).status_code == 403
    flywheel.refresh_from_db()
    assert flywheel.name == "Self-serve"


def test_it_asks_before_deleting(owner_client, flywheel, audit):
    response = owner_client.get(url("flywheel-delete", flywheel))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Delete “Self-serve”?" in html
    assert "with its 1 audit." in html
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is None


def test_it_moves_a_flywheel_to_the_trash(owner_client, flywheel, audit):
    response = owner_client.post(url("flywheel-delete", flywheel), follow=True)
    assert response.redirect_chain[-1][0] == LIST_URL
    assert "Flywheel “Self-serve” moved to the trash." in response.content.decode()
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is not None
    html = owner_client.get(LIST_URL).content.decode()
    assert flywheel.get_absolute_url() not in html
    assert owner_client.get(flywheel.get_absolute_url()).status_code == 404
    assert owner_client.get(audit.get_absolute_url()).status_code == 404
    assert "Self-serve" in owner_client.get(reverse("audits:trash")).content.decode()


def test_it_restores_a_flywheel_from_the_trash(owner_client, flywheel, audit):
    Flywheel.objects.filter(pk=flywheel.pk).update(deleted_at=timezone.now())
    response = owner_client.post(url("flywheel-restore", flywheel))
    assert response.status_code == 302
    assert response.url == flywheel.get_absolute_url()
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is None
    assert "Self-serve" in owner_client.get(LIST_URL).content.decode()
    assert owner_client.get(audit.get_absolute_url()).status_code == 200


def test_it_does_not_restore_a_live_flywheel(owner_client, flywheel):
    assert owner_client.post(url("flywheel-restore", flywheel)).status_code == 404


def test_it_forbids_a_viewer_to_delete_or_restore(client, member_factory, flywheel):
    client.force_login(member_factory(Role.VIEWER))
    assert client.post(url("flywheel-delete", flywheel)).status_code == 403
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is None
    Flywheel.objects.filter(pk=flywheel.pk).update(deleted_at=timezone.now())
    assert client.post(url("flywheel-restore", flywheel)).status_code == 403
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is not None


def test_it_rejects_wrong_methods(owner_client, flywheel):
    Flywheel.objects.filter(pk=flywheel.pk).update(deleted_at=timezone.now())
    assert owner_client.get(url("flywheel-restore", flywheel)).status_code == 405
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is not None
    assert owner_client.put(url("flywheel-delete", flywheel)).status_code == 405
    assert owner_client.delete(url("flywheel-edit", flywheel)).status_code == 405


def test_it_shows_a_flywheel_with_its_audits(owner_client, flywheel, audit):
    AuditFactory(flywheel=flywheel, title="Binned audit", deleted_at=timezone.now())
    response = owner_client.get(flywheel.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Annual audit" in html
    assert "Binned audit" not in html


@pytest.mark.parametrize("name", ["flywheels", "flywheel-create", "trash"])
def test_it_sends_anonymous_visitors_to_log_in(client, db, name):
    response = client.get(reverse(f"audits:{name}"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse(f'audits:{name}')}"


def test_it_sends_anonymous_visitors_of_a_flywheel_to_log_in(client, flywheel):
    for path in (flywheel.get_absolute_url(), url("flywheel-edit", flywheel), url("flywheel-delete", flywheel)):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_it_renames_a_restored_flywheel_whose_name_was_taken_meanwhile(owner_client, flywheel):
    owner_client.post(reverse("audits:flywheel-delete", args=[flywheel.pk]))
    owner_client.post(reverse("audits:flywheel-create"), {"name": flywheel.name, "description": ""})
    owner_client.post(reverse("audits:flywheel-restore", args=[flywheel.pk]))
    flywheel.refresh_from_db()
    assert flywheel.deleted_at is None
    assert flywheel.name == "Self-serve (restored)"
    names = list(Flywheel.objects.alive().filter(organization=flywheel.organization).values_list("name", flat=True))
    assert sorted(names) == ["Self-serve", "Self-serve (restored)"]
