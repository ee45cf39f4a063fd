"""What a viewer may see of an audit: decided here, once, for every page, fragment, export and API answer.

Every renderer gets its document from `document_for(audit, viewer)`, so none can forget a rule:

- Anonymous input: while the facilitator hides a step (friction identification, forces), participants
  and guests see only their own new rows and every row written before hiding; the projector sees
  only the rows from before hiding (and a count). Facilitators and owners see every row, on their
  pages and in their downloads: they run the reveal and keep the record. A row hidden from a viewer
  is a 404 to them on every route (`visible_row_or_404`).
- Votes: while voting is open nobody sees the running totals; pages, exports and the API show none
  until it closes.
- Authors: a row's author is named only when the facilitator chose named input.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from django.http import Http404

from audits.accounts.permissions import role_allows
from audits.content.document import AuditDocument, load
from audits.models import Audit, Workshop

# Steps whose new rows can be kept anonymous until the facilitator reveals them: step -> table.
HIDEABLE_STEPS = {"identify": "friction", "forces": "force"}
HIDING_STEP_OF_TABLE = {table: step for step, table in HIDEABLE_STEPS.items()}


@dataclass(frozen=True)
class Viewer:
    user_id: int | None  # None: the projector, which is nobody's own view
    sees_all: bool  # facilitators and owners see hidden rows

    @classmethod
    def of(cls, audit: Audit, user) -> "Viewer":
        """The viewer `user` is on `audit`, fetched through permissions (it carries the user's role)."""
        return cls(user.pk, role_allows(audit.user_role, "manage"))


PROJECTOR = Viewer(None, sees_all=False)


def loaded_workshop(audit: Audit) -> Workshop | None:
    """The audit's live workshop state, fetched with the audit by get_audit_for (None before the first use)."""
    try:
        return audit.workshop
    except Workshop.DoesNotExist:
        return None


def hidden_since(workshop: Workshop | None, step: str) -> datetime | None:
    if workshop is None or step not in workshop.hidden_steps:
        return None
    since = datetime.fromisoformat(workshop.hidden_steps[step])
    # To the millisecond: a deleted row's snapshot keeps its `created` so (DjangoJSONEncoder), and one written
    # in the millisecond the step was hidden must stay hidden too. A row written just before, in that same
    # millisecond, is hidden with it: the safe side.
    return since.replace(microsecond=since.microsecond // 1000 * 1000)


def _shown(row, since: datetime | None, viewer: Viewer) -> bool:
    if since is None or viewer.sees_all or row.created is None or row.created < since:
        return True
    return viewer.user_id is not None and row.author_id == viewer.user_id


def row_hidden_from(viewer: Viewer, workshop: Workshop | None, kind: str, row) -> bool:
    """Whether `viewer` may not see (so not reach, edit or vote on) this row, saved or from the document."""
    step = HIDING_STEP_OF_TABLE.get(kind)
    return step is not None and not _shown(row, hidden_since(workshop, step), viewer)


def visible_row_or_404(audit: Audit, viewer: Viewer, kind: str, row):
    """The row, unless it is still hidden from this viewer: then it does not exist for them."""
    if row is None or row_hidden_from(viewer, loaded_workshop(audit), kind, row):
        raise Http404("No such row.")
    return row


def visible_part(document: AuditDocument, workshop: Workshop | None, viewer: Viewer) -> AuditDocument:
    """The part of `document` that `viewer` may see, given the workshop's live state (None: no live workshop)."""
    blank_votes = workshop is not None and workshop.voting_open
    named = workshop is not None and workshop.named_input

    def seen(rows, kind: str) -> tuple:
        since = hidden_since(workshop, HIDING_STEP_OF_TABLE[kind])
        kept = []
        for row in rows:
            if not _shown(row, since, viewer):
                continue
            if blank_votes and row.votes:
                row = replace(row, votes=0)
            if not named and row.author_name:
                row = replace(row, author_name="")
            kept.append(row)
        return tuple(kept)

    teams = tuple(replace(team, forces=seen(team.forces, "force")) for team in document.teams)
    return replace(document, friction=seen(document.friction, "friction"), teams=teams)


def document_for(audit: Audit, viewer: Viewer) -> AuditDocument:
    """The audit as `viewer` may see it: the one way pages, exports, comparisons and the API load an audit."""
    return visible_part(load(audit), loaded_workshop(audit), viewer)


def user_document(audit: Audit, user) -> AuditDocument:
    """The audit as `user` sees it; `audit` comes from permissions.get_audit_for (it carries the role)."""
    return document_for(audit, Viewer.of(audit, user))
