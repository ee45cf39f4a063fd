"""Sample audits of a chosen size, for tests and the benchmark.

Deterministic (no randomness: the same arguments always give the same rows) and written with
bulk_create, so even a large audit takes a fraction of a second. The figures are plausible:
each bucket's total is the previous total plus gained minus lost, and the buckets shrink along
the flywheel's path, so the conversions between them look like real ones.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction

from audits.content.document import NO
from audits.content.periods import next_period, previous_period
from audits.content.starting import start_audit
from audits.models import (
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Metric,
    Reading,
    SelfAssessment,
    Stage,
    StageStrategy,
    Team,
)

ATTRACT, ENGAGE, DELIGHT = Stage.ATTRACT, Stage.ENGAGE, Stage.DELIGHT
BUCKET, NPS, RATE, VALUE = Metric.Kind.BUCKET, Metric.Kind.NPS, Metric.Kind.RATE, Metric.Kind.VALUE


@dataclass(frozen=True)
class MetricSpec:
    rank: int  # place on the flywheel's path: the buckets, in this order, feed one another
    stage: str
    name: str
    kind: str
    unit: str
    activity: str
    size: int  # a bucket's typical monthly intake; a rate's or value's typical level


# The first four are a small audit's: three buckets with conversions between them, and an NPS.
METRICS: tuple[MetricSpec, ...] = (
    MetricSpec(0, ATTRACT, "Website visitors", BUCKET, "visitors", "Blog posts, webinars and search.", 42000),
    MetricSpec(3, ENGAGE, "Free users", BUCKET, "users", "Freemium sign-up from every page.", 3600),
    MetricSpec(5, ENGAGE, "Paying customers", BUCKET, "customers", "Upgrade prompts inside the product.", 240),
    MetricSpec(9, DELIGHT, "Net Promoter Score", NPS, "respondents", "Quarterly survey, rolling monthly cut.", 300),
    MetricSpec(1, ATTRACT, "Newsletter subscribers", BUCKET, "subscribers", "Weekly newsletter.", 6000),
    MetricSpec(2, ATTRACT, "Organic search share", RATE, "%", "Search-friendly content.", 46),
    MetricSpec(4, ENGAGE, "Product-qualified leads", BUCKET, "leads", "Usage limits that invite an upgrade.", 700),
    MetricSpec(6, ENGAGE, "Average deal size", VALUE, "EUR", "Bundles for growing teams.", 1800),
    MetricSpec(7, ENGAGE, "Trial-to-paid rate", RATE, "%", "Onboarding e-mails during the trial.", 18),
    MetricSpec(8, DELIGHT, "Retained customers", BUCKET, "customers", "Customer success check-ins.", 210),
    MetricSpec(10, DELIGHT, "Referrals", BUCKET, "referrals", "Referral programme.", 60),
    MetricSpec(11, DELIGHT, "Support satisfaction", RATE, "%", "Knowledge base and live chat.", 88),
)

TEAM_NAMES = ("Marketing", "Sales", "Service", "Product", "Operations", "Finance", "Partnerships")

FORCE_NAMES = (
    "Content marketing",
    "Paid search",
    "Product trial",
    "Sales demos",
    "Onboarding calls",
    "Knowledge base",
    "Community forum",
    "Referral programme",
    "Quarterly business reviews",
    "Renewal reminders",
)
SERVES = (Force.Serves.CUSTOMER, Force.Serves.PROCESS, Force.Serves.BOTH, "")
FORCE_STAGES = (ATTRACT, ENGAGE, DELIGHT, "")
OWNERS = ("Ana", "Bao", "Chloé", "Dariush", "")

FRICTION_SOURCES = (
    "Customers wait two days for an answer from support",
    "Leads are handed to sales without context",
    "Invoices are sent by hand at the end of the month",
    "Prospects cannot try the product without a call",
    "Two teams onboard the same customer",
    "Nobody owns the customer after the first year",
    "Pricing page does not match what sales quotes",
    "Churned customers are never asked why",
)

# The six states a friction row can be in: (automation, new goal, restructure).
FRICTION_STATES = (
    ("Self-service help centre", "", ""),  # settled by automation
    (NO, "Shared goal: activated customers", ""),  # settled by a new goal
    (NO, NO, "One onboarding team"),  # settled by restructuring
    (NO, NO, NO),  # open: every step said no
    (NO, "", ""),  # waiting on the goals step
    ("", "", ""),  # not answered yet
)

STRATEGIES = {
    ATTRACT: ("Give value before extracting value", "Free guides, webinars and a weekly newsletter."),
    ENGAGE: ("Make buying easy", "A free plan, then an upgrade in two clicks."),
    DELIGHT: ("Your customers' success is your success", "Onboarding, a knowledge base and check-ins."),
}

ASSESSMENT = {
    SelfAssessment.Question.SAME_JOB: ("yes", "Onboarding sits in sales and in service."),
    SelfAssessment.Question.TOO_SPECIALIZED: ("no", ""),
    SelfAssessment.Question.BLIND_SPOT: ("yes", "Nobody owns renewals."),
}


def build_small_audit(flywheel: Flywheel) -> Audit:
    """Return a new audit with a few rows of each kind: every table, every friction state."""
    return build_large_audit(
        flywheel, friction=len(FRICTION_STATES), forces=3, teams=2, metrics=4, periods=3, title="Small sample audit"
    )


@transaction.atomic
def build_large_audit(
    flywheel: Flywheel,
    *,
    friction: int = 300,
    forces: int = 150,
    teams: int = 5,
    metrics: int = 12,
    periods: int = 36,
    title: str = "Large sample audit",
    year: int = 2025,
) -> Audit:
    """Return a new audit of `flywheel` with this many rows; `periods` monthly readings per metric."""
    audit = Audit.objects.create(flywheel=flywheel, title=title, period_year=year, workshop_date=date(year, 11, 14))
    team_rows = Team.objects.bulk_create(
        Team(audit=audit, name=_numbered(TEAM_NAMES, index), position=index) for index in range(teams)
    )
    start_audit(audit)  # the strategies and self-assessment rows every audit starts with
    _fill_strategies(audit)
    _fill_assessment(audit)
    _add_metrics(audit, metrics, periods)
    _add_forces(audit, team_rows, forces)
    _add_friction(audit, friction)
    return audit


def _numbered(names: tuple[str, ...], index: int) -> str:
    """The index-th name, with a round number once the names run out: "Marketing 2"."""
    name = names[index % len(names)]
    return name if index < len(names) else f"{name} {index // len(names) + 1}"


def _fill_strategies(audit: Audit) -> None:
    strategies = list(audit.strategies.all())
    for strategy in strategies:
        strategy.principle, strategy.approach = STRATEGIES[strategy.stage]
    StageStrategy.objects.bulk_update(strategies, ["principle", "approach"])


def _fill_assessment(audit: Audit) -> None:
    answers = list(audit.self_assessment.all())
    for row in answers:
        row.answer, row.notes = ASSESSMENT[row.question]
    SelfAssessment.objects.bulk_update(answers, ["answer", "notes"])


def _add_metrics(audit: Audit, count: int, period_count: int) -> None:
    specs = [METRICS[index % len(METRICS)] for index in range(count)]
    metric_rows = Metric.objects.bulk_create(
        Metric(
            audit=audit,
            stage=spec.stage,
            name=_numbered(tuple(spec.name for spec in METRICS), index),
            kind=spec.kind,
            unit=spec.unit,
            period=Metric.Period.MONTH,
            activity=spec.activity,
            illustrative=True,
            position=index // len(METRICS) * len(METRICS) + spec.rank,
        )
        for index, spec in enumerate(specs)
    )
    # The readings end with the audit's year: 36 periods are the three years up to December.
    first = date(audit.period_year, 12, 1)
    for _ in range(period_count - 1):
        first = previous_period(first, Metric.Period.MONTH)
    starts = [first]
    for _ in range(period_count - 1):
        starts.append(next_period(starts[-1], Metric.Period.MONTH))
    Reading.objects.bulk_create(
        Reading(metric=metric, period_start=start, **figures)
        for metric, spec in zip(metric_rows, specs, strict=True)
        for start, figures in zip(starts, _figures(spec, period_count), strict=True)
    )


def _figures(spec: MetricSpec, count: int) -> list[dict]:
    """Plausible figures per period: steady growth with a small, repeating wobble."""
    figures = []
    total = spec.size * 3  # what the bucket held before the first period
    for index in range(count):
        wobble = (index * 7) % 11 - 5  # -5 … 5, never random
        if spec.kind == BUCKET:
            gained = spec.size + spec.size * index // 50 + spec.size * wobble // 40
            lost = gained * (30 + (index * 3) % 13) // 100
            total = total + gained - lost
            figures.append({"gained": gained, "lost": lost, "total": total})
        elif spec.kind == NPS:
            promoters = spec.size // 2 + index + wobble
            detractors = spec.size // 6 - index // 4 + wobble // 2
            figures.append(
                {
                    "promoters": promoters,
                    "passives": spec.size - promoters - detractors,
                    "detractors": detractors,
                    "promoters_lost": 5 + (index * 5) % 9,
                }
            )
        else:
            figures.append({"value": spec.size + index // 3 + wobble})
    return figures


def _add_forces(audit: Audit, team_rows: list[Team], count: int) -> None:
    if not team_rows:
        return
    Force.objects.bulk_create(
        Force(
            audit=audit,
            team=team_rows[index % len(team_rows)],
            name=_numbered(FORCE_NAMES, index),
            before=f"Run by hand, {index % 4 + 1} people involved.",
            now=f"Partly automated; reviewed every {index % 3 + 1} weeks.",
            serves=SERVES[index % len(SERVES)],
            stage=FORCE_STAGES[index % len(FORCE_STAGES)],
            planned_change="" if index % 3 == 2 else f"Hand step {index % 5 + 1} to the customer.",
            owner=OWNERS[index % len(OWNERS)],
            position=index // len(team_rows),  # each team's forces in order
        )
        for index in range(count)
    )


def _add_friction(audit: Audit, count: int) -> None:
    rows = []
    for index in range(count):
        automation, new_goal, restructure = FRICTION_STATES[index % len(FRICTION_STATES)]
        settled = any(answer and answer != NO for answer in (automation, new_goal, restructure))
        rows.append(
            FrictionPoint(
                audit=audit,
                source=_numbered(FRICTION_SOURCES, index),
                origin=FrictionPoint.Origin.values[index % 2],
                stage=Stage.values[index % 3],
                teams=", ".join(TEAM_NAMES[index % 3 : index % 3 + 2]),
                automation=automation,
                new_goal=new_goal,
                restructure=restructure,
                owner=OWNERS[index % len(OWNERS)] if settled else "",
                due_date=date(audit.period_year + 1, 1, 31) + timedelta(days=7 * (index % 20)) if settled else None,
                position=index,
            )
        )
    FrictionPoint.objects.bulk_create(rows)
