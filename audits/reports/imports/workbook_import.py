"""Reading the tool's own Excel workbook (exports/workbook.py) into a RawAudit, edited or not.

People edit the workbook in Excel or LibreOffice: they add, change, delete and reorder rows, and
may move columns. So each sheet's header row is found by its titles and every column by its
title; empty rows are skipped; computed columns (Votes among them) and the output sheets are never
read. The file is checked as a zip before openpyxl parses any of it, and what reading it may cost
is bounded before and while it is read (workbook_limits.py).

A workbook is in its audit's language. Each sheet is found by the hidden workbook name the export
gives it (which follows the sheet when someone renames it), else by its title; titles, labels and
choices are accepted as any audit language writes them, whoever uploads the file.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from itertools import chain, islice

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from audits.content import periods
from audits.content.document import METRIC_FIELDS
from audits.models import Metric
from audits.reports.exports import workbook as layout
from audits.reports.imports.raw import (
    Budget,
    ImportFailed,
    MetricRows,
    RawAudit,
    Row,
    as_text,
    choice_lookup,
    every_spelling,
    in_every_language,
    shortened,
)
from audits.reports.imports.workbook_limits import (
    MAX_COLUMNS,
    UNREADABLE,
    Meter,
    MeteredArchive,
    check_archive,
    unreadable,
)

HEADER_SEARCH_ROWS = 10  # the header is the first row, unless someone inserted a few above it
METRIC_KEYS = tuple(column.key for column in layout.METRIC_DEFINITION_COLUMNS)
# Columns added after the first workbooks went out: a workbook without them still imports, with the defaults.
ADDED_LATER = {"higher_is_better", "target"}
# The sheets read back, by key, with their columns.
INPUT_SHEETS = {
    layout.OVERVIEW: layout.OVERVIEW_COLUMNS,
    layout.STRATEGY: layout.STRATEGY_COLUMNS,
    layout.METRICS: layout.METRIC_COLUMNS,
    layout.FORCES: layout.FORCE_COLUMNS,
    layout.FRICTION: layout.FRICTION_COLUMNS,
    layout.ASSESSMENT: layout.ASSESSMENT_COLUMNS,
    layout.REVIEW: layout.REVIEW_COLUMNS,
}
OPTIONAL_SHEETS = {layout.REVIEW}  # added later: older workbooks have no reviews
# The metric's columns read as a choice, and the Metric field each is (column → field), and those read as a yes/no.
METRIC_CHOICES = {
    layout.METRIC_KEYS.get(name, name): name for name in METRIC_FIELDS if Metric._meta.get_field(name).choices
}
FLAGS = tuple(column.key for column in layout.METRIC_DEFINITION_COLUMNS if column.choices == "yes_no")


@dataclass
class SheetRows:
    """A sheet's non-empty rows, each with its row number, values by key and column letters by key."""

    name: str
    rows: list[tuple[int, dict]]
    letters: dict[str, str]

    def row(self, number: int, values: dict, keys=None) -> Row:
        keys = values.keys() if keys is None else keys
        columns = {key: f"column {self.letters[key]}" for key in keys if key in self.letters}
        return Row(f"{self.name} sheet, row {number}", {key: values.get(key) for key in keys}, columns)


def read(content: bytes) -> RawAudit:
    """Return the workbook's rows as a RawAudit; raise ImportFailed if it cannot be read at all."""
    budget = Budget(_("The workbook has more than %(rows)s rows; split the audit or remove rows."))
    check_archive(content, budget)
    try:
        workbook = load_workbook(BytesIO(content), read_only=True, data_only=True, keep_links=False)
    except UNREADABLE as error:
        raise unreadable(error) from error
    meter = Meter(budget)
    # In read-only mode openpyxl opens each sheet from `_archive` when its rows are asked for: the
    # sheets are read through the meter. (tests/test_import_limits.py checks that this still holds.)
    workbook._archive = MeteredArchive(workbook._archive, meter)
    try:
        return _read_workbook(workbook, meter)
    except UNREADABLE as error:  # in read-only mode a damaged sheet shows only when it is read
        raise unreadable(error) from error
    finally:
        workbook.close()


def _read_workbook(workbook, meter: Meter) -> RawAudit:
    names = sheet_names(workbook)
    problems = [
        f"The {layout.SHEET_TITLES[key]} sheet is missing: "
        "import a workbook exported from Flywheel Audit, with all its sheets."
        for key in INPUT_SHEETS
        if key not in names and key not in OPTIONAL_SHEETS
    ]
    if problems:
        raise ImportFailed(problems)
    sheets = {}
    for key, name in names.items():
        columns = [column for column in INPUT_SHEETS[key] if not column.computed]
        sheet = _read_sheet(workbook[name], shortened(name), columns, meter)
        if isinstance(sheet, list):
            problems.extend(sheet)
        else:
            sheets[key] = sheet
    if problems:
        raise ImportFailed(problems)
    header, teams = _overview(sheets[layout.OVERVIEW])
    metrics, metric_problems = _metrics(sheets[layout.METRICS])
    return RawAudit(
        header=header,
        strategies=_rows(sheets[layout.STRATEGY]),
        metrics=metrics,
        teams=teams,
        forces=_rows(sheets[layout.FORCES]),
        friction=_rows(sheets[layout.FRICTION]),
        assessment=_rows(sheets[layout.ASSESSMENT]),
        reviews=_rows(sheets[layout.REVIEW]) if layout.REVIEW in sheets else [],
        problems=metric_problems,
    )


def sheet_names(workbook) -> dict[str, str]:
    """Each input sheet's name in `workbook`, by key: where the export's hidden name points, else by its title.

    Titles are matched as any audit language writes them (Excel's sheet names ignore case).
    """
    keys_by_title: dict[str, str] = {}
    for titles in in_every_language(layout.sheet_titles):
        for key, title in titles.items():
            keys_by_title.setdefault(title.casefold(), key)
    names: dict[str, str] = {}
    for name in workbook.sheetnames:
        key = keys_by_title.get(name.casefold())
        if key in INPUT_SHEETS:
            names.setdefault(key, name)
    for key in INPUT_SHEETS:
        named = _named_sheet(workbook, layout.defined_name(key))
        if named in workbook.sheetnames:
            names[key] = named
    return names


def _named_sheet(workbook, name: str) -> str | None:
    """The sheet a workbook name points at; None when it is missing or points nowhere (#REF!)."""
    defined = workbook.defined_names.get(name)
    if defined is None:
        return None
    try:
        return next((sheet.replace("''", "'") for sheet, _cells in defined.destinations if sheet), None)
    except (ValueError, TypeError, AttributeError, IndexError):
        return None


def _title(value) -> str:
    return " ".join(as_text(value).split()).casefold()


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _rows_read(worksheet, meter: Meter) -> Iterator[tuple]:
    """Every row of the sheet, blank or not, each counted before anything is done with it."""
    worksheet.reset_dimensions()  # trust the cells, not a dimension some programs write wrong
    rows = worksheet.iter_rows(max_row=meter.budget.rows_left + 1, max_col=MAX_COLUMNS, values_only=True)
    for cells in rows:
        meter.take_row()
        yield cells


def _read_sheet(worksheet, name: str, columns: list, meter: Meter) -> SheetRows | list[str]:
    """The sheet's non-empty rows below its header, or the problems with its header."""
    rows = _rows_read(worksheet, meter)
    wanted = {title: column.key for column in columns for title in every_spelling(column.title)}
    # The header is the row, among the first few, that names the most of the sheet's columns.
    top = list(islice(rows, HEADER_SEARCH_ROWS))
    scores = [sum(1 for title in {_title(cell) for cell in cells} if title in wanted) for cells in top]
    if not any(scores):
        return [f"The {name} sheet has no header row: its first row should name the columns {_titles(columns)}."]
    header_index = scores.index(max(scores))
    titles = [_title(cell) for cell in top[header_index]]
    positions = {wanted[title]: index for index, title in reversed(list(enumerate(titles))) if title in wanted}
    missing = [str(column.title) for column in columns if column.key not in positions and column.key not in ADDED_LATER]
    if missing:
        return [
            f"{name} sheet, row {header_index + 1}: the header row lacks the column{'s' if len(missing) > 1 else ''} "
            f"{_titles(missing)} (expected: {_titles(columns)})."
        ]
    found = []
    for number, cells in enumerate(chain(top[header_index + 1 :], rows), start=header_index + 2):
        if not any(cells):
            continue
        values = {column.key: None for column in columns}  # a column added later may be absent
        values |= {key: cells[index] if index < len(cells) else None for key, index in positions.items()}
        if all(_is_empty(value) for value in values.values()):
            continue
        found.append((number, values))
    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
    return SheetRows(name, found, letters)


def _titles(columns: list) -> str:
    return ", ".join(str(column if isinstance(column, str) else column.title) for column in columns)


def _rows(sheet: SheetRows) -> list[Row]:
    return [sheet.row(number, values) for number, values in sheet.rows]


def _overview(sheet: SheetRows) -> tuple[Row, list[Row]]:
    """The header fields, by their label in the Field column, and the team list, in order."""
    fields = {title: key for key, label in layout.HEADER_FIELDS.items() for title in every_spelling(label)}
    team_labels = every_spelling(layout.TEAM_LABEL)
    values, columns, teams = {}, {}, []
    for number, row in sheet.rows:
        label = _title(row["field"])
        if label in fields and fields[label] not in values:
            values[fields[label]] = row["value"]
            columns[fields[label]] = f"row {number}"
        elif label in team_labels and not _is_empty(row["value"]):
            teams.append(Row(f"{sheet.name} sheet, row {number}", {"name": row["value"]}))
    return Row(f"{sheet.name} sheet", values, columns), teams


@dataclass
class Labels:
    """What the metric columns' labels stand for, in every audit language: built once per import."""

    choices: dict[str, dict[str, str]]  # column key → {normalized label or value: value}
    flags: dict[str, str]  # "Yes" and "No" (the flags' dropdown), normalized → "yes", "no"

    @classmethod
    def collect(cls) -> "Labels":
        choices = {key: choice_lookup(Metric._meta.get_field(name).choices) for key, name in METRIC_CHOICES.items()}
        flags = dict.fromkeys(every_spelling(layout.YES), "yes") | dict.fromkeys(every_spelling(layout.NO), "no")
        return cls(choices, flags)

    def value(self, key: str, cell):
        """The value a labelled cell stands for ("Attract" in any language → "attract"), else the cell as it is."""
        lookup = self.flags if key in FLAGS else self.choices.get(key)
        return cell if lookup is None else lookup.get(_title(cell), cell)


def _metrics(sheet: SheetRows) -> tuple[list[MetricRows], list[str]]:
    """Rows of the same metric name make one metric; each row with a period is one of its readings."""
    metrics: dict[tuple, MetricRows] = {}
    first_rows: dict[tuple, tuple[int, dict]] = {}
    problems = []
    labels = Labels.collect()
    for number, values in sheet.rows:
        # Unnamed rows stay apart: each is reported as a metric without a name.
        name = (
            ("name", as_text(values["name"]).strip().casefold()) if not _is_empty(values["name"]) else ("row", number)
        )
        if name not in metrics:
            definition = {key: labels.value(key, values[key]) if key in FLAGS else values[key] for key in METRIC_KEYS}
            metric = sheet.row(number, definition)
            metric.values["period"] = metric.values.pop("period_type")
            metric.columns["period"] = metric.columns.pop("period_type")
            metrics[name] = MetricRows(metric)
            first_rows[name] = (number, values)
        else:
            problems.extend(_differences(sheet, labels, number, values, *first_rows[name]))
        if _is_empty(values["period"]) and all(_is_empty(values[key]) for key in layout.READING_KEYS):
            continue  # a metric with no readings
        reading = sheet.row(number, values, ("period", *layout.READING_KEYS))
        reading.values["period"] = _period_text(values["period"], labels.value("period_type", values["period_type"]))
        metrics[name].readings.append(reading)
    return list(metrics.values()), problems


def _differences(
    sheet: SheetRows, labels: Labels, number: int, values: dict, first_number: int, first: dict
) -> list[str]:
    """A metric's definition must read the same on all its rows: say where it does not."""
    titles = {column.key: str(column.title) for column in layout.METRIC_COLUMNS}
    return [
        f"{sheet.name} sheet, row {number}, column {sheet.letters[key]}: {titles[key]} "
        f"'{_quoted(values[key])}' differs from row {first_number} ('{_quoted(first[key])}') "
        f"for the metric “{_quoted(values['name'])}”; a metric's columns must match on all its rows."
        for key in METRIC_KEYS
        if _comparable(key, labels.value(key, values[key])) != _comparable(key, labels.value(key, first[key]))
    ]


def _quoted(value) -> str:
    return shortened(as_text(value).strip())


def _comparable(key: str, value) -> str:
    """A metric's column as compared across its rows, its labels already made values (`Labels.value`)."""
    text = as_text(value).strip().casefold()
    if key == "illustrative":
        return str(text in ("true", "yes", "1"))
    if key == "higher_is_better":  # empty means the default: yes
        return str(text in ("true", "yes", "1", ""))
    return text


def _period_text(value, period_type) -> object:
    """A period as a date — the export writes months and years so, and a spreadsheet turns a typed 2018-01
    into one — becomes the period's text again; a period as text (a quarter, older workbooks) stays as it is."""
    if not isinstance(value, datetime.date):
        return value
    day = value.date() if isinstance(value, datetime.datetime) else value
    kind = _comparable("period_type", period_type)  # already a value: Labels.value
    if kind not in periods.KINDS:
        return value
    return periods.period_input(periods.period_start(day, kind), kind)
