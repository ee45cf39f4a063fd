"""Starting next year's audit from this year's: what carries over, and how."""

import re
from dataclasses import replace

from django.db import transaction

from .document import AuditDocument, ReviewRow, load, save
from .models import Audit
from .workshop import start_audit


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


@transaction.atomic
def carry_forward(audit: Audit) -> Audit:
    """Create the audit for the next period of the same flywheel, starting from `audit`."""
    new = save(next_document(load(audit)), audit.flywheel, carried_from=audit)
    start_audit(new)  # the self-assessment questions, asked anew
    return new
