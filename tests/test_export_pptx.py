from datetime import date
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Pt

from audits.accounts.permissions import get_audit_for
from audits.content import guidance, sample
from audits.content.demo import DEMO_USERNAME, load_demo
from audits.content.document import load
from audits.content.starting import start_audit
from audits.models import Audit, Stage, Vote
from audits.reports.exports import deck as audit_deck
from audits.reports.exports import deck_layout as layout
from audits.reports.exports import slides

from .factories import AuditFactory, ForceFactory, FrictionPointFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# Each slide's kicker (the exercise) and its message title, computed from the demo's figures.
DEMO_SLIDES = [
    ("", "HubSpot flywheel audit"),
    (
        "Executive summary",
        "Product-qualified leads (PQLs) → Paying customers loses most momentum: 27.1% in Dec 2018, "
        "−0.7 pp on its average",
    ),
    ("The flywheel", "No open friction at any stage; 17 forces keep the wheel turning"),
    ("Exercise 1 — Go-to-market strategy", "3 of 3 stages have a go-to-market approach mapped"),
    (
        "Exercise 1 — Metrics",
        "5 metrics tracked; Product-qualified leads (PQLs) moved most: +560 to 12,060 leads in Dec 2018",
    ),
    (
        "Exercise 1 — Metrics over time",
        "Product-qualified leads (PQLs) → Paying customers went from 28.4% in Jan 2018 to 27.1% in Dec 2018",
    ),
    (
        "Exercise 1 — Metrics over time",
        "Product-qualified leads (PQLs): 9,550 leads in Jan 2018 → 12,060 leads in Dec 2018",
    ),
    ("Exercise 2 — Forces: Marketing", "Marketing: 6 of 6 forces changed, 0 changes planned"),
    ("Exercise 2 — Forces: Sales", "Sales: 4 of 4 forces changed, 0 changes planned"),
    ("Exercise 2 — Forces: Service", "Service: 7 of 7 forces changed, 0 changes planned"),
    (
        "Exercise 3 — Friction",
        "7 friction sources, all settled: 2 by automation, 2 by a new goal, 3 by restructuring",
    ),
    (
        "Exercise 3 — Friction",
        "7 friction sources, all settled: 2 by automation, 2 by a new goal, 3 by restructuring (cont.)",
    ),
    ("Exercise 3 — Self-assessment", "3 of 3 restructuring questions answered yes"),
    ("Action items", "7 actions: 0 with an owner, 0 with a due date"),
]
# Text a user may type: markup, emoji, line breaks, Persian (right to left) and Vietnamese.
AWKWARD = (
    "<script>alert('x')</script> & \"quotes\"\nSecond line 🚀👩‍👩‍👧\n"
    "سلام، اصطکاک در تحویل\nTiếng Việt: Người dùng đã hủy"
)


def document_of(audit: Audit, user=None):
    """Return the audit's document, fetched the way the views fetch it."""
    if user is None:
        user = get_user_model().objects.get(username=DEMO_USERNAME)
    return load(get_audit_for(user, audit.pk))


def deck_of(document):
    return Presentation(BytesIO(audit_deck.write(document)))


# The demo's document and its deck are only read here: made once for the module (tests/conftest.py).
@pytest.fixture(scope="module")
def demo(module_transaction):
    return document_of(load_demo())


@pytest.fixture(scope="module")
def demo_deck(demo):
    return deck_of(demo)


@pytest.fixture
def owner_document(owner):
    """Return a function giving the document of one of `owner`'s audits."""

    def make(audit):
        return document_of(audit, owner)

    return make


def title_of(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def kicker_of(slide) -> str:
    """The small label above a slide's title: the exercise (the title itself is the slide's message)."""
    return next((shape.text_frame.text for shape in slide.shapes if shape.name == "Kicker"), "")


def slides_titled(deck, kicker: str) -> list:
    """The slides of one section, by their kicker; a long table's first says where the rest went."""
    return [
        slide for slide in deck.slides if kicker_of(slide) in (kicker,) or kicker_of(slide).startswith(f"{kicker} · ")
    ]


def tables_of(slide) -> list:
    return [shape.table for shape in slide.shapes if shape.has_table]


def rows_of(table) -> list[tuple[str, ...]]:
    return [tuple(cell.text for cell in row.cells) for row in table.rows]


def body_rows(deck, title: str) -> list[tuple[str, ...]]:
    """Return the rows of a table continued over slides, without the header each slide repeats."""
    return [row for slide in slides_titled(deck, title) for table in tables_of(slide) for row in rows_of(table)[1:]]


def notes_of(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def runs_in(shape):
    frames = [cell.text_frame for row in shape.table.rows for cell in row.cells] if shape.has_table else []
    if shape.has_text_frame:
        frames.append(shape.text_frame)
    return [run for frame in frames for paragraph in frame.paragraphs for run in paragraph.runs]


# --- The deck -------------------------------------------------------------------------------------


def test_it_makes_a_16_9_deck(demo_deck):
    assert (demo_deck.slide_width, demo_deck.slide_height) == (12192000, 6858000)
    assert demo_deck.slide_width / demo_deck.slide_height == pytest.approx(16 / 9, abs=0.001)


def test_it_has_these_slides_for_the_demo(demo_deck):
    assert [(kicker_of(slide), title_of(slide)) for slide in demo_deck.slides] == DEMO_SLIDES


def test_it_sets_the_core_properties(demo_deck):
    properties = demo_deck.core_properties
    assert properties.title == "HubSpot example — HubSpot flywheel audit"
    assert properties.author == "Flywheel Audit"
    assert properties.last_modified_by == "Flywheel Audit"


def test_it_puts_the_header_on_the_title_slide(demo_deck):
    slide = demo_deck.slides[0]
    subtitle = slide.placeholders[1].text
    assert title_of(slide) == "HubSpot flywheel audit"
    assert "HubSpot example" in subtitle
    assert "Demo organization" in subtitle
    assert "2018" in subtitle


def test_the_title_slide_shows_the_workshop_date(owner_document, audit):
    audit.workshop_date = date(2025, 11, 14)
    audit.save()
    deck = deck_of(owner_document(audit))
    assert "Workshop of 14 November 2025" in deck.slides[0].placeholders[1].text


@pytest.mark.parametrize("kind", ["demo", "large", "empty", "awkward"])
def test_every_shape_lies_inside_its_slide(kind, owner_document, flywheel):
    if kind == "demo":
        document = document_of(load_demo())
    elif kind == "large":
        document = owner_document(sample.build_large_audit(flywheel))
    else:
        audit = AuditFactory(flywheel=flywheel)
        start_audit(audit)
        if kind == "awkward":
            FrictionPointFactory(audit=audit, source=AWKWARD * 30, automation="No", new_goal=AWKWARD * 20)
        document = owner_document(audit)
    deck = deck_of(document)
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number} ({title_of(slide)}), {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= deck.slide_width, where
            assert shape.top + shape.height <= deck.slide_height, where


def test_no_text_is_smaller_than_12_points(demo_deck):
    for slide in demo_deck.slides:
        for shape in slide.shapes:
            for run in runs_in(shape):
                if shape.has_table:
                    assert run.font.size is not None, run.text
                if run.font.size is not None:
                    assert run.font.size >= Pt(12), (title_of(slide), run.text)


def test_table_text_is_12_to_14_points(demo_deck):
    sizes = {
        run.font.size
        for slide in demo_deck.slides
        for shape in slide.shapes
        if shape.has_table
        for run in runs_in(shape)
    }
    assert sizes and all(Pt(12) <= size <= Pt(14) for size in sizes)


# --- Executive summary and the flywheel -----------------------------------------------------------


def test_the_summary_gives_key_numbers_conversions_friction_and_actions(demo_deck):
    text = "\n".join(shape.text_frame.text for shape in demo_deck.slides[1].shapes if shape.has_text_frame)
    assert "Website visitors: 12,396,445 visitors (Dec 2018 · latest month, +329,333)" in text
    # Judged against each step's own average, not by the lowest rate (always the top of the funnel).
    assert "Website visitors → Free users: 2.0% latest, 1.9% on average\n" in text
    assert "Product-qualified leads (PQLs) → Paying customers: 27.1% latest, 27.8% on average — loses most" in text
    assert "7 friction sources, all settled: 2 by automation, 2 by a new goal, 3 by restructuring." in text
    assert "→ by automation: Free products" in text
    assert "Top actions" in text
    assert "no owner yet" in text


def test_the_summary_flags_open_friction(owner_document, audit):
    start_audit(audit)
    FrictionPointFactory(audit=audit, source="Invoices sent by hand", automation="No", new_goal="No", restructure="No")
    slide = deck_of(owner_document(audit)).slides[1]
    text = "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
    assert "Invoices sent by hand — open" in text


def test_the_flywheel_is_drawn_with_native_shapes(demo_deck):
    slide = demo_deck.slides[2]
    groups = [shape for shape in slide.shapes if shape.name.startswith("Segment ")]
    assert [group.name for group in groups] == ["Segment Attract", "Segment Engage", "Segment Delight"]
    # Each segment is grouped with its label and its direction chevron.
    arcs = [shape for group in groups for shape in group.shapes if shape.name.startswith("Stage ")]
    assert [[shape.name for shape in group.shapes][1] for group in groups] == [
        "Label Attract",
        "Label Engage",
        "Label Delight",
    ]
    assert [arc.name for arc in arcs] == ["Stage Attract", "Stage Engage", "Stage Delight"]
    assert [str(arc.fill.fore_color.rgb) for arc in arcs] == ["E0663A", "2F7DD1", "2E9E6B"]
    # Attract starts just after twelve o'clock (270° from three o'clock): the value given is degrees × 0.6.
    assert arcs[0].adjustments[0] == pytest.approx(272 * 0.6, abs=0.001)
    assert arcs[0].adjustments[1] == pytest.approx(28 * 0.6, abs=0.001)
    texts = [shape.text_frame.text for shape in slide.shapes if shape.has_text_frame]
    assert "Customers" in texts
    callout = next(text for text in texts if text.startswith("Delight\n"))
    assert "Promoters (Net Promoter Score) — 44.2 (Dec 2018 · latest month)" in callout
    assert "Open friction: 0" in callout
    assert "Forces: 10" in callout


# --- Tables ---------------------------------------------------------------------------------------


def test_the_strategy_table_holds_the_document_text(demo, demo_deck):
    (table,) = tables_of(slides_titled(demo_deck, "Exercise 1 — Go-to-market strategy")[0])
    assert rows_of(table)[0] == ("Stage", "Inbound principle", "Approach")
    assert rows_of(table)[1:] == [(row.stage_label, row.principle, row.approach) for row in demo.strategies]


def test_the_metrics_table_shows_latest_values_and_changes(demo_deck):
    rows = body_rows(demo_deck, "Exercise 1 — Metrics")
    assert rows[0] == (
        "Attract",
        "Website visitors",
        "Bucket",
        "12,396,445 visitors (Dec 2018)",
        "+329,333",
        "visitors / month",
    )
    # NPS is a score: no "respondents / month".
    assert rows[-1][2:] == ("NPS", "44.2 (Dec 2018)", "+1.1", "score, −100 to 100 / month")


def test_the_friction_table_has_the_fixes_and_the_nos(demo, demo_deck):
    rows = body_rows(demo_deck, "Exercise 3 — Friction")
    assert rows == [(row.source, *row.summary_cells) for row in demo.friction]
    assert rows[4] == (
        "The chat support team gets sales questions and the chat sales team gets support questions",
        "No",
        "No",
        "Merged the two teams so customers reach the right person faster",
    )
    assert rows[0][2:] == ("", "")  # settled by automation: nothing after the fix


def test_open_friction_rows_are_marked_and_filled(owner_document, audit):
    start_audit(audit)
    FrictionPointFactory(
        audit=audit, source="Nobody owns renewals", automation="No", new_goal="No", restructure="No", position=0
    )
    FrictionPointFactory(audit=audit, source="Slow invoices", automation="Billing runs", position=1)
    deck = deck_of(owner_document(audit))
    (table,) = tables_of(slides_titled(deck, "Exercise 3 — Friction")[0])
    assert rows_of(table)[1:] == [
        ("Nobody owns renewals (open)", "No", "No", "No"),
        ("Slow invoices", "Billing runs", "", ""),
    ]
    assert str(table.cell(1, 0).fill.fore_color.rgb) == str(slides.OPEN_FILL)


def test_each_team_gets_its_forces_table(demo, demo_deck):
    for team in demo.teams:
        rows = body_rows(demo_deck, f"Exercise 2 — Forces: {team.name}")
        assert rows == [(force.name, f"{force.before}\n→ {force.now}", "", "") for force in team.forces]


def test_the_self_assessment_and_actions_are_listed(demo, demo_deck):
    assessment = body_rows(demo_deck, "Exercise 3 — Self-assessment")
    assert assessment == [(row.question_label, "Yes", row.notes) for row in demo.self_assessment]
    actions = body_rows(demo_deck, "Action items")
    assert actions == [(f"Friction: {item.what}", item.fix, "—", "—") for item in demo.action_items]


def test_actions_show_owners_and_due_dates(owner_document, audit):
    start_audit(audit)
    FrictionPointFactory(
        audit=audit, source="Slow invoices", automation="Billing runs", owner="Ana", due_date=date(2026, 1, 31)
    )
    ForceFactory(team=TeamFactory(audit=audit), name="Live chat", planned_change="Chat at night", owner="Bao")
    rows = body_rows(deck_of(owner_document(audit)), "Action items")
    assert rows == [
        ("Friction: Slow invoices", "Billing runs", "Ana", "31 January 2026"),
        ("Force: Live chat", "Chat at night", "Bao", "—"),
    ]


def test_user_text_survives_into_cells_exactly(owner_document, audit):
    start_audit(audit)
    strategy = audit.strategies.get(stage=Stage.ENGAGE)
    strategy.approach = AWKWARD
    strategy.save()
    FrictionPointFactory(audit=audit, source=AWKWARD, automation="No", new_goal=AWKWARD)
    ForceFactory(team=audit.teams.first(), name=AWKWARD, before="", now=AWKWARD, owner="Dariush ✓")
    deck = deck_of(owner_document(audit))
    assert body_rows(deck, "Exercise 1 — Go-to-market strategy")[1][2] == AWKWARD
    assert body_rows(deck, "Exercise 3 — Friction") == [(AWKWARD, "No", AWKWARD, "")]
    assert body_rows(deck, "Exercise 2 — Forces: Marketing") == [(AWKWARD, f"→ {AWKWARD}", "", "Dariush ✓")]


def test_control_characters_are_dropped(owner_document, audit):
    start_audit(audit)
    FrictionPointFactory(audit=audit, source="Bell\x07 and\r\nbreak")
    rows = body_rows(deck_of(owner_document(audit)), "Exercise 3 — Friction")
    assert rows[0][0] == "Bell and\nbreak (open)"


# --- Charts ---------------------------------------------------------------------------------------


def charts_of(deck) -> list:
    return [shape.chart for slide in deck.slides for shape in slide.shapes if shape.has_chart]


def test_metrics_are_charted_natively(demo, demo_deck):
    charts = {chart.chart_title.text_frame.text: chart for chart in charts_of(demo_deck)}
    for metric in demo.metrics:
        chart = charts[metric.name]
        assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
        assert list(chart.plots[0].categories) == [reading.label for reading in metric.readings]
        assert list(chart.series[0].values) == pytest.approx([float(value) for value in metric.headline_values])


def test_conversions_are_charted_as_percentages(demo, demo_deck):
    chart = next(
        chart
        for chart in charts_of(demo_deck)
        if chart.chart_title.text_frame.text == "Conversion rate from one stage to the next"
    )
    assert chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
    assert [series.name for series in chart.series] == [conversion.label for conversion in demo.conversions]
    for series, conversion in zip(chart.series, demo.conversions, strict=True):
        assert list(series.values) == pytest.approx(conversion.rates_values)
    assert chart.value_axis.tick_labels.number_format == "0.0%"


def test_charts_fill_a_2_by_2_grid_with_the_conversions_across_a_row():
    small = slides.ChartSpec("Bucket", ["Jan"], [("Bucket", [1])], "0")
    wide = slides.ChartSpec("Conversions", ["Jan"], [("A → B", [0.5])], "0%", wide=True)
    pages = audit_deck.chart_pages([wide, small, small, small, wide, small, small, wide])
    # A wide chart starts a row: after one small chart it moves down; where no row is left, to a new slide.
    assert [[cell for _spec, cell in page] for page in pages] == [[0, 2, 3], [0, 2], [0, 1, 2]]


# --- Speaker notes --------------------------------------------------------------------------------


def test_speaker_notes_are_talking_points_on_each_sections_first_slide(demo_deck):
    for slide in list(demo_deck.slides)[1:]:
        notes = notes_of(slide)
        if title_of(slide).endswith("(cont.)"):
            assert notes == "", title_of(slide)  # said once, on the section's first slide
            continue
        assert notes.startswith(title_of(slide)), title_of(slide)  # what the slide shows
        assert "Ask:\n• " in notes  # and what to ask the room
    # Not the workshop's own prompts.
    step = guidance.step("identify")
    assert all(str(step.intro) not in notes_of(slide) for slide in demo_deck.slides)


# --- Large and empty audits -----------------------------------------------------------------------


@pytest.fixture
def large_deck(owner_document, flywheel):
    document = owner_document(sample.build_large_audit(flywheel, friction=300, forces=150))
    return document, deck_of(document)


def estimated_height(table) -> float:
    """Return the table's height as the writer estimated it, in points, from what the file holds."""
    widths = [layout.points(column.width) for column in table.columns]
    size = table.cell(0, 0).text_frame.paragraphs[0].runs[0].font.size.pt
    return sum(layout.row_height(row, widths, size) for row in rows_of(table))


def test_a_large_audit_continues_its_tables_on_more_slides(large_deck):
    document, deck = large_deck
    friction_slides = slides_titled(deck, "Exercise 3 — Friction")
    assert len(friction_slides) > 5
    title = title_of(friction_slides[0])
    assert [title_of(slide) for slide in friction_slides[1:]] == [f"{title} (cont.)"] * (len(friction_slides) - 1)
    for slide in friction_slides:
        (table,) = tables_of(slide)
        assert rows_of(table)[0] == tuple(str(column.title) for column in audit_deck.FRICTION_COLUMNS)
    assert len(body_rows(deck, "Exercise 3 — Friction")) == 300
    assert sum(len(body_rows(deck, f"Exercise 2 — Forces: {team.name}")) for team in document.teams) == 150


def test_every_table_fits_its_slide_by_the_estimate(large_deck):
    _document, deck = large_deck
    bottom = layout.points(slides.BODY_BOTTOM)
    tables = 0
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.has_table:
                tables += 1
                assert layout.points(shape.top) + estimated_height(shape.table) <= bottom + 0.5, title_of(slide)
    assert tables > 40


def test_a_row_too_long_for_one_slide_is_split_across_slides(owner_document, audit):
    start_audit(audit)
    source = " ".join(f"word{number}" for number in range(400))
    FrictionPointFactory(audit=audit, source=source, automation="No", new_goal="No", restructure="Reorganize")
    deck = deck_of(owner_document(audit))
    rows = body_rows(deck, "Exercise 3 — Friction")
    assert len(rows) > 1
    assert " ".join(row[0] for row in rows).split() == source.split()
    assert "".join(row[3] for row in rows) == "Reorganize"


def test_an_empty_audit_says_what_is_missing(owner_document, audit):
    start_audit(audit)
    deck = deck_of(owner_document(audit))
    texts = "\n".join(shape.text_frame.text for slide in deck.slides for shape in slide.shapes if shape.has_text_frame)
    for missing in (
        "No strategy mapped yet",
        "No metrics yet",
        "No forces listed yet. Teams: Marketing, Sales, Service.",
        "No friction identified yet.",
        "No actions yet",
        "No conversions yet",
    ):
        assert missing in texts
    assert not charts_of(deck)
    assert [kicker_of(slide) for slide in deck.slides][2:] == [
        "The flywheel",
        "Exercise 1 — Go-to-market strategy",
        "Exercise 1 — Metrics",
        "Exercise 2 — Forces",
        "Exercise 3 — Friction",
        "Exercise 3 — Self-assessment",
        "Action items",
    ]


def test_an_audit_with_no_rows_at_all_exports(owner_document, audit):
    deck = deck_of(owner_document(audit))
    assert "The self-assessment questions are not answered yet." in [
        shape.text_frame.text for shape in slides_titled(deck, "Exercise 3 — Self-assessment")[0].shapes
    ]


# --- Estimating text (pure functions) -------------------------------------------------------------


def test_wrapping_keeps_every_character():
    text = "A sentence long enough to wrap over several lines.\nA second paragraph, and averyveryverylongwordindeed."
    lines = layout.wrap(text, 60, 12)
    assert len(lines) > 4
    assert "".join(line.text + ("\n" if line.ends_paragraph else "") for line in lines)[:-1] == text


def test_wide_characters_take_a_full_em():
    assert layout.text_width("ab", 10) == 10
    assert layout.text_width("🚀界", 10) == 20


def test_a_row_is_as_tall_as_its_tallest_cell():
    short, tall = layout.cell_height("x", 100, 12), layout.cell_height("word " * 40, 100, 12)
    assert layout.row_height(["x", "word " * 40], [100, 100], 12) == tall > short


def test_rows_are_packed_until_the_room_is_used():
    assert layout.paginate([30, 30, 30, 30, 30], room=100, header=20) == [[0, 1], [2, 3], [4]]
    assert layout.paginate([500, 10], room=100, header=20) == [[0], [1]]
    assert layout.paginate([], room=100, header=20) == []


def test_shortening_cuts_at_a_word():
    text = "one two three four five six seven eight nine ten " * 5
    short = layout.shorten(text, 100, 30, 12)
    assert short.endswith("…")
    assert layout.text_height(short, 100, 12) <= 30
    assert text.startswith(short[:-1].rstrip())


# --- Dot votes ------------------------------------------------------------------------------------


def vote(row, times: int) -> None:
    """`times` participants each put a dot on a friction row or a force."""
    field = "force" if hasattr(row, "team_id") else "friction"
    for _ in range(times):
        Vote.objects.create(audit=row.audit, user=UserFactory(), **{field: row})


def test_the_friction_table_lists_the_most_voted_first_with_its_votes(owner_document, audit):
    start_audit(audit)
    first, second, third = (FrictionPointFactory(audit=audit, source=name) for name in ("Slow", "Lost", "Late"))
    vote(second, 3)
    vote(third, 1)
    deck = deck_of(owner_document(audit))
    title = "Exercise 3 — Friction, by votes"
    assert rows_of(tables_of(slides_titled(deck, title)[0])[0])[0][:2] == ("Votes", "Source of friction")
    assert [(row[0], row[1]) for row in body_rows(deck, title)] == [
        ("3", "Lost (open)"),
        ("1", "Late (open)"),
        ("0", "Slow (open)"),
    ]


def test_a_forces_table_gets_votes_only_where_its_team_voted(owner_document, audit):
    voted, quiet = TeamFactory(audit=audit, name="Sales"), TeamFactory(audit=audit, name="Service")
    calls, demos = ForceFactory(team=voted, name="Calls"), ForceFactory(team=voted, name="Demos")
    ForceFactory(team=quiet, name="Tickets")
    vote(demos, 2)
    deck = deck_of(owner_document(audit))
    assert body_rows(deck, "Exercise 2 — Forces: Sales") == [("2", "Demos", "", "", ""), ("0", "Calls", "", "", "")]
    assert body_rows(deck, "Exercise 2 — Forces: Service") == [("Tickets", "", "", "")]
    assert calls.votes.count() == 0


def test_a_deck_without_votes_has_no_votes_column(demo_deck):
    assert "Exercise 3 — Friction, by votes" not in [kicker_of(slide) for slide in demo_deck.slides]
    assert all("Votes" not in rows_of(table)[0] for slide in demo_deck.slides for table in tables_of(slide))
