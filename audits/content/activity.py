"""The audit's activity log: how an entry reads, and undoing a deletion from its snapshot."""

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext, pgettext_lazy

from audits.content.editing import bump_content_version, record_activity
from audits.content.tables import TABLES
from audits.models import Activity, Force, Metric, Reading, Team

# How each table's rows are named in an activity entry ("edited force “…”").
NOUNS = {
    "strategy": pgettext_lazy("a row in the activity log", "strategy"),
    "metric": pgettext_lazy("a row in the activity log", "metric"),
    "reading": pgettext_lazy("a row in the activity log", "reading"),
    "team": pgettext_lazy("a row in the activity log", "team"),
    "force": pgettext_lazy("a row in the activity log", "force"),
    "friction": pgettext_lazy("a row in the activity log", "friction"),
    "assessment": pgettext_lazy("a row in the activity log", "self-assessment answer"),
    "review": pgettext_lazy("a row in the activity log", "action review"),
}
# The row a child row belongs to, and why it cannot come back while its parent is deleted.
PARENTS = {
    "force": (
        "team_id",
        Team,
        gettext_lazy("The team %(name)s of this force was deleted too: restore the team first."),
    ),
    "reading": (
        "metric_id",
        Metric,
        gettext_lazy("The metric %(name)s of this reading was deleted too: restore the metric first."),
    ),
}
CHILDREN = {"team": (Force, "team_id"), "metric": (Reading, "metric_id")}


def _quoted(text: str) -> str:
    if not text:
        return _("(empty)")
    return pgettext("quoted text in the activity log", "“%(text)s”") % {"text": Truncator(text).chars(80)}


def field_label(kind: str, field: str) -> str:
    try:
        return capfirst(TABLES[kind].model._meta.get_field(field).verbose_name)
    except (KeyError, LookupError):
        return field


def describe(activity: Activity) -> str:
    """Return what the entry did, e.g. 'edited friction “Leads go cold” · Automation: “No” → “A chatbot”'."""
    row = _row(activity)
    if activity.action == Activity.Action.EDIT:
        return _("edited %(noun)s %(summary)s · %(field)s: %(before)s → %(after)s") % {
            **row,
            "field": field_label(activity.kind, activity.field),
            "before": _quoted(activity.before),
            "after": _quoted(activity.after),
        }
    if activity.action == Activity.Action.MOVE:
        return _("moved %(noun)s %(summary)s from place %(before)s to %(after)s") % {
            **row,
            "before": activity.before,
            "after": activity.after,
        }
    if activity.action == Activity.Action.DELETE:
        return _("deleted %(row)s") % {"row": _deleted_row(activity)}
    if activity.action == Activity.Action.UNDO:
        return _("restored %(noun)s %(summary)s") % row
    return _("added %(noun)s %(summary)s") % row


def restored_message(activity: Activity) -> str:
    """Return what undoing a deletion says, e.g. 'Restored: team “Sales” with 2 forces.'."""
    return _("Restored: %(row)s.") % {"row": _deleted_row(activity)}


def _row(activity: Activity) -> dict:
    return {"noun": NOUNS.get(activity.kind, activity.kind), "summary": _quoted(activity.summary)}


def _deleted_row(activity: Activity) -> str:
    """The deleted row in words, with the forces or readings deleted with it."""
    children = len((activity.snapshot or {}).get("children", []))
    values = {**_row(activity), "count": children}
    if activity.kind == "team" and children:
        return (
            ngettext(
                "%(noun)s %(summary)s with %(count)s force", "%(noun)s %(summary)s with %(count)s forces", children
            )
            % values
        )
    if activity.kind == "metric" and children:
        return (
            ngettext(
                "%(noun)s %(summary)s with %(count)s reading", "%(noun)s %(summary)s with %(count)s readings", children
            )
            % values
        )
    return _("%(noun)s %(summary)s") % values


def _values(model: type[Model], stored: dict, **overrides) -> dict:
    """Turn a snapshot's JSON values back into the model's Python values."""
    values = {}
    for name, value in stored.items():
        field = next(field for field in model._meta.concrete_fields if field.attname == name)
        values[name] = value if value is None else field.to_python(value)
    values |= overrides
    # A row it was carried forward from may be gone by now; the link is optional.
    carried_from = values.get("carried_from_id")
    if carried_from is not None and not model.objects.filter(pk=carried_from).exists():
        values["carried_from_id"] = None
    return values


def snapshot_row(activity: Activity) -> Model | None:
    """The deleted row as it was (unsaved), from the deletion's snapshot: who wrote it, when, what it said."""
    if not activity.snapshot:
        return None
    model = TABLES[activity.kind].model
    return model(**_values(model, activity.snapshot["fields"]))


def _check_parent(activity: Activity, fields: dict) -> None:
    if activity.kind not in PARENTS:
        return
    column, parent_model, message = PARENTS[activity.kind]
    if not parent_model.objects.filter(pk=fields[column], audit_id=activity.audit_id).exists():
        raise ValueError(message % {"name": _quoted(activity.snapshot.get("parent", ""))})


def _make_room(model: type[Model], row: Model, group_by: str) -> None:
    # Rows after the old place move down one, so the row comes back where it was.
    siblings = model.objects.filter(**{group_by: getattr(row, f"{group_by}_id")}, position__gte=row.position)
    siblings.update(position=F("position") + 1, version=F("version") + 1)


def undo_deletion(activity: Activity, user) -> Model:
    """Recreate a deleted row (and its forces or readings) with a new id, at its old place; return it."""
    if activity.action != Activity.Action.DELETE or not activity.snapshot:
        raise ValueError(_("Only a deletion can be undone."))
    table = TABLES[activity.kind]
    with transaction.atomic():
        # Conditional, so that two people pressing Undo at once restore the row only once.
        if not Activity.objects.filter(pk=activity.pk, undone_at__isnull=True).update(undone_at=timezone.now()):
            raise ValueError(_("This deletion has already been undone."))
        fields = _values(table.model, activity.snapshot["fields"])
        _check_parent(activity, fields)
        row = table.model(**fields)
        if (
            activity.kind == "reading"
            and Reading.objects.filter(metric_id=row.metric_id, period_start=row.period_start).exists()
        ):
            raise ValueError(_("This metric has a reading for that period again: it was not restored."))
        _make_room(table.model, row, table.group_by)
        row.save()
        if activity.kind in CHILDREN:
            child_model, column = CHILDREN[activity.kind]
            child_model.objects.bulk_create(
                child_model(**_values(child_model, child, **{column: row.pk}))
                for child in activity.snapshot.get("children", [])
            )
        version = bump_content_version(activity.audit)
        record_activity(activity.audit, user, Activity.Action.UNDO, activity.kind, row, activity.summary, version)
    activity.refresh_from_db(fields=["undone_at"])
    return row
