"""Pasting a block of cells from a spreadsheet into one of the workshop's tables: all of it, or nothing.

Excel, LibreOffice and Google Sheets put a copied block on the clipboard as text: rows separated by
line breaks, cells by tabs, and a cell that holds a line break, a tab or a leading quote in double
quotes ("" for a quote inside). `parse_block` reads that.

`paste_block` lays the block over the table from the cell pasted into: rightwards over the columns the
page shows (computed ones, like a bucket's net change, left out), downwards over the rows the page
shows, and below them as new rows where the table takes them. Every value is checked with the forms a
cell's save and the add-row forms use (audits/content/tables.py); a choice may be given as imports take it, by
its value or its label in any audit language; a number as a spreadsheet shows it ("1,200", "12.5%").
Nothing is saved unless every value fits. Then all of it is saved in one transaction, each changed cell
and added row with its activity entry and a version of its own, as audits/content/editing.py's saves do, so the
live poll (audits/live/deltas.py) sends other pages the rows as it does for adds and edits.

A cell pasted over must still hold what the page showed in it (the `original` a cell's save sends
too): otherwise someone else saved it meanwhile, and nothing is saved.

A metric's readings take a block of periods and values (a period column first: "Jan 2026  120  8  950")
pasted into the add-period field or the first value column: each period's reading is added, or
updated if the metric has it. A block of values alone fills the readings from the row pasted into,
and new rows take the periods that follow.
"""

import bisect
import itertools
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Model
from django.forms import modelform_factory
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from audits.accounts.visibility import Viewer, loaded_workshop, row_hidden_from
from audits.content import numbers, periods
from audits.content.editing import activity_entry, bump_content_version, cell_text, lf_line_breaks
from audits.content.tables import TABLES, NewReadingForm, Table, rows_of
from audits.models import Activity, Audit, Metric, Reading, Team
from audits.reports.imports.raw import choice_lookup, every_spelling, normalized, shortened

# The columns a block fills, left to right as the pages show them. A table shows different sets of
# its columns on different pages (friction's answers each on their step, its owner and due date on
# the summary); only the first set of a table with an add-row form takes new rows.
COLUMN_SETS = {
    "strategy": (("principle", "approach"),),
    "force": (("name", "before", "now", "serves", "stage", "planned_change", "owner"),),
    "friction": (
        ("source", "origin", "stage", "teams"),
        ("automation",),
        ("new_goal",),
        ("restructure",),
        ("owner", "due_date"),
    ),
    "assessment": (("answer", "notes"),),
    "review": (("status", "note"),),
}
# A metric's readings: the columns typed for each kind of metric (net change and NPS are computed).
READING_COLUMNS = {
    Metric.Kind.BUCKET: ("gained", "lost", "total"),
    Metric.Kind.NPS: ("promoters", "passives", "detractors", "promoters_lost"),
    Metric.Kind.RATE: ("value",),
    Metric.Kind.VALUE: ("value",),
}
PERIOD = "period"  # a reading's period: the add-period field, or a block's first column
PASTEABLE = frozenset({*COLUMN_SETS, "reading"})
# The row a force or reading belongs to: the block's rows go under it.
GROUPS = {"force": Team, "reading": Metric}
NUMERIC = {"PositiveIntegerField", "DecimalField"}
QUOTED_LENGTH = 40  # the most of a pasted value a message quotes
ISO_DAY = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0?0:00(?::00)?)?")


class PasteRefused(Exception):
    """Nothing of the block was saved: `errors` says why, row by row; `conflict`, when someone else's change was in
    the way."""

    def __init__(self, errors: list[str], conflict: bool = False):
        super().__init__("; ".join(errors))
        self.errors = errors
        self.conflict = conflict


@dataclass(frozen=True)
class ShownRow:
    id: int
    cells: dict[str, str]  # each cell's text as the page showed it: the `original` of its save


@dataclass(frozen=True)
class Target:
    """Where a block is pasted: a table's cell (or its add-row form's field) and the rows the page shows there."""

    kind: str
    field: str
    row_id: int | None = None  # the row pasted into; None: the add-row form, which only adds
    group_id: int | None = None  # the team of forces, the metric of readings
    shown: tuple[ShownRow, ...] = ()  # the table's rows on the page, in the page's order


class PasteForm(forms.Form):
    """What static/js/paste.js posts: the clipboard's text, the cell (or add-row field) pasted into, and the
    table's rows as the page shows them, each with its cells' text ({"id": 12, "cells": {"source": "…"}})."""

    text = forms.CharField(strip=False)
    field = forms.CharField(max_length=40)
    row = forms.IntegerField(required=False, min_value=1)
    group = forms.IntegerField(required=False, min_value=1)
    rows = forms.JSONField(required=False)
    step = forms.CharField(required=False, max_length=40)

    def clean_rows(self) -> tuple[ShownRow, ...]:
        rows = self.cleaned_data["rows"] or []
        if not isinstance(rows, list) or len(rows) > settings.IMPORT_MAX_ROWS:
            raise forms.ValidationError("A list of rows, at most IMPORT_MAX_ROWS of them.")
        shown = []
        for row in rows:
            cells = row.get("cells", {}) if isinstance(row, dict) else None
            if not isinstance(cells, dict) or type(row.get("id")) is not int:
                raise forms.ValidationError("Each row is {id, cells}.")
            texts = {str(name): "" if text is None else str(text) for name, text in cells.items()}
            shown.append(ShownRow(row["id"], texts))
        if len({row.id for row in shown}) < len(shown):
            raise forms.ValidationError("A row is listed twice.")
        return tuple(shown)

    def clean(self):
        cleaned = super().clean()
        row, rows = cleaned.get("row"), cleaned.get("rows")
        if row is not None and rows is not None and row not in {shown.id for shown in rows}:
            raise forms.ValidationError("The row pasted into is not among the rows.")
        return cleaned

    def target(self, kind: str) -> Target:
        data = self.cleaned_data
        return Target(kind, data["field"], data["row"], data["group"], data["rows"])


@dataclass(frozen=True)
class Pasted:
    added: int
    changed: int  # rows with at least one cell changed

    def message(self) -> str:
        if not self.added and not self.changed:
            return _("Nothing changed: the table already holds these values.")
        parts = []
        if self.added:
            parts.append(ngettext("%(count)s row added.", "%(count)s rows added.", self.added) % {"count": self.added})
        if self.changed:
            parts.append(
                ngettext("%(count)s row changed.", "%(count)s rows changed.", self.changed) % {"count": self.changed}
            )
        return " ".join(parts)


# --- Reading the clipboard ------------------------------------------------------------------------


def parse_block(text: str) -> list[list[str]]:
    """The rows of cells of a block copied from a spreadsheet, as text (trailing blank rows dropped).

    A cell that starts with a quote is read as quoted if it is one (a closing quote before the next tab
    or line break, "" for a quote inside); otherwise the quote is part of its text, as in `5" screen`.
    """
    text = lf_line_breaks(text)
    rows, row, position = [], [], 0
    while position <= len(text):
        cell, position = _cell(text, position)
        row.append(cell)
        separator = text[position] if position < len(text) else "\n"
        position += 1
        if separator == "\n":
            rows.append(row)
            row = []
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    width = max((len(row) for row in rows), default=0)
    # A block is a rectangle: a row cut short (some programs drop empty cells at its end) ends in empty cells.
    return [row + [""] * (width - len(row)) for row in rows]


def _cell(text: str, start: int) -> tuple[str, int]:
    """The cell starting at `start`, and where its separator (a tab, a line break or the end) is."""
    if text.startswith('"', start):
        quoted = _quoted(text, start)
        if quoted is not None:
            return quoted
    end = start
    while end < len(text) and text[end] not in "\t\n":
        end += 1
    return text[start:end], end


def _quoted(text: str, start: int) -> tuple[str, int] | None:
    position, parts = start + 1, []
    while True:
        quote = text.find('"', position)
        if quote < 0:
            return None
        parts.append(text[position:quote])
        if text.startswith('""', quote):
            parts.append('"')
            position = quote + 2
            continue
        end = quote + 1
        if end < len(text) and text[end] not in "\t\n":
            return None  # a quote inside plain text, not a quoted cell
        return "".join(parts), end


# --- Laying the block over the table --------------------------------------------------------------


@dataclass
class _Change:
    """One row of the block: the table row it goes into (a new one, unsaved) and its cells' text."""

    line: int  # the block's row number, from 1
    row: Model
    values: dict[str, str]
    new: bool
    summary: str = ""  # the row as the activity log names it, before the change
    before: dict = field(default_factory=dict)
    changed: dict = field(default_factory=dict)  # field -> (before, after)


@dataclass
class _Layout:
    """The table pasted into, as this request finds it."""

    audit: Audit
    table: Table
    target: Target
    group: Model | None
    columns: tuple[str, ...]  # from the column pasted into, rightwards
    takes_new_rows: bool
    rows: list[Model]  # the rows the page shows, in its order, from the one pasted into
    readings: dict[date, Reading] = field(default_factory=dict)  # a metric's readings by period

    @property
    def metric(self) -> Metric | None:
        return self.group if self.table.kind == "reading" else None


def paste_block(audit: Audit, user, target: Target, text: str) -> Pasted:
    """Lay the block in `text` over the table at `target` and save it; raise PasteRefused, saving nothing,
    if any value does not fit or someone else changed a cell meanwhile.

    `audit` comes from permissions.get_audit_for(need="edit"). A row the page could not have shown this
    user (another table's, another team's, one hidden by anonymous input) is a 404.
    """
    block = parse_block(text)
    layout = _layout(audit, user, target)
    if block and _is_header(block[0], layout):
        block = block[1:]
    if not block:
        raise PasteRefused([_("There is nothing to paste: the clipboard holds no cells.")])
    if len(block) > settings.IMPORT_MAX_ROWS:
        limit = f"{settings.IMPORT_MAX_ROWS:,}"
        raise PasteRefused(
            [
                _("A paste takes at most %(limit)s rows; this block has %(rows)s.")
                % {"limit": limit, "rows": f"{len(block):,}"}
            ]
        )
    errors, conflicts = [], []  # (the block's row, from 1; 0 for the block as a whole, message)
    changes = _changes(layout, block, errors, conflicts)
    _check(layout, changes, errors)
    if not errors:
        conflicts += _conflicts(layout, changes)
    if errors or conflicts:
        problems = sorted(errors + conflicts, key=lambda problem: problem[0])
        raise PasteRefused([message for _line, message in problems], conflict=not errors)
    return _apply(layout, user, changes)


def _layout(audit: Audit, user, target: Target) -> _Layout:
    kind = target.kind
    if kind not in PASTEABLE:
        raise Http404("This table takes no pasted block.")
    table = TABLES[kind]
    group = _group(audit, target)
    columns, takes_new_rows = columns_from(kind, target.field, group)
    if target.row_id is None and not takes_new_rows:
        raise Http404("This table has no add-row form.")
    layout = _Layout(audit, table, target, group, columns, takes_new_rows, rows=[])
    if kind == "reading":
        readings = list(Reading.objects.filter(metric=group))
        for reading in readings:
            reading.metric = group
        layout.readings = {reading.period_start: reading for reading in readings}
        found = {reading.pk: reading for reading in readings}
    else:
        found = {row.pk: row for row in rows_of(kind, audit).filter(pk__in=[row.id for row in target.shown])}
    shown = _shown_rows(audit, user, layout, found)
    if target.row_id is not None:
        start = next((index for index, row in enumerate(shown) if row.pk == target.row_id), None)
        if start is None:
            raise Http404("The row pasted into is not among the rows shown.")
        layout.rows = shown[start:]
    return layout


def _group(audit: Audit, target: Target) -> Model | None:
    model = GROUPS.get(target.kind)
    if model is None:
        return None
    group = model.objects.filter(audit=audit, pk=target.group_id or 0).first()
    if group is None:
        raise Http404("No such team or metric.")
    group.audit = audit
    return group


def columns_from(kind: str, field_name: str, group: Model | None = None) -> tuple[tuple[str, ...], bool]:
    """The columns a block pasted into `field_name` fills, and whether the table takes new rows there."""
    if kind == "reading":
        values = READING_COLUMNS[group.kind]
        if field_name == PERIOD:
            return (PERIOD, *values), True
        if field_name in values:
            return values[values.index(field_name) :], True
        raise Http404("This metric has no such column.")
    for index, columns in enumerate(COLUMN_SETS.get(kind, ())):
        if field_name in columns:
            return columns[columns.index(field_name) :], index == 0 and TABLES[kind].can_add
    raise Http404("This column takes no pasted block.")


def _shown_rows(audit: Audit, user, layout: _Layout, found: dict[int, Model]) -> list[Model]:
    """The rows the page showed, found again: a row deleted since is someone else's change in the way."""
    target, kind = layout.target, layout.table.kind
    viewer, workshop = Viewer.of(audit, user), loaded_workshop(audit)
    missing = [row.id for row in target.shown if row.id not in found]
    if missing:
        deleted = set(
            audit.activities.filter(action=Activity.Action.DELETE, kind=kind, row_id__in=missing).values_list(
                "row_id", flat=True
            )
        )
        if set(missing) - deleted:
            raise Http404("No such row.")
        raise PasteRefused([_("Someone else deleted rows of this table meanwhile: paste again.")], conflict=True)
    rows = [found[row.id] for row in target.shown]
    group_field = f"{layout.table.group_by}_id"
    for row in rows:
        if row_hidden_from(viewer, workshop, kind, row) or (
            layout.group is not None and getattr(row, group_field) != layout.group.pk
        ):
            raise Http404("No such row.")
    return rows


def _names(layout: _Layout, column: str) -> set[str]:
    """What a spreadsheet's header row may call a column, in any audit language."""
    if column == PERIOD:
        names = every_spelling(NewReadingForm.base_fields[PERIOD].label)
        for name in periods.KIND_NAMES.values():
            names |= every_spelling(name)
        return names
    return every_spelling(layout.table.model._meta.get_field(column).verbose_name)


def _is_header(cells: list[str], layout: _Layout) -> bool:
    """Whether the block's first row holds the columns' names (copied with the data): it is left out."""
    candidates = [layout.columns]
    if layout.table.kind == "reading" and PERIOD not in layout.columns:
        candidates.append((PERIOD, *layout.columns))  # a block of periods and values
    for columns in candidates:
        named = [(cell, column) for cell, column in zip(cells, columns, strict=False) if cell.strip()]
        if (
            named
            and len(cells) <= len(columns)
            and all(normalized(cell) in _names(layout, name) for cell, name in named)
        ):
            return True
    return False


def _keyed_by_period(block: list[list[str]], layout: _Layout) -> bool:
    """Whether a block pasted into a metric's readings starts with a period column.

    Always from the add-period field. From a value column, when every row's first cell is a period and
    the block is too wide for the values alone, or its first cells are no plain numbers (a year is both).
    """
    if layout.table.kind != "reading":
        return False
    if layout.columns[0] == PERIOD:
        return True
    firsts = [row[0] for row in block if any(cell.strip() for cell in row)]
    if len(block[0]) < 2 or not firsts or not all(_period_start(text, layout.metric) for text in firsts):
        return False
    return len(block[0]) > len(layout.columns) or not all(text.strip().isdigit() for text in firsts)


def _period_start(text: str, metric: Metric) -> date | None:
    try:
        return periods.parse_period(_period_text(text, metric), metric.period, metric.audit.period_year)
    except ValueError:
        return None


def _period_text(text: str, metric: Metric) -> str:
    """A period as typed, or a day a spreadsheet's date cell shows (2026-03-01) as its period."""
    if match := ISO_DAY.fullmatch(text.strip()):
        try:
            day = date(*(int(part) for part in match.groups()))
        except ValueError:
            return text
        return periods.period_input(periods.period_start(day, metric.period), metric.period)
    return text


def _changes(layout: _Layout, block: list[list[str]], errors: list, conflicts: list) -> list[_Change]:
    keyed = _keyed_by_period(block, layout)
    columns = (PERIOD, *layout.columns) if keyed and layout.columns[0] != PERIOD else layout.columns
    # Empty columns beyond the table (a selection a little too wide) carry nothing.
    while len(block[0]) > len(columns) and not any(row[-1].strip() for row in block):
        block = [row[:-1] for row in block]
    if len(block[0]) > len(columns):
        labels = ", ".join(column_label(layout, column) for column in columns)
        message = _("The block is %(width)s columns wide, but from “%(column)s” the table has %(count)s: %(columns)s.")
        values = {"width": len(block[0]), "column": column_label(layout, columns[0]), "count": len(columns)}
        errors.append((0, message % {**values, "columns": labels}))
        return []
    lines = [(line, dict(zip(columns, cells, strict=False))) for line, cells in enumerate(block, start=1)]
    if keyed:
        return _changes_by_period(layout, lines, errors, conflicts)
    if len(block) > len(layout.rows) and not layout.takes_new_rows:
        message = _("The block has %(rows)s rows, but the table shows only %(count)s from the row you pasted into.")
        errors.append((0, message % {"rows": len(block), "count": len(layout.rows)}))
        return []
    changes = []
    for line, values in lines:
        if line <= len(layout.rows):
            changes.append(_Change(line, layout.rows[line - 1], values, new=False))
        elif any(text.strip() for text in values.values()):  # a blank row adds nothing
            changes.append(_Change(line, _new_row(layout, changes), values, new=True))
    return changes


def _new_row(layout: _Layout, changes: list[_Change]) -> Model:
    if layout.table.kind != "reading":
        return layout.table.model()
    # A reading below the table takes the period after the row above it.
    above = changes[-1].row if changes else layout.rows[-1]
    start = periods.next_period(above.period_start, layout.metric.period)
    return Reading(metric=layout.metric, period_start=start)


def _changes_by_period(layout: _Layout, lines, errors: list, conflicts: list) -> list[_Change]:
    metric, shown = layout.metric, {row.id for row in layout.target.shown}
    changes, seen = [], {}
    for line, values in lines:
        text = _period_text(values[PERIOD], metric)
        if not any(value.strip() for value in values.values()):
            continue
        try:
            start = periods.parse_period(text, metric.period, metric.audit.period_year)
        except ValueError as error:
            errors.append(_row_message(line, column_label(layout, PERIOD), str(error)))
            continue
        label = periods.period_label(start, metric.period)
        if start in seen:
            errors.append(
                _row_message(
                    line,
                    column_label(layout, PERIOD),
                    _("%(period)s is in the block twice (rows %(first)s and %(second)s).")
                    % {"period": label, "first": seen[start], "second": line},
                )
            )
            continue
        seen[start] = line
        reading = layout.readings.get(start)
        if reading is not None and reading.pk not in shown:
            message = _("Row %(row)s: someone else added %(period)s meanwhile.") % {"row": line, "period": label}
            conflicts.append((line, message))
        elif reading is not None:
            changes.append(_Change(line, reading, values, new=False))
        else:
            changes.append(_Change(line, Reading(metric=metric, period_start=start), values, new=True))
    return changes


class PastedPeriodForm(NewReadingForm):
    """A new reading's period, checked as the add-period form checks it; the metric's periods are known."""

    def __init__(self, *args, taken: set[date], **kwargs):
        super().__init__(*args, **kwargs)
        self.taken = taken

    def period_taken(self, start) -> bool:
        return start in self.taken


def column_label(layout: _Layout, column: str) -> str:
    if column == PERIOD:
        return str(NewReadingForm.base_fields[PERIOD].label)
    return str(layout.table.model._meta.get_field(column).verbose_name).capitalize()


def _row_message(line: int, column: str, message: str) -> tuple[int, str]:
    return line, _("Row %(row)s, %(column)s: %(message)s") % {"row": line, "column": column, "message": message}


def _quoted_value(text: str) -> str:
    return shortened(" ".join(text.split()), QUOTED_LENGTH)


# --- Checking every value -------------------------------------------------------------------------


def _check(layout: _Layout, changes: list[_Change], errors: list) -> None:
    """Check every change with the table's form, as a cell's save or the add-row form would."""
    previous_totals = _previous_totals(layout, changes)
    for change in changes:
        row = change.row
        change.summary = str(row) if not change.new else ""
        change.before = {name: getattr(row, name) for name in change.values if name != PERIOD}
        if layout.table.kind == "reading" and change.new:
            _check_period(layout, change, errors)
        data, problems = _form_data(layout, change)
        errors.extend(problems)
        names = list(data)
        if change.new:
            names += [name for name in layout.table.add_fields if name not in data]
            data = dict.fromkeys(layout.table.add_fields, "") | data
        if not names:
            continue
        extra = {"previous_total": previous_totals(change)} if layout.table.kind == "reading" else {}
        form = _form_class(layout.table.kind, tuple(names))(data, instance=row, **extra)
        if not form.is_valid():
            errors.extend(_form_errors(layout, change, form))
            continue
        change.changed = {
            name: (change.before[name], getattr(row, name))
            for name in change.before
            if name in form.fields and getattr(row, name) != change.before[name]
        }


def _form_errors(layout: _Layout, change: _Change, form: forms.ModelForm) -> list[tuple[int, str]]:
    errors = []
    for name, field_errors in form.errors.as_data().items():
        if name not in form.fields:
            errors += [
                (change.line, _("Row %(row)s: %(message)s") % {"row": change.line, "message": message})
                for error in field_errors
                for message in error.messages
            ]
            continue
        for error in field_errors:
            if error.code == "invalid" and isinstance(form.fields[name], (forms.IntegerField, forms.DecimalField)):
                messages = [_("“%(value)s” is not a number.") % {"value": _quoted_value(change.values[name])}]
            else:
                messages = error.messages
            errors += [_row_message(change.line, column_label(layout, name), message) for message in messages]
    return errors


def _check_period(layout: _Layout, change: _Change, errors: list) -> None:
    reading: Reading = change.row
    metric = layout.metric
    text = periods.period_input(reading.period_start, metric.period)
    form = PastedPeriodForm({PERIOD: text}, metric=metric, taken=set(layout.readings))
    if not form.is_valid():
        errors.extend(
            _row_message(change.line, column_label(layout, PERIOD), message) for message in form.errors[PERIOD]
        )


def _previous_totals(layout: _Layout, changes: list[_Change]):
    """For a metric's readings: a function giving a change the total of the reading before it, as pasted.

    ReadingForm checks that a bucket loses no more than it held: the total before is the one pasted
    for that period if there is one, else the stored one.
    """
    if layout.table.kind != "reading":
        return lambda change: None
    totals = {start: reading.total for start, reading in layout.readings.items()}
    for change in changes:
        if "total" in change.values:
            start = change.row.period_start
            text = numbers.typed_number(change.values["total"], whole=True).strip()
            # A total that is no number is refused on its own row; the next row is checked with the stored one.
            totals[start] = int(text) if text.isdigit() else None if text == "" else totals.get(start)
    starts = sorted(set(totals) | {change.row.period_start for change in changes})

    def previous_total(change: _Change) -> int | None:
        index = bisect.bisect_left(starts, change.row.period_start)
        return totals.get(starts[index - 1]) if index else None

    return previous_total


def _form_data(layout: _Layout, change: _Change) -> tuple[dict, list[tuple[int, str]]]:
    """The row's pasted text as its form takes it: choices by value or label, a percentage without its sign."""
    data, problems = {}, []
    model = layout.table.model
    for name, text in change.values.items():
        if name == PERIOD:
            continue
        model_field = model._meta.get_field(name)
        if model_field.choices:
            value = _choice(layout.table.kind, name, text)
            if value is None:
                labels = ", ".join(str(label) for _value, label in model_field.choices)
                message = _("“%(value)s” is not one of: %(choices)s.") % {
                    "value": _quoted_value(text),
                    "choices": labels,
                }
                problems.append(_row_message(change.line, column_label(layout, name), message))
                continue
            data[name] = value
        elif model_field.get_internal_type() in NUMERIC:
            # The form reads numbers as the cells show them ("1,200"; audits/content/numbers.py); a rate may
            # come as "12.5%".
            data[name] = text.strip().removesuffix("%")
        else:
            data[name] = text
    return data, problems


def _choice(kind: str, name: str, text: str) -> str | None:
    """The choice `text` names (its value, or its label in any audit language); "" for none, None if unknown."""
    text = text.strip()
    if text in ("", "—", "-"):
        return ""
    return _choices(kind, name).get(normalized(text))


@cache
def _choices(kind: str, name: str) -> dict[str, str]:
    return choice_lookup(TABLES[kind].model._meta.get_field(name).choices)


@cache
def _form_class(kind: str, names: tuple[str, ...]) -> type[forms.ModelForm]:
    table = TABLES[kind]
    return modelform_factory(table.model, form=table.form, fields=list(names))


def _conflicts(layout: _Layout, changes: list[_Change]) -> list[tuple[int, str]]:
    """Cells that someone else saved since the page showed them: their text differs from the page's."""
    shown = {row.id: row.cells for row in layout.target.shown}
    conflicts = []
    for change in changes:
        if change.new:
            continue
        cells = shown.get(change.row.pk, {})
        for name, (before, _after) in change.changed.items():
            if lf_line_breaks(cells.get(name, "")) != cell_text(before):
                conflicts.append(
                    _row_message(
                        change.line,
                        column_label(layout, name),
                        _("someone else saved “%(value)s” here meanwhile.")
                        % {"value": _quoted_value(cell_text(before)) or "—"},
                    )
                )
    return conflicts


# --- Saving it, all at once -----------------------------------------------------------------------


def _apply(layout: _Layout, user, changes: list[_Change]) -> Pasted:
    edits = [change for change in changes if change.changed and not change.new]
    additions = [change for change in changes if change.new]
    entries = sum(len(change.changed) for change in edits) + len(additions)
    if not entries:
        return Pasted(added=0, changed=0)
    audit, table = layout.audit, layout.table
    with transaction.atomic():
        # Bumping first locks the audit's row, as add_row does: rows added at once get positions of their own.
        versions = itertools.count(bump_content_version(audit, entries) - entries + 1)
        activity = []
        if edits:
            _save_edits(table, edits)
            for change in edits:
                for name, (before, after) in change.changed.items():
                    details = {"field": name, "before": cell_text(before), "after": cell_text(after)}
                    activity.append(
                        activity_entry(
                            audit,
                            user,
                            Activity.Action.EDIT,
                            table.kind,
                            change.row,
                            change.summary,
                            next(versions),
                            **details,
                        )
                    )
        if additions:
            rows = _save_additions(layout, user, additions)
            activity += [
                activity_entry(audit, user, Activity.Action.ADD, table.kind, row, str(row), next(versions))
                for row in rows
            ]
        Activity.objects.bulk_create(activity)
    return Pasted(added=len(additions), changed=len(edits))


def _save_edits(table: Table, edits: list[_Change]) -> None:
    """Save the changed rows if none changed since they were read (locked until the transaction ends)."""
    rows = [change.row for change in edits]
    current = dict(
        table.model.objects.select_for_update().filter(pk__in=[row.pk for row in rows]).values_list("pk", "version")
    )
    if any(current.get(row.pk) != row.version for row in rows):
        raise PasteRefused(
            [_("Someone else changed these rows while you pasted: nothing was saved. Paste again.")], True
        )
    for row in rows:
        row.version += 1
    names = sorted({name for change in edits for name in change.changed})
    table.model.objects.bulk_update(rows, [*names, "version"])


def _save_additions(layout: _Layout, user, additions: list[_Change]) -> list[Model]:
    table, group = layout.table, layout.group
    parent = {table.group_by: group if group is not None else layout.audit}
    highest = table.model.objects.filter(**parent).aggregate(highest=Max("position"))["highest"]
    rows = []
    for position, change in enumerate(additions, start=0 if highest is None else highest + 1):
        row = change.row
        row.position = position
        if table.group_by == "team":
            row.team = group
        if table.kind != "reading":
            row.audit = layout.audit
        if hasattr(row, "author_id") and user is not None and user.is_authenticated:
            row.author = user
        rows.append(row)
    return table.model.objects.bulk_create(rows)
