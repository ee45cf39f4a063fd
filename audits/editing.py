"""Changing an audit's tables: add, save a cell, delete, reorder.

A cell save is a conditional update — it applies only if the cell still holds the value the
editor started from — so two people typing in the same cell never overwrite each other
silently; the same SQL works on SQLite and PostgreSQL. Every change bumps the audit's
content version in the same transaction.
"""

from django import forms
from django.db import transaction
from django.db.models import F, Max, Model
from django.forms import modelform_factory

from .models import Audit
from .tables import Table


class Conflict(Exception):
    """The cell changed (or its row was deleted) since the editor loaded it."""

    def __init__(self, current=None, deleted: bool = False):
        super().__init__("conflict")
        self.current = current
        self.deleted = deleted


def _bump(audit: Audit) -> None:
    Audit.objects.filter(pk=audit.pk).update(content_version=F("content_version") + 1)


def _normalize(raw: str) -> str:
    # Browsers send line breaks as CRLF; store and compare them as LF.
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def cell_form(table: Table, row: Model, field: str, raw_value: str) -> forms.ModelForm:
    form_class = modelform_factory(table.model, form=table.form, fields=[field])
    return form_class(data={field: _normalize(raw_value)}, instance=row)


def _python_value(form: forms.ModelForm, field: str, raw: str):
    value = form.fields[field].to_python(_normalize(raw))
    clean = getattr(form, f"clean_{field}", None)
    if isinstance(value, str):
        value = value.strip()
        if clean is not None:
            form.cleaned_data = {field: value}
            value = clean()
    return value


def save_cell(audit: Audit, table: Table, row: Model, field: str, raw_value: str, raw_original: str):
    """Save one cell; return the form (with errors if invalid). Raise Conflict if it changed meanwhile."""
    form = cell_form(table, row, field, raw_value)
    if not form.is_valid():
        return form
    new_value = form.cleaned_data[field]
    try:
        original = _python_value(cell_form(table, row, field, raw_original), field, raw_original)
    except forms.ValidationError:
        # The original comes from the page itself: one that is no valid value was garbled on the way.
        form.add_error(field, "This cell could not be checked against the saved value: reload the page.")
        return form
    unchanged = {f"{field}__isnull": True} if original is None else {field: original}
    with transaction.atomic():
        updated = table.model.objects.filter(pk=row.pk, **unchanged).update(
            **{field: new_value}, version=F("version") + 1
        )
        if not updated:
            current = table.model.objects.filter(pk=row.pk).values_list(field, flat=True).first()
            exists = table.model.objects.filter(pk=row.pk).exists()
            raise Conflict(current=current, deleted=not exists)
        _bump(audit)
    setattr(row, field, new_value)
    row.version += 1
    return form


def _next_position(table: Table, parent_filter: dict) -> int:
    highest = table.model.objects.filter(**parent_filter).aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def add_row(audit: Audit, table: Table, row: Model, **parent) -> Model:
    """Save a new row as the last of its group (the audit's, or its team's or metric's)."""
    for name, value in parent.items():
        setattr(row, name, value)
    if table.group_by != "metric":  # a reading belongs to its metric, which belongs to the audit
        row.audit = audit
    group = {table.group_by: getattr(row, table.group_by)}
    with transaction.atomic():
        row.position = _next_position(table, group)
        row.save()
        _bump(audit)
    return row


def delete_row(audit: Audit, row: Model) -> None:
    with transaction.atomic():
        row.delete()
        _bump(audit)


def move_row(audit: Audit, table: Table, row: Model, direction: str) -> None:
    """Move a row one place up or down within its group (a team's forces, a metric's readings…)."""
    siblings = list(
        table.model.objects.filter(**{table.group_by: getattr(row, table.group_by)}).order_by("position", "pk")
    )
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == row.pk)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
        sibling.version += 1
    with transaction.atomic():
        table.model.objects.bulk_update(siblings, ["position", "version"])
        _bump(audit)
