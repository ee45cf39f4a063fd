"""The Excel workbook: the audit's tables, to edit and import back, and read-only summaries with charts.

`sheets(document)` builds every sheet's rows as plain data; `write` only lays them out. The
editable sheets (Overview, Strategy, Metrics, Forces, Friction, Self-assessment, Action review) are
what imports/xlsx.py reads back, by their header titles, so the titles below are shared with it.
Choice cells hold the label people read ("Attract"); the importer maps labels back to values.

Every title and label is in the audit's language (exports run under its translation). So that a
workbook imports back whatever its language, each sheet also carries a language-independent key as
a hidden workbook name (`defined_name`), which Excel and LibreOffice keep when a sheet is renamed,
and the importer accepts the column titles and labels of every language an audit can have.
"""

import math
import re
from collections.abc import Collection
from copy import copy
from dataclasses import dataclass, field
from io import BytesIO
from itertools import pairwise

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from .. import periods
from ..document import AuditDocument, MetricRow, path_of
from ..guidance import Text
from ..models import ActionReview, Audit, Force, FrictionPoint, Metric, SelfAssessment, Stage
from .languages import script_of

MAX_CELL_CHARACTERS = 32_767  # Excel's limit
# XML 1.0 cannot hold these either; openpyxl's pattern covers only the C0 controls.
UNWRITABLE_CHARACTERS = re.compile(f"{ILLEGAL_CHARACTERS_RE.pattern}|[\ufffe\uffff\ud800-\udfff]")
# OWASP's list: a spreadsheet may run text that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")

INTEGER, DECIMAL, PERCENT, SCORE, DATE, TEXT = "#,##0", "#,##0.00", "0.0%", "0", "yyyy-mm-dd", "@"
YES, NO = gettext_lazy("Yes"), gettext_lazy("No")
LINE_HEIGHT, MAX_ROW_HEIGHT = 15, 409  # points; Excel's tallest row
# Dropdowns reach at least this far down, so rows added in a spreadsheet get them too.
VALIDATED_ROWS = 1000

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
COMPUTED_FILL = PatternFill("solid", fgColor="7F7F7F")  # computed columns: not read back
SECTION_FONT = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
WRAPPED = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


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


@dataclass
class SheetData:
    title: str
    columns: tuple[Column, ...]
    rows: list[dict] = field(default_factory=list)
    table: str = ""  # the worksheet table's name, on the editable sheets
    read_only: bool = False
    key: str = ""  # the sheet's name whatever its language: a hidden workbook name (`defined_name`)


# --- The sheets' columns: shared with the importer ------------------------------------------------

# Each sheet's key, which never changes, and its title, in the audit's language.
OVERVIEW, STRATEGY, METRICS, FORCES, FRICTION, ASSESSMENT, REVIEW, ACTIONS, TRENDS, LISTS = (
    "overview",
    "strategy",
    "metrics",
    "forces",
    "friction",
    "self_assessment",
    "action_review",
    "actions",
    "trends",
    "lists",
)
SHEET_TITLES = {
    OVERVIEW: gettext_lazy("Overview"),
    STRATEGY: gettext_lazy("Strategy"),
    METRICS: gettext_lazy("Metrics"),
    FORCES: gettext_lazy("Forces"),
    FRICTION: gettext_lazy("Friction"),
    ASSESSMENT: gettext_lazy("Self-assessment"),
    REVIEW: gettext_lazy("Action review"),
    ACTIONS: gettext_lazy("Actions"),
    TRENDS: gettext_lazy("Trends"),
    LISTS: gettext_lazy("Lists"),
}
MAX_SHEET_TITLE = 31  # Excel's limit
SHEET_TITLE_UNWRITABLE = re.compile(r"[\[\]:*?/\\]")

OVERVIEW_COLUMNS = (Column("field", gettext_lazy("Field")), Column("value", gettext_lazy("Value"), wrap=True))
# The header fields the importer reads back, by their label in the Field column.
HEADER_FIELDS = {
    "title": gettext_lazy("Title"),
    "period_year": gettext_lazy("Year"),
    "workshop_date": gettext_lazy("Workshop date"),
    "language": gettext_lazy("Language"),
    "status": gettext_lazy("Status"),
}
TEAM_LABEL = gettext_lazy("Team")

STRATEGY_COLUMNS = (
    Column("stage", gettext_lazy("Stage"), choices="stage"),
    Column("principle", gettext_lazy("Inbound principle"), wrap=True),
    Column("approach", gettext_lazy("Approach"), wrap=True),
)
METRIC_COLUMNS = (
    Column("stage", gettext_lazy("Stage"), choices="stage"),
    Column("name", gettext_lazy("Metric")),
    Column("kind", gettext_lazy("Kind"), choices="kind"),
    Column("unit", gettext_lazy("Unit")),
    Column("period_type", gettext_lazy("Period type"), choices="period_type"),
    Column("activity", gettext_lazy("Key activity"), wrap=True),
    Column("illustrative", gettext_lazy("Illustrative"), choices="yes_no"),
    Column("higher_is_better", gettext_lazy("Higher is better"), choices="yes_no"),
    # Text, so that a spreadsheet does not turn 2018-01 into a date.
    Column("period", gettext_lazy("Period"), TEXT),
    Column("gained", gettext_lazy("Gained"), INTEGER),
    Column("lost", gettext_lazy("Lost"), INTEGER),
    Column("net_change", gettext_lazy("Net change"), INTEGER, computed=True),
    Column("total", gettext_lazy("Total"), INTEGER),
    Column("promoters", gettext_lazy("Promoters"), INTEGER),
    Column("passives", gettext_lazy("Passives"), INTEGER),
    Column("detractors", gettext_lazy("Detractors"), INTEGER),
    Column("nps", gettext_lazy("NPS"), SCORE, computed=True),
    Column("promoters_lost", gettext_lazy("Promoters lost"), INTEGER),
    Column("value", gettext_lazy("Value"), DECIMAL),
    Column("conversion", gettext_lazy("Conversion from previous stage"), PERCENT, computed=True),
)
READING_KEYS = ("gained", "lost", "total", "promoters", "passives", "detractors", "promoters_lost", "value")
FORCE_COLUMNS = (
    Column("team", gettext_lazy("Team"), choices="team"),
    Column("name", gettext_lazy("Force"), wrap=True),
    Column("before", gettext_lazy("Before"), wrap=True),
    Column("now", gettext_lazy("Now"), wrap=True),
    Column("serves", gettext_lazy("Serves"), choices="serves"),
    Column("stage", gettext_lazy("Stage"), choices="stage"),
    # Carried forward: the target to check.
    Column("target", gettext_lazy("Last year's planned change"), wrap=True),
    Column("planned_change", gettext_lazy("Planned change"), wrap=True),
    Column("owner", gettext_lazy("Owner")),
)
FRICTION_COLUMNS = (
    Column("number", "#", computed=True),
    Column("source", gettext_lazy("Source of friction"), wrap=True),
    Column("origin", gettext_lazy("Origin"), choices="origin"),
    Column("stage", gettext_lazy("Stage"), choices="stage"),
    Column("teams", gettext_lazy("Teams involved")),
    Column("automation", gettext_lazy("Automation"), wrap=True),
    Column("new_goal", gettext_lazy("New goal"), wrap=True),
    Column("restructure", gettext_lazy("Restructure"), wrap=True),
    Column("owner", gettext_lazy("Owner")),
    Column("due_date", gettext_lazy("Due date"), DATE),
    Column("resolution", gettext_lazy("Resolution"), wrap=True, computed=True),
)
# The dots a row got in the workshop: on the Friction and Forces sheets when any row has some. Never
# read back: votes belong to the people who gave them, which an import cannot recreate.
VOTES_COLUMN = Column("votes", gettext_lazy("Votes"), INTEGER, computed=True)
ASSESSMENT_COLUMNS = (
    Column("question", gettext_lazy("Question"), wrap=True),
    Column("answer", gettext_lazy("Answer"), choices="answer"),
    Column("notes", gettext_lazy("Notes"), wrap=True),
)
# Last audit's action items, carried forward: how each went.
REVIEW_COLUMNS = (
    Column("kind", gettext_lazy("For (friction/force)"), choices="review_kind"),
    Column("what", gettext_lazy("What"), wrap=True),
    Column("fix", gettext_lazy("Fix"), wrap=True),
    Column("owner", gettext_lazy("Owner")),
    Column("due_date", gettext_lazy("Due date"), DATE),
    Column("status", gettext_lazy("Status"), choices="review_status"),
    Column("note", gettext_lazy("Note"), wrap=True),
)
REVIEW_KINDS = {"friction": gettext_lazy("Friction"), "force": gettext_lazy("Force")}
ACTION_COLUMNS = (
    Column("what", gettext_lazy("Friction/force"), wrap=True),
    Column("fix", gettext_lazy("Fix"), wrap=True),
    Column("owner", gettext_lazy("Owner")),
    Column("due_date", gettext_lazy("Due date"), DATE),
)

STAGE_LABELS = dict(Stage.choices)

# net = gained − lost, empty when neither is known (as calculations.net_change).
NET_CHANGE = Formula('=IF(AND({gained}="",{lost}=""),"",{gained}-{lost})')
NPS = Formula('=IFERROR(({promoters}-{detractors})/({promoters}+{passives}+{detractors})*100,"")')
# The first of the three steps whose answer is a fix (not empty, not "No") settles the row. "No" is
# the answer as stored (tables.NO), in every language; "Open" is a label.
RESOLUTION = Formula(
    '=IF(AND({automation}<>"",{automation}<>"No"),{automation},'
    'IF(AND({new_goal}<>"",{new_goal}<>"No"),{new_goal},'
    'IF(AND({restructure}<>"",{restructure}<>"No"),{restructure},{0})))',
    (gettext_lazy("Open"),),
)


# SUMIFS reads its criterion as a pattern: "=" makes it compare for equality even when the name
# starts with < or >, and ~ escapes the wildcards (~ itself first). A name longer than Excel's 255
# characters of criterion, escapes included, cannot be matched: IFERROR leaves the cell empty.
EXACT_NAME = '"="&SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({name0},"~","~~"),"*","~*"),"?","~?")'


def conversion_formula(previous_name: str) -> Formula:
    """This row's gained over the previous bucket's gained in the same period, found by name."""
    return Formula(
        '=IF({gained}="","",IFERROR({gained}/SUMIFS({gained_column},{name_column},'
        + EXACT_NAME
        + ',{period_column},{period}),""))',
        names=(previous_name,),
    )


# --- Sheet titles ---------------------------------------------------------------------------------


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


def sheet_titles() -> dict[str, str]:
    """Every sheet's title in the active language, by its key."""
    titles: dict[str, str] = {}
    for key, title in SHEET_TITLES.items():
        titles[key] = valid_sheet_title(title, titles.values())
    return titles


def defined_name(key: str) -> str:
    """The hidden workbook name that points at a sheet, whatever the sheet's title."""
    return f"flywheel_audit_{key}"


# --- Rows from the document -----------------------------------------------------------------------


def sheets(document: AuditDocument) -> list[SheetData]:
    """Every sheet of the workbook as plain rows, in order; Lists holds the dropdowns' choices."""
    titles = sheet_titles()
    force_columns = _with_votes(FORCE_COLUMNS, document.forces)
    friction_columns = _with_votes(FRICTION_COLUMNS, document.friction)
    return [
        SheetData(titles[OVERVIEW], OVERVIEW_COLUMNS, _overview_rows(document), key=OVERVIEW),
        SheetData(titles[STRATEGY], STRATEGY_COLUMNS, _strategy_rows(document), "StrategyTable", key=STRATEGY),
        SheetData(titles[METRICS], METRIC_COLUMNS, _metric_rows(document), "MetricsTable", key=METRICS),
        SheetData(titles[FORCES], force_columns, _force_rows(document), "ForcesTable", key=FORCES),
        SheetData(titles[FRICTION], friction_columns, _friction_rows(document), "FrictionTable", key=FRICTION),
        SheetData(
            titles[ASSESSMENT], ASSESSMENT_COLUMNS, _assessment_rows(document), "SelfAssessmentTable", key=ASSESSMENT
        ),
        SheetData(titles[REVIEW], REVIEW_COLUMNS, _review_rows(document), "ActionReviewTable", key=REVIEW),
        SheetData(titles[ACTIONS], ACTION_COLUMNS, _action_rows(document), read_only=True, key=ACTIONS),
    ]


def _with_votes(columns: tuple[Column, ...], rows) -> tuple[Column, ...]:
    """The columns, and Votes last when any row got votes (so a sheet without voting looks as before)."""
    return (*columns, VOTES_COLUMN) if any(row.votes for row in rows) else columns


def choice_lists(document: AuditDocument) -> dict[str, list[str]]:
    """The labels each dropdown offers."""
    return {
        "stage": [str(label) for label in STAGE_LABELS.values()],
        "kind": [str(label) for label in Metric.Kind.labels],
        "period_type": [str(label) for label in Metric.Period.labels],
        "yes_no": [str(YES), str(NO)],
        "origin": [str(label) for label in FrictionPoint.Origin.labels],
        "serves": [str(label) for label in Force.Serves.labels],
        "answer": [str(label) for label in SelfAssessment.Answer.labels],
        "team": [team.name for team in document.teams],
        "review_kind": [str(label) for label in REVIEW_KINDS.values()],
        "review_status": [str(label) for label in ActionReview.Status.labels],
    }


def _label(choices, value: str) -> str:
    return str(dict(choices).get(value, value)) if value else ""


def _overview_rows(document: AuditDocument) -> list[dict]:
    header = document.header
    return [
        {"field": HEADER_FIELDS["title"], "value": header.title},
        {"field": HEADER_FIELDS["period_year"], "value": header.period_year, "format": "0"},
        {"field": HEADER_FIELDS["workshop_date"], "value": header.workshop_date, "format": DATE},
        {"field": HEADER_FIELDS["language"], "value": _label(Audit.Language.choices, header.language)},
        {"field": HEADER_FIELDS["status"], "value": _label(Audit.Status.choices, header.status)},
        {"field": _("Flywheel"), "value": header.flywheel_name},
        {"field": _("Organization"), "value": header.organization_name},
        {},
        {"field": _("Teams"), "section": True},
        *({"field": TEAM_LABEL, "value": team.name} for team in document.teams),
        {},
        {"field": _("Key numbers"), "value": _("Computed from the audit; not read back on import."), "section": True},
        *_key_numbers(document),
    ]


def _key_numbers(document: AuditDocument) -> list[dict]:
    numbers = [
        (_("Sources of friction"), len(document.friction)),
        (_("Still open"), len(document.open_friction)),
        (_("Forces"), len(document.forces)),
        (_("Metrics"), len(document.metrics)),
        (_("Action items"), len(document.action_items)),
    ]
    rows = [{"field": label, "value": number, "format": INTEGER} for label, number in numbers]
    weakest = document.weakest_conversion
    if weakest is not None:
        rows.append({"field": _("Weakest conversion"), "value": weakest.label})
        rows.append({"field": _("Its average conversion"), "value": weakest.average, "format": PERCENT})
    return rows


def _strategy_rows(document: AuditDocument) -> list[dict]:
    return [
        {"stage": row.stage_label, "principle": row.principle, "approach": row.approach} for row in document.strategies
    ]


def _previous_buckets(document: AuditDocument) -> dict[int, str]:
    """For each bucket (by object identity) with a comparable bucket before it on the path, that bucket's name."""
    return {
        id(current): previous.name
        for previous, current in pairwise(path_of(list(document.metrics)))
        if previous.period == current.period
    }


def _metric_rows(document: AuditDocument) -> list[dict]:
    previous_buckets = _previous_buckets(document)
    rows = []
    for metric in document.metrics:
        definition = {
            "stage": metric.stage_label,
            "name": metric.name,
            "kind": _label(Metric.Kind.choices, metric.kind),
            "unit": metric.unit,
            "period_type": _label(Metric.Period.choices, metric.period),
            "activity": metric.activity,
            "illustrative": YES if metric.illustrative else NO,
            "higher_is_better": YES if metric.higher_is_better else NO,
            "net_change": NET_CHANGE,
            "nps": NPS,
        }
        if id(metric) in previous_buckets:
            definition["conversion"] = conversion_formula(previous_buckets[id(metric)])
        if not metric.readings:
            rows.append(definition)  # the metric, with no readings yet
        for reading in metric.readings:
            figures = {key: getattr(reading, key) for key in READING_KEYS}
            rows.append({**definition, "period": periods.period_input(reading.period_start, metric.period), **figures})
    return rows


def _force_rows(document: AuditDocument) -> list[dict]:
    return [
        {
            "team": force.team,
            "name": force.name,
            "before": force.before,
            "now": force.now,
            "serves": _label(Force.Serves.choices, force.serves),
            "stage": _label(Stage.choices, force.stage),
            "target": force.target,
            "planned_change": force.planned_change,
            "owner": force.owner,
            "votes": force.votes,
        }
        for force in document.forces
    ]


def _friction_rows(document: AuditDocument) -> list[dict]:
    return [
        {
            "number": row.number,
            "source": row.source,
            "origin": _label(FrictionPoint.Origin.choices, row.origin),
            "stage": _label(Stage.choices, row.stage),
            "teams": row.teams,
            "automation": row.automation,
            "new_goal": row.new_goal,
            "restructure": row.restructure,
            "owner": row.owner,
            "due_date": row.due_date,
            "resolution": RESOLUTION,
            "votes": row.votes,
        }
        for row in document.friction
    ]


def _assessment_rows(document: AuditDocument) -> list[dict]:
    return [
        {
            "question": row.question_label,
            "answer": _label(SelfAssessment.Answer.choices, row.answer),
            "notes": row.notes,
        }
        for row in document.self_assessment
    ]


def _review_rows(document: AuditDocument) -> list[dict]:
    return [
        {
            "kind": REVIEW_KINDS.get(row.kind, row.kind),
            "what": row.what,
            "fix": row.fix,
            "owner": row.owner,
            "due_date": row.due_date,
            "status": _label(ActionReview.Status.choices, row.status),
            "note": row.note,
        }
        for row in document.action_reviews
    ]


def _action_rows(document: AuditDocument) -> list[dict]:
    return [
        {"what": item.what, "fix": item.fix, "owner": item.owner, "due_date": item.due_date}
        for item in document.action_items
    ]


@dataclass
class Trend:
    """A wide table: one row per period, one column per series (a bucket's totals or a conversion)."""

    names: list[str]
    periods: list[str]
    values: list[list]  # per period, per series


def _trend(series: list[tuple[str, dict[tuple, object]]]) -> Trend:
    """`series`: (name, {(period start, kind order, label): value}) → the periods of all, in order."""
    keys = sorted({key for _, values in series for key in values})
    return Trend(
        names=[name for name, _ in series],
        periods=[label for _, _, label in keys],
        values=[[values.get(key) for _, values in series] for key in keys],
    )


def bucket_trend(document: AuditDocument) -> Trend:
    def key(metric: MetricRow, reading) -> tuple:
        return (reading.period_start, periods.KINDS.index(metric.period), reading.label)

    buckets = path_of(list(document.metrics))
    return _trend([(metric.name, {key(metric, r): r.total for r in metric.readings}) for metric in buckets])


def conversion_trend(document: AuditDocument) -> Trend:
    return _trend(
        [
            (conversion.label, {(rate.period_start, 0, rate.label): rate.rate for rate in conversion.rates})
            for conversion in document.conversions
            if conversion.comparable
        ]
    )


# --- Writing --------------------------------------------------------------------------------------


def write(document: AuditDocument) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    titles = sheet_titles()
    all_sheets = sheets(document)
    lists = choice_lists(document)
    lists_sheet, list_ranges = _write_lists(workbook, lists, titles[LISTS])
    name_cells = _write_formula_names(lists_sheet, formula_names(all_sheets), len(lists) + 1)
    for sheet in all_sheets:
        worksheet = _write_sheet(workbook, sheet, list_ranges, name_cells)
        if sheet.key == OVERVIEW:
            _style_overview(worksheet, sheet)
    _write_trends(workbook, document, titles[TRENDS])
    workbook.move_sheet(lists_sheet, offset=len(workbook.sheetnames) - 1 - workbook.index(lists_sheet))
    workbook.active = 0
    apply_language(workbook, document.header.language)
    workbook.properties.title = clean_text(document.header.title)
    workbook.properties.creator = "Flywheel Audit"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def clean_text(text: str) -> str:
    """Text a cell can hold: no characters XML forbids, at most Excel's 32,767 characters."""
    return UNWRITABLE_CHARACTERS.sub("", text)[:MAX_CELL_CHARACTERS]


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


def _changed(style, **values):
    changed = copy(style)
    for name, value in values.items():
        setattr(changed, name, value)
    return changed


def put_text(cell: Cell, text: str) -> None:
    """Write user text so that no spreadsheet runs it as a formula; the value itself is unchanged."""
    cell.value = clean_text(text)
    if cell.data_type == "f":
        cell.data_type = "s"
    if cell.value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True


def _put(cell: Cell, value, references: dict[str, str], name_cells: dict[str, str]) -> None:
    if isinstance(value, Promise):  # a label, translated now
        value = str(value)
    if value is None or value == "":
        return
    if isinstance(value, Formula):
        quoted = ['"' + clean_text(str(text)).replace('"', '""') + '"' for text in value.literals]
        names = {f"name{index}": name_cells[name] for index, name in enumerate(value.names)}
        cell.value = value.template.format(*quoted, **references, **names)
    elif isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value


def _write_header(worksheet: Worksheet, columns: tuple[Column, ...]) -> None:
    for index, column in enumerate(columns, start=1):
        cell = worksheet.cell(row=1, column=index, value=str(column.title))
        cell.font = HEADER_FONT
        cell.fill = COMPUTED_FILL if column.computed else HEADER_FILL
        cell.alignment = WRAPPED
    worksheet.freeze_panes = "A2"


def _write_sheet(
    workbook: Workbook, sheet: SheetData, list_ranges: dict[str, str], name_cells: dict[str, str] | None = None
) -> Worksheet:
    worksheet = workbook.create_sheet(sheet.title)
    if sheet.key:
        name = defined_name(sheet.key)
        reference = f"{quote_sheetname(worksheet.title)}!$A$1"
        workbook.defined_names[name] = DefinedName(name, attr_text=reference, hidden=True)
    _write_header(worksheet, sheet.columns)
    letters = {column.key: get_column_letter(index) for index, column in enumerate(sheet.columns, start=1)}
    column_references = {f"{key}_column": f"${letter}:${letter}" for key, letter in letters.items()}
    for row_number, row in enumerate(sheet.rows, start=2):
        references = {key: f"{letter}{row_number}" for key, letter in letters.items()} | column_references
        for index, column in enumerate(sheet.columns, start=1):
            cell = worksheet.cell(row=row_number, column=index)
            _put(cell, row.get(column.key), references, name_cells or {})
            cell.number_format = row.get("format", column.number_format) or "General"
            cell.alignment = WRAPPED if column.wrap else TOP
    widths = {}
    for index, column in enumerate(sheet.columns, start=1):
        dimension = worksheet.column_dimensions[get_column_letter(index)]
        dimension.width = widths[column.key] = _width(column, [row.get(column.key) for row in sheet.rows])
        if column.number_format:
            dimension.number_format = column.number_format  # for rows added in a spreadsheet
    wrapped = [column for column in sheet.columns if column.wrap]
    for row_number, row in enumerate(sheet.rows, start=2):
        lines = max((_line_count(row.get(column.key), widths[column.key]) for column in wrapped), default=1)
        if lines > 1:
            worksheet.row_dimensions[row_number].height = min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT)
    last_row = max(2, len(sheet.rows) + 1)
    if sheet.table:
        table = Table(displayName=sheet.table, ref=f"A1:{get_column_letter(len(sheet.columns))}{last_row}")
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
        worksheet.add_table(table)
        _add_dropdowns(worksheet, sheet, list_ranges, max(VALIDATED_ROWS, last_row + 200))
    if sheet.read_only:
        worksheet.protection.sheet = True  # no password: it only says "this is output"
    return worksheet


def _width(column: Column, values: list) -> float:
    """Excel has no autofit: the longest line in the column, within bounds."""
    longest = len(str(column.title))
    for value in values:
        if isinstance(value, str):
            longest = max(longest, *(len(line) for line in value.splitlines() or [""]))
        elif isinstance(value, Formula):
            longest = max(longest, 10)
        elif value is not None:
            longest = max(longest, len(f"{value:,}" if isinstance(value, int) else str(value)))
    return min(max(longest + 2, 8), 50 if column.wrap else 40)


def _line_count(value, width: float) -> int:
    """Roughly how many lines wrapped text takes: spreadsheets do not grow rows a file sets no height for."""
    if not isinstance(value, str):
        return 1
    per_line = max(int(width) - 2, 1)
    return sum(max(1, math.ceil(len(line) / per_line)) for line in value.splitlines() or [""])


def _add_dropdowns(worksheet: Worksheet, sheet: SheetData, list_ranges: dict[str, str], last_row: int) -> None:
    for index, column in enumerate(sheet.columns, start=1):
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
        validation.add(f"{letter}2:{letter}{last_row}")
        worksheet.add_data_validation(validation)


def _write_lists(workbook: Workbook, lists: dict[str, list[str]], title: str) -> tuple[Worksheet, dict[str, str]]:
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


def formula_names(all_sheets: list[SheetData]) -> list[str]:
    """The user texts the sheets' formulas compare with, once each, in order."""
    names = (
        name
        for sheet in all_sheets
        for row in sheet.rows
        for value in row.values()
        if isinstance(value, Formula)
        for name in value.names
    )
    return list(dict.fromkeys(names))


def _write_formula_names(worksheet: Worksheet, names: list[str], column: int) -> dict[str, str]:
    """Write the names formulas refer to in a column of the Lists sheet; return each one's cell."""
    worksheet.cell(row=1, column=column, value="formula_names")
    sheet, letter = quote_sheetname(worksheet.title), get_column_letter(column)
    cells = {}
    for row_number, name in enumerate(names, start=2):
        put_text(worksheet.cell(row=row_number, column=column), name)
        cells[name] = f"{sheet}!${letter}${row_number}"
    return cells


def _style_overview(worksheet: Worksheet, sheet: SheetData) -> None:
    for row_number, row in enumerate(sheet.rows, start=2):
        if row.get("section"):
            worksheet.cell(row=row_number, column=1).font = SECTION_FONT
            worksheet.cell(row=row_number, column=2).font = NOTE_FONT


def _write_trend(worksheet: Worksheet, trend: Trend, first_column: int, number_format: str) -> None:
    titles = [_("Period"), *trend.names]
    for index, title in enumerate(titles, start=first_column):
        cell = worksheet.cell(row=1, column=index)
        put_text(cell, title)
        cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, WRAPPED
        worksheet.column_dimensions[get_column_letter(index)].width = min(max(len(title) + 2, 12), 30)
    for row_number, (period, values) in enumerate(zip(trend.periods, trend.values, strict=True), start=2):
        worksheet.cell(row=row_number, column=first_column, value=period)
        for index, value in enumerate(values, start=first_column + 1):
            cell = worksheet.cell(row=row_number, column=index, value=value)
            cell.number_format = number_format


def _line_chart(
    worksheet: Worksheet, trend: Trend, first_column: int, title: str, number_format: str, *, log_scale: bool = False
) -> LineChart:
    chart = LineChart()
    chart.title = title
    chart.height, chart.width = 9, 18
    last_row = len(trend.periods) + 1
    data = Reference(
        worksheet, min_col=first_column + 1, max_col=first_column + len(trend.names), min_row=1, max_row=last_row
    )
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(worksheet, min_col=first_column, min_row=2, max_row=last_row))
    chart.y_axis.number_format = number_format
    if log_scale:
        chart.y_axis.scaling.logBase = 10
    chart.x_axis.delete = False  # otherwise Excel hides the axes
    chart.y_axis.delete = False
    return chart


def _write_trends(workbook: Workbook, document: AuditDocument, title: str) -> None:
    """Bucket totals and conversion rates per period, computed here, with a line chart each."""
    worksheet = workbook.create_sheet(title)
    worksheet.freeze_panes = "A2"
    buckets, conversions = bucket_trend(document), conversion_trend(document)
    conversions_column = len(buckets.names) + 3
    _write_trend(worksheet, buckets, 1, INTEGER)
    if conversions.names:
        _write_trend(worksheet, conversions, conversions_column, PERCENT)
    anchor_column = get_column_letter(conversions_column + len(conversions.names) + 2)
    if buckets.names and buckets.periods:
        # Visitors outnumber customers a thousandfold: on a log scale every bucket's line shows.
        chart = _line_chart(worksheet, buckets, 1, _("Bucket totals (log scale)"), INTEGER, log_scale=True)
        worksheet.add_chart(chart, f"{anchor_column}2")
    if conversions.names and conversions.periods:
        chart = _line_chart(worksheet, conversions, conversions_column, _("Conversion between stages"), "0%")
        worksheet.add_chart(chart, f"{anchor_column}22")
    worksheet.protection.sheet = True
