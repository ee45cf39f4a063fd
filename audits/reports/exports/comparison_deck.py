"""The comparison deck: how a flywheel moved between two audits, as a 16:9 presentation for a CEO.

Built from `comparison.compare(before, after)` with the slide toolkit (slides.py) the audit deck
uses, so the same rules hold — no table runs off its slide, no text is smaller than 12 pt, every
slide has its number and source line, and Persian reads right to left (arrows, tables, charts).

Every content slide says what it shows in its title, computed from the figures ("6 of 7 actions
from 2018 done, 1 partly"), under a small kicker naming the section, with talking points in its
notes. A section with nothing to show is a line of the summary, not a slide of its own. A metric's
figure is its key number — the year's latest reading, as each audit's deck shows it — with its
basis ("Dec 2018 · latest month"); whether something got better or worse is written in words,
never shown by colour alone.
"""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from audits.content import calculations
from audits.content.document import (
    FORCE_LABELS,
    NOT_REVIEWED_LABEL,
    OPEN_LABEL,
    SETTLED_BY,
    SETTLING_LABELS,
    STAGE_LABELS,
    FrictionRow,
    ReviewRow,
)
from audits.models import ActionReview
from audits.reports.comparison import (
    BETTER,
    FRICTION_GROUPS,
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
    YearlyFigure,
)
from audits.reports.exports import deck_layout as layout
from audits.reports.exports import slides
from audits.reports.exports.slides import (
    ALERT,
    BODY_BOTTOM,
    BODY_LEFT,
    BODY_TOP,
    BODY_WIDTH,
    DARK,
    MINIMUM_SIZE,
    MUTED,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    STAGE_COLOURS,
    TABLE_SIZE,
    ChartSpec,
    Column,
    Notes,
    Panel,
    Run,
    TableRow,
)

MISSING = calculations.MISSING
BEFORE_COLOUR = RGBColor(0xA6, 0xAE, 0xB8)  # the earlier year, in grey; the later one in colour
AFTER_COLOUR = STAGE_COLOURS["engage"]

DIRECTIONS = {BETTER: gettext_lazy("Better"), WORSE: gettext_lazy("Worse"), SAME: gettext_lazy("Same")}
FIX_STEPS = {**SETTLING_LABELS, "open": OPEN_LABEL}  # the fix-mix chart's categories
NUMBER_FORMATS = {"bucket": "#,##0", "nps": "0.0", "rate": '0.0"%"', "value": "#,##0.0"}
# Statuses someone still has to act on: their rows are highlighted.
UNFINISHED = {"", ActionReview.Status.PARTLY, ActionReview.Status.NOT_DONE}
CONTINUED = gettext_lazy("Continued from the previous slide.")  # a "(cont.)" slide's notes


def write(comparison: Comparison) -> bytes:
    """Return the comparison as a .pptx file, in the later audit's language."""
    with translation.override(comparison.after.language):
        before, after = years(comparison)
        deck = slides.new_deck(
            slides.source_line(
                flywheel_label(comparison), f"{comparison.before.title} {slides.arrow()} {comparison.after.title}"
            )
        )
        slides.set_properties(
            deck.presentation,
            f"{flywheel_label(comparison)} — {before} → {after}",
            comparison.after.organization_name,
            "flywheel audit comparison",
        )
        deck.presentation.core_properties.language = comparison.after.language
        _title_slide(deck, comparison)
        _summary_slide(deck, comparison)
        _action_slides(deck, comparison)
        _metric_slides(deck, comparison)
        _conversion_slides(deck, comparison)
        _force_slides(deck, comparison)
        _friction_slides(deck, comparison)
        _strategy_slides(deck, comparison)
        return deck.save()


def table_slides(deck: slides.Deck, titles: tuple[str, str], columns, rows, notes: Notes, marked=False) -> None:
    """The toolkit's continued table; a "(cont.)" slide's notes say so rather than repeat the first slide's."""
    slides.table_slides(deck, titles, columns, rows, notes, marked, continued_notes=Notes(str(CONTINUED)))


# --- Words and numbers in the deck's language ---------------------------------------------------


def listed(items) -> str:
    """Items joined as the deck's language lists them: "a, b" ("a، b" in Persian)."""
    return pgettext("between the items of a list", ", ").join(items)


def joined(before: str, after: str) -> str:
    return f"{before} {slides.arrow()} {after}"


def years(comparison: Comparison) -> tuple[str, str]:
    """The two sides' names in every table and chart: the years whose figures are compared."""
    before, after = str(comparison.before_year), str(comparison.after_year)
    if before == after:  # two audits of one year: tell them apart by title
        return slides.clip(comparison.before.title, 30), slides.clip(comparison.after.title, 30)
    return before, after


def flywheel_label(comparison: Comparison) -> str:
    before, after = comparison.before.flywheel_name, comparison.after.flywheel_name
    return after if comparison.same_flywheel else f"{before} / {after}"


def direction_text(direction: str | None) -> str:
    return str(DIRECTIONS.get(direction, _("Not compared")))


def figure(change: MetricChange, value) -> str:
    """A figure as both decks write it: "12,396,445 visitors", "44.2" (an NPS is a score, no unit)."""
    return slides.figure_text(change, value)


def reading_period(year_figure: YearlyFigure | None, year: int) -> str:
    """The period a key number was read in ("Dec 2018"); the year when it has no reading."""
    if year_figure is None or year_figure.latest is None:
        return str(year)
    return slides.period_text(year_figure.latest, year_figure.period)


def basis(year_figure: YearlyFigure | None, year: int) -> str:
    """What a key number is, as the audit deck says it: "Dec 2018 · latest month"."""
    if year_figure is None or year_figure.latest is None:
        return str(year)
    kind = slides.PERIOD_BASIS.get(year_figure.period, "")
    return f"{reading_period(year_figure, year)} · {kind}".rstrip(" ·")


def metric_change_text(change: MetricChange) -> str:
    """The change as people read it: "+7,745,611 (+62.5%)", "+6.8 points", "+2.0 pp"."""
    if change.absolute is None:
        return MISSING
    if change.kind == "rate" or change.unit.strip() == "%":  # a rate's change is in percentage points
        return slides.points(change.absolute)
    if change.kind == "nps":
        return slides.signed(change.absolute, 1) + " " + _("points")
    text = slides.signed(change.absolute, 0 if change.kind == "bucket" else 1)
    if change.unit and change.kind != "bucket":
        text += f" {change.unit}"
    if change.relative is not None:
        text += f" ({relative_text(change)})"
    return text


def relative_text(change: MetricChange) -> str:
    """ "+62.5%" ("+62,5 %" in Vietnamese), with the toolkit's percent sign."""
    return pgettext("a percentage on a slide", "%(number)s%%") % {"number": slides.signed(change.relative * 100, 1)}


def points_text(points: float | None) -> str:
    return slides.points(points, 2)


def conversion_label(change: ConversionChange) -> str:
    return joined(change.from_metric, change.to_metric)


def review_status(review: ReviewRow) -> str:
    return review.status_label or str(NOT_REVIEWED_LABEL)


def actions_fact(comparison: Comparison) -> str:
    """The year-over-year fact a CEO asks first: "6 of 7 actions from 2018 done, 1 partly"."""
    actions = comparison.actions
    text = ngettext(
        "%(done)s of %(total)s action from %(year)s done",
        "%(done)s of %(total)s actions from %(year)s done",
        actions.total,
    ) % {"done": actions.done, "total": actions.total, "year": years(comparison)[0]}
    parts = [
        (actions.partly, _("%(count)s partly")),
        (actions.not_done, _("%(count)s not done")),
        (actions.dropped, _("%(count)s dropped")),
        (actions.unreviewed, _("%(count)s not reviewed yet")),
    ]
    return listed([text, *(part % {"count": count} for count, part in parts if count)])


def illustrative(comparison: Comparison) -> bool:
    """Whether the compared figures are an example's (the demo's), to be marked on every slide showing them."""
    return any(change.illustrative for change in (*comparison.metrics, *comparison.metrics_only_after))


def _slide(deck: slides.Deck, kicker: str, title: str, notes: Notes, marked: bool = False) -> Slide:
    return slides.content_slide(deck, title, kicker, notes, marked)


def talking_points(*lines: str) -> str:
    return "\n".join(f"• {line}" for line in lines if line)


# --- Charts -------------------------------------------------------------------------------------


def _bar_chart(slide: Slide, spec: ChartSpec, left, top, width, height, point_colours=()) -> None:
    """A clustered column chart with data labels: grey for the earlier year, colour for the later."""
    chart = slides.new_chart(slide, spec, XL_CHART_TYPE.COLUMN_CLUSTERED, left, top, width, height)
    plot = chart.plots[0]
    plot.gap_width = 60
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.number_format, labels.number_format_is_linked = spec.number_format, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(MINIMUM_SIZE)
    for series, colour in zip(plot.series, (BEFORE_COLOUR, AFTER_COLOUR), strict=False):
        series.format.fill.solid()
        series.format.fill.fore_color.rgb = colour
    for series in plot.series:
        for index, colour in enumerate(point_colours):
            point = series.points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = colour


def value_axis_title(change: MetricChange) -> str:
    if change.kind == "nps":
        return _("NPS (−100 to +100)")
    return change.unit.strip() or (_("Total") if change.kind == "bucket" else _("Value"))


# --- 1. Title -----------------------------------------------------------------------------------


def _title_slide(deck: slides.Deck, comparison: Comparison) -> None:
    slide = deck.slides.add_slide(deck.layout("Title Slide"))
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    slides.fit_title(title, flywheel_label(comparison), 40, 20, PP_ALIGN.CENTER)
    before, after = years(comparison)
    lines = [
        [Run(joined(before, after), True, DARK)],
        [Run(_("Before: %(title)s") % {"title": slides.clip(comparison.before.title, 90)}, colour=MUTED)],
        [Run(_("After: %(title)s") % {"title": slides.clip(comparison.after.title, 90)}, colour=MUTED)],
        [Run(slides.clip(comparison.after.organization_name, 120), colour=MUTED)],
    ]
    if not comparison.same_flywheel:
        lines.append([Run(_("Warning: these audits are of different flywheels."), True, ALERT)])
    # The template's placeholders keep PowerPoint's default insets: 0.1 in at the sides, 0.05 in above and below.
    width, height = layout.points(subtitle.width) - 14.4, layout.points(subtitle.height) - 7.2
    size = layout.fitting_size("\n".join(slides.plain(runs) for runs in lines), width, height, 20, MINIMUM_SIZE)
    subtitle.text_frame.word_wrap = True
    slides.write_runs(subtitle.text_frame, lines, size, PP_ALIGN.CENTER)
    band_width = SLIDE_WIDTH // 3
    for index, colour in enumerate(STAGE_COLOURS.values()):
        left = slides.mirror(index * band_width, band_width)
        bar = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Emu(left), SLIDE_HEIGHT - Inches(0.25), band_width, Inches(0.25)
        )
        slides.fill(bar, colour)
    shows = talking_points(
        _("This deck compares “%(before)s” with “%(after)s”, audits of the %(flywheel)s flywheel.")
        % {"before": comparison.before.title, "after": comparison.after.title, "flywheel": flywheel_label(comparison)},
        _("Open with the question the meeting answers: does the flywheel turn faster than a year ago?"),
    )
    slides.write_notes(slide, Notes(shows))
    # The title slide's number and source line sit above the stage bands.
    slides.footer(deck, slide)
    for shape in list(slide.shapes)[-2:]:
        shape.top = SLIDE_HEIGHT - Inches(0.7)


# --- 2. Summary: key numbers, last year's actions, what got better and worse ---------------------


def stage_key_changes(comparison: Comparison) -> list[MetricChange]:
    """Each stage's key metric, as each audit's deck picks it: the stage's first metric."""
    changes = []
    everything = (*comparison.metrics, *comparison.metrics_only_after, *comparison.metrics_only_before)
    for stage in STAGE_LABELS:
        first = next((change for change in everything if change.stage == stage), None)
        if first is not None:
            changes.append(first)
    return changes


def figures_text(change: MetricChange) -> str:
    return joined(figure(change, change.before), figure(change, change.after))


def _key_number_line(change: MetricChange, comparison: Comparison) -> list[Run]:
    periods = joined(
        basis(change.before_figure, comparison.before_year), reading_period(change.after_figure, comparison.after_year)
    )
    return [
        Run(str(STAGE_LABELS[change.stage]), True, STAGE_COLOURS.get(change.stage)),
        Run(f" · {slides.clip(change.name, 50)}: "),
        Run(figures_text(change), True),
        Run(f" ({periods}) · {metric_change_text(change)}", colour=MUTED),
    ]


def _change_line(change: MetricChange) -> list[Run]:
    return [Run(slides.clip(change.name, 60) + ": ", True), Run(metric_change_text(change))]


def _conversion_line(change: ConversionChange) -> list[Run]:
    return [
        Run(slides.clip(conversion_label(change), 90) + ": ", True),
        Run(joined(slides.percent(change.before), slides.percent(change.after))),
        Run(f" · {points_text(change.points)}", colour=MUTED),
    ]


def summary_items(comparison: Comparison) -> dict[str, list[list[Run]]]:
    """The summary's lists: "better", "worse" and "other" changes."""
    before, after = years(comparison)
    items: dict[str, list[list[Run]]] = {BETTER: [], WORSE: [], "other": []}
    for change in comparison.metrics:
        if change.direction in (BETTER, WORSE):
            items[change.direction].append(_change_line(change))
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
    items["other"] += _other_items(comparison, after)
    return items


def _other_items(comparison: Comparison, after: str) -> list[list[Run]]:
    items = []
    same = [change.name for change in comparison.metrics if change.direction == SAME]
    steady = [conversion_label(change) for change in comparison.conversions if change.direction == SAME]
    if same or steady:
        items.append([Run(_("No change: "), True), Run(slides.clip(listed([*same, *steady]), 200))])
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
        items.append([Run(_("Strategy changed at: %(stages)s") % {"stages": listed(stages)})])
    for changes, text in (
        (comparison.metrics_only_after, _("New metrics in %(year)s: %(names)s")),
        (comparison.metrics_only_before, _("Metrics no longer measured: %(names)s")),
    ):
        if changes:
            names = slides.clip(listed(change.name for change in changes), 200)
            items.append([Run(text % {"year": after, "names": names})])
    # A section with nothing to show is a line here rather than a slide of its own.
    items += [[Run(text, colour=MUTED)] for text in _empty_sections(comparison)]
    return items


def _empty_sections(comparison: Comparison) -> list[str]:
    texts = []
    if not (comparison.metrics or comparison.metrics_only_before or comparison.metrics_only_after):
        texts.append(_("Neither audit has metrics to compare."))
    if not comparison.conversions:
        texts.append(_("No conversions to compare: they need bucket metrics with readings in two stages or more."))
    groups = ("changed", "new", "dropped", "unchanged")
    if not any(getattr(team, group) for team in comparison.teams for group in groups):
        texts.append(_("Neither audit lists forces."))
    if not any(getattr(comparison.friction, group) for group in FRICTION_GROUPS):
        texts.append(_("Neither audit lists sources of friction."))
    if not any(change.changed for change in comparison.strategies):
        texts.append(_("The strategy is the same in both audits: every stage kept its principle and approach."))
    return texts


def open_friction(comparison: Comparison) -> list[FrictionChange]:
    """The sources of friction open in the later audit."""
    groups = ("still_open", "reopened", "new")
    changes = [change for group in groups for change in getattr(comparison.friction, group)]
    return [change for change in changes if change.after_row is not None and change.after_row.is_open]


def _decisions(comparison: Comparison) -> list[list[Run]]:
    """The ask: what the team needs decided — friction still open, last year's unfinished actions."""
    items = []
    count = len(open_friction(comparison))
    if count:
        text = ngettext(
            "%(count)s source of friction is open: who owns it, and by when?",
            "%(count)s sources of friction are open: who owns each, and by when?",
            count,
        )
        items.append([Run(text % {"count": count}, True, ALERT)])
    count = comparison.actions.partly + comparison.actions.not_done
    if count:
        text = ngettext(
            "%(count)s of last year's actions is unfinished: finish, reassign or drop it?",
            "%(count)s of last year's actions are unfinished: finish, reassign or drop them?",
            count,
        )
        items.append([Run(text % {"count": count}, True, ALERT)])
    return items


def metrics_fact(comparison: Comparison) -> str:
    compared = [change for change in comparison.metrics if change.direction is not None]
    if not compared:
        count = len(comparison.metrics) + len(comparison.metrics_only_before) + len(comparison.metrics_only_after)
        return ngettext(
            "%(count)s metric, without figures to compare in both years",
            "%(count)s metrics, none with figures to compare in both years",
            count,
        ) % {"count": count}
    better = sum(1 for change in compared if change.direction == BETTER)
    worse = sum(1 for change in compared if change.direction == WORSE)
    text = ngettext(
        "%(better)s of %(count)s metric better, %(worse)s worse",
        "%(better)s of %(count)s metrics better, %(worse)s worse",
        len(compared),
    )
    return text % {"better": better, "count": len(compared), "worse": worse}


def summary_title(comparison: Comparison) -> str:
    """The summary's message: last year's actions, then how many metrics got better and worse."""
    parts = [actions_fact(comparison)] if comparison.actions.total else []
    if any(change.direction is not None for change in comparison.metrics):
        parts.append(metrics_fact(comparison))
    if not parts:
        before, after = years(comparison)
        return _("No figures to compare between %(before)s and %(after)s") % {"before": before, "after": after}
    return pgettext("between the clauses of a slide title", "; ").join(parts)


def _summary_slide(deck: slides.Deck, comparison: Comparison) -> None:
    before, after = years(comparison)
    kicker = _("What changed from %(before)s to %(after)s") % {"before": before, "after": after}
    notes = Notes(
        talking_points(
            _("Each stage's key number is the year's latest reading, as in each audit's own deck."),
            _("Then last year's actions, what got better and worse, and what needs deciding."),
            *comparison.notes,
        ),
        (_("Which change surprised you?"), _("Which open item needs a decision today?")),
    )
    slide = _slide(deck, kicker, summary_title(comparison), notes, illustrative(comparison))
    items = summary_items(comparison)
    keys = [_key_number_line(change, comparison) for change in stage_key_changes(comparison)]
    actions = []
    if comparison.actions.total:
        actions = [[Run(actions_fact(comparison), True)]]
        actions += [
            [Run(slides.clip(review.what, 120) + ": ", True), Run(review_status(review))]
            for review in comparison.actions.reviews
            if review.status in UNFINISHED and review.status
        ]
    columns = [
        [
            Panel(_("Key numbers (latest reading)"), keys, _("No metrics yet."), share=0.55),
            Panel(_("Last year's actions"), actions, _("Not reviewed in this audit."), share=0.6),
            Panel(_("To decide"), _decisions(comparison), _("Nothing waits on a decision.")),
        ],
        [
            Panel(_("Got better"), items[BETTER], _("Nothing compared got better."), share=0.5),
            Panel(_("Got worse"), items[WORSE], _("Nothing compared got worse.")),
        ],
        [Panel(_("Other changes"), items["other"], _("Nothing else changed."), share=0.6)],
    ]
    if comparison.notes:
        notes = [[Run(slides.clip(note, 240), colour=ALERT)] for note in comparison.notes]
        columns[2].append(Panel(_("Read with care"), notes, ""))
    gap = Inches(0.3)
    widths = [(BODY_WIDTH - 2 * gap) * 2 // 5, (BODY_WIDTH - 2 * gap) * 3 // 10]
    widths.append(BODY_WIDTH - 2 * gap - sum(widths))
    left = BODY_LEFT
    for width, panels in zip(widths, columns, strict=True):
        top = BODY_TOP
        for panel in panels:  # placed mirrored in Persian by the toolkit: the first column where reading starts
            top += slides.panel(slide, left, top, width, (BODY_BOTTOM - top) * panel.share, panel)
        left += width + gap


# --- 3. Last year's actions ----------------------------------------------------------------------

REVIEW_COLUMNS = {
    "what": Column(gettext_lazy("For"), 0.25),
    "fix": Column(gettext_lazy("Fix or change"), 0.3),
    "owner": Column(gettext_lazy("Owner"), 0.13),
    "status": Column(gettext_lazy("Status"), 0.12),
    "note": Column(gettext_lazy("Note"), 0.2),
}


def review_fields(reviews) -> list[str]:
    """The review table's columns: the owner and the note only where some action has one."""
    return [name for name in REVIEW_COLUMNS if name not in ("owner", "note") or any(getattr(r, name) for r in reviews)]


def review_cells(review: ReviewRow, fields=tuple(REVIEW_COLUMNS)) -> tuple[str, ...]:
    what = (_("Friction: %(what)s") if review.kind == "friction" else _("Force: %(what)s")) % {"what": review.what}
    cells = {
        "what": what,
        "fix": review.fix or MISSING,
        "owner": review.owner or MISSING,
        "status": review_status(review),
        "note": review.note,
    }
    return tuple(cells[name] for name in fields)


def review_rows(comparison: Comparison, fields: list[str]) -> list[TableRow]:
    """Each reviewed action; those not reviewed yet folded into one row: there is nothing to say of each."""
    reviews = comparison.actions.reviews
    rows = [
        TableRow(review_cells(review, fields), highlight=review.status in UNFINISHED)
        for review in reviews
        if review.status
    ]
    waiting = [review.what for review in reviews if not review.status]
    if waiting:
        cells = {"what": slides.clip(listed(waiting), 300), "status": _("Not reviewed yet (%(count)s)")}
        cells["status"] %= {"count": len(waiting)}
        rows.append(TableRow(tuple(cells.get(name, "") for name in fields), highlight=True))
    return rows


def _action_slides(deck: slides.Deck, comparison: Comparison) -> None:
    if comparison.actions.unreviewed == comparison.actions.total:  # nothing to table: the summary says so
        return
    before, after = years(comparison)
    fields = review_fields(comparison.actions.reviews)
    rows = review_rows(comparison, fields)
    notes = Notes(
        talking_points(
            _("How the %(after)s audit reviewed each action the %(before)s audit agreed on.")
            % {"before": before, "after": after},
            _("Unfinished actions are highlighted."),
        ),
        (_("What stopped the actions that are not done?"), _("Do they still matter, and who owns them now?")),
    )
    titles = (actions_fact(comparison), _("Last year's actions"))
    table_slides(deck, titles, [REVIEW_COLUMNS[name] for name in fields], rows, notes)


# --- 4. Metrics -----------------------------------------------------------------------------------


def metric_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Metric"), 0.28),
        Column(before, 0.19),
        Column(after, 0.19),
        Column(gettext_lazy("Change"), 0.2),
        Column(gettext_lazy("Direction"), 0.14),
    ]


def figure_cell(change: MetricChange, value, year_figure: YearlyFigure | None, year: int) -> str:
    """The key number and what it is; the whole year's figure below it where that differs."""
    if year_figure is None:
        return MISSING
    lines = [figure(change, value), basis(year_figure, year)]
    if year_figure.year_value is not None:
        lines.append(_("Whole year: %(figure)s") % {"figure": figure(change, year_figure.year_value)})
    return "\n".join(lines)


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
    return (
        name,
        figure_cell(change, change.before, change.before_figure, comparison.before_year),
        figure_cell(change, change.after, change.after_figure, comparison.after_year),
        metric_change_text(change),
        direction,
    )


def metric_rows(comparison: Comparison) -> list[TableRow]:
    changes = [*comparison.metrics, *comparison.metrics_only_before, *comparison.metrics_only_after]
    return [TableRow(metric_cells(change, comparison), highlight=change.direction == WORSE) for change in changes]


def metric_charts(comparison: Comparison) -> list[tuple[ChartSpec, MetricChange]]:
    """One small chart per compared metric: the earlier year's key number beside the later one's."""
    return [
        (
            ChartSpec(
                title=slides.clip(change.name, 60),
                categories=[
                    reading_period(change.before_figure, comparison.before_year),
                    reading_period(change.after_figure, comparison.after_year),
                ],
                series=[(change.name, [change.before, change.after])],
                number_format=NUMBER_FORMATS.get(change.kind, "General"),
                colour=STAGE_COLOURS.get(change.stage, DARK),
                value_title=value_axis_title(change),
                category_title=_("Latest reading of each year"),
            ),
            change,
        )
        for change in comparison.metrics
        if change.absolute is not None
    ]


def charts_title(charts: list[tuple[ChartSpec, MetricChange]]) -> str:
    """The chart slide's message: the metric that moved most, relative to its own figure."""
    moved = [change for _spec, change in charts if change.relative is not None]
    if not moved:
        return _("%(count)s metrics, each year's latest reading") % {"count": len(charts)}
    change = max(moved, key=lambda change: abs(change.relative))
    return _("%(name)s moved most: %(figures)s (%(change)s)") % {
        "name": slides.clip(change.name, 50),
        "figures": figures_text(change),
        "change": relative_text(change),
    }


def _metric_slides(deck: slides.Deck, comparison: Comparison) -> None:
    before, after = years(comparison)
    rows = metric_rows(comparison)
    if not rows:
        return
    how = [f"{change.name}: {change.basis}" for change in comparison.metrics if change.basis]
    notes = Notes(
        talking_points(
            _("Each figure is the year's latest reading, the key number of each audit's deck, its period below it."),
            _("Where the whole year gives another figure (an NPS of all its surveys, a rate's mean), it is shown too."),
            _("A rate's change is in percentage points (pp), an NPS's in points."),
            _("How the figures were made:"),
            *how,
        ),
        (_("Which metric moved least for the effort the team put in?"),),
    )
    kicker = _("Metrics: %(before)s vs %(after)s") % {"before": before, "after": after}
    columns = metric_columns(comparison)
    table_slides(deck, (metrics_fact(comparison), kicker), columns, rows, notes, illustrative(comparison))
    charts = metric_charts(comparison)
    if charts:
        _chart_grid(deck, comparison, charts)


def _chart_grid(deck: slides.Deck, comparison: Comparison, charts: list, columns=3, rows=2) -> None:
    """Small charts, `columns` × `rows` to a slide, continued on more slides; from the right in Persian."""
    before, after = years(comparison)
    kicker = _("Key metrics: %(before)s and %(after)s") % {"before": before, "after": after}
    title = charts_title(charts)
    notes = Notes(
        talking_points(
            _("One chart per metric: the latest reading of each year, bars from zero."),
            _("Grey is %(before)s, colour is %(after)s.") % {"before": before, "after": after},
        ),
        (_("Is each change as large as the team expected?"),),
    )
    gap = Inches(0.25)
    width = (BODY_WIDTH - (columns - 1) * gap) // columns
    height = (BODY_BOTTOM - BODY_TOP - (rows - 1) * gap) // rows
    per_slide = columns * rows
    for start in range(0, len(charts), per_slide):
        page_title = title if start == 0 else f"{title} " + _("(cont.)")
        slide = _slide(
            deck, kicker, page_title, notes if start == 0 else Notes(str(CONTINUED)), illustrative(comparison)
        )
        for index, (spec, _change) in enumerate(charts[start : start + per_slide]):
            left = BODY_LEFT + (index % columns) * (width + gap)
            top = BODY_TOP + (index // columns) * (height + gap)
            _bar_chart(slide, spec, left, top, width, height, point_colours=(BEFORE_COLOUR, spec.colour))


# --- 5. Conversions -------------------------------------------------------------------------------


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
        slides.percent(change.before),
        slides.percent(change.after),
        points_text(change.points),
        direction,
    )


def conversion_chart(comparison: Comparison) -> ChartSpec:
    before, after = years(comparison)
    conversions = comparison.conversions
    return ChartSpec(
        title=_("Conversion over the whole year"),
        categories=[conversion_label(change) for change in conversions],
        series=[(before, [change.before for change in conversions]), (after, [change.after for change in conversions])],
        number_format="0.0%",
        wide=True,
        value_title=_("Share converted from the step before"),
        category_title=_("Step"),
    )


def conversions_title(comparison: Comparison) -> str:
    """The step that lost most against its own rate a year before, else the one that gained most."""
    known = [change for change in comparison.conversions if change.points is not None]
    worse = [change for change in known if change.direction == WORSE]
    better = [change for change in known if change.direction == BETTER]
    if worse or better:
        change = min(worse, key=lambda c: c.points) if worse else max(better, key=lambda c: c.points)
        if worse:
            text = _("%(step)s lost most: %(figures)s over the year (%(points)s)")
        else:
            text = _("%(step)s gained most: %(figures)s over the year (%(points)s)")
        return text % {
            "step": slides.clip(conversion_label(change), 60),
            "figures": joined(slides.percent(change.before), slides.percent(change.after)),
            "points": points_text(change.points),
        }
    if not known:
        return _("No step has a conversion rate in both years")
    return ngettext(
        "Conversion held steady at the %(count)s step: it moved by less than 0.01 pp",
        "Conversion held steady at all %(count)s steps: none moved by 0.01 pp or more",
        len(known),
    ) % {"count": len(known)}


def _conversion_slides(deck: slides.Deck, comparison: Comparison) -> None:
    if not comparison.conversions:
        return
    rows = [
        TableRow(conversion_cells(change, comparison), highlight=change.direction == WORSE)
        for change in comparison.conversions
    ]
    how = [f"{conversion_label(change)}: {change.basis}" for change in comparison.conversions]
    notes = Notes(
        talking_points(
            _("Each rate is over the whole year: the later bucket's gains ÷ the earlier bucket's gains."),
            _("The change is in percentage points (pp)."),
            *how,
        ),
        (_("Where does the flywheel lose most momentum now, and why?"),),
    )
    kicker, title, marked = _("Conversion between stages"), conversions_title(comparison), illustrative(comparison)
    columns = conversion_columns(comparison)
    room = layout.points(BODY_BOTTOM - BODY_TOP)
    pages = slides.table_pages(columns, rows, room)
    used = _table_height(columns, pages[0])
    spec = conversion_chart(comparison)
    if len(pages) == 1 and room - used >= 200:  # a short table: the chart below it, on the same slide
        slide = _slide(deck, kicker, title, notes, marked)
        slides.add_table(slide, columns, pages[0])
        top = BODY_TOP + Emu(round((used + 12) * layout.EMU_PER_POINT))
        _bar_chart(slide, spec, BODY_LEFT, top, BODY_WIDTH, BODY_BOTTOM - top)
        return
    table_slides(deck, (title, kicker), columns, rows, notes, marked)
    slide = _slide(
        deck, kicker, title + " " + _("(cont.)"), Notes(_("The same rates as the table, as a chart.")), marked
    )
    _bar_chart(slide, spec, BODY_LEFT, BODY_TOP, BODY_WIDTH, BODY_BOTTOM - BODY_TOP)


def _table_height(columns: list[Column], page: list) -> float:
    widths = [layout.points(width) for width in slides.column_widths(columns)]
    header = layout.row_height([str(column.title) for column in columns], widths, TABLE_SIZE)
    return header + sum(height for _row, height in page)


# --- 6. Forces, every team in one table -----------------------------------------------------------


def force_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Force"), 0.22),
        Column(gettext_lazy("Change"), 0.16),
        Column(before, 0.31),
        Column(after, 0.31),
    ]


def _force_field(row, name: str) -> str:
    return f"{FORCE_LABELS[name]}: {row.shown(name) or MISSING}"


def _force_text(row) -> str:
    return joined(row.before, row.now) if row.before and row.now else row.now or row.before


def force_change_cells(change: ForceChange) -> tuple[str, ...]:
    old, new = change.before_row, change.after_row
    name = f"{change.team}: {change.name}"
    if old is None:
        return (name, _("New"), MISSING, _force_text(new) or MISSING)
    if new is None:
        return (name, _("Dropped"), _force_text(old) or MISSING, MISSING)
    fields = listed(str(FORCE_LABELS[field]).lower() for field in change.changed_fields)
    state = _("Changed: %(fields)s") % {"fields": fields} if fields else _("Unchanged")
    before = "\n".join(_force_field(old, field) for field in change.changed_fields)
    after = "\n".join(_force_field(new, field) for field in change.changed_fields)
    if change.target:  # not one of the compared fields: what last year planned, to check against "now"
        after += ("\n" if after else "") + _("Planned last year: %(target)s") % {"target": change.target}
    return (name, state, before or MISSING, after or MISSING)


def team_rows(team: TeamChange) -> list[TableRow]:
    """The team's changed, new and dropped forces; its unchanged ones folded into one row."""
    rows = [TableRow(force_change_cells(change)) for change in (*team.changed, *team.new, *team.dropped)]
    if team.unchanged:
        names = listed(change.name for change in team.unchanged)
        label = _("Unchanged (%(count)s)") % {"count": len(team.unchanged)}
        rows.append(TableRow((team.name, label, names, _("Same"))))
    return rows


def forces_title(comparison: Comparison) -> str:
    counts = {group: sum(len(getattr(team, group)) for team in comparison.teams) for group in ("changed", "new")}
    counts |= {"dropped": sum(len(team.dropped) for team in comparison.teams), "teams": len(comparison.teams)}
    return (
        ngettext(
            "%(changed)s forces changed, %(new)s new, %(dropped)s dropped in %(teams)s team",
            "%(changed)s forces changed, %(new)s new, %(dropped)s dropped across %(teams)s teams",
            counts["teams"],
        )
        % counts
    )


def _force_slides(deck: slides.Deck, comparison: Comparison) -> None:
    rows = [row for team in comparison.teams for row in team_rows(team)]
    if not rows:
        return
    notes = Notes(
        talking_points(
            _("The forces each team changed, added or dropped; the forces that stayed the same, one row per team."),
            _("A force's state is its “now”: its “before” is history and its planned change is next year's plan."),
        ),
        (_("Which change moved a key number?"), _("Which force still serves our process rather than the customer?")),
    )
    titles = (forces_title(comparison), _("Forces"))
    table_slides(deck, titles, force_columns(comparison), rows, notes)


# --- 7. Friction ----------------------------------------------------------------------------------


def friction_columns(comparison: Comparison) -> list[Column]:
    before, after = years(comparison)
    return [
        Column(gettext_lazy("Source of friction"), 0.34),
        Column(gettext_lazy("Status"), 0.14),
        Column(before, 0.26),
        Column(after, 0.26),
    ]


class FrictionWords:
    """The friction table's words, translated once for the whole table rather than once a cell."""

    def __init__(self):
        self.groups = {group: str(label) for group, label in FRICTION_GROUPS.items()}
        self.settled = {step: str(label) for step, label in SETTLED_BY.items()}
        self.open, self.by = str(OPEN_LABEL), _("By %(step)s: %(fix)s")

    def side(self, row: FrictionRow | None) -> str:
        if row is None:
            return MISSING
        if row.is_open:
            return self.open
        return self.by % {"step": self.settled[row.settled_by], "fix": row.fix}


def friction_cells(change: FrictionChange, group: str, words: FrictionWords | None = None) -> tuple[str, ...]:
    words = words or FrictionWords()
    return (change.source, words.groups[group], words.side(change.before_row), words.side(change.after_row))


def friction_rows(comparison: Comparison) -> list[TableRow]:
    rows, words = [], FrictionWords()
    for group in FRICTION_GROUPS:
        for change in getattr(comparison.friction, group):
            still_open = change.after_row is not None and change.after_row.is_open
            rows.append(TableRow(friction_cells(change, group, words), highlight=still_open))
    return rows


def friction_title(comparison: Comparison) -> str:
    friction = comparison.friction
    return ngettext(
        "%(resolved)s source of friction resolved, %(open)s open, %(new)s new",
        "%(resolved)s sources of friction resolved, %(open)s open, %(new)s new",
        len(friction.resolved),
    ) % {"resolved": len(friction.resolved), "open": len(open_friction(comparison)), "new": len(friction.new)}


def fix_mix_chart(comparison: Comparison) -> ChartSpec:
    before, after = years(comparison)
    mixes: tuple[FixMix, FixMix] = comparison.fix_mix
    series = [
        (year, [getattr(mix, step) for step in FIX_STEPS]) for year, mix in zip((before, after), mixes, strict=True)
    ]
    return ChartSpec(
        title=_("Each year's sources of friction"),
        categories=[str(label) for label in FIX_STEPS.values()],
        series=series,
        number_format="0",
        value_title=_("Sources of friction"),
        category_title=_("Settled by"),
    )


def fix_mix_title(comparison: Comparison) -> str:
    before, after = years(comparison)
    old, new = comparison.fix_mix
    text = _(
        "%(after)s: %(settled)s of %(total)s sources settled, %(open)s open "
        "(%(before)s: %(old_settled)s of %(old_total)s)"
    )
    return text % {
        "after": after,
        "settled": new.total - new.open,
        "total": new.total,
        "open": new.open,
        "before": before,
        "old_settled": old.total - old.open,
        "old_total": old.total,
    }


def _friction_slides(deck: slides.Deck, comparison: Comparison) -> None:
    rows = friction_rows(comparison)
    if not rows:
        return
    groups = listed(str(label).lower() for label in FRICTION_GROUPS.values())
    notes = Notes(
        talking_points(
            _("Every source of friction of either audit, by what became of it: %(groups)s.") % {"groups": groups},
            _("Rows still open are highlighted."),
        ),
        (_("Who owns each open source, and by when?"),),
    )
    table_slides(deck, (friction_title(comparison), _("Friction")), friction_columns(comparison), rows, notes)
    before, after = years(comparison)
    notes = Notes(
        talking_points(
            _("How each year's friction was settled: by automation, a new goal, restructuring, or still open."),
            _("Grey is %(before)s, colour is %(after)s.") % {"before": before, "after": after},
        ),
        (_("Do we lean on one kind of fix?"), _("Does an open source wait on a reorganization?")),
    )
    slide = _slide(deck, _("How friction was settled"), fix_mix_title(comparison), notes)
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
    slides.text_box(slide, left, BODY_TOP, BODY_LEFT + BODY_WIDTH - left, BODY_BOTTOM - BODY_TOP, counts, 16)


# --- 8. Strategy ----------------------------------------------------------------------------------


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
    what = listed(name for name, changed in parts if changed).capitalize() or _("Same")
    return (change.after.stage_label, side(change.before), side(change.after), what)


def _strategy_slides(deck: slides.Deck, comparison: Comparison) -> None:
    changed = [change for change in comparison.strategies if change.changed]
    if not changed:  # said on the summary instead
        return
    rows = [TableRow(strategy_cells(change), highlight=change.changed) for change in comparison.strategies]
    title = _("Strategy changed at %(count)s of %(total)s stages: %(stages)s") % {
        "count": len(changed),
        "total": len(comparison.strategies),
        "stages": listed(change.after.stage_label for change in changed),
    }
    notes = Notes(
        talking_points(_("Each stage's principle and approach side by side; changed stages are highlighted.")),
        (_("Did the new approach show in the stage's key number?"),),
    )
    table_slides(deck, (title, _("Go-to-market strategy")), strategy_columns(comparison), rows, notes)
