"""The slide toolkit the decks are built with: the audit deck (deck.py) and the comparison deck.

What it offers, all public:

- `Deck` (`new_deck`): a 16:9 deck started from a template built once per language — the theme's
  fonts and the text's language set there, not on every run — with its source line, slide
  counter and appendix. `Deck.save()` adds the appendix and returns the file's bytes.
- `content_slide(deck, title, kicker, notes, illustrative)`: a slide with a message title fitted to
  its box, the kicker (the small exercise label above it), talking points in the speaker notes,
  the slide number, the source line (flywheel, audit, date) and, where the figures are the
  example's, a mark saying so. `divider_slide` starts the appendix. The parts on their own:
  `Notes` / `write_notes` (talking points: what the slide shows, what to ask), `footer` (number
  and source line), `source_line`.
- Text: `Run`, `write_runs`, `set_text`, `text_box`, `fit_title`, `message`, `clip` (at a word,
  with an ellipsis), `clean`, `plain`. Every run is written with the deck's language tag and fonts,
  and right to left in Persian (`right_to_left`, `arrow`, `mirror`): no pass over the XML after.
- Tables that continue across slides: `Column`, `TableRow`, `column_widths`, `table_pages` (no
  slide left with one row: `rebalance`), `add_table`, `table_slides` (header repeated, notes on
  the first slide only, a long table's rest in the appendix).
- Charts: `ChartSpec`, `new_chart`, `add_line_chart` — axis titles, value axes from zero, small
  legends, categories right to left in Persian.
- Figures as the deck's language writes them: `number`, `signed`, `percent`, `points`, `date_text`,
  `period_text`, `figure_text`, `change_text` (a rate's in percentage points), and `key_figure` —
  a metric's key number and its basis ("Dec 2018 · latest month"), the one both decks show for a
  stage, so that they agree.
- Summary panels: `Panel`, `panel`. Shapes: `fill`, `middle`. Document properties: `set_properties`.
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from io import BytesIO
from xml.sax.saxutils import escape

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from lxml import etree
from lxml.etree import SubElement
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
from pptx.enum.shapes import PP_PLACEHOLDER
from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
from pptx.opc.packuri import PackURI
from pptx.oxml.ns import qn
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from audits.content import calculations
from audits.reports.exports import deck_language
from audits.reports.exports import deck_layout as layout
from audits.reports.exports.languages import Script, script_of

SLIDE_WIDTH, SLIDE_HEIGHT = Emu(12192000), Emu(6858000)  # 13.333 × 7.5 in
MARGIN = Inches(0.5)
BODY_LEFT, BODY_TOP = MARGIN, Inches(1.3)
BODY_WIDTH = SLIDE_WIDTH - 2 * MARGIN
BODY_BOTTOM = SLIDE_HEIGHT - Inches(0.45)
KICKER_TOP, TITLE_TOP, TITLE_HEIGHT = Inches(0.15), Inches(0.42), Inches(0.82)
FOOTER_TOP = SLIDE_HEIGHT - Inches(0.4)

TITLE_SIZE, TABLE_SIZE, TEXT_SIZE, HEADING_SIZE, CALLOUT_SIZE, NOTES_SIZE = 24, 13, 13, 16, 14, 12
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
OPEN_FILL = RGBColor(0xFD, 0xEC, 0xC8)  # rows that still need someone's decision
CENTRE_FILL = RGBColor(0xF2, 0xF2, 0xF2)

# Characters XML cannot hold (python-pptx would show control characters as "_x0001_"): dropped.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")

# A table longer than this many slides keeps its first slide in place and the rest in the appendix.
APPENDIX_AFTER = 2


# --- The deck's language ------------------------------------------------------------------------


def script() -> Script:
    """The script of the language the deck is being written in (the active translation)."""
    return script_of(translation.get_language() or "en")


def right_to_left() -> bool:
    return script().right_to_left


def arrow() -> str:
    """ "→" pointing the way the text reads: from the earlier value to the later, or from cause to fix."""
    # The marks keep the arrow between two left-to-right names ("Visitors ← Free users") on the
    # right-to-left side: without them the names and the arrow read as one left-to-right run.
    return "\u200f←\u200f" if right_to_left() else "→"


def mirror(left: int, width: int) -> int:
    """Return where a shape `width` wide placed at `left` goes in the deck's reading direction."""
    return SLIDE_WIDTH - left - width if right_to_left() else left


# --- Text: the one place it goes onto a slide ---------------------------------------------------

A_P, A_PPR, A_DEF_RPR, A_R, A_RPR, A_T = (qn(tag) for tag in ("a:p", "a:pPr", "a:defRPr", "a:r", "a:rPr", "a:t"))
A_SOLID_FILL, A_SRGB_CLR, A_LATIN, A_CS = qn("a:solidFill"), qn("a:srgbClr"), qn("a:latin"), qn("a:cs")
A_TBL_PR = qn("a:tblPr")
A_TX_BODY, A_BODY_PR, A_LST_STYLE = qn("a:txBody"), qn("a:bodyPr"), qn("a:lstStyle")
MIRRORED = {None: "r", "l": "r", "r": "l", "ctr": "ctr", "just": "just"}


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False
    colour: RGBColor | None = None


def clean(text: str) -> str:
    """Return user text as a slide can hold it: one kind of line break, no control characters."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", text)


def plain(runs: list[Run]) -> str:
    return "".join(run.text for run in runs)


def clip(text: str, limit: int) -> str:
    """Return at most `limit` characters of `text`, shortened at a word with an ellipsis.

    Never inside a parenthesis ("revenue (or…"): an aside left open is cut before it; a clause
    boundary late in the text is preferred to a bare word boundary.
    """
    text = " ".join(clean(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    if cut.count("(") > cut.count(")"):
        cut = cut[: cut.rfind("(")]
    clause = max(cut.rfind(mark) for mark in (", ", "; ", " — "))
    if clause >= limit * 0.6:
        cut = cut[:clause]
    return cut.rstrip(" ,;:(—") + "…"


def _font(properties, language: Script) -> None:
    if language.latin_font:
        SubElement(properties, A_LATIN, typeface=language.latin_font)
    if language.complex_font:
        SubElement(properties, A_CS, typeface=language.complex_font)


def write_runs(frame, paragraphs: list[list[Run]], size: float, align: PP_ALIGN | None = None) -> None:
    """Write paragraphs of runs into a text frame, each run with its size, language and fonts.

    The XML is built directly: python-pptx's property-by-property API costs most of a large
    deck's time. Right-to-left paragraphs are marked so, their alignment mirrored (DrawingML
    aligns to absolute sides: left becomes right).
    """
    language = script()
    body = frame._txBody
    for old in body.findall(A_P):
        body.remove(old)
    points = str(round(size * 100))
    algn = align.xml_value if align is not None else None
    if language.right_to_left:
        algn = MIRRORED.get(algn, algn)
    for runs in paragraphs:
        paragraph = SubElement(body, A_P)
        properties = SubElement(paragraph, A_PPR)
        if algn is not None:
            properties.set("algn", algn)
        if language.right_to_left:
            properties.set("rtl", "1")
        end = SubElement(properties, A_DEF_RPR, lang=language.tag, sz=points)  # empty lines' size
        _font(end, language)
        for part in runs:
            if not part.text:
                continue
            run = SubElement(paragraph, A_R)
            run_properties = SubElement(run, A_RPR, lang=language.tag, sz=points, b="1" if part.bold else "0")
            if part.colour is not None:
                SubElement(SubElement(run_properties, A_SOLID_FILL), A_SRGB_CLR, val=str(part.colour))
            _font(run_properties, language)
            SubElement(run, A_T).text = part.text


def set_text(frame, text: str, size: float, bold: bool = False, colour: RGBColor | None = None, align=None) -> None:
    """Write plain text, one paragraph per line."""
    write_runs(frame, [[Run(line, bold, colour)] for line in clean(text).split("\n")], size, align)


P_SP, P_NV_SP_PR, P_C_NV_PR, P_C_NV_SP_PR, P_NV_PR, P_SP_PR, P_TX_BODY = (
    qn(tag) for tag in ("p:sp", "p:nvSpPr", "p:cNvPr", "p:cNvSpPr", "p:nvPr", "p:spPr", "p:txBody")
)
A_XFRM, A_OFF, A_EXT, A_PRST_GEOM, A_AV_LST, A_NO_FILL, A_NO_AUTOFIT = (
    qn(tag) for tag in ("a:xfrm", "a:off", "a:ext", "a:prstGeom", "a:avLst", "a:noFill", "a:noAutofit")
)
BOX_INSETS = {
    "wrap": "square",
    "lIns": str(Pt(layout.CELL_MARGIN_X)),
    "tIns": str(Pt(layout.CELL_MARGIN_Y)),
    "rIns": str(Pt(layout.CELL_MARGIN_X)),
    "bIns": str(Pt(layout.CELL_MARGIN_Y)),
}


def text_box(target, left, top, width, height, paragraphs: list[list[Run]], size: float, align=None):
    """A text box with the insets `pptx_layout` estimates with; placed mirrored in a right-to-left deck.

    `target` is a slide or a group shape. The box is built with lxml, as python-pptx's add_textbox
    would make it plus its settings: a deck has hundreds (titles' kickers, footers, panels).
    """
    shapes = getattr(target, "shapes", target)
    tree = shapes._spTree
    shape_id = shapes._next_shape_id
    sp = tree.makeelement(P_SP, {})
    properties = SubElement(sp, P_NV_SP_PR)
    SubElement(properties, P_C_NV_PR, id=str(shape_id), name=f"TextBox {shape_id - 1}")
    SubElement(properties, P_C_NV_SP_PR, txBox="1")
    SubElement(properties, P_NV_PR)
    geometry = SubElement(sp, P_SP_PR)
    xfrm = SubElement(geometry, A_XFRM)
    SubElement(xfrm, A_OFF, x=str(int(mirror(left, width))), y=str(int(top)))
    SubElement(xfrm, A_EXT, cx=str(int(width)), cy=str(int(height)))
    SubElement(SubElement(geometry, A_PRST_GEOM, prst="rect"), A_AV_LST)
    SubElement(geometry, A_NO_FILL)
    body = SubElement(sp, P_TX_BODY)
    SubElement(SubElement(body, A_BODY_PR, BOX_INSETS), A_NO_AUTOFIT)
    SubElement(body, A_LST_STYLE)
    write_runs(_Frame(body), paragraphs, size, align)
    tree.insert_element_before(sp, "p:extLst")
    return shapes._shape_factory(sp)


def fit_title(shape, text: str, largest: float, smallest: float, align=None, box=None) -> None:
    """Set a title placeholder's text at the largest size that fits it, cut at a word if even the smallest does not.

    `box` is the placeholder's (width, height) when known: reading an inherited size looks it up in the layout.
    """
    text = " ".join(clean(text).split())
    width, height = box or (shape.width, shape.height)
    # The template's placeholders keep PowerPoint's default insets: 0.1 in at the sides, 0.05 in above and below.
    width, height = layout.points(width) - 14.4, layout.points(height) - 7.2
    size = layout.fitting_size(text, width, height, largest, smallest)
    shape.text_frame.word_wrap = True
    set_text(shape.text_frame, layout.shorten(text, width, height, size), size, True, DARK, align)


def message(slide: Slide, text: str, top=BODY_TOP) -> None:
    """A sentence where a section has nothing yet, saying what is missing."""
    text_box(slide, BODY_LEFT, top, BODY_WIDTH, Inches(1.2), [[Run(text, colour=MUTED)]], 18)


def fill(shape, colour: RGBColor, line: RGBColor | None = None) -> None:
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
    body = shape._element.find(P_TX_BODY)
    if body is not None and not "".join(body.itertext()):  # its empty paragraph, in the deck's language
        write_runs(_Frame(body), [[]], MINIMUM_SIZE)


# --- Figures, as the deck's language writes them -----------------------------------------------

PERIOD_BASIS = {
    "month": gettext_lazy("latest month"),
    "quarter": gettext_lazy("latest quarter"),
    "year": gettext_lazy("latest year"),
}


def _localized(text: str) -> str:
    """Swap calculations' "," and "." for the language's separators (Vietnamese: 12.396.445,5)."""
    decimal, thousands = formats.get_format("DECIMAL_SEPARATOR"), formats.get_format("THOUSAND_SEPARATOR")
    if (decimal, thousands) == (".", ","):
        return text
    return text.translate(str.maketrans({",": thousands, ".": decimal}))


def number(value, digits: int = 0) -> str:
    return _localized(calculations.format_number(value, digits))


def signed(value, digits: int = 0) -> str:
    return _localized(calculations.signed(value, digits))


def percent(fraction, digits: int = 1) -> str:
    """ "2.0%", and "2,0 %" in Vietnamese."""
    if fraction is None:
        return calculations.MISSING
    return _percent_sign(number(float(fraction) * 100, digits))


def _percent_sign(text: str) -> str:
    return pgettext("a percentage on a slide", "%(number)s%%") % {"number": text}


def points(change, digits: int = 1) -> str:
    """A change of a rate, in percentage points: "+0.3 pp"."""
    if change is None:
        return calculations.MISSING
    return _("%(change)s pp") % {"change": signed(change, digits)}


def date_text(day: date | None) -> str:
    """ "31 January 2026" in the deck's language, its month named by Django's translations."""
    if day is None:
        return calculations.MISSING
    # The format is translated: Vietnamese writes dates 31/01/2026. pgettext, so that a missing
    # translation falls back to the English format rather than to a string of letters.
    return formats.date_format(day, pgettext("date format on a slide (Django's date format letters)", "j F Y"))


def period_text(start: date, kind: str) -> str:
    """A period as a label: "Dec 2018", "Q4 2018", "2018", in the deck's language."""
    if kind == "month":
        return formats.date_format(start, pgettext("month format on a slide (Django's date format letters)", "M Y"))
    if kind == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": (start.month - 1) // 3 + 1, "year": start.year}
    return str(start.year)


@dataclass(frozen=True)
class KeyFigure:
    """A metric's key number as both decks show it: the latest reading, and what it is."""

    value: float | None
    text: str  # "12,396,445 visitors", "44.2"
    period: str  # "Dec 2018"
    basis: str  # "Dec 2018 · latest month"
    illustrative: bool


def metric_unit(metric) -> str:
    """The unit a figure is read in: NPS is a score, not a count of respondents."""
    if metric.kind == "nps":
        return ""
    return metric.unit


def figure_text(metric, value) -> str:
    """A metric's value as people read it: "12,396,445 visitors", "44.2", "46%"."""
    if value is None:
        return calculations.MISSING
    digits = 0 if metric.kind == "bucket" or float(value) == int(value) else 1
    if metric.kind == "nps":
        digits = 1
    text = number(value, digits)
    unit = metric_unit(metric)
    if not unit:
        return text
    return _percent_sign(text) if unit == "%" else f"{text} {unit}"


def key_figure(metric) -> KeyFigure:
    """The metric's latest reading, the stage's key number in every deck, and its basis.

    The latest reading rather than a yearly figure: it is what the team last measured. The
    comparison deck shows this figure for a stage, so "NPS 2018" reads the same in both decks.
    """
    latest = metric.latest
    if latest is None:
        return KeyFigure(None, calculations.MISSING, "", _("no readings yet"), metric.illustrative)
    value = metric.headline(latest)
    period = period_text(latest.period_start, metric.period)
    basis = f"{period} · {PERIOD_BASIS.get(metric.period, '')}".rstrip(" ·")
    return KeyFigure(
        None if value is None else float(value), figure_text(metric, value), period, basis, metric.illustrative
    )


def change_text(metric) -> str:
    """The latest change: a rate's in percentage points, others in the metric's own unit."""
    change = metric.latest_change
    if change is None:
        return calculations.MISSING
    if metric.kind == "rate" or metric.unit == "%":
        return points(change)
    return signed(change, 0 if metric.kind == "bucket" or change == int(change) else 1)


# --- The deck -----------------------------------------------------------------------------------


@cache
def _template(language: str) -> bytes:
    """python-pptx's default deck made 16:9, with the language's fonts and tag in its theme and master.

    Built once per language and kept as bytes: every deck starts from it, and no pass over the
    finished deck's XML is needed for the text python-pptx writes itself (chart axes, empty cells).
    """
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
    title.left, title.top, title.width, title.height = MARGIN, TITLE_TOP, BODY_WIDTH, TITLE_HEIGHT
    language = script_of(language)
    master = deck.slide_master
    theme = master.part.part_related_by("http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme")
    _theme_fonts(theme, language)
    for part in (master.part, *(item.part for item in deck.slide_layouts)):
        deck_language.apply_to(part._element, language, align=False)
    deck_language.apply_to(deck.part._element, language, align=False)
    output = BytesIO()
    deck.save(output)
    return output.getvalue()


def _theme_fonts(theme_part, language: Script) -> None:
    if not (language.latin_font or language.complex_font):
        return
    element = etree.fromstring(theme_part.blob)
    for font in element.iter(qn("a:majorFont"), qn("a:minorFont")):
        if language.latin_font:
            font.find(qn("a:latin")).set("typeface", language.latin_font)
        if language.complex_font:
            font.find(qn("a:cs")).set("typeface", language.complex_font)
    theme_part._blob = etree.tostring(element, xml_declaration=True, encoding="UTF-8", standalone=True)


def new_presentation(language: str | None = None) -> PresentationType:
    """A new 16:9 presentation from the language's template (the active language by default)."""
    presentation = Presentation(BytesIO(_template(language or translation.get_language() or "en")))
    _count_part_names(presentation.part.package)
    return presentation


def _count_part_names(package) -> None:
    """Number this package's new notes pages, charts and workbooks by counting, not by walking every part.

    python-pptx names each new part by collecting the names of all the package's parts, so a deck
    with many notes pages and charts pays for that walk again and again. The first name of a kind
    still comes from the walk; the next ones count on from it (python-pptx numbers them densely).
    Set on this one package object only.
    """
    walk = package.next_partname
    numbers: dict[str, int] = {}

    def next_partname(template: str) -> PackURI:
        if template in numbers:
            numbers[template] += 1
            return PackURI(template % numbers[template])
        name = walk(template)
        numbers[template] = int(re.findall(r"\d+", name)[-1])
        return name

    package.next_partname = next_partname


@dataclass
class Deck:
    presentation: PresentationType
    source: str  # the line under every slide: flywheel · audit · date
    appendix: list[Callable[[], None]] = field(default_factory=list)  # slides to add after the divider

    @property
    def slides(self):
        return self.presentation.slides

    def layout(self, name: str):
        return self.presentation.slide_layouts.get_by_name(name)

    def save(self) -> bytes:
        if self.appendix:
            divider = divider_slide(self, _("Appendix"), _("The long tables in full"))
            write_notes(divider, Notes(_("The rest of the long tables, for reading after the meeting.")))
            for add in self.appendix:
                add()
            self.appendix = []
        output = BytesIO()
        self.presentation.save(output)
        return output.getvalue()


def new_deck(source: str) -> Deck:
    return Deck(new_presentation(), clean(" ".join(source.split())))


def source_line(*parts: str) -> str:
    """ "HubSpot example · HubSpot flywheel audit · 6 December 2026": what, and when it was made."""
    return " · ".join(clip(part, 60) for part in (*parts, date_text(timezone.localdate())) if part)


def set_properties(presentation: PresentationType, title: str, subject: str, keywords: str) -> None:
    properties = presentation.core_properties
    properties.title = clean(title)[:255]
    properties.author = properties.last_modified_by = "Flywheel Audit"
    properties.subject = clean(subject)[:255]
    properties.keywords = keywords
    properties.language = script().tag
    properties.revision = 1
    properties.created = properties.modified = timezone.now().replace(tzinfo=None, microsecond=0)


@dataclass(frozen=True)
class Notes:
    """Talking points for the presenter: what the slide shows, and what to ask the room."""

    shows: str
    ask: tuple[str, ...] = ()


def write_notes(slide: Slide, notes: Notes | None) -> None:
    if notes is None:
        return
    lines = [notes.shows]
    if notes.ask:
        lines += ["", _("Ask:"), *(f"• {question}" for question in notes.ask)]
    set_text(slide.notes_slide.notes_text_frame, "\n".join(lines), NOTES_SIZE)


def footer(deck: Deck, slide: Slide) -> None:
    """The slide number and the source line, at the foot of every slide."""
    number = str(len(deck.presentation.slides))
    height, number_width = Inches(0.34), Inches(0.7)
    side = PP_ALIGN.RIGHT
    box = text_box(
        slide,
        SLIDE_WIDTH - MARGIN - number_width,
        FOOTER_TOP,
        number_width,
        height,
        [[Run(number, colour=MUTED)]],
        MINIMUM_SIZE,
        side,
    )
    box.name = "Slide number"
    width = BODY_WIDTH - number_width
    source = layout.shorten(deck.source, layout.points(width) - 2 * layout.CELL_MARGIN_X, 16, MINIMUM_SIZE)
    box = text_box(slide, MARGIN, FOOTER_TOP, width, height, [[Run(source, colour=MUTED)]], MINIMUM_SIZE)
    box.name = "Source"


def content_slide(
    deck: Deck,
    title: str,
    kicker: str = "",
    notes: Notes | None = None,
    illustrative: bool = False,
) -> Slide:
    """A slide with its message title, kicker, notes, number, source line and, if so, the illustrative mark."""
    slide = deck.presentation.slides.add_slide(deck.layout("Title Only"))
    # The layout's one placeholder is the title, where the template put it.
    fit_title(slide.shapes[0], title, TITLE_SIZE, 18, PP_ALIGN.LEFT, (BODY_WIDTH, TITLE_HEIGHT))
    mark_width = Inches(3.6) if illustrative else 0
    if kicker:
        box = text_box(
            slide,
            MARGIN,
            KICKER_TOP,
            BODY_WIDTH - mark_width,
            Inches(0.32),
            [[Run(clip(kicker, 90), True, MUTED)]],
            MINIMUM_SIZE,
        )
        box.name = "Kicker"
    if illustrative:
        box = text_box(
            slide,
            SLIDE_WIDTH - MARGIN - mark_width,
            KICKER_TOP,
            mark_width,
            Inches(0.32),
            [[Run(_("Illustrative figures, not measured"), True, ALERT)]],
            MINIMUM_SIZE,
            PP_ALIGN.RIGHT,
        )
        box.name = "Illustrative"
    write_notes(slide, notes)
    footer(deck, slide)
    return slide


def divider_slide(deck: Deck, title: str, subtitle: str = "") -> Slide:
    slide = deck.presentation.slides.add_slide(deck.layout("Title Only"))
    slide.shapes.title.top = Inches(2.8)
    fit_title(slide.shapes.title, title, 40, 24, PP_ALIGN.LEFT)
    if subtitle:
        text_box(slide, MARGIN, Inches(3.8), BODY_WIDTH, Inches(0.6), [[Run(subtitle, colour=MUTED)]], 18)
    footer(deck, slide)
    return slide


# --- Summary panels -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    heading: str
    items: list[list[Run]]
    empty: str  # what is missing when there are no items
    hidden: int = 0  # items left out before the panel, to count in its "+ N more"
    share: float = 1.0  # the most of the column's height it may take


def panel(slide: Slide, left, top, width, height, content: Panel) -> int:
    """Add the panel's heading and as many of its items as fit in the box; return the height used (EMU)."""
    heading, items, hidden = content.heading, content.items, content.hidden
    inner = layout.points(width) - 2 * layout.CELL_MARGIN_X
    room = layout.points(height) - 2 * layout.CELL_MARGIN_Y - 6  # a little air below the panel
    spacing = 4  # points after each paragraph
    used = layout.text_height(heading, inner, HEADING_SIZE) + spacing
    if not items:
        items = [[Run(content.empty, colour=MUTED)]]
    more_height = layout.text_height("+ 999", inner, TEXT_SIZE) + spacing
    shown = []
    for index, item in enumerate(items):
        needed = layout.text_height(plain(item), inner, TEXT_SIZE) + spacing
        last = index == len(items) - 1 and not hidden
        if used + needed + (0 if last else more_height) > room:
            break
        shown.append(item)
        used += needed
    hidden += len(items) - len(shown)
    if hidden:
        shown.append([Run(_("+ %(count)s more on the following slides") % {"count": hidden}, colour=MUTED)])
        used += more_height
    box = text_box(slide, left, top, width, height, [], TEXT_SIZE)
    box.name = clean(heading)[:100]
    frame = box.text_frame
    write_runs(frame, [[Run(heading, True, DARK)], *shown], TEXT_SIZE)
    frame.paragraphs[0].runs[0].font.size = Pt(HEADING_SIZE)
    for paragraph in frame.paragraphs:
        paragraph.space_after = Pt(spacing)
    box.height = Emu(min(int(height), round((used + 2 * layout.CELL_MARGIN_Y + 6) * layout.EMU_PER_POINT)))
    return box.height


# --- Tables that continue across slides ---------------------------------------------------------


@dataclass(frozen=True)
class Column:
    title: object  # a (lazy) string
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
    """Return the rows of each slide with their estimated heights (points), for a table `room` high.

    A row taller than a slide is split; the last slide is never left with a single row when the
    one before can spare some.
    """
    widths = [layout.points(width) for width in column_widths(columns)]
    header = layout.row_height([str(column.title) for column in columns], widths, TABLE_SIZE)
    fitted: list[TableRow] = []
    heights: list[float] = []
    for row in rows:
        cells = tuple(clean(cell) for cell in row.cells)
        height = layout.row_height(cells, widths, TABLE_SIZE)
        if header + height > room:
            for piece in layout.split_row(cells, widths, TABLE_SIZE, room - header):
                fitted.append(TableRow(piece, row.highlight))
                heights.append(layout.row_height(piece, widths, TABLE_SIZE))
        else:
            fitted.append(TableRow(cells, row.highlight))
            heights.append(height)
    pages = rebalance(layout.paginate(heights, room, header), heights, room, header)
    return [[(fitted[index], heights[index]) for index in page] for page in pages]


def rebalance(pages: list[list[int]], heights: list[float], room: float, header: float) -> list[list[int]]:
    """Move rows from the second-last slide to the last until it holds more than a leftover row or two."""
    if len(pages) < 2:
        return pages
    before, last = pages[-2], pages[-1]
    used = header + sum(heights[index] for index in last)
    while len(last) < max(2, len(before) // 3) and len(before) > 2:
        moved = before[-1]
        if used + heights[moved] > room:
            break
        before, last = before[:-1], [moved, *last]
        used += heights[moved]
    return [*pages[:-2], before, last]


def _emu(points: float) -> int:
    return math.ceil(points * layout.EMU_PER_POINT)


CELL_MARGINS = {
    "marL": str(Pt(layout.CELL_MARGIN_X)),
    "marR": str(Pt(layout.CELL_MARGIN_X)),
    "marT": str(Pt(layout.CELL_MARGIN_Y)),
    "marB": str(Pt(layout.CELL_MARGIN_Y)),
}
A_TC_PR, A_TR, A_TC = qn("a:tcPr"), qn("a:tr"), qn("a:tc")


def add_table(slide: Slide, columns: list[Column], page: list[tuple[TableRow, float]], top=BODY_TOP):
    """The page's rows as a native table under a header row; right to left in Persian.

    python-pptx makes the frame and the table's properties; the rows are written as one XML
    string and parsed at once, which costs a fraction of building a large table element by element.
    """
    widths = column_widths(columns)
    header = layout.row_height(
        [str(column.title) for column in columns], [layout.points(w) for w in widths], TABLE_SIZE
    )
    estimated = _emu(header) + sum(_emu(height) for _row, height in page)
    shape = slide.shapes.add_table(1, len(columns), BODY_LEFT, top, BODY_WIDTH, estimated)
    tbl = shape.table._tbl
    for column, width in zip(tbl.tblGrid.gridCol_lst, widths, strict=True):
        column.w = width
    if right_to_left():
        tbl.find(A_TBL_PR).set("rtl", "1")
    for old in tbl.findall(A_TR):
        tbl.remove(old)
    cells = _CellWriter(script())
    rows = [cells.row([str(column.title) for column in columns], True, WHITE, DARK)]
    rows += [cells.row(data.cells, False, None, OPEN_FILL if data.highlight else None) for data, _height in page]
    tbl.extend(etree.fromstring(f'<a:tbl xmlns:a="{A_NAMESPACE}">{"".join(rows)}</a:tbl>'))
    shape.height = estimated
    return shape


A_NAMESPACE = "http://schemas.openxmlformats.org/drawingml/2006/main"


class _CellWriter:
    """Table rows as DrawingML text: the same runs `write_runs` makes, with the cells' insets and fills."""

    def __init__(self, language: Script):
        size = str(round(TABLE_SIZE * 100))
        fonts = (f'<a:latin typeface="{language.latin_font}"/>' if language.latin_font else "") + (
            f'<a:cs typeface="{language.complex_font}"/>' if language.complex_font else ""
        )
        direction = ' algn="r" rtl="1"' if language.right_to_left else ""
        self.paragraph = (
            f'<a:p><a:pPr{direction}><a:defRPr lang="{language.tag}" sz="{size}">{fonts}</a:defRPr></a:pPr>'
        )
        self.run = f'<a:rPr lang="{language.tag}" sz="{size}" b="%s">%s{fonts}</a:rPr>'
        margins = " ".join(f'{name}="{value}"' for name, value in CELL_MARGINS.items())
        self.properties = f"<a:tcPr {margins}>%s</a:tcPr>"
        # A row's height is only its least: PowerPoint and LibreOffice grow it to fit its text. One
        # line lets rows take what they need, within the estimate the rows were paginated by.
        self.height = _emu(TABLE_SIZE * layout.LINE_HEIGHT + 2 * layout.CELL_MARGIN_Y)

    def row(self, texts, bold: bool, colour: RGBColor | None, fill_colour: RGBColor | None) -> str:
        colour_xml = f'<a:solidFill><a:srgbClr val="{colour}"/></a:solidFill>' if colour else ""
        run = self.run % ("1" if bold else "0", colour_xml)
        fill = self.properties % (f'<a:solidFill><a:srgbClr val="{fill_colour}"/></a:solidFill>' if fill_colour else "")
        cells = []
        for text in texts:
            paragraphs = "".join(
                self.paragraph + (f"<a:r>{run}<a:t>{escape(line)}</a:t></a:r>" if line else "") + "</a:p>"
                for line in text.split("\n")
            )
            cells.append(f"<a:tc><a:txBody><a:bodyPr/><a:lstStyle/>{paragraphs}</a:txBody>{fill}</a:tc>")
        return f'<a:tr h="{self.height}">{"".join(cells)}</a:tr>'


@dataclass(frozen=True)
class _Frame:
    """A text body as write_runs takes it, without python-pptx's proxy objects (a large table has thousands)."""

    _txBody: object


def table_slides(
    deck: Deck,
    titles: tuple[str, str],
    columns: list[Column],
    rows: list[TableRow],
    notes: Notes | None = None,
    illustrative: bool = False,
    appendix: bool = True,
    continued_notes: Notes | None = None,
) -> list[Slide]:
    """The table over as many slides as it needs, its header repeated; `notes` on the first slide,
    `continued_notes` (if any) on the others, in the appendix too.

    `titles` is (title, kicker). A table needing more than APPENDIX_AFTER slides keeps its first
    slide here, its kicker saying where the rest is, and continues in the appendix.
    """
    title, kicker = titles
    pages = table_pages(columns, rows, layout.points(BODY_BOTTOM - BODY_TOP))
    to_appendix = appendix and len(pages) > APPENDIX_AFTER
    first_kicker = kicker
    if to_appendix:
        first_kicker = _("%(kicker)s · first %(shown)s of %(total)s rows, the rest in the appendix") % {
            "kicker": kicker,
            "shown": len(pages[0]),
            "total": sum(len(page) for page in pages),
        }
    cont = _("(cont.)")
    made = []

    def add(page, first: bool) -> None:
        slide = content_slide(
            deck,
            title if first else f"{title} {cont}",
            first_kicker if first else kicker,
            notes if first else continued_notes,
            illustrative,
        )
        add_table(slide, columns, page)
        made.append(slide)

    for number, page in enumerate(pages):
        if to_appendix and number > 0:
            deck.appendix.append(lambda page=page: add(page, False))
        else:
            add(page, number == 0)
    return made


# --- Charts -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChartSpec:
    title: str
    categories: list[str]
    series: list[tuple[str, list]]
    number_format: str
    colour: RGBColor | None = None
    wide: bool = False  # takes a whole row of the grid
    value_title: str = ""  # the value axis: what is counted ("visitors", "% converted")
    category_title: str = ""  # the category axis: the periods ("Month")
    from_zero: bool = True  # totals and rates: an axis from zero does not exaggerate a change


C_TX_PR = qn("c:txPr")


def new_chart(slide: Slide, spec: ChartSpec, chart_type, left, top, width, height, legend=XL_LEGEND_POSITION.BOTTOM):
    """A native chart of `spec`: title, small legend, axis titles, gridlines, fonts (never below 12 pt).

    In a right-to-left deck the categories run from right to left and the value axis stands at the right.
    """
    data = CategoryChartData(number_format=spec.number_format)
    data.categories = [clean(label) for label in spec.categories]
    for name, values in spec.series:
        data.add_series(clean(name), values)
    graphic = slide.shapes.add_chart(chart_type, mirror(left, width), top, width, height, data)
    chart = graphic.chart
    chart.font.size = Pt(MINIMUM_SIZE)
    chart.has_title = True
    set_text(chart.chart_title.text_frame, spec.title, 14, True, DARK)
    chart.has_legend = len(spec.series) > 1
    if chart.has_legend:
        chart.legend.position = legend
        chart.legend.include_in_layout = True
        chart.legend.font.size = Pt(MINIMUM_SIZE)
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.tick_labels.number_format = spec.number_format
    axis.tick_labels.number_format_is_linked = False
    values = [value for _name, series in spec.series for value in series if value is not None]
    if spec.from_zero and values and min(values) >= 0:
        axis.minimum_scale = 0
    categories = chart.category_axis
    for which, title in ((axis, spec.value_title), (categories, spec.category_title)):
        if title:
            which.has_title = True
            set_text(which.axis_title.text_frame, title, MINIMUM_SIZE, False, MUTED)
    if right_to_left():
        categories.reverse_order = True
    deck_language.apply_to_chart(graphic.chart_part._element, script())
    return chart


def add_line_chart(slide: Slide, spec: ChartSpec, left, top, width, height):
    legend = XL_LEGEND_POSITION.BOTTOM
    chart = new_chart(slide, spec, XL_CHART_TYPE.LINE_MARKERS, left, top, width, height, legend)
    if spec.colour is not None:
        series = chart.plots[0].series[0]
        series.format.line.color.rgb = spec.colour
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = spec.colour
        series.marker.format.line.color.rgb = spec.colour
    return chart


def middle(frame) -> None:
    frame.vertical_anchor = MSO_ANCHOR.MIDDLE
