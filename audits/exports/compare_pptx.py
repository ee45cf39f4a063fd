"""The comparison deck: how a flywheel moved between two audits, as a 16:9 presentation.

Built from `comparison.compare(before, after)` with the audit deck's parts (pptx.py): the same
16:9 presentation, text helpers and table pagination, so the same rules hold — no table runs off
its slide, no text is smaller than 12 pt. Tables and charts are native and editable. Whether
something got better or worse is always written out in words, never shown by colour alone.
"""

from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from .. import calculations
from ..comparison import (
    BETTER,
    SAME,
    WORSE,
    Comparison,
    ConversionChange,
    FixMix,
    ForceChange,
    FrictionChange,
    MetricChange,
    StrategyChange,
    TeamChange,
)
from ..document import FrictionRow
from . import pptx_language
from . import pptx_layout as layout
from .pptx import (
    ALERT,
    BODY_BOTTOM,
    BODY_LEFT,
    BODY_TOP,
    BODY_WIDTH,
    DARK,
    MINIMUM_SIZE,
    MUTED,
    NOTES_SIZE,
    SETTLED_BY,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    STAGE_COLOURS,
    ChartSpec,
    Column,
    Panel,
    Run,
    TableRow,
    _add_table,
    _clip,
    _content_slide,
    _figure,
    _fill,
    _fit_title,
    _layout,
    _message,
    _panel,
    _plain,
    _set_text,
    _text_box,
    _write,
    clean,
    force_cells,
    new_chart,
    new_presentation,
    table_pages,
)

MISSING = calculations.MISSING
BEFORE_COLOUR = RGBColor(0xA6, 0xAE, 0xB8)  # the earlier year, in grey; the later one in colour
AFTER_COLOUR = STAGE_COLOURS["engage"]

DIRECTIONS = {BETTER: gettext_lazy("Better"), WORSE: gettext_lazy("Worse"), SAME: gettext_lazy("Same")}
FORCE_FIELD_LABELS = {
    "before": gettext_lazy("Before"),
    "now": gettext_lazy("Now"),
    "serves": gettext_lazy("Serves"),
    "stage": gettext_lazy("Stage"),
    "planned_change": gettext_lazy("Planned change"),
}
FRICTION_GROUPS = {  # in the order the table lists them
    "resolved": gettext_lazy("Resolved"),
    "still_open": gettext_lazy("Still open"),
    "reopened": gettext_lazy("Reopened"),
    "new": gettext_lazy("New"),
    "dropped": gettext_lazy("Dropped while open"),
}
FIX_STEPS = {
    "automation": gettext_lazy("Automation"),
    "new_goal": gettext_lazy("A new goal"),
    "restructure": gettext_lazy("Restructuring"),
    "open": gettext_lazy("Still open"),
}
NUMBER_FORMATS = {"bucket": "#,##0", "nps": "0.0", "rate": '0.0"%"', "value": "#,##0.0"}


def write(comparison: Comparison) -> bytes:
    """Return the comparison as a .pptx file."""
    deck = new_presentation()
    _set_properties(deck, comparison)
    _title_slide(deck, comparison)
    _summary_slide(deck, comparison)
    _metric_slides(deck, comparison)
    _conversion_slides(deck, comparison)
    _force_slides(deck, comparison)
    _friction_slides(deck, comparison)
    _strategy_slides(deck, comparison)
    pptx_language.apply(deck, comparison.after.language)
    output = BytesIO()
    deck.save(output)
    return output.getvalue()


# --- Words for the figures ----------------------------------------------------------------------


def years(comparison: Comparison) -> tuple[str, str]:
    """The two sides' names in every table and chart: the years whose figures are compared."""
    before, after = str(comparison.before_year), str(comparison.after_year)
    if before == after:  # two audits of one year: tell them apart by title
        return _clip(comparison.before.title, 30), _clip(comparison.after.title, 30)
    return before, after


def flywheel_label(comparison: Comparison) -> str:
    before, after = comparison.before.flywheel_name, comparison.after.flywheel_name
    return after if comparison.same_flywheel else f"{before} / {after}"


def direction_text(direction: str | None) -> str:
    return str(DIRECTIONS.get(direction, _("Not compared")))


def metric_change_text(change: MetricChange) -> str:
    """The change as people read it: "+7,745,611 (+62.5%)", "+7.3 points", "+2.0 pp"."""
    if change.absolute is None:
        return MISSING
    if change.kind == "rate":  # a rate is stored in %: its change is in percentage points
        return calculations.signed(change.absolute, 1) + " " + _("pp")
    if change.kind == "nps":
        return calculations.signed(change.absolute, 1) + " " + _("points")
    text = calculations.signed(change.absolute, 0 if change.kind == "bucket" else 1)
    if change.unit and change.kind != "bucket":
        text += f" {change.unit}"
    if change.relative is not None:
        text += f" ({calculations.signed(change.relative * 100, 1)}%)"
    return text


def points_text(points: float | None) -> str:
    return MISSING if points is None else calculations.signed(points, 2) + " " + _("pp")


def conversion_label(change: ConversionChange) -> str:
    return f"{change.from_metric} → {change.to_metric}"


def _notes(slide: Slide, lines: Iterable[str]) -> None:
    text = "\n".join(clean(line) for line in lines if line)
    if text:
        _set_text(slide.notes_slide.notes_text_frame, text, NOTES_SIZE)


def _set_properties(deck: PresentationType, comparison: Comparison) -> None:
    before, after = years(comparison)
    properties = deck.core_properties
    properties.title = clean(f"{flywheel_label(comparison)} — {before} → {after}")[:255]
    properties.author = properties.last_modified_by = "Flywheel Audit"
    properties.subject = clean(comparison.after.organization_name)[:255]
    properties.keywords = "flywheel audit comparison"
    properties.language = comparison.after.language
    properties.revision = 1
    properties.created = properties.modified = timezone.now().replace(tzinfo=None, microsecond=0)


def _table_slides(deck: PresentationType, title: str, columns: list[Column], rows: list[TableRow], notes=()) -> None:
    """The table over as many slides as it needs (pptx.table_pages), each with the same speaker notes."""
    room = layout.points(BODY_BOTTOM - BODY_TOP)
    for number, page in enumerate(table_pages(columns, rows, room)):
        slide = _content_slide(deck, title if number == 0 else f"{title} " + _("(cont.)"))
        _add_table(slide, columns, page)
        _notes(slide, notes)


# --- Charts -------------------------------------------------------------------------------------


def _bar_chart(slide: Slide, spec: ChartSpec, left, top, width, height, point_colours=()) -> None:
    """A clustered column chart with data labels: one colour per series, or per point if given."""
    chart = new_chart(slide, spec, XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = spec.number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(MINIMUM_SIZE)
    known = [value for _name, values in spec.series for value in values if value is not None]
    if known and min(known) >= 0:
        chart.value_axis.minimum_scale = 0  # bars that do not start at zero overstate the change
    for series, colour in zip(plot.series, (BEFORE_COLOUR, AFTER_COLOUR), strict=False):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
    for series in plot.series:
        for index, colour in enumerate(point_colours):
            point = series.points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = colour


def _chart_grid(deck: PresentationType, title: str, specs: list[ChartSpec], notes=(), columns=3, rows=2) -> None:
    """Small charts, `columns` × `rows` to a slide, continued on more slides."""
    gap = Inches(0.25)
    width = (BODY_WIDTH - (columns - 1) * gap) // columns
    height = (BODY_BOTTOM - BODY_TOP - (rows - 1) * gap) // rows
    per_slide = columns * rows
    for start in range(0, len(specs), per_slide):
        slide = _content_slide(deck, title if start == 0 else f"{title} " + _("(cont.)"))
        _notes(slide, notes)
        for index, spec in enumerate(specs[start : start + per_slide]):
            left = BODY_LEFT + (index % columns) * (width + gap)
            top = BODY_TOP + (index // columns) * (height + gap)
            _bar_chart(slide, spec, left, top, width, height, point_colours=_point_colours(spec))


def _point_colours(spec: ChartSpec) -> tuple:
    return (BEFORE_COLOUR, spec.colour) if spec.colour is not None else ()


# --- 1. Title -----------------------------------------------------------------------------------


def _title_slide(deck: PresentationType, comparison: Comparison) -> None:
    slide = deck.slides.add_slide(_layout(deck, "Title Slide"))
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    _fit_title(title, flywheel_label(comparison), 40, 20, PP_ALIGN.CENTER)
    before, after = years(comparison)
    lines = [
        [Run(f"{before} → {after}", True, DARK)],
        [Run(_("Before: %(title)s") % {"title": _clip(comparison.before.title, 90)}, colour=MUTED)],
        [Run(_("After: %(title)s") % {"title": _clip(comparison.after.title, 90)}, colour=MUTED)],
        [Run(_clip(comparison.after.organization_name, 120), colour=MUTED)],
    ]
    if not comparison.same_flywheel:
        lines.append([Run(_("Warning: these audits are of different flywheels."), True, ALERT)])
    # The template's placeholders keep PowerPoint's default insets: 0.1 in at the sides, 0.05 in above and below.
    width, height = layout.points(subtitle.width) - 14.4, layout.points(subtitle.height) - 7.2
    size = layout.fitting_size("\n".join(_plain(runs) for runs in lines), width, height, 20, MINIMUM_SIZE)
    subtitle.text_frame.word_wrap = True
    _write(subtitle.text_frame, lines, size, PP_ALIGN.CENTER)
    band_width = SLIDE_WIDTH // 3
    for index, colour in enumerate(STAGE_COLOURS.values()):
        bar = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Emu(index * band_width), SLIDE_HEIGHT - Inches(0.25), band_width, Inches(0.25)
        )
        _fill(bar, colour)


# --- 2. Summary: what got better, what got worse -------------------------------------------------


def _metric_line(change: MetricChange) -> list[Run]:
    return [
        Run(_clip(change.name, 60) + ": ", True),
        Run(f"{_figure(change, change.before)} → {_figure(change, change.after)}"),
        Run(f" · {metric_change_text(change)}", colour=MUTED),
    ]


def _conversion_line(change: ConversionChange) -> list[Run]:
    return [
        Run(_clip(conversion_label(change), 90) + ": ", True),
        Run(f"{calculations.percent(change.before)} → {calculations.percent(change.after)}"),
        Run(f" · {points_text(change.points)}", colour=MUTED),
    ]


def summary_items(comparison: Comparison) -> dict[str, list[list[Run]]]:
    """The summary's three lists: "better", "worse" and "other" changes."""
    before, after = years(comparison)
    items: dict[str, list[list[Run]]] = {BETTER: [], WORSE: [], "other": []}
    for change in comparison.metrics:
        if change.direction in (BETTER, WORSE):
            items[change.direction].append(_metric_line(change))
    for change in comparison.conversions:
        if change.direction in (BETTER, WORSE):
            items[change.direction].append(_conversion_line(change))
    friction = comparison.friction
    if friction.resolved:
        items[BETTER].append([Run(_("Friction resolved: %(count)s") % {"count": len(friction.resolved)}, True)])
    for group, text in (
        (friction.still_open, _("Friction still open from %(year)s: %(count)s")),
        (friction.reopened, _("Friction open again: %(count)s")),
    ):
        if group:
            items[WORSE].append([Run(text % {"count": len(group), "year": before}, True)])
    items["other"] += _other_items(comparison, before, after)
    return items


def _other_items(comparison: Comparison, before: str, after: str) -> list[list[Run]]:
    items = []
    same = [change.name for change in comparison.metrics if change.direction == SAME]
    if same:
        items.append([Run(_("No change: "), True), Run(_clip(", ".join(same), 200))])
    if comparison.friction.new:
        still_open = sum(1 for change in comparison.friction.new if change.after_row.is_open)
        text = _("New friction in %(year)s: %(count)s (%(open)s open)")
        items.append([Run(text % {"year": after, "count": len(comparison.friction.new), "open": still_open}, True)])
    counts = [sum(len(getattr(team, group)) for team in comparison.teams) for group in ("changed", "new", "dropped")]
    if any(counts):
        text = _("Forces: %(changed)s changed, %(new)s new, %(dropped)s dropped")
        items.append([Run(text % dict(zip(("changed", "new", "dropped"), counts, strict=True)))])
    stages = [change.after.stage_label for change in comparison.strategies if change.changed]
    if stages:
        items.append([Run(_("Strategy changed at: %(stages)s") % {"stages": ", ".join(stages)})])
    for changes, text in (
        (comparison.metrics_only_after, _("New metrics in %(year)s: %(names)s")),
        (comparison.metrics_only_before, _("Metrics no longer measured: %(names)s")),
    ):
        if changes:
            names = _clip(", ".join(change.name for change in changes), 200)
            items.append([Run(text % {"year": after, "names": names})])
    return items


def _summary_slide(deck: PresentationType, comparison: Comparison) -> None:
    before, after = years(comparison)
    slide = _content_slide(deck, _("What changed from %(before)s to %(after)s") % {"before": before, "after": after})
    items = summary_items(comparison)
    gap = Inches(0.3)
    width = (BODY_WIDTH - 2 * gap) // 3
    columns = [
        [Panel(_("Got better"), items[BETTER], _("Nothing compared got better."))],
        [Panel(_("Got worse"), items[WORSE], _("Nothing compared got worse."))],
        [Panel(_("Other changes"), items["other"], _("Nothing else changed."), share=0.55)],
    ]
    if comparison.notes:
        notes = [[Run(_clip(note, 240), colour=ALERT)] for note in comparison.notes]
        columns[2].append(Panel(_("Read with care"), notes, ""))
    for index, panels in enumerate(columns):
        left, top = BODY_LEFT + index * (width + gap), BODY_TOP
        for panel in panels:
            top += _panel(slide, left, top, width, (BODY_BOTTOM - top) * panel.share, panel)
    _notes(slide, comparison.notes)


# --- 3. Metrics -----------------------------------------------------------------------------------


def metric_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Metric"), 0.3),
        Column(before, 0.16),
        Column(after, 0.16),
        Column(gettext_lazy("Change"), 0.22),
        Column(gettext_lazy("Direction"), 0.16),
    ]


def metric_cells(change: MetricChange, comparison: Comparison) -> tuple[str, ...]:
    before, after = years(comparison)
    name = change.name
    if change.renamed_from:
        name += "\n" + _("(was: %(name)s)") % {"name": change.renamed_from}
    if change.note:
        name += "\n" + change.note
    if change.before_figure is None:
        direction = _("New in %(year)s") % {"year": after}
    elif change.after_figure is None:
        direction = _("Only in %(year)s") % {"year": before}
    else:
        direction = direction_text(change.direction)
    return (name, _figure(change, change.before), _figure(change, change.after), metric_change_text(change), direction)


def metric_rows(comparison: Comparison) -> list[TableRow]:
    changes = [*comparison.metrics, *comparison.metrics_only_before, *comparison.metrics_only_after]
    return [TableRow(metric_cells(change, comparison), highlight=change.direction == WORSE) for change in changes]


def metric_charts(comparison: Comparison) -> list[ChartSpec]:
    """One small chart per compared metric: the earlier year's figure beside the later one's."""
    before, after = years(comparison)
    return [
        ChartSpec(
            title=_clip(change.name, 60),
            categories=[before, after],
            series=[(change.name, [change.before, change.after])],
            number_format=NUMBER_FORMATS.get(change.kind, "General"),
            colour=STAGE_COLOURS.get(change.stage, DARK),
        )
        for change in comparison.metrics
        if change.absolute is not None
    ]


def _metric_slides(deck: PresentationType, comparison: Comparison) -> None:
    before, after = years(comparison)
    title = _("Metrics: %(before)s vs %(after)s") % {"before": before, "after": after}
    rows = metric_rows(comparison)
    if not rows:
        _message(_content_slide(deck, title), _("Neither audit has metrics to compare."))
        return
    how = [f"{change.name}: {change.basis}" for change in comparison.metrics if change.basis]
    _table_slides(deck, title, metric_columns(comparison), rows, [_("How the figures were made:"), *how])
    charts = metric_charts(comparison)
    if charts:
        _chart_grid(deck, _("Key metrics: %(before)s and %(after)s") % {"before": before, "after": after}, charts, how)


# --- 4. Conversions -------------------------------------------------------------------------------


def conversion_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Conversion"), 0.36),
        Column(before, 0.14),
        Column(after, 0.14),
        Column(gettext_lazy("Change"), 0.18),
        Column(gettext_lazy("Direction"), 0.18),
    ]


def conversion_cells(change: ConversionChange, comparison: Comparison) -> tuple[str, ...]:
    before, after = years(comparison)
    label = conversion_label(change) + (f"\n{change.note}" if change.note else "")
    direction = direction_text(change.direction)
    if change.matched_by is None:  # a conversion of one audit only: its side is the one with a rate
        only_before = change.after is None and change.before is not None
        direction = _("Only in %(year)s") % {"year": before} if only_before else _("New in %(year)s") % {"year": after}
    return (
        label,
        calculations.percent(change.before),
        calculations.percent(change.after),
        points_text(change.points),
        direction,
    )


def conversion_chart(comparison: Comparison) -> ChartSpec:
    before, after = years(comparison)
    conversions = comparison.conversions
    return ChartSpec(
        title=_("Conversion between stages: %(before)s and %(after)s") % {"before": before, "after": after},
        categories=[conversion_label(change) for change in conversions],
        series=[(before, [change.before for change in conversions]), (after, [change.after for change in conversions])],
        number_format="0.0%",
        wide=True,
    )


def _conversion_slides(deck: PresentationType, comparison: Comparison) -> None:
    title = _("Conversion between stages")
    if not comparison.conversions:
        slide = _content_slide(deck, title)
        _message(slide, _("No conversions to compare: they need bucket metrics with readings in two stages or more."))
        return
    rows = [
        TableRow(conversion_cells(change, comparison), highlight=change.direction == WORSE)
        for change in comparison.conversions
    ]
    how = [f"{conversion_label(change)}: {change.basis}" for change in comparison.conversions]
    _table_slides(deck, title, conversion_columns(comparison), rows, [_("How the rates were made:"), *how])
    spec = conversion_chart(comparison)
    slide = _content_slide(deck, spec.title)
    _bar_chart(slide, spec, BODY_LEFT, BODY_TOP, BODY_WIDTH, BODY_BOTTOM - BODY_TOP)
    _notes(slide, how)


# --- 5. Forces, team by team ----------------------------------------------------------------------


def force_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Force"), 0.2),
        Column(gettext_lazy("Change"), 0.16),
        Column(before, 0.32),
        Column(after, 0.32),
    ]


def _force_field(row, name: str) -> str:
    value = {"serves": row.serves_label, "stage": row.stage_label}.get(name, getattr(row, name))
    return f"{FORCE_FIELD_LABELS[name]}: {value or MISSING}"


def force_change_cells(change: ForceChange) -> tuple[str, ...]:
    old, new = change.before_row, change.after_row
    if old is None:
        state, before, after = _("New"), MISSING, force_cells(new)[1]
    elif new is None:
        state, before, after = _("Dropped"), force_cells(old)[1], MISSING
    else:
        fields = ", ".join(str(FORCE_FIELD_LABELS[name]).lower() for name in change.changed_fields)
        state = _("Changed: %(fields)s") % {"fields": fields} if fields else _("Unchanged")
        before = "\n".join(_force_field(old, name) for name in change.changed_fields)
        after = "\n".join(_force_field(new, name) for name in change.changed_fields)
        if change.target:  # not one of the compared fields: what last year planned, to check against "now"
            after += ("\n" if after else "") + _("Planned last year: %(target)s") % {"target": change.target}
    return (change.name, state, before or MISSING, after or MISSING)


def team_rows(team: TeamChange) -> list[TableRow]:
    rows = [TableRow(force_change_cells(change)) for change in (*team.changed, *team.new, *team.dropped)]
    if team.unchanged:
        names = ", ".join(change.name for change in team.unchanged)
        label = _("Unchanged (%(count)s)") % {"count": len(team.unchanged)}
        rows.append(TableRow((names, label, "", "")))
    return rows


def team_title(team: TeamChange) -> str:
    title = _("Forces: %(team)s") % {"team": team.name}
    if not team.in_before:
        title += " " + _("(new team)")
    elif not team.in_after:
        title += " " + _("(team dropped)")
    return title


def _force_slides(deck: PresentationType, comparison: Comparison) -> None:
    teams = [team for team in comparison.teams if team_rows(team)]
    if not teams:
        _message(_content_slide(deck, _("Forces")), _("Neither audit lists forces."))
        return
    for team in teams:
        _table_slides(deck, team_title(team), force_columns(comparison), team_rows(team))


# --- 6. Friction ----------------------------------------------------------------------------------


def friction_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Source of friction"), 0.34),
        Column(gettext_lazy("Status"), 0.14),
        Column(before, 0.26),
        Column(after, 0.26),
    ]


def friction_side(row: FrictionRow | None) -> str:
    if row is None:
        return MISSING
    if row.is_open:
        return _("Open")
    return _("By %(step)s: %(fix)s") % {"step": SETTLED_BY[row.settled_by], "fix": row.fix}


def friction_cells(change: FrictionChange, group: str) -> tuple[str, ...]:
    return (
        change.source,
        str(FRICTION_GROUPS[group]),
        friction_side(change.before_row),
        friction_side(change.after_row),
    )


def friction_rows(comparison: Comparison) -> list[TableRow]:
    rows = []
    for group in FRICTION_GROUPS:
        for change in getattr(comparison.friction, group):
            still_open = change.after_row is not None and change.after_row.is_open
            rows.append(TableRow(friction_cells(change, group), highlight=still_open))
    return rows


def fix_mix_chart(comparison: Comparison) -> ChartSpec:
    before, after = years(comparison)
    mixes: tuple[FixMix, FixMix] = comparison.fix_mix
    series = [
        (year, [getattr(mix, step) for step in FIX_STEPS]) for year, mix in zip((before, after), mixes, strict=True)
    ]
    return ChartSpec(
        title=_("How friction was settled"),
        categories=[str(label) for label in FIX_STEPS.values()],
        series=series,
        number_format="0",
    )


def _friction_slides(deck: PresentationType, comparison: Comparison) -> None:
    title = _("Friction")
    rows = friction_rows(comparison)
    if not rows:
        _message(_content_slide(deck, title), _("Neither audit lists sources of friction."))
        return
    _table_slides(deck, title, friction_columns(comparison), rows)
    before, after = years(comparison)
    title = _("Friction: how it was settled, %(before)s and %(after)s") % {"before": before, "after": after}
    slide = _content_slide(deck, title)
    width = BODY_WIDTH * 3 // 5
    _bar_chart(slide, fix_mix_chart(comparison), BODY_LEFT, BODY_TOP, width, BODY_BOTTOM - BODY_TOP)
    counts = [[Run(_("Sources of friction"), True, DARK)]]
    for year, mix in zip((before, after), comparison.fix_mix, strict=True):
        text = _("%(year)s: %(total)s sources, %(settled)s settled, %(open)s open")
        numbers = {"year": year, "total": mix.total, "settled": mix.total - mix.open, "open": mix.open}
        counts.append([Run(text % numbers)])
    for group, label in FRICTION_GROUPS.items():
        counts.append([Run(f"{label}: ", True), Run(str(len(getattr(comparison.friction, group))))])
    left = BODY_LEFT + width + Inches(0.3)
    _text_box(slide, left, BODY_TOP, BODY_LEFT + BODY_WIDTH - left, BODY_BOTTOM - BODY_TOP, counts, 16)


# --- 7. Strategy ----------------------------------------------------------------------------------


def strategy_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Stage"), 0.12),
        Column(before, 0.36),
        Column(after, 0.36),
        Column(gettext_lazy("What changed"), 0.16),
    ]


def strategy_cells(change: StrategyChange) -> tuple[str, ...]:
    def side(strategy) -> str:
        return "\n".join(
            [
                _("Principle: %(text)s") % {"text": strategy.principle or MISSING},
                _("Approach: %(text)s") % {"text": strategy.approach or MISSING},
            ]
        )

    parts = ((_("principle"), change.principle_changed), (_("approach"), change.approach_changed))
    what = ", ".join(name for name, changed in parts if changed).capitalize() or _("Same")
    return (change.after.stage_label, side(change.before), side(change.after), what)


def _strategy_slides(deck: PresentationType, comparison: Comparison) -> None:
    title = _("Go-to-market strategy")
    if not any(change.changed for change in comparison.strategies):
        slide = _content_slide(deck, title)
        _message(slide, _("The strategy is the same in both audits: every stage kept its principle and approach."))
        return
    rows = [TableRow(strategy_cells(change), highlight=change.changed) for change in comparison.strategies]
    _table_slides(deck, title, strategy_columns(comparison), rows)
