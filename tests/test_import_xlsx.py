import shutil
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.contrib.auth import get_user_model
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from audits.content import document
from audits.content.carry import carry_forward
from audits.content.demo import load_demo
from audits.content.tables import NO, normalize_answer
from audits.models import (
    ActionReview,
    Audit,
    Force,
    FrictionPoint,
    Metric,
    Reading,
    SelfAssessment,
    Stage,
    StageStrategy,
    Team,
    Vote,
)
from audits.reports.exports import workbook as export
from audits.reports.imports import ImportFailed, import_audit, workbook_import, workbook_limits

from .spreadsheets import edited, entries_of, resaved_by_libreoffice, zipped

pytestmark = pytest.mark.django_db

TEXTS = (
    "فارسی: مشتریان دو روز منتظر پاسخ می‌مانند",
    "Tiếng Việt có dấu: khách hàng chờ hai ngày để được trả lời",
    "Emoji 🚀🔥 and a family 👩‍👩‍👧 in one cell",
    "Line one\nline two\n\nline four",
    "Windows\r\nline endings",
    '=HYPERLINK("http://evil","x")',
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2",
    "@SUM(1)",
    "Quotes \"double\" and 'single', <b>tags</b> & ampersands",
    "Tabs\tinside",
    "_x0041_ looks escaped",
    "x" * 2000,
)


def loaded(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def import_file(content: bytes, flywheel) -> document.AuditDocument:
    return loaded(import_audit(workbook_import.read(content), flywheel))


def assert_round_trip(audit: Audit) -> None:
    original = loaded(audit)
    imported = import_file(export.write(original), audit.flywheel)
    parts = ("header", "strategies", "metrics", "conversions", "teams", "friction", "self_assessment", "action_reviews")
    for part in parts:
        assert getattr(imported, part) == getattr(original, part), part
    assert imported == original


def column(worksheet, title: str) -> int:
    return next(cell.column for cell in worksheet[1] if cell.value == title)


def set_cell(worksheet, row: int, title: str, value) -> None:
    worksheet.cell(row=row, column=column(worksheet, title)).value = value


def refused(content: bytes, flywheel) -> list[str]:
    """The errors of a refused import; and nothing was saved."""
    before = (Audit.objects.count(), FrictionPoint.objects.count(), Team.objects.count())
    with pytest.raises(ImportFailed) as failure:
        import_audit(workbook_import.read(content), flywheel)
    assert (Audit.objects.count(), FrictionPoint.objects.count(), Team.objects.count()) == before
    return failure.value.errors


def fill(audit: Audit, texts: list[str]) -> Audit:
    """Write every kind of row into `audit`, its text taken in turn from `texts` (each stripped, non-empty)."""

    def text(index: int, length: int = 2000) -> str:
        return texts[index % len(texts)][:length].strip() or "x"

    Audit.objects.filter(pk=audit.pk).update(
        title=text(0, 200), workshop_date=date(2025, 11, 14), language=Audit.Language.PERSIAN
    )
    StageStrategy.objects.bulk_create(
        StageStrategy(audit=audit, stage=stage, principle=text(i, 300), approach=text(i + 1))
        for i, stage in enumerate(Stage.values)
    )
    names = list(dict.fromkeys(text(i, 70) for i in range(len(texts))).keys())
    unique = {name.casefold(): name for name in names}
    teams = [Team.objects.create(audit=audit, name=name, position=i) for i, name in enumerate(unique.values())]
    teams.append(Team.objects.create(audit=audit, name="Team without forces", position=len(teams)))
    for i in range(len(texts)):
        Force.objects.create(
            audit=audit,
            team=teams[i % (len(teams) - 1)],
            name=text(i, 200),
            before=text(i + 1),
            now=text(i + 2),
            serves=(*Force.Serves.values, "")[i % 4],
            stage=(*Stage.values, "")[i % 4],
            planned_change=text(i + 3) if i % 2 else "",
            owner=text(i, 120),
            position=i,
        )
    for i in range(len(texts)):
        steps = [(text(i), "", ""), (NO, text(i + 1), ""), (NO, NO, text(i + 2)), (NO, NO, NO), ("", "", "")][i % 5]
        FrictionPoint.objects.create(
            audit=audit,
            source=text(i),
            origin=(*FrictionPoint.Origin.values, "")[i % 3],
            stage=(*Stage.values, "")[i % 4],
            teams=text(i + 1, 200),
            automation=steps[0],
            new_goal=steps[1],
            restructure=steps[2],
            owner=text(i + 2, 120) if i % 5 < 3 else "",
            due_date=date(2026, 1 + i % 12, 1) if i % 5 < 3 else None,
            position=i,
        )
    fill_metrics(audit, [f"{i} {name}"[:200] for i, name in enumerate(names)], text)
    SelfAssessment.objects.bulk_create(
        SelfAssessment(audit=audit, question=question, answer=("yes", "no", "")[i], notes=text(i))
        for i, question in enumerate(SelfAssessment.Question.values)
    )
    return audit


def fill_metrics(audit: Audit, names: list[str], text) -> None:
    kinds = [
        (Metric.Kind.BUCKET, Metric.Period.MONTH),
        (Metric.Kind.BUCKET, Metric.Period.MONTH),
        (Metric.Kind.NPS, Metric.Period.QUARTER),
        (Metric.Kind.VALUE, Metric.Period.YEAR),
    ]
    for i, name in enumerate([*names, "No readings yet"]):
        kind, period = kinds[i % len(kinds)]
        metric = Metric.objects.create(
            audit=audit,
            stage=Stage.values[i % 3],
            name=name,
            kind=kind,
            period=period,
            unit=text(i, 40),
            activity=text(i + 1, 300),
            illustrative=bool(i % 2),
            position=i,
        )
        if name == "No readings yet":
            continue
        starts = {
            Metric.Period.MONTH: [date(2024, month, 1) for month in (11, 12)] + [date(2025, 1, 1)],
            Metric.Period.QUARTER: [date(2024, 10, 1), date(2025, 1, 1)],
            Metric.Period.YEAR: [date(2024, 1, 1), date(2025, 1, 1)],
        }[period]
        for n, start in enumerate(starts):
            figures = {
                Metric.Kind.BUCKET: {"gained": 100 * (i + 1) + n, "lost": 10 + n, "total": 1000 + 90 * n},
                Metric.Kind.NPS: {"promoters": 50 + n, "passives": 30, "detractors": 20 - n, "promoters_lost": 3},
                Metric.Kind.VALUE: {"value": Decimal("1234.56") + n},
            }[kind]
            Reading.objects.create(metric=metric, period_start=start, **figures)


# --- Round trips ----------------------------------------------------------------------------------


def test_it_round_trips_the_demo():
    assert_round_trip(load_demo())


def test_it_round_trips_unicode_persian_vietnamese_emoji_newlines_long_and_formula_like_text(audit):
    assert_round_trip(fill(audit, list(TEXTS)))


def test_it_round_trips_an_empty_audit(audit):
    assert_round_trip(audit)


def test_it_round_trips_a_large_audit(flywheel):
    from audits.content.sample import build_large_audit

    assert_round_trip(build_large_audit(flywheel, friction=60, forces=30, metrics=12, periods=12))


# Text the workshop forms keep as it is: no control characters but tab and newlines, stripped,
# and not an answer the friction steps would turn into "No".
CELL_TEXT = (
    st.text(
        st.characters(
            exclude_categories=("Cs",),
            exclude_characters="".join(chr(c) for c in range(32) if chr(c) not in "\t\n\r") + "\ufffe\uffff",
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(lambda text: text and normalize_answer(text) != NO)
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(CELL_TEXT, min_size=2, max_size=6, unique_by=str.casefold))
def test_it_round_trips_generated_audits(flywheel, texts):
    audit = Audit.objects.create(flywheel=flywheel, title="Generated", period_year=2025)
    assert_round_trip(fill(audit, texts))


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_it_imports_a_workbook_saved_again_by_libreoffice(tmp_path):
    audit = load_demo()
    original = loaded(audit)
    content = resaved_by_libreoffice(export.write(original), tmp_path).read_bytes()
    assert import_file(content, audit.flywheel) == original
    # LibreOffice computed the formulas: they agree with the document.
    metrics = load_workbook(BytesIO(content), data_only=True)["Metrics"]
    conversion = original.conversions[0]
    rows = [row for row in metrics.iter_rows(min_row=2, values_only=True) if row[1] == conversion.to_metric]
    assert rows[0][19] == pytest.approx(conversion.rates[0].rate)


# --- Edited workbooks -----------------------------------------------------------------------------


@pytest.fixture
def demo():
    audit = load_demo()
    return audit, loaded(audit), export.write(loaded(audit))


def test_it_imports_added_changed_deleted_and_reordered_rows(demo):
    audit, original, content = demo

    def change(workbook):
        strategy = workbook["Strategy"]
        set_cell(strategy, 2, "Approach", "A podcast, every week.")
        forces = workbook["Forces"]
        forces.delete_rows(3)
        friction = workbook["Friction"]
        second = [cell.value for cell in friction[3]]
        for index, cell in enumerate(friction[3]):
            cell.value = friction[2][index].value
        for index, cell in enumerate(friction[2]):
            cell.value = second[index]
        row = friction.max_row + 1
        set_cell(friction, row, "Source of friction", "Invoices are sent by hand")
        set_cell(friction, row, "Origin", "internal")
        set_cell(friction, row, "Stage", "Engage")
        set_cell(friction, row, "Automation", "Automatic invoices")
        set_cell(friction, row, "Owner", "Bao")
        set_cell(friction, row, "Due date", datetime(2026, 3, 31))

    imported = import_file(edited(content, change), audit.flywheel)
    assert imported.strategies[0].approach == "A podcast, every week."
    assert imported.strategies[1:] == original.strategies[1:]
    assert [force.name for force in imported.forces] == [
        force.name for index, force in enumerate(original.forces) if index != 1
    ]
    sources = [row.source for row in original.friction]
    assert [row.source for row in imported.friction] == [
        sources[1],
        sources[0],
        *sources[2:],
        "Invoices are sent by hand",
    ]
    added = imported.friction[-1]
    assert (added.origin, added.stage, added.fix, added.owner, added.due_date) == (
        "internal",
        "engage",
        "Automatic invoices",
        "Bao",
        date(2026, 3, 31),
    )


def test_it_finds_reordered_columns_by_their_titles(demo):
    audit, original, content = demo

    def reverse_columns(workbook):
        for name in ("Friction", "Metrics", "Forces"):
            worksheet = workbook[name]
            rows = [[cell.value for cell in row][::-1] for row in worksheet.iter_rows()]
            for table in list(worksheet.tables):
                del worksheet.tables[table]
            worksheet.delete_rows(1, worksheet.max_row)
            for row in rows:
                worksheet.append(row)

    assert import_file(edited(content, reverse_columns), audit.flywheel) == original


def test_it_skips_empty_rows_ignores_extra_columns_and_finds_a_lowered_header(demo):
    audit, original, content = demo

    def change(workbook):
        friction = workbook["Friction"]
        friction.insert_rows(4, amount=3)
        friction.insert_rows(1, amount=2)
        friction["A1"] = "Friction, exported for the board"
        friction.cell(row=3, column=friction.max_column + 1, value="Comments")
        friction.cell(row=4, column=friction.max_column, value="Ignored")

    assert import_file(edited(content, change), audit.flywheel) == original


def test_it_adds_a_team_typed_on_the_overview_and_one_typed_on_a_force(demo):
    audit, original, content = demo

    def change(workbook):
        overview = workbook["Overview"]
        teams = [cell.row for cell in overview["A"] if cell.value == "Team"]
        overview.insert_rows(teams[-1] + 1)
        overview.cell(row=teams[-1] + 1, column=1, value="Team")
        overview.cell(row=teams[-1] + 1, column=2, value="Finance")
        set_cell(workbook["Forces"], 2, "Team", "Legal")

    imported = import_file(edited(content, change), audit.flywheel)
    names = [team.name for team in imported.teams]
    assert names == [team.name for team in original.teams] + ["Finance", "Legal"]
    assert imported.teams[-2].forces == ()
    assert [force.name for force in imported.teams[-1].forces] == [original.forces[0].name]


def test_it_reads_a_period_a_spreadsheet_turned_into_a_date(demo):
    audit, original, content = demo

    def change(workbook):
        set_cell(workbook["Metrics"], 2, "Period", datetime(2018, 1, 1))

    assert import_file(edited(content, change), audit.flywheel) == original


def test_it_imports_periods_and_answers_as_older_workbooks_wrote_them(demo):
    """Before periods were dates, a month was its text ("2018-01"); "No" was written as stored, in English."""
    audit, original, content = demo

    def change(workbook):
        metrics = workbook["Metrics"]
        [period] = [cell.column for cell in metrics[1] if cell.value == "Period"]
        for (cell,) in metrics.iter_rows(min_row=2, min_col=period, max_col=period):
            cell.value, cell.number_format = cell.value.strftime("%Y-%m"), "@"

    assert import_file(edited(content, change), audit.flywheel) == original


def test_a_vietnamese_workbook_shows_no_in_vietnamese_and_imports_it_back_as_no(demo):
    audit, _original, _content = demo
    Audit.objects.filter(pk=audit.pk).update(language="vi")
    row = FrictionPoint.objects.filter(audit=audit).order_by("position").last()
    row.automation, row.new_goal, row.restructure = NO, "Một mục tiêu chung", ""
    row.save()
    original = loaded(audit)
    with translation.override("vi"):  # as exports.export writes every audit: in its language
        content = export.write(original)
    friction = load_workbook(BytesIO(content)).worksheets[4]
    answers = [cell.value for row in friction.iter_rows(min_row=2, min_col=6, max_col=8) for cell in row]
    assert "Không" in answers and NO not in answers
    assert import_file(content, audit.flywheel) == original


def test_it_ignores_the_computed_columns_and_the_output_sheets(demo):
    audit, original, content = demo

    def change(workbook):
        set_cell(workbook["Metrics"], 2, "Net change", 999)
        set_cell(workbook["Friction"], 2, "Resolution", "Closed")
        workbook["Actions"]["A2"] = "Edited"
        del workbook["Trends"]

    assert import_file(edited(content, change), audit.flywheel) == original


def test_it_keeps_a_metric_whose_rows_are_deleted_down_to_an_empty_period(demo):
    audit, original, content = demo

    def change(workbook):
        metrics = workbook["Metrics"]
        rows = [cell.row for cell in metrics["B"] if cell.value == original.metrics[0].name]
        for title in ("Period", *(column.title for column in export.METRIC_COLUMNS[9:])):
            set_cell(metrics, rows[0], title, None)
        metrics.delete_rows(rows[1], len(rows) - 1)

    imported = import_file(edited(content, change), audit.flywheel)
    assert imported.metrics[0].name == original.metrics[0].name
    assert imported.metrics[0].readings == ()


# --- A carried-forward audit ---------------------------------------------------------------------


@pytest.fixture
def carried():
    """2018's demo audit carried forward: forces planned in 2018, reviews, a metric where lower is better."""
    first = load_demo()
    Force.objects.filter(audit=first, name__in=["Lead rotation", "Live chat"]).update(planned_change="Route by size")
    Metric.objects.filter(audit=first, kind=Metric.Kind.NPS).update(higher_is_better=False)
    Audit.objects.filter(carried_from=first).delete()  # the demo's own 2019: an audit a year, never two
    audit = carry_forward(first)
    reviews = list(audit.action_reviews.order_by("position"))
    for review, status in zip(reviews, ActionReview.Status.values, strict=False):
        review.status, review.note = status, f"{status}: see the minutes"
    ActionReview.objects.bulk_update(reviews, ["status", "note"])
    ActionReview.objects.filter(pk=reviews[0].pk).update(owner="Ana", due_date=date(2019, 3, 31))
    return audit


def test_it_round_trips_a_carried_forward_audit(carried):
    original = loaded(carried)
    assert [force.target for force in original.forces if force.target] == ["Route by size", "Route by size"]
    assert [metric.higher_is_better for metric in original.metrics].count(False) == 1
    assert len(original.action_reviews) > 4
    assert {review.kind for review in original.action_reviews} == {"friction", "force"}
    assert_round_trip(carried)


def test_it_imports_a_workbook_from_before_the_year_over_year_columns(carried):
    original = loaded(carried)

    def remove_new_columns(workbook):
        del workbook["Action review"]
        for sheet, title in (("Metrics", "Higher is better"), ("Forces", "Last year's planned change")):
            worksheet = workbook[sheet]
            for table in list(worksheet.tables):
                del worksheet.tables[table]
            worksheet.delete_cols(column(worksheet, title))

    imported = import_file(edited(export.write(original), remove_new_columns), carried.flywheel)
    assert all(metric.higher_is_better for metric in imported.metrics)  # the default
    assert not any(force.target for force in imported.forces)
    assert imported.action_reviews == ()
    assert [metric.name for metric in imported.metrics] == [metric.name for metric in original.metrics]
    assert [force.now for force in imported.forces] == [force.now for force in original.forces]


def test_it_reads_edited_reviews_and_higher_is_better(carried):
    original = loaded(carried)

    def change(workbook):
        reviews = workbook["Action review"]
        set_cell(reviews, 2, "Status", "not done")
        set_cell(reviews, 2, "For (friction/force)", "FORCE")
        set_cell(reviews, 3, "Status", None)
        metrics = workbook["Metrics"]
        for row in range(2, metrics.max_row + 1):
            set_cell(metrics, row, "Higher is better", None)  # empty: the default, yes

    imported = import_file(edited(export.write(original), change), carried.flywheel)
    first, second = imported.action_reviews[:2]
    assert (first.kind, first.status, first.note) == ("force", "not_done", original.action_reviews[0].note)
    assert (first.owner, first.due_date) == ("Ana", date(2019, 3, 31))
    assert second.status == ""
    assert all(metric.higher_is_better for metric in imported.metrics)


def test_it_reports_a_bad_review_with_its_place(carried):
    content = export.write(loaded(carried))

    def change(workbook):
        set_cell(workbook["Action review"], 2, "Status", "Finished")
        set_cell(workbook["Action review"], 3, "For (friction/force)", "Customer")
        set_cell(workbook["Action review"], 4, "Fix", None)

    assert refused(edited(content, change), carried.flywheel) == [
        "Action review sheet, row 2, column F: status 'Finished' is not one of Done, Partly done, Not done, Dropped.",
        "Action review sheet, row 3, column A: for 'Customer' is not one of Friction, Force.",
        "Action review sheet, row 4, column C, fix: This field is required.",
    ]


# --- Refusals -------------------------------------------------------------------------------------


def test_it_reports_every_bad_cell_at_once_with_its_place_and_saves_nothing(demo):
    audit, original, content = demo

    def change(workbook):
        set_cell(workbook["Friction"], 7, "Stage", "Atract")
        set_cell(workbook["Friction"], 2, "Due date", "next week")
        set_cell(workbook["Metrics"], 3, "Period", "2018-13")
        set_cell(workbook["Metrics"], 4, "Gained", -5)
        set_cell(workbook["Forces"], 2, "Force", None)
        set_cell(workbook["Forces"], 3, "Serves", "Everyone")
        workbook["Overview"]["B3"] = "20x8"
        set_cell(workbook["Self-assessment"], 2, "Answer", "Maybe")

    errors = refused(edited(content, change), audit.flywheel)
    assert errors == [
        "Overview sheet, row 3, year: Enter a whole number.",
        "Metrics sheet, row 3, column I, period: “2018-13” is not a month: write it as 2018-01 … 2018-12.",
        "Metrics sheet, row 4, column J, gained: Ensure this value is greater than or equal to 0.",
        "Forces sheet, row 2, column B, force: This field is required.",
        "Forces sheet, row 3, column E: serves 'Everyone' is not one of Our process, The customer, Both.",
        "Friction sheet, row 2, column J, due date: Enter a valid date.",
        "Friction sheet, row 7, column D: stage 'Atract' is not one of Attract, Engage, Delight.",
        "Self-assessment sheet, row 2, column B: answer 'Maybe' is not one of Yes, No.",
    ]


def test_it_reports_a_metric_whose_rows_disagree(demo):
    audit, original, content = demo

    def change(workbook):
        set_cell(workbook["Metrics"], 5, "Unit", "people")

    errors = refused(edited(content, change), audit.flywheel)
    assert errors == [
        f"Metrics sheet, row 5, column D: Unit 'people' differs from row 2 ('{original.metrics[0].unit}') "
        f"for the metric “{original.metrics[0].name}”; a metric's columns must match on all its rows."
    ]


def test_it_names_a_missing_sheet(demo):
    audit, _, content = demo

    def change(workbook):
        del workbook["Friction"]
        del workbook["Self-assessment"]

    assert refused(edited(content, change), audit.flywheel) == [
        "The Friction sheet is missing: import a workbook exported from Flywheel Audit, with all its sheets.",
        "The Self-assessment sheet is missing: import a workbook exported from Flywheel Audit, with all its sheets.",
    ]


def test_it_names_a_missing_column(demo):
    audit, _, content = demo

    def change(workbook):
        set_cell(workbook["Friction"], 1, "Due date", "When")
        workbook["Strategy"].delete_rows(1)

    errors = refused(edited(content, change), audit.flywheel)
    assert errors[0] == (
        "The Strategy sheet has no header row: "
        "its first row should name the columns Stage, Inbound principle, Approach."
    )
    assert errors[1].startswith("Friction sheet, row 1: the header row lacks the column Due date (expected: Source of")


@pytest.mark.parametrize(
    "content",
    [
        b"\x89PNG\r\n\x1a\n" + bytes(200),
        b"Title,Year\nAnnual audit,2025\n",
        b"",
    ],
    ids=["png", "text", "empty"],
)
def test_it_refuses_a_file_that_is_not_a_workbook(flywheel, content):
    assert refused(content, flywheel) == [workbook_limits.NOT_A_WORKBOOK]


def test_it_refuses_a_zip_without_a_workbook(flywheel):
    assert refused(zipped({"readme.txt": b"hello"}), flywheel) == [workbook_limits.NOT_A_WORKBOOK]


def test_it_refuses_a_macro_enabled_workbook(demo):
    audit, _, content = demo
    errors = refused(zipped({**entries_of(content), "xl/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), audit.flywheel)
    assert errors == [
        "The workbook contains macros (it is macro-enabled, like an .xlsm). "
        "Save it as an Excel Workbook (.xlsx) without macros and upload that."
    ]


def test_it_refuses_a_zip_bomb_by_its_declared_size(demo, settings):
    audit, _, content = demo
    settings.IMPORT_MAX_UNPACKED_BYTES = 1024 * 1024
    bomb = zipped({**entries_of(content), "xl/media/padding.bin": bytes(2 * 1024 * 1024)})
    assert len(bomb) < len(content) + 10_000  # two megabytes of zeros pack into a few kilobytes
    assert refused(bomb, audit.flywheel) == ["The workbook unpacks to more than 1 MB; it cannot be read."]


def test_it_refuses_a_zip_with_too_many_parts(flywheel):
    entries = {"[Content_Types].xml": b"", "xl/workbook.xml": b""}
    entries |= {f"xl/part{number}.xml": b"" for number in range(workbook_limits.MAX_ZIP_ENTRIES)}
    assert refused(zipped(entries), flywheel) == [
        "The workbook has 1,002 parts, more than a workbook of this tool has."
    ]


def test_it_refuses_a_file_over_the_upload_limit(demo, settings):
    audit, _, content = demo
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    assert refused(content + bytes(1024 * 1024), audit.flywheel) == ["The file is larger than 1 MB."]


def test_it_refuses_too_many_rows(demo, settings):
    audit, _, content = demo
    settings.IMPORT_MAX_ROWS = 50
    assert refused(content, audit.flywheel) == ["The workbook has more than 50 rows; split the audit or remove rows."]


def test_it_refuses_a_damaged_workbook(flywheel):
    errors = refused(zipped({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"<workbook"}), flywheel)
    assert len(errors) == 1
    assert errors[0].startswith("The workbook could not be read (")


def test_it_refuses_xml_entity_declarations_in_a_sheet(demo):
    audit, _, content = demo
    entries = entries_of(content)
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    for name in entries:
        if name.startswith("xl/worksheets/sheet"):
            entries[name] = laughs + entries[name].split(b"?>", 1)[-1]
    errors = refused(zipped(entries), audit.flywheel)
    assert len(errors) == 1
    assert errors[0].startswith("The workbook could not be read (")


def test_a_workbook_with_votes_imports_back_the_same_content_without_votes(db):
    audit = load_demo()
    friction = FrictionPoint.objects.filter(audit=audit).order_by("position")[2]
    force = Force.objects.filter(audit=audit).order_by("team__position", "position")[3]
    users = [get_user_model().objects.create(username=f"voter{number}") for number in range(3)]
    for user in users:
        Vote.objects.create(audit=audit, user=user, friction=friction)
    Vote.objects.create(audit=audit, user=users[0], force=force)
    original = loaded(audit)
    content = export.write(original)
    assert "Votes" in [cell.value for cell in load_workbook(BytesIO(content))["Friction"][1]]
    imported = import_file(content, audit.flywheel)
    assert imported == original
    assert not Vote.objects.filter(audit_id=imported.header.id).exists()
