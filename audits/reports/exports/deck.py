"""The slide deck: an audit as a 16:9 presentation an executive can present as it is.

Every content slide's title is a message computed from the audit's figures, with the exercise as
a small kicker above it; every slide has its number and a source line; the speaker notes are
talking points. Everything is native and editable: text, tables, charts and the flywheel drawn
from shapes. The slide toolkit — tables that continue across slides, fitted titles, notes, the
language — is `slides`; this module declares what each slide says.

The whole deck is written in the audit's language (`write` makes it the active one): Vietnamese
and Persian numbers, dates and month names, and Persian right to left.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext
from pptx.enum.shapes import MSO_SHAPE
from pptx.enum.text import PP_ALIGN
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from audits.content import calculations
from audits.content.document import (
    FORCE_LABELS,
    NOT_REVIEWED_LABEL,
    SETTLED_BY,
    AssessmentRow,
    AuditDocument,
    Conversion,
    ForceRow,
    FrictionRow,
    MetricRow,
    ReviewRow,
    Strategy,
    is_no,
    labels_of,
)
from audits.models import ActionReview
from audits.reports.exports import deck_layout as layout
from audits.reports.exports import slides
from audits.reports.exports.slides import (
    ALERT,
    BODY_BOTTOM,
    BODY_LEFT,
    BODY_TOP,
    BODY_WIDTH,
    CALLOUT_SIZE,
    CENTRE_FILL,
    DARK,
    MARGIN,
    MINIMUM_SIZE,
    MUTED,
    SLIDE_HEIGHT,
    SLIDE_WIDTH,
    STAGE_COLOURS,
    TEXT_SIZE,
    WHITE,
    ChartSpec,
    Column,
    Notes,
    Panel,
    Run,
    TableRow,
    clean,
)

# --- The deck -----------------------------------------------------------------------------------


def write(document: AuditDocument) -> bytes:
    """Return the audit as a .pptx file, in the audit's language."""
    header = document.header
    with translation.override(header.language):
        deck = slides.new_deck(slides.source_line(header.flywheel_name, header.title))
        slides.set_properties(
            deck.presentation,
            f"{header.flywheel_name} — {header.title}",
            header.organization_name,
            "flywheel audit",
        )
        deck.presentation.core_properties.language = header.language
        _title_slide(deck, document)
        _summary_slide(deck, document)
        _flywheel_slide(deck, document)
        _review_slides(deck, document)
        _strategy_slides(deck, document)
        _metric_slides(deck, document)
        _force_slides(deck, document)
        _friction_slides(deck, document)
        _assessment_slides(deck, document)
        _action_slides(deck, document)
        return deck.save()


EXERCISE_1_STRATEGY = gettext_lazy("Exercise 1 — Go-to-market strategy")
EXERCISE_1_METRICS = gettext_lazy("Exercise 1 — Metrics")
EXERCISE_1_CHARTS = gettext_lazy("Exercise 1 — Metrics over time")
EXERCISE_2 = gettext_lazy("Exercise 2 — Forces")
EXERCISE_3_FRICTION = gettext_lazy("Exercise 3 — Friction")
EXERCISE_3_ASSESSMENT = gettext_lazy("Exercise 3 — Self-assessment")
ACTIONS = gettext_lazy("Action items")
SUMMARY = gettext_lazy("Executive summary")
FLYWHEEL = gettext_lazy("The flywheel")
REVIEW = gettext_lazy("Action review: last audit's action items")


def _illustrative(metrics: Iterable[MetricRow | None]) -> bool:
    return any(metric is not None and metric.illustrative and metric.readings for metric in metrics)


def _step(conversion: Conversion) -> str:
    """ "Website visitors → Free users", the arrow pointing the way the text reads."""
    return f"{conversion.from_metric} {slides.arrow()} {conversion.to_metric}"


def _conversion_period(conversion: Conversion, document: AuditDocument) -> str:
    metric = next((m for m in document.metrics if m.name == conversion.to_metric), None)
    known = [rate for rate in conversion.rates if rate.rate is not None]
    if not known:
        return ""
    return slides.period_text(known[-1].period_start, metric.period if metric else "month")


# --- Where the flywheel loses momentum ------------------------------------------------------------


@dataclass(frozen=True)
class Momentum:
    """A step's latest conversion against its own average: how much it is losing, in points."""

    conversion: Conversion
    latest: float
    average: float

    @property
    def points(self) -> float:
        return (self.latest - self.average) * 100

    @property
    def relative(self) -> float:
        return (self.latest - self.average) / self.average if self.average else 0.0


def momenta(document: AuditDocument) -> list[Momentum]:
    return [
        Momentum(conversion, conversion.latest, conversion.average)
        for conversion in document.conversions
        if conversion.comparable and conversion.latest is not None and conversion.average is not None
    ]


def losing_most(document: AuditDocument) -> Momentum | None:
    """The step whose latest conversion fell furthest below its own average, relative to it.

    Not the lowest raw rate: that is always the top of the funnel. None when no step is below its average.
    """
    falling = [momentum for momentum in momenta(document) if momentum.relative < -1e-9]
    return min(falling, key=lambda momentum: momentum.relative) if falling else None


def _momentum_title(document: AuditDocument) -> str | None:
    losing = losing_most(document)
    if losing is not None:
        return _("%(step)s loses most momentum: %(latest)s in %(period)s, %(change)s on its average") % {
            "step": _step(losing.conversion),
            "latest": slides.percent(losing.latest),
            "period": _conversion_period(losing.conversion, document),
            "change": slides.points(losing.points),
        }
    steps = momenta(document)
    if steps:
        lowest = min(steps, key=lambda momentum: momentum.latest)
        return _("Every step converts at or above its average; the lowest rate is %(step)s at %(latest)s") % {
            "step": _step(lowest.conversion),
            "latest": slides.percent(lowest.latest),
        }
    return None


# --- 1. Title -----------------------------------------------------------------------------------


def _title_slide(deck: slides.Deck, document: AuditDocument) -> None:
    header = document.header
    slide = deck.slides.add_slide(deck.layout("Title Slide"))
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    slides.fit_title(title, header.title, 40, 20, PP_ALIGN.CENTER)
    when = (
        _("Workshop of %(date)s · audit year %(year)s")
        % {"date": slides.date_text(header.workshop_date), "year": header.period_year}
        if header.workshop_date
        else _("Audit year %(year)s") % {"year": header.period_year}
    )
    lines = [
        [Run(_("Flywheel: %(name)s") % {"name": slides.clip(header.flywheel_name, 120)}, True, DARK)],
        [Run(slides.clip(header.organization_name, 120), colour=MUTED)],
        [Run(when, colour=MUTED)],
    ]
    slides.write_runs(subtitle.text_frame, lines, 20, PP_ALIGN.CENTER)
    band_width = SLIDE_WIDTH // 3
    for index, colour in enumerate(STAGE_COLOURS.values()):
        left = slides.mirror(index * band_width, band_width)
        bar = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Emu(left), SLIDE_HEIGHT - Inches(0.25), band_width, Inches(0.25)
        )
        slides.fill(bar, colour)
    # The title slide's number and source line sit above the stage bands.
    slides.footer(deck, slide)
    for shape in list(slide.shapes)[-2:]:
        shape.top = SLIDE_HEIGHT - Inches(0.7)


# --- 2. Executive summary -----------------------------------------------------------------------


def _key_number(stage) -> list[Run]:
    label = Run(stage.label, True, STAGE_COLOURS.get(stage.stage))
    metric = stage.metric
    if metric is None:
        return [label, Run(" · " + _("no key metric yet"), colour=MUTED)]
    figure = slides.key_figure(metric)
    runs = [label, Run(f" · {slides.clip(metric.name, 40)}: "), Run(figure.text, True)]
    if metric.latest:
        runs.append(Run(f" ({figure.basis}, {slides.change_text(metric)})", colour=MUTED))
    return runs


def _conversion_line(conversion: Conversion, losing: Momentum | None) -> list[Run]:
    runs = [Run(slides.clip(_step(conversion), 90) + ": ")]
    if not conversion.comparable:
        return [*runs, Run(_("not comparable: the two metrics use different periods"), colour=MUTED)]
    runs += [
        Run(slides.percent(conversion.latest) + " " + _("latest"), True),
        Run(", " + slides.percent(conversion.average) + " " + _("on average")),
    ]
    if losing is not None and conversion is losing.conversion:
        runs.append(Run(" — " + _("loses most momentum"), True, ALERT))
    return runs


def settled_label(row: FrictionRow) -> str:
    return str(SETTLED_BY[row.settled_by])


def _friction_line(row: FrictionRow) -> list[Run]:
    runs = [Run(slides.clip(row.source, 90))]
    if row.is_open:
        return [*runs, Run(" — " + _("open"), True, ALERT)]
    return [
        *runs,
        Run(f" {slides.arrow()} " + _("by %(step)s: ") % {"step": settled_label(row)}, True),
        Run(slides.clip(row.fix, 90)),
    ]


def friction_message(friction: list[FrictionRow] | tuple[FrictionRow, ...]) -> str:
    """ "7 friction sources, all settled: 2 by automation, 2 by a new goal, 3 by restructuring"."""
    total, open_count = len(friction), sum(1 for row in friction if row.is_open)
    counts = [(step, sum(1 for row in friction if row.settled_by == step)) for step in SETTLED_BY]
    parts = ", ".join(
        _("%(count)s by %(step)s") % {"count": count, "step": SETTLED_BY[step]} for step, count in counts if count
    )
    if not total:
        return _("No friction identified yet")
    if not open_count:
        return ngettext(
            "%(total)s friction source, settled: %(parts)s",
            "%(total)s friction sources, all settled: %(parts)s",
            total,
        ) % {"total": total, "parts": parts}
    if open_count == total:
        return ngettext(
            "%(total)s friction source, still open", "%(total)s friction sources, all still open", total
        ) % {"total": total}
    return _("%(total)s friction sources, %(open)s still open; settled: %(parts)s") % {
        "total": total,
        "open": open_count,
        "parts": parts,
    }


@dataclass(frozen=True)
class Action:
    kind: str
    what: str
    fix: str
    owner: str
    due_date: object
    votes: int


def actions_of(document: AuditDocument) -> list[Action]:
    """The action items (document.action_items), each with the votes its row got in the workshop."""
    votes = {("friction", row.source): row.votes for row in document.friction}
    votes.update({("force", force.name): force.votes for force in document.forces})
    return [
        Action(item.kind, item.what, item.fix, item.owner, item.due_date, votes.get((item.kind, item.what), 0))
        for item in document.action_items
    ]


def top_actions(document: AuditDocument) -> list[Action]:
    """The actions ordered by due date (undated last), then by votes."""
    return sorted(actions_of(document), key=lambda item: (item.due_date is None, item.due_date or 0, -item.votes))


def _action_line(item: Action) -> list[Run]:
    owner = Run(slides.clip(item.owner, 40), True, DARK) if item.owner else Run(_("no owner yet"), True, ALERT)
    due = ", " + _("due %(date)s") % {"date": slides.date_text(item.due_date)} if item.due_date else ""
    return [Run(slides.clip(item.fix, 100) + " — "), owner, Run(due, True, DARK)]


def the_ask(document: AuditDocument) -> list[str]:
    """What the team needs decided, from what the audit leaves open."""
    asks = []
    open_count = len(document.open_friction)
    if open_count:
        asks.append(
            ngettext(
                "how to settle the %(count)s open friction source, and who owns it",
                "how to settle the %(count)s open friction sources, and who owns each",
                open_count,
            )
            % {"count": open_count}
        )
    losing = losing_most(document)
    if losing is not None:
        asks.append(_("who works on %(step)s, the step losing most momentum") % {"step": _step(losing.conversion)})
    actions = actions_of(document)
    unowned = sum(1 for item in actions if not item.owner)
    undated = sum(1 for item in actions if not item.due_date)
    if unowned:
        asks.append(
            ngettext("an owner for %(count)s action", "owners for %(count)s actions", unowned) % {"count": unowned}
        )
    if undated:
        asks.append(
            ngettext("a due date for %(count)s action", "due dates for %(count)s actions", undated) % {"count": undated}
        )
    return asks


def _summary_title(document: AuditDocument) -> str:
    title = _momentum_title(document)
    if title:
        return title
    if document.friction:
        return friction_message(document.friction)
    return _("%(metrics)s metrics, %(friction)s friction sources and %(actions)s actions so far") % {
        "metrics": len(document.metrics),
        "friction": len(document.friction),
        "actions": len(document.action_items),
    }


def _summary_slide(deck: slides.Deck, document: AuditDocument) -> None:
    title = _summary_title(document)
    asks = the_ask(document)
    notes = Notes(
        _("%(title)s. The key number of each stage, where the wheel loses momentum, the friction and the actions.")
        % {"title": title},
        (
            _("Which of these decisions can we take today?"),
            _("Is each stage's key number the one we steer by?"),
        ),
    )
    # The conversions come from every bucket metric, not only the stages' key metrics.
    slide = slides.content_slide(deck, title, str(SUMMARY), notes, illustrative=_illustrative(document.metrics))
    losing = losing_most(document)
    friction = sorted(document.friction, key=lambda row: not row.is_open)  # open first, then settled
    actions = top_actions(document)
    gap = Inches(0.4)
    width = (BODY_WIDTH - gap) // 2
    ask_text = [Run(_("To decide: "), True, WHITE)]
    ask_text.append(
        Run(
            "; ".join(asks) + "." if asks else _("confirm the plan: every action has an owner and a due date."),
            colour=WHITE,
        )
    )
    ask_height = _emu_height(slides.plain(ask_text), BODY_WIDTH, TEXT_SIZE + 1)
    bottom = BODY_BOTTOM - ask_height - Inches(0.1)
    key_numbers = Panel(_("Key numbers"), [_key_number(stage) for stage in document.stages], _("No metrics yet."))
    left = [
        key_numbers,
        Panel(
            _("Conversion between stages"),
            [_conversion_line(conversion, losing) for conversion in document.conversions],
            _("No conversions yet: they need bucket metrics with readings in two stages or more."),
        ),
    ]
    right = [
        Panel(
            _("Friction and how it will be fixed"),
            [[Run(friction_message(document.friction) + ".", colour=MUTED)]] + [_friction_line(row) for row in friction]
            if friction
            else [],
            _("No friction identified yet."),
            share=0.6,
        ),
        Panel(
            _("Top actions"),
            [_action_line(item) for item in actions[:5]],
            _("No actions yet: settle friction rows or plan changes to forces, and give each an owner."),
            hidden=max(0, len(actions) - 5),
        ),
    ]
    for column_left, panels in ((BODY_LEFT, left), (BODY_LEFT + width + gap, right)):
        top = BODY_TOP
        for panel in panels:
            top += slides.panel(slide, column_left, top, width, (bottom - top) * panel.share, panel)
    box = slides.text_box(slide, BODY_LEFT, bottom + Inches(0.05), BODY_WIDTH, ask_height, [ask_text], TEXT_SIZE + 1)
    box.name = "The ask"
    slides.fill(box, DARK)


def _emu_height(text: str, width: int, size: float) -> int:
    inner = layout.points(width) - 2 * layout.CELL_MARGIN_X
    return Emu(math.ceil((layout.text_height(text, inner, size) + 2 * layout.CELL_MARGIN_Y + 2) * layout.EMU_PER_POINT))


# --- 3. The flywheel ----------------------------------------------------------------------------

RING_CENTRE = (Inches(3.55), Inches(4.25))
RING_RADIUS, RING_THICKNESS = Inches(2.6), Inches(0.8)
GAP_DEGREES = 4
RING_LABEL_SIZE = 18


def _arc_angle(degrees: float) -> float:
    """Return an angle as python-pptx must be given it for an adjustment.

    python-pptx multiplies every adjustment by 100,000, while OOXML angles count 60,000ths of a
    degree, so 90° has to be given as 54. Angles run clockwise from three o'clock.
    """
    return (degrees % 360) * 0.6


def _flywheel_title(document: AuditDocument) -> str:
    stages = document.stages
    open_total = sum(stage.open_friction for stage in stages)
    if open_total:
        most = max(stages, key=lambda stage: stage.open_friction)
        return _("%(stage)s holds most open friction: %(count)s of %(total)s open sources") % {
            "stage": most.label,
            "count": most.open_friction,
            "total": open_total,
        }
    forces = sum(stage.forces for stage in stages)
    return ngettext(
        "No open friction at any stage; %(forces)s force keeps the wheel turning",
        "No open friction at any stage; %(forces)s forces keep the wheel turning",
        forces,
    ) % {"forces": forces}


def _flywheel_slide(deck: slides.Deck, document: AuditDocument) -> None:
    stages = document.stages
    title = _flywheel_title(document)
    notes = Notes(
        _("%(title)s. Each stage with its approach, key number, open friction and forces.") % {"title": title},
        (_("Where does the wheel slow down, and what would speed it up?"),),
    )
    slide = slides.content_slide(
        deck, title, str(FLYWHEEL), notes, illustrative=_illustrative(stage.metric for stage in stages)
    )
    cx, cy = _ring_centre()
    span = 360 / max(1, len(stages))
    for index, stage in enumerate(stages):
        start = 270 + index * span + GAP_DEGREES / 2  # the first stage starts at twelve o'clock
        end = start + span - GAP_DEGREES
        colour = STAGE_COLOURS.get(stage.stage, DARK)
        group = slide.shapes.add_group_shape()
        group.name = f"Segment {stage.label}"
        arc = group.shapes.add_shape(
            MSO_SHAPE.BLOCK_ARC, cx - RING_RADIUS, cy - RING_RADIUS, 2 * RING_RADIUS, 2 * RING_RADIUS
        )
        arc.name = f"Stage {stage.label}"
        arc.adjustments[0] = _arc_angle(start)
        arc.adjustments[1] = _arc_angle(end)
        arc.adjustments[2] = RING_THICKNESS / (2 * RING_RADIUS)
        slides.fill(arc, colour)
        _ring_label(group, stage.label, start + (span - GAP_DEGREES) / 2, span - GAP_DEGREES)
        _arrow_head(group, end - 6)
        _stage_callout(slide, stage, index)
    centre = RING_RADIUS - RING_THICKNESS - Inches(0.25)
    hub = slide.shapes.add_shape(MSO_SHAPE.OVAL, cx - centre, cy - centre, 2 * centre, 2 * centre)
    slides.fill(hub, CENTRE_FILL)
    hub.text_frame.word_wrap = True
    slides.set_text(hub.text_frame, _("Customers"), 22, True, DARK, PP_ALIGN.CENTER)


def _ring_centre() -> tuple[int, int]:
    cx, cy = RING_CENTRE
    return slides.mirror(cx - RING_RADIUS, 2 * RING_RADIUS) + RING_RADIUS, cy


def _on_ring(degrees: float, radius: int) -> tuple[int, int]:
    cx, cy = _ring_centre()
    radians = math.radians(degrees)
    return round(cx + radius * math.cos(radians)), round(cy + radius * math.sin(radians))


def label_room(span_degrees: float) -> tuple[float, float]:
    """The (width, height) in points a straight label has inside a ring segment, along its middle.

    The label runs along the tangent at the segment's middle; its outer corners must stay inside
    the ring's outer edge and its ends within the segment's angle.
    """
    outer, middle_radius = layout.points(RING_RADIUS), layout.points(RING_RADIUS - RING_THICKNESS // 2)
    height = layout.points(RING_THICKNESS) * 0.6
    top = middle_radius + height / 2
    chord = 2 * math.sqrt(max(0.0, outer**2 - top**2))
    along = 2 * middle_radius * math.tan(math.radians(span_degrees / 2)) * 0.8
    return min(chord, along) * 0.92, height


def _ring_label(group, label: str, degrees: float, span: float) -> None:
    """The stage's name inside its segment, along the ring, at the largest size that fits on one line."""
    width, height = label_room(span)
    inner = width - 2 * layout.CELL_MARGIN_X
    size = RING_LABEL_SIZE
    while size > MINIMUM_SIZE and layout.text_width(label, size) * 1.1 > inner:
        size -= 1
    x, y = _on_ring(degrees, RING_RADIUS - RING_THICKNESS // 2)
    box_width, box_height = Emu(round(width * layout.EMU_PER_POINT)), Emu(round(height * layout.EMU_PER_POINT))
    box = group.shapes.add_textbox(x - box_width // 2, y - box_height // 2, box_width, box_height)
    box.name = f"Label {label}"
    frame = box.text_frame
    frame.word_wrap = True
    frame.margin_left = frame.margin_right = Pt(layout.CELL_MARGIN_X)
    frame.margin_top = frame.margin_bottom = Pt(0)
    slides.middle(frame)
    slides.write_runs(frame, [[Run(label, True, WHITE)]], size, PP_ALIGN.CENTER)
    rotation = (degrees + 90) % 360  # along the ring; upside-down halves turned to read left to right
    if 90 < rotation < 270:
        rotation -= 180
    box.rotation = rotation % 360


def _arrow_head(group, degrees: float) -> None:
    """A white chevron inside the segment's end, pointing clockwise: the way the wheel turns."""
    x, y = _on_ring(degrees, RING_RADIUS - RING_THICKNESS // 2)
    width, height = Inches(0.26), Inches(0.36)
    head = group.shapes.add_shape(MSO_SHAPE.CHEVRON, x - width // 2, y - height // 2, width, height)
    head.name = "Direction"
    slides.fill(head, WHITE)
    head.rotation = (degrees + 90) % 360  # a chevron points to three o'clock; turn it along the ring


def _callout_metric(metric: MetricRow | None) -> list[Run]:
    if metric is None:
        return [Run(_("No key metric yet"), colour=MUTED)]
    figure = slides.key_figure(metric)
    runs = [Run(_("Key metric: ")), Run(f"{slides.clip(metric.name, 60)} — {figure.text}", True)]
    if metric.latest:
        runs.append(Run(f" ({figure.basis})", colour=MUTED))
    return runs


def _stage_callout(slide: Slide, stage, index: int) -> None:
    """The stage's box beside the wheel: its approach, key metric, open friction and forces."""
    left, width = Inches(7.0), SLIDE_WIDTH - Inches(7.0) - MARGIN
    height = (BODY_BOTTOM - BODY_TOP - Inches(0.3)) // 3
    top = BODY_TOP + index * (height + Inches(0.15))
    colour = STAGE_COLOURS.get(stage.stage, DARK)
    bar_width = Inches(0.12)
    # The colour bar on the side the text starts: the left, or the right in a right-to-left deck.
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, slides.mirror(left, bar_width), top, bar_width, height)
    slides.fill(bar, colour)
    text_left, text_width = left + Inches(0.2), width - Inches(0.2)
    inner = layout.points(text_width) - 2 * layout.CELL_MARGIN_X
    metric_line = _callout_metric(stage.metric)
    counts = [
        Run(_("Open friction: %(count)s") % {"count": stage.open_friction}, stage.open_friction > 0, DARK),
        Run("   ·   " + _("Forces: %(count)s") % {"count": stage.forces}, colour=DARK),
    ]
    fixed = layout.text_height(stage.label, inner, 18) + layout.text_height(
        slides.plain(metric_line), inner, CALLOUT_SIZE
    )
    fixed += layout.text_height(slides.plain(counts), inner, CALLOUT_SIZE)
    room = layout.points(height) - 2 * layout.CELL_MARGIN_Y - fixed
    approach = clean(" ".join(stage.approach.split())) or _("No approach written yet")
    approach = layout.shorten(approach, inner, room, CALLOUT_SIZE)
    paragraphs = [
        [Run(stage.label, True, colour)],
        [Run(approach, colour=None if stage.approach else MUTED)],
        metric_line,
        counts,
    ]
    box = slides.text_box(slide, text_left, top, text_width, height, paragraphs, CALLOUT_SIZE)
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(18)


# --- 3b. Last audit's action items, reviewed (a carried-forward audit) -----------------------------

REVIEW_LABELS = labels_of(ReviewRow)
REVIEW_COLUMNS = [
    Column(gettext_lazy("For"), 0.25),
    Column(gettext_lazy("Fix or change"), 0.27),
    Column(gettext_lazy("Owner · due"), 0.14),
    Column(REVIEW_LABELS["status"], 0.11),
    Column(REVIEW_LABELS["note"], 0.23),
]
REVIEW_STATUSES = dict(ActionReview.Status.choices)  # the labels every page and file uses


def review_cells(review) -> tuple[str, ...]:
    what = (_("Friction: %(what)s") if review.kind == "friction" else _("Force: %(what)s")) % {"what": review.what}
    owner = review.owner or calculations.MISSING
    when = f"{owner}\n{slides.date_text(review.due_date)}" if review.due_date else owner
    status = str(REVIEW_STATUSES.get(review.status, NOT_REVIEWED_LABEL))
    return (what, review.fix, when, status, review.note)


def review_message(reviews) -> str:
    """ "Last year's 7 actions: 6 done, 1 partly done"."""
    counts = [(status, sum(1 for review in reviews if review.status == status)) for status in REVIEW_STATUSES]
    parts = [
        f"{count} {str(label).lower()}" for status, count in counts if count for label in [REVIEW_STATUSES[status]]
    ]
    unreviewed = sum(1 for review in reviews if review.status not in REVIEW_STATUSES)
    if unreviewed:
        parts.append(_("%(count)s not reviewed yet") % {"count": unreviewed})
    return ngettext(
        "Last year's %(count)s action: %(parts)s", "Last year's %(count)s actions: %(parts)s", len(reviews)
    ) % {"count": len(reviews), "parts": ", ".join(parts)}


def _review_slides(deck: slides.Deck, document: AuditDocument) -> None:
    if not document.action_reviews:
        return  # not carried forward, or last year had no action items
    rows = [
        TableRow(review_cells(review), highlight=review.status in ("", "not_done"))
        for review in document.action_reviews
    ]
    title = review_message(document.action_reviews)
    notes = Notes(
        _("%(title)s. Each of last audit's actions and how it went.") % {"title": title},
        (_("What stopped the actions not done, and do they still matter?"),),
    )
    slides.table_slides(deck, (title, str(REVIEW)), REVIEW_COLUMNS, rows, notes)


# --- 4. Exercise 1: strategy --------------------------------------------------------------------


def field_columns(row_class, widths: tuple[float, ...]) -> list[Column]:
    """A slide table of a table's declared fields, each titled with its label, with these widths."""
    return [Column(label, width) for label, width in zip(labels_of(row_class).values(), widths, strict=True)]


STRATEGY_COLUMNS = field_columns(Strategy, (0.14, 0.3, 0.56))


def _strategy_slides(deck: slides.Deck, document: AuditDocument) -> None:
    kicker = str(EXERCISE_1_STRATEGY)
    mapped = sum(1 for row in document.strategies if row.approach)
    title = ngettext(
        "%(mapped)s of %(total)s stage has a go-to-market approach mapped",
        "%(mapped)s of %(total)s stages have a go-to-market approach mapped",
        len(document.strategies),
    ) % {"mapped": mapped, "total": len(document.strategies)}
    notes = Notes(
        _("%(title)s. What the company invests in most at each stage, and the principle behind it.") % {"title": title},
        (_("Is this still where we invest most at each stage?"),),
    )
    if not any(row.principle or row.approach for row in document.strategies):
        slide = slides.content_slide(deck, title, kicker, notes)
        slides.message(slide, _("No strategy mapped yet: write each stage's inbound principle and main approach."))
        return
    rows = [TableRow((row.stage_label, row.principle, row.approach)) for row in document.strategies]
    slides.table_slides(deck, (title, kicker), STRATEGY_COLUMNS, rows, notes)


# --- 5. Exercise 1: metrics ---------------------------------------------------------------------

METRIC_COLUMNS = [
    Column(gettext_lazy("Stage"), 0.11),
    Column(gettext_lazy("Metric"), 0.27),
    Column(gettext_lazy("Kind"), 0.09),
    Column(gettext_lazy("Latest"), 0.25),
    Column(gettext_lazy("Change"), 0.13),
    Column(gettext_lazy("Unit / period"), 0.15),
]
KIND_LABELS = {
    "bucket": gettext_lazy("Bucket"),
    "nps": gettext_lazy("NPS"),
    "rate": gettext_lazy("Rate"),
    "value": gettext_lazy("Value"),
}
PERIOD_NAMES = {"month": gettext_lazy("month"), "quarter": gettext_lazy("quarter"), "year": gettext_lazy("year")}


def metric_cells(metric: MetricRow) -> tuple[str, ...]:
    figure = slides.key_figure(metric)
    latest = figure.text + (f" ({figure.period})" if metric.latest else "")
    period = str(PERIOD_NAMES.get(metric.period, metric.period))
    unit = _("score, −100 to 100") if metric.kind == "nps" else metric.unit
    unit_period = " / ".join(part for part in (unit, period) if part)
    return (
        metric.stage_label,
        metric.name,
        str(KIND_LABELS.get(metric.kind, metric.kind)),
        latest,
        slides.change_text(metric),
        unit_period,
    )


def _relative_change(metric: MetricRow) -> float | None:
    if len(metric.readings) < 2:
        return None
    previous, latest = metric.headline(metric.readings[-2]), metric.headline(metric.readings[-1])
    return calculations.change(previous, latest)[1]


def _metrics_title(document: AuditDocument) -> str:
    moved = [(metric, change) for metric in document.metrics if (change := _relative_change(metric)) is not None]
    count = len(document.metrics)
    if not moved:
        return ngettext(
            "%(count)s metric tracked, none with two readings yet",
            "%(count)s metrics tracked, none with two readings yet",
            count,
        ) % {"count": count}
    metric, _change = max(moved, key=lambda item: abs(item[1]))
    figure = slides.key_figure(metric)
    return ngettext(
        "%(count)s metric tracked; %(name)s moved most: %(change)s to %(figure)s in %(period)s",
        "%(count)s metrics tracked; %(name)s moved most: %(change)s to %(figure)s in %(period)s",
        count,
    ) % {
        "count": count,
        "name": slides.clip(metric.name, 40),
        "change": slides.change_text(metric),
        "figure": figure.text,
        "period": figure.period,
    }


def charts_of(document: AuditDocument) -> list[ChartSpec]:
    """Return the metrics charts: the conversions between stages (wide, first), then every metric's readings."""
    charts = []
    conversions = [conversion for conversion in document.conversions if conversion.rates]
    if conversions:
        starts = sorted({rate.period_start for c in conversions for rate in c.rates})
        series = []
        for conversion in conversions:
            by_start = {rate.period_start: rate.rate for rate in conversion.rates}
            series.append((_step(conversion), [by_start.get(start) for start in starts]))
        charts.append(
            ChartSpec(
                _("Conversion rate from one stage to the next"),
                [slides.period_text(start, "month") for start in starts],
                series,
                "0.0%",
                wide=True,
                value_title=_("Converted"),
                category_title=_("Month"),
            )
        )
    for metric in document.metrics:
        values = [metric.headline(reading) for reading in metric.readings]
        if not metric.readings or all(value is None for value in values):
            continue
        value_title = {"nps": _("NPS (−100 to 100)"), "rate": "%"}.get(metric.kind, metric.unit)
        charts.append(
            ChartSpec(
                title=slides.clip(metric.name, 60),
                categories=[slides.period_text(reading.period_start, metric.period) for reading in metric.readings],
                series=[(metric.name, [None if value is None else float(value) for value in values])],
                number_format={"bucket": "#,##0", "nps": "0.0"}.get(metric.kind, "#,##0.0"),
                colour=STAGE_COLOURS.get(metric.stage),
                value_title=value_title,
                category_title=str(PERIOD_NAMES.get(metric.period, "")).capitalize(),
                from_zero=metric.kind != "nps",
            )
        )
    return charts


def chart_pages(charts: list[ChartSpec]) -> list[list[tuple[ChartSpec, int]]]:
    """Place the charts in a 2 × 2 grid per slide: each with its first cell (0–3); a wide one takes a row."""
    pages: list[list[tuple[ChartSpec, int]]] = [[]]
    cell = 0
    for spec in charts:
        if spec.wide and cell % 2:
            cell += 1
        if cell + (2 if spec.wide else 1) > 4:
            pages.append([])
            cell = 0
        pages[-1].append((spec, cell))
        cell += 2 if spec.wide else 1
    return pages


def _trend_title(metric: MetricRow) -> str:
    readings = [reading for reading in metric.readings if metric.headline(reading) is not None]
    first, last = readings[0], readings[-1]
    return _("%(name)s: %(first)s in %(start)s %(arrow)s %(last)s in %(end)s") % {
        "name": slides.clip(metric.name, 40),
        "first": slides.figure_text(metric, metric.headline(first)),
        "start": slides.period_text(first.period_start, metric.period),
        "arrow": slides.arrow(),
        "last": slides.figure_text(metric, metric.headline(last)),
        "end": slides.period_text(last.period_start, metric.period),
    }


def _conversion_trend_title(document: AuditDocument) -> str:
    """The step to watch, from its first month to its latest: "PQLs → Paying customers went from 28.4% in …"."""
    losing = losing_most(document)
    steps = [losing.conversion] if losing else [c for c in document.conversions if c.comparable]
    conversion = next((c for c in steps if sum(1 for rate in c.rates if rate.rate is not None) > 1), None)
    if conversion is None:
        return _momentum_title(document) or str(EXERCISE_1_CHARTS)
    known = [rate for rate in conversion.rates if rate.rate is not None]
    return _("%(step)s went from %(first)s in %(start)s to %(last)s in %(end)s") % {
        "step": _step(conversion),
        "first": slides.percent(known[0].rate),
        "start": slides.period_text(known[0].period_start, "month"),
        "last": slides.percent(known[-1].rate),
        "end": slides.period_text(known[-1].period_start, "month"),
    }


def _chart_page_title(document: AuditDocument, page: list[tuple[ChartSpec, int]]) -> str:
    spec = page[0][0]
    if spec.wide:
        return _conversion_trend_title(document)
    metric = next(metric for metric in document.metrics if slides.clip(metric.name, 60) == spec.title)
    return _trend_title(metric)


def _metric_slides(deck: slides.Deck, document: AuditDocument) -> None:
    kicker = str(EXERCISE_1_METRICS)
    title = _metrics_title(document)
    illustrative = _illustrative(document.metrics)
    notes = Notes(
        _("%(title)s. Each stage's metrics: the latest reading, its change and unit.") % {"title": title},
        (_("Which number would we act on first?"), _("Are these readings measured, or estimates?")),
    )
    if not document.metrics:
        slide = slides.content_slide(deck, title, kicker, notes)
        slides.message(slide, _("No metrics yet: name each stage's key metric and record its readings."))
        return
    rows = [TableRow(metric_cells(metric)) for metric in document.metrics]
    slides.table_slides(deck, (title, kicker), METRIC_COLUMNS, rows, notes, illustrative)
    charts = charts_of(document)
    kicker = str(EXERCISE_1_CHARTS)
    if not charts:
        slide = slides.content_slide(deck, _("No readings to chart yet"), kicker)
        slides.message(slide, _("No readings to chart yet: record each bucket's total per period."))
        return
    gap = Inches(0.3)
    width = (BODY_WIDTH - gap) // 2
    height = (BODY_BOTTOM - BODY_TOP - gap) // 2
    for page in chart_pages(charts):
        page_title = _chart_page_title(document, page)
        page_notes = Notes(
            _("%(title)s. The readings month by month; totals and rates drawn from zero.") % {"title": page_title},
            (_("Is the trend what we expected, and why?"),),
        )
        slide = slides.content_slide(deck, page_title, kicker, page_notes, illustrative)
        for spec, cell in page:
            left = BODY_LEFT + (cell % 2) * (width + gap)
            top = BODY_TOP + (cell // 2) * (height + gap)
            slides.add_line_chart(slide, spec, left, top, BODY_WIDTH if spec.wide else width, height)


# --- 6. Exercise 2: forces ----------------------------------------------------------------------

FORCE_COLUMNS = [
    Column(FORCE_LABELS["name"], 0.2),
    Column(gettext_lazy("Before → now"), 0.42),
    Column(FORCE_LABELS["planned_change"], 0.26),
    Column(FORCE_LABELS["owner"], 0.12),
]


def force_cells(force) -> tuple[str, ...]:
    lines = [*([force.before] if force.before else []), *([f"{slides.arrow()} {force.now}"] if force.now else [])]
    if force.target:  # carried forward: what last year's audit planned, to check against "now"
        lines.append(_("Planned last year: %(target)s") % {"target": force.target})
    return (force.name, "\n".join(lines), force.planned_change, force.owner)


def forces_message(team) -> str:
    changed = sum(1 for force in team.forces if force.now and force.now != force.before)
    planned = sum(1 for force in team.forces if force.planned_change)
    return _("%(team)s: %(changed)s of %(total)s forces changed, %(planned)s changes planned") % {
        "team": slides.clip(team.name, 40),
        "changed": changed,
        "total": len(team.forces),
        "planned": planned,
    }


def _force_slides(deck: slides.Deck, document: AuditDocument) -> None:
    kicker = str(EXERCISE_2)
    teams = [team for team in document.teams if team.forces]
    if not teams:
        names = ", ".join(slides.clip(team.name, 40) for team in document.teams)
        slide = slides.content_slide(deck, _("No forces listed yet"), kicker)
        text = _("No forces listed yet.")
        if names:
            text += " " + _("Teams: %(names)s.") % {"names": names}
        slides.message(slide, text)
        return
    for team in teams:
        voted = any(force.votes for force in team.forces)
        rows = [TableRow(_votes(force, voted) + force_cells(force)) for force in by_votes(team.forces)]
        title = forces_message(team)
        notes = Notes(
            _("%(title)s. Each force before and now, and the change planned.") % {"title": title},
            (
                _("Was each force designed for our process or for the customer?"),
                _("Which change would add most delight?"),
            ),
        )
        slides.table_slides(
            deck, (title, f"{kicker}: {slides.clip(team.name, 50)}"), with_votes(FORCE_COLUMNS, voted), rows, notes
        )


# --- Dot votes ----------------------------------------------------------------------------------
# A table whose rows got votes in the workshop lists them most voted first, the votes in its first
# column: the room's priorities are what a reader looks for. Ties keep the workshop's order. A
# table without votes looks as it did before voting existed.

VOTES_COLUMN = Column(gettext_lazy("Votes"), 0.08)


def by_votes(rows: Iterable[ForceRow | FrictionRow]) -> list:
    """Return the rows most voted first, ties in their own order (the sort is stable)."""
    return sorted(rows, key=lambda row: -row.votes)


def with_votes(columns: list[Column], voted: bool) -> list[Column]:
    return [VOTES_COLUMN, *columns] if voted else columns


def _votes(row: ForceRow | FrictionRow, voted: bool) -> tuple[str, ...]:
    return (str(row.votes),) if voted else ()


# --- 7. Exercise 3: friction and self-assessment ------------------------------------------------

# The source, and the exercise's three questions, which the steps' answers answer.
FRICTION_COLUMNS = [
    Column(labels_of(FrictionRow)["source"], 0.31),
    Column(gettext_lazy("Solved by automation?"), 0.23),
    Column(gettext_lazy("By a new (shared) goal?"), 0.23),
    Column(gettext_lazy("By restructuring the team?"), 0.23),
]
ASSESSMENT_COLUMNS = field_columns(AssessmentRow, (0.38, 0.1, 0.52))


def shown_answer(text: str) -> str:
    """A step's answer: "No" (stored in English) in the deck's language, a fix as written."""
    return pgettext("the answer to a step's question", "No") if is_no(text) else text


def friction_cells(row: FrictionRow) -> tuple[str, ...]:
    source = f"{row.source} " + _("(open)") if row.is_open else row.source
    return (source, *(shown_answer(cell) for cell in row.summary_cells))


def _friction_slides(deck: slides.Deck, document: AuditDocument) -> None:
    kicker = str(EXERCISE_3_FRICTION)
    title = friction_message(document.friction)
    notes = Notes(
        _("%(title)s. Each source of friction and the first step that settles it.") % {"title": title},
        (_("Who owns each open source, and by when?"), _("Which fix would customers notice first?")),
    )
    if not document.friction:
        slide = slides.content_slide(deck, title, kicker, notes)
        slides.message(slide, _("No friction identified yet."))
        return
    voted = any(row.votes for row in document.friction)
    if voted:
        kicker = _("Exercise 3 — Friction, by votes")
        ordered = by_votes(document.friction)
    else:
        ordered = sorted(document.friction, key=lambda row: not row.is_open)  # open first
    rows = [TableRow(_votes(row, voted) + friction_cells(row), highlight=row.is_open) for row in ordered]
    slides.table_slides(deck, (title, kicker), with_votes(FRICTION_COLUMNS, voted), rows, notes)


def _assessment_slides(deck: slides.Deck, document: AuditDocument) -> None:
    kicker = str(EXERCISE_3_ASSESSMENT)
    answers = {"yes": _("Yes"), "no": _("No")}
    total = len(document.self_assessment)
    yes = sum(1 for row in document.self_assessment if row.answer == "yes")
    title = ngettext(
        "%(yes)s of %(total)s restructuring question answered yes",
        "%(yes)s of %(total)s restructuring questions answered yes",
        total,
    ) % {"yes": yes, "total": total}
    notes = Notes(
        _("%(title)s. Whether the org chart itself creates friction.") % {"title": title},
        (_("Does a yes here call for a change to a team?"),),
    )
    if not document.self_assessment:
        slide = slides.content_slide(deck, _("The self-assessment is not answered yet"), kicker, notes)
        slides.message(slide, _("The self-assessment questions are not answered yet."))
        return
    rows = [
        TableRow((row.question_label, answers.get(row.answer, _("Not answered")), row.notes))
        for row in document.self_assessment
    ]
    slides.table_slides(deck, (title, kicker), ASSESSMENT_COLUMNS, rows, notes)


# --- 8. Action items ----------------------------------------------------------------------------

ACTION_COLUMNS = [
    Column(gettext_lazy("For"), 0.3),
    Column(gettext_lazy("Fix"), 0.4),
    Column(gettext_lazy("Owner"), 0.15),
    Column(gettext_lazy("Due"), 0.15),
]


def action_cells(item) -> tuple[str, ...]:
    what = (_("Friction: %(what)s") if item.kind == "friction" else _("Force: %(what)s")) % {"what": item.what}
    return (what, item.fix, item.owner or calculations.MISSING, slides.date_text(item.due_date))


def actions_message(actions: list[Action]) -> str:
    owned = sum(1 for item in actions if item.owner)
    dated = sum(1 for item in actions if item.due_date)
    return ngettext(
        "%(count)s action: %(owned)s with an owner, %(dated)s with a due date",
        "%(count)s actions: %(owned)s with an owner, %(dated)s with a due date",
        len(actions),
    ) % {"count": len(actions), "owned": owned, "dated": dated}


def _action_slides(deck: slides.Deck, document: AuditDocument) -> None:
    kicker = str(ACTIONS)
    actions = top_actions(document)
    title = actions_message(actions)
    notes = Notes(
        _("%(title)s. Every fix and planned change, by due date.") % {"title": title},
        (_("Is every action owned and dated?"), _("Which action do we review first, and when?")),
    )
    if not actions:
        slide = slides.content_slide(deck, _("No actions yet"), kicker, notes)
        slides.message(
            slide, _("No actions yet: settle friction rows or plan changes to forces, and give each an owner.")
        )
        return
    rows = [TableRow(action_cells(item), highlight=not item.owner) for item in actions]
    slides.table_slides(deck, (title, kicker), ACTION_COLUMNS, rows, notes)
