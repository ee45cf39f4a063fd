"""The one way in to organization data.

Every lookup of an organization, flywheel, audit, membership or invitation is scoped to the
user's memberships. An object of another organization is a 404 (it does not exist for this
user); an object of the user's own organization that needs a higher role is a 403.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Now
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Audit, Flywheel, Guest, Invitation, JoinLink, Membership, Organization, Workshop

Role = Membership.Role

# What each kind of action needs, lowest role first.
RANK = {Role.VIEWER: 0, Role.PARTICIPANT: 1, Role.FACILITATOR: 2, Role.OWNER: 3}
NEEDS = {
    "view": Role.VIEWER,  # read and export
    "edit": Role.PARTICIPANT,  # edit audit content
    "manage": Role.FACILITATOR,  # create, rename, delete flywheels and audits
    "own": Role.OWNER,  # members and invitations
}

SESSION_KEY = "organization_id"


def role_allows(role: str, need: str) -> bool:
    return RANK[Role(role)] >= RANK[NEEDS[need]]


def _require(role: str | None, need: str) -> None:
    if role is None:
        raise Http404("Not found.")
    if not role_allows(role, need):
        message = _("Your role does not allow this (%(role)s or higher needed).") % {"role": NEEDS[need].label}
        raise PermissionDenied(message)


def _with_role(queryset: QuerySet, user, organization_path: str) -> QuerySet:
    """Annotate each row with the user's role in its organization, keeping only those with one."""
    role = Membership.objects.filter(user=user, organization=OuterRef(organization_path)).values("role")[:1]
    return queryset.annotate(user_role=Subquery(role)).filter(user_role__isnull=False)


def memberships_of(user) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organization").order_by("organization__name")


def get_organization_for(user, organization_id: int, need: str = "view") -> Organization:
    organization = _with_role(Organization.objects.filter(pk=organization_id), user, "pk").first()
    _require(organization and organization.user_role, need)
    return organization


def get_flywheel_for(user, flywheel_id: int, need: str = "view", trashed: bool = False) -> Flywheel:
    flywheels = Flywheel.objects.trashed() if trashed else Flywheel.objects.alive()
    flywheel = _with_role(flywheels.filter(pk=flywheel_id), user, "organization").select_related("organization").first()
    _require(flywheel and flywheel.user_role, need)
    return flywheel


def _audit_role(user, guests: bool = True) -> Coalesce | Subquery:
    """The user's role on an audit: their membership's, else (`guests`) a participant's while their join link lasts."""
    member = Membership.objects.filter(user=user, organization=OuterRef("flywheel__organization")).values("role")[:1]
    if not guests:
        return Subquery(member)
    guest = (
        Guest.objects.filter(
            user=user, audit=OuterRef("pk"), join_link__revoked_at__isnull=True, join_link__expires_at__gt=Now()
        )
        .annotate(role=Value(Role.PARTICIPANT.value, output_field=CharField()))
        .values("role")[:1]
    )
    return Coalesce(Subquery(member), Subquery(guest))


def get_audit_for(user, audit_id: int, need: str = "view", trashed: bool = False, guests: bool = True) -> Audit:
    """The audit, if `user` may `need` it; `guests=False` (the API) counts memberships only, not guest passes."""
    if not trashed and guests:
        # Every workshop request comes this way: the role from the poll's hand-written check, then the
        # audit by its key — two plain queries cost less than compiling the one below (3 ms vs 7 ms).
        _version, role = audit_version_for(user, audit_id)
        return _audit_with_role(audit_id, role, need, "flywheel__organization", "workshop")
    audits = Audit.objects.trashed() if trashed else Audit.objects.alive()
    audit = (
        audits.filter(pk=audit_id)
        .annotate(user_role=_audit_role(user, guests))
        .filter(user_role__isnull=False)
        .select_related("flywheel__organization", "workshop")
        .first()
    )
    _require(audit and audit.user_role, need)
    return audit


# The live poll's question, asked every 2 s by every open page. Written out once because building it
# with the ORM cost more than running it; it asks what get_audit_for does (an alive audit, and the
# user's membership of its organization or a guest pass whose link is open), and answers the role
# it found too. tests/test_isolation.py walks the poll's URL as an outsider and as a guest like every other.
_MEMBER_ROLE = f"""SELECT membership.role FROM {Membership._meta.db_table} membership
  WHERE membership.user_id = %(user)s AND membership.organization_id = flywheel.organization_id"""
_GUEST_PASS = f"""SELECT 1 FROM {Guest._meta.db_table} guest
  JOIN {JoinLink._meta.db_table} link ON link.id = guest.join_link_id
  WHERE guest.user_id = %(user)s AND guest.audit_id = audit.id
    AND link.revoked_at IS NULL AND link.expires_at > %(now)s"""
_VERSION_SQL = f"""
SELECT audit.content_version, COALESCE(({_MEMBER_ROLE}), CASE WHEN EXISTS ({_GUEST_PASS}) THEN %(guest)s END){{more}}
FROM {Audit._meta.db_table} audit
JOIN {Flywheel._meta.db_table} flywheel ON flywheel.id = audit.flywheel_id{{joins}}
WHERE audit.id = %(audit)s AND audit.deleted_at IS NULL AND flywheel.deleted_at IS NULL
  AND (EXISTS ({_MEMBER_ROLE}) OR EXISTS ({_GUEST_PASS}))
"""
VERSION_SQL = _VERSION_SQL.format(more="", joins="")
# The same, with what tells one poll's answer from another's without loading the audit
# (answers.answer_key): the audit's and flywheel's names and times, and the workshop's live state.
POLL_COLUMNS = {
    "created": "audit.created",
    "updated": "audit.updated",
    "title": "audit.title",
    "language": "audit.language",
    "flywheel_name": "flywheel.name",
    "layout_version": "workshop.layout_version",
    "shared_version": "workshop.shared_version",
    "logged_from": "workshop.logged_from",
    "voting_open": "workshop.voting_open",
    "hidden_steps": "workshop.hidden_steps",
}
POLL_SQL = _VERSION_SQL.format(
    more="".join(f", {column}" for column in POLL_COLUMNS.values()),
    joins=f"\nLEFT JOIN {Workshop._meta.db_table} workshop ON workshop.audit_id = audit.id",
)


def audit_version_for(user, audit_id: int) -> tuple[int, str]:
    """The audit's content_version and the user's role on it, if they may view it (else 404): one query."""
    row = _version_row(VERSION_SQL, user, audit_id)
    return row[0], row[1]


def _version_row(sql: str, user, audit_id: int) -> tuple:
    if not 0 < audit_id < 2**63:  # no such id (a form's number may be any size): the database would refuse it
        raise Http404("Not found.")
    parameters = {"audit": audit_id, "user": user.pk, "now": timezone.now(), "guest": Role.PARTICIPANT.value}
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        row = cursor.fetchone()
    if row is None:
        raise Http404("Not found.")
    return row


@dataclass(frozen=True)
class PollState:
    """What the poll's one query tells of an audit the user may view: its version, their role, and the rest
    of POLL_COLUMNS (None where the audit has no workshop yet)."""

    audit_id: int
    version: int
    role: str
    fields: dict


def poll_state_for(user, audit_id: int) -> PollState:
    """The audit's version, the user's role on it and POLL_COLUMNS, if they may view it (else 404): one query."""
    row = _version_row(POLL_SQL, user, audit_id)
    return PollState(audit_id, row[0], row[1], dict(zip(POLL_COLUMNS, row[2:], strict=True)))


def polled_audit(audit_id: int, role: str, need: str = "view") -> Audit:
    """The audit whose version poll_state_for answered, with the role it found: for the poll's answer."""
    return _audit_with_role(audit_id, role, need, "flywheel", "workshop")


def _audit_with_role(audit_id: int, role: str, need: str, *related: str) -> Audit:
    _require(role, need)
    audit = Audit.objects.alive().select_related(*related).filter(pk=audit_id).first()
    _require(audit and role, need)
    audit.user_role = role
    return audit


def get_membership_for(user, organization_id: int, membership_id: int, need: str = "own") -> Membership:
    organization = get_organization_for(user, organization_id, need)
    membership = organization.memberships.select_related("user").filter(pk=membership_id).first()
    if membership is None:
        raise Http404("Not found.")
    return membership


def get_invitation_for(user, organization_id: int, invitation_id: int, need: str = "own") -> Invitation:
    organization = get_organization_for(user, organization_id, need)
    invitation = organization.invitations.filter(pk=invitation_id).first()
    if invitation is None:
        raise Http404("Not found.")
    return invitation


def user_memberships(request: HttpRequest) -> list[Membership]:
    """Return the user's memberships, fetched once per request."""
    if not hasattr(request, "_memberships"):
        request._memberships = list(memberships_of(request.user)) if request.user.is_authenticated else []
    return request._memberships


def current_membership(request: HttpRequest) -> Membership | None:
    """Return the membership of the organization the user is working in, or None if they have none.

    The choice lives in the session; a stale or foreign id falls back to the user's first
    organization, so the session can never point a user into someone else's data.
    """
    memberships = user_memberships(request)
    chosen = request.session.get(SESSION_KEY)
    for membership in memberships:
        if membership.organization_id == chosen:
            return membership
    return memberships[0] if memberships else None


def switch_organization(request: HttpRequest, organization_id: int) -> Organization:
    organization = get_organization_for(request.user, organization_id)
    request.session[SESSION_KEY] = organization.pk
    return organization


def current_organization_for(request: HttpRequest, need: str = "view") -> Organization:
    """Return the organization the user works in, checked against `need` (404 without one)."""
    membership = current_membership(request)
    _require(membership and membership.role, need)
    return membership.organization
