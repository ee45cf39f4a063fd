"""The audit's activity log: how an entry reads, and undoing a deletion from its snapshot."""

from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.text import Truncator, capfirst

from .editing import bump_content_version, record_activity
from .models import Activity, Force, Metric, Reading, Team
from .tables import TABLES

# How each table's rows are named in a sentence.
NOUNS = {
    "strategy": "strategy",
    "metric": "metric",
    "reading": "reading",
    "team": "team",
    "force": "force",
    "friction": "friction",
    "assessment": "self-assessment answer",
    "review": "action review",
}
# The row a child row belongs to, and the name of that parent in a sentence.
PARENTS = {"force": ("team_id", Team, "team"), "reading": ("metric_id", Metric, "metric")}
CHILDREN = {"team": (Force, "team_id"), "metric": (Reading, "metric_id")}


def _quoted(text: str) -> str:
    return f"“{Truncator(text).chars(80)}”" if text else "(empty)"


def field_label(kind: str, field: str) -> str:
    try:
        return capfirst(TABLES[kind].model._meta.get_field(field).verbose_name)
    except (KeyError, LookupError):
        return field


def describe(activity: Activity) -> str:
    """Return what the entry did, e.g. 'edited friction “Leads go cold” · Automation: “No” → “A chatbot”'."""
    noun = NOUNS.get(activity.kind, activity.kind)
    row = f"{noun} {_quoted(activity.summary)}"
    if activity.action == Activity.Action.EDIT:
        change = f"{_quoted(activity.before)} → {_quoted(activity.after)}"
        return f"edited {row} · {field_label(activity.kind, activity.field)}: {change}"
    if activity.action == Activity.Action.MOVE:
        return f"moved {row} from place {activity.before} to {activity.after}"
    if activity.action == Activity.Action.DELETE:
        children = len((activity.snapshot or {}).get("children", []))
        extra = {"team": "force", "metric": "reading"}.get(activity.kind)
        with_children = f" with {children} {extra}{'' if children == 1 else 's'}" if extra and children else ""
        return f"deleted {row}{with_children}"
    if activity.action == Activity.Action.UNDO:
        return f"restored {row}"
    return f"added {row}"


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


def _check_parent(activity: Activity, fields: dict) -> None:
    if activity.kind not in PARENTS:
        return
    column, parent_model, parent_noun = PARENTS[activity.kind]
    if not parent_model.objects.filter(pk=fields[column], audit_id=activity.audit_id).exists():
        name = _quoted(activity.snapshot.get("parent", ""))
        raise ValueError(
            f"The {parent_noun} {name} of this {activity.kind} was deleted too: restore the {parent_noun} first."
        )


def _make_room(model: type[Model], row: Model, group_by: str) -> None:
    # Rows after the old place move down one, so the row comes back where it was.
    siblings = model.objects.filter(**{group_by: getattr(row, f"{group_by}_id")}, position__gte=row.position)
    siblings.update(position=F("position") + 1, version=F("version") + 1)


def undo_deletion(activity: Activity, user) -> Model:
    """Recreate a deleted row (and its forces or readings) with a new id, at its old place; return it."""
    if activity.action != Activity.Action.DELETE or not activity.snapshot:
        raise ValueError("Only a deletion can be undone.")
    table = TABLES[activity.kind]
    with transaction.atomic():
        # Conditional, so that two people pressing Undo at once restore the row only once.
        if not Activity.objects.filter(pk=activity.pk, undone_at__isnull=True).update(undone_at=timezone.now()):
            raise ValueError("This deletion has already been undone.")
        fields = _values(table.model, activity.snapshot["fields"])
        _check_parent(activity, fields)
        row = table.model(**fields)
        if (
            activity.kind == "reading"
            and Reading.objects.filter(metric_id=row.metric_id, period_start=row.period_start).exists()
        ):
            raise ValueError("This metric has a reading for that period again: it was not restored.")
        _make_room(table.model, row, table.group_by)
        row.save()
        if activity.kind in CHILDREN:
            child_model, column = CHILDREN[activity.kind]
            child_model.objects.bulk_create(
                child_model(**_values(child_model, child, **{column: row.pk}))
                for child in activity.snapshot.get("children", [])
            )
        bump_content_version(activity.audit)
        record_activity(activity.audit, user, Activity.Action.UNDO, activity.kind, row, activity.summary)
    activity.refresh_from_db(fields=["undone_at"])
    return row
