"""The workbooks as an executive gets them: tables, frozen headers, whole-column dropdowns, print setup,
periods as dates, charts with axis titles, formulas a spreadsheet computes, and no English in vi/fa.

Both workbooks (the audit's and the comparison's) are built with exports/sheets.py; these tests read
the files back as Excel would see them. LibreOffice, where installed, prints and recalculates them
(skipped, with the reason, where it is not).
"""

import re
import shutil
import subprocess
import zlib
from dataclasses import fields, is_dataclass, replace
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real
from openpyxl import load_workbook

from audits.content import document
from audits.content.document import NO
from audits.models import Audit, Metric
from audits.reports import comparison
from audits.reports.exports import comparison_workbook, workbook
from audits.reports.imports import import_audit, read_file

from .factories import AuditFactory, MetricFactory, ReadingFactory
from .spreadsheets import resaved_by_libreoffice

pytestmark = pytest.mark.django_db

LAST_ROW = 1_048_576
LIST_SHEETS = ["Strategy", "Metrics", "Forces", "Friction", "Self-assessment", "Action review", "Actions"]
CHANGE_SHEETS = ["Forces changes", "Friction changes", "Strategy changes"]
PSEUDO = {"vi": "Đ", "fa": "ت"}  # a made-up translation: this letter and a number, the placeholders kept
NO_LIBREOFFICE = "LibreOffice (soffice) and pdfinfo are not installed: the print check needs them"


def loaded(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def reopen(content: bytes):
    return load_workbook(BytesIO(content))


@pytest.fixture
def documents(demo_audits):
    return tuple(loaded(audit) for audit in demo_audits)


@pytest.fixture
def book(documents):
    return reopen(workbook.write(documents[1]))


@pytest.fixture
def comparison_book(documents):
    return reopen(comparison_workbook.write(comparison.compare(*documents)))


def visible(book) -> list:
    return [worksheet for worksheet in book.worksheets if worksheet.sheet_state == "visible"]


# --- Tables, frozen headers, dropdowns, print setup -----------------------------------------------


def test_every_list_sheet_is_an_excel_table_over_all_its_rows_with_a_frozen_header(book, comparison_book):
    names = []
    for worksheet in [*(book[title] for title in LIST_SHEETS), *(comparison_book[title] for title in CHANGE_SHEETS)]:
        [table] = worksheet.tables.values()
        assert table.ref == f"A1:{worksheet.cell(row=1, column=worksheet.max_column).column_letter}{worksheet.max_row}"
        assert table.autoFilter is not None and table.headerRowCount == 1
        assert [column.name for column in table.tableColumns] == [cell.value for cell in worksheet[1]]
        assert worksheet.freeze_panes == "A2", worksheet.title
        names.append(table.displayName)
    trends = book["Trends"]
    assert sorted(trends.tables) == ["TrendConversions", "TrendTotals"]
    assert trends.tables["TrendTotals"].ref.endswith(str(trends.max_row)) and trends.freeze_panes == "A2"
    names += list(trends.tables)
    blocks = comparison_book["Comparison"].tables
    assert sorted(blocks) == ["ComparisonConversions", "ComparisonFixMix", "ComparisonMetrics"]
    names += list(blocks)
    assert len({name.casefold() for name in names}) == len(names)


def test_the_output_sheets_are_locked_but_still_filter_and_sort(book):
    for title in ("Actions", "Trends"):
        protection = book[title].protection
        assert protection.sheet and not protection.autoFilter and not protection.sort


def test_every_dropdown_covers_its_whole_column(book):
    validations = [v for worksheet in book.worksheets for v in worksheet.data_validations.dataValidation]
    assert len(validations) >= 12
    for validation in validations:
        [cells] = str(validation.sqref).split()
        assert re.fullmatch(rf"(?P<c>[A-Z]+)2:(?P=c){LAST_ROW}", cells), cells


def test_every_sheet_prints_landscape_one_page_wide_with_its_header_repeated(book, comparison_book):
    for worksheet in [*visible(book), *comparison_book.worksheets]:
        setup = worksheet.page_setup
        assert setup.orientation == "landscape", worksheet.title
        assert (setup.fitToWidth, setup.fitToHeight) == (1, 0), worksheet.title
        assert worksheet.sheet_properties.pageSetUpPr.fitToPage, worksheet.title
        if worksheet.title != "Comparison":  # blocks one under another: no single header to repeat
            assert worksheet.print_title_rows in ("1:1", "$1:$1"), worksheet.title


@pytest.mark.skipif(not (shutil.which("soffice") and shutil.which("pdfinfo")), reason=NO_LIBREOFFICE)
def test_the_demo_prints_in_a_few_pages(documents, tmp_path):
    """42 pages before the print setup (the audit), 24 (the comparison); now about a page a sheet."""
    files = {
        "audit.xlsx": workbook.write(documents[1]),
        "comparison.xlsx": comparison_workbook.write(comparison.compare(*documents)),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    command = ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf"]
    subprocess.run([*command, "--outdir", str(tmp_path), *(str(tmp_path / name) for name in files)], timeout=240)
    pages = {name: _pages(tmp_path / name.replace(".xlsx", ".pdf")) for name in files}
    assert pages["audit.xlsx"] <= 12, pages  # nine sheets
    assert pages["comparison.xlsx"] <= 5, pages


def _pages(pdf: Path) -> int:
    assert pdf.exists(), f"LibreOffice did not print {pdf.name}"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


# --- Periods, charts, formulas ---------------------------------------------------------------------


def test_periods_are_dates_shown_as_months(book, documents):
    metrics = book["Metrics"]
    [period] = [cell for cell in metrics[1] if cell.value == "Period"]
    months = [row[0] for row in metrics.iter_rows(min_row=2, min_col=period.column, max_col=period.column)]
    assert months and all(isinstance(cell.value, datetime) and cell.number_format == "mmm yyyy" for cell in months)
    trends = [row[0] for row in book["Trends"].iter_rows(min_row=2, max_col=1)]
    starts = sorted({reading.period_start for metric in documents[1].metrics for reading in metric.readings})
    assert [cell.value.date() for cell in trends] == starts
    assert all(cell.number_format == "mmm yyyy" for cell in trends)


def test_every_chart_titles_both_axes(book, comparison_book):
    charts = [*book["Trends"]._charts, *comparison_book["Comparison"]._charts]
    assert len(charts) == 5
    for chart in charts:
        for axis in (chart.x_axis, chart.y_axis):
            assert not axis.delete
            assert axis.title is not None and _text_of(axis.title)


def _text_of(title) -> str:
    return "".join(run.t for paragraph in title.tx.rich.p for run in paragraph.r or [])


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed: nothing to recalculate with")
def test_a_spreadsheet_computes_the_comparisons_changes(documents, tmp_path):
    result = comparison.compare(*documents)
    saved = resaved_by_libreoffice(comparison_workbook.write(result), tmp_path)
    worksheet = load_workbook(saved, data_only=True)["Comparison"]
    header = next(row[0].row for row in worksheet.iter_rows() if row[0].value == "Metric")
    rows = list(worksheet.iter_rows(min_row=header + 1, max_row=header + len(result.metrics), values_only=True))
    assert [row[3] for row in rows] == pytest.approx([change.absolute for change in result.metrics])
    assert [row[4] for row in rows] == pytest.approx([change.relative for change in result.metrics])
    header = next(row[0].row for row in worksheet.iter_rows() if row[0].value == "Conversion")
    rows = list(worksheet.iter_rows(min_row=header + 1, max_row=header + len(result.conversions), values_only=True))
    assert [row[3] for row in rows] == pytest.approx([change.points for change in result.conversions])


# --- Round trips ------------------------------------------------------------------------------------


def test_export_import_export_gives_the_same_workbook(demo_audits):
    audit = demo_audits[1]
    content = workbook.write(loaded(audit))
    copy = import_audit(read_file(content), audit.flywheel)
    assert _cells(workbook.write(loaded(copy))) == _cells(content)


def test_months_quarters_and_years_import_back_from_their_cells(audit):
    for name, period, start in (
        ("Monthly", Metric.Period.MONTH, date(2025, 3, 1)),
        ("Quarterly", Metric.Period.QUARTER, date(2025, 4, 1)),
        ("Yearly", Metric.Period.YEAR, date(2025, 1, 1)),
    ):
        ReadingFactory(metric=MetricFactory(audit=audit, name=name, period=period), period_start=start, total=7)
    original = loaded(audit)
    copy = loaded(import_audit(read_file(workbook.write(original)), audit.flywheel))
    assert {m.name: [r.period_start for r in m.readings] for m in copy.metrics} == {
        "Monthly": [date(2025, 3, 1)],
        "Quarterly": [date(2025, 4, 1)],
        "Yearly": [date(2025, 1, 1)],
    }


def _cells(content: bytes) -> dict[str, list]:
    book = reopen(content)
    return {
        worksheet.title: [[cell.value for cell in row] for row in worksheet.iter_rows()]
        for worksheet in book.worksheets
    }


# --- Native Vietnamese and Persian ------------------------------------------------------------------


@pytest.fixture
def pseudo_translated(monkeypatch):
    """Every label, with a context (pgettext) or not, translated to a text with no Latin letter.

    So any Latin letter left in a cell is user text or an English label that missed translation.
    """
    for language, letter in PSEUDO.items():
        catalog = trans_real.translation(language)

        def gettext(message, letter=letter):
            placeholders = re.findall(r"%\(\w+\)s|\{\w+\}", message)
            return " ".join([f"{letter}{zlib.crc32(message.encode())}", *placeholders])

        monkeypatch.setattr(catalog, "gettext", gettext)


def _user_texts(value) -> set[str]:
    """Every text of a document: user data, which stays as written in every language."""
    if isinstance(value, str):
        return {value}
    if is_dataclass(value):
        return set().union(*(_user_texts(getattr(value, item.name)) for item in fields(value)))
    if isinstance(value, tuple | list):
        return set().union(set(), *(_user_texts(item) for item in value))
    return set()


@pytest.mark.parametrize("language", ["vi", "fa"])
def test_no_english_label_is_left_in_a_vietnamese_or_persian_workbook(pseudo_translated, documents, language):
    before, after = (replace(doc, header=replace(doc.header, language=language)) for doc in documents)
    # "No" is stored in English (tables.NO): a label, shown in the workbook's language.
    user = sorted((_user_texts(before) | _user_texts(after)) - {NO}, key=len, reverse=True)
    user += [name for _code, name in settings.LANGUAGES]  # each language by its own name
    with translation.override(language):
        books = [reopen(workbook.write(after)), reopen(comparison_workbook.write(comparison.compare(before, after)))]
    english = []
    for worksheet in (worksheet for book in books for worksheet in visible(book)):
        for cell in (cell for row in worksheet.iter_rows() for cell in row if cell.data_type == "s"):
            rest = cell.value
            for text in (text for text in user if text in rest):  # user text, alone or joined
                rest = rest.replace(text, "")
            if re.search("[A-Za-z]", rest):
                english.append((worksheet.title, cell.coordinate, cell.value))
        # A month's name in English is as English as a label.
        for cell in (cell for row in worksheet.iter_rows() for cell in row if cell.is_date):
            assert "mmm" not in cell.number_format or cell.number_format.startswith("[$-42A]"), cell.number_format
    assert english == [], "\n".join(map(str, english))


def test_a_persian_workbook_reads_right_to_left_charts_included(documents):
    before, after = (replace(doc, header=replace(doc.header, language="fa")) for doc in documents)
    with translation.override("fa"):
        books = [reopen(workbook.write(after)), reopen(comparison_workbook.write(comparison.compare(before, after)))]
    assert all(worksheet.sheet_view.rightToLeft for book in books for worksheet in book.worksheets)
    charts = [chart for book in books for worksheet in book.worksheets for chart in worksheet._charts]
    across = [chart for chart in charts if getattr(chart, "type", "col") != "bar"]  # categories side by side
    assert len(across) == 4
    assert all(chart.x_axis.scaling.orientation == "maxMin" for chart in across)
    # Months by number, year first: Persian month names are the solar calendar's.
    trends = books[0].worksheets[8]
    assert trends["A2"].is_date and trends["A2"].number_format == "yyyy/mm"


def test_empty_audits_give_tables_of_one_blank_row_that_do_not_overlap(flywheel):
    first, second = AuditFactory(flywheel=flywheel, period_year=2024), AuditFactory(flywheel=flywheel)
    books = [
        reopen(workbook.write(loaded(second))),
        reopen(comparison_workbook.write(comparison.compare(loaded(first), loaded(second)))),
    ]
    for worksheet in (worksheet for book in books for worksheet in book.worksheets):
        taken = set()
        for table in worksheet.tables.values():
            cells = {cell.coordinate for row in worksheet[table.ref] for cell in row}
            assert len(worksheet[table.ref]) >= 2 and not cells & taken, (worksheet.title, table.ref)
            taken |= cells
    notes = [row[0].value for row in books[1]["Comparison"].iter_rows() if row[0].value]
    assert "No metric is in both audits." in notes
