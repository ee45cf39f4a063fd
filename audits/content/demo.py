"""The demo: HubSpot's worked example as an organization, a flywheel and an audit."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation

from audits.content import hubspot_example as example
from audits.content.carry import carry_forward
from audits.content.document import NO
from audits.content.starting import has_content, start_audit
from audits.models import (
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Membership,
    Metric,
    Organization,
    Reading,
    SelfAssessment,
    StageStrategy,
    Team,
)

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "flywheel-demo"
DEMO_ORGANIZATION = "Demo organization"
DEMO_FLYWHEEL = "HubSpot example"
DEMO_AUDIT = "HubSpot flywheel audit"


@transaction.atomic
def load_demo() -> Audit:
    """Create the demo organization, user, flywheel and audit with HubSpot's example in it.

    A second run changes nothing: the example is written only into an audit that has no content.
    """
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    organization = Organization.objects.filter(memberships__user=user, name=DEMO_ORGANIZATION).first()
    if organization is None:
        organization = Organization.objects.create(name=DEMO_ORGANIZATION)
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    flywheel, _ = Flywheel.objects.get_or_create(
        organization=organization,
        name=DEMO_FLYWHEEL,
        defaults={
            "description": "HubSpot's own flywheel from the INBOUND 2018 homework: free content attracts, "
            "freemium software engages, guided and self-service education delights."
        },
    )
    audit, _ = Audit.objects.get_or_create(
        flywheel=flywheel,
        title=DEMO_AUDIT,
        defaults={"period_year": 2018, "language": Audit.Language.ENGLISH},
    )
    if not has_content(audit):
        with translation.override(audit.language):
            fill_with_example(audit)
    if not Audit.objects.filter(carried_from=audit).exists():
        with translation.override(audit.language):
            follow_up(audit)
    return audit


# In 2019 three forces moved on again (illustrative, like the figures).
CHANGES_2019 = {
    "Review-site strategy": "Ask promoters for a review right after a positive NPS answer",
    "Lead rotation": "Route leads by buying behaviour: support-assist, velocity and enterprise teams",
    "Customer feedback loops": "Close the loop with every detractor within a week",
}
REVIEWS = ["done", "done", "done", "partly", "done", "done", "done"]


def follow_up(audit: Audit) -> Audit:
    """The 2019 audit, carried forward from 2018: 2018's "now" and fixes in place, illustrative new figures."""
    new = carry_forward(audit)
    for force in new.forces.filter(name__in=CHANGES_2019):
        force.now = CHANGES_2019[force.name]
        force.save(update_fields=["now"])
    for review, status in zip(new.action_reviews.order_by("position"), REVIEWS, strict=False):
        review.status = status
        review.save(update_fields=["status"])
    _next_year_readings(audit, new)
    sla, emails = example.OTHER_FRICTION_SOURCES
    FrictionPoint.objects.bulk_create(
        [
            FrictionPoint(
                audit=new,
                position=0,
                source=str(sla.source),
                origin=sla.origin,
                stage=sla.stage,
                teams=", ".join(str(team) for team in sla.teams),
                automation=NO,
                new_goal="A written definition of a marketing-qualified lead, agreed in the marketing–sales SLA",
            ),
            FrictionPoint(
                audit=new,
                position=1,
                source=str(emails.source),
                origin=emails.origin,
                stage=emails.stage,
                teams=", ".join(str(team) for team in emails.teams),
            ),
        ]
    )
    return new


def _next_year_readings(previous: Audit, new: Audit) -> None:
    """A year on: more coming in, less leaking out, each bucket starting from last year's total."""
    readings = []
    for metric in new.metrics.select_related("carried_from"):
        last_year = list(metric.carried_from.readings.order_by("period_start"))
        total = last_year[-1].total if last_year else None
        for reading in last_year:
            start = reading.period_start.replace(year=new.period_year)
            if metric.kind == Metric.Kind.NPS:
                readings.append(
                    Reading(
                        metric=metric,
                        period_start=start,
                        promoters=round(reading.promoters * 1.12),
                        passives=reading.passives,
                        detractors=round(reading.detractors * 0.8),
                        promoters_lost=round(reading.promoters_lost * 0.9),
                    )
                )
                continue
            gained, lost = round(reading.gained * 1.15), round(reading.lost * 0.95)
            total = total + gained - lost
            readings.append(Reading(metric=metric, period_start=start, gained=gained, lost=lost, total=total))
    Reading.objects.bulk_create(readings)


def fill_with_example(audit: Audit) -> None:
    """Write HubSpot's worked example into an audit that has no content yet."""
    start_audit(audit)
    _fill_strategies(audit)
    _fill_metrics(audit)
    _fill_forces(audit)
    _fill_friction(audit)
    _fill_self_assessment(audit)


def _fill_strategies(audit: Audit) -> None:
    strategies = {strategy.stage: strategy for strategy in audit.strategies.all()}
    for row in example.STRATEGIES:
        strategies[row.stage].principle = str(row.principle)
        strategies[row.stage].approach = str(row.approach)
    StageStrategy.objects.bulk_update(strategies.values(), ["principle", "approach"])


def _fill_metrics(audit: Audit) -> None:
    metrics = Metric.objects.bulk_create(
        Metric(
            audit=audit,
            stage=row.stage,
            name=str(row.name),
            kind=row.kind,
            unit=str(row.unit),
            period=row.period,
            activity=str(row.activity),
            illustrative=True,
            position=position,
        )
        for position, row in enumerate(example.METRICS)
    )
    readings = example.illustrative_readings(audit.period_year)
    Reading.objects.bulk_create(
        Reading(metric=metric, **figures)
        for metric, row in zip(metrics, example.METRICS, strict=True)
        for figures in readings[row.key]
    )


def _fill_forces(audit: Audit) -> None:
    teams = {team.name: team for team in audit.teams.all()}
    next_position = max((team.position for team in teams.values()), default=-1) + 1
    team_by_key = {}
    for row in example.TEAMS:
        name = str(row.name)
        if name not in teams:
            teams[name] = Team.objects.create(audit=audit, name=name, position=next_position)
            next_position += 1
        team_by_key[row.key] = teams[name]
    Force.objects.bulk_create(
        Force(
            audit=audit,
            team=team_by_key[row.team],
            name=str(row.name),
            before=str(row.before),
            now=str(row.now),
            stage=row.stage,
            serves=row.serves,
            position=position,
        )
        for position, row in enumerate(example.FORCES)
    )


def _fill_friction(audit: Audit) -> None:
    FrictionPoint.objects.bulk_create(
        FrictionPoint(
            audit=audit,
            source=str(row.source),
            automation=str(row.automation),
            new_goal=str(row.new_goal),
            restructure=str(row.restructure),
            origin=row.origin,
            stage=row.stage,
            teams=", ".join(str(team) for team in row.teams),
            position=position,
        )
        for position, row in enumerate(example.FRICTION)
    )


def _fill_self_assessment(audit: Audit) -> None:
    answers = list(audit.self_assessment.all())
    for answer in answers:
        row = example.SELF_ASSESSMENT[answer.question]
        answer.answer = row.answer
        answer.notes = str(row.notes)
    SelfAssessment.objects.bulk_update(answers, ["answer", "notes"])
