import re

import pytest
from django.urls import reverse

from audits.accounts.permissions import SESSION_KEY
from audits.models import Membership, Organization

from .factories import FlywheelFactory, MembershipFactory, OrganizationFactory, UserFactory

Role = Membership.Role
SWITCH_URL = reverse("audits:organization-switch")
CREATE_URL = reverse("audits:organization-create")


@pytest.fixture
def second_organization(owner):
    """Another organization the owner belongs to, as a viewer."""
    organization = OrganizationFactory(name="Beta")
    MembershipFactory(user=owner, organization=organization, role=Role.VIEWER)
    return organization


def test_it_creates_an_organization_owned_by_its_creator(owner_client, owner, organization):
    response = owner_client.post(CREATE_URL, {"name": "  Zeta  "}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:flywheels")
    zeta = Organization.objects.get(name="Zeta")
    assert Membership.objects.get(user=owner, organization=zeta).role == Role.OWNER
    assert owner_client.session[SESSION_KEY] == zeta.pk
    html = response.content.decode()
    assert "Organization “Zeta” created. You are its owner." in html
    assert "Flywheels of Zeta" in html
    # The first organization is still there.
    assert Membership.objects.get(user=owner, organization=organization).role == Role.OWNER


def test_it_refuses_a_blank_organization_name(owner_client, owner, field_errors):
    response = owner_client.post(CREATE_URL, {"name": "   "})
    assert response.status_code == 200
    assert field_errors(response, "name") == ["This field is required."]
    assert Organization.objects.count() == 1


def test_it_switches_the_listed_flywheels(owner_client, organization, second_organization):
    FlywheelFactory(organization=organization, name="Acme wheel")
    FlywheelFactory(organization=second_organization, name="Beta wheel")
    before = owner_client.get(reverse("audits:flywheels")).content.decode()
    assert "Acme wheel" in before
    assert "Beta wheel" not in before

    response = owner_client.post(SWITCH_URL, {"organization": second_organization.pk}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("audits:flywheels")
    html = response.content.decode()
    assert "You are now working in Beta." in html
    assert "Beta wheel" in html
    assert "Acme wheel" not in html
    assert owner_client.session[SESSION_KEY] == second_organization.pk


def test_it_uses_the_role_of_the_current_organization(owner_client, second_organization):
    # Owner in Acme, viewer in Beta: no "New flywheel" in Beta.
    assert "New flywheel" in owner_client.get(reverse("audits:flywheels")).content.decode()
    owner_client.post(SWITCH_URL, {"organization": second_organization.pk})
    assert "New flywheel" not in owner_client.get(reverse("audits:flywheels")).content.decode()
    assert owner_client.get(reverse("audits:flywheel-create")).status_code == 403


def test_it_refuses_to_switch_to_an_organization_of_others(owner_client, organization, outsider):
    owner_client.post(SWITCH_URL, {"organization": organization.pk})
    foreign = outsider.memberships.get().organization
    response = owner_client.post(SWITCH_URL, {"organization": foreign.pk})
    assert response.status_code == 404
    assert owner_client.session[SESSION_KEY] == organization.pk


def test_it_ignores_a_malformed_switch(owner_client, organization):
    owner_client.post(SWITCH_URL, {"organization": organization.pk})
    response = owner_client.post(SWITCH_URL, {"organization": "acme"})
    assert response.status_code == 302
    assert owner_client.session[SESSION_KEY] == organization.pk


def test_it_rejects_get_on_switch(owner_client):
    assert owner_client.get(SWITCH_URL).status_code == 405


def test_it_shows_the_switcher_in_the_header(owner_client, organization, second_organization):
    owner_client.post(SWITCH_URL, {"organization": second_organization.pk})
    html = owner_client.get(reverse("audits:flywheels")).content.decode()
    header = re.search(r'<header class="site-header">(.*?)</header>', html, re.DOTALL).group(1)
    assert f'action="{SWITCH_URL}"' in header
    assert f'<option value="{organization.pk}">Acme (Owner)</option>' in header
    assert f'<option value="{second_organization.pk}" selected>Beta (Viewer)</option>' in header


def test_it_shows_a_page_to_a_user_without_an_organization(client, db):
    client.force_login(UserFactory())
    for url in (reverse("audits:home"), reverse("audits:flywheels")):
        response = client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "You are not in an organization yet" in html
        assert CREATE_URL in html
        assert 'class="org-switch"' not in html


def test_it_sends_a_member_from_home_to_the_flywheels(owner_client):
    response = owner_client.get(reverse("audits:home"))
    assert response.status_code == 302
    assert response.url == reverse("audits:flywheels")


def test_it_requires_login_to_create_an_organization(client, db):
    response = client.post(CREATE_URL, {"name": "Zeta"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Organization.objects.exists()
