"""The sheet toolkit: how every workbook lays out what its content modules declare.

A content module (workbook.py, comparison_workbook.py) says what each sheet holds — its columns and its rows
of values (`SheetData`) — and this module writes it: a styled, frozen header, an Excel table with
filter buttons, dropdowns over whole columns, column widths and row heights (xlsx has no autofit),
a print setup (landscape, one page wide, the header repeated on every page), and the language
pass (a font for the audit's script, Persian right to left, dates in the language's own words).

User text never becomes a formula: every text goes through `put_text`. Formulas are our own
(`Formula`): our labels enter them as quoted literals, user text only by the cell that holds it.

Styles are made once per workbook (`CellStyles`): the first cell of a look is styled through
openpyxl, every later one gets a copy of its style array, instead of looking each font, fill and
alignment up again in the workbook's style tables (what made the writer slow).
"""

import math
import re
from collections.abc import Collection, Iterable
from copy import copy
from dataclasses import dataclass, field
from datetime import date

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from audits.content.guidance import Text
from audits.reports.exports.languages import script_of

MAX_CELL_CHARACTERS = 32_767  # Excel's limit
# XML 1.0 cannot hold these either; openpyxl's pattern covers only the C0 controls.
UNWRITABLE_CHARACTERS = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ufffe\uffff\ud800-\udfff]")
# OWASP's list: a spreadsheet may run text that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

INTEGER, DECIMAL, PERCENT, SCORE, DATE, TEXT = "#,##0", "#,##0.00", "0.0%", "0", "yyyy-mm-dd", "@"
GENERAL = "General"
LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 409  # points; Excel's tallest row
LAST_ROW = 1_048_576  # Excel's last row: dropdowns cover a whole column, rows added later too
MAX_SHEET_TITLE = 31  # Excel's limit
SHEET_TITLE_UNWRITABLE = re.compile(r"[\[\]:*?/\\]")

# Named, as the workbook's default font is: a font without a name is drawn in the program's own default
# (a serif in LibreOffice). apply_language names the font of the audit's script instead.
FONT_NAME = "Calibri"
HEADER_FONT = Font(name=FONT_NAME, bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
COMPUTED_FILL = PatternFill("solid", fgColor="7F7F7F")  # computed columns: not read back
SECTION_FONT = Font(name=FONT_NAME, bold=True)
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
NOTE_FONT = Font(name=FONT_NAME, italic=True, color="595959")
WRAPPED = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
TABLE_STYLE = "TableStyleLight9"


@dataclass(frozen=True)
class Column:
    key: str
    title: Text
    number_format: str = ""
    wrap: bool = False  # long text: a wide column with wrapped lines
    choices: str = ""  # the list (on the Lists sheet) its dropdown offers
    computed: bool = False  # a formula or output: never read back


@dataclass(frozen=True)
class Formula:
    """A formula written into each row: `{key}` is this row's cell, `{key_column}` the whole column.

    `literals` are our own labels the formula compares with; they enter it as quoted string
    literals (`{0}`, `{1}`, …), never as formula text. User text never enters a formula at all:
    each of `names` is written once on the hidden Lists sheet and the formula refers to its cell
    (`{name0}`, `{name1}`, …), so a formula stays short and nothing a user typed is evaluated.
    """

    template: str
    literals: tuple[Text, ...] = ()
    names: tuple[str, ...] = ()


@dataclass(frozen=True)
class Formatted:
    """A value with its own look, where the column's does not fit: a period of another kind, a coloured word."""

    value: object
    number_format: str = ""  # "": the column's
    font: Font | None = None


@dataclass
class SheetData:
    title: str
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)
    table: str = ""  # the worksheet table's name: every list sheet has one
    read_only: bool = False
    key: str = ""  # the sheet's name whatever its language: a hidden workbook name (`defined_name`)


# --- Text -----------------------------------------------------------------------------------------


def clean_text(text: str) -> str:
    """Text a cell can hold: no characters XML forbids, at most Excel's 32,767 characters."""
    return UNWRITABLE_CHARACTERS.sub("", text)[:MAX_CELL_CHARACTERS]


def put_text(cell: Cell, text: str) -> None:
    """Write user text so that no spreadsheet runs it as a formula; the value itself is unchanged.

    Style the cell first: the quote prefix is part of its style.
    """
    text = clean_text(text)
    # Not through `cell.value`, which would check again what clean_text made sure of, and would make a
    # formula of "=…" and an error of "#N/A": always a string.
    cell._value, cell.data_type = text, "s"
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def valid_sheet_title(title: Text, taken: Collection[str] = ()) -> str:
    """Return `title` as a sheet can be named: none of : \\ / ? * [ ], at most 31 characters, not `taken`.

    A translation that cannot be used (nothing left of it, or another sheet's title) gives way to
    the English title.
    """
    taken = {name.casefold() for name in taken}
    text = _sheet_safe(str(title))
    if not text or text.casefold() in taken:
        with translation.override("en"):
            text = _sheet_safe(str(title))
    return text


def _sheet_safe(text: str) -> str:
    text = " ".join(SHEET_TITLE_UNWRITABLE.sub(" ", text).split())
    return text[:MAX_SHEET_TITLE].strip().strip("'").strip()


def unique_titles(titles: Iterable[str]) -> list[str]:
    """Column titles a table accepts: none empty, none twice (Excel compares them ignoring case)."""
    seen: set[str] = set()
    unique = []
    for title in titles:
        text = clean_text(title) if title.strip() else "—"
        candidate, number = text, 2
        while candidate.casefold() in seen:
            candidate, number = f"{text} ({number})", number + 1
        seen.add(candidate.casefold())
        unique.append(candidate)
    return unique


# --- The language pass ----------------------------------------------------------------------------

# A month as the language writes it: Vietnamese month names by the locale code (LibreOffice and
# Excel show "Tháng 01 2018"); Persian by number, year first, since Persian month names are the
# solar calendar's and would misname a Gregorian month.
MONTH_FORMATS = {"en": "mmm yyyy", "vi": "[$-42A]mmm yyyy", "fa": "yyyy/mm"}
YEAR_FORMAT = "yyyy"
DATE_WIDTH = 14  # the longest a shown date is: "Tháng 12 2018", "2018-12-31"


def month_format(language: str | None = None) -> str:
    return MONTH_FORMATS.get(language or translation.get_language() or "en", MONTH_FORMATS["en"])


def apply_language(workbook: Workbook, language: str) -> None:
    """Write every sheet in the audit's script: a font that has its letters, and Persian right to left.

    openpyxl keeps each distinct font and alignment once, in the workbook's style tables, and cells
    refer to them by position: replacing the tables' entries changes every cell at once, however
    many there are. (These tables are openpyxl's internals, pinned by requirements.txt; the
    languages tests read the fonts back, so a change there fails loudly.)
    """
    script = script_of(language)
    if script.sheet_font:
        # No theme scheme: a font that names one is drawn with the theme's font instead of its own name.
        workbook._fonts = IndexedList(_changed(font, name=script.sheet_font, scheme=None) for font in workbook._fonts)
    if script.right_to_left:
        workbook._alignments = IndexedList(_changed(alignment, readingOrder=2) for alignment in workbook._alignments)
        for worksheet in workbook.worksheets:
            worksheet.sheet_view.rightToLeft = True
            for chart in worksheet._charts:
                mirror(chart)


def mirror(chart) -> None:
    """A chart read from right to left: categories from the right, the value axis on the right.

    A horizontal bar chart's categories run down, not across: it stays as it is.
    """
    if getattr(chart, "type", "") == "bar":
        return
    # The value axis crosses at the first category, which is now on the right.
    chart.x_axis.scaling.orientation = "maxMin"


def _changed(style, **values):
    changed = copy(style)
    for name, value in values.items():
        setattr(changed, name, value)
    return changed


# --- Styles, made once per workbook ---------------------------------------------------------------


class CellStyles:
    """Each look a cell can have (number format, alignment, font, fill), styled once and copied after.

    The style objects are the module's constants (or kept alive here): looks are told apart by identity.
    """

    def __init__(self):
        self._arrays: dict[tuple, tuple] = {}

    def apply(
        self,
        cell: Cell,
        number_format: str = GENERAL,
        alignment: Alignment | None = None,
        font: Font | None = None,
        fill: PatternFill | None = None,
    ) -> None:
        key = (number_format, id(alignment), id(font), id(fill))
        known = self._arrays.get(key)
        if known is not None:
            cell._style = StyleArray(known[0])
            return
        cell.number_format = number_format
        if alignment is not None:
            cell.alignment = alignment
        if font is not None:
            cell.font = font
        if fill is not None:
            cell.fill = fill
        self._arrays[key] = (copy(cell._style), (alignment, font, fill))


# --- Writing a list sheet -------------------------------------------------------------------------


def defined_name(key: str) -> str:
    """The hidden workbook name that points at a sheet, whatever the sheet's title."""
    return f"flywheel_audit_{key}"


def write_list_sheet(
    workbook: Workbook,
    styles: CellStyles,
    sheet: SheetData,
    list_ranges: dict[str, str] | None = None,
    name_cells: dict[str, str] | None = None,
) -> Worksheet:
    """A sheet of rows under a header: an Excel table (when named), frozen, dropdowns, print setup."""
    worksheet = workbook.create_sheet(sheet.title)
    if sheet.key:
        name = defined_name(sheet.key)
        reference = f"{quote_sheetname(worksheet.title)}!$A$1"
        workbook.defined_names[name] = DefinedName(name, attr_text=reference, hidden=True)
    write_header(worksheet, styles, [str(column.title) for column in sheet.columns], 1, sheet.columns)
    write_rows(worksheet, styles, sheet.columns, sheet.rows, name_cells or {})
    fit_rows(worksheet, sheet.columns, sheet.rows, fit_columns(worksheet, sheet.columns, sheet.rows))
    last_row = max(2, len(sheet.rows) + 1)
    if sheet.table:
        add_table(worksheet, sheet.table, 1, 1, len(sheet.columns), last_row)
    if list_ranges:
        add_dropdowns(worksheet, sheet.columns, list_ranges)
    worksheet.freeze_panes = "A2"
    print_setup(worksheet)
    if sheet.read_only:
        protect(worksheet)
    return worksheet


def write_header(
    worksheet: Worksheet, styles: CellStyles, titles: list[str], row: int = 1, columns=None, first_column: int = 1
) -> None:
    """The header row: user text among the titles (a metric's name) stays text, never a formula."""
    for index, title in enumerate(titles):
        cell = worksheet.cell(row=row, column=first_column + index)
        computed = columns is not None and columns[index].computed
        styles.apply(cell, GENERAL, WRAPPED, HEADER_FONT, COMPUTED_FILL if computed else HEADER_FILL)
        put_text(cell, title)


def write_rows(
    worksheet: Worksheet,
    styles: CellStyles,
    columns: tuple[Column, ...],
    rows: list[dict],
    name_cells: dict[str, str],
    first_row: int = 2,
    first_column: int = 1,
) -> None:
    """The rows' values under the header; an empty cell is not written: its column's style is (`fit_columns`).

    A row's "format" and "font", when it has them, are its cells' (the Overview's dates, a total in bold).
    """
    letters = [get_column_letter(index) for index in range(first_column, first_column + len(columns))]
    looks = [(column.key, column.number_format or GENERAL, WRAPPED if column.wrap else TOP) for column in columns]
    cells = worksheet._cells  # as Worksheet.append fills it: the cells are new, nothing to look up
    keys = list(zip((column.key for column in columns), letters, strict=True))
    whole_columns = {f"{key}_column": f"${letter}:${letter}" for key, letter in keys}
    for row_number, row in enumerate(rows, start=first_row):
        references = None
        row_format, font = row.get("format"), row.get("font")
        for index, (key, number_format, alignment) in enumerate(looks, start=first_column):
            value = row.get(key)
            if value is None or value == "" or (isinstance(value, Formatted) and value.value in (None, "")):
                continue
            cell = cells[row_number, index] = Cell(worksheet, row=row_number, column=index)
            if isinstance(value, Formatted):
                number_format = value.number_format or number_format
                styles.apply(cell, row_format or number_format, alignment, value.font or font)
                value = value.value
            else:
                styles.apply(cell, row_format or number_format, alignment, font)
            if isinstance(value, str):
                put_text(cell, value)
            elif isinstance(value, Formula):
                if references is None:
                    references = {key: f"{letter}{row_number}" for key, letter in keys}
                    references |= whole_columns
                cell.value = formula_text(value, references, name_cells)
            elif isinstance(value, Promise):  # a label, translated now
                put_text(cell, str(value))
            else:
                cell.value = value


def formula_text(formula: Formula, references: dict[str, str], name_cells: dict[str, str]) -> str:
    quoted = ['"' + clean_text(str(text)).replace('"', '""') + '"' for text in formula.literals]
    names = {f"name{index}": name_cells[name] for index, name in enumerate(formula.names)}
    return formula.template.format(*quoted, **references, **names)


def fit_columns(worksheet: Worksheet, columns: tuple[Column, ...], rows: list[dict]) -> list[float]:
    """Widths from the longest lines (xlsx has no autofit); return them."""
    widths = []
    for index, column in enumerate(columns, start=1):
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = column_width(column, [row.get(column.key) for row in rows])
        widths.append(dimension.width)
        # Empty cells and rows added in a spreadsheet take the column's look.
        dimension.alignment = WRAPPED if column.wrap else TOP
        if column.number_format:
            dimension.number_format = column.number_format
    return widths


def fit_rows(
    worksheet: Worksheet, columns: tuple[Column, ...], rows: list[dict], widths: list[float], first_row: int = 2
) -> None:
    """Heights from the wrapped lines: spreadsheets do not grow a row the file sets no height for."""
    wrapped = [(column.key, width) for column, width in zip(columns, widths, strict=True) if column.wrap]
    if not wrapped:
        return
    for row_number, row in enumerate(rows, start=first_row):
        lines = max(line_count(row.get(key), width) for key, width in wrapped)
        if lines > 1:
            worksheet.row_dimensions[row_number].height = min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT)


def write_block(
    worksheet: Worksheet,
    styles: CellStyles,
    columns: tuple[Column, ...],
    rows: list[dict],
    first_row: int,
    table: str,
    widths: list[float],
) -> int:
    """A header and its rows at `first_row` as an Excel table, on a sheet of several; return the next free row."""
    write_header(worksheet, styles, [str(column.title) for column in columns], first_row, columns)
    write_rows(worksheet, styles, columns, rows, {}, first_row + 1)
    fit_rows(worksheet, columns, rows, widths[: len(columns)], first_row + 1)
    last_row = first_row + max(len(rows), 1)
    add_table(worksheet, table, first_row, 1, len(columns), last_row)
    return last_row + 1


def column_width(column: Column, values: list) -> float:
    """Excel has no autofit: the longest line in the column, within bounds."""
    longest = max(len(line) for line in str(column.title).splitlines() or [""])
    for value in values:
        if value is None:
            continue
        if isinstance(value, Formatted):
            value = value.value
        if isinstance(value, date):
            longest = max(longest, DATE_WIDTH)
        elif isinstance(value, str):
            if len(value) > longest:  # a line is no longer than its text
                longest = max(longest, *(len(line) for line in value.splitlines() or [""]))
        elif isinstance(value, Formula):
            longest = max(longest, 10)
        else:
            longest = max(longest, len(f"{value:,}" if isinstance(value, int) else str(value)))
    return min(max(longest + 2, 8), 50 if column.wrap else 40)


def line_count(value, width: float) -> int:
    """Roughly how many lines wrapped text takes: spreadsheets do not grow rows a file sets no height for."""
    if not isinstance(value, str):
        return 1
    per_line = max(int(width) - 2, 1)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in value.splitlines() or [""])


def add_table(worksheet: Worksheet, name: str, first_row: int, first_column: int, columns: int, last_row: int) -> None:
    """An Excel table over the block: filter buttons, banded rows, a name (unique in the workbook)."""
    start, end = get_column_letter(first_column), get_column_letter(first_column + columns - 1)
    table = Table(displayName=name, ref=f"{start}{first_row}:{end}{max(last_row, first_row + 1)}")
    table.tableStyleInfo = TableStyleInfo(name=TABLE_STYLE, showRowStripes=True)
    # Named from the header written above: otherwise openpyxl reads every cell of the table to find it.
    table._initialise_columns()
    for index, column in enumerate(table.tableColumns, start=first_column):
        column.name = str(worksheet.cell(row=first_row, column=index).value)
    worksheet.add_table(table)


def add_dropdowns(worksheet: Worksheet, columns: tuple[Column, ...], list_ranges: dict[str, str]) -> None:
    """A dropdown on each choice column, down to the sheet's last row: rows added later have it too."""
    for index, column in enumerate(columns, start=1):
        if not column.choices or column.choices not in list_ranges:
            continue
        # A force with a new team name brings the team along on import: only a warning there.
        title = str(column.title)
        validation = DataValidation(
            type="list",
            formula1=list_ranges[column.choices],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning" if column.choices == "team" else "stop",
            errorTitle=title[:32],  # Excel's limits: 32 characters for the title, 255 for the message
            error=(_("Pick one of the %(column)s choices from the list.") % {"column": title.lower()})[:255],
        )
        letter = get_column_letter(index)
        validation.add(f"{letter}2:{letter}{LAST_ROW}")
        worksheet.add_data_validation(validation)


def print_setup(worksheet: Worksheet, title_rows: str = "1:1") -> None:
    """Landscape, one page wide however many pages long, the header on every page, page numbers below."""
    worksheet.page_setup.orientation = "landscape"
    worksheet.page_setup.fitToWidth = 1
    worksheet.page_setup.fitToHeight = 0
    worksheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        worksheet.print_title_rows = title_rows
    worksheet.print_options.horizontalCentered = True
    worksheet.page_margins.left = worksheet.page_margins.right = 0.4
    worksheet.oddHeader.center.text = "&A"  # the sheet's name
    worksheet.oddFooter.center.text = "&P / &N"


def protect(worksheet: Worksheet) -> None:
    """Output, not input: locked without a password, but its tables still filter and sort."""
    worksheet.protection.sheet = True
    worksheet.protection.autoFilter = False
    worksheet.protection.sort = False


def axis_titles(chart, x_title: str, y_title: str) -> None:
    """Both axes shown (Excel hides them otherwise) and titled."""
    for axis, title in ((chart.x_axis, x_title), (chart.y_axis, y_title)):
        axis.delete = False
        axis.title = title


def write_lists(workbook: Workbook, lists: dict[str, list[str]], title: str) -> tuple[Worksheet, dict[str, str]]:
    """A hidden sheet with the dropdowns' choices (labels may hold commas, so no inline lists)."""
    worksheet = workbook.create_sheet(title)
    worksheet.sheet_state = "hidden"
    sheet = quote_sheetname(worksheet.title)
    ranges = {}
    for index, (name, labels) in enumerate(lists.items(), start=1):
        worksheet.cell(row=1, column=index, value=name)
        for row_number, label in enumerate(labels, start=2):
            put_text(worksheet.cell(row=row_number, column=index), label)
        if labels:
            letter = get_column_letter(index)
            ranges[name] = f"{sheet}!${letter}$2:${letter}${len(labels) + 1}"
    return worksheet, ranges


def write_names(worksheet: Worksheet, names: list[str], column: int) -> dict[str, str]:
    """Write the user texts formulas refer to in a column of the Lists sheet; return each one's cell."""
    worksheet.cell(row=1, column=column, value="formula_names")
    sheet, letter = quote_sheetname(worksheet.title), get_column_letter(column)
    cells = {}
    for row_number, name in enumerate(names, start=2):
        put_text(worksheet.cell(row=row_number, column=column), name)
        cells[name] = f"{sheet}!${letter}${row_number}"
    return cells
