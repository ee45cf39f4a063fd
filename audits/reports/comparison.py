"""Year over year: compare two AuditDocuments of a flywheel, row by row.

Rows are matched first through the carry-forward link (a row's `origin_id` is the id of the
row it was carried from, when the later audit was carried from the earlier one), then by their
text. Every row of either audit ends up somewhere: matched, or listed as only before / only after.

A metric's figure for a year is its key number, as the audit deck shows it: the year's latest
reading (`MetricRow.headline` of it) — a bucket's total at the end of the year, the NPS of the
latest survey, a rate's or a value's latest reading — so that both decks, the pages and the
workbooks show one number for one stage and year. It compares whatever the metric's period (a
metric read monthly one year and quarterly the next). The whole year's figure is kept beside it,
with its own basis, where it differs: the NPS of the year's summed answers, the mean of a rate's
or a value's readings; a bucket's gained and lost are summed over the year.
"""

import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise
from typing import Any, TypeVar

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from audits.content import calculations, periods
from audits.content.document import (
    SETTLING_STEPS,
    AuditDocument,
    ForceRow,
    FrictionRow,
    Header,
    MetricRow,
    ReviewRow,
    Strategy,
    TeamForces,
    path_of,
)
from audits.models import ActionReview, Metric, Stage

Row = TypeVar("Row")

BETTER, WORSE, SAME = "better", "worse", "same"
LINK, TEXT = "link", "text"
# A force's state in a year is its "now" (and whom it serves, where it pushes): its "before" is
# history — carrying forward copies last year's "now" there — and its planned change is next
# year's plan, so neither makes a force "changed".
FORCE_FIELDS = ("now", "serves", "stage")
KIND_NOUNS = {
    Metric.Kind.BUCKET: pgettext_lazy("kind of metric", "bucket"),
    Metric.Kind.NPS: pgettext_lazy("kind of metric", "NPS"),
    Metric.Kind.RATE: pgettext_lazy("kind of metric", "rate"),
    Metric.Kind.VALUE: pgettext_lazy("kind of metric", "value"),
}
PERIOD_ADJECTIVES = {
    Metric.Period.MONTH: gettext_lazy("monthly"),
    Metric.Period.QUARTER: gettext_lazy("quarterly"),
    Metric.Period.YEAR: gettext_lazy("yearly"),
}
# What became of a friction row between the two audits, in the order every renderer lists them,
# with the one wording each is shown in and what it means.
FRICTION_GROUPS = {
    "resolved": gettext_lazy("Resolved"),
    "still_open": gettext_lazy("Still open"),
    "reopened": gettext_lazy("Reopened"),
    "new": pgettext_lazy("friction only in the later audit", "New"),
    "dropped": gettext_lazy("Dropped while open"),
}
FRICTION_GROUP_HELP = {
    "resolved": gettext_lazy("Open before and settled now, or settled before and not carried over."),
    "still_open": gettext_lazy("Open in both audits."),
    "reopened": gettext_lazy("Settled before, open again now."),
    "new": gettext_lazy("Only in the later audit."),
    "dropped": gettext_lazy("Open before, and not in the later audit."),
}
# Changes smaller than these are rounding noise from summing floats, below what any page or
# slide shows (values to 3 decimals, conversions to 0.01 percentage points): "same".
TOLERANCE = 5e-4
POINTS_TOLERANCE = 5e-3


@dataclass(frozen=True)
class YearlyFigure:
    """One metric's figure for a year — its key number, the year's latest reading — and how it was made."""

    year: int
    period: str  # the metric's granularity: month, quarter or year
    value: float | None
    basis: str  # "total at the end of 2018", "NPS of Dec 2018, the latest survey in 2018", …
    readings: int  # how many of the year's readings have a figure
    gained: int | None = None  # buckets: summed over the year
    lost: int | None = None
    latest: date | None = None  # the start of the reading `value` comes from
    year_value: float | None = None  # NPS, rates and values: the whole year's figure, where it differs
    year_basis: str = ""  # "yearly NPS from 12 surveys in 2018", "mean of 12 monthly values in 2018"


@dataclass(frozen=True)
class MetricChange:
    """A metric side by side; for a metric found in one audit only, the other side is None."""

    name: str
    stage: str
    kind: str
    unit: str
    higher_is_better: bool
    before: float | None
    after: float | None
    absolute: float | None  # after − before; for a rate metric (stored in %), percentage points
    relative: float | None  # the change as a fraction of before
    direction: str | None  # "better", "worse", "same", or None when unknown
    matched_by: str | None  # "link", "text", or None when unmatched
    basis: str
    note: str
    renamed_from: str = ""  # the before-side name, when the matched metric was renamed
    before_id: int | None = None
    after_id: int | None = None
    before_figure: YearlyFigure | None = None
    after_figure: YearlyFigure | None = None
    illustrative: bool = False  # either side's readings are an example's, not measured


@dataclass(frozen=True)
class ConversionChange:
    """The yearly conversion between two consecutive buckets: to's gained ÷ from's gained."""

    from_metric: str
    to_metric: str
    before: float | None  # a fraction: 0.25 is 25%
    after: float | None
    points: float | None  # the change in percentage points
    direction: str | None
    matched_by: str | None
    basis: str
    note: str = ""


@dataclass(frozen=True)
class ForceChange:
    name: str
    team: str
    before_row: ForceRow | None
    after_row: ForceRow | None
    matched_by: str | None
    changed_fields: tuple[str, ...] = ()  # of FORCE_FIELDS
    target: str = ""  # last year's planned change, as carried into the later audit


@dataclass(frozen=True)
class TeamChange:
    name: str
    in_before: bool
    in_after: bool
    changed: tuple[ForceChange, ...]
    new: tuple[ForceChange, ...]
    dropped: tuple[ForceChange, ...]
    unchanged: tuple[ForceChange, ...]


@dataclass(frozen=True)
class FrictionChange:
    before_row: FrictionRow | None
    after_row: FrictionRow | None
    matched_by: str | None

    @property
    def source(self) -> str:
        return (self.after_row or self.before_row).source


@dataclass(frozen=True)
class FrictionChanges:
    # Open before and settled now, settled before and not carried, or settled in both.
    resolved: tuple[FrictionChange, ...]
    still_open: tuple[FrictionChange, ...]  # open in both
    new: tuple[FrictionChange, ...]  # only in the later audit
    reopened: tuple[FrictionChange, ...] = ()  # settled before, open again
    dropped: tuple[FrictionChange, ...] = ()  # open before, not in the later audit


@dataclass(frozen=True)
class FixMix:
    """How an audit's friction rows were settled: counts per step, and those still open."""

    automation: int
    new_goal: int
    restructure: int
    open: int
    total: int


@dataclass(frozen=True)
class ActionsReviewed:
    """The earlier audit's action items as the later audit reviewed them: done, partly, not done, dropped."""

    reviews: tuple[ReviewRow, ...] = ()

    def count(self, status: str) -> int:
        """How many reviews have `status` (an ActionReview.Status value, or "" for not reviewed yet)."""
        return sum(1 for review in self.reviews if review.status == status)

    @property
    def total(self) -> int:
        return len(self.reviews)

    @property
    def done(self) -> int:
        return self.count(ActionReview.Status.DONE)

    @property
    def partly(self) -> int:
        return self.count(ActionReview.Status.PARTLY)

    @property
    def not_done(self) -> int:
        return self.count(ActionReview.Status.NOT_DONE)

    @property
    def dropped(self) -> int:
        return self.count(ActionReview.Status.DROPPED)

    @property
    def unreviewed(self) -> int:
        return self.count("")


@dataclass(frozen=True)
class StrategyChange:
    stage: str
    before: Strategy
    after: Strategy
    principle_changed: bool
    approach_changed: bool
    changed: bool


@dataclass(frozen=True)
class Comparison:
    before: Header
    after: Header
    same_flywheel: bool
    before_year: int  # the years whose readings are compared
    after_year: int
    metrics: tuple[MetricChange, ...]
    metrics_only_before: tuple[MetricChange, ...]
    metrics_only_after: tuple[MetricChange, ...]
    conversions: tuple[ConversionChange, ...]
    nps: MetricChange | None
    teams: tuple[TeamChange, ...]
    friction: FrictionChanges
    fix_mix: tuple[FixMix, FixMix]
    strategies: tuple[StrategyChange, ...]
    notes: tuple[str, ...]
    # Only when the later audit was carried from the earlier one: its reviews are of the earlier one's actions.
    actions: ActionsReviewed = ActionsReviewed()


def compare(before: AuditDocument, after: AuditDocument) -> Comparison:
    """Return how `after` differs from `before` (usually last year's audit of the same flywheel)."""
    linked = before.header.id is not None and after.header.carried_from_id == before.header.id
    notes = _header_notes(before.header, after.header)
    before_year, note = _year_of(before)
    notes += [note] if note else []
    after_year, note = _year_of(after)
    notes += [note] if note else []
    metric_pairs = match(before.metrics, after.metrics, _metric_tests(linked))
    metrics = [_metric_change(*pair, before_year, after_year) for pair in metric_pairs.pairs]
    notes += [change.note for change in metrics if change.note]
    return Comparison(
        before=before.header,
        after=after.header,
        same_flywheel=_same_flywheel(before.header, after.header),
        before_year=before_year,
        after_year=after_year,
        metrics=tuple(metrics),
        metrics_only_before=tuple(
            _metric_change(row, None, None, before_year, after_year) for row in metric_pairs.only_before
        ),
        metrics_only_after=tuple(
            _metric_change(None, row, None, before_year, after_year) for row in metric_pairs.only_after
        ),
        conversions=_conversions(before, after, metric_pairs, before_year, after_year),
        nps=_first_nps(metrics, metric_pairs),
        teams=_teams(before.teams, after.teams, linked),
        friction=_friction(before.friction, after.friction, linked),
        fix_mix=(fix_mix(before.friction), fix_mix(after.friction)),
        strategies=_strategies(before.strategies, after.strategies),
        notes=tuple(notes),
        actions=ActionsReviewed(after.action_reviews if linked else ()),
    )


# --- Matching ------------------------------------------------------------------------------


def normalize(text: str) -> str:
    """Return `text` as matching sees it: case folded, without punctuation, single spaces."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(char).startswith("P") else char for char in text)
    return " ".join(text.split())


@dataclass(frozen=True)
class Matching:
    pairs: list  # (before row, after row, "link" | "text"), in the after-side order
    only_before: list
    only_after: list


Test = tuple[str, Callable[[Any, Any], bool]]


def match(before: Sequence[Row], after: Sequence[Row], tests: list[Test]) -> Matching:
    """Pair rows with the first test that holds, test by test, each row used once."""
    # Indices, not the rows: two rows with equal text compare equal as dataclasses.
    partner: dict[int, tuple[int, str]] = {}
    used: set[int] = set()
    for how, test in tests:
        for j, row in enumerate(after):
            if j in partner:
                continue
            i = next((i for i, old in enumerate(before) if i not in used and test(old, row)), None)
            if i is not None:
                partner[j] = (i, how)
                used.add(i)
    return Matching(
        pairs=[(before[partner[j][0]], row, partner[j][1]) for j, row in enumerate(after) if j in partner],
        only_before=[row for i, row in enumerate(before) if i not in used],
        only_after=[row for j, row in enumerate(after) if j not in partner],
    )


def _linked(old, new) -> bool:
    return old.id is not None and new.origin_id == old.id


def _metric_tests(linked: bool) -> list[Test]:
    by_text = (TEXT, lambda old, new: old.stage == new.stage and normalize(old.name) == normalize(new.name))
    return [(LINK, _linked), by_text] if linked else [by_text]


# --- Metrics -------------------------------------------------------------------------------


def _year_of(document: AuditDocument) -> tuple[int, str]:
    """Return the year whose readings stand for the audit, and a note when it is not the audit's year."""
    year = document.header.period_year
    years = {reading.period_start.year for metric in document.metrics for reading in metric.readings}
    if not years or year in years:
        return year, ""
    latest = max(years)
    note = _("“%(title)s” (%(year)s) has no readings in %(year)s: its figures are from %(latest)s.") % {
        "title": document.header.title,
        "year": year,
        "latest": latest,
    }
    return latest, note


def yearly_figure(metric: MetricRow, year: int) -> YearlyFigure:
    """Return the metric's figure for `year`: see the module's docstring."""
    readings = sorted(
        (reading for reading in metric.readings if reading.period_start.year == year),
        key=lambda reading: reading.period_start,
    )
    if metric.kind == Metric.Kind.BUCKET:
        return _bucket_figure(metric, year, readings)
    if metric.kind == Metric.Kind.NPS:
        return _nps_figure(metric, year, readings)
    known = [reading for reading in readings if reading.value is not None]
    last = known[-1] if known else None
    basis = _latest_basis(known, metric.period, year, _("%(period)s, the latest reading in %(year)s"))
    if metric.period == Metric.Period.YEAR:
        basis = _("value for %(year)s") % {"year": year}
    year_value, year_basis = None, ""
    if metric.period != Metric.Period.YEAR and len(known) > 1:  # the whole year's mean differs from one reading
        year_value = calculations.average([reading.value for reading in known])
        year_basis = ngettext(
            "mean of %(count)s %(period)s value in %(year)s",
            "mean of %(count)s %(period)s values in %(year)s",
            len(known),
        ) % {"count": len(known), "period": PERIOD_ADJECTIVES.get(metric.period, metric.period), "year": year}
    return YearlyFigure(
        year=year,
        period=metric.period,
        value=float(last.value) if last else None,
        basis=basis,
        readings=len(known),
        latest=last.period_start if last else None,
        year_value=year_value,
        year_basis=year_basis,
    )


def period_name(start: date, period: str) -> str:
    """Return a period as people read it in the active language: "Dec 2018", "Q4 2018", "2018"."""
    if period == Metric.Period.MONTH:
        return formats.date_format(start, "M Y")
    if period == Metric.Period.QUARTER:
        return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return str(start.year)


def _latest_basis(known: list, period: str, year: int, text: str) -> str:
    if not known:
        return _("no reading in %(year)s") % {"year": year}
    return text % {"period": period_name(known[-1].period_start, period), "year": year}


def _bucket_figure(metric: MetricRow, year: int, readings: list) -> YearlyFigure:
    totals = [reading for reading in readings if reading.total is not None]
    last = totals[-1] if totals else None
    if last is None:
        basis = _("no total in %(year)s") % {"year": year}
    elif last.period_start == periods.periods_in_year(year, metric.period)[-1]:
        basis = _("total at the end of %(year)s") % {"year": year}
    else:
        basis = _("total at %(period)s, the latest in %(year)s") % {
            "period": period_name(last.period_start, metric.period),
            "year": year,
        }
    return YearlyFigure(
        year=year,
        period=metric.period,
        value=float(last.total) if last else None,
        basis=basis,
        readings=len(totals),
        gained=_sum(reading.gained for reading in readings),
        lost=_sum(reading.lost for reading in readings),
        latest=last.period_start if last else None,
    )


def _nps_figure(metric: MetricRow, year: int, readings: list) -> YearlyFigure:
    answered = [reading for reading in readings if reading.nps is not None]
    year_score = calculations.nps(
        _sum(reading.promoters for reading in answered),
        _sum(reading.passives for reading in answered),
        _sum(reading.detractors for reading in answered),
    )
    year_basis = ngettext(
        "yearly NPS from %(count)s survey in %(year)s", "yearly NPS from %(count)s surveys in %(year)s", len(answered)
    ) % {"count": len(answered), "year": year}
    last = answered[-1] if answered else None
    return YearlyFigure(
        year=year,
        period=metric.period,
        value=last.nps if last else None,
        basis=_latest_basis(answered, metric.period, year, _("NPS of %(period)s, the latest survey in %(year)s")),
        readings=len(answered),
        latest=last.period_start if last else None,
        year_value=year_score if len(answered) > 1 else None,
        year_basis=year_basis if len(answered) > 1 else "",
    )


def _sum(values) -> int | None:
    known = [value for value in values if value is not None]
    return sum(known) if known else None


def direction(absolute: float | None, higher_is_better: bool = True, tolerance: float = TOLERANCE) -> str | None:
    """Return "better", "worse" or "same" for a change, or None when the change is unknown.

    A change within `tolerance` is "same": what no rounded figure on a page or slide could show.
    """
    if absolute is None or not math.isfinite(absolute):
        return None
    if abs(absolute) < tolerance:
        return SAME
    return BETTER if (absolute > 0) == higher_is_better else WORSE


def _metric_change(
    old: MetricRow | None, new: MetricRow | None, how: str | None, before_year: int, after_year: int
) -> MetricChange:
    row = new or old
    old_figure = yearly_figure(old, before_year) if old else None
    new_figure = yearly_figure(new, after_year) if new else None
    problem = _incomparable(old, new) if old and new else ""
    absolute, relative = (None, None)
    if old_figure and new_figure and not problem:
        absolute, relative = calculations.change(old_figure.value, new_figure.value)
    notes = [problem, _granularity_note(old, new) if old and new else ""]
    return MetricChange(
        name=row.name,
        stage=row.stage,
        kind=row.kind,
        unit=row.unit,
        higher_is_better=row.higher_is_better,
        before=old_figure.value if old_figure else None,
        after=new_figure.value if new_figure else None,
        absolute=absolute,
        relative=relative,
        direction=direction(absolute, row.higher_is_better),
        matched_by=how,
        basis=_(" vs ").join(figure.basis for figure in (old_figure, new_figure) if figure),
        note=" ".join(note for note in notes if note),
        renamed_from=old.name if old and new and old.name != new.name else "",
        before_id=old.id if old else None,
        after_id=new.id if new else None,
        before_figure=old_figure,
        after_figure=new_figure,
        illustrative=any(row.illustrative for row in (old, new) if row),
    )


def _first_nps(changes: list[MetricChange], metrics: Matching) -> MetricChange | None:
    pairs = zip(changes, metrics.pairs, strict=True)
    return next((change for change, (old, new, _how) in pairs if old.kind == new.kind == Metric.Kind.NPS), None)


def _incomparable(old: MetricRow, new: MetricRow) -> str:
    """Return why the two figures cannot be compared, or ""."""
    if old.kind != new.kind:
        return _("%(name)s: the kind changed (%(before)s, now %(after)s), so the figures are not compared.") % {
            "name": new.name,
            "before": KIND_NOUNS.get(old.kind, old.kind),
            "after": KIND_NOUNS.get(new.kind, new.kind),
        }
    if old.unit.strip() and new.unit.strip() and normalize(old.unit) != normalize(new.unit):
        return _("%(name)s: the unit changed (%(before)s, now %(after)s), so the figures are not compared.") % {
            "name": new.name,
            "before": old.unit,
            "after": new.unit,
        }
    return ""


def _granularity_note(old: MetricRow, new: MetricRow) -> str:
    if old.period == new.period:
        return ""
    return _("%(name)s: read %(before)s before and %(after)s now, so each year's latest reading is compared.") % {
        "name": new.name,
        "before": PERIOD_ADJECTIVES.get(old.period, old.period),
        "after": PERIOD_ADJECTIVES.get(new.period, new.period),
    }


# --- Conversions ---------------------------------------------------------------------------


def yearly_conversion(previous: MetricRow, current: MetricRow, year: int) -> float | None:
    """Return the current bucket's gained over the year ÷ the previous bucket's gained, as a fraction."""
    return calculations.conversion_rate(
        _sum(reading.gained for reading in previous.readings if reading.period_start.year == year),
        _sum(reading.gained for reading in current.readings if reading.period_start.year == year),
    )


def _conversions(
    before: AuditDocument, after: AuditDocument, metrics: Matching, before_year: int, after_year: int
) -> tuple[ConversionChange, ...]:
    # By identity: the before-side partner of each after-side metric, and how they were matched.
    partner = {id(new): (old, how) for old, new, how in metrics.pairs}
    old_steps = list(pairwise(path_of(list(before.metrics))))
    new_steps = list(pairwise(path_of(list(after.metrics))))
    changes, used = [], set()
    for new_from, new_to in new_steps:
        old_from, how_from = partner.get(id(new_from), (None, None))
        old_to, how_to = partner.get(id(new_to), (None, None))
        index = next((i for i, (a, b) in enumerate(old_steps) if a is old_from and b is old_to and i not in used), None)
        if index is None:
            changes.append(_conversion_change(None, (new_from, new_to), None, before_year, after_year))
            continue
        used.add(index)
        how = LINK if how_from == how_to == LINK else TEXT
        changes.append(_conversion_change(old_steps[index], (new_from, new_to), how, before_year, after_year))
    changes += [
        _conversion_change(step, None, None, before_year, after_year)
        for i, step in enumerate(old_steps)
        if i not in used
    ]
    return tuple(changes)


def _conversion_change(old_step, new_step, how: str | None, before_year: int, after_year: int) -> ConversionChange:
    step_from, step_to = new_step or old_step
    old_rate = yearly_conversion(*old_step, before_year) if old_step else None
    new_rate = yearly_conversion(*new_step, after_year) if new_step else None
    points = (new_rate - old_rate) * 100 if old_rate is not None and new_rate is not None else None
    basis = [
        _("%(to)s gained ÷ %(from)s gained in %(year)s") % {"to": step[1].name, "from": step[0].name, "year": year}
        for step, year in ((old_step, before_year), (new_step, after_year))
        if step
    ]
    mixed = len({metric.period for step in (old_step, new_step) if step for metric in step}) > 1
    return ConversionChange(
        from_metric=step_from.name,
        to_metric=step_to.name,
        before=old_rate,
        after=new_rate,
        points=points,
        direction=direction(points, tolerance=POINTS_TOLERANCE),
        matched_by=how,
        basis=_(" vs ").join(basis),
        note=_("The buckets are read at different periods, so the conversion is compared on yearly figures.")
        if mixed
        else "",
    )


# --- Forces --------------------------------------------------------------------------------


def _teams(before: Sequence[TeamForces], after: Sequence[TeamForces], linked: bool) -> tuple[TeamChange, ...]:
    same_name = (TEXT, lambda old, new: normalize(old.name) == normalize(new.name))
    teams = match(before, after, [same_name])
    changes = [_team_change(old, new, linked) for old, new, _how in teams.pairs]
    changes += [_team_change(None, new, linked) for new in teams.only_after]
    changes += [_team_change(old, None, linked) for old in teams.only_before]
    return tuple(changes)


def _team_change(old: TeamForces | None, new: TeamForces | None, linked: bool) -> TeamChange:
    by_text = (TEXT, lambda a, b: normalize(a.name) == normalize(b.name))
    forces = match(
        old.forces if old else (), new.forces if new else (), [(LINK, _linked), by_text] if linked else [by_text]
    )
    pairs = [_force_change(a, b, how) for a, b, how in forces.pairs]
    return TeamChange(
        name=(new or old).name,
        in_before=old is not None,
        in_after=new is not None,
        changed=tuple(change for change in pairs if change.changed_fields),
        new=tuple(_force_change(None, row, None) for row in forces.only_after),
        dropped=tuple(_force_change(row, None, None) for row in forces.only_before),
        unchanged=tuple(change for change in pairs if not change.changed_fields),
    )


def _force_change(old: ForceRow | None, new: ForceRow | None, how: str | None) -> ForceChange:
    row = new or old
    changed = tuple(name for name in FORCE_FIELDS if old and new and _differs(getattr(old, name), getattr(new, name)))
    return ForceChange(
        name=row.name,
        team=row.team,
        before_row=old,
        after_row=new,
        matched_by=how,
        changed_fields=changed,
        target=new.target if new else "",
    )


def _differs(old: str, new: str) -> bool:
    return " ".join(old.split()) != " ".join(new.split())


# --- Friction ------------------------------------------------------------------------------


def _friction(before: Sequence[FrictionRow], after: Sequence[FrictionRow], linked: bool) -> FrictionChanges:
    def same_source(old, new):
        return normalize(old.source) == normalize(new.source)

    tests = [
        (TEXT, lambda old, new: same_source(old, new) and old.stage == new.stage),
        (TEXT, lambda old, new: same_source(old, new) and not (old.stage and new.stage)),
    ]
    rows = match(before, after, [(LINK, _linked), *tests] if linked else tests)
    groups: dict[str, list[FrictionChange]] = {
        name: [] for name in ("resolved", "still_open", "new", "reopened", "dropped")
    }
    for old, new, how in rows.pairs:
        group = "still_open" if old.is_open and new.is_open else "reopened" if new.is_open else "resolved"
        groups[group].append(FrictionChange(old, new, how))
    groups["new"] += [FrictionChange(None, new, None) for new in rows.only_after]
    for old in rows.only_before:
        groups["dropped" if old.is_open else "resolved"].append(FrictionChange(old, None, None))
    return FrictionChanges(**{name: tuple(changes) for name, changes in groups.items()})


def fix_mix(friction: Sequence[FrictionRow]) -> FixMix:
    """Return how many rows each step settled, and how many are still open."""
    counts = {step: sum(1 for row in friction if row.settled_by == step) for step in SETTLING_STEPS}
    return FixMix(**counts, open=sum(1 for row in friction if row.is_open), total=len(friction))


# --- Strategies and headers ----------------------------------------------------------------


def _strategies(before: Sequence[Strategy], after: Sequence[Strategy]) -> tuple[StrategyChange, ...]:
    old_by_stage = {row.stage: row for row in before}
    new_by_stage = {row.stage: row for row in after}
    changes = []
    for stage in Stage.values:
        old = old_by_stage.get(stage) or Strategy(None, stage, "", "")
        new = new_by_stage.get(stage) or Strategy(None, stage, "", "")
        principle, approach = _differs(old.principle, new.principle), _differs(old.approach, new.approach)
        changes.append(StrategyChange(stage, old, new, principle, approach, principle or approach))
    return tuple(changes)


def _same_flywheel(before: Header, after: Header) -> bool:
    if before.flywheel_id is not None and before.flywheel_id == after.flywheel_id:
        return True
    return normalize(before.flywheel_name) == normalize(after.flywheel_name)


def _header_notes(before: Header, after: Header) -> list[str]:
    notes = []
    if not _same_flywheel(before, after):
        notes.append(
            _("These audits are of different flywheels: %(before)s and %(after)s.")
            % {"before": before.flywheel_name, "after": after.flywheel_name}
        )
    if before.id is not None and before.id == after.id:
        notes.append(_("Both sides are the same audit."))
    return notes


# --- Data for the API and the JSON export --------------------------------------------------


def as_data(comparison: Comparison) -> dict:
    """Return the comparison as JSON-ready data: dates in ISO format, Decimals as floats."""
    return _plain(comparison)


def _plain(value):
    if is_dataclass(value) and not isinstance(value, type):
        data = {item.name: _plain(getattr(value, item.name)) for item in fields(value)}
        if isinstance(value, FrictionRow):
            data.update(settled_by=value.settled_by, fix=value.fix, is_open=value.is_open)
        if isinstance(value, ActionsReviewed):
            counts = ("done", "partly", "not_done", "dropped", "unreviewed", "total")
            data.update({name: getattr(value, name) for name in counts})
        return data
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
