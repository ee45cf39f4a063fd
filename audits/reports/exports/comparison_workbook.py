"""The comparison workbook: two audits of a flywheel side by side, in numbers a spreadsheet can use.

The Comparison sheet holds the figures — metrics with their change, conversions with their
change in percentage points, how friction was settled each year — one Excel table each, with
native charts beside them. The changes are formulas over the two years' figures (=C5-B5), so
the sheet stays right when someone corrects a figure. Forces changes, Friction changes and
Strategy changes list the rows, one table each. This module declares the content; sheets.py lays
it out (user text through `put_text`, so none of it runs as a formula). Everything here is
output: nothing is read back. Titles and labels are in the later audit's language
(exports/__init__.py), Persian right to left (`apply_language`).
"""

from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from audits.content.document import FORCE_LABELS, OPEN_LABEL, SETTLING_LABELS, STAGE_LABELS, ForceRow, FrictionRow
from audits.content.guidance import Text
from audits.reports.comparison import (
    BETTER,
    FRICTION_GROUPS,
    SAME,
    WORSE,
    Comparison,
    ConversionChange,
    FrictionChange,
    MetricChange,
)
from audits.reports.exports.sheets import (
    DATE,
    FONT_NAME,
    GENERAL,
    INTEGER,
    NOTE_FONT,
    SECTION_FONT,
    TITLE_FONT,
    TOP,
    CellStyles,
    Column,
    Formatted,
    Formula,
    SheetData,
    apply_language,
    axis_titles,
    clean_text,
    print_setup,
    put_text,
    valid_sheet_title,
    write_block,
    write_list_sheet,
)

COMPARISON, FORCES, FRICTION, STRATEGY = (
    gettext_lazy("Comparison"),
    gettext_lazy("Forces changes"),
    gettext_lazy("Friction changes"),
    gettext_lazy("Strategy changes"),
)

RELATIVE, RATE, COUNT_CHANGE = "+0.0%;-0.0%;0.0%", "0.0%", "+0;-0;0"
# Figures as their kind reads: buckets count, an NPS scores, a rate is stored in % (so its change is in points).
FIGURE_FORMATS = {"bucket": INTEGER, "nps": "0.0", "rate": '0.0"%"', "value": "#,##0.00"}


def points_format(decimals: str) -> str:
    """A change in percentage points, its unit in the workbook's language ("+1.5 pp", "+1,5 điểm %")."""
    unit = _("pp").replace('"', "")
    return f'+{decimals}" {unit}";-{decimals}" {unit}";{decimals}" {unit}"'


def change_formats() -> dict[str, str]:
    return {
        "bucket": "+#,##0;-#,##0;0",
        "nps": "+0.0;-0.0;0.0",
        "rate": points_format("0.0"),
        "value": "+#,##0.00;-#,##0.00;0.00",
    }


DIRECTIONS = {BETTER: gettext_lazy("Better"), WORSE: gettext_lazy("Worse"), SAME: gettext_lazy("Same")}
DIRECTION_FONTS = {
    BETTER: Font(name=FONT_NAME, bold=True, color="1E7B4F"),
    WORSE: Font(name=FONT_NAME, bold=True, color="B03A2E"),
}
STEPS = {**SETTLING_LABELS, "open": OPEN_LABEL}  # how friction was settled, as every renderer says it
# The fields the sheet sets side by side for the two years (what last year planned has a column of its own).
SHOWN_FORCE_FIELDS = ("before", "now", "serves", "stage", "planned_change")

# The Comparison sheet's blocks share their first columns: names in A, the two years' figures in B
# and C, their change in D (a formula), the change as a fraction in E; notes wrap in I and J.
NAME, FIRST, SECOND, CHANGE, RELATIVE_CHANGE = 1, 2, 3, 4, 5
CHART_COLUMN = "M"
WIDTHS = [40, 14, 14, 14, 11, 14, 22, 22, 50, 50]

# The changes, computed by the spreadsheet from the row's two figures: a formula, never a typed number.
DIFFERENCE = Formula("={after}-{before}")
POINTS = Formula("=({after}-{before})*100")  # rates are fractions: their difference in percentage points
# As calculations.change: the difference over the size of the first figure, none from zero.
FRACTION = Formula('=IF({before}=0,"",({after}-{before})/ABS({before}))')


def write(comparison: Comparison) -> bytes:
    workbook = Workbook()
    styles = CellStyles()
    worksheet = workbook.active
    worksheet.title = valid_sheet_title(COMPARISON)
    _write_comparison(worksheet, styles, comparison)
    before, after = years(comparison)
    for title, make in ((FORCES, _force_sheet), (FRICTION, _friction_sheet), (STRATEGY, _strategy_sheet)):
        sheet = make(comparison, before, after)
        sheet.title = valid_sheet_title(title, workbook.sheetnames)
        write_list_sheet(workbook, styles, sheet)
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


def _direction(change: MetricChange | ConversionChange, before: str, after: str) -> Formatted:
    return Formatted(direction_text(change, before, after), font=DIRECTION_FONTS.get(change.direction))


# --- The Comparison sheet: its blocks' columns and rows -------------------------------------------


@dataclass
class Block:
    """One table of the Comparison sheet, under its section title; a note when it has nothing to compare."""

    title: str
    columns: tuple[Column, ...]
    rows: list[dict]
    table: str
    note: str = ""


def _figure_columns(name: Text, before: str, after: str, change: Text, number_format: str = "") -> tuple:
    return (
        Column("name", name),
        Column("before", before, number_format),
        Column("after", after, number_format),
        Column("change", change),
    )


def metrics_block(comparison: Comparison, before: str, after: str) -> Block:
    columns = (
        *_figure_columns(_("Metric"), before, after, _("Change")),
        Column("relative", _("Change %"), RELATIVE),
        Column("direction", _("Direction")),
        Column("stage", _("Stage")),
        Column("unit", _("Unit")),
        Column("basis", _("How compared"), wrap=True),
        Column("note", _("Note"), wrap=True),
    )
    changes = [*comparison.metrics, *comparison.metrics_only_before, *comparison.metrics_only_after]
    formats = change_formats()
    rows = []
    for change in changes:
        figure, difference = FIGURE_FORMATS.get(change.kind, GENERAL), formats.get(change.kind, GENERAL)
        was = _("(was: %(name)s)") % {"name": change.renamed_from}
        rows.append(
            {
                "name": f"{change.name} {was}" if change.renamed_from else change.name,
                "before": Formatted(change.before, figure),
                "after": Formatted(change.after, figure),
                "change": Formatted(DIFFERENCE, difference) if change.absolute is not None else None,
                "relative": FRACTION if change.relative is not None else None,
                "direction": _direction(change, before, after),
                "stage": STAGE_LABELS.get(change.stage, change.stage),
                "unit": change.unit,
                "basis": change.basis,
                "note": change.note,
            }
        )
    note = "" if comparison.metrics else _("No metric is in both audits.")
    return Block(_("Metrics"), columns, rows, "ComparisonMetrics", note)


def conversions_block(comparison: Comparison, before: str, after: str) -> Block:
    columns = (
        *_figure_columns(_("Conversion"), before, after, _("Change (pp)"), RATE),
        Column("relative", _("Change %"), RELATIVE),
        Column("direction", _("Direction")),
        Column("from", pgettext("a conversion's first bucket", "From")),
        Column("to", pgettext("a conversion's second bucket", "To")),
        Column("basis", _("How compared"), wrap=True),
        Column("note", _("Note"), wrap=True),
    )
    points = points_format("0.00")
    rows = [
        {
            "name": f"{change.from_metric} → {change.to_metric}",
            "before": change.before,
            "after": change.after,
            "change": Formatted(POINTS, points) if change.points is not None else None,
            "relative": FRACTION if change.points is not None else None,
            "direction": _direction(change, before, after),
            "from": change.from_metric,
            "to": change.to_metric,
            "basis": change.basis,
            "note": change.note,
        }
        for change in comparison.conversions
    ]
    note = "" if rows else _("No conversions: they need bucket metrics in two stages or more.")
    return Block(_("Conversion between stages"), columns, rows, "ComparisonConversions", note)


def fix_mix_block(comparison: Comparison, before: str, after: str) -> Block:
    columns = _figure_columns(_("Settled by"), before, after, _("Change"), INTEGER)
    first, second = comparison.fix_mix
    rows = [
        {
            "name": label,
            "before": getattr(first, step),
            "after": getattr(second, step),
            "change": Formatted(DIFFERENCE, COUNT_CHANGE),
            **({"font": SECTION_FONT} if step == "total" else {}),
        }
        for step, label in (*STEPS.items(), ("total", _("Sources of friction")))
    ]
    return Block(_("How friction was settled"), columns, rows, "ComparisonFixMix")


# --- The Comparison sheet: laid out -----------------------------------------------------------------


def _write_comparison(worksheet: Worksheet, styles: CellStyles, comparison: Comparison) -> None:
    before, after = years(comparison)
    row = _write_heading(worksheet, styles, comparison)
    headers = {}
    blocks = (metrics_block, conversions_block, fix_mix_block)
    for block in (make(comparison, before, after) for make in blocks):
        styles.apply(worksheet.cell(row=row + 1, column=NAME), font=SECTION_FONT)
        put_text(worksheet.cell(row=row + 1, column=NAME), block.title)  # a blank row above each block
        headers[block.table] = header = row + 2
        row = write_block(worksheet, styles, block.columns, block.rows, header, block.table, WIDTHS)
        if block.note:
            styles.apply(worksheet.cell(row=row, column=NAME), font=NOTE_FONT)
            put_text(worksheet.cell(row=row, column=NAME), block.note)
            row += 1
    for column, width in enumerate(WIDTHS, start=1):
        worksheet.column_dimensions[get_column_letter(column)].width = width
    charts = [
        _metrics_chart(worksheet, comparison, headers["ComparisonMetrics"], before, after),
        _conversions_chart(worksheet, comparison, headers["ComparisonConversions"], before, after),
        _before_after_chart(
            worksheet,
            _("How friction was settled"),
            "0",
            headers["ComparisonFixMix"],
            len(STEPS),
            _("Settled by"),
            _("Sources of friction"),
        ),
    ]
    for index, chart in enumerate(chart for chart in charts if chart is not None):
        worksheet.add_chart(chart, f"{CHART_COLUMN}{2 + 20 * index}")
    worksheet.freeze_panes = "B1"  # the names stay in view
    print_setup(worksheet, title_rows="")


def _write_heading(worksheet: Worksheet, styles: CellStyles, comparison: Comparison) -> int:
    """The flywheel, both audits and the comparison's notes, a (label, text) line each; return the next row."""
    before, after = comparison.before, comparison.after
    lines = [((f"{after.flywheel_name}: {before.period_year} → {after.period_year}", TITLE_FONT), ("", None))]
    for label, header in ((_("Before"), before), (_("After"), after)):
        lines.append(((label, SECTION_FONT), (f"{header.title} ({header.period_year})", None)))
    if not comparison.same_flywheel:
        names = {"before": before.flywheel_name, "after": after.flywheel_name}
        lines.append((("", None), (_("Flywheels: %(before)s / %(after)s") % names, None)))
    lines += [((_("Note"), SECTION_FONT), (note, NOTE_FONT)) for note in comparison.notes]
    for row, line in enumerate(lines, start=1):
        for column, (text, font) in zip((NAME, FIRST), line, strict=True):
            if text:
                cell = worksheet.cell(row=row, column=column)
                styles.apply(cell, GENERAL, TOP, font)
                put_text(cell, text)
    return len(lines) + 1


def _metrics_chart(worksheet: Worksheet, comparison: Comparison, header: int, before: str, after: str):
    """The matched metrics' change in %, as horizontal bars (they come first in the block)."""
    if not comparison.metrics:
        return None
    title = _("Metrics: change from %(before)s to %(after)s") % {"before": before, "after": after}
    chart = _bar_chart(title, "0%", _("Metric"), _("Change %"), horizontal=True)
    last = header + len(comparison.metrics)
    chart.add_data(Reference(worksheet, min_col=RELATIVE_CHANGE, min_row=header, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(worksheet, min_col=NAME, min_row=header + 1, max_row=last))
    chart.legend = None
    return chart


def _conversions_chart(worksheet: Worksheet, comparison: Comparison, header: int, before: str, after: str):
    if not comparison.conversions:
        return None
    title = _("Conversion between stages: %(before)s and %(after)s") % {"before": before, "after": after}
    rows = len(comparison.conversions)
    return _before_after_chart(worksheet, title, RATE, header, rows, _("Conversion"), _("Conversion rate"))


def _before_after_chart(
    worksheet: Worksheet, title: str, number_format: str, header: int, rows: int, x_title: str, y_title: str
) -> BarChart:
    """A clustered column chart of the block's two year columns, by the names in column A."""
    last = header + rows
    chart = _bar_chart(title, number_format, x_title, y_title)
    data = Reference(worksheet, min_col=FIRST, max_col=SECOND, min_row=header, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(Reference(worksheet, min_col=NAME, min_row=header + 1, max_row=last))
    chart.legend.position = "b"
    return chart


def _bar_chart(title: str, number_format: str, x_title: str, y_title: str, horizontal: bool = False) -> BarChart:
    chart = BarChart()
    chart.type = "bar" if horizontal else "col"
    chart.grouping = "clustered"
    chart.title = title
    chart.height, chart.width = 9, 18
    chart.y_axis.number_format = number_format
    axis_titles(chart, x_title, y_title)
    return chart


# --- The change sheets ----------------------------------------------------------------------------


def _force_sheet(comparison: Comparison, before: str, after: str) -> SheetData:
    columns = (
        Column("team", _("Team")),
        Column("name", FORCE_LABELS["name"], wrap=True),
        Column("change", _("Change")),
        Column("fields", _("What changed")),
        *(Column(f"before_{name}", f"{before} {FORCE_LABELS[name]}", wrap=True) for name in SHOWN_FORCE_FIELDS),
        *(Column(f"after_{name}", f"{after} {FORCE_LABELS[name]}", wrap=True) for name in SHOWN_FORCE_FIELDS),
        Column("target", FORCE_LABELS["target"], wrap=True),
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
                        "fields": ", ".join(str(FORCE_LABELS[name]).lower() for name in change.changed_fields),
                        **_force_side("before", change.before_row),
                        **_force_side("after", change.after_row),
                        "target": change.target,
                    }
                )
    return SheetData(str(FORCES), columns, rows, table="ForceChanges")


def _force_side(side: str, row: ForceRow | None) -> dict:
    if row is None:
        return {}
    return {f"{side}_{name}": row.shown(name) for name in SHOWN_FORCE_FIELDS}


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
