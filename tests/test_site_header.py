"""The page header: the organization switch only for someone in several, the account's pages in a menu."""

import re

from django.urls import reverse

from audits.models import Membership

from .factories import MembershipFactory, OrganizationFactory


def header_of(client) -> str:
    html = client.get(reverse("audits:flywheels")).content.decode()
    return re.search(r'<header class="site-header">(.*?)</header>', html, re.DOTALL).group(1)


def test_someone_in_one_organization_sees_no_switch_but_its_name_in_the_account_menu(owner_client):
    header = header_of(owner_client)
    assert 'class="org-switch"' not in header
    assert ">Switch<" not in header
    menu = header[header.index('<details class="account-menu">') : header.index("</details>")]
    assert '<li class="menu-note">Acme (Owner)</li>' in menu
    for name in ("audits:profile", "password_change", "audits:organization-create"):
        assert f'href="{reverse(name)}"' in menu


def test_someone_in_two_organizations_can_switch(owner_client, owner):
    MembershipFactory(user=owner, organization=OrganizationFactory(name="Beta"), role=Membership.Role.VIEWER)
    header = header_of(owner_client)
    assert f'action="{reverse("audits:organization-switch")}"' in header
    assert ">Switch</button>" in header
    assert '<label for="org-switch-select" class="visually-hidden">Organization</label>' in header


def test_log_out_stays_one_click_away(owner_client):
    assert '<button type="submit" class="link-button">Log out</button>' in header_of(owner_client)
