from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from audits.content import document
from audits.content.carry import carry_forward
from audits.content.demo import load_demo
from audits.models import ActionReview, Audit, Force, FrictionPoint, Metric, SelfAssessment, Stage, Vote
from audits.reports.exports import workbook

from .factories import (
    AuditFactory,
    FlywheelFactory,
    ForceFactory,
    FrictionPointFactory,
    MetricFactory,
    OrganizationFactory,
    ReadingFactory,
    SelfAssessmentFactory,
    StageStrategyFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

SHEETS = [
    "Overview",
    "Strategy",
    "Metrics",
    "Forces",
    "Friction",
    "Self-assessment",
    "Action review",
    "Actions",
    "Trends",
    "Lists",
]
PAYLOADS = ['=HYPERLINK("http://evil","x")', "=cmd|' /C calc'!A0", "@SUM(1)", "+1+1", "-2", "\t=1"]


def loaded(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def reopen(content: bytes):
    return load_workbook(BytesIO(content))


def rows_of(worksheet) -> list[dict]:
    """The sheet's rows below the header, as {title: cell}."""
    titles = [cell.value for cell in worksheet[1]]
    return [dict(zip(titles, row, strict=False)) for row in worksheet.iter_rows(min_row=2)]


def values_of(worksheet) -> list[dict]:
    return [{title: cell.value for title, cell in row.items()} for row in rows_of(worksheet)]


def overview(worksheet) -> list[tuple]:
    return [(row[0].value, row[1].value) for row in worksheet.iter_rows(min_row=2)]


def conversion(row: int, name_cell: str) -> str:
    """The conversion formula of a Metrics row whose previous bucket's name is in `name_cell`."""
    criterion = f'"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({name_cell},"~","~~"),"*","~*"),"?","~?")'
    return f'=IF(J{row}="","",IFERROR(J{row}/SUMIFS($J:$J,$B:$B,{criterion},$I:$I,I{row}),""))'


def name_cells(book) -> dict[str, str]:
    """The names formulas compare with, on the hidden Lists sheet, and the cell holding each."""
    lists = book["Lists"]
    [header] = [cell for cell in lists[1] if cell.value == "formula_names"]
    column = lists.iter_rows(min_row=2, min_col=header.column, max_col=header.column)
    return {cell.value: f"'Lists'!${cell.column_letter}${cell.row}" for [cell] in column if cell.value is not None}


# The demo's document and its workbook are only read here: made once for the module (tests/conftest.py).
@pytest.fixture(scope="module")
def demo_document(module_transaction):
    return loaded(load_demo())


@pytest.fixture(scope="module")
def book(demo_document):
    return reopen(workbook.write(demo_document))


def test_it_writes_the_sheets_in_order_with_the_lists_hidden(book):
    assert book.sheetnames == SHEETS
    assert book["Lists"].sheet_state == "hidden"
    assert book.active.title == "Overview"


def test_it_styles_and_freezes_every_header_row(book):
    for worksheet in book.worksheets[:-1]:
        assert worksheet.freeze_panes == "A2", worksheet.title
        header = [cell for cell in worksheet[1] if cell.value is not None]
        assert header, worksheet.title
        for cell in header:
            assert cell.font.b, (worksheet.title, cell.value)
            assert cell.fill.fill_type == "solid", (worksheet.title, cell.value)


def test_it_computes_column_widths_and_wraps_long_text(book):
    friction = book["Friction"]
    assert friction.column_dimensions["B"].width > friction.column_dimensions["A"].width
    assert friction.column_dimensions["B"].width <= 50
    assert friction["B2"].alignment.wrap_text
    assert not friction["C2"].alignment.wrap_text


def test_it_writes_the_header_fields_teams_and_key_numbers_on_the_overview(book, demo_document):
    header = demo_document.header
    fields = overview(book["Overview"])
    assert fields[:7] == [
        ("Title", header.title),
        ("Year", header.period_year),
        ("Workshop date", None),
        ("Language", "English"),
        ("Status", "Draft"),
        ("Flywheel", header.flywheel_name),
        ("Organization", header.organization_name),
    ]
    assert [value for label, value in fields if label == "Team"] == [team.name for team in demo_document.teams]
    numbers = dict(fields[fields.index(("Key numbers", "Computed from the audit; not read back on import.")) :])
    assert numbers["Sources of friction"] == len(demo_document.friction)
    assert numbers["Still open"] == len(demo_document.open_friction)
    assert numbers["Weakest conversion"] == demo_document.weakest_conversion.label


def test_it_formats_the_year_and_the_workshop_date(audit):
    Audit.objects.filter(pk=audit.pk).update(workshop_date=date(2025, 11, 14))
    worksheet = reopen(workbook.write(loaded(audit)))["Overview"]
    assert worksheet["B3"].number_format == "0"
    assert worksheet["B4"].value.date() == date(2025, 11, 14)
    assert worksheet["B4"].number_format == "yyyy-mm-dd"


def test_it_writes_the_strategies_with_stage_labels(book, demo_document):
    rows = values_of(book["Strategy"])
    assert rows == [
        {"Stage": row.stage_label, "Inbound principle": row.principle, "Approach": row.approach}
        for row in demo_document.strategies
    ]


def test_it_writes_one_metrics_row_per_reading_with_the_definition_repeated(book, demo_document):
    rows = values_of(book["Metrics"])
    expected = [
        (metric.stage_label, metric.name, metric.unit, metric.activity, reading.gained, reading.total)
        for metric in demo_document.metrics
        for reading in metric.readings
    ]
    assert [
        (row["Stage"], row["Metric"], row["Unit"], row["Key activity"], row["Gained"], row["Total"]) for row in rows
    ] == expected
    first = rows[0]
    assert first["Kind"] == "Bucket (gained, lost, total)"
    assert first["Period type"] == "Month"
    assert first["Illustrative"] == "Yes"
    assert first["Period"] == datetime(2018, 1, 1)  # a date, shown as "Jan 2018"


def test_it_writes_months_and_years_as_dates_and_quarters_as_text(audit):
    for name, period, start in (
        ("Monthly", Metric.Period.MONTH, date(2025, 3, 1)),
        ("Quarterly", Metric.Period.QUARTER, date(2025, 4, 1)),
        ("Yearly", Metric.Period.YEAR, date(2025, 1, 1)),
    ):
        ReadingFactory(metric=MetricFactory(audit=audit, name=name, period=period), period_start=start, total=1)
    rows = rows_of(reopen(workbook.write(loaded(audit)))["Metrics"])
    assert {row["Metric"].value: (row["Period"].value, row["Period"].number_format) for row in rows} == {
        "Monthly": (datetime(2025, 3, 1), "mmm yyyy"),
        "Quarterly": ("2025-Q2", "General"),  # no number format shows a quarter
        "Yearly": (datetime(2025, 1, 1), "yyyy"),
    }


def test_it_writes_a_metric_without_readings_as_one_row_with_no_period(audit):
    MetricFactory(audit=audit, name="Referrals", kind=Metric.Kind.VALUE, period=Metric.Period.QUARTER)
    rows = values_of(reopen(workbook.write(loaded(audit)))["Metrics"])
    assert len(rows) == 1
    assert rows[0]["Metric"] == "Referrals"
    assert rows[0]["Period type"] == "Quarter"
    assert rows[0]["Period"] is None
    assert rows[0]["Value"] is None


def test_it_formats_the_metrics_numbers(book):
    worksheet = book["Metrics"]
    row = rows_of(worksheet)[0]
    assert row["Gained"].number_format == "#,##0"
    assert row["Total"].number_format == "#,##0"
    assert row["Net change"].number_format == "#,##0"
    assert row["NPS"].number_format == "0"
    assert row["Period"].number_format == "mmm yyyy"
    # Empty cells are not written: their column holds the format, for them and for rows added later.
    assert row["Value"].value is None
    assert worksheet.column_dimensions[row["Value"].column_letter].number_format == "#,##0.00"
    assert worksheet.column_dimensions[row["Conversion from previous stage"].column_letter].number_format == "0.0%"


def test_it_writes_net_change_and_nps_as_live_formulas(book):
    for number, row in enumerate(rows_of(book["Metrics"]), start=2):
        assert row["Net change"].data_type == "f"
        assert row["Net change"].value == f'=IF(AND(J{number}="",K{number}=""),"",J{number}-K{number})'
        assert row["NPS"].value == (f'=IFERROR((N{number}-P{number})/(N{number}+O{number}+P{number})*100,"")')


def test_it_writes_conversions_from_the_previous_bucket_as_sumifs_formulas(book, demo_document):
    buckets = document.path_of(list(demo_document.metrics))
    rows = rows_of(book["Metrics"])
    cells = name_cells(book)
    assert set(cells) == {bucket.name for bucket in buckets[:-1]}
    for previous, current in zip(buckets, buckets[1:], strict=False):
        for row in (row for row in rows if row["Metric"].value == current.name):
            number = row["Metric"].row
            assert row["Conversion from previous stage"].value == conversion(number, cells[previous.name])
    first = [row for row in rows if row["Metric"].value == buckets[0].name]
    assert all(row["Conversion from previous stage"].value is None for row in first)


def test_it_refers_to_the_previous_bucket_name_by_its_cell_and_escapes_it_in_the_formula(audit):
    MetricFactory(audit=audit, name='Leads "hot" *', stage=Stage.ATTRACT)
    MetricFactory(audit=audit, name="Customers", stage=Stage.ENGAGE)
    book = reopen(workbook.write(loaded(audit)))
    assert book["Metrics"]["T3"].value == conversion(3, "'Lists'!$K$2")
    assert book["Lists"]["K2"].value == 'Leads "hot" *'


def test_it_does_not_convert_between_buckets_of_different_period_types(audit):
    MetricFactory(audit=audit, name="Visitors", stage=Stage.ATTRACT, period=Metric.Period.MONTH)
    MetricFactory(audit=audit, name="Customers", stage=Stage.ENGAGE, period=Metric.Period.QUARTER)
    worksheet = reopen(workbook.write(loaded(audit)))["Metrics"]
    assert worksheet["T2"].value is None
    assert worksheet["T3"].value is None


def test_it_writes_the_forces_in_team_order_with_choice_labels(book, demo_document):
    rows = values_of(book["Forces"])
    assert [(row["Team"], row["Force"], row["Before"], row["Now"]) for row in rows] == [
        (force.team, force.name, force.before, force.now) for force in demo_document.forces
    ]
    labels = {row["Serves"] for row in rows} | {row["Stage"] for row in rows}
    assert labels <= {"Our process", "The customer", "Both", "Attract", "Engage", "Delight", None}


def test_it_writes_the_friction_rows_with_a_live_resolution_formula(book, demo_document):
    rows = rows_of(book["Friction"])
    assert [(row["#"].value, row["Source of friction"].value, row["Automation"].value) for row in rows] == [
        (row.number, row.source, row.automation or None) for row in demo_document.friction
    ]
    assert rows[0]["Origin"].value == "External (customers, prospects)"
    assert rows[0]["Resolution"].data_type == "f"
    assert rows[0]["Resolution"].value == (
        '=IF(AND(F2<>"",F2<>"No",F2<>"No"),F2,IF(AND(G2<>"",G2<>"No",G2<>"No"),G2,'
        'IF(AND(H2<>"",H2<>"No",H2<>"No"),H2,"Open")))'
    )


def test_it_writes_due_dates_as_dates(audit):
    FrictionPointFactory(audit=audit, automation="Chatbot", owner="Ana", due_date=date(2026, 1, 31))
    row = rows_of(reopen(workbook.write(loaded(audit)))["Friction"])[0]
    assert row["Due date"].value.date() == date(2026, 1, 31)
    assert row["Due date"].number_format == "yyyy-mm-dd"


def test_it_writes_the_self_assessment_with_question_and_answer_labels(book, demo_document):
    assert values_of(book["Self-assessment"]) == [
        {"Question": row.question_label, "Answer": SelfAssessment.Answer(row.answer).label, "Notes": row.notes}
        for row in demo_document.self_assessment
    ]


def test_it_lists_the_action_items(book, demo_document):
    assert [(row["Friction/force"], row["Fix"]) for row in values_of(book["Actions"])] == [
        (item.what, item.fix) for item in demo_document.action_items
    ]
    assert book["Actions"].protection.sheet


def test_it_writes_the_trends_with_computed_values(book, demo_document):
    worksheet = book["Trends"]
    buckets = document.path_of(list(demo_document.metrics))
    assert [cell.value for cell in worksheet[1]][: len(buckets) + 1] == ["Period", *(m.name for m in buckets)]
    assert worksheet["A2"].value == datetime.combine(buckets[0].readings[0].period_start, time())
    assert worksheet["A2"].number_format == "mmm yyyy"
    assert worksheet["B2"].value == buckets[0].readings[0].total
    assert worksheet["B2"].number_format == "#,##0"
    conversion_column = len(buckets) + 3
    conversion = demo_document.conversions[0]
    assert worksheet.cell(row=1, column=conversion_column + 1).value == conversion.label
    cell = worksheet.cell(row=2, column=conversion_column + 1)
    assert cell.value == pytest.approx(conversion.rates[0].rate)
    assert cell.number_format == "0.0%"


def test_it_draws_native_line_charts_of_the_buckets_and_the_conversions(book, demo_document):
    charts = book["Trends"]._charts
    assert [chart.tagname for chart in charts] == ["lineChart", "lineChart"]
    buckets, conversions = charts
    count = len(document.path_of(list(demo_document.metrics)))
    assert len(buckets.series) == count
    assert buckets.series[0].val.numRef.f == "'Trends'!$B$2:$B$13"
    assert buckets.series[0].cat.numRef.f == "'Trends'!$A$2:$A$13"
    assert buckets.series[0].tx.strRef.f == "'Trends'!B1"
    assert len(conversions.series) == len(demo_document.conversions)
    first = count + 4  # past the bucket table and a blank column
    letter = chr(ord("A") + first - 1)
    assert conversions.series[0].val.numRef.f == f"'Trends'!${letter}$2:${letter}$13"
    assert buckets.y_axis.scaling.logBase == 10  # visitors would flatten every other bucket
    assert not buckets.x_axis.delete
    assert not buckets.y_axis.delete


def test_it_draws_no_chart_without_buckets(audit):
    assert reopen(workbook.write(loaded(audit)))["Trends"]._charts == []


def test_it_adds_dropdowns_of_labels_over_whole_columns(book, demo_document):
    lists = book["Lists"]

    def dropdowns(sheet: str) -> dict[str, list]:
        found = {}
        for validation in book[sheet].data_validations.dataValidation:
            assert validation.type == "list"
            assert validation.allow_blank
            cells = lists[validation.formula1.split("!")[1].replace("$", "")]
            found[str(validation.sqref)] = [row[0].value for row in cells]
        return found

    stages = ["Attract", "Engage", "Delight"]
    assert dropdowns("Strategy") == {"A2:A1048576": stages}
    assert dropdowns("Metrics") == {
        "A2:A1048576": stages,
        "C2:C1048576": ["Bucket (gained, lost, total)", "Net Promoter Score", "Rate (%)", "Value"],
        "E2:E1048576": ["Month", "Quarter", "Year"],
        "G2:G1048576": ["Yes", "No"],
        "H2:H1048576": ["Yes", "No"],
    }
    assert dropdowns("Forces") == {
        "A2:A1048576": [team.name for team in demo_document.teams],
        "E2:E1048576": ["Our process", "The customer", "Both"],
        "F2:F1048576": stages,
    }
    assert dropdowns("Friction") == {
        "C2:C1048576": ["External (customers, prospects)", "Internal (metrics, processes)"],
        "D2:D1048576": stages,
    }
    assert dropdowns("Self-assessment") == {"B2:B1048576": ["Yes", "No"]}
    assert dropdowns("Action review") == {
        "A2:A1048576": ["Friction", "Force"],
        "F2:F1048576": ["Done", "Partly done", "Not done", "Dropped"],
    }


def test_it_adds_a_worksheet_table_with_filter_buttons_to_each_editable_sheet(book):
    names = set()
    for sheet, name, last_column in (
        ("Strategy", "StrategyTable", "C"),
        ("Metrics", "MetricsTable", "T"),
        ("Forces", "ForcesTable", "I"),
        ("Friction", "FrictionTable", "K"),
        ("Self-assessment", "SelfAssessmentTable", "C"),
    ):
        worksheet = book[sheet]
        table = worksheet.tables[name]
        assert table.ref == f"A1:{last_column}{worksheet.max_row}"
        assert table.autoFilter is not None
        assert " " not in table.displayName
        names.add(table.displayName)
    assert len(names) == 5


def test_it_gives_an_empty_table_one_blank_row(audit):
    table = reopen(workbook.write(loaded(audit)))["Friction"].tables["FrictionTable"]
    assert table.ref == "A1:K2"


def test_it_keeps_empty_teams_in_the_overview(audit):
    TeamFactory(audit=audit, name="Finance")
    ForceFactory(team=TeamFactory(audit=audit, name="Sales"), name="Demos")
    fields = overview(reopen(workbook.write(loaded(audit)))["Overview"])
    assert [value for label, value in fields if label == "Team"] == ["Finance", "Sales"]


@pytest.fixture
def payload_audit():
    def make(payload: str) -> Audit:
        organization = OrganizationFactory(name=payload)
        audit = AuditFactory(flywheel=FlywheelFactory(organization=organization, name=payload), title=payload)
        for stage in Stage.values:
            StageStrategyFactory(audit=audit, stage=stage, principle=payload, approach=payload)
        first = MetricFactory(audit=audit, name=payload, unit=payload, activity=payload, stage=Stage.ATTRACT)
        second = MetricFactory(audit=audit, name="Customers", stage=Stage.ENGAGE)
        for metric in (first, second):
            ReadingFactory(metric=metric, period_start=date(2025, 1, 1), gained=10, total=10)
        team = TeamFactory(audit=audit, name=payload)
        ForceFactory(
            team=team, name=payload, before=payload, now=payload, target=payload, planned_change=payload, owner=payload
        )
        ActionReview.objects.create(audit=audit, kind="force", what=payload, fix=payload, owner=payload, note=payload)
        FrictionPointFactory(
            audit=audit,
            source=payload,
            teams=payload,
            automation=payload,
            new_goal=payload,
            restructure=payload,
            owner=payload,
        )
        SelfAssessmentFactory(audit=audit, answer="yes", notes=payload)
        return audit

    return make


USER_TEXT = {
    "Strategy": ["Inbound principle", "Approach"],
    "Metrics": ["Metric", "Unit", "Key activity"],
    "Forces": ["Team", "Force", "Before", "Now", "Last year's planned change", "Planned change", "Owner"],
    "Friction": ["Source of friction", "Teams involved", "Automation", "New goal", "Restructure", "Owner"],
    "Self-assessment": ["Notes"],
    "Action review": ["What", "Fix", "Owner", "Note"],
    "Actions": ["Friction/force", "Fix", "Owner"],
}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_it_stores_formula_like_user_text_as_quoted_text_in_every_column(payload_audit, payload):
    book = reopen(workbook.write(loaded(payload_audit(payload))))
    cells = [row[title] for sheet, titles in USER_TEXT.items() for row in rows_of(book[sheet]) for title in titles]
    cells = [cell for cell in cells if cell.value not in (None, "Customers")]
    cells += [row[1] for row in book["Overview"].iter_rows() if row[1].value == payload]
    cells += [book["Trends"]["B1"], book["Lists"]["H2"]]
    assert len(cells) >= 25
    for cell in cells:
        assert cell.value == payload, (cell.parent.title, cell.coordinate)
        assert cell.data_type == "s", (cell.parent.title, cell.coordinate)
        assert cell.quotePrefix, (cell.parent.title, cell.coordinate)
    assert len([row for row in book["Overview"].iter_rows() if row[1].value == payload]) == 4


def test_it_keeps_its_own_formulas_next_to_formula_like_text(payload_audit):
    book = reopen(workbook.write(loaded(payload_audit(PAYLOADS[0]))))
    friction = rows_of(book["Friction"])[0]
    assert friction["Resolution"].data_type == "f"
    metrics = rows_of(book["Metrics"])
    assert metrics[1]["Conversion from previous stage"].value == conversion(3, "'Lists'!$K$2")
    # The name it refers to is text, as everywhere.
    name = book["Lists"]["K2"]
    assert (name.value, name.data_type, name.quotePrefix) == (PAYLOADS[0], "s", True)


def test_it_does_not_quote_ordinary_text(book):
    assert not book["Friction"]["B2"].quotePrefix


def test_it_strips_characters_a_workbook_cannot_hold_and_caps_long_text(audit):
    FrictionPointFactory(audit=audit, source="Bell\x07 and form feed\x0c gone", automation="x" * 40_000)
    row = rows_of(reopen(workbook.write(loaded(audit)))["Friction"])[0]
    assert row["Source of friction"].value == "Bell and form feed gone"
    assert len(row["Automation"].value) == 32_767


def test_it_keeps_unicode_newlines_and_emoji_exactly(audit):
    text = "فارسی — Tiếng Việt có dấu 🚀\nline two\r\nline three"
    FrictionPointFactory(audit=audit, source=text)
    assert rows_of(reopen(workbook.write(loaded(audit)))["Friction"])[0]["Source of friction"].value == text


def test_it_writes_a_persian_audit_right_to_left(audit):
    Audit.objects.filter(pk=audit.pk).update(language=Audit.Language.PERSIAN)
    book = reopen(workbook.write(loaded(audit)))
    assert all(worksheet.sheet_view.rightToLeft for worksheet in book.worksheets)
    assert overview(book["Overview"])[3] == ("Language", "فارسی")


def test_it_writes_decimal_values(audit):
    metric = MetricFactory(audit=audit, kind=Metric.Kind.VALUE)
    ReadingFactory(metric=metric, period_start=date(2025, 1, 1), value=Decimal("1234.50"))
    assert rows_of(reopen(workbook.write(loaded(audit)))["Metrics"])[0]["Value"].value == 1234.5


def test_it_labels_every_choice(audit):
    team = TeamFactory(audit=audit, name="Ops")
    ForceFactory(team=team, serves=Force.Serves.PROCESS, stage=Stage.DELIGHT)
    FrictionPointFactory(audit=audit, origin=FrictionPoint.Origin.INTERNAL, stage=Stage.ENGAGE)
    SelfAssessmentFactory(audit=audit, question=SelfAssessment.Question.BLIND_SPOT, answer="no")
    book = reopen(workbook.write(loaded(audit)))
    assert values_of(book["Forces"])[0]["Serves"] == "Our process"
    assert values_of(book["Forces"])[0]["Stage"] == "Delight"
    assert values_of(book["Friction"])[0]["Origin"] == "Internal (metrics, processes)"
    assert values_of(book["Self-assessment"])[0] == {
        "Question": SelfAssessment.Question.BLIND_SPOT.label,
        "Answer": "No",
        "Notes": None,
    }


# --- A carried-forward audit: last year's plans and the review of last year's actions --------------


@pytest.fixture
def carried():
    """2018's demo audit carried forward, with forces planned in 2018 and a metric where lower is better."""
    first = load_demo()
    Force.objects.filter(audit=first, name__in=["Lead rotation", "Live chat"]).update(planned_change="Route by size")
    Metric.objects.filter(audit=first, kind=Metric.Kind.NPS).update(higher_is_better=False)
    Audit.objects.filter(carried_from=first).delete()  # the demo's own 2019: an audit a year, never two
    audit = carry_forward(first)
    reviews = list(audit.action_reviews.order_by("position"))
    reviews[0].status, reviews[0].note = ActionReview.Status.PARTLY, "Half the teams"
    reviews[1].status = ActionReview.Status.DROPPED
    ActionReview.objects.bulk_update(reviews[:2], ["status", "note"])
    return loaded(audit)


def test_it_writes_whether_higher_is_better_for_each_metric(carried):
    rows = values_of(reopen(workbook.write(carried))["Metrics"])
    expected = {metric.name: "Yes" if metric.higher_is_better else "No" for metric in carried.metrics}
    assert {row["Metric"]: row["Higher is better"] for row in rows} == expected
    assert sorted(expected.values()) == ["No", "Yes", "Yes", "Yes", "Yes"]


def test_it_writes_last_years_planned_change_beside_this_years(carried):
    rows = values_of(reopen(workbook.write(carried))["Forces"])
    targets = {row["Force"]: row["Last year's planned change"] for row in rows if row["Last year's planned change"]}
    assert targets == {"Lead rotation": "Route by size", "Live chat": "Route by size"}
    assert [row["Force"] for row in rows] == [force.name for force in carried.forces]


def test_it_writes_the_action_review_as_an_editable_table_with_status_labels(carried):
    book = reopen(workbook.write(carried))
    worksheet = book["Action review"]
    rows = values_of(worksheet)
    assert [(row["For (friction/force)"], row["What"], row["Fix"]) for row in rows] == [
        (review.kind.capitalize(), review.what, review.fix) for review in carried.action_reviews
    ]
    assert [row["Status"] for row in rows[:2]] == ["Partly done", "Dropped"]
    assert rows[0]["Note"] == "Half the teams"
    assert {row["For (friction/force)"] for row in rows} == {"Friction", "Force"}
    assert worksheet.tables["ActionReviewTable"].ref == f"A1:G{len(rows) + 1}"
    assert not worksheet.protection.sheet
    assert worksheet.column_dimensions["E"].number_format == "yyyy-mm-dd"  # empty here: the column's format


def test_it_writes_the_votes_of_each_friction_row_and_force_in_workshop_order(audit):
    team = TeamFactory(audit=audit, name="Ops")
    force = ForceFactory(team=team, name="Handover")
    ForceFactory(team=team, name="Standup")
    first, second = FrictionPointFactory(audit=audit, source="Slow"), FrictionPointFactory(audit=audit, source="Lost")
    for user in (UserFactory(), UserFactory()):
        Vote.objects.create(audit=audit, user=user, friction=second)
    Vote.objects.create(audit=audit, user=UserFactory(), force=force)
    book = reopen(workbook.write(loaded(audit)))
    friction = values_of(book["Friction"])
    assert [(row["Source of friction"], row["Votes"]) for row in friction] == [("Slow", 0), ("Lost", 2)]
    assert [(row["Force"], row["Votes"]) for row in values_of(book["Forces"])] == [("Handover", 1), ("Standup", 0)]
    assert book["Friction"].cell(row=1, column=len(workbook.FRICTION_COLUMNS) + 1).fill == workbook.COMPUTED_FILL
    assert first.votes.count() == 0


def test_it_writes_no_votes_column_without_votes(book):
    assert "Votes" not in [cell.value for cell in book["Friction"][1]]
    assert "Votes" not in [cell.value for cell in book["Forces"][1]]
