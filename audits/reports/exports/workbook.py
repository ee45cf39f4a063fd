"""The Excel workbook: the audit's tables, to edit and import back, and read-only summaries with charts.

This module only declares the sheets — each one's columns and rows of values, built from the
document (`sheets(document)`) — and sheets.py lays them out: tables, frozen headers, dropdowns,
print setup, styles and the language pass. The editable sheets (Overview, Strategy, Metrics,
Forces, Friction, Self-assessment, Action review) are what imports/workbook_import.py reads back, by their
header titles, so the titles below are shared with it. Choice cells hold the label people read
("Attract"); the importer maps labels back to values.

Every title and label is in the audit's language (exports run under its translation). So that a
workbook imports back whatever its language, each sheet also carries a language-independent key as
a hidden workbook name (`defined_name`), which Excel and LibreOffice keep when a sheet is renamed,
and the importer accepts the column titles and labels of every language an audit can have.
Periods are dates (a month shows as the language writes it); a quarter, which no number format
can show, is its text ("2018-Q1").
"""

from dataclasses import dataclass
from datetime import date
from io import BytesIO
from itertools import pairwise

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.chart import LineChart, Reference
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audits.content import periods
from audits.content.document import (
    OPEN_LABEL,
    SETTLING_STEPS,
    AssessmentRow,
    AuditDocument,
    ForceRow,
    FrictionRow,
    MetricRow,
    ReadingRow,
    ReviewRow,
    Strategy,
    content_fields,
    declared_fields,
    is_no,
    path_of,
)
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
)
from audits.reports.exports.sheets import (
    COMPUTED_FILL,
    DATE,
    DATE_WIDTH,
    DECIMAL,
    INTEGER,
    NOTE_FONT,
    PERCENT,
    SCORE,
    SECTION_FONT,
    TEXT,
    YEAR_FORMAT,
    CellStyles,
    Column,
    Formatted,
    Formula,
    SheetData,
    add_table,
    apply_language,
    axis_titles,
    clean_text,
    defined_name,
    month_format,
    print_setup,
    protect,
    put_text,
    unique_titles,
    valid_sheet_title,
    write_header,
    write_list_sheet,
    write_lists,
    write_names,
    write_rows,
)

__all__ = ["COMPUTED_FILL", "DATE", "TEXT", "Column", "SheetData", "clean_text", "defined_name", "put_text", "write"]

YES, NO = gettext_lazy("Yes"), gettext_lazy("No")

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

# A model field's type → the number format of its column.
NUMBER_FORMATS = {"DateField": DATE, "PositiveIntegerField": INTEGER, "IntegerField": INTEGER, "DecimalField": DECIMAL}


def table_columns(row_class, model, *, keys: dict | None = None, lists: dict | None = None) -> tuple[Column, ...]:
    """A table's columns: one per content field its row class declares, in order, titled with its label; long text
    wrapped, figures and dates in their format, a yes/no or a choice with its dropdown. `keys`: a column's key
    where it is not the field's name; `lists`: a dropdown's list where it is not named like the column."""
    keys, lists = keys or {}, lists or {}
    columns = []
    for each in declared_fields(row_class):
        model_field = model._meta.get_field(each.name)
        kind = model_field.get_internal_type()
        key = keys.get(each.name, each.name)
        dropdown = "yes_no" if kind == "BooleanField" else key if model_field.choices else ""
        format_ = NUMBER_FORMATS.get(kind, "")
        columns.append(Column(key, each.label, format_, wrap=each.long, choices=lists.get(each.name, dropdown)))
    return tuple(columns)


def _followed_by(columns, computed: dict[str, Column]) -> tuple[Column, ...]:
    """The columns, each computed one (`computed`) right after the column it is computed from."""
    return tuple(each for column in columns for each in (column, computed.get(column.key)) if each is not None)


STRATEGY_COLUMNS = table_columns(Strategy, StageStrategy)
# A metric's period type is the column "period_type": "period" is its reading's period.
METRIC_KEYS = {"period": "period_type"}
METRIC_DEFINITION_COLUMNS = table_columns(MetricRow, Metric, keys=METRIC_KEYS)
# A reading's period is a date (a quarter: its text), in the period's own format: see period_cell.
READING_PERIOD, *READING_FIGURE_COLUMNS = table_columns(ReadingRow, Reading, keys={"period_start": "period"})
READING_KEYS = tuple(column.key for column in READING_FIGURE_COLUMNS)
METRIC_COLUMNS = (
    *METRIC_DEFINITION_COLUMNS,
    Column(READING_PERIOD.key, READING_PERIOD.title),
    *_followed_by(
        READING_FIGURE_COLUMNS,
        {
            "lost": Column("net_change", gettext_lazy("Net change"), INTEGER, computed=True),
            "detractors": Column("nps", gettext_lazy("NPS"), SCORE, computed=True),
        },
    ),
    Column("conversion", gettext_lazy("Conversion from previous stage"), PERCENT, computed=True),
)
FORCE_COLUMNS = (Column("team", TEAM_LABEL, choices="team"), *table_columns(ForceRow, Force))
FRICTION_COLUMNS = (
    Column("number", "#", computed=True),
    *table_columns(FrictionRow, FrictionPoint),
    Column("resolution", gettext_lazy("Resolution"), wrap=True, computed=True),
)
# The dots a row got in the workshop: on the Friction and Forces sheets when any row has some. Never
# read back: votes belong to the people who gave them, which an import cannot recreate.
VOTES_COLUMN = Column("votes", gettext_lazy("Votes"), INTEGER, computed=True)
ASSESSMENT_COLUMNS = table_columns(AssessmentRow, SelfAssessment, lists={"question": ""})
# Last audit's action items, carried forward: how each went.
REVIEW_COLUMNS = table_columns(ReviewRow, ActionReview, lists={"kind": "review_kind", "status": "review_status"})
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
# shown in the workbook's language ({1}) and may be typed as stored (document.NO); "Open" is a label.
RESOLUTION_TEMPLATE = (
    '=IF(AND({automation}<>"",{automation}<>"No",{automation}<>{1}),{automation},'
    'IF(AND({new_goal}<>"",{new_goal}<>"No",{new_goal}<>{1}),{new_goal},'
    'IF(AND({restructure}<>"",{restructure}<>"No",{restructure}<>{1}),{restructure},{0})))'
)


def resolution_formula() -> Formula:
    return Formula(RESOLUTION_TEMPLATE, (OPEN_LABEL, pgettext("the answer to a step's question", "No")))


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


def sheet_titles() -> dict[str, str]:
    """Every sheet's title in the active language, by its key."""
    titles: dict[str, str] = {}
    for key, title in SHEET_TITLES.items():
        titles[key] = valid_sheet_title(title, titles.values())
    return titles


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
        SheetData(titles[ACTIONS], ACTION_COLUMNS, _action_rows(document), "ActionsTable", True, key=ACTIONS),
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
        "review_kind": [str(label) for label in ActionReview.Kind.labels],
        "review_status": [str(label) for label in ActionReview.Status.labels],
    }


class Labels(dict):
    """A choice's labels, translated once for a sheet rather than once a row: labels[value] → "Attract"."""

    def __init__(self, choices):
        super().__init__((value, str(label)) for value, label in choices)

    def __missing__(self, value) -> str:
        return value or ""


def _overview_rows(document: AuditDocument) -> list[dict]:
    header = document.header
    return [
        {"field": HEADER_FIELDS["title"], "value": header.title},
        {"field": HEADER_FIELDS["period_year"], "value": header.period_year, "format": "0"},
        {"field": HEADER_FIELDS["workshop_date"], "value": header.workshop_date, "format": DATE},
        {"field": HEADER_FIELDS["language"], "value": Labels(Audit.Language.choices)[header.language]},
        {"field": HEADER_FIELDS["status"], "value": Labels(Audit.Status.choices)[header.status]},
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


def row_cells(row_class, model, *, keys: dict | None = None, shown: dict | None = None):
    """A function giving a row's cells by column key, one per content field its row class declares: a choice as its
    label and a yes/no as Yes or No, in the workbook's language, the rest as it is. `shown`: how a field's value is
    shown where it is otherwise; `keys` as in table_columns. Made once per sheet, not once a row."""
    keys, shown = keys or {}, shown or {}
    yes, no = str(YES), str(NO)

    def show_of(name: str):
        model_field = model._meta.get_field(name)
        if name in shown:
            return shown[name]
        if model_field.get_internal_type() == "BooleanField":
            return lambda value: yes if value else no
        return Labels(model_field.choices).__getitem__ if model_field.choices else None

    names = [(keys.get(name, name), name, show_of(name)) for name in content_fields(row_class)]

    def cells(row) -> dict:
        return {key: show(getattr(row, name)) if show else getattr(row, name) for key, name, show in names}

    return cells


def _strategy_rows(document: AuditDocument) -> list[dict]:
    cells = row_cells(Strategy, StageStrategy)
    return [cells(row) for row in document.strategies]


def _previous_buckets(document: AuditDocument) -> dict[int, str]:
    """For each bucket (by object identity) with a comparable bucket before it on the path, that bucket's name."""
    return {
        id(current): previous.name
        for previous, current in pairwise(path_of(list(document.metrics)))
        if previous.period == current.period
    }


def period_cell(start: date, kind: str) -> Formatted | str:
    """A period as a spreadsheet holds it: a date (a month in the language's words, a year), or a quarter's text."""
    if kind == "quarter":
        return periods.period_input(start, kind)
    return Formatted(start, month_format() if kind == "month" else YEAR_FORMAT)


def _metric_rows(document: AuditDocument) -> list[dict]:
    previous_buckets = _previous_buckets(document)
    definition_cells = row_cells(MetricRow, Metric, keys=METRIC_KEYS)
    reading_cells = row_cells(ReadingRow, Reading)
    rows = []
    for metric in document.metrics:
        definition = {**definition_cells(metric), "net_change": NET_CHANGE, "nps": NPS}
        if id(metric) in previous_buckets:
            definition["conversion"] = conversion_formula(previous_buckets[id(metric)])
        if not metric.readings:
            rows.append(definition)  # the metric, with no readings yet
        for reading in metric.readings:
            figures = reading_cells(reading) | {"period": period_cell(reading.period_start, metric.period)}
            rows.append({**definition, **figures})
    return rows


def _force_rows(document: AuditDocument) -> list[dict]:
    cells = row_cells(ForceRow, Force)
    return [{"team": force.team, **cells(force), "votes": force.votes} for force in document.forces]


def _friction_rows(document: AuditDocument) -> list[dict]:
    resolution = resolution_formula()
    no = pgettext("the answer to a step's question", "No")

    def shown(answer: str) -> str:  # "No" is stored in English: shown in the workbook's language
        return no if is_no(answer) else answer

    cells = row_cells(FrictionRow, FrictionPoint, shown=dict.fromkeys(SETTLING_STEPS, shown))
    return [
        {"number": row.number, **cells(row), "resolution": resolution, "votes": row.votes} for row in document.friction
    ]


def _assessment_rows(document: AuditDocument) -> list[dict]:
    cells = row_cells(AssessmentRow, SelfAssessment)
    return [cells(row) for row in document.self_assessment]


def _review_rows(document: AuditDocument) -> list[dict]:
    cells = row_cells(ReviewRow, ActionReview)
    return [cells(row) for row in document.action_reviews]


def _action_rows(document: AuditDocument) -> list[dict]:
    return [
        {"what": item.what, "fix": item.fix, "owner": item.owner, "due_date": item.due_date}
        for item in document.action_items
    ]


@dataclass
class Trend:
    """A wide table: one row per period, one column per series (a bucket's totals or a conversion)."""

    names: list[str]
    periods: list  # each period's cell: a date with its format, or a quarter's text (period_cell)
    values: list[list]  # per period, per series


def _trend(series: list[tuple[str, dict[tuple[date, str], object]]]) -> Trend:
    """`series`: (name, {(period start, period kind): value}) → the periods of all, in order."""
    keys = sorted({key for _, values in series for key in values}, key=lambda k: (k[0], periods.KINDS.index(k[1])))
    return Trend(
        names=[name for name, _ in series],
        periods=[period_cell(start, kind) for start, kind in keys],
        values=[[values.get(key) for _, values in series] for key in keys],
    )


def bucket_trend(document: AuditDocument) -> Trend:
    buckets = path_of(list(document.metrics))
    return _trend(
        [(metric.name, {(r.period_start, metric.period): r.total for r in metric.readings}) for metric in buckets]
    )


def conversion_trend(document: AuditDocument) -> Trend:
    kinds = {metric.name: metric.period for metric in document.metrics}
    return _trend(
        [
            (
                conversion.label,
                {(rate.period_start, kinds.get(conversion.to_metric, "month")): rate.rate for rate in conversion.rates},
            )
            for conversion in document.conversions
            if conversion.comparable
        ]
    )


# --- Writing --------------------------------------------------------------------------------------


def write(document: AuditDocument) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    styles = CellStyles()
    titles = sheet_titles()
    all_sheets = sheets(document)
    lists = choice_lists(document)
    lists_sheet, list_ranges = write_lists(workbook, lists, titles[LISTS])
    name_cells = write_names(lists_sheet, formula_names(all_sheets), len(lists) + 1)
    for sheet in all_sheets:
        worksheet = write_list_sheet(workbook, styles, sheet, list_ranges, name_cells)
        if sheet.key == OVERVIEW:
            _style_overview(worksheet, sheet)
    _write_trends(workbook, styles, document, titles[TRENDS])
    workbook.move_sheet(lists_sheet, offset=len(workbook.sheetnames) - 1 - workbook.index(lists_sheet))
    workbook.active = 0
    apply_language(workbook, document.header.language)
    workbook.properties.title = clean_text(document.header.title)
    workbook.properties.creator = "Flywheel Audit"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


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


def _style_overview(worksheet: Worksheet, sheet: SheetData) -> None:
    for row_number, row in enumerate(sheet.rows, start=2):
        if row.get("section"):
            worksheet.cell(row=row_number, column=1).font = SECTION_FONT
            worksheet.cell(row=row_number, column=2).font = NOTE_FONT


def _trend_columns(trend: Trend, number_format: str) -> tuple[Column, ...]:
    titles = unique_titles([_("Period"), *trend.names])
    return (Column("period", titles[0]), *(Column(str(i), title, number_format) for i, title in enumerate(titles[1:])))


def _write_trend(
    worksheet: Worksheet, styles: CellStyles, trend: Trend, first_column: int, number_format: str, table: str
) -> None:
    """One trend as an Excel table: the periods down, a column per series."""
    columns = _trend_columns(trend, number_format)
    write_header(worksheet, styles, [str(column.title) for column in columns], 1, first_column=first_column)
    rows = [
        {"period": period, **{str(i): value for i, value in enumerate(values)}}
        for period, values in zip(trend.periods, trend.values, strict=True)
    ]
    write_rows(worksheet, styles, columns, rows, {}, first_column=first_column)
    for index, column in enumerate(columns, start=first_column):
        width = min(max(len(str(column.title)) + 2, DATE_WIDTH + 2), 30)
        worksheet.column_dimensions[get_column_letter(index)].width = width
    add_table(worksheet, table, 1, first_column, len(columns), len(rows) + 1)


def _line_chart(
    worksheet: Worksheet, trend: Trend, first_column: int, title: str, y_title: str, number_format: str
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
    chart.x_axis.number_format = month_format()
    axis_titles(chart, _("Period"), y_title)
    chart.legend.position = "b"  # below: the lines keep the chart's width
    return chart


def _write_trends(workbook: Workbook, styles: CellStyles, document: AuditDocument, title: str) -> None:
    """Bucket totals and conversion rates per period, computed here, a table and a line chart each."""
    worksheet = workbook.create_sheet(title)
    buckets, conversions = bucket_trend(document), conversion_trend(document)
    conversions_column = len(buckets.names) + 3
    _write_trend(worksheet, styles, buckets, 1, INTEGER, "TrendTotals")
    if conversions.names:
        _write_trend(worksheet, styles, conversions, conversions_column, PERCENT, "TrendConversions")
    anchor_column = get_column_letter(conversions_column + len(conversions.names) + 2)
    if buckets.names and buckets.periods:
        # Visitors outnumber customers a thousandfold: on a log scale every bucket's line shows.
        chart = _line_chart(worksheet, buckets, 1, _("Bucket totals (log scale)"), _("Total"), INTEGER)
        chart.y_axis.scaling.logBase = 10
        worksheet.add_chart(chart, f"{anchor_column}2")
    if conversions.names and conversions.periods:
        chart = _line_chart(
            worksheet, conversions, conversions_column, _("Conversion between stages"), _("Conversion"), "0%"
        )
        worksheet.add_chart(chart, f"{anchor_column}22")
    worksheet.freeze_panes = "A2"
    print_setup(worksheet)
    protect(worksheet)
