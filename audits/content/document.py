"""AuditDocument: one audit as plain, frozen data — what every page and export renders.

`load(audit)` reads it from the database in a fixed number of queries, whatever the audit's
size. Everything computed (net change, NPS, conversion rates, which rows are settled, the total
a bucket's figures give and whether a reading is in the audit's year) is computed here once, from
`calculations`, so every renderer shows the same numbers and flags.
"""

from dataclasses import MISSING, dataclass, field, fields, replace
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy, ngettext, ngettext_lazy, pgettext_lazy

from audits.content import calculations, periods
from audits.content.starting import DEFAULT_TEAM_NAMES
from audits.models import (
    STAGE_ORDER,
    ActionReview,
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

# A step's answer that says the step does not settle the row. Stored as it is in every language: the pages, the
# deck and the workbook show it translated.
NO = "No"


def is_no(text: str) -> bool:
    return text == NO


def is_fix(text: str) -> bool:
    return bool(text) and not is_no(text)


def content(label: Promise, *, long: bool = False, edited: bool = True, default=MISSING):
    """Declares one of a table's content fields on the document's row class, the one place a table's fields are
    declared. `build()` reads it from the saved row and `save()` writes it back, the JSON backup holds it, the
    workbook has a column for it titled `label` (read back on import), and the slides and the comparison call it
    that. `long`: it holds long text (a textarea on the page, wrapped lines in a sheet). `edited`: the table's form
    edits it; a field set otherwise (a strategy's stage, a carried item's text) is not."""
    return field(default=default, metadata={"label": label, "long": long, "edited": edited})


# Lazy labels: each is translated when it is shown, in the language active then (an export's, a page's).
STAGE_LABELS = dict(Stage.choices)
SERVES_LABELS = dict(Force.Serves.choices)
ORIGIN_LABELS = dict(FrictionPoint.Origin.choices)
SETTLING_STEPS = ("automation", "new_goal", "restructure")
# How a friction row was settled, in one wording for every page, deck and workbook: as a heading
# or a chart's category, and as the words that complete "settled by …". A row no step settled is open.
SETTLING_LABELS = {
    "automation": gettext_lazy("Automation"),
    "new_goal": gettext_lazy("New goal"),
    "restructure": gettext_lazy("Restructuring"),
}
SETTLED_BY = {
    "automation": gettext_lazy("automation"),
    "new_goal": gettext_lazy("a new goal"),
    "restructure": gettext_lazy("restructuring"),
}
OPEN_LABEL = pgettext_lazy("friction not settled yet", "Open")
# A review of last audit's action item with no status yet (ActionReview.Status labels the others).
NOT_REVIEWED_LABEL = gettext_lazy("Not reviewed yet")


def settling_step(row) -> str | None:
    """The first of a friction row's steps whose answer is a fix (the row is settled there), else None: for a
    FrictionRow or a FrictionPoint alike."""
    return next((step for step in SETTLING_STEPS if is_fix(getattr(row, step))), None)


@dataclass(frozen=True)
class PreviousAudit:
    """The audit this one was carried forward from, as the overview names it: its title and year, and the sources
    of friction it settled (listed for reference; they were not carried over)."""

    id: int
    title: str
    period_year: int
    settled_friction: tuple[str, ...] = ()


@dataclass(frozen=True)
class Header:
    id: int | None = field(compare=False)
    title: str
    flywheel_id: int | None = field(compare=False)
    flywheel_name: str
    organization_name: str
    period_year: int
    workshop_date: date | None
    language: str
    status: str
    content_version: int = field(compare=False)
    carried_from_id: int | None = field(default=None, compare=False)
    # None as well when that audit is in the trash: a page names no trashed audit.
    carried_from: PreviousAudit | None = field(default=None, compare=False)

    @property
    def language_label(self) -> str:
        return str(Audit.Language(self.language).label)

    @property
    def status_label(self) -> str:
        return str(Audit.Status(self.status).label)


@dataclass(frozen=True)
class Strategy:
    id: int | None = field(compare=False)
    stage: str = content(gettext_lazy("Stage"), edited=False)
    principle: str = content(gettext_lazy("Inbound principle"), long=True)
    approach: str = content(gettext_lazy("Approach"), long=True)
    version: int = field(default=1, compare=False)

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])


@dataclass(frozen=True)
class ReadingRow:
    id: int | None = field(compare=False)
    period_start: date = content(gettext_lazy("Period"), edited=False)
    label: str
    gained: int | None = content(gettext_lazy("Gained"))
    lost: int | None = content(gettext_lazy("Lost"))
    total: int | None = content(gettext_lazy("Total"))
    promoters: int | None = content(gettext_lazy("Promoters"))
    passives: int | None = content(gettext_lazy("Passives"))
    detractors: int | None = content(gettext_lazy("Detractors"))
    promoters_lost: int | None = content(gettext_lazy("Promoters lost"))
    value: Decimal | None = content(gettext_lazy("Value"))
    version: int = field(compare=False)
    net_change: int | None
    nps: float | None
    kind: str = field(default="", compare=False)  # its metric's kind: what the reading's figures mean
    # A bucket's total at the end of the period before (when that period was read), and the total it
    # gives with this period's gained and lost: a typed total that differs is flagged, never replaced.
    previous_total: int | None = None
    expected_total: int | None = None
    audit_year: int | None = field(default=None, compare=False)

    @property
    def checks_total(self) -> bool:
        """Whether the reading's total is checked against its previous total, gained and lost: a bucket's."""
        return self.kind == Metric.Kind.BUCKET

    @property
    def total_disagrees(self) -> bool:
        return calculations.total_disagrees(self.total, self.expected_total)

    @property
    def in_audit_year(self) -> bool:
        """Whether the period is in the year the audit looks back on; one outside it is shown, and marked."""
        return self.audit_year is None or self.period_start.year == self.audit_year


@dataclass(frozen=True)
class MetricRow:
    id: int | None = field(compare=False)
    stage: str = content(gettext_lazy("Stage"))
    name: str = content(gettext_lazy("Metric"))
    kind: str = content(gettext_lazy("Kind"))
    unit: str = content(gettext_lazy("Unit"))
    period: str = content(gettext_lazy("Period type"))
    activity: str = content(gettext_lazy("Key activity"), long=True)
    illustrative: bool = content(gettext_lazy("Illustrative"), edited=False)
    version: int = field(compare=False)
    readings: tuple[ReadingRow, ...]
    higher_is_better: bool = content(gettext_lazy("Higher is better"), default=True)
    origin_id: int | None = field(default=None, compare=False)  # the metric it was carried from
    audit_year: int | None = field(default=None, compare=False)

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS[self.stage])

    @property
    def period_choices(self) -> list[tuple[str, str]]:
        """The periods of the audit's year with no reading yet: (as typed, name in the active language) each."""
        if self.audit_year is None:
            return []
        taken = (reading.period_start for reading in self.readings)
        return periods.periods_to_pick(self.audit_year, self.period, taken)

    def headline(self, reading: ReadingRow) -> float | int | Decimal | None:
        """The one number that stands for a period: a bucket's total, the NPS, or the value."""
        if self.kind == Metric.Kind.BUCKET:
            return reading.total
        if self.kind == Metric.Kind.NPS:
            return reading.nps
        return reading.value

    @property
    def headline_values(self) -> list:
        return [self.headline(reading) for reading in self.readings]

    @property
    def latest(self) -> ReadingRow | None:
        return self.readings[-1] if self.readings else None

    @property
    def latest_value(self):
        return self.headline(self.latest) if self.latest else None

    @property
    def latest_change(self) -> float | None:
        if len(self.readings) < 2:
            return None
        return calculations.change(self.headline(self.readings[-2]), self.headline(self.readings[-1]))[0]


@dataclass(frozen=True)
class ConversionRate:
    period_start: date
    label: str
    rate: float | None


@dataclass(frozen=True)
class Conversion:
    """The conversion between two consecutive buckets of the flywheel's path, per period."""

    from_metric: str
    to_metric: str
    rates: tuple[ConversionRate, ...]
    comparable: bool = True

    @property
    def average(self) -> float | None:
        return calculations.average([rate.rate for rate in self.rates])

    @property
    def latest(self) -> float | None:
        known = [rate.rate for rate in self.rates if rate.rate is not None]
        return known[-1] if known else None

    @property
    def label(self) -> str:
        return f"{self.from_metric} → {self.to_metric}"

    @property
    def rates_values(self) -> list[float | None]:
        return [rate.rate for rate in self.rates]


@dataclass(frozen=True)
class ForceRow:
    id: int | None = field(compare=False)
    team_id: int | None = field(compare=False)
    team: str
    name: str = content(gettext_lazy("Force"), long=True)
    before: str = content(gettext_lazy("Before"), long=True)
    now: str = content(gettext_lazy("Now"), long=True)
    serves: str = content(gettext_lazy("Serves"))
    stage: str = content(gettext_lazy("Stage"))
    # Carried forward: last year's planned change, the target to check this year.
    target: str = content(gettext_lazy("Last year's planned change"), long=True, edited=False)
    planned_change: str = content(gettext_lazy("Planned change"), long=True)
    owner: str = content(gettext_lazy("Owner"))
    version: int = field(compare=False)
    origin_id: int | None = field(default=None, compare=False)
    # Live workshop facts: who wrote the row, when, and the dots it got. Not part of the content.
    author_id: int | None = field(default=None, compare=False)
    author_name: str = field(default="", compare=False)
    created: datetime | None = field(default=None, compare=False)
    votes: int = field(default=0, compare=False)

    @property
    def serves_label(self) -> str:
        return str(SERVES_LABELS.get(self.serves, ""))

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS.get(self.stage, ""))

    def shown(self, name: str) -> str:
        """A field's value as people read it: a choice by its label, text as it is."""
        if name == "serves":
            return self.serves_label
        if name == "stage":
            return self.stage_label
        return getattr(self, name)


@dataclass(frozen=True)
class TeamForces:
    id: int | None = field(compare=False)
    name: str
    version: int = field(compare=False)
    forces: tuple[ForceRow, ...]


@dataclass(frozen=True)
class FrictionRow:
    id: int | None = field(compare=False)
    number: int
    source: str = content(gettext_lazy("Source of friction"), long=True)
    origin: str = content(gettext_lazy("Origin"))
    stage: str = content(gettext_lazy("Stage"))
    teams: str = content(gettext_lazy("Teams involved"))
    automation: str = content(gettext_lazy("Automation"), long=True)
    new_goal: str = content(gettext_lazy("New goal"), long=True)
    restructure: str = content(gettext_lazy("Restructure"), long=True)
    owner: str = content(gettext_lazy("Owner"))
    due_date: date | None = content(gettext_lazy("Due date"))
    version: int = field(compare=False)
    origin_id: int | None = field(default=None, compare=False)
    # Live workshop facts: who wrote the row, when, and the dots it got. Not part of the content.
    author_id: int | None = field(default=None, compare=False)
    author_name: str = field(default="", compare=False)
    created: datetime | None = field(default=None, compare=False)
    votes: int = field(default=0, compare=False)

    @property
    def origin_label(self) -> str:
        return str(ORIGIN_LABELS.get(self.origin, ""))

    @property
    def stage_label(self) -> str:
        return str(STAGE_LABELS.get(self.stage, ""))

    @property
    def settled_by(self) -> str | None:
        """The first step whose answer is a fix; the row is settled there."""
        return settling_step(self)

    @property
    def is_open(self) -> bool:
        return self.settled_by is None

    @property
    def fix(self) -> str:
        return getattr(self, self.settled_by) if self.settled_by else ""

    def reaches(self, step: str) -> bool:
        """Whether the row is still open when the team reaches `step` (no earlier step fixed it)."""
        earlier = SETTLING_STEPS[: SETTLING_STEPS.index(step)]
        return not any(is_fix(getattr(self, name)) for name in earlier)

    def waiting_on(self, step: str) -> bool:
        """Whether an earlier step has not been answered yet."""
        earlier = SETTLING_STEPS[: SETTLING_STEPS.index(step)]
        return any(not getattr(self, name) for name in earlier)

    @property
    def summary_cells(self) -> tuple[str, str, str]:
        """The three fix columns as HubSpot's table shows them: "No" before the fix, nothing after."""
        settled = self.settled_by
        cells = []
        for step in SETTLING_STEPS:
            value = getattr(self, step)
            if settled and SETTLING_STEPS.index(step) > SETTLING_STEPS.index(settled):
                value = ""
            cells.append(value)
        return tuple(cells)


@dataclass(frozen=True)
class AssessmentRow:
    id: int | None = field(compare=False)
    question: str = content(gettext_lazy("Question"), long=True, edited=False)
    answer: str = content(gettext_lazy("Answer"))
    notes: str = content(gettext_lazy("Notes"), long=True)
    version: int = field(compare=False)

    @property
    def question_label(self) -> str:
        return str(SelfAssessment.Question(self.question).label)

    @property
    def answer_label(self) -> str:
        return str(SelfAssessment.Answer(self.answer).label) if self.answer else ""


@dataclass(frozen=True)
class ReviewRow:
    """Last audit's action item and how it went: done, partly, not done or dropped."""

    id: int | None = field(compare=False)
    kind: str = content(gettext_lazy("For (friction/force)"), edited=False)  # "friction" or "force"
    what: str = content(gettext_lazy("What"), long=True, edited=False)
    fix: str = content(gettext_lazy("Fix"), long=True, edited=False)
    owner: str = content(gettext_lazy("Owner"), edited=False)
    due_date: date | None = content(gettext_lazy("Due date"), edited=False)
    status: str = content(gettext_lazy("Status"))
    note: str = content(gettext_lazy("Note"), long=True)
    version: int = field(compare=False)

    @property
    def status_label(self) -> str:
        return str(ActionReview.Status(self.status).label) if self.status else ""


@dataclass(frozen=True)
class ActionItem:
    kind: str  # "friction" or "force"
    what: str
    fix: str
    owner: str
    due_date: date | None


@dataclass(frozen=True)
class StageSummary:
    """What the flywheel diagram shows for one stage."""

    stage: str
    label: str
    approach: str
    metric: MetricRow | None
    open_friction: int
    forces: int


@dataclass(frozen=True)
class ContentField:
    """One field a table's row class declares with `content()`."""

    name: str
    label: Promise
    long: bool
    edited: bool


def declared_fields(row_class) -> tuple[ContentField, ...]:
    """The content fields `row_class` declares, in order."""
    return tuple(
        ContentField(each.name, each.metadata["label"], each.metadata["long"], each.metadata["edited"])
        for each in fields(row_class)
        if "label" in each.metadata
    )


def content_fields(row_class) -> tuple[str, ...]:
    """The names of the content fields `row_class` declares, in order."""
    return tuple(each.name for each in declared_fields(row_class))


def edited_fields(row_class) -> tuple[str, ...]:
    """The names of the content fields a table's form edits, in order."""
    return tuple(each.name for each in declared_fields(row_class) if each.edited)


def labels_of(row_class) -> dict[str, Promise]:
    return {each.name: each.label for each in declared_fields(row_class)}


def values_of(source, names: tuple[str, ...]) -> dict:
    """The values of these fields of `source`, a saved row or a document's: how build() and save() copy a row."""
    return {name: getattr(source, name) for name in names}


# Each table's content fields, declared once by its row class (a team's name and a row's number are the document's).
STRATEGY_FIELDS = content_fields(Strategy)
METRIC_FIELDS = content_fields(MetricRow)
READING_FIELDS = content_fields(ReadingRow)
FORCE_FIELDS = content_fields(ForceRow)
FORCE_LABELS = labels_of(ForceRow)  # what the slides, the workbook and the comparison call a force's fields
FRICTION_FIELDS = content_fields(FrictionRow)
ASSESSMENT_FIELDS = content_fields(AssessmentRow)
REVIEW_FIELDS = content_fields(ReviewRow)


@dataclass(frozen=True)
class AuditDocument:
    header: Header
    strategies: tuple[Strategy, ...]
    metrics: tuple[MetricRow, ...]
    conversions: tuple[Conversion, ...]
    teams: tuple[TeamForces, ...]
    friction: tuple[FrictionRow, ...]
    self_assessment: tuple[AssessmentRow, ...]
    action_reviews: tuple[ReviewRow, ...] = ()

    @property
    def forces(self) -> list[ForceRow]:
        return [force for team in self.teams for force in team.forces]

    @property
    def weakest_conversion(self) -> Conversion | None:
        """Where the flywheel loses most momentum: the lowest average conversion."""
        return calculations.weakest([(conversion, conversion.average) for conversion in self.conversions])

    def metrics_of(self, stage: str) -> list[MetricRow]:
        return [metric for metric in self.metrics if metric.stage == stage]

    def friction_reaching(self, step: str) -> list[FrictionRow]:
        return [row for row in self.friction if row.reaches(step)]

    @property
    def open_friction(self) -> list[FrictionRow]:
        return [row for row in self.friction if row.is_open]

    @property
    def action_items(self) -> list[ActionItem]:
        items = [
            ActionItem("friction", row.source, row.fix, row.owner, row.due_date)
            for row in self.friction
            if row.settled_by
        ]
        items += [
            ActionItem("force", force.name, force.planned_change, force.owner, None)
            for force in self.forces
            if force.planned_change
        ]
        return items

    @property
    def stages(self) -> list[StageSummary]:
        summaries = []
        for strategy in self.strategies:
            metrics = self.metrics_of(strategy.stage)
            summaries.append(
                StageSummary(
                    stage=strategy.stage,
                    label=strategy.stage_label,
                    approach=strategy.approach,
                    metric=metrics[0] if metrics else None,
                    open_friction=sum(1 for row in self.open_friction if row.stage == strategy.stage),
                    forces=sum(1 for force in self.forces if force.stage == strategy.stage),
                )
            )
        return summaries

    def forces_by_stage(self) -> dict[str, int]:
        counts = dict.fromkeys(Stage.values, 0)
        for force in self.forces:
            if force.stage:
                counts[force.stage] += 1
        return counts

    @property
    def forces_serving_process(self) -> list[ForceRow]:
        return [force for force in self.forces if force.serves == "process"]


def _reading_row(reading: Reading, metric: Metric, before: Reading | None, year: int | None) -> ReadingRow:
    """`before`: the metric's reading before this one, if any; its total counts only if it is of the period before."""
    previous_total = None
    follows = before is not None and before.period_start == periods.previous_period(reading.period_start, metric.period)
    if metric.kind == Metric.Kind.BUCKET and follows:
        previous_total = before.total
    return ReadingRow(
        id=reading.pk,
        **values_of(reading, READING_FIELDS),
        label=periods.period_label(reading.period_start, metric.period),
        version=reading.version,
        net_change=calculations.net_change(reading.gained, reading.lost),
        nps=calculations.nps(reading.promoters, reading.passives, reading.detractors),
        kind=metric.kind,
        previous_total=previous_total,
        expected_total=calculations.expected_total(previous_total, reading.gained, reading.lost),
        audit_year=year,
    )


def reading_alone(reading: Reading, year: int) -> ReadingRow:
    """One saved reading of a metric (`reading.metric` loaded) as the document has it, its period before read in
    one query: what a cell save redraws beside the cell (the net change, the check of the total)."""
    metric = reading.metric
    start = periods.previous_period(reading.period_start, metric.period)
    before = Reading.objects.filter(metric_id=metric.pk, period_start=start).first()
    return _reading_row(reading, metric, before, year)


def _metric_row(metric: Metric, readings: list[Reading], year: int | None = None) -> MetricRow:
    return MetricRow(
        id=metric.pk,
        **values_of(metric, METRIC_FIELDS),
        version=metric.version,
        readings=tuple(_reading_row(reading, metric, before, year) for before, reading in pairwise([None, *readings])),
        origin_id=metric.carried_from_id,
        audit_year=year,
    )


def path_of(metrics: list[MetricRow]) -> list[MetricRow]:
    """The flywheel's path: its buckets in stage order (visitors → free users → … → customers)."""
    return [metric for metric in metrics if metric.kind == Metric.Kind.BUCKET]


def conversions_along(path: list[MetricRow]) -> list[Conversion]:
    conversions = []
    for previous, current in pairwise(path):
        gained_before = {reading.period_start: reading.gained for reading in previous.readings}
        rates = tuple(
            ConversionRate(
                reading.period_start,
                reading.label,
                calculations.conversion_rate(gained_before.get(reading.period_start), reading.gained),
            )
            for reading in current.readings
        )
        comparable = previous.period == current.period
        conversions.append(Conversion(previous.name, current.name, rates if comparable else (), comparable))
    return conversions


def _authorship(row: Force | FrictionPoint) -> dict:
    """Who wrote a row, when, and its dots (annotated by load; nothing for unsaved rows)."""
    author = row.author if row.author_id else None
    return {
        "author_id": row.author_id,
        "author_name": display_name(author) if author else "",
        "created": row.created,
        "votes": getattr(row, "vote_count", 0),
    }


def display_name(user) -> str:
    """How people see a user: a guest's chosen name, else their full name, else their username."""
    return name_shown(user.first_name, user.last_name, user.get_username())


def name_shown(first_name: str, last_name: str, username: str) -> str:
    """display_name from the user's columns alone (a query's values, no user object)."""
    return f"{first_name} {last_name}".strip() or username


def load(audit: Audit) -> AuditDocument:
    """Read `audit` (fetched with its flywheel and organization) into an AuditDocument."""
    metrics = Metric.objects.filter(audit=audit).prefetch_related(
        Prefetch("readings", queryset=Reading.objects.order_by("period_start"))
    )
    forces = Force.objects.select_related("author").annotate(vote_count=Count("votes"))
    teams = Team.objects.filter(audit=audit).order_by("position", "pk").prefetch_related(Prefetch("forces", forces))
    return build(
        audit,
        strategies=list(StageStrategy.objects.filter(audit=audit)),
        metrics=[(metric, list(metric.readings.all())) for metric in metrics],
        teams=[(team, sorted(team.forces.all(), key=lambda force: (force.position, force.pk))) for team in teams],
        friction=list(
            FrictionPoint.objects.filter(audit=audit)
            .select_related("author")
            .annotate(vote_count=Count("votes"))
            .order_by("position", "pk")
        ),
        assessment=list(SelfAssessment.objects.filter(audit=audit)),
        reviews=list(ActionReview.objects.filter(audit=audit).order_by("position", "pk")),
        previous=_previous_audit(audit),
    )


def _previous_audit(audit: Audit) -> PreviousAudit | None:
    """The audit `audit` was carried from, unless it is in the trash: two queries, none for an audit not carried."""
    if audit.carried_from_id is None:
        return None
    settled = Prefetch("friction_points", FrictionPoint.objects.order_by("position", "pk"), to_attr="friction_rows")
    previous = Audit.objects.alive().filter(pk=audit.carried_from_id).prefetch_related(settled).first()
    if previous is None:
        return None
    rows = previous.friction_rows
    sources = tuple(row.source for row in rows if settling_step(row))
    return PreviousAudit(previous.pk, previous.title, previous.period_year, sources)


def build(
    audit: Audit,
    *,
    strategies: list[StageStrategy],
    metrics: list[tuple[Metric, list[Reading]]],
    teams: list[tuple[Team, list[Force]]],
    friction: list[FrictionPoint],
    assessment: list[SelfAssessment],
    reviews: list[ActionReview] = (),
    previous: PreviousAudit | None = None,
) -> AuditDocument:
    """Make the document from model instances, saved (load) or not yet saved (imports)."""
    strategy_by_stage = {strategy.stage: strategy for strategy in strategies}
    metric_rows = sorted(
        (_metric_row(metric, readings, audit.period_year) for metric, readings in metrics),
        key=lambda metric: STAGE_ORDER[metric.stage],  # stable: keeps each stage's own order
    )
    answers = {row.question: row for row in assessment}
    return AuditDocument(
        header=Header(
            id=audit.pk,
            title=audit.title,
            flywheel_id=audit.flywheel_id,
            flywheel_name=audit.flywheel.name,
            organization_name=audit.flywheel.organization.name,
            period_year=audit.period_year,
            workshop_date=audit.workshop_date,
            language=audit.language,
            status=audit.status,
            content_version=audit.content_version,
            carried_from_id=audit.carried_from_id,
            carried_from=previous,
        ),
        strategies=tuple(
            Strategy(row.pk, **values_of(row, STRATEGY_FIELDS), version=row.version)
            if (row := strategy_by_stage.get(stage))
            else Strategy(None, stage, "", "")
            for stage in Stage.values
        ),
        metrics=tuple(metric_rows),
        conversions=tuple(conversions_along(path_of(metric_rows))),
        teams=tuple(
            TeamForces(
                id=team.pk,
                name=team.name,
                version=team.version,
                forces=tuple(
                    ForceRow(
                        id=force.pk,
                        team_id=team.pk,
                        team=team.name,
                        **values_of(force, FORCE_FIELDS),
                        version=force.version,
                        origin_id=force.carried_from_id,
                        **_authorship(force),
                    )
                    for force in forces
                ),
            )
            for team, forces in teams
        ),
        friction=tuple(
            FrictionRow(
                id=row.pk,
                number=number,
                **values_of(row, FRICTION_FIELDS),
                version=row.version,
                origin_id=row.carried_from_id,
                **_authorship(row),
            )
            for number, row in enumerate(friction, start=1)
        ),
        self_assessment=tuple(
            AssessmentRow(id=row.pk, **values_of(row, ASSESSMENT_FIELDS), version=row.version)
            for question in SelfAssessment.Question.values
            if (row := answers.get(question))
        ),
        action_reviews=tuple(
            ReviewRow(id=row.pk, **values_of(row, REVIEW_FIELDS), version=row.version) for row in reviews
        ),
    )


@transaction.atomic
def save(document: AuditDocument, flywheel: Flywheel, carried_from: Audit | None = None) -> Audit:
    """Write `document` into `flywheel` as a new audit, all of it or (on any error) nothing.

    With `carried_from`, the document was made from that audit (carry.next_document): each
    metric, force and friction row is linked to the row it came from, through its id.
    """

    def origin(row) -> dict:
        return {"carried_from_id": row.id} if carried_from else {}

    header = document.header
    audit = Audit.objects.create(
        flywheel=flywheel,
        title=header.title,
        period_year=header.period_year,
        workshop_date=header.workshop_date,
        language=header.language,
        status=header.status,
        carried_from=carried_from,
    )
    StageStrategy.objects.bulk_create(
        StageStrategy(audit=audit, **values_of(row, STRATEGY_FIELDS)) for row in document.strategies
    )
    metrics = Metric.objects.bulk_create(
        Metric(audit=audit, position=position, **origin(row), **values_of(row, METRIC_FIELDS))
        for position, row in enumerate(document.metrics)
    )
    Reading.objects.bulk_create(
        Reading(metric=metric, **values_of(reading, READING_FIELDS))
        for metric, row in zip(metrics, document.metrics, strict=True)
        for reading in row.readings
    )
    teams = Team.objects.bulk_create(
        Team(audit=audit, name=team.name, position=position) for position, team in enumerate(document.teams)
    )
    Force.objects.bulk_create(
        Force(
            audit=audit,
            team=team,
            position=position,
            **origin(force),
            **values_of(force, FORCE_FIELDS),
        )
        for team, row in zip(teams, document.teams, strict=True)
        for position, force in enumerate(row.forces)
    )
    FrictionPoint.objects.bulk_create(
        FrictionPoint(audit=audit, position=position, **origin(row), **values_of(row, FRICTION_FIELDS))
        for position, row in enumerate(document.friction)
    )
    SelfAssessment.objects.bulk_create(
        SelfAssessment(audit=audit, **values_of(row, ASSESSMENT_FIELDS)) for row in document.self_assessment
    )
    ActionReview.objects.bulk_create(
        ActionReview(audit=audit, position=position, **values_of(row, REVIEW_FIELDS))
        for position, row in enumerate(document.action_reviews)
    )
    return audit


@dataclass(frozen=True)
class StepProgress:
    done: int
    total: int
    note: str

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.done >= self.total


# Progress notes, in the singular or plural as "total" asks.
STAGES_WITH_APPROACH = ngettext_lazy(
    "%(done)s of %(total)s stage has an approach", "%(done)s of %(total)s stages have an approach", "total"
)
STAGES_MEASURED = ngettext_lazy(
    "%(done)s of %(total)s stage has a metric with readings",
    "%(done)s of %(total)s stages have a metric with readings",
    "total",
)
TEAMS_WITH_FORCES = ngettext_lazy(
    "%(done)s of %(total)s team has listed forces", "%(done)s of %(total)s teams have listed forces", "total"
)
TEAMS_LEFT_OUT = ngettext_lazy("%(count)s untouched team left out", "%(count)s untouched teams left out", "count")
ROWS_DECIDED = ngettext_lazy(
    "%(done)s of %(total)s row fixed or marked still open",
    "%(done)s of %(total)s rows fixed or marked still open",
    "total",
)
ROWS_ANSWERED = ngettext_lazy("%(done)s of %(total)s row answered", "%(done)s of %(total)s rows answered", "total")
ROWS_AND_QUESTIONS_ANSWERED = ngettext_lazy(
    "%(done)s of %(total)s row or question answered", "%(done)s of %(total)s rows and questions answered", "total"
)


NO_FORCES_YET = gettext_lazy("No forces yet.")
NO_FRICTION_YET = gettext_lazy("No friction identified yet.")


def _count(done: int, total: int, note) -> StepProgress:
    return StepProgress(done, total, note % {"done": done, "total": total})


def progress(document: AuditDocument) -> dict[str, StepProgress]:
    """What is filled and what is missing, per workshop step.

    Forces: every team counts but one still as the audit started it (a pre-filled name, no forces), which the
    workshop may leave empty. Summary: done when every friction row is decided — fixed at some step, or
    answered "No" at all three and so still open on purpose ("still open" is an outcome, not a gap).
    """
    friction = document.friction
    reaching_goals = [row for row in friction if row.reaches("new_goal") and row.automation]
    reaching_restructure = [row for row in reaching_goals if row.reaches("restructure") and row.new_goal]
    stages_measured = sum(1 for stage in Stage.values if any(metric.readings for metric in document.metrics_of(stage)))
    open_rows = len(document.open_friction)
    with translation.override(document.header.language):
        prefilled = {str(name).casefold() for name in DEFAULT_TEAM_NAMES}
    teams = [team for team in document.teams if team.forces or team.name.casefold() not in prefilled]
    untouched = len(document.teams) - len(teams)
    forces = _count(sum(1 for team in teams if team.forces), len(teams), TEAMS_WITH_FORCES)
    if not teams:
        forces = StepProgress(0, 0, str(NO_FORCES_YET))
    elif untouched:
        forces = replace(forces, note=f"{forces.note} · {TEAMS_LEFT_OUT % {'count': untouched}}")
    decided = sum(1 for row in friction if row.settled_by or all(getattr(row, step) for step in SETTLING_STEPS))
    summary_note = ROWS_DECIDED % {"done": decided, "total": len(friction)} if friction else str(NO_FRICTION_YET)
    if open_rows:
        still_open = ngettext("%(count)s row still open", "%(count)s rows still open", open_rows)
        summary_note = f"{summary_note} · {still_open % {'count': open_rows}}"
    return {
        "strategy": _count(sum(1 for row in document.strategies if row.approach), 3, STAGES_WITH_APPROACH),
        "metrics": _count(stages_measured, 3, STAGES_MEASURED),
        "forces": forces,
        "identify": StepProgress(
            len(friction),
            len(friction),
            ngettext("%(count)s source of friction", "%(count)s sources of friction", len(friction))
            % {"count": len(friction)},
        ),
        "automate": _count(sum(1 for row in friction if row.automation), len(friction), ROWS_ANSWERED),
        "goals": _count(sum(1 for row in reaching_goals if row.new_goal), len(reaching_goals), ROWS_ANSWERED),
        "restructure": _count(
            sum(1 for row in reaching_restructure if row.restructure)
            + sum(1 for row in document.self_assessment if row.answer),
            len(reaching_restructure) + 3,
            ROWS_AND_QUESTIONS_ANSWERED,
        ),
        "summary": StepProgress(decided, len(friction), summary_note),
    }
