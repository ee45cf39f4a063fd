from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django.utils import timezone

from audits.accounts import permissions
from audits.models import Audit, Flywheel, Membership

from .factories import MembershipFactory, OrganizationFactory, UserFactory

Role = Membership.Role

# Which role may do what: view, edit, manage, own.
MATRIX = {
    Role.VIEWER: (True, False, False, False),
    Role.PARTICIPANT: (True, True, False, False),
    Role.FACILITATOR: (True, True, True, False),
    Role.OWNER: (True, True, True, True),
}


@pytest.mark.parametrize("role", list(MATRIX))
def test_it_allows_each_role_what_it_may_do(role):
    allowed = tuple(permissions.role_allows(role, need) for need in ("view", "edit", "manage", "own"))
    assert allowed == MATRIX[role]


def test_it_accepts_plain_role_strings():
    assert permissions.role_allows("facilitator", "manage")
    assert not permissions.role_allows("viewer", "edit")


def test_it_rejects_an_unknown_role_or_need():
    with pytest.raises(ValueError):
        permissions.role_allows("emperor", "view")
    with pytest.raises(KeyError):
        permissions.role_allows("owner", "fly")


def test_it_hides_an_audit_of_another_organization(owner, outsider):
    foreign = Audit.objects.get(flywheel__organization__memberships__user=outsider)
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, foreign.pk)


def test_it_hides_a_missing_audit(owner):
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, 999_999)


def test_it_forbids_an_audit_to_an_insufficient_role(member_factory, audit):
    viewer = member_factory(Role.VIEWER)
    with pytest.raises(PermissionDenied, match="Participant or higher needed"):
        permissions.get_audit_for(viewer, audit.pk, need="edit")


@pytest.mark.parametrize(("role", "need"), [(Role.VIEWER, "view"), (Role.PARTICIPANT, "edit"), (Role.OWNER, "own")])
def test_it_returns_the_audit_to_a_sufficient_role(member_factory, audit, role, need):
    found = permissions.get_audit_for(member_factory(role), audit.pk, need=need)
    assert found == audit
    assert found.user_role == role


def test_it_uses_the_role_in_the_audits_own_organization(member_factory, audit):
    # Owner elsewhere, viewer here: the role here decides.
    viewer = member_factory(Role.VIEWER)
    MembershipFactory(user=viewer, role=Role.OWNER)
    with pytest.raises(PermissionDenied):
        permissions.get_audit_for(viewer, audit.pk, need="manage")


def test_it_finds_a_trashed_audit_only_when_asked(owner, audit):
    Audit.objects.filter(pk=audit.pk).update(deleted_at=timezone.now())
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, audit.pk)
    assert permissions.get_audit_for(owner, audit.pk, trashed=True) == audit


def test_it_does_not_find_a_live_audit_in_the_trash(owner, audit):
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, audit.pk, trashed=True)


def test_it_does_not_find_an_audit_trashed_over_30_days_ago(owner, audit):
    Audit.objects.filter(pk=audit.pk).update(deleted_at=timezone.now() - timedelta(days=31))
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, audit.pk, trashed=True)


def test_it_hides_the_audits_of_a_trashed_flywheel(owner, audit, flywheel):
    Flywheel.objects.filter(pk=flywheel.pk).update(deleted_at=timezone.now())
    Audit.objects.filter(pk=audit.pk).update(deleted_at=timezone.now())
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, audit.pk)
    # Restoring the audit alone would leave it in a flywheel that is still in the trash.
    with pytest.raises(Http404):
        permissions.get_audit_for(owner, audit.pk, trashed=True)


def test_it_finds_a_trashed_flywheel_only_when_asked(owner, flywheel):
    with pytest.raises(Http404):
        permissions.get_flywheel_for(owner, flywheel.pk, trashed=True)
    Flywheel.objects.filter(pk=flywheel.pk).update(deleted_at=timezone.now())
    with pytest.raises(Http404):
        permissions.get_flywheel_for(owner, flywheel.pk)
    assert permissions.get_flywheel_for(owner, flywheel.pk, trashed=True) == flywheel


def test_it_hides_a_flywheel_of_another_organization(owner, outsider):
    foreign = Flywheel.objects.get(organization__memberships__user=outsider)
    with pytest.raises(Http404):
        permissions.get_flywheel_for(owner, foreign.pk)


def test_it_hides_a_membership_of_another_organization(owner, organization, outsider):
    foreign = Membership.objects.get(user=outsider)
    with pytest.raises(Http404):
        permissions.get_membership_for(owner, organization.pk, foreign.pk)


def test_it_forbids_members_management_to_a_facilitator(member_factory, organization, owner):
    facilitator = member_factory(Role.FACILITATOR)
    with pytest.raises(PermissionDenied):
        permissions.get_membership_for(facilitator, organization.pk, Membership.objects.get(user=owner).pk)


def make_request(user, organization_id=None):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {} if organization_id is None else {permissions.SESSION_KEY: organization_id}
    return request


@pytest.fixture
def two_organizations(owner, organization):
    """The owner of Acme is also a viewer of Beta."""
    beta = OrganizationFactory(name="Beta")
    MembershipFactory(user=owner, organization=beta, role=Role.VIEWER)
    return organization, beta


def test_it_uses_the_organization_chosen_in_the_session(owner, two_organizations):
    _, beta = two_organizations
    membership = permissions.current_membership(make_request(owner, beta.pk))
    assert membership.organization == beta
    assert membership.role == Role.VIEWER


def test_it_falls_back_to_the_first_organization_without_a_choice(owner, two_organizations):
    acme, _ = two_organizations
    assert permissions.current_membership(make_request(owner)).organization == acme


def test_it_falls_back_when_the_session_holds_a_foreign_organization(owner, two_organizations, outsider):
    acme, _ = two_organizations
    foreign = outsider.memberships.get().organization
    request = make_request(owner, foreign.pk)
    assert permissions.current_membership(request).organization == acme
    assert permissions.current_organization_for(request) == acme


def test_it_has_no_current_membership_without_organizations(db):
    request = make_request(UserFactory())
    assert permissions.current_membership(request) is None
    with pytest.raises(Http404):
        permissions.current_organization_for(request)


def test_it_has_no_current_membership_for_anonymous_visitors(db):
    assert permissions.current_membership(make_request(AnonymousUser())) is None


def test_it_checks_the_role_in_the_current_organization(owner, two_organizations):
    _, beta = two_organizations
    with pytest.raises(PermissionDenied):
        permissions.current_organization_for(make_request(owner, beta.pk), need="manage")


def test_it_switches_only_to_an_organization_of_the_user(owner, two_organizations, outsider):
    _, beta = two_organizations
    request = make_request(owner)
    assert permissions.switch_organization(request, beta.pk) == beta
    assert request.session[permissions.SESSION_KEY] == beta.pk
    foreign = outsider.memberships.get().organization
    with pytest.raises(Http404):
        permissions.switch_organization(request, foreign.pk)
    assert request.session[permissions.SESSION_KEY] == beta.pk


def test_it_lists_only_the_users_memberships(owner, two_organizations, outsider):
    names = [membership.organization.name for membership in permissions.memberships_of(owner)]
    assert names == ["Acme", "Beta"]
