"""The comparison workbook: two audits of a flywheel side by side, in numbers a spreadsheet can use.

The Comparison sheet holds the figures — metrics with their change, conversions with their
change in percentage points, how friction was settled each year — with native charts beside
them. Forces changes, Friction changes and Strategy changes list the rows, one table each. Built
with the audit workbook's helpers (xlsx.py): all user text goes through `put_text`, so none of it
runs as a formula. Everything here is output: nothing is read back. Titles and labels are in the
later audit's language (exports/__init__.py), Persian right to left (`apply_language`).
"""

from dataclasses import dataclass
from io import BytesIO

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..comparison import BETTER, SAME, WORSE, Comparison, ConversionChange, FrictionChange, MetricChange
from ..document import STAGE_LABELS, ForceRow, FrictionRow
from .xlsx import (
    DATE,
    HEADER_FILL,
    HEADER_FONT,
    INTEGER,
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    NOTE_FONT,
    SECTION_FONT,
    TOP,
    WRAPPED,
    Column,
    SheetData,
    _line_count,
    _write_sheet,
    apply_language,
    clean_text,
    put_text,
    valid_sheet_title,
)

COMPARISON, FORCES, FRICTION, STRATEGY = (
    gettext_lazy("Comparison"),
    gettext_lazy("Forces changes"),
    gettext_lazy("Friction changes"),
    gettext_lazy("Strategy changes"),
)

# Figures as their kind reads: buckets count, an NPS scores, a rate is stored in % (so its change is in points).
FIGURE_FORMATS = {"bucket": INTEGER, "nps": "0.0", "rate": '0.0"%"', "value": "#,##0.00"}
CHANGE_FORMATS = {
    "bucket": "+#,##0;-#,##0;0",
    "nps": "+0.0;-0.0;0.0",
    "rate": '+0.0" pp";-0.0" pp";0.0" pp"',
    "value": "+#,##0.00;-#,##0.00;0.00",
}
RELATIVE, RATE, POINTS, COUNT_CHANGE = "+0.0%;-0.0%;0.0%", "0.0%", '+0.00" pp";-0.00" pp";0.00" pp"', "+0;-0;0"

DIRECTIONS = {BETTER: gettext_lazy("Better"), WORSE: gettext_lazy("Worse"), SAME: gettext_lazy("Same")}
DIRECTION_FONTS = {BETTER: Font(bold=True, color="1E7B4F"), WORSE: Font(bold=True, color="B03A2E")}
STEPS = {
    "automation": gettext_lazy("Automation"),
    "new_goal": gettext_lazy("A new goal"),
    "restructure": gettext_lazy("Restructuring"),
    "open": gettext_lazy("Still open"),
}
FRICTION_GROUPS = {
    "resolved": gettext_lazy("Resolved"),
    "still_open": gettext_lazy("Still open"),
    "reopened": gettext_lazy("Reopened"),
    "new": gettext_lazy("New"),
    "dropped": gettext_lazy("Dropped while open"),
}
FORCE_LABELS = {
    "before": gettext_lazy("before"),
    "now": gettext_lazy("now"),
    "serves": gettext_lazy("serves"),
    "stage": gettext_lazy("stage"),
    "planned_change": gettext_lazy("planned change"),
}
FORCE_FIELDS = tuple(FORCE_LABELS)

# The Comparison sheet's columns: names in B, the two years' figures in D and E, their change in F.
NAME, FIRST, SECOND, CHANGE = 2, 4, 5, 6
CHART_COLUMN = "M"
WIDTHS = {1: 10, 2: 40, 3: 12, 4: 14, 5: 14, 6: 14, 7: 11, 8: 14, 9: 50, 10: 50}
WRAPPED_COLUMNS = (9, 10)  # how the figures were made, and notes


def write(comparison: Comparison) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = valid_sheet_title(COMPARISON)
    _write_comparison(worksheet, comparison)
    before, after = years(comparison)
    for title, make in ((FORCES, _force_sheet), (FRICTION, _friction_sheet), (STRATEGY, _strategy_sheet)):
        sheet = make(comparison, before, after)
        sheet.title = valid_sheet_title(title, workbook.sheetnames)
        _write_sheet(workbook, sheet, {})
    apply_language(workbook, comparison.after.language)
    workbook.properties.title = clean_text(f"{comparison.after.flywheel_name}: {before} → {after}")
    workbook.properties.creator = "Flywheel Audit"
    output = BytesIO()
    workbook.save(output)
    return output.getvalue()


def years(comparison: Comparison) -> tuple[str, str]:
    """The two sides' column titles: the years whose figures are compared (never user text)."""
    if comparison.before_year == comparison.after_year:
        return _("Before"), _("After")
    return str(comparison.before_year), str(comparison.after_year)


def direction_text(change: MetricChange | ConversionChange, before: str, after: str) -> str:
    """Return "Better", "Worse", "Same", "Not compared", or which audit alone has the row."""
    if change.matched_by is None:
        # A metric of one audit knows its side by its figures, a conversion by its rates.
        if isinstance(change, MetricChange):
            only_before = change.after_figure is None
        else:
            only_before = change.after is None and change.before is not None
        return _("Only in %(year)s") % {"year": before} if only_before else _("New in %(year)s") % {"year": after}
    return str(DIRECTIONS.get(change.direction, _("Not compared")))


# --- The Comparison sheet -------------------------------------------------------------------------


@dataclass
class Writer:
    """Writes the Comparison sheet top to bottom, one block after another."""

    worksheet: Worksheet
    row: int = 1
    lines: int = 1  # the most lines a wrapped cell of this row takes

    def next_row(self) -> None:
        # Spreadsheets do not grow a row for wrapped text when the file sets no height.
        if self.lines > 1:
            self.worksheet.row_dimensions[self.row].height = min(LINE_HEIGHT * self.lines, MAX_ROW_HEIGHT)
        self.row, self.lines = self.row + 1, 1

    def cell(self, column: int, value, number_format: str = "", font: Font | None = None) -> Cell:
        cell = self.worksheet.cell(row=self.row, column=column)
        if isinstance(value, str | Promise):
            put_text(cell, str(value))
        elif value is not None:
            cell.value = value
        if number_format:
            cell.number_format = number_format
        if font is not None:
            cell.font = font
        cell.alignment = WRAPPED if column in WRAPPED_COLUMNS else TOP
        if column in WRAPPED_COLUMNS:
            self.lines = max(self.lines, _line_count(cell.value, WIDTHS[column]))
        return cell

    def header(self, titles: dict[int, str]) -> int:
        for column, title in titles.items():
            cell = self.cell(column, title, font=HEADER_FONT)
            cell.fill, cell.alignment = HEADER_FILL, WRAPPED
        self.next_row()
        return self.row - 1

    def section(self, title: str) -> None:
        self.next_row()  # a blank row above each block
        self.cell(1, title, font=SECTION_FONT)
        self.next_row()


def _write_comparison(worksheet: Worksheet, comparison: Comparison) -> None:
    before, after = years(comparison)
    writer = Writer(worksheet)
    _write_heading(writer, comparison)
    metrics = _write_metrics(writer, comparison, before, after)
    conversions = _write_conversions(writer, comparison, before, after)
    fix_mix = _write_fix_mix(writer, comparison, before, after)
    for column, width in WIDTHS.items():
        worksheet.column_dimensions[get_column_letter(column)].width = width
    anchor = 2
    for chart in (metrics, conversions, fix_mix):
        if chart is not None:
            worksheet.add_chart(chart, f"{CHART_COLUMN}{anchor}")
            anchor += 20


def _write_heading(writer: Writer, comparison: Comparison) -> None:
    before, after = comparison.before, comparison.after
    writer.cell(1, f"{after.flywheel_name}: {before.period_year} → {after.period_year}", font=Font(bold=True, size=14))
    writer.next_row()
    for label, header in ((_("Before"), before), (_("After"), after)):
        writer.cell(1, label, font=SECTION_FONT)
        writer.cell(NAME, f"{header.title} ({header.period_year})")
        writer.next_row()
    if not comparison.same_flywheel:
        names = {"before": before.flywheel_name, "after": after.flywheel_name}
        writer.cell(NAME, _("Flywheels: %(before)s / %(after)s") % names)
        writer.next_row()
    for note in comparison.notes:
        writer.cell(1, _("Note"), font=SECTION_FONT)
        writer.cell(NAME, note, font=NOTE_FONT)
        writer.next_row()


def _write_metrics(writer: Writer, comparison: Comparison, before: str, after: str) -> BarChart | None:
    changes = [*comparison.metrics, *comparison.metrics_only_before, *comparison.metrics_only_after]
    writer.section(_("Metrics"))
    titles = {1: _("Stage"), NAME: _("Metric"), 3: _("Unit"), FIRST: before, SECOND: after, CHANGE: _("Change")}
    header = writer.header(titles | {7: _("Change %"), 8: _("Direction"), 9: _("How compared"), 10: _("Note")})
    for change in changes:
        _write_metric(writer, change, before, after)
    if not comparison.metrics:
        writer.cell(NAME, _("No metric is in both audits."), font=NOTE_FONT)
        writer.next_row()
        return None
    title = _("Metrics: change from %(before)s to %(after)s") % {"before": before, "after": after}
    chart = _bar_chart(title, "0%", horizontal=True)
    rows = len(comparison.metrics)  # the matched metrics come first
    chart.add_data(Reference(writer.worksheet, min_col=7, min_row=header, max_row=header + rows), titles_from_data=True)
    chart.set_categories(Reference(writer.worksheet, min_col=NAME, min_row=header + 1, max_row=header + rows))
    chart.legend = None
    return chart


def _write_metric(writer: Writer, change: MetricChange, before: str, after: str) -> None:
    figure, difference = FIGURE_FORMATS.get(change.kind, "General"), CHANGE_FORMATS.get(change.kind, "General")
    was = _("(was: %(name)s)") % {"name": change.renamed_from}
    name = f"{change.name} {was}" if change.renamed_from else change.name
    writer.cell(1, STAGE_LABELS.get(change.stage, change.stage))
    writer.cell(NAME, name)
    writer.cell(3, change.unit)
    writer.cell(FIRST, change.before, figure)
    writer.cell(SECOND, change.after, figure)
    writer.cell(CHANGE, change.absolute, difference)
    writer.cell(7, change.relative, RELATIVE)
    writer.cell(8, direction_text(change, before, after), font=DIRECTION_FONTS.get(change.direction))
    writer.cell(9, change.basis)
    writer.cell(10, change.note)
    writer.next_row()


def _write_conversions(writer: Writer, comparison: Comparison, before: str, after: str) -> BarChart | None:
    writer.section(_("Conversion between stages"))
    titles = {NAME: _("Conversion"), FIRST: before, SECOND: after, CHANGE: _("Change (pp)")}
    header = writer.header(titles | {8: _("Direction"), 9: _("How compared"), 10: _("Note")})
    for change in comparison.conversions:
        writer.cell(NAME, f"{change.from_metric} → {change.to_metric}")
        writer.cell(FIRST, change.before, RATE)
        writer.cell(SECOND, change.after, RATE)
        writer.cell(CHANGE, change.points, POINTS)
        writer.cell(8, direction_text(change, before, after), font=DIRECTION_FONTS.get(change.direction))
        writer.cell(9, change.basis)
        writer.cell(10, change.note)
        writer.next_row()
    if not comparison.conversions:
        writer.cell(NAME, _("No conversions: they need bucket metrics in two stages or more."), font=NOTE_FONT)
        writer.next_row()
        return None
    title = _("Conversion between stages: %(before)s and %(after)s") % {"before": before, "after": after}
    return _before_after_chart(writer, title, RATE, header)


def _write_fix_mix(writer: Writer, comparison: Comparison, before: str, after: str) -> BarChart:
    writer.section(_("How friction was settled"))
    header = writer.header({NAME: _("Settled by"), FIRST: before, SECOND: after, CHANGE: _("Change")})
    first, second = comparison.fix_mix
    for step, label in (*STEPS.items(), ("total", _("Sources of friction"))):
        font = SECTION_FONT if step == "total" else None
        writer.cell(NAME, label, font=font)
        writer.cell(FIRST, getattr(first, step), INTEGER, font)
        writer.cell(SECOND, getattr(second, step), INTEGER, font)
        writer.cell(CHANGE, getattr(second, step) - getattr(first, step), COUNT_CHANGE, font)
        writer.next_row()
    return _before_after_chart(writer, _("How friction was settled"), "0", header, rows=len(STEPS))


def _before_after_chart(writer: Writer, title: str, number_format: str, header: int, rows: int | None = None):
    """A clustered column chart of the block's two year columns, by the names in column B."""
    last = header + (rows if rows is not None else writer.row - 1 - header)
    chart = _bar_chart(title, number_format)
    data = Reference(writer.worksheet, min_col=FIRST, max_col=SECOND, min_row=header, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(writer.worksheet, min_col=NAME, min_row=header + 1, max_row=last))
    return chart


def _bar_chart(title: str, number_format: str, horizontal: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.height, chart.width = 9, 18
    chart.y_axis.number_format = number_format
    chart.x_axis.delete = False  # otherwise Excel hides the axes
    chart.y_axis.delete = False
    return chart


# --- The change sheets ----------------------------------------------------------------------------


def _force_sheet(comparison: Comparison, before: str, after: str) -> SheetData:
    columns = (
        Column("team", _("Team")),
        Column("name", _("Force"), wrap=True),
        Column("change", _("Change")),
        Column("fields", _("What changed")),
        *(Column(f"before_{name}", f"{before} {FORCE_LABELS[name]}", wrap=True) for name in FORCE_FIELDS),
        *(Column(f"after_{name}", f"{after} {FORCE_LABELS[name]}", wrap=True) for name in FORCE_FIELDS),
        Column("target", _("Last year's planned change"), wrap=True),
    )
    rows = []
    for team in comparison.teams:
        for label, changes in (
            (_("Changed"), team.changed),
            (_("New"), team.new),
            (_("Dropped"), team.dropped),
            (_("Unchanged"), team.unchanged),
        ):
            for change in changes:
                rows.append(
                    {
                        "team": team.name,
                        "name": change.name,
                        "change": label,
                        "fields": ", ".join(str(FORCE_LABELS[name]) for name in change.changed_fields),
                        **_force_side("before", change.before_row),
                        **_force_side("after", change.after_row),
                        "target": change.target,
                    }
                )
    return SheetData(str(FORCES), columns, rows, table="ForceChanges")


def _force_side(side: str, row: ForceRow | None) -> dict:
    if row is None:
        return {}
    values = {"serves": row.serves_label, "stage": row.stage_label}
    return {f"{side}_{name}": values.get(name, getattr(row, name)) for name in FORCE_FIELDS}


def _friction_sheet(comparison: Comparison, before: str, after: str) -> SheetData:
    columns = (
        Column("status", _("Status")),
        Column("source", _("Source of friction"), wrap=True),
        Column("stage", _("Stage")),
        Column("before_step", _("%(year)s settled by") % {"year": before}),
        Column("before_fix", _("%(year)s fix") % {"year": before}, wrap=True),
        Column("after_step", _("%(year)s settled by") % {"year": after}),
        Column("after_fix", _("%(year)s fix") % {"year": after}, wrap=True),
        Column("after_owner", _("%(year)s owner") % {"year": after}),
        Column("after_due", _("%(year)s due date") % {"year": after}, DATE),
    )
    rows = []
    for group, label in FRICTION_GROUPS.items():
        for change in getattr(comparison.friction, group):
            rows.append({"status": str(label), **_friction_row(change)})
    return SheetData(str(FRICTION), columns, rows, table="FrictionChanges")


def _friction_row(change: FrictionChange) -> dict:
    row = change.after_row or change.before_row
    values = {"source": change.source, "stage": row.stage_label}
    for side, side_row in (("before", change.before_row), ("after", change.after_row)):
        values[f"{side}_step"] = _settled_by(side_row)
        values[f"{side}_fix"] = side_row.fix if side_row else ""
    if change.after_row is not None:
        values["after_owner"], values["after_due"] = change.after_row.owner, change.after_row.due_date
    return values


def _settled_by(row: FrictionRow | None) -> str:
    if row is None:
        return ""
    return str(STEPS[row.settled_by or "open"])


def _strategy_sheet(comparison: Comparison, before: str, after: str) -> SheetData:
    columns = (
        Column("stage", _("Stage")),
        Column("changed", _("What changed")),
        Column("before_principle", _("%(year)s principle") % {"year": before}, wrap=True),
        Column("after_principle", _("%(year)s principle") % {"year": after}, wrap=True),
        Column("before_approach", _("%(year)s approach") % {"year": before}, wrap=True),
        Column("after_approach", _("%(year)s approach") % {"year": after}, wrap=True),
    )
    rows = []
    for change in comparison.strategies:
        parts = ((_("principle"), change.principle_changed), (_("approach"), change.approach_changed))
        rows.append(
            {
                "stage": change.after.stage_label,
                "changed": ", ".join(name for name, changed in parts if changed).capitalize() or _("Same"),
                "before_principle": change.before.principle,
                "after_principle": change.after.principle,
                "before_approach": change.before.approach,
                "after_approach": change.after.approach,
            }
        )
    return SheetData(str(STRATEGY), columns, rows, table="StrategyChanges")
