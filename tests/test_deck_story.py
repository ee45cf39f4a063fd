"""The audit deck tells its story: message titles, every key number, honest figures, native in vi and fa.

Every generated deck is reopened with python-pptx and read as a presenter would: the titles,
the summary, the footers, the notes, the charts and the tables.
"""

import math
import re
from datetime import date
from io import BytesIO

import pytest
from django.utils import translation
from lxml import etree
from pptx import Presentation

from audits.accounts.permissions import get_audit_for
from audits.content import sample
from audits.content.demo import load_demo
from audits.content.document import load
from audits.content.starting import start_audit
from audits.models import Audit, Metric, Stage, Vote
from audits.reports.exports import deck as deck_writer
from audits.reports.exports import deck_layout as layout
from audits.reports.exports import export, slides

from .factories import FrictionPointFactory, MetricFactory, ReadingFactory, UserFactory

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "vi", "fa")
# The UI's English labels that must not be left in a Vietnamese or Persian deck (all translated in
# both catalogs). User text is not checked: the demo's rows are HubSpot's English.
ENGLISH_LABELS = {
    "No",
    "Yes",
    "Attract",
    "Engage",
    "Delight",
    "Customers",
    "month",
    "Month",
    "Stage",
    "Metric",
    "Bucket",
    "Force",
    "Owner",
    "Question",
    "Answer",
    "Notes",
}
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
ENGLISH_DATES = re.compile(
    rf"\b(\d{{1,2}} ({MONTHS}) \d{{4}}|(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{{4}})\b"
)
C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def loaded(audit: Audit):
    return load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def demo_in(language: str):
    audit = load_demo()
    Audit.objects.filter(pk=audit.pk).update(language=language)
    return loaded(audit)


def open_deck(document):
    return Presentation(BytesIO(export(document, "pptx")))


class Decks(dict):
    """The demo's (document, deck) in a language, made when a test first asks for it."""

    def __missing__(self, language: str):
        if self:
            Audit.objects.all().delete()  # the demo is loaded afresh in each language
        document = demo_in(language)
        self[language] = (document, open_deck(document))
        return self[language]


@pytest.fixture
def decks():
    return Decks()


@pytest.fixture
def owner_document_of(owner):
    def make(audit):
        return load(get_audit_for(owner, audit.pk))

    return make


def named(slide, name: str) -> str:
    return next((shape.text_frame.text for shape in slide.shapes if shape.name == name), "")


def title_of(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def texts_of(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def content_slides(deck) -> list:
    return [slide for slide in deck.slides if named(slide, "Kicker")]


def runs_of(deck):
    """Every run of text on the slides: text boxes, placeholders, groups and table cells."""
    for slide in deck.slides:
        shapes = list(slide.shapes)
        while shapes:
            shape = shapes.pop()
            if shape.shape_type == 6:  # a group
                shapes += list(shape.shapes)
                continue
            frames = [cell.text_frame for row in shape.table.rows for cell in row.cells] if shape.has_table else []
            if shape.has_text_frame:
                frames.append(shape.text_frame)
            for frame in frames:
                for paragraph in frame.paragraphs:
                    for run in paragraph.runs:
                        yield slide, run


def body_rows(slide) -> list:
    return [row for shape in slide.shapes if shape.has_table for row in list(shape.table.rows)[1:]]


# --- Message titles and kickers ---------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_content_slide_title_is_a_message_with_a_figure(decks, language):
    _document, deck = decks[language]
    slides_with_kicker = content_slides(deck)
    assert len(slides_with_kicker) == len(deck.slides) - 1  # all but the title slide
    for slide in slides_with_kicker:
        title, kicker = title_of(slide), named(slide, "Kicker")
        assert re.search(r"\d", title), title
        assert title != kicker and not title.startswith(kicker), title


def test_the_friction_title_counts_how_each_source_was_settled(decks):
    _document, deck = decks["en"]
    titles = [title_of(slide) for slide in deck.slides]
    assert "7 friction sources, all settled: 2 by automation, 2 by a new goal, 3 by restructuring" in titles


def test_losing_most_momentum_is_judged_against_each_steps_own_average(decks):
    document, _deck = decks["en"]
    losing = deck_writer.losing_most(document)
    # Visitors → free users has the lowest rate (the top of the funnel) but is above its average.
    lowest = min(document.conversions, key=lambda conversion: conversion.latest)
    assert lowest.from_metric == "Website visitors" and lowest.latest > lowest.average
    assert (losing.conversion.from_metric, losing.conversion.to_metric) == (
        "Product-qualified leads (PQLs)",
        "Paying customers",
    )
    assert losing.points == pytest.approx((losing.latest - losing.average) * 100)


# --- Executive summary ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_summary_shows_every_stages_key_number_with_its_basis(decks, language):
    document, deck = decks[language]
    summary = deck.slides[1]
    text = texts_of(summary)
    with translation.override(language):
        for stage in document.stages:
            figure = slides.key_figure(stage.metric)
            assert f"{figure.text} ({figure.basis}" in text, stage.label
    panel = next(shape for shape in summary.shapes if shape.name == str(key_numbers_heading(language)))
    # The heading, then one line per stage: none left for "+2 more on the following slides".
    assert len(panel.text_frame.paragraphs) == 1 + len(document.stages)


def test_the_summary_lists_open_friction_first_and_actions_by_due_date(owner_document_of, audit):
    start_audit(audit)
    FrictionPointFactory(audit=audit, source="Settled late", automation="Billing runs", due_date=date(2026, 3, 1))
    FrictionPointFactory(audit=audit, source="Still open one", automation="No", new_goal="No", restructure="No")
    FrictionPointFactory(
        audit=audit, source="Settled soon", automation="Chat bot", owner="Ana", due_date=date(2026, 1, 5)
    )
    summary = open_deck(owner_document_of(audit)).slides[1]
    text = texts_of(summary)
    assert text.index("Still open one — open") < text.index("Settled late")
    assert text.index("Chat bot — Ana, due 5 January 2026") < text.index(
        "Billing runs — no owner yet, due 1 March 2026"
    )
    ask = named(summary, "The ask")
    assert ask.startswith("To decide: how to settle the 1 open friction source, and who owns it")
    assert "an owner for 1 action" in ask
    # The ask is the summary's last word: below every other text of the body.
    boxes = [shape for shape in summary.shapes if shape.has_text_frame and shape.name not in ("Source", "Slide number")]
    assert max(boxes, key=lambda shape: shape.top).name == "The ask"


def test_undated_actions_follow_the_dated_most_voted_first(owner_document_of, audit):
    start_audit(audit)
    FrictionPointFactory(audit=audit, source="Quiet", automation="Fix quiet")
    loud = FrictionPointFactory(audit=audit, source="Loud", automation="Fix loud")
    FrictionPointFactory(audit=audit, source="Dated", automation="Fix dated", due_date=date(2026, 6, 1))
    for _ in range(2):
        Vote.objects.create(audit=audit, user=UserFactory(), friction=loud)
    text = named(open_deck(owner_document_of(audit)).slides[1], "Top actions")
    assert text.index("Fix dated") < text.index("Fix loud") < text.index("Fix quiet")


def test_a_long_fix_is_shortened_at_a_word_outside_any_parenthesis():
    fix = "A marketing–sales service-level agreement that commits marketing to a revenue (or good-fit) target"
    short = slides.clip(fix, 75)
    assert short.endswith("…") and "(" not in short
    assert fix.startswith(short[:-1])
    assert slides.clip(fix, 200) == fix


def key_numbers_heading(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Key numbers")


# --- Honest figures ---------------------------------------------------------------------------


def test_illustrative_figures_are_marked_on_every_slide_that_shows_them(decks):
    _document, deck = decks["en"]
    marked = [named(slide, "Kicker") for slide in deck.slides if named(slide, "Illustrative")]
    assert marked == [
        "Executive summary",
        "The flywheel",
        "Exercise 1 — Metrics",
        "Exercise 1 — Metrics over time",
        "Exercise 1 — Metrics over time",
    ]
    assert named(deck.slides[1], "Illustrative") == "Illustrative figures, not measured"


def test_the_key_number_is_the_latest_reading_and_says_so(decks):
    document, _deck = decks["en"]
    nps = next(metric for metric in document.metrics if metric.kind == "nps")
    figure = slides.key_figure(nps)
    assert (figure.text, figure.basis) == ("44.2", "Dec 2018 · latest month")
    assert figure.value == pytest.approx(nps.latest.nps)


def test_a_rates_change_is_in_percentage_points_and_nps_is_a_score(owner_document_of, audit):
    rate = MetricFactory(audit=audit, stage=Stage.ENGAGE, name="Trial to paid", kind=Metric.Kind.RATE, unit="%")
    ReadingFactory(metric=rate, period_start=date(2025, 1, 1), value=20)
    ReadingFactory(metric=rate, period_start=date(2025, 2, 1), value=20.3)
    nps = MetricFactory(audit=audit, stage=Stage.DELIGHT, name="NPS", kind=Metric.Kind.NPS, unit="respondents")
    ReadingFactory(metric=nps, period_start=date(2025, 2, 1), promoters=6, passives=2, detractors=2)
    deck = open_deck(owner_document_of(audit))
    metrics = next(slide for slide in deck.slides if named(slide, "Kicker") == "Exercise 1 — Metrics")
    rows = [tuple(cell.text for cell in row.cells) for row in body_rows(metrics)]
    assert rows[0][3:5] == ("20.3% (Feb 2025)", "+0.3 pp")
    assert rows[1][3] == "40.0 (Feb 2025)" and "respondents" not in rows[1][5]
    # Rates are charted too, on an axis from zero.
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    trial = next(chart for chart in charts if chart.chart_title.text_frame.text == "Trial to paid")
    assert trial.value_axis.minimum_scale == 0


# --- Every slide: number, source, notes --------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_slide_has_its_number_and_the_source_line(decks, language):
    document, deck = decks[language]
    for number, slide in enumerate(deck.slides, start=1):
        assert named(slide, "Slide number") == str(number)
        assert document.header.flywheel_name in named(slide, "Source")
        assert document.header.title in named(slide, "Source")


def test_speaker_notes_are_said_once_per_section(decks):
    _document, deck = decks["en"]
    for slide in content_slides(deck):
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        if title_of(slide).endswith("(cont.)"):
            assert not notes
        else:
            assert notes.startswith(title_of(slide)) and "Ask:" in notes


# --- Large audits: rebalanced pages and the appendix -------------------------------------------


@pytest.fixture
def large(owner_document_of, flywheel):
    document = owner_document_of(sample.build_large_audit(flywheel, friction=120, forces=40, metrics=4, periods=12))
    return document, open_deck(document)


def test_no_table_slide_carries_a_single_leftover_row(large, decks):
    for _document, deck in [large, decks["en"]]:
        for slide in deck.slides:
            if title_of(slide).endswith("(cont.)"):
                assert len(body_rows(slide)) > 1, title_of(slide)


def test_rebalancing_moves_rows_to_a_lone_last_row():
    pages = slides.rebalance([[0, 1, 2, 3, 4], [5]], [10.0] * 6, room=100, header=10)
    assert pages == [[0, 1, 2, 3], [4, 5]]
    assert slides.rebalance([[0, 1, 2], [3, 4, 5]], [10.0] * 6, room=100, header=10) == [[0, 1, 2], [3, 4, 5]]


def test_a_large_audits_long_tables_continue_in_an_appendix_after_a_divider(large):
    document, deck = large
    titles = [title_of(slide) for slide in deck.slides]
    divider = titles.index("Appendix")
    friction = [slide for slide in deck.slides if named(slide, "Kicker").startswith("Exercise 3 — Friction")]
    first = friction[0]
    assert named(first, "Kicker").startswith("Exercise 3 — Friction · first ")
    assert named(first, "Kicker").endswith(" of 120 rows, the rest in the appendix")
    assert list(deck.slides).index(first) < divider
    assert all(list(deck.slides).index(slide) > divider for slide in friction[1:])
    assert sum(len(body_rows(slide)) for slide in friction) == 120
    # The main part ends with the actions, before the divider.
    assert named(deck.slides[divider - 1], "Kicker").startswith("Action items")


# --- Charts -----------------------------------------------------------------------------------


def test_charts_have_axis_titles_small_legends_and_totals_from_zero(decks):
    document, deck = decks["en"]
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 1 + len(document.metrics)
    for chart in charts:
        assert chart.value_axis.has_title and chart.category_axis.has_title
        assert chart.category_axis.axis_title.text_frame.text == "Month"
        if chart.has_legend:
            assert chart.legend.font.size.pt == 12
        assert chart.chart_title.text_frame.text not in [title_of(slide) for slide in deck.slides]
    totals = [chart for chart in charts if chart.value_axis.tick_labels.number_format == "#,##0"]
    assert totals and all(chart.value_axis.minimum_scale == 0 for chart in totals)
    assert "visitors" in [chart.value_axis.axis_title.text_frame.text for chart in totals]


# --- Vietnamese and Persian ---------------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "fa"])
def test_no_english_label_month_or_date_is_left_in_a_vietnamese_or_persian_deck(decks, language):
    _document, deck = decks[language]
    for slide, run in runs_of(deck):
        assert run.text.strip() not in ENGLISH_LABELS, (title_of(slide), run.text)
        assert not ENGLISH_DATES.search(run.text), (title_of(slide), run.text)
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                categories = list(shape.chart.plots[0].categories)
                assert categories and not any(ENGLISH_DATES.search(label) for label in categories)
                assert shape.chart.category_axis.axis_title.text_frame.text != "Month"
    metrics = next(slide for slide in deck.slides if named(slide, "Slide number") == "5")
    units = [list(row.cells)[-1].text for row in body_rows(metrics)]
    assert units and not any("month" in unit for unit in units)


def test_vietnamese_numbers_use_a_dot_for_thousands_and_a_comma_for_decimals(decks):
    _document, deck = decks["vi"]
    text = "\n".join(run.text for _slide, run in runs_of(deck))
    assert "12.396.445" in text and "12,396,445" not in text
    assert "27,1" in text and "27.1%" not in text


def test_a_persian_deck_reads_right_to_left(decks):
    _document, deck = decks["fa"]
    summary = deck.slides[1]
    text = texts_of(summary)
    # The arrows point the way Persian reads: from the earlier value (on the right) to the later,
    # held there by right-to-left marks even between two left-to-right names.
    assert "Product-qualified leads (PQLs) \u200f←\u200f Paying customers" in text
    assert "→" not in "\n".join(run.text for _slide, run in runs_of(deck))
    # The stage callouts' colour bars stand on the right, where the text starts.
    flywheel = deck.slides[2]
    bars = [shape for shape in flywheel.shapes if shape.shape_type == 1 and shape.width < 200000]
    assert len(bars) == 3
    callouts = [shape for shape in flywheel.shapes if shape.has_text_frame and shape.name.startswith("TextBox")]
    for bar in bars:
        beside = [box for box in callouts if abs(box.top - bar.top) < 1000]
        assert beside and all(bar.left >= box.left + box.width - 200000 for box in beside)
    # Chart categories run from right to left.
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                orientation = shape.chart._chartSpace.find(".//c:catAx/c:scaling/c:orientation", C)
                assert orientation.get("val") == "maxMin"


def test_an_english_decks_charts_run_left_to_right(decks):
    _document, deck = decks["en"]
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_chart:
                orientation = shape.chart._chartSpace.find(".//c:catAx/c:scaling/c:orientation", C)
                assert orientation is None or orientation.get("val") == "minMax"
                assert etree.tostring(shape.chart._chartSpace).count(b'rtl="1"') == 0


# --- The flywheel's labels ------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_stage_label_lies_inside_its_ring_segment(decks, language):
    _document, deck = decks[language]
    groups = [shape for shape in deck.slides[2].shapes if shape.name.startswith("Segment ")]
    assert len(groups) == 3
    for group in groups:
        arc, label = list(group.shapes)[:2]
        assert label.name.startswith("Label ")
        cx, cy = arc.left + arc.width / 2, arc.top + arc.height / 2
        outer = deck_writer.RING_RADIUS
        inner = outer - deck_writer.RING_THICKNESS
        # The label's corners, turned with it about its centre, stay within the ring.
        lx, ly = label.left + label.width / 2, label.top + label.height / 2
        angle = math.radians(label.rotation)
        for dx, dy in ((-1, -1), (1, -1), (1, 1), (-1, 1)):
            x, y = dx * label.width / 2, dy * label.height / 2
            px = lx + x * math.cos(angle) - y * math.sin(angle)
            py = ly + x * math.sin(angle) + y * math.cos(angle)
            assert inner <= math.hypot(px - cx, py - cy) <= outer, (language, label.name)
        # And its text fits the label on one line at the size it is set in.
        run = label.text_frame.paragraphs[0].runs[0]
        inner_width = layout.points(label.width) - 2 * layout.CELL_MARGIN_X
        assert layout.text_width(run.text, run.font.size.pt) <= inner_width, (language, run.text)
        assert run.font.size.pt >= 12
