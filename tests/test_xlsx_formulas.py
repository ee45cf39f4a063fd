"""No user text inside the workbooks' formulas: a formula refers to the cell that holds the text.

A name inlined into a formula makes the formula as long as the name (Excel refuses formulas and
criteria past its limits) and puts user text where a spreadsheet evaluates it.
"""

import re
import shutil
from datetime import date, datetime, time

import pytest
from openpyxl import load_workbook

from audits.models import Stage
from audits.reports import comparison
from audits.reports.exports import comparison_workbook, workbook

from .factories import AuditFactory, MetricFactory, ReadingFactory
from .spreadsheets import resaved_by_libreoffice
from .test_export_xlsx import loaded, reopen, rows_of

pytestmark = pytest.mark.django_db

LONG_NAME = "Visitors " + "x" * 191  # the longest a metric name can be
# The path, in order: a long name, quotes and an equals sign, a leading = with SUMIFS's wildcards and
# a newline, and a name SUMIFS would read as a comparison.
NAMES = [LONG_NAME, 'Leads "hot" =SUM(1)', "=Signups ~*?\nper month", "<100 customers"]
# A word of each name: found in a formula, the name is in it, however quoted.
MARKERS = ["visitors", "leads", "signups", "customers"]
STAGES = [Stage.ATTRACT, Stage.ENGAGE, Stage.ENGAGE, Stage.DELIGHT]
GAINED = {0: (1000, 800), 1: (100, 40), 2: (25, 20), 3: (5, 2)}  # per bucket: January, February
CELL = re.compile(r"(?:'((?:[^']|'')+)'|([^\W\d][\w.]*))!\$?([A-Z]+\$?\d+)")


@pytest.fixture
def named_audit():
    audit = AuditFactory(title="Names")
    for index, (name, stage) in enumerate(zip(NAMES, STAGES, strict=True)):
        metric = MetricFactory(audit=audit, name=name, stage=stage, position=index)
        for month, gained in zip((1, 2), GAINED[index], strict=True):
            ReadingFactory(metric=metric, period_start=date(2025, month, 1), gained=gained, total=gained)
    return audit


def formulas(book) -> list[tuple[str, str]]:
    """Every formula of the workbook, where it is: cells, dropdowns and workbook names."""
    found = []
    for worksheet in book.worksheets:
        for row in worksheet.iter_rows():
            found += [(f"{worksheet.title}!{cell.coordinate}", cell.value) for cell in row if cell.data_type == "f"]
        for validation in worksheet.data_validations.dataValidation:
            found.append((f"{worksheet.title} dropdown {validation.sqref}", validation.formula1))
    found += [(f"name {name}", defined.attr_text) for name, defined in book.defined_names.items()]
    return found


def cell_of(book, formula: str):
    """The one cell of another sheet that the formula refers to."""
    [(quoted, plain, coordinate)] = CELL.findall(formula)
    title = quoted.replace("''", "'") if quoted else plain
    return book[title][coordinate.replace("$", "")]


def excel_criterion_matches(criterion: str, text: str) -> bool:
    """Whether SUMIFS's criterion "=pattern" matches text: * and ? are wildcards, ~ escapes, any case."""
    assert criterion.startswith("=")
    pattern = "".join(
        re.escape(part[1]) if part.startswith("~") else {"*": ".*", "?": "."}.get(part, re.escape(part))
        for part in re.findall(r"~.|.", criterion[1:], re.DOTALL)
    )
    return re.fullmatch(pattern, text, re.IGNORECASE | re.DOTALL) is not None


def criterion_of(formula: str, name: str) -> str:
    """The criterion `"="&SUBSTITUTE(…SUBSTITUTE(name_cell,"a","b")…)` makes of the name, as a spreadsheet does."""
    expression = re.search(r'"="&((?:SUBSTITUTE\()*)[^,]+((?:,"[^"]*","[^"]*"\))*)', formula)
    assert expression, formula
    text = name
    for old, new in re.findall(r',"([^"]*)","([^"]*)"\)', expression.group(2)):
        text = text.replace(old, new)
    return "=" + text


def test_the_audit_workbook_writes_no_name_into_a_formula(named_audit):
    book = reopen(workbook.write(loaded(named_audit)))
    found = formulas(book)
    assert len(found) > 20
    for where, formula in found:
        assert len(formula) < 255, (where, formula)
        for name, marker in zip(NAMES, MARKERS, strict=True):
            assert marker not in formula.lower(), (where, formula)
            assert name.replace('"', '""') not in formula, (where, formula)


def test_conversions_refer_to_the_cell_holding_the_previous_buckets_name(named_audit):
    book = reopen(workbook.write(loaded(named_audit)))
    rows = rows_of(book["Metrics"])
    conversions = [row for row in rows if row["Conversion from previous stage"].value]
    assert len(conversions) == 6  # the three buckets after the first, two months each
    for row in conversions:
        previous = NAMES[NAMES.index(row["Metric"].value) - 1]
        formula = row["Conversion from previous stage"].value
        assert cell_of(book, formula).value == previous, formula


def test_conversions_compute_what_the_audit_shows(named_audit):
    audit_document = loaded(named_audit)
    book = reopen(workbook.write(audit_document))
    rows = rows_of(book["Metrics"])
    expected = {
        (conversion.to_metric, datetime.combine(rate.period_start, time())): rate.rate
        for conversion in audit_document.conversions
        for rate in conversion.rates
    }
    computed = {}
    for row in rows:
        formula = row["Conversion from previous stage"].value
        if not formula:
            continue
        # SUMIFS over the Metric column: the previous bucket's gained in the same period, as a spreadsheet finds it.
        criterion = criterion_of(formula, cell_of(book, formula).value)
        matched = [other for other in rows if excel_criterion_matches(criterion, other["Metric"].value)]
        assert {other["Metric"].value for other in matched} == {NAMES[NAMES.index(row["Metric"].value) - 1]}
        period = row["Period"].value
        previous_gained = sum(other["Gained"].value for other in matched if other["Period"].value == period)
        computed[row["Metric"].value, period] = row["Gained"].value / previous_gained
    assert len(expected) == 6
    assert computed == pytest.approx(expected)


def test_the_comparison_workbook_writes_no_name_into_a_formula(named_audit):
    later = AuditFactory(flywheel=named_audit.flywheel, title="Later", period_year=named_audit.period_year + 1)
    for index, (name, stage) in enumerate(zip(NAMES, STAGES, strict=True)):
        metric = MetricFactory(audit=later, name=name, stage=stage, position=index)
        ReadingFactory(metric=metric, period_start=date(2026, 1, 1), gained=GAINED[index][0], total=10)
    result = comparison.compare(loaded(named_audit), loaded(later))
    book = reopen(comparison_workbook.write(result))
    for where, formula in formulas(book):
        assert len(formula) < 255, (where, formula)
        for marker in MARKERS:
            assert marker not in formula.lower(), (where, formula)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_a_spreadsheet_computes_the_conversions_from_the_names_cells(named_audit, tmp_path):
    audit_document = loaded(named_audit)
    book = load_workbook(resaved_by_libreoffice(workbook.write(audit_document), tmp_path), data_only=True)
    computed = {
        (row["Metric"].value, row["Period"].value): row["Conversion from previous stage"].value
        for row in rows_of(book["Metrics"])
        if row["Metric"].value != NAMES[0]
    }
    expected = {
        (conversion.to_metric, datetime.combine(rate.period_start, time())): rate.rate
        for conversion in audit_document.conversions
        for rate in conversion.rates
    }
    assert computed == pytest.approx(expected)
