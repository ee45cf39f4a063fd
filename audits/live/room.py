"""Running a workshop live: join links, guests, presence, the facilitator's controls and dot votes.

Everything the facilitator changes here bumps the audit's content_version, so every open page
learns of it through the same one-query poll as a content change (audits/views/polling.py), and
records on the Workshop which kind of change that version was (audits/live/deltas.py reads it): one
that alters what viewers may see or edit (`layout_version`), or only the shared parts
(`shared_version`: the timer, the facilitator's step, a vote while totals are blank).
"""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import is_password_usable
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.accounts.permissions import role_allows
from audits.accounts.visibility import HIDEABLE_STEPS, hidden_since, loaded_workshop
from audits.content import guidance
from audits.content.document import AuditDocument, display_name, name_shown
from audits.content.editing import bump_content_version
from audits.content.tables import TABLES
from audits.models import Audit, Force, FrictionPoint, Guest, JoinLink, Membership, Presence, Vote, Workshop

JOIN_SALT = "audits.join-link"
JOIN_HOURS = (2, 4, 8, 24)
PRESENT_SECONDS = 45
STEP_KEYS = [step.key for step in guidance.STEPS]
VOTABLE = {"friction": FrictionPoint, "force": Force}
# The step each table's rows are edited on (friction's answers each have their own step); action
# reviews are edited on the overview, which is no step and is never locked.
STEP_OF_TABLE = {
    "strategy": "strategy",
    "metric": "metrics",
    "reading": "metrics",
    "team": "forces",
    "force": "forces",
    "friction": "identify",
    "assessment": "restructure",
    "review": "",
}
STEP_OF_FRICTION_FIELD = {
    "automation": "automate",
    "new_goal": "goals",
    "restructure": "restructure",
    "owner": "summary",
    "due_date": "summary",
}


class Refused(Exception):
    """A live action that is not allowed now; the message says why, for the person who tried."""


def step_of(kind: str, field: str = "") -> str:
    if kind == "friction" and field in STEP_OF_FRICTION_FIELD:
        return STEP_OF_FRICTION_FIELD[field]
    return STEP_OF_TABLE[kind]


def workshop_of(audit: Audit) -> Workshop:
    workshop, _created = Workshop.objects.get_or_create(audit=audit)
    return workshop


def _changed(audit: Audit, workshop: Workshop, *fields: str, layout: bool) -> None:
    """Save the workshop's changed `fields`; `layout`: the change alters what viewers may see or edit."""
    mark = "layout_version" if layout else "shared_version"
    with transaction.atomic():
        setattr(workshop, mark, bump_content_version(audit))
        workshop.live_changes += 1
        workshop.save(update_fields=[*fields, mark, "live_changes"])


# --- Joining --------------------------------------------------------------------------------------


def join_token(link: JoinLink) -> str:
    """The link's token: its id, signed, so that a made-up or altered token never reaches the database."""
    return signing.Signer(salt=JOIN_SALT).sign(str(link.pk))


def link_for_token(token: str) -> JoinLink | None:
    try:
        link_id = int(signing.Signer(salt=JOIN_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    return JoinLink.objects.select_related("audit__flywheel__organization").filter(pk=link_id).first()


def active_join_link(audit: Audit) -> JoinLink | None:
    return audit.join_links.filter(revoked_at__isnull=True, expires_at__gt=timezone.now()).first()


def open_join_link(audit: Audit, user, hours: int) -> JoinLink:
    """Open a new join link for `hours`; an earlier open link of the audit is revoked (one link at a time)."""
    now = timezone.now()
    with transaction.atomic():
        audit.join_links.filter(revoked_at__isnull=True, expires_at__gt=now).update(revoked_at=now)
        link = JoinLink.objects.create(audit=audit, created_by=user, expires_at=now + timedelta(hours=hours))
        # Open pages learn of it on their next poll: the presenter view shows its QR code, the bar its link.
        _changed(audit, workshop_of(audit), layout=False)
    return link


def revoke_join_link(link: JoinLink) -> None:
    """Close the link: nobody new can join, and the guests who joined with it lose access."""
    with transaction.atomic():
        if JoinLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
            _changed(link.audit, workshop_of(link.audit), layout=False)


def is_member(user, audit: Audit) -> bool:
    return Membership.objects.filter(user=user, organization_id=audit.flywheel.organization_id).exists()


def join_as_guest(link: JoinLink, name: str):
    """Make an account for a guest who typed only a name: no password, no e-mail, this one audit."""
    user = get_user_model().objects.create(
        username=f"guest-{secrets.token_hex(8)}", first_name=name.strip()[:150], is_active=True
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Guest.objects.create(user=user, audit=link.audit, join_link=link, display_name=name.strip()[:60])
    return user


def join_as_user(link: JoinLink, user) -> None:
    """A logged-in person of another organization joins this audit as a guest, under their own name."""
    Guest.objects.update_or_create(
        user=user, audit=link.audit, defaults={"join_link": link, "display_name": display_name(user)[:60]}
    )


# --- Presence -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    name: str
    step: str
    is_guest: bool


def mark_present(audit: Audit, user, step: str) -> None:
    """Note that `user` has `audit` open at `step`: one UPDATE, an INSERT the first time. Every open page
    calls this every 15 s, so it avoids update_or_create's locking read and savepoint."""
    values = {"step": step if step in STEP_KEYS else "", "last_seen": timezone.now()}
    mine = Presence.objects.filter(audit=audit, user=user)
    if mine.update(**values):
        return
    try:
        with transaction.atomic():
            Presence.objects.create(audit=audit, user=user, **values)
    except IntegrityError:  # the same person's other tab got there first
        mine.update(**values)


def present_people(audit: Audit) -> list[Person]:
    since = timezone.now() - timedelta(seconds=PRESENT_SECONDS)
    rows = Presence.objects.filter(audit=audit, last_seen__gte=since).values_list(
        "step", "user__first_name", "user__last_name", "user__username", "user__password"
    )
    people = [
        Person(name_shown(first, last, username), step, not is_password_usable(password))
        for step, first, last, username, password in rows
    ]
    return sorted(people, key=lambda person: person.name.casefold())


# --- The facilitator's controls -------------------------------------------------------------------


def presenter_step(workshop: Workshop | None, shown: str | None, seen: str | None = None) -> str:
    """The step the presenter view shows: the one it shows (or was opened from) until the facilitator moves
    to another step than the one it last saw (`seen`, None when opened), then theirs; without either, the
    facilitator's current step, else the first."""
    current = workshop.current_step if workshop is not None else ""
    if current and seen is not None and current != seen:
        return current
    if shown in STEP_KEYS:
        return shown
    return current or STEP_KEYS[0]


def lead_to(audit: Audit, step: str) -> None:
    """Make `step` the facilitator's current step: participants who follow go there."""
    if step not in STEP_KEYS:
        raise Refused(_("There is no such step."))
    workshop = workshop_of(audit)
    workshop.current_step = step
    _changed(audit, workshop, "current_step", layout=False)


@dataclass(frozen=True)
class Timer:
    ends_at: datetime | None  # running
    left: timedelta | None  # paused

    @property
    def running(self) -> bool:
        return self.ends_at is not None

    @property
    def paused(self) -> bool:
        return self.left is not None

    @property
    def clock(self) -> str:
        """The time left as m:ss (h:mm:ss from an hour up)."""
        seconds = self.seconds_left() or 0
        hours, rest = divmod(seconds, 3600)
        return f"{hours}:{rest // 60:02}:{rest % 60:02}" if hours else f"{rest // 60}:{rest % 60:02}"

    def seconds_left(self, now: datetime | None = None) -> int | None:
        if self.ends_at is not None:
            return max(0, round((self.ends_at - (now or timezone.now())).total_seconds()))
        if self.left is not None:
            return max(0, round(self.left.total_seconds()))
        return None


def timer_of(workshop: Workshop) -> Timer:
    return Timer(workshop.timer_ends_at, workshop.timer_left)


def start_timer(audit: Audit, minutes: float) -> None:
    if not 0 < minutes <= 24 * 60:
        raise Refused(_("Give the timer between a few seconds and 24 hours."))
    workshop = workshop_of(audit)
    workshop.timer_ends_at = timezone.now() + timedelta(minutes=minutes)
    workshop.timer_left = None
    _changed(audit, workshop, "timer_ends_at", "timer_left", layout=False)


def pause_timer(audit: Audit) -> None:
    workshop = workshop_of(audit)
    if workshop.timer_ends_at is None:
        raise Refused(_("The timer is not running."))
    workshop.timer_left = max(workshop.timer_ends_at - timezone.now(), timedelta(0))
    workshop.timer_ends_at = None
    _changed(audit, workshop, "timer_ends_at", "timer_left", layout=False)


def resume_timer(audit: Audit) -> None:
    workshop = workshop_of(audit)
    if workshop.timer_left is None:
        raise Refused(_("The timer is not paused."))
    workshop.timer_ends_at = timezone.now() + workshop.timer_left
    workshop.timer_left = None
    _changed(audit, workshop, "timer_ends_at", "timer_left", layout=False)


def add_minute(audit: Audit) -> None:
    workshop = workshop_of(audit)
    minute = timedelta(minutes=1)
    if workshop.timer_ends_at is not None:
        workshop.timer_ends_at = max(workshop.timer_ends_at, timezone.now()) + minute
    elif workshop.timer_left is not None:
        workshop.timer_left += minute
    else:
        workshop.timer_ends_at = timezone.now() + minute
    _changed(audit, workshop, "timer_ends_at", "timer_left", layout=False)


def stop_timer(audit: Audit) -> None:
    workshop = workshop_of(audit)
    workshop.timer_ends_at = workshop.timer_left = None
    _changed(audit, workshop, "timer_ends_at", "timer_left", layout=False)


def set_locked(audit: Audit, step: str, locked: bool) -> None:
    if step not in STEP_KEYS:
        raise Refused(_("There is no such step."))
    workshop = workshop_of(audit)
    steps = set(workshop.locked_steps)
    workshop.locked_steps = sorted(steps | {step} if locked else steps - {step})
    _changed(audit, workshop, "locked_steps", layout=True)


def is_locked(workshop: Workshop | None, step: str) -> bool:
    return workshop is not None and step in workshop.locked_steps


LOCKED_MESSAGE = gettext_lazy("The facilitator has locked this step for now: your change was not saved.")


def locks_out(audit: Audit, kind: str, field: str = "") -> bool:
    """Whether a lock keeps the audit's viewer from editing this table (or friction answer): every write checks.

    `audit` comes from permissions.get_audit_for (it carries the role); facilitators are never locked out.
    """
    if role_allows(audit.user_role, "manage"):
        return False
    return is_locked(loaded_workshop(audit), step_of(kind, field))


def hide_step(audit: Audit, step: str, named: bool) -> None:
    """Start anonymous input on `step`: from now on, participants see only their own new rows."""
    if step not in HIDEABLE_STEPS:
        raise Refused(_("Only the friction and forces steps take anonymous input."))
    workshop = workshop_of(audit)
    workshop.hidden_steps = {**workshop.hidden_steps, step: timezone.now().isoformat()}
    workshop.named_input = named
    _changed(audit, workshop, "hidden_steps", "named_input", layout=True)


def reveal_step(audit: Audit, step: str) -> None:
    workshop = workshop_of(audit)
    workshop.hidden_steps = {key: since for key, since in workshop.hidden_steps.items() if key != step}
    _changed(audit, workshop, "hidden_steps", layout=True)


def hidden_count(audit: Audit, workshop: Workshop | None, step: str) -> int:
    """How many rows of a hidden step were written since hiding began (shown as a count on the projector)."""
    since = hidden_since(workshop, step)
    if since is None:
        return 0
    return TABLES[HIDEABLE_STEPS[step]].model.objects.filter(audit=audit, created__gte=since).count()


# --- Dot voting -----------------------------------------------------------------------------------


def set_voting(audit: Audit, is_open: bool, votes_per_person: int | None = None, named: bool | None = None) -> None:
    workshop = workshop_of(audit)
    workshop.voting_open = is_open
    if votes_per_person is not None:
        if not 1 <= votes_per_person <= 50:
            raise Refused(_("Give each person between 1 and 50 votes."))
        workshop.votes_per_person = votes_per_person
    if named is not None:
        workshop.named_votes = named
    _changed(audit, workshop, "voting_open", "votes_per_person", "named_votes", layout=True)


def clear_votes(audit: Audit) -> None:
    # Closed voting shows the dots and sorts the tables by them: clearing them redraws the tables.
    workshop = workshop_of(audit)
    with transaction.atomic():
        Vote.objects.filter(audit=audit).delete()
        workshop.layout_version = bump_content_version(audit)
        workshop.live_changes += 1
        workshop.save(update_fields=["layout_version", "live_changes"])


def vote_key(kind: str, row_id: int) -> str:
    return f"{kind}-{row_id}"


def my_votes(audit: Audit, user) -> dict[str, int]:
    """The dots `user` put on each row, by vote_key: {"friction-12": 2, "force-7": 1}."""
    counts = (
        Vote.objects.filter(audit=audit, user=user)
        .values("friction_id", "force_id")
        .annotate(dots=Count("pk"))
        .order_by()
    )
    return {
        vote_key("friction", row["friction_id"]) if row["friction_id"] else vote_key("force", row["force_id"]): row[
            "dots"
        ]
        for row in counts
    }


def cast_vote(audit: Audit, user, kind: str, row_id: int) -> None:
    """Put one of the user's dots on a row; refused when voting is closed or the user has none left."""
    with transaction.atomic():
        # Locking the workshop row makes "count my dots, then add one" safe against double clicks.
        workshop = Workshop.objects.select_for_update().filter(audit=audit).first()
        if workshop is None or not workshop.voting_open:
            raise Refused(_("Voting is closed."))
        row = VOTABLE[kind].objects.filter(audit=audit, pk=row_id).first()
        if row is None:
            raise Refused(_("This row no longer exists."))
        spent = Vote.objects.filter(audit=audit, user=user).count()
        if spent >= workshop.votes_per_person:
            raise Refused(_("You have used all your %(count)s votes.") % {"count": workshop.votes_per_person})
        Vote.objects.create(audit=audit, user=user, **{kind: row})
        _voted(audit, workshop)


def withdraw_vote(audit: Audit, user, kind: str, row_id: int) -> None:
    with transaction.atomic():
        workshop = Workshop.objects.select_for_update().filter(audit=audit).first()
        if workshop is None or not workshop.voting_open:
            raise Refused(_("Voting is closed."))
        vote = Vote.objects.filter(audit=audit, user=user, **{f"{kind}_id": row_id}).order_by("-pk").first()
        if vote is None:
            raise Refused(_("You have no vote on this row."))
        vote.delete()
        _voted(audit, workshop)


def _voted(audit: Audit, workshop: Workshop) -> None:
    # While voting is open everyone sees only their own dots (their vote's answer) and blank totals,
    # so a vote changes only the shared parts of other pages.
    workshop.shared_version = bump_content_version(audit)
    workshop.live_changes += 1
    workshop.save(update_fields=["shared_version", "live_changes"])


def voters_of(audit: Audit) -> dict[str, list[str]]:
    """Who voted on each row, by vote_key (named voting only), each name once per dot."""
    voters: dict[str, list[str]] = {}
    for vote in Vote.objects.filter(audit=audit).select_related("user").order_by("pk"):
        key = vote_key("friction", vote.friction_id) if vote.friction_id else vote_key("force", vote.force_id)
        voters.setdefault(key, []).append(display_name(vote.user))
    return voters


def shows_results(workshop: Workshop | None, document: AuditDocument) -> bool:
    """Whether the tables show the dots: once voting has closed, if anyone voted."""
    if workshop is None or workshop.voting_open:
        return False
    return any(row.votes for row in (*document.friction, *document.forces))


def by_votes(rows) -> tuple:
    """Rows with the most dots first; ties keep their order."""
    return tuple(sorted(rows, key=lambda row: -row.votes))


def sorted_by_votes(document: AuditDocument) -> AuditDocument:
    teams = tuple(replace(team, forces=by_votes(team.forces)) for team in document.teams)
    return replace(document, friction=by_votes(document.friction), teams=teams)
