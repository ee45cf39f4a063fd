"""Starting next year's audit from this year's: what carries over, and how."""

import re

from django.db import transaction

from .document import load
from .models import ActionReview, Audit, Force, FrictionPoint, Metric, StageStrategy, Team
from .workshop import start_audit


def next_title(title: str, year: int) -> str:
    """The title a year on: every year in it moved on by one ("FY2018-2019" → "FY2019-2020"), or the year added."""
    if str(year - 1) not in title:
        return f"{title} {year}"
    return re.sub(r"(?<!\d)(19[9]\d|20\d\d)(?!\d)", lambda match: str(int(match.group()) + 1), title)


@transaction.atomic
def carry_forward(audit: Audit) -> Audit:
    """Create the audit for the next period of the same flywheel, starting from `audit`.

    The strategy map and metric definitions (no readings) are copied; forces start with last
    year's "now" as their "before" and last year's planned change as the target to check;
    friction rows still open come along, linked to their origin; last year's action items wait
    for review. Rows settled last year stay in last year's audit, listed there for reference.
    """
    document = load(audit)
    year = audit.period_year + 1
    new = Audit.objects.create(
        flywheel=audit.flywheel,
        title=next_title(audit.title, year),
        period_year=year,
        language=audit.language,
        carried_from=audit,
    )
    StageStrategy.objects.bulk_create(
        StageStrategy(audit=new, stage=row.stage, principle=row.principle, approach=row.approach)
        for row in document.strategies
    )
    Metric.objects.bulk_create(
        Metric(
            audit=new,
            position=position,
            carried_from_id=row.id,
            stage=row.stage,
            name=row.name,
            kind=row.kind,
            unit=row.unit,
            period=row.period,
            activity=row.activity,
            higher_is_better=row.higher_is_better,
        )
        for position, row in enumerate(document.metrics)
    )
    teams = Team.objects.bulk_create(
        Team(audit=new, name=team.name, position=position) for position, team in enumerate(document.teams)
    )
    Force.objects.bulk_create(
        Force(
            audit=new,
            team=team,
            position=position,
            carried_from_id=force.id,
            name=force.name,
            before=force.now,
            serves=force.serves,
            stage=force.stage,
            owner=force.owner,
            target=force.planned_change,
        )
        for team, row in zip(teams, document.teams, strict=True)
        for position, force in enumerate(row.forces)
    )
    FrictionPoint.objects.bulk_create(
        FrictionPoint(
            audit=new,
            position=position,
            carried_from_id=row.id,
            source=row.source,
            origin=row.origin,
            stage=row.stage,
            teams=row.teams,
        )
        for position, row in enumerate(document.open_friction)
    )
    ActionReview.objects.bulk_create(
        ActionReview(
            audit=new,
            position=position,
            kind=item.kind,
            what=item.what,
            fix=item.fix,
            owner=item.owner,
            due_date=item.due_date,
        )
        for position, item in enumerate(document.action_items)
    )
    start_audit(new)  # the self-assessment questions, asked anew
    return new
