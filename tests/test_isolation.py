"""Tenant isolation: walk every URL pattern that takes an id, as an outsider and as anonymous.

The patterns come from the URL resolver, so a new URL is covered as soon as it exists; a new
kind of URL argument fails `test_it_knows_every_url_argument` until it is given a victim value.
"""

import copy
import itertools
import re
import secrets
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from audits.content.editing import delete_row
from audits.content.starting import start_audit
from audits.content.tables import TABLES
from audits.live import room
from audits.models import (
    ApiToken,
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Guest,
    Invitation,
    JoinLink,
    Membership,
    Metric,
    Organization,
    Reading,
    SelfAssessment,
    StageStrategy,
    Team,
    Vote,
    Workshop,
)

from .factories import AuditFactory, FlywheelFactory, MembershipFactory, OrganizationFactory, UserFactory

SECRET = "VICTIM-SECRET"
TRACKED_MODELS = [
    Organization,
    Membership,
    Invitation,
    Flywheel,
    Audit,
    StageStrategy,
    Metric,
    Reading,
    Team,
    Force,
    FrictionPoint,
    SelfAssessment,
    Workshop,
    JoinLink,
    Guest,
    Vote,
]


def walk(patterns, prefix="", namespace=""):
    """Yield (route, name, argument names) for every URL pattern."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            arguments = list(pattern.pattern.regex.groupindex)
            yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", arguments


ID_ROUTES = [route for route in walk(get_resolver().url_patterns) if route[2]]


def make_tenant(label: str) -> dict:
    organization = OrganizationFactory(name=f"{label} organization")
    owner = MembershipFactory(organization=organization, user=UserFactory(username=f"{label}-owner")).user
    other = MembershipFactory(organization=organization, role=Membership.Role.VIEWER)
    flywheel = FlywheelFactory(organization=organization, name=f"{label} flywheel")
    audit = AuditFactory(flywheel=flywheel, title=f"{label} audit")
    trashed_audit = AuditFactory(flywheel=flywheel, title=f"{label} trashed audit", deleted_at=timezone.now())
    trashed_flywheel = FlywheelFactory(organization=organization, name=f"{label} trashed", deleted_at=timezone.now())
    invitation, _ = Invitation.issue(organization, Membership.Role.PARTICIPANT, owner, note=f"{label} invitee")
    api_token, secret = ApiToken.issue(owner, f"{label} token")
    start_audit(audit)
    metric = Metric.objects.create(audit=audit, stage="attract", name=f"{label} visitors")
    reading = Reading.objects.create(metric=metric, period_start=date(2025, 1, 1), gained=5)
    team = audit.teams.first()
    force = Force.objects.create(audit=audit, team=team, name=f"{label} force")
    friction = FrictionPoint.objects.create(audit=audit, source=f"{label} friction")
    rows = [audit.strategies.first(), metric, reading, team, force, friction, audit.self_assessment.first()]
    # A deletion that could be undone: restoring it would add a friction row to the victim's audit.
    deleted = FrictionPoint.objects.create(audit=audit, source=f"{label} deleted friction")
    delete_row(audit, deleted, owner)
    # A live workshop: voting open (a stranger's vote would change Vote) and an open join link.
    room.set_voting(audit, True, votes_per_person=5)
    room.open_join_link(audit, owner, hours=4)
    Vote.objects.create(audit=audit, user=owner, friction=friction)
    return {
        "user": owner,
        "audit": audit,  # not a URL argument: the audit a guest of this tenant joins
        "organization_id": [organization.pk],
        "membership_id": [other.pk],
        "invitation_id": [invitation.pk],
        "token_id": [api_token.pk],
        # Not a URL argument: the owner's API token, sent by the API routes.
        "api_token": secret,
        "flywheel_id": [flywheel.pk, trashed_flywheel.pk],
        "audit_id": [audit.pk, trashed_audit.pk],
        # Django admin arguments: the admin is for staff only.
        "object_id": [audit.pk],
        "id": [owner.pk],
        "url": [f"audits/audit/{audit.pk}/change"],
        "content_type_id": [ContentType.objects.get_for_model(Audit).pk],
        "app_label": ["audits"],
        # An invitation token is itself the secret; an unknown one must reveal nothing.
        "token": [secrets.token_urlsafe(32)],
        "uidb64": ["MQ"],
        # The workshop: its steps, panels and tables (every kind of row, each kind's id).
        "step": ["strategy", "summary"],
        "name": ["diagram"],
        "file_format": ["json", "xlsx", "pptx"],
        "kind": sorted(TABLES),
        "row_id": sorted({row.pk for row in rows}),
        "activity_id": [audit.activities.get().pk],
    }


@pytest.fixture(scope="module")
def tenants(module_transaction) -> dict:
    """The victim's and the outsider's organizations, made once for the module's few hundred tests."""
    return {"victim": make_tenant(SECRET), "outsider": make_tenant("outsider")}


# Each test gets its own copies of the tenants' objects: a test that changes one in memory leaves the next alone.
@pytest.fixture
def victim(db, tenants):
    return copy.deepcopy(tenants["victim"])


@pytest.fixture
def outsider_tenant(db, tenants):
    return copy.deepcopy(tenants["outsider"])


def snapshot() -> dict:
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in TRACKED_MODELS}
    rows["User"] = list(get_user_model().objects.order_by("pk").values("pk", "username", "password", "email"))
    # Not last_used_at: the outsider's own token records its use.
    rows["ApiToken"] = list(ApiToken.objects.order_by("pk").values("pk", "user", "name", "token_hash", "revoked_at"))
    return rows


# Arguments that name no organization's object: the same for victim and outsider.
SHARED_ARGUMENTS = {"step", "name", "file_format", "kind", "token", "uidb64", "app_label", "content_type_id"}


def urls_to_try(route_arguments: list[str], victim: dict, outsider: dict):
    """Every mix of victim and outsider objects in which at least one object is the victim's."""
    tenant_arguments = [argument for argument in route_arguments if argument not in SHARED_ARGUMENTS]
    for from_victim in itertools.product([True, False], repeat=len(tenant_arguments)):
        if tenant_arguments and not any(from_victim):
            continue
        owner = dict(zip(tenant_arguments, from_victim, strict=True))
        choices = [(victim if owner.get(argument, True) else outsider)[argument] for argument in route_arguments]
        for values in itertools.product(*choices):
            yield dict(zip(route_arguments, values, strict=True))


POST_DATA = {
    "name": "taken over",
    "title": "taken over",
    "description": "x",
    "role": "owner",
    "note": "x",
    "period_year": "2020",
    "language": "en",
    "status": "complete",
    "organization": "1",
}


def test_it_knows_every_url_argument(victim):
    known = set(victim)
    arguments = {argument for _, _, route_arguments in ID_ROUTES for argument in route_arguments}
    assert arguments <= known, f"give these URL arguments a victim value in make_tenant: {arguments - known}"


def test_it_walks_the_routes_of_every_area():
    names = {name for _, name, _ in ID_ROUTES}
    assert {"audits:audit", "audits:flywheel", "audits:members", "audits:member-role", "audits:invitation"} <= names


def _resolve(route: str, name: str, kwargs: dict) -> str:
    if not name.endswith(":None"):
        return reverse(name, kwargs=kwargs)
    # Unnamed patterns (the admin's redirects): fill the route in by hand.
    filled = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(kwargs[match.group(1)]), route)
    filled = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: str(kwargs[match.group(1)]), filled)
    return "/" + filled.replace("^", "").replace("$", "")


@pytest.mark.parametrize(("route", "name", "arguments"), ID_ROUTES, ids=[name for _, name, _ in ID_ROUTES])
def test_an_outsider_gets_404_and_changes_nothing(client, victim, outsider_tenant, route, name, arguments):
    client.force_login(outsider_tenant["user"])
    # The API ignores the session: the outsider comes with their own token.
    headers = {"Authorization": f"Bearer {outsider_tenant['api_token']}"} if name.startswith("audits:api-") else {}
    before = snapshot()
    for kwargs in urls_to_try(arguments, victim, outsider_tenant):
        url = _resolve(route, name, kwargs)
        for method in ("get", "post"):
            response = getattr(client, method)(url, POST_DATA, headers=headers)
            body = response.content.decode(errors="replace")
            assert SECRET not in body, f"{method.upper()} {url} showed the victim's data"
            if name.startswith("admin:"):
                # Not staff: sent to the admin's login page, never shown the object.
                assert response.status_code == 302, f"{method.upper()} {url}: {response.status_code}"
            elif name == "password_reset_confirm":
                assert "This link no longer works" in body
            elif name.startswith("audits:api-") and method == "get":
                assert response.status_code == 404, f"GET {url}: {response.status_code}"
                assert response.json() == {"error": "Not found."}
            else:
                # 405 comes from the method check, before any lookup: it tells nothing about the id.
                assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"
    assert snapshot() == before, f"{name} changed rows of another organization"


@pytest.mark.parametrize(("route", "name", "arguments"), ID_ROUTES, ids=[name for _, name, _ in ID_ROUTES])
def test_an_anonymous_visitor_is_sent_to_log_in(client, victim, route, name, arguments):
    before = snapshot()
    kwargs = {argument: victim[argument][0] for argument in arguments}
    url = _resolve(route, name, kwargs)
    for method in ("get", "post"):
        response = getattr(client, method)(url, POST_DATA)
        assert SECRET not in response.content.decode(errors="replace")
        if name in ("audits:invitation", "audits:join"):
            assert response.status_code == 404  # an unknown token
        elif name.startswith("audits:api-"):
            # No token, no access: 401, never a redirect to the log-in page; the method check comes first.
            assert response.status_code == (401 if method == "get" else 405), f"{method.upper()} {url}"
            assert "error" in response.json()
        elif name == "password_reset_confirm":
            assert "This link no longer works" in response.content.decode()
        else:
            assert response.status_code == 302, f"{method.upper()} {url}: {response.status_code}"
            assert re.search(r"/(accounts|admin)/login/", response["Location"]), response["Location"]
    assert snapshot() == before


def test_an_outsiders_session_cannot_point_into_another_organization(client, victim, outsider_tenant):
    client.force_login(outsider_tenant["user"])
    session = client.session
    session["organization_id"] = victim["organization_id"][0]
    session.save()
    for url in (reverse("audits:flywheels"), reverse("audits:trash")):
        body = client.get(url).content.decode()
        assert SECRET not in body
        assert "outsider flywheel" in body or "outsider trashed" in body


@pytest.fixture
def guest_of_another_audit(client, outsider_tenant):
    """A guest who joined the outsider's audit by link: in that audit's organization, but only in that audit."""
    link = room.open_join_link(outsider_tenant["audit"], outsider_tenant["user"], hours=4)
    response = client.post(reverse("audits:join", kwargs={"token": room.join_token(link)}), {"name": "Gus"})
    assert response.status_code == 302
    return outsider_tenant["audit"]


@pytest.mark.parametrize(("route", "name", "arguments"), ID_ROUTES, ids=[name for _, name, _ in ID_ROUTES])
def test_a_guest_reaches_only_their_own_audit(client, victim, guest_of_another_audit, route, name, arguments):
    before = snapshot()
    kwargs = {argument: victim[argument][0] for argument in arguments}
    url = _resolve(route, name, kwargs)
    for method in ("get", "post"):
        response = getattr(client, method)(url, POST_DATA)
        assert SECRET not in response.content.decode(errors="replace")
        if response.status_code == 302:
            assert response["Location"] in (guest_of_another_audit.get_absolute_url(), "/admin/login/?next=" + url)
        else:
            assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"
    assert snapshot() == before


# --- Rows hidden for anonymous input: a 404 on every route that takes a row id ---------------------

HIDDEN = "HIDDEN-ROW-TEXT"
ROW_ROUTES = [route for route in ID_ROUTES if "row_id" in route[2]]


@pytest.fixture
def hidden_rows(victim):
    """The victim's facilitator hides both steps; an author writes a friction row and a force, and deletes one."""
    audit = victim["audit"]
    author = MembershipFactory(organization=audit.flywheel.organization, role=Membership.Role.PARTICIPANT).user
    room.hide_step(audit, "identify", named=False)
    room.hide_step(audit, "forces", named=False)
    friction = FrictionPoint.objects.create(audit=audit, source=f"{HIDDEN} friction", author=author)
    force = Force.objects.create(audit=audit, team=audit.teams.first(), name=f"{HIDDEN} force", author=author)
    deleted = FrictionPoint.objects.create(audit=audit, source=f"{HIDDEN} deleted", author=author)
    deleted_id = deleted.pk
    delete_row(audit, deleted, author)
    return {"friction": [friction.pk, deleted_id], "force": [force.pk]}


def _participant_of(victim):
    organization_id = victim["organization_id"][0]
    return MembershipFactory(organization_id=organization_id, role=Membership.Role.PARTICIPANT).user


def _guest_of(victim):
    link = JoinLink.objects.get(audit=victim["audit"], revoked_at__isnull=True)
    return room.join_as_guest(link, "Gus")


@pytest.mark.parametrize("who", ["participant", "guest"])
@pytest.mark.parametrize(("route", "name", "arguments"), ROW_ROUTES, ids=[name for _, name, _ in ROW_ROUTES])
def test_a_hidden_row_is_a_404_to_other_participants_and_guests(
    client, victim, hidden_rows, who, route, name, arguments
):
    user = _participant_of(victim) if who == "participant" else _guest_of(victim)
    client.force_login(user)
    if who == "guest":
        session = client.session
        session["guest_audit_id"] = victim["audit"].pk
        session.save()
    kinds = ["force"] if "kind" not in arguments else sorted(hidden_rows)
    before = snapshot()
    tried = 0
    for kind in kinds:
        for row_id in hidden_rows[kind]:
            kwargs = {"audit_id": victim["audit"].pk, "kind": kind, "row_id": row_id}
            url = reverse(name, kwargs={argument: kwargs[argument] for argument in arguments})
            for method in ("get", "post"):
                data = {"field": "source" if kind == "friction" else "name", "value": "x", "original": "", **POST_DATA}
                response = getattr(client, method)(url, data)
                assert HIDDEN not in response.content.decode(errors="replace"), f"{method.upper()} {url}"
                assert response.status_code in (404, 405), f"{method.upper()} {url}: {response.status_code}"
                tried += 1
    assert tried
    assert snapshot() == before, f"{name} changed a hidden row"
