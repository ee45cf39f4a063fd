"""What changed in an audit since the version a page shows: its rows, their containers, the shared parts.

Read from what every change already records: each Activity entry carries the content_version it
produced (audits/content/editing.py), and the Workshop the version of its last live change of each kind
(audits/live/room.py). When that cannot account for every change since the page's version (a version
from the future, one from before the log began, or too many changes to be worth sending one by
one), the answer is None: the page's main area is drawn afresh.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from types import SimpleNamespace

from django.db.models import Count

from audits.accounts.visibility import Viewer, loaded_workshop, row_hidden_from
from audits.content.tables import TABLES
from audits.models import Activity, Audit

# More changes than this since a page's version: one fresh main area costs less than the fragments.
MAX_CHANGES = 100
# Edits that move a row elsewhere in its table, or in or out of a later step's table: the table is
# redrawn, not only the row. Friction answers settle a row (the later steps show the rows still open);
# a metric's stage puts its card under another heading.
# A reading's total is the next period's starting point, which its check of the total reads (document.ReadingRow).
REGROUPING_FIELDS = {"friction": {"automation", "new_goal", "restructure"}, "metric": {"stage"}, "reading": {"total"}}
# Tables whose added rows do not simply go last: metric cards sit under their stage's heading, readings
# in date order.
PLACED_IN_ORDER = {"metric", "reading"}
# The row a team's forces, a metric's readings belong to: gone with it.
PARENT_KIND = {"force": "team", "reading": "metric"}

Row = tuple[str, int]  # (kind, row id)
Container = tuple[str, int | None]  # (kind, group id): a table's rows, or a team's forces, a metric's readings


@dataclass(frozen=True)
class Changes:
    version: int  # the audit's content_version these changes bring a page to
    edited: frozenset[Row] = frozenset()  # rows to redraw in place
    added: tuple[tuple[str, int, int | None], ...] = ()  # (kind, row id, group id) to append, in the order they came
    deleted: frozenset[Row] = frozenset()  # rows to remove
    containers: frozenset[Container] = frozenset()  # rows containers to redraw whole (moves, restores, …)
    restored: frozenset[Row] = frozenset()  # rows an undo brought back (with a new id), within `containers`
    # Every row edited, added or restored since then that still exists, whether or not its container is redrawn.
    drawn: frozenset[Row] = frozenset()
    # Who wrote each deleted row and when (ISO), from its snapshot: a row hidden from a viewer is no news to them.
    authors: tuple[tuple[Row, int | None, str | None], ...] = ()
    shared: bool = False  # the shared parts (diagram, progress, session bar…) may show something new
    layout: bool = False  # what viewers may see or edit changed (lock, hiding, voting): redraw the main area

    def deleted_for(self, viewer: Viewer, workshop) -> list[Row]:
        """The deleted rows `viewer` had on their page: not those hidden from them (anonymous input)."""
        written = {row: (author_id, created) for row, author_id, created in self.authors}
        return sorted(
            row for row in self.deleted if not _hidden(viewer, workshop, row, *written.get(row, (None, None)))
        )


def _hidden(viewer: Viewer, workshop, row: Row, author_id: int | None, created: str | None) -> bool:
    kind, _row_id = row
    # The snapshot keeps milliseconds (DjangoJSONEncoder): take the latest time it may stand for, so that a
    # row written in the millisecond hiding began counts as hidden.
    when = datetime.fromisoformat(created) + timedelta(microseconds=999) if created else None
    return row_hidden_from(viewer, workshop, kind, SimpleNamespace(author_id=author_id, created=when))


def changes_since(audit: Audit, since: int, until: int | None = None, for_later_pages: bool = False) -> Changes | None:
    """What changed in `audit` after version `since` up to `until` (default: now), or None when the log
    cannot tell. What it names is drawn as it is now, which may be later than `until`.

    `for_later_pages`: the news also goes to pages at versions after `since` (a poll's answer is drawn from
    the start of a stretch: answers.answer_base), so a row that came and went since `since` is still
    named deleted, for the page that got it in between.

    `audit` comes from permissions (get_audit_for, polled_audit), its workshop with it. One query reads
    the log; rows added or deleted cost one more per table, to know whether a table became empty or
    stopped being empty (its "No rows yet." line comes or goes with a redraw).
    """
    workshop = loaded_workshop(audit)
    current = audit.content_version if until is None else until
    logged_from = workshop.logged_from if workshop else 0
    if not logged_from <= since <= current:
        return None
    entries = list(
        Activity.objects.filter(audit=audit, version__gt=since, version__lte=current)
        .order_by("version")
        .values_list(
            "action", "kind", "row_id", "field", "group_id", "snapshot__fields__author_id", "snapshot__fields__created"
        )[: MAX_CHANGES + 1]
    )
    if len(entries) > MAX_CHANGES:
        return None
    layout, shared = live_changes_since(workshop, since)
    if len(entries) < current - since and not (layout or shared):
        return None  # a change that recorded nothing: no telling what it was
    changes = _summed(entries, for_later_pages)
    containers = changes.containers | _emptied_or_filled(audit, changes)

    def drawn_alone(container: Container) -> bool:
        # A row of a redrawn container comes with it; one whose team or metric is gone went with it.
        return container not in containers and not _parent_deleted(container, changes.deleted)

    return Changes(
        version=current,
        edited=frozenset(row for row in changes.edited if drawn_alone(changes.group_of[row])),
        added=tuple((kind, row_id, group) for kind, row_id, group in changes.added if drawn_alone((kind, group))),
        deleted=frozenset(row for row in changes.deleted if drawn_alone(changes.group_of[row])),
        containers=frozenset(group for group in containers if not _parent_deleted(group, changes.deleted)),
        restored=changes.restored,
        drawn=frozenset(
            row
            for row in changes.edited | {(kind, row_id) for kind, row_id, _group in changes.added} | changes.restored
            if not _parent_deleted(changes.group_of[row], changes.deleted)
        ),
        authors=tuple(item for item in changes.authors if item[0] in changes.deleted),
        shared=bool(entries) or shared,
        layout=layout,
    )


def live_changes_since(workshop, since: int) -> tuple[bool, bool]:
    """Whether a live change came after version `since`: (one that alters what viewers may see or edit,
    one that alters only the shared parts — the timer, the facilitator's step, a vote)."""
    if workshop is None:
        return False, False
    return workshop.layout_version > since, workshop.shared_version > since


def tables_version(audit: Audit) -> int:
    """A number that grows with every change to the audit's tables and with no live change (a timer, a vote,
    a lock…): what a fragment that shows only the tables (the diagram, progress…) can be keyed by.

    A live change whose count got lost (two at once) only makes it grow once more: never an older number.
    """
    workshop = loaded_workshop(audit)
    return audit.content_version - (workshop.live_changes if workshop else 0)


def _parent_deleted(container: Container, deleted: set[Row]) -> bool:
    kind, group_id = container
    return kind in PARENT_KIND and (PARENT_KIND[kind], group_id) in deleted


@dataclass
class _Sum:
    group_of: dict[Row, Container]
    edited: set[Row]
    added: list[tuple[str, int, int | None]]
    deleted: set[Row]
    restored: frozenset[Row]
    containers: set[Container]
    authors: list[tuple[Row, int | None, str | None]]


def _summed(entries: list[tuple], for_later_pages: bool = False) -> _Sum:
    group_of: dict[Row, Container] = {}
    edited: set[Row] = set()
    added: dict[Row, int | None] = {}  # a dict keeps the order they came in
    deleted: set[Row] = set()
    restored: set[Row] = set()
    containers: set[Container] = set()
    authors = []
    for action, kind, row_id, field, group_id, author_id, created in entries:
        row, container = (kind, row_id), (kind, group_id)
        group_of[row] = container
        if action == Activity.Action.EDIT:
            edited.add(row)
            if field in REGROUPING_FIELDS.get(kind, ()):
                containers.add(container)
        elif action == Activity.Action.ADD:
            added[row] = group_id
            if kind in PLACED_IN_ORDER:
                containers.add(container)
        elif action == Activity.Action.UNDO:  # back at its old place, with a new id
            restored.add(row)
            containers.add(container)
        elif action == Activity.Action.DELETE:
            deleted.add(row)
            authors.append((row, author_id, created))
            if kind == "reading":  # the reading after it now follows another (its previous total)
                containers.add(container)
        elif action == Activity.Action.MOVE:
            containers.add(container)
    # A row that came since then is drawn whole, as it is now; one deleted since then needs no other news,
    # and one that came and went since then no news at all (but to a later page, which may have it).
    came = set(added) | restored
    return _Sum(
        group_of=group_of,
        edited=edited - came - deleted,
        added=[(kind, row_id, group) for (kind, row_id), group in added.items() if (kind, row_id) not in deleted],
        deleted=deleted if for_later_pages else deleted - came,
        restored=frozenset(restored - deleted),
        containers=containers,
        authors=authors,
    )


def _emptied_or_filled(audit: Audit, changes: _Sum) -> set[Container]:
    """The containers that rows were added to or deleted from and that are empty now, or were empty before."""
    came: dict[Container, int] = {}
    for kind, _row_id, group_id in changes.added:
        came[(kind, group_id)] = came.get((kind, group_id), 0) + 1
    touched = set(came) | {changes.group_of[row] for row in changes.deleted}
    touched = {group for group in touched - changes.containers if not _parent_deleted(group, changes.deleted)}
    redrawn = set()
    for kind in {kind for kind, _group in touched}:
        counts = _row_counts(audit, kind, [group for touched_kind, group in touched if touched_kind == kind])
        for group, count in counts.items():
            if count == 0 or count == came.get((kind, group)):
                redrawn.add((kind, group))
    return redrawn


def _row_counts(audit: Audit, kind: str, groups: list[int | None]) -> dict[int | None, int]:
    """How many rows each group of the table holds now (the audit's, or each team's or metric's): one query."""
    table = TABLES[kind]
    if table.group_by == "audit":
        return {None: table.model.objects.filter(audit=audit).count()}
    column = f"{table.group_by}_id"
    counted = table.model.objects.filter(**{f"{column}__in": groups}).values_list(column).annotate(rows=Count("pk"))
    return dict.fromkeys(groups, 0) | dict(counted.order_by())
