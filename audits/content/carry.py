"""Starting next year's audit from this year's: what carries over, and how."""

import re
from dataclasses import dataclass, replace
from datetime import datetime

from django.db import transaction
from django.db.models import Q

from audits.content.document import AuditDocument, ReviewRow, load, save
from audits.content.starting import start_audit
from audits.models import Audit, Flywheel


class NextAuditExists(Exception):
    """The flywheel already has an audit for the year after: carrying forward again would make a second one."""

    def __init__(self, audit: Audit):
        super().__init__(f"{audit} already exists")
        self.audit = audit


@dataclass(frozen=True)
class Neighbour:
    """Another audit of the same flywheel, as the pages link to it."""

    id: int
    title: str
    period_year: int
    updated: datetime


def next_audit(audit: Audit) -> Audit | None:
    """The flywheel's audit (alive, not in the trash) for the year after `audit`'s, if there is one."""
    return (
        Audit.objects.alive()
        .filter(flywheel_id=audit.flywheel_id, period_year=audit.period_year + 1)
        .order_by("created", "pk")
        .first()
    )


def neighbours(audit: Audit) -> tuple[Neighbour | None, Neighbour | None]:
    """The flywheel's latest audit before `audit`'s year, and its audit for the year after (one query)."""
    year = audit.period_year
    rows = [
        Neighbour(*row)
        for row in Audit.objects.filter(flywheel_id=audit.flywheel_id, deleted_at__isnull=True)
        .filter(Q(period_year__lt=year) | Q(period_year=year + 1))
        .order_by("period_year", "created", "pk")
        .values_list("pk", "title", "period_year", "updated")
    ]
    earlier = [row for row in rows if row.period_year < year]
    later = [row for row in rows if row.period_year > year]
    return (earlier[-1] if earlier else None, later[0] if later else None)


def next_title(title: str, year: int) -> str:
    """The title a year on: every year in it moved on by one ("FY2018-2019" → "FY2019-2020"), or the year added."""
    if str(year - 1) not in title:
        return f"{title} {year}"
    return re.sub(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", lambda match: str(int(match.group()) + 1), title)


def next_document(document: AuditDocument) -> AuditDocument:
    """Next period's audit, as a document made from this one.

    The strategy map and metric definitions (no readings) are copied; forces start with last
    year's "now" as their "before" (and, until the team changes it, their "now") and last year's
    planned change as the target to check;
    friction rows still open come along, to be answered anew; last year's action items wait
    for review. Rows settled last year stay in last year's audit, listed there for reference.
    """
    header = document.header
    year = header.period_year + 1
    return replace(
        document,
        header=replace(
            header, title=next_title(header.title, year), period_year=year, workshop_date=None, status="draft"
        ),
        metrics=tuple(replace(metric, readings=()) for metric in document.metrics),
        conversions=(),
        teams=tuple(
            replace(
                team,
                forces=tuple(
                    # "now" starts as it was: the team edits what moved, and the rest stays unchanged.
                    replace(force, before=force.now, target=force.planned_change, planned_change="")
                    for force in team.forces
                ),
            )
            for team in document.teams
        ),
        friction=tuple(
            replace(row, automation="", new_goal="", restructure="", owner="", due_date=None)
            for row in document.open_friction
        ),
        self_assessment=(),
        action_reviews=tuple(
            ReviewRow(None, item.kind, item.what, item.fix, item.owner, item.due_date, status="", note="", version=1)
            for item in document.action_items
        ),
    )


def worth_carrying(document: AuditDocument) -> bool:
    """Whether the audit holds anything to start next year's from (a brand-new one does not)."""
    return bool(
        document.metrics
        or document.forces
        or document.friction
        or any(row.principle or row.approach for row in document.strategies)
    )


@transaction.atomic
def carry_forward(audit: Audit) -> Audit:
    """Create the audit for the next period of the same flywheel, starting from `audit`.

    Raise NextAuditExists if the flywheel has one for that year already. The flywheel's row is locked
    first, so two carry-forwards at once queue there and the second finds the first's audit
    (PostgreSQL: the row lock; SQLite: its IMMEDIATE transactions take the write lock at the start).
    """
    list(Flywheel.objects.select_for_update().filter(pk=audit.flywheel_id).values_list("pk"))
    existing = next_audit(audit)
    if existing is not None:
        raise NextAuditExists(existing)
    new = save(next_document(load(audit)), audit.flywheel, carried_from=audit)
    start_audit(new)  # the self-assessment questions, asked anew
    return new
