"""The comparison exports (deck, workbook, JSON), their view and command; the audit deck's carried-forward fields."""

import json
from dataclasses import replace
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from openpyxl.chart import BarChart
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.util import Pt

from audits.content import calculations, sample
from audits.content.carry import carry_forward
from audits.content.demo import DEMO_USERNAME
from audits.content.document import load
from audits.management.commands.compare_audits import Command
from audits.models import ActionReview, Audit, Force, Membership
from audits.reports import comparison
from audits.reports.exports import (
    CONTENT_TYPES,
    comparison_deck,
    comparison_file_name,
    comparison_workbook,
    export_comparison,
    slides,
)
from audits.reports.exports import deck as audit_deck
from audits.reports.exports import deck_layout as layout

from .factories import AuditFactory, FlywheelFactory, MembershipFactory

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://evil","x")', "=cmd|' /C calc'!A0", "@SUM(1)", "+1+1", "-2", "\t=1"]
AWKWARD = '<b>Tags</b> & "quotes"\nSecond line 🚀 سلام، اصطکاک — Tiếng Việt có dấu'


def loaded(audit: Audit):
    return load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


@pytest.fixture
def demo_documents(demo_audits):
    return tuple(loaded(audit) for audit in demo_audits)


@pytest.fixture
def result(demo_documents):
    return comparison.compare(*demo_documents)


@pytest.fixture
def deck(result):
    return Presentation(BytesIO(comparison_deck.write(result)))


@pytest.fixture
def book(result):
    return load_workbook(BytesIO(comparison_workbook.write(result)))


# --- Reading a deck back --------------------------------------------------------------------------


def title_of(slide) -> str:
    return slide.shapes.title.text if slide.shapes.title is not None else ""


def kicker_of(slide) -> str:
    """The small label above a message title: the section the slide belongs to."""
    return next((shape.text_frame.text for shape in slide.shapes if shape.name == "Kicker"), "")


def in_section(slide, name: str) -> bool:
    """Whether the slide is of the section `name`: by its kicker ("Friction · first 10 of 200 rows, …" too),
    or by its title for a slide without a kicker."""
    kicker = kicker_of(slide)
    return kicker == name or kicker.startswith(f"{name} · ") or title_of(slide) in (name, f"{name} (cont.)")


def slides_titled(deck, title: str) -> list:
    """The slides of a section, its "(cont.)" slides and those in the appendix included."""
    return [slide for slide in deck.slides if in_section(slide, title)]


def section_index(deck, name: str) -> int:
    return next(index for index, slide in enumerate(deck.slides) if in_section(slide, name))


def body_rows(deck, title: str) -> list[tuple[str, ...]]:
    """The rows of a table continued over slides, without the header each slide repeats."""
    return [
        tuple(cell.text for cell in row.cells)
        for slide in slides_titled(deck, title)
        for shape in slide.shapes
        if shape.has_table
        for row in list(shape.table.rows)[1:]
    ]


def charts_of(slide) -> list:
    return [shape.chart for shape in slide.shapes if shape.has_chart]


def text_of(slide) -> str:
    return "\n".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)


def notes_of(slide) -> str:
    return slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""


def runs_in(shape):
    frames = [cell.text_frame for row in shape.table.rows for cell in row.cells] if shape.has_table else []
    if shape.has_text_frame:
        frames.append(shape.text_frame)
    return [run for frame in frames for paragraph in frame.paragraphs for run in paragraph.runs]


# --- The comparison deck --------------------------------------------------------------------------


def test_the_deck_is_16_9_with_these_sections_for_the_demo(deck):
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    assert title_of(deck.slides[0]) == "HubSpot example"
    sections = [kicker_of(slide).split(" · ")[0] for slide in list(deck.slides)[1:]]
    assert list(dict.fromkeys(sections)) == [
        "What changed from 2018 to 2019",
        "Last year's actions",
        "Metrics: 2018 vs 2019",
        "Key metrics: 2018 and 2019",
        "Conversion between stages",
        "Forces",
        "Friction",
        "How friction was settled",
    ]
    assert deck.core_properties.title == "HubSpot example — 2018 → 2019"


def test_the_title_slide_names_the_flywheel_and_the_years(deck):
    subtitle = deck.slides[0].placeholders[1].text
    assert subtitle.splitlines()[:3] == [
        "2018 → 2019",
        "Before: HubSpot flywheel audit",
        "After: HubSpot flywheel audit 2019",
    ]
    assert "different flywheels" not in subtitle


def test_the_summary_says_what_got_better_and_worse_in_words(deck, result):
    text = text_of(slides_titled(deck, "What changed from 2018 to 2019")[0])
    assert "Got better" in text and "Got worse" in text
    visitors = result.metrics[0]
    assert visitors.direction == comparison.BETTER
    before, after = (calculations.format_number(value) for value in (visitors.before, visitors.after))
    change = f"+{calculations.format_number(visitors.absolute)}"
    assert f"Website visitors: {before} visitors → {after} visitors (Dec 2018 · latest month → Dec 2019)" in text
    assert f"Website visitors: {change} (+" in text
    assert f"Friction resolved: {len(result.friction.resolved)}" in text
    better, worse = text.split("Got worse")
    for change in result.conversions:
        label = f"{change.from_metric} → {change.to_metric}:"
        if change.direction == comparison.BETTER:
            assert label in better
        elif change.direction == comparison.WORSE:
            assert label in worse
        else:  # the same, to the hundredth of a point: listed as no change
            assert label not in text and f"{change.from_metric} → {change.to_metric}" in text


def test_the_metrics_table_holds_the_key_numbers_with_their_basis(deck, result):
    rows = body_rows(deck, "Metrics: 2018 vs 2019")
    assert rows == [comparison_deck.metric_cells(change, result) for change in result.metrics]
    visitors = result.metrics[0]
    relative = calculations.format_number(visitors.relative * 100, 1)
    assert rows[0] == (
        "Website visitors",
        f"{calculations.format_number(visitors.before)} visitors\nDec 2018 · latest month",
        f"{calculations.format_number(visitors.after)} visitors\nDec 2019 · latest month",
        f"+{calculations.format_number(visitors.absolute)} (+{relative}%)",
        "Better",
    )
    nps = result.nps
    assert rows[-1][0] == nps.name
    year_before, year_after = nps.before_figure.year_value, nps.after_figure.year_value
    assert rows[-1][1:4] == (
        f"{calculations.format_number(nps.before, 1)}\nDec 2018 · latest month\n"
        f"Whole year: {calculations.format_number(year_before, 1)}",
        f"{calculations.format_number(nps.after, 1)}\nDec 2019 · latest month\n"
        f"Whole year: {calculations.format_number(year_after, 1)}",
        f"+{calculations.format_number(nps.absolute, 1)} points",
    )
    first = slides_titled(deck, "Metrics: 2018 vs 2019")[0]
    header = next(shape.table for shape in first.shapes if shape.has_table)
    assert [cell.text for cell in header.rows[0].cells] == ["Metric", "2018", "2019", "Change", "Direction"]
    assert "Website visitors: total at the end of 2018 vs total at the end of 2019" in notes_of(first)


def test_each_compared_metric_gets_a_native_before_and_after_chart(deck, result):
    charts = [chart for slide in slides_titled(deck, "Key metrics: 2018 and 2019") for chart in charts_of(slide)]
    assert len(charts) == len(result.metrics)
    for chart, change in zip(charts, result.metrics, strict=True):
        assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
        assert chart.chart_title.text_frame.text == change.name
        assert tuple(chart.plots[0].categories) == ("Dec 2018", "Dec 2019")
        (series,) = chart.series
        assert series.values == pytest.approx((change.before, change.after))
        assert chart.value_axis.minimum_scale == 0
        assert chart.category_axis.axis_title.text_frame.text == "Latest reading of each year"
    assert charts[0].value_axis.axis_title.text_frame.text == "visitors"
    assert charts[-1].value_axis.axis_title.text_frame.text == "NPS (−100 to +100)"  # not "respondents"


def test_the_conversions_are_tabled_and_charted_in_percent(deck, result):
    rows = body_rows(deck, "Conversion between stages")
    assert [row[0] for row in rows] == [f"{c.from_metric} → {c.to_metric}" for c in result.conversions]
    first = result.conversions[0]
    assert rows[0][1:4] == (
        calculations.percent(first.before),
        calculations.percent(first.after),
        calculations.signed(first.points, 2) + " pp",
    )
    (slide,) = slides_titled(deck, "Conversion between stages")
    (chart,) = charts_of(slide)
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert [series.name for series in chart.series] == ["2018", "2019"]
    assert chart.series[0].values == pytest.approx([c.before for c in result.conversions])
    assert chart.series[1].values == pytest.approx([c.after for c in result.conversions])
    assert chart.plots[0].data_labels.number_format == "0.0%"
    assert chart.category_axis.axis_title.text_frame.text == "Step"


def test_the_forces_table_lists_each_teams_changes_and_folds_what_stayed(deck, result):
    rows = body_rows(deck, "Forces")
    expected = [row.cells for team in result.teams for row in comparison_deck.team_rows(team)]
    assert rows == expected
    for team in result.teams:
        for change in team.changed:
            (row,) = [row for row in rows if row[0] == f"{team.name}: {change.name}"]
            fields = (str(comparison_deck.FORCE_LABELS[name]).lower() for name in change.changed_fields)
            assert row[1] == "Changed: " + ", ".join(fields)
            if "now" in change.changed_fields:
                assert f"Now: {change.before_row.now}" in row[2]
                assert f"Now: {change.after_row.now}" in row[3]
        unchanged = [row for row in rows if row[0] == team.name and row[1].startswith("Unchanged")]
        assert len(unchanged) == (1 if team.unchanged else 0)


def test_the_friction_table_lists_every_row_by_what_became_of_it(deck, result):
    rows = body_rows(deck, "Friction")
    groups = [(group, change) for group in comparison.FRICTION_GROUPS for change in getattr(result.friction, group)]
    assert [(row[0], row[1]) for row in rows] == [
        (change.source, str(comparison.FRICTION_GROUPS[group])) for group, change in groups
    ]
    resolved = result.friction.resolved[0]
    assert rows[0][2] == f"By automation: {resolved.before_row.fix}"
    assert rows[0][3] == "—"
    assert [row[1] for row in rows if row[3] == "Open"] == ["New"]


def test_the_fix_mix_is_a_native_clustered_chart_per_year(deck, result):
    (slide,) = slides_titled(deck, "How friction was settled")
    (chart,) = charts_of(slide)
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    assert tuple(chart.plots[0].categories) == ("Automation", "New goal", "Restructuring", "Open")
    for series, mix, year in zip(chart.series, result.fix_mix, ("2018", "2019"), strict=True):
        assert series.name == year
        assert series.values == (mix.automation, mix.new_goal, mix.restructure, mix.open)
    assert "2018: 7 sources, 7 settled, 0 open" in text_of(slide)
    assert title_of(slide) == "2019: 1 of 2 sources settled, 1 open (2018: 7 of 7)"


def test_an_unchanged_strategy_is_a_line_of_the_summary_and_a_changed_one_is_tabled(deck, demo_documents):
    assert not slides_titled(deck, "Go-to-market strategy")
    summary = text_of(slides_titled(deck, "What changed from 2018 to 2019")[0])
    assert "The strategy is the same in both audits" in summary
    before, after = demo_documents
    strategies = (replace(after.strategies[0], approach="Podcasts"), *after.strategies[1:])
    changed = Presentation(
        BytesIO(comparison_deck.write(comparison.compare(before, replace(after, strategies=strategies))))
    )
    (slide,) = slides_titled(changed, "Go-to-market strategy")
    assert title_of(slide) == "Strategy changed at 1 of 3 stages: Attract"
    rows = body_rows(changed, "Go-to-market strategy")
    assert [row[3] for row in rows] == ["Approach", "Same", "Same"]
    assert rows[0][2].endswith("Approach: Podcasts")


def granularity_comparison(before, after):
    """The demo with 2019's first metric read quarterly: each year's latest reading is compared."""
    metrics = (replace(after.metrics[0], period="quarter"), *after.metrics[1:])
    return comparison.compare(before, replace(after, metrics=metrics))


def test_notes_appear_where_a_granularity_note_applies(demo_documents):
    result = granularity_comparison(*demo_documents)
    (note,) = [change.note for change in result.metrics if change.note]
    deck = Presentation(BytesIO(comparison_deck.write(result)))
    assert note in body_rows(deck, "Metrics: 2018 vs 2019")[0][0]
    summary = text_of(slides_titled(deck, "What changed from 2018 to 2019")[0])
    assert "Read with care" in summary and note in summary


def test_the_title_and_summary_warn_about_different_flywheels(demo_documents):
    before, after = demo_documents
    other = replace(after.header, flywheel_id=None, flywheel_name="Enterprise")
    result = comparison.compare(before, replace(after, header=other))
    deck = Presentation(BytesIO(comparison_deck.write(result)))
    assert title_of(deck.slides[0]) == "HubSpot example / Enterprise"
    assert "Warning: these audits are of different flywheels." in deck.slides[0].placeholders[1].text
    assert "These audits are of different flywheels" in text_of(deck.slides[1])


@pytest.fixture
def large_result(flywheel):
    audit = sample.build_large_audit(flywheel, friction=200, forces=120, periods=12, year=2024)
    Force.objects.filter(audit=audit).update(planned_change=AWKWARD * 3)
    return comparison.compare(loaded(audit), loaded(carry_forward(audit)))


@pytest.fixture
def empty_result(flywheel):
    first, second = AuditFactory(flywheel=flywheel, period_year=2024), AuditFactory(flywheel=flywheel)
    return comparison.compare(loaded(first), loaded(second))


@pytest.mark.parametrize("kind", ["demo", "large", "empty"])
def test_every_shape_lies_inside_its_slide_and_no_text_is_under_12_points(kind, request):
    result = request.getfixturevalue({"demo": "result", "large": "large_result", "empty": "empty_result"}[kind])
    deck = Presentation(BytesIO(comparison_deck.write(result)))
    bottom = layout.points(slides.BODY_BOTTOM)
    for number, slide in enumerate(deck.slides, start=1):
        for shape in slide.shapes:
            where = f"slide {number} ({title_of(slide)}), {shape.name}"
            assert shape.left >= 0 and shape.top >= 0, where
            assert shape.left + shape.width <= deck.slide_width, where
            assert shape.top + shape.height <= deck.slide_height, where
            for run in runs_in(shape):
                assert run.font.size is None or run.font.size >= Pt(12), (where, run.text)
            if shape.has_table:
                widths = [layout.points(column.width) for column in shape.table.columns]
                rows = [tuple(cell.text for cell in row.cells) for row in shape.table.rows]
                height = sum(layout.row_height(row, widths, slides.TABLE_SIZE) for row in rows)
                assert layout.points(shape.top) + height <= bottom + 0.5, where
            if shape.has_chart:
                assert shape.chart.font.size == Pt(12), where


def test_a_large_comparison_continues_its_tables_with_every_row(large_result):
    deck = Presentation(BytesIO(comparison_deck.write(large_result)))
    rows = body_rows(deck, "Friction")
    assert len(slides_titled(deck, "Friction")) > 3
    assert len(rows) == sum(len(getattr(large_result.friction, group)) for group in comparison.FRICTION_GROUPS)
    forces = body_rows(deck, "Forces")
    assert len(forces) == sum(len(comparison_deck.team_rows(team)) for team in large_result.teams)
    for slide in slides_titled(deck, "Friction")[1:]:
        assert title_of(slide).endswith("(cont.)")


def test_two_empty_audits_say_what_is_missing_on_the_summary(empty_result):
    deck = Presentation(BytesIO(comparison_deck.write(empty_result)))
    assert len(deck.slides) == 2  # the title and the summary: no slide says only that nothing is there
    text = text_of(deck.slides[1])
    assert "Neither audit has metrics to compare." in text
    assert "Neither audit lists sources of friction." in text
    assert "Nothing compared got better." in text


# --- The audit deck: last year's plans and the action review of a carried-forward audit ------------


@pytest.fixture
def carried(demo_audits):
    """2018 carried forward again, with two forces planned in 2018 and reviews of last year's actions."""
    first, _ = demo_audits
    Force.objects.filter(audit=first, name__in=["Lead rotation", "Live chat"]).update(planned_change="Route by size")
    # The demo's own 2019 goes to the trash: a flywheel has one audit a year, never two.
    Audit.objects.filter(carried_from=first).update(deleted_at=timezone.now())
    audit = carry_forward(first)
    reviews = list(audit.action_reviews.order_by("position"))
    reviews[0].status, reviews[0].note = ActionReview.Status.NOT_DONE, "No budget"
    reviews[1].status = ActionReview.Status.DONE
    ActionReview.objects.bulk_update(reviews[:2], ["status", "note"])
    return loaded(audit)


def test_the_audit_deck_shows_what_was_planned_last_year(carried):
    deck = Presentation(BytesIO(audit_deck.write(carried)))
    sales = body_rows(deck, "Exercise 2 — Forces: Sales")
    (lead_rotation,) = [row for row in sales if row[0] == "Lead rotation"]
    assert lead_rotation[1].endswith("\nPlanned last year: Route by size")
    assert not any("Planned last year" in row[1] for row in sales if row[0] != "Lead rotation")


def test_the_audit_deck_has_an_action_review_slide_for_a_carried_forward_audit(carried, demo_documents):
    deck = Presentation(BytesIO(audit_deck.write(carried)))
    title = "Action review: last audit's action items"
    rows = body_rows(deck, title)
    assert rows == [audit_deck.review_cells(review) for review in carried.action_reviews]
    assert rows[0][3:] == ("Not done", "No budget")
    assert rows[1][3] == "Done"
    assert rows[2][3] == "Not reviewed yet"
    assert {row[0].split(":")[0] for row in rows} == {"Friction", "Force"}
    assert section_index(deck, title) == section_index(deck, "The flywheel") + 1
    assert not slides_titled(Presentation(BytesIO(audit_deck.write(demo_documents[0]))), title)


# --- The comparison workbook ----------------------------------------------------------------------


def block(worksheet, title: str) -> list[dict]:
    """The rows of the Comparison sheet's block under `title`, as {header: cell}, up to the blank row."""
    start = next(row[0].row for row in worksheet.iter_rows() if row[0].value == title)
    header = [cell.value for cell in worksheet[start + 1]]
    rows = []
    for cells in worksheet.iter_rows(min_row=start + 2):
        if all(cell.value is None for cell in cells):
            break
        rows.append({title: cell for title, cell in zip(header, cells, strict=False) if title})
    return rows


def test_the_workbook_has_these_sheets(book):
    assert book.sheetnames == ["Comparison", "Forces changes", "Friction changes", "Strategy changes"]
    assert book["Comparison"]["A1"].value == "HubSpot example: 2018 → 2019"


def computed(cell) -> float | None:
    """What a spreadsheet computes for one of the Comparison sheet's change formulas, from the row's two figures."""
    first, second = (cell.parent[f"{column}{cell.row}"].value for column in "BC")
    formulas = {
        f"=C{cell.row}-B{cell.row}": lambda: second - first,
        f"=(C{cell.row}-B{cell.row})*100": lambda: (second - first) * 100,
        f'=IF(B{cell.row}=0,"",(C{cell.row}-B{cell.row})/ABS(B{cell.row}))': lambda: (second - first) / abs(first),
    }
    assert cell.data_type == "f" and cell.value in formulas, (cell.coordinate, cell.value)
    return formulas[cell.value]()


def test_the_comparison_sheet_holds_the_metrics_with_number_formats(book, result):
    rows = block(book["Comparison"], "Metrics")
    assert [row["Metric"].value for row in rows] == [change.name for change in result.metrics]
    for row, change in zip(rows, result.metrics, strict=True):
        assert row["2018"].value == pytest.approx(change.before)
        assert row["2019"].value == pytest.approx(change.after)
        assert computed(row["Change"]) == pytest.approx(change.absolute)
        assert computed(row["Change %"]) == pytest.approx(change.relative)
        assert row["Direction"].value == "Better"
        assert row["How compared"].value == change.basis
        assert row["Change %"].number_format == "+0.0%;-0.0%;0.0%"
    visitors, nps = rows[0], rows[-1]
    assert (visitors["Stage"].value, visitors["Unit"].value) == ("Attract", "visitors")
    assert (visitors["2018"].number_format, visitors["Change"].number_format) == ("#,##0", "+#,##0;-#,##0;0")
    assert (nps["2019"].number_format, nps["Change"].number_format) == ("0.0", "+0.0;-0.0;0.0")


def test_the_comparison_sheet_holds_conversions_in_percentage_points_and_the_fix_mix(book, result):
    rows = block(book["Comparison"], "Conversion between stages")
    for row, change in zip(rows, result.conversions, strict=True):
        assert row["Conversion"].value == f"{change.from_metric} → {change.to_metric}"
        assert row["2018"].value == pytest.approx(change.before)
        assert row["2018"].number_format == "0.0%"
        assert computed(row["Change (pp)"]) == pytest.approx(change.points)
        assert row["Change (pp)"].number_format == '+0.00" pp";-0.00" pp";0.00" pp"'
        assert row["Direction"].value == comparison_workbook.DIRECTIONS[change.direction]
    mix = block(book["Comparison"], "How friction was settled")
    before, after = result.fix_mix
    assert [computed(row["Change"]) for row in mix] == [row["2019"].value - row["2018"].value for row in mix]
    assert [(row["Settled by"].value, row["2018"].value, row["2019"].value) for row in mix] == [
        # The deck's words for the same steps (document.SETTLING_LABELS and OPEN_LABEL).
        ("Automation", before.automation, after.automation),
        ("New goal", before.new_goal, after.new_goal),
        ("Restructuring", before.restructure, after.restructure),
        ("Open", before.open, after.open),
        ("Sources of friction", before.total, after.total),
    ]


def test_the_comparison_sheet_has_native_bar_charts_of_its_blocks(book):
    worksheet = book["Comparison"]
    charts = worksheet._charts
    assert [type(chart) for chart in charts] == [BarChart] * 3
    metrics, conversions, fix_mix = charts
    assert metrics.type == "bar" and conversions.type == "col"
    metric_rows = block(worksheet, "Metrics")
    first, last = metric_rows[0]["Change %"].row, metric_rows[-1]["Change %"].row
    assert metrics.series[0].val.numRef.f == f"'Comparison'!$E${first}:$E${last}"
    assert metrics.series[0].cat.numRef.f == f"'Comparison'!$A${first}:$A${last}"
    rows = block(worksheet, "Conversion between stages")
    first, last = rows[0]["2018"].row, rows[-1]["2018"].row
    assert [series.val.numRef.f for series in conversions.series] == [
        f"'Comparison'!$B${first}:$B${last}",
        f"'Comparison'!$C${first}:$C${last}",
    ]
    assert [series.tx.strRef.f for series in conversions.series] == [
        f"'Comparison'!B{first - 1}",
        f"'Comparison'!C{first - 1}",
    ]
    rows = block(worksheet, "How friction was settled")
    assert fix_mix.series[0].val.numRef.f == f"'Comparison'!$B${rows[0]['2018'].row}:$B${rows[3]['2018'].row}"
    for chart in charts:
        assert not chart.x_axis.delete and not chart.y_axis.delete
        assert chart.x_axis.title is not None and chart.y_axis.title is not None


def values_of(worksheet) -> list[dict]:
    titles = [cell.value for cell in worksheet[1]]
    return [dict(zip(titles, row, strict=False)) for row in worksheet.iter_rows(min_row=2, values_only=True)]


def test_the_change_sheets_list_forces_friction_and_strategy(book, result):
    forces = values_of(book["Forces changes"])
    assert len(forces) == sum(len(t.changed) + len(t.new) + len(t.dropped) + len(t.unchanged) for t in result.teams)
    change = result.teams[0].changed[0]
    assert forces[0]["Team"] == result.teams[0].name
    assert (forces[0]["Force"], forces[0]["Change"]) == (change.name, "Changed")
    assert forces[0]["2018 Now"] == change.before_row.now
    assert forces[0]["2019 Before"] == change.after_row.before
    friction = values_of(book["Friction changes"])
    assert [row["Status"] for row in friction] == ["Resolved"] * len(result.friction.resolved) + ["New"] * len(
        result.friction.new
    )
    assert friction[0]["2018 settled by"] == "Automation"
    assert friction[-1]["2019 settled by"] == "Open"
    assert [row["What changed"] for row in values_of(book["Strategy changes"])] == ["Same"] * 3
    assert book["Forces changes"].tables["ForceChanges"].ref.startswith("A1:")


def payload_comparison(before, after, payload: str):
    """The demo with user text replaced by `payload` wherever it is shown."""

    def renamed(document):
        teams = tuple(
            replace(team, forces=tuple(replace(force, name=payload, now=payload) for force in team.forces))
            for team in document.teams
        )
        return replace(
            document,
            header=replace(document.header, title=payload, flywheel_name=payload),
            metrics=tuple(
                replace(metric, name=f"{payload}{index}", unit=payload) for index, metric in enumerate(document.metrics)
            ),
            teams=teams,
            friction=tuple(replace(row, source=payload) for row in document.friction),
            strategies=tuple(replace(row, approach=payload) for row in document.strategies),
        )

    return comparison.compare(renamed(before), renamed(after))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_like_user_text_is_stored_as_quoted_text(demo_documents, payload):
    book = load_workbook(BytesIO(comparison_workbook.write(payload_comparison(*demo_documents, payload))))
    cells = [
        cell
        for worksheet in book.worksheets
        for row in worksheet.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and payload in cell.value
    ]
    assert len(cells) > 30
    for cell in cells:
        assert cell.data_type == "s", (cell.parent.title, cell.coordinate)
        if cell.value.startswith(payload):
            assert cell.quotePrefix, (cell.parent.title, cell.coordinate)
    # The only formulas are the sheet's own changes, over its own figure cells.
    own = [
        cell for worksheet in book.worksheets for row in worksheet.iter_rows() for cell in row if cell.data_type == "f"
    ]
    assert own and all(computed(cell) is not None for cell in own if cell.parent.title == "Comparison")
    assert all(cell.parent.title == "Comparison" for cell in own)


# --- JSON, the dispatcher and file names ----------------------------------------------------------


def test_the_json_is_the_comparisons_data_unescaped(result):
    content = export_comparison(result, "json")
    assert json.loads(content) == json.loads(json.dumps(comparison.as_data(result)))
    assert "÷".encode() in content and b"\\u00f7" not in content
    assert content.startswith(b'{\n  "before": {')


def test_the_dispatcher_writes_each_format_and_refuses_others(result):
    assert export_comparison(result, "pptx")[:2] == b"PK"
    assert export_comparison(result, "xlsx")[:2] == b"PK"
    with pytest.raises(ValueError, match="docx"):
        export_comparison(result, "docx")


def test_file_names_are_safe_ascii_with_the_flywheel_and_both_years(result):
    assert comparison_file_name(result, "pptx") == "hubspot-example-2018-vs-2019.pptx"
    other = replace(result, same_flywheel=False, after=replace(result.after, flywheel_name="Ünïcode / Flywheel"))
    assert comparison_file_name(other, "xlsx") == "hubspot-example-2018-vs-unicode-flywheel-2019.xlsx"
    nothing = replace(result, after=replace(result.after, flywheel_name="سلام"))
    assert comparison_file_name(nothing, "json") == "2018-vs-2019.json"


# --- The download view ----------------------------------------------------------------------------


def export_url(flywheel_id: int, file_format: str, **query) -> str:
    url = reverse("audits:compare-export", args=[flywheel_id, file_format])
    return url + ("?" + "&".join(f"{name}={value}" for name, value in query.items()) if query else "")


@pytest.fixture
def demo_client(client, demo_audits):
    client.force_login(get_user_model().objects.get(username=DEMO_USERNAME))
    return client


@pytest.mark.parametrize("file_format", ["pptx", "xlsx", "json"])
def test_it_downloads_the_comparison_as_an_attachment(demo_client, demo_audits, file_format):
    first, second = demo_audits
    response = demo_client.get(export_url(first.flywheel_id, file_format, before=first.pk, after=second.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[file_format]
    assert response["Content-Disposition"] == f'attachment; filename="hubspot-example-2018-vs-2019.{file_format}"'
    assert response.content[:2] == (b"{\n" if file_format == "json" else b"PK")


def test_a_viewer_can_download_it(client, demo_audits):
    first, second = demo_audits
    viewer = MembershipFactory(organization=first.flywheel.organization, role=Membership.Role.VIEWER).user
    client.force_login(viewer)
    assert client.get(export_url(first.flywheel_id, "json", before=first.pk, after=second.pk)).status_code == 200


def test_an_outsider_gets_404_for_the_flywheel_or_the_audits(client, demo_audits, outsider):
    first, second = demo_audits
    client.force_login(outsider)
    own = Audit.objects.get(flywheel__organization__memberships__user=outsider)
    assert client.get(export_url(first.flywheel_id, "json", before=first.pk, after=second.pk)).status_code == 404
    assert client.get(export_url(own.flywheel_id, "json", before=own.pk, after=second.pk)).status_code == 404
    assert client.get(export_url(own.flywheel_id, "json", before=first.pk, after=own.pk)).status_code == 404


def test_it_is_a_400_to_compare_an_audit_with_itself_or_nothing(demo_client, demo_audits):
    first, _ = demo_audits
    response = demo_client.get(export_url(first.flywheel_id, "pptx", before=first.pk, after=first.pk))
    assert response.status_code == 400
    assert "Choose two different audits" in response.content.decode()
    assert demo_client.get(export_url(first.flywheel_id, "pptx", before=first.pk)).status_code == 400
    assert demo_client.get(export_url(first.flywheel_id, "pptx", before="x", after=first.pk)).status_code == 400


def test_it_404s_an_unknown_format_and_refuses_post(demo_client, demo_audits):
    first, second = demo_audits
    assert demo_client.get(export_url(first.flywheel_id, "docx", before=first.pk, after=second.pk)).status_code == 404
    assert demo_client.post(export_url(first.flywheel_id, "json", before=first.pk, after=second.pk)).status_code == 405


def test_it_compares_audits_of_another_flywheel_the_user_can_see(demo_client, demo_audits):
    first, second = demo_audits
    elsewhere = FlywheelFactory(organization=first.flywheel.organization, name="Enterprise")
    response = demo_client.get(export_url(elsewhere.pk, "json", before=first.pk, after=second.pk))
    assert response.status_code == 200


def test_an_anonymous_visitor_is_sent_to_log_in(client, demo_audits):
    first, second = demo_audits
    response = client.get(export_url(first.flywheel_id, "json", before=first.pk, after=second.pk))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- The command ----------------------------------------------------------------------------------


@pytest.mark.parametrize("file_format", ["pptx", "xlsx", "json"])
def test_the_command_writes_the_file(demo_audits, tmp_path, file_format, capsys):
    first, second = demo_audits
    path = tmp_path / f"comparison.{file_format}"
    call_command("compare_audits", first.pk, second.pk, "--format", file_format, "--output", str(path))
    content = path.read_bytes()
    assert f"Wrote {path} ({len(content):,} bytes)." in capsys.readouterr().out
    if file_format == "xlsx":
        assert load_workbook(BytesIO(content)).sheetnames[0] == "Comparison"
    elif file_format == "pptx":
        assert len(Presentation(BytesIO(content)).slides) > 5
    else:
        assert json.loads(content)["after"]["period_year"] == 2019


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["{first}", "999999"], "There is no audit 999999."),
        (["{first}", "{first}"], "Give two different audits"),
        (["{first}", "{second}", "--output", "{missing}/out.pptx"], "does not exist"),
        (["{first}", "{second}", "--format", "docx"], "invalid choice: 'docx'"),
    ],
    ids=["unknown", "same", "folder", "format"],
)
def test_the_command_fails_clearly(demo_audits, tmp_path, arguments, message):
    first, second = demo_audits
    values = {"first": first.pk, "second": second.pk, "missing": tmp_path / "missing"}
    arguments = [argument.format(**values) for argument in arguments]
    defaults = {"--format": "pptx", "--output": str(tmp_path / "out.pptx")}
    for option, value in defaults.items():
        if option not in arguments:
            arguments += [option, value]
    with pytest.raises(CommandError, match=message):
        call_command("compare_audits", *arguments)
    assert not (tmp_path / "out.pptx").exists()


def test_the_command_skips_trashed_audits_and_has_a_one_line_help(demo_audits, tmp_path):
    first, second = demo_audits
    Audit.objects.filter(pk=second.pk).update(deleted_at=timezone.now())
    with pytest.raises(CommandError, match=f"There is no audit {second.pk}."):
        call_command("compare_audits", first.pk, second.pk, "--format", "json", "--output", str(tmp_path / "x.json"))
    assert "\n" not in Command.help and len(Command.help) < 110
