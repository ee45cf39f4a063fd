"""The slide deck: an audit as a 16:9 presentation for the people who were not in the room.

Everything on the slides is native and editable: text, tables, charts and the flywheel drawn
from shapes. python-pptx cannot measure text, so every table is split across slides by the
estimates in `pptx_layout`, with its header repeated on each "(cont.)" slide.

The deck starts from python-pptx's own template, made 16:9 in code (`new_presentation`): no
binary template to keep in step with the code. The audit's language — its tag, fonts and, for
Persian, right-to-left text and tables — is applied to the finished deck by `pptx_language`.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml.etree import SubElement
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import MSO_SHAPE, PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from .. import calculations, guidance, periods
from ..document import AuditDocument, Conversion, ForceRow, FrictionRow, MetricRow
from . import pptx_language
from . import pptx_layout as layout

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in
MARGIN = Inches(0.5)
BODY_LEFT, BODY_TOP = MARGIN, Inches(1.3)
BODY_WIDTH = SLIDE_WIDTH - 2 * MARGIN
BODY_BOTTOM = SLIDE_HEIGHT - Inches(0.4)

TITLE_SIZE, TABLE_SIZE, TEXT_SIZE, HEADING_SIZE, CALLOUT_SIZE, NOTES_SIZE = 28, 13, 13, 16, 14, 12
MINIMUM_SIZE = 12  # nothing on a slide is set smaller

STAGE_COLOURS = {
    "attract": RGBColor(0xE0, 0x66, 0x3A),
    "engage": RGBColor(0x2F, 0x7D, 0xD1),
    "delight": RGBColor(0x2E, 0x9E, 0x6B),
}
DARK = RGBColor(0x2D, 0x3E, 0x50)
MUTED = RGBColor(0x5F, 0x6B, 0x7A)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
ALERT = RGBColor(0xB0, 0x3A, 0x2E)
OPEN_FILL = RGBColor(0xFD, 0xEC, 0xC8)  # friction rows that no step has settled yet
CENTRE_FILL = RGBColor(0xF2, 0xF2, 0xF2)

# Characters XML cannot hold (python-pptx would show control characters as "_x0001_"): dropped.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


# --- Text: the one place it goes onto a slide ---------------------------------------------------


A_P, A_PPR, A_DEF_RPR, A_R, A_RPR, A_T = (qn(tag) for tag in ("a:p", "a:pPr", "a:defRPr", "a:r", "a:rPr", "a:t"))
A_SOLID_FILL, A_SRGB_CLR = qn("a:solidFill"), qn("a:srgbClr")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    colour: RGBColor | None = None


def clean(text: str) -> str:
    """Return user text as a slide can hold it: one kind of line break, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", text)


def _write(frame, paragraphs: list[list[Run]], size: float, align: PP_ALIGN | None = None) -> None:
    """Write paragraphs of runs into a text frame, giving every run its size.

    The XML is built directly: python-pptx's property-by-property API costs most of a large
    deck's time. The language, its fonts and its direction are set on the finished deck, by
    `pptx_language.apply`.
    """
    body = frame._txBody
    for old in body.findall(A_P):
        body.remove(old)
    points = str(round(size * 100))
    for runs in paragraphs:
        paragraph = SubElement(body, A_P)
        properties = SubElement(paragraph, A_PPR)
        if align is not None:
            properties.set("algn", align.xml_value)
        SubElement(properties, A_DEF_RPR, sz=points)  # the end-of-paragraph size, for empty lines
        for part in runs:
            if not part.text:
                continue
            run = SubElement(paragraph, A_R)
            run_properties = SubElement(run, A_RPR, sz=points, b="1" if part.bold else "0")
            if part.colour is not None:
                SubElement(SubElement(run_properties, A_SOLID_FILL), A_SRGB_CLR, val=str(part.colour))
            SubElement(run, A_T).text = part.text


def _set_text(frame, text: str, size: float, bold: bool = False, colour: RGBColor | None = None, align=None) -> None:
    """Write plain text, one paragraph per line."""
    _write(frame, [[Run(line, bold, colour)] for line in clean(text).split("\n")], size, align)


def _plain(runs: list[Run]) -> str:
    return "".join(run.text for run in runs)


def _clip(text: str, limit: int) -> str:
    """Return at most `limit` characters of `text`, cut at a word, for the summary slide."""
    text = " ".join(clean(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return (cut[: cut.rfind(" ")] if " " in cut else cut).rstrip(" ,;:") + "…"


# --- The deck -----------------------------------------------------------------------------------


def new_presentation() -> PresentationType:
    """Return python-pptx's default presentation made 16:9, its master and layouts widened to match."""
    deck = Presentation()
    scale = SLIDE_WIDTH / deck.slide_width
    deck.slide_width, deck.slide_height = SLIDE_WIDTH, SLIDE_HEIGHT
    shapes = [*deck.slide_master.shapes, *(shape for item in deck.slide_layouts for shape in item.shapes)]
    for shape in shapes:
        if shape._element.spPr.xfrm is not None:  # the rest inherit from the (already widened) master
            shape.left, shape.width = Emu(round(shape.left * scale)), Emu(round(shape.width * scale))
    # Every layout's title without a place of its own (Title Only among them) inherits this one.
    title = next(
        shape for shape in deck.slide_master.placeholders if shape.placeholder_format.type == PP_PLACEHOLDER.TITLE
    )
    title.left, title.top, title.width, title.height = MARGIN, Inches(0.3), BODY_WIDTH, Inches(0.85)
    return deck


def write(document: AuditDocument) -> bytes:
    """Return the audit as a .pptx file."""
    deck = new_presentation()
    _set_properties(deck, document)
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
    pptx_language.apply(deck, document.header.language)
    output = BytesIO()
    deck.save(output)
    return output.getvalue()


def _set_properties(deck: PresentationType, document: AuditDocument) -> None:
    header = document.header
    properties = deck.core_properties
    properties.title = clean(f"{header.flywheel_name} — {header.title}")[:255]
    properties.author = properties.last_modified_by = "Flywheel Audit"
    properties.subject = clean(header.organization_name)[:255]
    properties.keywords = "flywheel audit"
    properties.language = header.language
    properties.revision = 1
    properties.created = properties.modified = timezone.now().replace(tzinfo=None, microsecond=0)


def _layout(deck: PresentationType, name: str):
    return deck.slide_layouts.get_by_name(name)


def _content_slide(deck: PresentationType, title: str, notes: Iterable[str] = ()) -> Slide:
    slide = deck.slides.add_slide(_layout(deck, "Title Only"))
    _fit_title(slide.shapes.title, title, TITLE_SIZE, 18, PP_ALIGN.LEFT)
    _notes(slide, notes)
    return slide


def _fit_title(shape, text: str, largest: float, smallest: float, align=None) -> None:
    """Set a title placeholder's text at the largest size that fits it, cut short if even the smallest does not."""
    text = " ".join(clean(text).split())
    # The template's placeholders keep PowerPoint's default insets: 0.1 in at the sides, 0.05 in above and below.
    width, height = layout.points(shape.width) - 14.4, layout.points(shape.height) - 7.2
    size = layout.fitting_size(text, width, height, largest, smallest)
    shape.text_frame.word_wrap = True
    _set_text(shape.text_frame, layout.shorten(text, width, height, size), size, True, DARK, align)


def _notes(slide: Slide, step_keys: Iterable[str]) -> None:
    """Put each step's guidance in the speaker notes: what to do, and the questions to ask the room."""
    parts = []
    for key in step_keys:
        step = guidance.step(key)
        parts.append("\n".join([str(step.title), str(step.intro), _("Questions to ask:")]))
        parts.append("\n".join(f"• {question}" for question in step.questions))
    if parts:
        _set_text(slide.notes_slide.notes_text_frame, "\n".join(parts), NOTES_SIZE)


def _text_box(slide: Slide, left, top, width, height, paragraphs: list[list[Run]], size: float, align=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    frame = box.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    for side in ("margin_left", "margin_right"):
        setattr(frame, side, Pt(layout.CELL_MARGIN_X))
    frame.margin_top = frame.margin_bottom = Pt(layout.CELL_MARGIN_Y)
    _write(frame, paragraphs, size, align)
    return box


def _message(slide: Slide, text: str, top=BODY_TOP) -> None:
    """A sentence where a section has nothing yet, saying what is missing."""
    _text_box(slide, BODY_LEFT, top, BODY_WIDTH, Inches(1.2), [[Run(text, colour=MUTED)]], 18)


def _date(day: date | None) -> str:
    return f"{day.day} {periods.MONTH_NAMES[day.month - 1]} {day.year}" if day else calculations.MISSING


# --- 1. Title -----------------------------------------------------------------------------------


def _title_slide(deck: PresentationType, document: AuditDocument) -> None:
    header = document.header
    slide = deck.slides.add_slide(_layout(deck, "Title Slide"))
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    _fit_title(title, header.title, 40, 20, PP_ALIGN.CENTER)
    when = (
        _("Workshop of %(date)s · audit year %(year)s")
        % {"date": _date(header.workshop_date), "year": header.period_year}
        if header.workshop_date
        else _("Audit year %(year)s") % {"year": header.period_year}
    )
    lines = [
        [Run(_("Flywheel: %(name)s") % {"name": _clip(header.flywheel_name, 120)}, True, DARK)],
        [Run(_clip(header.organization_name, 120), colour=MUTED)],
        [Run(when, colour=MUTED)],
    ]
    _write(subtitle.text_frame, lines, 20, PP_ALIGN.CENTER)
    band_width = SLIDE_WIDTH // 3
    for index, colour in enumerate(STAGE_COLOURS.values()):
        bar = slide.shapes.add_shape(
            MSO_SHAPE.RECTANGLE, Emu(index * band_width), SLIDE_HEIGHT - Inches(0.25), band_width, Inches(0.25)
        )
        _fill(bar, colour)


def _fill(shape, colour: RGBColor, line: RGBColor | None = None) -> None:
    shape.fill.solid()
    shape.fill.fore_color.rgb = colour
    if line is None:
        shape.line.fill.background()
    else:
        shape.line.color.rgb = line
    # No theme style: its shadow and outline would come back in LibreOffice, whatever is set here.
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)


# --- 2. Executive summary -----------------------------------------------------------------------

SETTLED_BY = {
    "automation": gettext_lazy("automation"),
    "new_goal": gettext_lazy("a new goal"),
    "restructure": gettext_lazy("restructuring"),
}


def _figure(metric: MetricRow, value) -> str:
    """A metric's value as people read it: "12,300 visitors", "44.2", "46%"."""
    if value is None:
        return calculations.MISSING
    digits = 0 if metric.kind == "bucket" or float(value) == int(value) else 1
    number = calculations.format_number(value, digits)
    if metric.kind == "nps" or not metric.unit:
        return number
    return number + metric.unit if metric.unit == "%" else f"{number} {metric.unit}"


def _change(metric: MetricRow) -> str:
    change = metric.latest_change
    if change is None:
        return calculations.MISSING
    return calculations.signed(change, 0 if metric.kind == "bucket" or change == int(change) else 1)


def _key_number(stage) -> list[Run]:
    label = Run(stage.label, True, STAGE_COLOURS.get(stage.stage))
    metric = stage.metric
    if metric is None:
        return [label, Run(" · " + _("no key metric yet"), colour=MUTED)]
    runs = [label, Run(f" · {_clip(metric.name, 60)}: "), Run(_figure(metric, metric.latest_value), True)]
    if metric.latest:
        runs.append(Run(f" ({metric.latest.label}, {_change(metric)})", colour=MUTED))
    return runs


def _conversion_line(conversion: Conversion, weakest: Conversion | None) -> list[Run]:
    runs = [Run(_clip(conversion.label, 90) + ": ")]
    if not conversion.comparable:
        return [*runs, Run(_("not comparable: the two metrics use different periods"), colour=MUTED)]
    runs += [
        Run(calculations.percent(conversion.latest) + " " + _("latest"), True),
        Run(", " + calculations.percent(conversion.average) + " " + _("on average")),
    ]
    if conversion is weakest:
        runs.append(Run(" — " + _("loses most momentum"), True, ALERT))
    return runs


def _friction_line(row: FrictionRow) -> list[Run]:
    runs = [Run(_clip(row.source, 90))]
    if row.is_open:
        return [*runs, Run(" — " + _("open"), True, ALERT)]
    return [
        *runs,
        Run(" → " + _("by %(step)s: ") % {"step": SETTLED_BY[row.settled_by]}, True),
        Run(_clip(row.fix, 90)),
    ]


def _friction_count(document: AuditDocument) -> list[Run]:
    settled = {step: sum(1 for row in document.friction if row.settled_by == step) for step in SETTLED_BY}
    parts = ", ".join(f"{count} " + _("by %(step)s") % {"step": SETTLED_BY[step]} for step, count in settled.items())
    return [
        Run(
            _("%(total)s sources: %(settled)s settled (%(parts)s), %(open)s open.")
            % {
                "total": len(document.friction),
                "settled": len(document.friction) - len(document.open_friction),
                "parts": parts,
                "open": len(document.open_friction),
            },
            colour=MUTED,
        )
    ]


def _action_line(item) -> list[Run]:
    owner = item.owner or _("no owner yet")
    # Not inside an f-string: xgettext (makemessages) does not find calls there.
    due = ", " + _("due %(date)s") % {"date": _date(item.due_date)} if item.due_date else ""
    return [Run(_clip(item.fix, 100)), Run(f" — {_clip(owner, 40)}{due}", True, DARK)]


@dataclass(frozen=True)
class Panel:
    heading: str
    items: list[list[Run]]
    empty: str  # what is missing when there are no items
    hidden: int = 0  # items left out before the panel, to count in its "+ N more"
    share: float = 1.0  # the most of the column's height it may take


def _summary_slide(deck: PresentationType, document: AuditDocument) -> None:
    slide = _content_slide(deck, _("Executive summary"), ["summary"])
    weakest = document.weakest_conversion
    actions = document.action_items
    friction = [_friction_count(document)] if document.friction else []
    friction += [_friction_line(row) for row in document.friction]
    left = [
        Panel(_("Key numbers"), [_key_number(stage) for stage in document.stages], _("No metrics yet."), share=0.3),
        Panel(
            _("Conversion between stages"),
            [_conversion_line(conversion, weakest) for conversion in document.conversions],
            _("No conversions yet: they need bucket metrics with readings in two stages or more."),
            share=0.5,
        ),
        Panel(
            _("Top actions"),
            [_action_line(item) for item in actions[:5]],
            _("No actions yet: settle friction rows or plan changes to forces, and give each an owner."),
            hidden=max(0, len(actions) - 5),
        ),
    ]
    right = [Panel(_("Friction and how it will be fixed"), friction, _("No friction identified yet."))]
    gap = Inches(0.4)
    width = (BODY_WIDTH - gap) // 2
    for column_left, panels in ((BODY_LEFT, left), (BODY_LEFT + width + gap, right)):
        top = BODY_TOP
        for panel in panels:
            top += _panel(slide, column_left, top, width, (BODY_BOTTOM - top) * panel.share, panel)


def _panel(slide: Slide, left, top, width, height, panel: Panel) -> int:
    """Add the panel's heading and as many of its items as fit in the box; return the height used (EMU)."""
    heading, items, empty, hidden = panel.heading, panel.items, panel.empty, panel.hidden
    inner = layout.points(width) - 2 * layout.CELL_MARGIN_X
    room = layout.points(height) - 2 * layout.CELL_MARGIN_Y - 6  # a little air below the panel
    spacing = 4  # points after each paragraph
    paragraphs = [[Run(heading, True, DARK)]]
    used = layout.text_height(heading, inner, HEADING_SIZE) + spacing
    if not items:
        items = [[Run(empty, colour=MUTED)]]
    more_height = layout.text_height("+ 999", inner, TEXT_SIZE) + spacing
    shown = []
    for index, item in enumerate(items):
        needed = layout.text_height(_plain(item), inner, TEXT_SIZE) + spacing
        last = index == len(items) - 1 and not hidden
        if used + needed + (0 if last else more_height) > room:
            break
        shown.append(item)
        used += needed
    hidden += len(items) - len(shown)
    if hidden:
        shown.append([Run(_("+ %(count)s more on the following slides") % {"count": hidden}, colour=MUTED)])
        used += more_height
    box = _text_box(slide, left, top, width, height, [], TEXT_SIZE)
    frame = box.text_frame
    _write(frame, [*paragraphs, *shown], TEXT_SIZE)
    frame.paragraphs[0].runs[0].font.size = Pt(HEADING_SIZE)
    for paragraph in frame.paragraphs:
        paragraph.space_after = Pt(spacing)
    box.height = Emu(min(int(height), round((used + 2 * layout.CELL_MARGIN_Y + 6) * layout.EMU_PER_POINT)))
    return box.height


# --- 3. The flywheel ----------------------------------------------------------------------------

RING_CENTRE = (Inches(3.55), Inches(4.3))
RING_RADIUS, RING_THICKNESS = Inches(2.6), Inches(0.8)
GAP_DEGREES = 4


def _arc_angle(degrees: float) -> float:
    """Return an angle as python-pptx must be given it for an adjustment.

    python-pptx multiplies every adjustment by 100,000, while OOXML angles count 60,000ths of a
    degree, so 90° has to be given as 54. Angles run clockwise from three o'clock.
    """
    return (degrees % 360) * 0.6


def _flywheel_slide(deck: PresentationType, document: AuditDocument) -> None:
    slide = _content_slide(deck, _("The flywheel"), ["summary"])
    cx, cy = RING_CENTRE
    stages = document.stages
    span = 360 / max(1, len(stages))
    for index, stage in enumerate(stages):
        start = 270 + index * span + GAP_DEGREES / 2  # the first stage starts at twelve o'clock
        end = start + span - GAP_DEGREES
        colour = STAGE_COLOURS.get(stage.stage, DARK)
        arc = slide.shapes.add_shape(
            MSO_SHAPE.BLOCK_ARC, cx - RING_RADIUS, cy - RING_RADIUS, 2 * RING_RADIUS, 2 * RING_RADIUS
        )
        arc.name = f"Stage {stage.label}"
        arc.adjustments[0] = _arc_angle(start)
        arc.adjustments[1] = _arc_angle(end)
        arc.adjustments[2] = RING_THICKNESS / (2 * RING_RADIUS)
        _fill(arc, colour)
        _ring_label(slide, stage.label, start + (span - GAP_DEGREES) / 2)
        _arrow_head(slide, end - 6)
        _stage_callout(slide, stage, index)
    centre = RING_RADIUS - RING_THICKNESS - Inches(0.25)
    hub = slide.shapes.add_shape(MSO_SHAPE.OVAL, cx - centre, cy - centre, 2 * centre, 2 * centre)
    _fill(hub, CENTRE_FILL)
    hub.text_frame.word_wrap = True
    _set_text(hub.text_frame, _("Customers"), 22, True, DARK, PP_ALIGN.CENTER)


def _on_ring(degrees: float, radius: int) -> tuple[int, int]:
    cx, cy = RING_CENTRE
    radians = math.radians(degrees)
    return round(cx + radius * math.cos(radians)), round(cy + radius * math.sin(radians))


def _ring_label(slide: Slide, label: str, degrees: float) -> None:
    x, y = _on_ring(degrees, RING_RADIUS - RING_THICKNESS // 2)
    width, height = Inches(1.6), Inches(0.45)
    box = _text_box(slide, x - width // 2, y - height // 2, width, height, [[Run(label, True, WHITE)]], 18)
    box.text_frame.vertical_anchor = MSO_ANCHOR.MIDDLE
    box.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER


def _arrow_head(slide: Slide, degrees: float) -> None:
    """A white chevron inside the segment's end, pointing clockwise: the way the wheel turns."""
    x, y = _on_ring(degrees, RING_RADIUS - RING_THICKNESS // 2)
    width, height = Inches(0.26), Inches(0.36)
    head = slide.shapes.add_shape(MSO_SHAPE.CHEVRON, x - width // 2, y - height // 2, width, height)
    head.name = "Direction"
    _fill(head, WHITE)
    head.rotation = (degrees + 90) % 360  # a chevron points to three o'clock; turn it along the ring


def _callout_metric(metric: MetricRow | None) -> list[Run]:
    if metric is None:
        return [Run(_("No key metric yet"), colour=MUTED)]
    runs = [Run(_("Key metric: ")), Run(f"{_clip(metric.name, 60)} — {_figure(metric, metric.latest_value)}", True)]
    if metric.latest:
        runs.append(Run(f" ({metric.latest.label})", colour=MUTED))
    return runs


def _stage_callout(slide: Slide, stage, index: int) -> None:
    """The stage's box beside the wheel: its approach, key metric, open friction and forces."""
    left, width = Inches(7.0), SLIDE_WIDTH - Inches(7.0) - MARGIN
    height = (BODY_BOTTOM - BODY_TOP - Inches(0.3)) // 3
    top = BODY_TOP + index * (height + Inches(0.15))
    colour = STAGE_COLOURS.get(stage.stage, DARK)
    bar = slide.shapes.add_shape(MSO_SHAPE.RECTANGLE, left, top, Inches(0.12), height)
    _fill(bar, colour)
    text_left, text_width = left + Inches(0.2), width - Inches(0.2)
    inner = layout.points(text_width) - 2 * layout.CELL_MARGIN_X
    metric_line = _callout_metric(stage.metric)
    counts = [
        Run(_("Open friction: %(count)s") % {"count": stage.open_friction}, stage.open_friction > 0, DARK),
        Run("   ·   " + _("Forces: %(count)s") % {"count": stage.forces}, colour=DARK),
    ]
    fixed = layout.text_height(stage.label, inner, 18) + layout.text_height(_plain(metric_line), inner, CALLOUT_SIZE)
    fixed += layout.text_height(_plain(counts), inner, CALLOUT_SIZE)
    room = layout.points(height) - 2 * layout.CELL_MARGIN_Y - fixed
    approach = clean(" ".join(stage.approach.split())) or _("No approach written yet")
    approach = layout.shorten(approach, inner, room, CALLOUT_SIZE)
    paragraphs = [
        [Run(stage.label, True, colour)],
        [Run(approach, colour=None if stage.approach else MUTED)],
        metric_line,
        counts,
    ]
    box = _text_box(slide, text_left, top, text_width, height, paragraphs, CALLOUT_SIZE)
    box.text_frame.paragraphs[0].runs[0].font.size = Pt(18)


# --- Tables -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: guidance.Text
    share: float  # of the body width


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    highlight: bool = False


def column_widths(columns: list[Column]) -> list[int]:
    """Return the columns' widths in EMU, adding up to the body width exactly."""
    total = sum(column.share for column in columns)
    widths = [int(BODY_WIDTH * column.share / total) for column in columns]
    widths[-1] += BODY_WIDTH - sum(widths)
    return widths


def table_pages(columns: list[Column], rows: list[TableRow], room: float) -> list[list[tuple[TableRow, float]]]:
    """Return the rows of each slide with their estimated heights (points), for a table `room` high."""
    widths = [layout.points(width) for width in column_widths(columns)]
    header = layout.row_height([str(column.title) for column in columns], widths, TABLE_SIZE)
    fitted: list[TableRow] = []
    for row in rows:
        cells = tuple(clean(cell) for cell in row.cells)
        if header + layout.row_height(cells, widths, TABLE_SIZE) > room:
            fitted += [
                TableRow(piece, row.highlight) for piece in layout.split_row(cells, widths, TABLE_SIZE, room - header)
            ]
        else:
            fitted.append(TableRow(cells, row.highlight))
    heights = [layout.row_height(row.cells, widths, TABLE_SIZE) for row in fitted]
    return [[(fitted[index], heights[index]) for index in page] for page in layout.paginate(heights, room, header)]


def _table_slides(
    deck: PresentationType, title: str, columns: list[Column], rows: list[TableRow], notes: list[str]
) -> None:
    room = layout.points(BODY_BOTTOM - BODY_TOP)
    for number, page in enumerate(table_pages(columns, rows, room)):
        slide = _content_slide(deck, title if number == 0 else f"{title} " + _("(cont.)"), notes)
        _add_table(slide, columns, page)


def _emu(points: float) -> int:
    return math.ceil(points * layout.EMU_PER_POINT)


def _add_table(slide: Slide, columns: list[Column], page: list[tuple[TableRow, float]]) -> None:
    widths = column_widths(columns)
    header = layout.row_height(
        [str(column.title) for column in columns], [layout.points(w) for w in widths], TABLE_SIZE
    )
    estimated = _emu(header) + sum(_emu(height) for _row, height in page)
    shape = slide.shapes.add_table(len(page) + 1, len(columns), BODY_LEFT, BODY_TOP, BODY_WIDTH, estimated)
    table = shape.table
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    # A row's height is only its least: PowerPoint and LibreOffice grow it to fit its text. Setting
    # one line lets rows take what they need, within the estimate the rows were paginated by.
    # Set on the XML: python-pptx's row.height re-adds every row's height to the frame each time.
    one_line = _emu(TABLE_SIZE * layout.LINE_HEIGHT + 2 * layout.CELL_MARGIN_Y)
    for row in table._tbl.tr_lst:
        row.h = one_line
    shape.height = estimated
    for cell, column in zip(table.rows[0].cells, columns, strict=True):
        _cell(cell, str(column.title), bold=True, colour=WHITE, fill=DARK)
    for row, (data, _height) in zip(list(table.rows)[1:], page, strict=True):
        for cell, text in zip(row.cells, data.cells, strict=True):
            _cell(cell, text, fill=OPEN_FILL if data.highlight else None)


CELL_MARGINS = {
    "marL": str(Pt(layout.CELL_MARGIN_X)),
    "marR": str(Pt(layout.CELL_MARGIN_X)),
    "marT": str(Pt(layout.CELL_MARGIN_Y)),
    "marB": str(Pt(layout.CELL_MARGIN_Y)),
}


def _cell(cell, text: str, bold: bool = False, colour: RGBColor | None = None, fill: RGBColor | None = None) -> None:
    properties = cell._tc.get_or_add_tcPr()
    for name, value in CELL_MARGINS.items():
        properties.set(name, value)
    if fill is not None:
        cell.fill.solid()
        cell.fill.fore_color.rgb = fill
    _set_text(cell.text_frame, text, TABLE_SIZE, bold, colour)


# --- 3b. Last audit's action items, reviewed (a carried-forward audit) -----------------------------

REVIEW_COLUMNS = [
    Column(gettext_lazy("For"), 0.25),
    Column(gettext_lazy("Fix or change"), 0.27),
    Column(gettext_lazy("Owner · due"), 0.14),
    Column(gettext_lazy("Status"), 0.11),
    Column(gettext_lazy("Note"), 0.23),
]
REVIEW_STATUSES = {
    "done": gettext_lazy("Done"),
    "partly": gettext_lazy("Partly done"),
    "not_done": gettext_lazy("Not done"),
    "dropped": gettext_lazy("Dropped"),
}


def review_cells(review) -> tuple[str, ...]:
    what = (_("Friction: %(what)s") if review.kind == "friction" else _("Force: %(what)s")) % {"what": review.what}
    owner = review.owner or calculations.MISSING
    when = f"{owner}\n{_date(review.due_date)}" if review.due_date else owner
    status = str(REVIEW_STATUSES.get(review.status, _("Not reviewed yet")))
    return (what, review.fix, when, status, review.note)


def _review_slides(deck: PresentationType, document: AuditDocument) -> None:
    if not document.action_reviews:
        return  # not carried forward, or last year had no action items
    rows = [
        TableRow(review_cells(review), highlight=review.status in ("", "not_done"))
        for review in document.action_reviews
    ]
    _table_slides(deck, _("Action review: last audit's action items"), REVIEW_COLUMNS, rows, ["summary"])


# --- 4. Exercise 1: strategy --------------------------------------------------------------------

STRATEGY_COLUMNS = [
    Column(gettext_lazy("Stage"), 0.14),
    Column(gettext_lazy("Inbound principle"), 0.3),
    Column(gettext_lazy("Approach"), 0.56),
]


def _strategy_slides(deck: PresentationType, document: AuditDocument) -> None:
    title = _("Exercise 1 — Go-to-market strategy")
    if not any(row.principle or row.approach for row in document.strategies):
        slide = _content_slide(deck, title, ["strategy"])
        _message(slide, _("No strategy mapped yet: write each stage's inbound principle and main approach."))
        return
    rows = [TableRow((row.stage_label, row.principle, row.approach)) for row in document.strategies]
    _table_slides(deck, title, STRATEGY_COLUMNS, rows, ["strategy"])


# --- 5. Exercise 1: metrics ---------------------------------------------------------------------

METRIC_COLUMNS = [
    Column(gettext_lazy("Stage"), 0.11),
    Column(gettext_lazy("Metric"), 0.3),
    Column(gettext_lazy("Kind"), 0.1),
    Column(gettext_lazy("Latest"), 0.2),
    Column(gettext_lazy("Change"), 0.13),
    Column(gettext_lazy("Unit / period"), 0.16),
]
KIND_LABELS = {
    "bucket": gettext_lazy("Bucket"),
    "nps": gettext_lazy("NPS"),
    "rate": gettext_lazy("Rate"),
    "value": gettext_lazy("Value"),
}


def metric_cells(metric: MetricRow) -> tuple[str, ...]:
    latest = _figure(metric, metric.latest_value)
    if metric.latest:
        latest += f" ({metric.latest.label})"
    unit = " / ".join(part for part in (metric.unit, metric.period) if part)
    return (
        metric.stage_label,
        metric.name,
        str(KIND_LABELS.get(metric.kind, metric.kind)),
        latest,
        _change(metric),
        unit,
    )


@dataclass(frozen=True)
class ChartSpec:
    title: str
    categories: list[str]
    series: list[tuple[str, list]]
    number_format: str
    colour: RGBColor | None = None
    wide: bool = False  # takes a whole row of the grid


def charts_of(document: AuditDocument) -> list[ChartSpec]:
    """Return the metrics charts: the conversions between stages (wide, first), each bucket's total, each NPS."""
    charts = []
    conversions = [conversion for conversion in document.conversions if conversion.rates]
    if conversions:
        starts = sorted({rate.period_start: rate.label for c in conversions for rate in c.rates}.items())
        series = []
        for conversion in conversions:
            by_start = {rate.period_start: rate.rate for rate in conversion.rates}
            series.append((conversion.label, [by_start.get(start) for start, _label in starts]))
        categories = [label for _start, label in starts]
        charts.append(ChartSpec(_("Conversion between stages"), categories, series, "0%", wide=True))
    for metric in document.metrics:
        if not metric.readings or metric.kind not in ("bucket", "nps"):
            continue
        values = [metric.headline(reading) for reading in metric.readings]
        if all(value is None for value in values):
            continue
        what = _("total") if metric.kind == "bucket" else _("NPS")
        charts.append(
            ChartSpec(
                title=f"{_clip(metric.name, 60)}: {what}",
                categories=[reading.label for reading in metric.readings],
                series=[(metric.name, [None if value is None else float(value) for value in values])],
                number_format="#,##0" if metric.kind == "bucket" else "0",
                colour=STAGE_COLOURS.get(metric.stage),
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


def _metric_slides(deck: PresentationType, document: AuditDocument) -> None:
    title = _("Exercise 1 — Metrics")
    if not document.metrics:
        slide = _content_slide(deck, title, ["metrics"])
        _message(slide, _("No metrics yet: name each stage's key metric and record its readings."))
        return
    _table_slides(deck, title, METRIC_COLUMNS, [TableRow(metric_cells(m)) for m in document.metrics], ["metrics"])
    charts = charts_of(document)
    chart_title = _("Exercise 1 — Metrics over time")
    if not charts:
        slide = _content_slide(deck, chart_title, ["metrics"])
        _message(slide, _("No readings to chart yet: record each bucket's total per period."))
        return
    gap = Inches(0.3)
    width = (BODY_WIDTH - gap) // 2
    height = (BODY_BOTTOM - BODY_TOP - gap) // 2
    for number, page in enumerate(chart_pages(charts)):
        slide = _content_slide(deck, chart_title if number == 0 else f"{chart_title} " + _("(cont.)"), ["metrics"])
        for spec, cell in page:
            left = BODY_LEFT + (cell % 2) * (width + gap)
            top = BODY_TOP + (cell // 2) * (height + gap)
            _add_chart(slide, spec, left, top, BODY_WIDTH if spec.wide else width, height)


def new_chart(slide: Slide, spec: ChartSpec, chart_type, left, top, width, height, legend=XL_LEGEND_POSITION.BOTTOM):
    """A native chart of `spec` with the decks' title, legend, gridlines and fonts (never below 12 pt)."""
    data = CategoryChartData(number_format=spec.number_format)
    data.categories = [clean(label) for label in spec.categories]
    for name, values in spec.series:
        data.add_series(clean(name), values)
    chart = slide.shapes.add_chart(chart_type, left, top, width, height, data).chart
    chart.font.size = Pt(MINIMUM_SIZE)
    chart.has_title = True
    _set_text(chart.chart_title.text_frame, spec.title, 14, True, DARK)
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = legend
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(MINIMUM_SIZE)
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.tick_labels.number_format = spec.number_format
    axis.tick_labels.number_format_is_linked = False
    axis.tick_labels.font.size = Pt(MINIMUM_SIZE)
    chart.category_axis.tick_labels.font.size = Pt(MINIMUM_SIZE)
    return chart


def _add_chart(slide: Slide, spec: ChartSpec, left, top, width, height) -> None:
    legend = XL_LEGEND_POSITION.RIGHT if spec.wide else XL_LEGEND_POSITION.BOTTOM
    chart = new_chart(slide, spec, XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, legend)
    if spec.colour is not None:
        series = chart.plots[0].series[0]
        series.format.line.color.rgb = spec.colour
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = spec.colour
        series.marker.format.line.color.rgb = spec.colour


# --- 6. Exercise 2: forces ----------------------------------------------------------------------

FORCE_COLUMNS = [
    Column(gettext_lazy("Force"), 0.2),
    Column(gettext_lazy("Before → now"), 0.42),
    Column(gettext_lazy("Planned change"), 0.26),
    Column(gettext_lazy("Owner"), 0.12),
]


def force_cells(force) -> tuple[str, ...]:
    lines = [*([force.before] if force.before else []), *([f"→ {force.now}"] if force.now else [])]
    if force.target:  # carried forward: what last year's audit planned, to check against "now"
        lines.append(_("Planned last year: %(target)s") % {"target": force.target})
    return (force.name, "\n".join(lines), force.planned_change, force.owner)


def _force_slides(deck: PresentationType, document: AuditDocument) -> None:
    title = _("Exercise 2 — Forces")
    teams = [team for team in document.teams if team.forces]
    if not teams:
        slide = _content_slide(deck, title, ["forces"])
        names = ", ".join(_clip(team.name, 40) for team in document.teams)
        message = _("No forces listed yet.")
        if names:
            message += " " + _("Teams: %(names)s.") % {"names": names}
        _message(slide, message)
        return
    for team in teams:
        voted = any(force.votes for force in team.forces)
        rows = [TableRow(_votes(force, voted) + force_cells(force)) for force in by_votes(team.forces)]
        _table_slides(deck, f"{title}: {team.name}", with_votes(FORCE_COLUMNS, voted), rows, ["forces"])


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

FRICTION_COLUMNS = [
    Column(gettext_lazy("Source of friction"), 0.31),
    Column(gettext_lazy("Solved by automation?"), 0.23),
    Column(gettext_lazy("By a new (shared) goal?"), 0.23),
    Column(gettext_lazy("By restructuring the team?"), 0.23),
]
ASSESSMENT_COLUMNS = [
    Column(gettext_lazy("Question"), 0.38),
    Column(gettext_lazy("Answer"), 0.1),
    Column(gettext_lazy("Notes"), 0.52),
]


def friction_cells(row: FrictionRow) -> tuple[str, ...]:
    source = f"{row.source} " + _("(open)") if row.is_open else row.source
    return (source, *row.summary_cells)


def _friction_slides(deck: PresentationType, document: AuditDocument) -> None:
    title = _("Exercise 3 — Friction")
    notes = ["identify", "automate", "goals"]
    if not document.friction:
        slide = _content_slide(deck, title, notes)
        _message(slide, _("No friction identified yet."))
        return
    voted = any(row.votes for row in document.friction)
    if voted:
        title = _("Exercise 3 — Friction, by votes")
    rows = [
        TableRow(_votes(row, voted) + friction_cells(row), highlight=row.is_open) for row in by_votes(document.friction)
    ]
    _table_slides(deck, title, with_votes(FRICTION_COLUMNS, voted), rows, notes)


def _assessment_slides(deck: PresentationType, document: AuditDocument) -> None:
    title = _("Exercise 3 — Self-assessment")
    if not document.self_assessment:
        slide = _content_slide(deck, title, ["restructure"])
        _message(slide, _("The self-assessment questions are not answered yet."))
        return
    answers = {"yes": _("Yes"), "no": _("No")}
    rows = [
        TableRow((row.question_label, answers.get(row.answer, _("Not answered")), row.notes))
        for row in document.self_assessment
    ]
    _table_slides(deck, title, ASSESSMENT_COLUMNS, rows, ["restructure"])


# --- 8. Action items ----------------------------------------------------------------------------

ACTION_COLUMNS = [
    Column(gettext_lazy("For"), 0.3),
    Column(gettext_lazy("Fix"), 0.4),
    Column(gettext_lazy("Owner"), 0.15),
    Column(gettext_lazy("Due"), 0.15),
]


def action_cells(item) -> tuple[str, ...]:
    what = (_("Friction: %(what)s") if item.kind == "friction" else _("Force: %(what)s")) % {"what": item.what}
    return (what, item.fix, item.owner or calculations.MISSING, _date(item.due_date))


def _action_slides(deck: PresentationType, document: AuditDocument) -> None:
    title = _("Action items")
    if not document.action_items:
        slide = _content_slide(deck, title, ["summary"])
        _message(slide, _("No actions yet: settle friction rows or plan changes to forces, and give each an owner."))
        return
    rows = [TableRow(action_cells(item)) for item in document.action_items]
    _table_slides(deck, title, ACTION_COLUMNS, rows, ["summary"])
