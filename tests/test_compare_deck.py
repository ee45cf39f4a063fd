"""The comparison deck as a CEO gets it: the demo's audits of 2018 and 2019 in English, Vietnamese and Persian."""

import re
from dataclasses import replace
from io import BytesIO

import pytest
from django.utils import translation
from pptx import Presentation

from audits.content.demo import load_demo
from audits.content.document import Stage, load
from audits.models import ActionReview, Audit
from audits.reports.exports import compare_for_export, export, export_comparison, slides

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "vi", "fa"]
# Words of the deck's own English labels; none may be left in a Vietnamese or Persian deck.
ENGLISH_WORDS = [
    "Better",
    "Worse",
    "Same",
    "Metric",
    "Change",
    "Direction",
    "Resolved",
    "Still open",
    "Open",
    "New",
    "Done",
    "Partly",
    "Dropped",
    "Source",
    "Forces",
    "Friction",
    "Conversion",
    "actions",
    "latest",
    "month",
    "points",
    "pp",
    "No",
    "Dec",
    "cont.",
    "Step",
    "Whole year",
    "Settled by",
    "Automation",
    "Restructuring",
]
A_PPR = "{http://schemas.openxmlformats.org/drawingml/2006/main}pPr"


# The demo's two documents and each language's deck are only read here: made once for the module
# (tests/conftest.py's module_transaction), a deck once per language.
@pytest.fixture(scope="module")
def demo_documents(module_transaction):
    first = load_demo()
    audits = (first, Audit.objects.get(carried_from=first))
    return tuple(load(Audit.objects.select_related("flywheel__organization").get(pk=a.pk)) for a in audits)


def in_language(document, language: str):
    return replace(document, header=replace(document.header, language=language))


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request) -> str:
    return request.param


@pytest.fixture(scope="module")
def deck(demo_documents, language):
    before, after = (in_language(document, language) for document in demo_documents)
    return Presentation(BytesIO(export_comparison(compare_for_export(before, after), "pptx")))


def title_of(slide) -> str:
    return slide.shapes.title.text_frame.text if slide.shapes.title is not None else ""


def named(slide, name: str) -> list:
    return [shape for shape in slide.shapes if shape.name == name]


def kicker_of(slide) -> str:
    return "".join(shape.text_frame.text for shape in named(slide, "Kicker"))


def text_of(slide) -> str:
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    texts += [cell.text for shape in slide.shapes if shape.has_table for row in shape.table.rows for cell in row.cells]
    return "\n".join(texts)


def chart_text(chart) -> list[str]:
    texts = [str(category) for category in chart.plots[0].categories] + [series.name for series in chart.series]
    for axis in (chart.category_axis, chart.value_axis):
        if axis.has_title:
            texts.append(axis.axis_title.text_frame.text)
    if chart.has_title:
        texts.append(chart.chart_title.text_frame.text)
    return texts


def user_texts(documents) -> list[str]:
    """Everything people typed into the two audits (the demo's content is English in every language)."""
    texts = []
    for document in documents:
        header = document.header
        texts += [header.title, header.flywheel_name, header.organization_name]
        texts += [text for metric in document.metrics for text in (metric.name, metric.unit)]
        texts += [text for row in document.strategies for text in (row.principle, row.approach)]
        for team in document.teams:
            texts.append(team.name)
            texts += [text for force in team.forces for text in (force.name, force.before, force.now, force.target)]
        texts += [text for row in document.friction for text in (row.source, row.fix, row.teams, row.owner)]
        texts += [text for row in document.action_reviews for text in (row.what, row.fix, row.owner, row.note)]
    return sorted({text for text in texts if text}, key=len, reverse=True)


def english_left(text: str, documents) -> list[str]:
    for typed in user_texts(documents):
        text = text.replace(typed, " ")
    return [word for word in ENGLISH_WORDS if re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", text)]


# --- The story ----------------------------------------------------------------------------------


def test_every_content_slide_has_a_message_title_with_a_figure_under_its_kicker(deck):
    for number, slide in enumerate(list(deck.slides)[1:], start=2):
        assert kicker_of(slide), number
        assert re.search(r"\d", title_of(slide)), (number, title_of(slide))
        assert title_of(slide) != kicker_of(slide), number


def test_it_says_how_many_of_last_years_actions_were_done(demo_documents):
    before, after = demo_documents
    statuses = [review.status for review in after.action_reviews]
    done, partly = statuses.count(ActionReview.Status.DONE), statuses.count(ActionReview.Status.PARTLY)
    assert (done, partly, len(statuses)) == (6, 1, 7)  # the demo's 2019 review of 2018's actions
    deck = Presentation(BytesIO(export_comparison(compare_for_export(before, after), "pptx")))
    fact = f"{done} of {len(statuses)} actions from 2018 done, {partly} partly"
    assert title_of(deck.slides[1]).startswith(fact)  # the summary leads with it
    (actions,) = [slide for slide in deck.slides if kicker_of(slide) == "Last year's actions"][:1]
    assert title_of(actions) == fact
    tables = [
        shape.table
        for slide in deck.slides
        if kicker_of(slide) == "Last year's actions"
        for shape in slide.shapes
        if shape.has_table
    ]
    rows = [
        {header.text: cell.text for header, cell in zip(table.rows[0].cells, row.cells, strict=True)}
        for table in tables
        for row in list(table.rows)[1:]
    ]
    assert [row["Status"] for row in rows] == [ActionReview.Status(status).label for status in statuses]
    assert "Owner" not in rows[0]  # no action has an owner: no column of dashes


def test_every_slide_has_talking_points_a_number_and_the_source_line(deck, demo_documents):
    flywheel = demo_documents[1].header.flywheel_name
    for number, slide in enumerate(deck.slides, start=1):
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), number
        (box,) = named(slide, "Slide number")
        assert box.text_frame.text == str(number)
        (source,) = named(slide, "Source")
        assert flywheel in source.text_frame.text, number


def test_a_first_slide_of_a_section_has_its_own_talking_points_and_a_continued_one_does_not_repeat_them(deck):
    pages = list(deck.slides)
    for previous, slide in zip(pages, pages[1:], strict=False):
        if kicker_of(slide) and kicker_of(slide) == kicker_of(previous):
            notes = slide.notes_slide.notes_text_frame.text
            assert notes != previous.notes_slide.notes_text_frame.text


def test_every_chart_has_axis_titles_and_bars_from_zero(deck):
    charts = [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 7  # five metrics, the conversions, the fix mix
    for chart in charts:
        assert chart.category_axis.has_title and chart.value_axis.has_title
        assert chart.value_axis.axis_title.text_frame.text.strip()
        assert chart.value_axis.minimum_scale == 0
        assert len(chart.series) <= 2  # a small legend: the two years at most


def test_no_table_ends_on_a_slide_with_one_leftover_row(deck):
    pages = list(deck.slides)
    for previous, slide in zip(pages, pages[1:], strict=False):
        if title_of(slide).endswith(")") and kicker_of(slide) == kicker_of(previous):
            rows = sum(len(shape.table.rows) - 1 for shape in slide.shapes if shape.has_table)
            assert rows != 1, title_of(slide)


# --- Honest figures: one key number per stage in both decks --------------------------------------


def test_the_audit_decks_and_the_comparison_deck_agree_on_each_stages_key_number(demo_documents):
    before, after = demo_documents
    comparison_deck = Presentation(BytesIO(export_comparison(compare_for_export(before, after), "pptx")))
    summary = text_of(comparison_deck.slides[1])
    audit_summaries = [
        text_of(Presentation(BytesIO(export(document, "pptx"))).slides[1]) for document in demo_documents
    ]
    with translation.override("en"):
        for stage in Stage.values:
            old, new = (next(m for m in document.metrics if m.stage == stage) for document in demo_documents)
            old_figure, new_figure = slides.key_figure(old), slides.key_figure(new)
            assert old_figure.text in audit_summaries[0] and new_figure.text in audit_summaries[1]
            assert f"{old_figure.text} → {new_figure.text} ({old_figure.basis} → {new_figure.period})" in summary
    nps = slides.key_figure(before.metrics[-1])
    assert nps.text == "44.2" and nps.basis == "Dec 2018 · latest month"  # not the year's 41.0
    assert "respondents" not in summary


# --- Native in Vietnamese and Persian ------------------------------------------------------------


@pytest.mark.parametrize("language", ["vi", "fa"], indirect=True, scope="module")
def test_no_english_label_is_left(deck, demo_documents, language):
    for number, slide in enumerate(deck.slides, start=1):
        texts = [title_of(slide), text_of(slide), slide.notes_slide.notes_text_frame.text]
        texts += [text for shape in slide.shapes if shape.has_chart for text in chart_text(shape.chart)]
        assert english_left("\n".join(texts), demo_documents) == [], (number, title_of(slide))


@pytest.mark.parametrize("language", ["vi"], indirect=True, scope="module")
def test_vietnamese_numbers_group_with_dots_and_decimals_with_commas(deck, language):
    text = "\n".join(text_of(slide) for slide in deck.slides)
    assert "12.396.445" in text and "12,396,445" not in text
    assert re.search(r"\b1,9\s?%", text)  # visitors → free users, 1.9% in English


@pytest.mark.parametrize("language", ["fa"], indirect=True, scope="module")
def test_persian_reads_right_to_left(deck, language):
    for slide in deck.slides:
        for shape in slide.shapes:
            frames = [shape.text_frame] if shape.has_text_frame else []
            frames += [cell.text_frame for row in shape.table.rows for cell in row.cells] if shape.has_table else []
            for frame in frames:
                for paragraph in frame.paragraphs:
                    if paragraph.text:
                        assert paragraph._p.find(A_PPR).get("rtl") == "1", paragraph.text
            if shape.has_table:
                assert shape.table._tbl.tblPr.get("rtl") == "1"
            if shape.has_chart:
                assert shape.chart.category_axis.reverse_order
    text = "\n".join(text_of(slide) for slide in deck.slides)
    assert "→" not in text  # arrows point the way Persian reads: from the old value on the right
    years = deck.slides[0].placeholders[1].text_frame.paragraphs[0].text
    assert years == "2018 \u200f←\u200f 2019"  # the old value first, where reading starts
    bands = sorted((shape for shape in deck.slides[0].shapes if shape.shape_type == 1), key=lambda s: s.left)
    assert str(bands[-1].fill.fore_color.rgb) == str(slides.STAGE_COLOURS["attract"])  # the first stage on the right
    summary = deck.slides[1]
    kicker = named(summary, "Kicker")[0]
    assert kicker.left + kicker.width == slides.SLIDE_WIDTH - slides.MARGIN


def test_a_large_comparisons_appendix_has_talking_points_on_every_slide(flywheel):
    from audits.content.sample import build_large_audit

    before = build_large_audit(flywheel, friction=120, forces=10, teams=2, metrics=2, periods=3, title="2025")
    after = build_large_audit(flywheel, friction=160, forces=10, teams=2, metrics=2, periods=3, title="2026")
    documents = [load(Audit.objects.select_related("flywheel__organization").get(pk=a.pk)) for a in (before, after)]
    deck = Presentation(BytesIO(export_comparison(compare_for_export(*documents), "pptx")))
    kickers = [kicker_of(slide) for slide in deck.slides]
    assert any("the rest in the appendix" in kicker for kicker in kickers), kickers
    for number, slide in enumerate(deck.slides, start=1):
        assert slide.has_notes_slide and slide.notes_slide.notes_text_frame.text.strip(), number
