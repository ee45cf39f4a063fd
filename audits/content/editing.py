"""Changing an audit's tables: add, save a cell, delete, reorder.

A cell save is a conditional update — it applies only if the cell still holds the value the
editor started from — so two people typing in the same cell never overwrite each other
silently; the same SQL works on SQLite and PostgreSQL. Every change bumps the audit's
content version and writes its Activity entry, with the version it produced, in the same
transaction: an entry exists exactly when its change does (a signal handler would miss the
conditional updates), and the live poll can tell a page which rows changed since its version.
"""

from django import forms
from django.db import connection, transaction
from django.db.models import F, Max, Model
from django.forms import modelform_factory
from django.utils.translation import gettext as _

from audits.content.tables import TABLES, Table
from audits.models import Activity, Audit


class Conflict(Exception):
    """The cell changed (or its row was deleted) since the editor loaded it."""

    def __init__(self, current=None, deleted: bool = False):
        super().__init__("conflict")
        self.current = current
        self.deleted = deleted


BUMP_SQL = (
    f"UPDATE {Audit._meta.db_table} SET content_version = content_version + %s WHERE id = %s RETURNING content_version"
)


def bump_content_version(audit: Audit, changes: int = 1) -> int:
    """Count `changes` more changes to the audit's content; return the version the last makes (one query).

    Several changes at once (a pasted block) each get a version of their own: the returned one and those before it.
    """
    with connection.cursor() as cursor:
        cursor.execute(BUMP_SQL, [changes, audit.pk])
        return cursor.fetchone()[0]


def kind_of(row: Model) -> str:
    return next(table.kind for table in TABLES.values() if table.model is type(row))


def cell_text(value) -> str:
    """A stored value as a cell shows it (its `original`) and as the activity log records it: "" for none,
    a date as 2025-03-01."""
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def group_id_of(kind: str, row: Model) -> int | None:
    """The team of a force, the metric of a reading: the rows container it sits in on the page."""
    group_by = TABLES[kind].group_by
    return getattr(row, f"{group_by}_id") if group_by in ("team", "metric") else None


def record_activity(
    audit: Audit, user, action: str, kind: str, row: Model, summary: str, version: int, **details
) -> Activity:
    """Write the entry of a change that made the audit's content `version` (from bump_content_version)."""
    return Activity.objects.create(**_entry_fields(audit, user, action, kind, row, summary, version, **details))


def activity_entry(
    audit: Audit, user, action: str, kind: str, row: Model, summary: str, version: int, **details
) -> Activity:
    """The entry record_activity writes, unsaved: many changes at once (a pasted block) save theirs together."""
    return Activity(**_entry_fields(audit, user, action, kind, row, summary, version, **details))


def _entry_fields(audit: Audit, user, action: str, kind: str, row: Model, summary: str, version: int, **details):
    # Anonymous users never reach an edit; the None default serves scripts and tests.
    return {
        "audit": audit,
        "user": user if user is not None and user.is_authenticated else None,
        "action": action,
        "kind": kind,
        "row_id": row.pk,
        "summary": summary[:200],
        "version": version,
        "group_id": group_id_of(kind, row),
        **details,
    }


def row_values(row: Model) -> dict:
    """Return the row's stored values by column name, without its id and version: what undo recreates."""
    return {
        field.attname: field.value_from_object(row)
        for field in row._meta.concrete_fields
        if not field.primary_key and field.name != "version"
    }


def _snapshot(kind: str, row: Model) -> dict:
    children = {"team": "forces", "metric": "readings"}.get(kind)
    snapshot = {"fields": row_values(row), "children": []}
    if children:
        snapshot["children"] = [row_values(child) for child in getattr(row, children).order_by("pk")]
    if kind in ("force", "reading"):
        snapshot["parent"] = str(row.team if kind == "force" else row.metric)
    return snapshot


def lf_line_breaks(raw: str) -> str:
    """Browsers and spreadsheets send line breaks as CRLF (or CR); store and compare them as LF."""
    return raw.replace("\r\n", "\n").replace("\r", "\n")


def cell_form(table: Table, row: Model, field: str, raw_value: str) -> forms.ModelForm:
    form_class = modelform_factory(table.model, form=table.form, fields=[field])
    return form_class(data={field: lf_line_breaks(raw_value)}, instance=row)


def _python_value(form: forms.ModelForm, field: str, raw: str):
    form_field = form.fields[field]
    value = form_field.to_python(lf_line_breaks(raw))
    if value not in form_field.empty_values:
        form_field.validate(value)  # e.g. a decimal that is NaN or infinite
        form_field.run_validators(value)  # e.g. a NUL character
    clean = getattr(form, f"clean_{field}", None)
    if isinstance(value, str):
        value = value.strip()
        if clean is not None:
            form.cleaned_data = {field: value}
            value = clean()
    return value


def save_cell(
    audit: Audit, table: Table, row: Model, field: str, raw_value: str, raw_original: str, user=None
) -> forms.ModelForm:
    """Save one cell; return the form (with errors if invalid). Raise Conflict if it changed meanwhile."""
    form = cell_form(table, row, field, raw_value)
    if not form.is_valid():
        return form
    new_value = form.cleaned_data[field]
    try:
        original = _python_value(cell_form(table, row, field, raw_original), field, raw_original)
    except forms.ValidationError:
        # The original comes from the page itself: one that is no valid value was garbled on the way.
        form.add_error(field, _("This cell could not be checked against the saved value: reload the page."))
        return form
    unchanged = {f"{field}__isnull": True} if original is None else {field: original}
    summary = str(row)
    with transaction.atomic():
        updated = table.model.objects.filter(pk=row.pk, **unchanged).update(
            **{field: new_value}, version=F("version") + 1
        )
        if not updated:
            current = table.model.objects.filter(pk=row.pk).values_list(field, flat=True).first()
            exists = table.model.objects.filter(pk=row.pk).exists()
            raise Conflict(current=current, deleted=not exists)
        version = bump_content_version(audit)
        details = {"field": field, "before": cell_text(original), "after": cell_text(new_value)}
        record_activity(audit, user, Activity.Action.EDIT, table.kind, row, summary, version, **details)
    setattr(row, field, new_value)
    row.version += 1
    return form


def _next_position(table: Table, parent_filter: dict) -> int:
    highest = table.model.objects.filter(**parent_filter).aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def add_row(audit: Audit, table: Table, row: Model, user=None, **parent) -> Model:
    """Save a new row as the last of its group (the audit's, or its team's or metric's)."""
    for name, value in parent.items():
        setattr(row, name, value)
    if table.group_by != "metric":  # a reading belongs to its metric, which belongs to the audit
        row.audit = audit
    if hasattr(row, "author_id") and user is not None and user.is_authenticated:
        row.author = user
    group = {table.group_by: getattr(row, table.group_by)}
    with transaction.atomic():
        # Bumping first locks the audit's row, so rows added at once get positions of their own.
        version = bump_content_version(audit)
        row.position = _next_position(table, group)
        row.save()
        record_activity(audit, user, Activity.Action.ADD, table.kind, row, str(row), version)
    return row


def delete_row(audit: Audit, row: Model, user=None) -> None:
    """Delete the row (a team with its forces, a metric with its readings), keeping a snapshot for undo."""
    kind = kind_of(row)
    with transaction.atomic():
        snapshot = _snapshot(kind, row)
        version = bump_content_version(audit)
        record_activity(audit, user, Activity.Action.DELETE, kind, row, str(row), version, snapshot=snapshot)
        row.delete()


def move_row(audit: Audit, table: Table, row: Model, direction: str, user=None) -> None:
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
        version = bump_content_version(audit)
        details = {"before": str(index + 1), "after": str(target + 1)}
        record_activity(audit, user, Activity.Action.MOVE, table.kind, row, str(row), version, **details)
