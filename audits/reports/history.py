"""Year over year as the pages show it: a flywheel's audits side by side, and small charts.

`flywheel_history(documents)` lines up every audit's metrics (through the carry-forward link,
else by stage, kind and name), conversions, NPS and friction counts, one column per audit.
`shown_metric` and `shown_conversion` turn a comparison's change into the texts a page shows. `line_chart` and
`stacked_bars` give the geometry of inline SVG charts; the templates draw them. Plain data in,
plain data out: no requests, no database.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from audits.content import calculations
from audits.content.document import AuditDocument, Header, MetricRow, path_of
from audits.models import Metric
from audits.reports.comparison import (
    ConversionChange,
    MetricChange,
    direction,
    fix_mix,
    normalize,
    yearly_conversion,
    yearly_figure,
)

Kind = Metric.Kind
# How many decimals each kind of figure is shown with; its change is shown with as many.
DIGITS = {Kind.BUCKET: 0, Kind.NPS: 0, Kind.RATE: 1, Kind.VALUE: 1}
# A change with its unit: NPS points, and percentage points for rates.
CHANGE_WITH_UNIT = {Kind.NPS: gettext_lazy("%(change)s points"), Kind.RATE: gettext_lazy("%(change)s pp")}
DIRECTION_LABELS = {
    "better": pgettext_lazy("a change", "better"),
    "worse": pgettext_lazy("a change", "worse"),
    "same": pgettext_lazy("a change", "same"),
}
POINTS_DIGITS = 1  # conversion changes, in percentage points


# --- Figures as text -----------------------------------------------------------------------


def figure_text(value: float | None, kind: str) -> str:
    """Return a yearly figure as shown: "12,300", an NPS with its sign, a rate with "%"."""
    if kind == Kind.NPS:
        return calculations.signed(value)
    text = calculations.format_number(value, DIGITS.get(kind, 1))
    return f"{text}%" if kind == Kind.RATE and value is not None else text


def signed_percent(fraction: float | None) -> str:
    """Return "+25.0%" for 0.25: a relative change with its sign always shown."""
    text = calculations.percent(fraction)
    return f"+{text}" if text[0].isdigit() and text != calculations.percent(0) else text


@dataclass(frozen=True)
class Shown:
    """A change as a page shows it: its texts, and a direction that agrees with them."""

    before: str
    after: str
    change: str
    relative: str
    direction: str | None  # "better", "worse", "same"; None when not compared
    arrow: str  # ▲ up, ▼ down, = no change, "" when not compared

    @property
    def direction_label(self) -> str:
        return str(DIRECTION_LABELS.get(self.direction, ""))


def _direction_and_arrow(change: float | None, digits: int, higher_is_better: bool) -> tuple[str | None, str]:
    # Judged on the figure as shown: a change that rounds to nothing reads "same", not "worse".
    if change is None or not math.isfinite(change):
        return None, ""
    rounded = float(Decimal(str(change)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP))
    arrow = "▲" if rounded > 0 else "▼" if rounded < 0 else "="
    return direction(rounded, higher_is_better), arrow


def shown_metric(change: MetricChange) -> Shown:
    digits = DIGITS.get(change.kind, 1)
    verdict, arrow = _direction_and_arrow(change.absolute, digits, change.higher_is_better)
    absolute = calculations.signed(change.absolute, digits)
    return Shown(
        before=figure_text(change.before, change.kind),
        after=figure_text(change.after, change.kind),
        change=_with_unit(absolute, change.kind) if change.absolute is not None else absolute,
        relative=calculations.MISSING if change.kind == Kind.NPS else signed_percent(change.relative),
        direction=verdict,
        arrow=arrow,
    )


def _with_unit(change: str, kind: str) -> str:
    return CHANGE_WITH_UNIT[kind] % {"change": change} if kind in CHANGE_WITH_UNIT else change


def shown_conversion(change: ConversionChange) -> Shown:
    verdict, arrow = _direction_and_arrow(change.points, POINTS_DIGITS, True)
    points = calculations.signed(change.points, POINTS_DIGITS)
    return Shown(
        before=calculations.percent(change.before),
        after=calculations.percent(change.after),
        change=_with_unit(points, Kind.RATE) if change.points is not None else points,
        relative=calculations.MISSING,
        direction=verdict,
        arrow=arrow,
    )


# --- A flywheel's history ------------------------------------------------------------------


@dataclass(frozen=True)
class Point:
    """One audit's figure in a series."""

    label: str  # the audit's year
    value: float | None
    text: str
    basis: str


@dataclass(frozen=True)
class Series:
    name: str
    stage: str
    kind: str
    unit: str
    points: tuple[Point, ...]
    other_names: tuple[str, ...] = ()  # what the row was called in earlier audits

    @property
    def chart(self) -> "LineChart":
        return line_chart([point.value for point in self.points], [point.text for point in self.points], self.labels)

    @property
    def has_values(self) -> bool:
        return any(point.value is not None for point in self.points)

    @property
    def labels(self) -> list[str]:
        return [point.label for point in self.points]

    @property
    def summary(self) -> str:
        """The chart in words, for screen readers."""
        return "; ".join(f"{point.label}: {point.text}" for point in self.points)


@dataclass(frozen=True)
class FrictionYear:
    label: str
    open: int
    resolved: int

    @property
    def total(self) -> int:
        return self.open + self.resolved


@dataclass(frozen=True)
class History:
    labels: tuple[str, ...]  # one per audit, oldest first
    metrics: tuple[Series, ...]
    nps: tuple[Series, ...]
    conversions: tuple[Series, ...]
    friction: tuple[FrictionYear, ...]

    @property
    def friction_chart(self) -> "BarChart":
        return stacked_bars(
            [(year.label, [("open", year.open), ("resolved", year.resolved)]) for year in self.friction]
        )


def flywheel_history(documents: Sequence[AuditDocument]) -> History:
    """Return the audits' figures side by side; `documents` are in the order to show, oldest first."""
    labels = audit_labels([document.header for document in documents])
    years = [figure_year(document) for document in documents]
    lines = line_up(documents)
    series = [_metric_series(line, labels, years) for line in lines]
    return History(
        labels=tuple(labels),
        metrics=tuple(item for item in series if item.kind != Kind.NPS),
        nps=tuple(item for item in series if item.kind == Kind.NPS),
        conversions=_conversion_series(documents, lines, labels, years),
        friction=tuple(
            FrictionYear(label, mix.open, mix.total - mix.open)
            for label, mix in zip(labels, (fix_mix(document.friction) for document in documents), strict=True)
        ),
    )


def audit_labels(headers: Sequence[Header]) -> list[str]:
    """Return each audit's year, with its title when two audits share a year."""
    years = [header.period_year for header in headers]
    return [
        f"{header.period_year} ({header.title})" if years.count(header.period_year) > 1 else str(header.period_year)
        for header in headers
    ]


def figure_year(document: AuditDocument) -> int:
    """Return the year whose readings stand for the audit: its own, or the latest read when it has none in it."""
    year = document.header.period_year
    read = {reading.period_start.year for metric in document.metrics for reading in metric.readings}
    return year if not read or year in read else max(read)


Line = list[MetricRow | None]  # one metric across the audits: a row per audit, or None


def line_up(documents: Sequence[AuditDocument]) -> list[Line]:
    """Return the metrics as lines across the audits: matched through carry-forward links, then by text."""
    lines: list[Line] = []
    line_of_id: dict[int, int] = {}
    for column, document in enumerate(documents):
        placed: dict[int, int] = {}  # index in document.metrics → line
        for index, metric in enumerate(document.metrics):
            line = line_of_id.get(metric.origin_id) if metric.origin_id is not None else None
            if line is not None and _fits(lines[line], metric, column):
                placed[index] = line
                lines[line][column] = metric
        for index, metric in enumerate(document.metrics):
            if index in placed:
                continue
            line = next((i for i, row in enumerate(lines) if _fits(row, metric, column, by_text=True)), None)
            if line is None:
                lines.append([None] * len(documents))
                line = len(lines) - 1
            lines[line][column] = metric
            placed[index] = line
        line_of_id |= {metric.id: placed[index] for index, metric in enumerate(document.metrics) if metric.id}
    return lines


def _fits(line: Line, metric: MetricRow, column: int, by_text: bool = False) -> bool:
    latest = _latest(line)
    if line[column] is not None or latest is None or latest.kind != metric.kind:
        return False
    return not by_text or (latest.stage == metric.stage and normalize(latest.name) == normalize(metric.name))


def _latest(line: Line) -> MetricRow | None:
    return next((metric for metric in reversed(line) if metric is not None), None)


def _metric_series(line: Line, labels: list[str], years: list[int]) -> Series:
    latest = _latest(line)
    points = []
    for metric, label, year in zip(line, labels, years, strict=True):
        figure = yearly_figure(metric, year) if metric else None
        value = figure.value if figure else None
        basis = figure.basis if figure else _("not in this audit")
        points.append(Point(label, value, figure_text(value, latest.kind), basis))
    names = dict.fromkeys(metric.name for metric in line if metric and metric.name != latest.name)
    return Series(latest.name, latest.stage, latest.kind, latest.unit, tuple(points), tuple(names))


def _conversion_series(
    documents: Sequence[AuditDocument], lines: list[Line], labels: list[str], years: list[int]
) -> tuple[Series, ...]:
    # By identity: which line each document's metric sits on.
    line_of = {id(metric): index for index, line in enumerate(lines) for metric in line if metric}
    steps: dict[tuple[int, int], dict[int, tuple[float | None, str]]] = {}
    for column, (document, year) in enumerate(zip(documents, years, strict=True)):
        for previous, current in pairwise(path_of(list(document.metrics))):
            basis = _("gains in %(year)s") % {"year": year}
            key = (line_of[id(previous)], line_of[id(current)])
            steps.setdefault(key, {})[column] = (yearly_conversion(previous, current, year), basis)
    series = []
    for (start, end), by_column in steps.items():
        points = []
        for column, label in enumerate(labels):
            rate, basis = by_column.get(column, (None, _("not a step in this audit")))
            points.append(Point(label, rate * 100 if rate is not None else None, calculations.percent(rate), basis))
        name = f"{_latest(lines[start]).name} → {_latest(lines[end]).name}"
        series.append(Series(name, _latest(lines[end]).stage, "conversion", "%", tuple(points)))
    return tuple(series)


# --- Chart geometry ------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    text: str

    @property
    def label_y(self) -> float:
        """Where the point's label sits: just above it."""
        return round(self.y - 9, 1)


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    lines: tuple[str, ...]  # "x,y x,y …" of each run of known values
    points: tuple[ChartPoint, ...]  # the known values, with their labels
    ticks: tuple[ChartPoint, ...]  # the years along the bottom
    zero_y: float  # where the zero line is drawn
    left: float
    right: float


def line_chart(
    values: Sequence[float | None], texts: Sequence[str], labels: Sequence[str], width: int = 300, height: int = 150
) -> LineChart:
    """Return a line chart's geometry: years on x, values on y from zero (or below, for negatives)."""
    side, top, bottom = 44, 24, 24
    known = [float(value) for value in values if value is not None]
    low, high = min([0.0, *known]), max([0.0, *known])
    span = (high - low) or 1.0

    def x_of(index: int) -> float:
        return round(width / 2 if len(values) < 2 else side + index * (width - 2 * side) / (len(values) - 1), 1)

    def y_of(value: float) -> float:
        return round(top + (high - value) / span * (height - top - bottom), 1)

    points, runs, run = [], [], []
    for index, (value, text) in enumerate(zip(values, texts, strict=True)):
        if value is None:
            runs, run = runs + [run], []
            continue
        point = ChartPoint(x_of(index), y_of(float(value)), text)
        points.append(point)
        run.append(f"{point.x},{point.y}")
    runs.append(run)
    return LineChart(
        width=width,
        height=height,
        lines=tuple(" ".join(run) for run in runs if len(run) > 1),
        points=tuple(points),
        ticks=tuple(ChartPoint(x_of(index), height - 6, label) for index, label in enumerate(labels)),
        zero_y=y_of(0.0),
        left=side / 2,
        right=width - side / 2,
    )


BAR_HEIGHT, BAR_GAP, BAR_LABEL_WIDTH, BAR_TOTAL_WIDTH = 22, 10, 64, 40


@dataclass(frozen=True)
class Segment:
    name: str  # what it counts, also its CSS class: "open", "automation", …
    value: int
    x: float
    width: float

    @property
    def middle(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def labelled(self) -> bool:
        """Whether the count fits inside the segment."""
        return self.width >= 18


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    total: int
    total_x: float
    segments: tuple[Segment, ...]

    @property
    def middle(self) -> float:
        return self.y + BAR_HEIGHT / 2


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bar_height: int
    bars: tuple[Bar, ...]


def stacked_bars(rows: Sequence[tuple[str, Sequence[tuple[str, int]]]], width: int = 360) -> BarChart:
    """Return horizontal stacked bars, one per (label, [(name, count), …]), on one scale."""
    plot = width - BAR_LABEL_WIDTH - BAR_TOTAL_WIDTH
    largest = max((sum(count for _name, count in parts) for _label, parts in rows), default=0) or 1
    bars = []
    for index, (label, parts) in enumerate(rows):
        x, segments = float(BAR_LABEL_WIDTH), []
        for name, count in parts:
            size = round(count / largest * plot, 1)
            if count:
                segments.append(Segment(name, count, round(x, 1), size))
            x += size
        y = BAR_GAP + index * (BAR_HEIGHT + BAR_GAP)
        bars.append(Bar(label, y, sum(count for _name, count in parts), round(x + 6, 1), tuple(segments)))
    return BarChart(width, BAR_GAP + len(rows) * (BAR_HEIGHT + BAR_GAP), BAR_HEIGHT, tuple(bars))
