"""Template tags for the workshop tables: an editable cell, and numbers shown the same everywhere."""

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import NamedTuple

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy, pgettext

from audits.content import calculations, diagram, numbers
from audits.content.document import is_no
from audits.content.editing import cell_text
from audits.content.tables import TABLES
from audits.models import Stage

register = template.Library()


@lru_cache(maxsize=256)
def _cell_url_prefix(audit_id, kind) -> str:
    return reverse("audits:row-cell", kwargs={"audit_id": audit_id, "kind": kind, "row_id": 0}).removesuffix("0/")


def cell_url(audit_id, kind, row_id) -> str:
    # Reversed once per table: a large audit's page has thousands of cells.
    return f"{_cell_url_prefix(audit_id, kind)}{row_id}/"


YES_NO = [("True", gettext_lazy("Yes")), ("False", gettext_lazy("No"))]


@lru_cache(maxsize=256)
def _choices(kind: str, field: str, language: str) -> tuple | None:
    """The options of a select cell, with "—" for no answer; yes/no for a true/false field.

    Kept per language with the labels already translated: a large table draws thousands of them.
    """
    model_field = TABLES[kind].model._meta.get_field(field)
    if model_field.get_internal_type() == "BooleanField":
        choices = YES_NO
    elif model_field.choices:
        choices = [("", "—"), *model_field.choices]
    else:
        return None
    return tuple((key, str(text)) for key, text in choices)


# What to write in an empty cell, where the field's own words help; "Click and type" elsewhere.
WRITE_THE_FIX = gettext_lazy("Write the fix")
ADD_A_NAME = gettext_lazy("Add a name")
ADD_A_NOTE = gettext_lazy("Add a note")
PLACEHOLDERS = {
    ("strategy", "principle"): gettext_lazy("Write the principle"),
    ("strategy", "approach"): gettext_lazy("Describe the approach"),
    ("friction", "source"): gettext_lazy("Describe the friction"),
    ("friction", "teams"): gettext_lazy("Which teams?"),
    ("friction", "automation"): WRITE_THE_FIX,
    ("friction", "new_goal"): WRITE_THE_FIX,
    ("friction", "restructure"): WRITE_THE_FIX,
    ("friction", "owner"): ADD_A_NAME,
    ("force", "planned_change"): gettext_lazy("Write the planned change"),
    ("force", "owner"): ADD_A_NAME,
    ("assessment", "notes"): ADD_A_NOTE,
    ("review", "note"): ADD_A_NOTE,
}
NUMBER_PLACEHOLDER = gettext_lazy("Add a number")
ANY_PLACEHOLDER = gettext_lazy("Click and type")


class Widget(NamedTuple):
    """How a cell of one field is drawn in one language."""

    widget: str  # "text", "textarea" or "date"
    label: str
    maxlength: int
    numeric: bool
    placeholder: str


@lru_cache(maxsize=512)
def _widget(kind: str, field: str, language: str) -> Widget:
    """How a cell of this field is drawn, per language (a large page draws thousands: computed once)."""
    table = TABLES[kind]
    model_field = table.model._meta.get_field(field)
    internal = model_field.get_internal_type()
    widget = "textarea" if field in table.long_fields else "date" if internal == "DateField" else "text"
    numeric = internal in ("PositiveIntegerField", "DecimalField")
    placeholder = NUMBER_PLACEHOLDER if numeric else PLACEHOLDERS.get((kind, field), ANY_PLACEHOLDER)
    return Widget(
        widget=widget,
        label=str(model_field.verbose_name).capitalize(),
        maxlength=(model_field.max_length or 20) * 2,
        numeric=numeric,
        placeholder=str(placeholder),
    )


@lru_cache(maxsize=16)
def _save_text(language: str) -> str:
    return gettext("Save")


def _shown_figure(text: str) -> str:
    """A figure given as stored text (someone else's value) as a cell shows it: "12000" as "12,000"."""
    try:
        return numbers.field_text(Decimal(text)) if text else ""
    except InvalidOperation:
        return text


def _cell_message(dom_id: str, url: str, field: str, label: str, error: str, conflict) -> str:
    """Why the cell was not saved; drawn for a refused save only, never for a page's thousands of cells."""
    if conflict is None:
        return error
    take_theirs = format_html(
        '<button type="button" class="link-button" hx-get="{}?{}" hx-target="closest form" '
        'hx-swap="outerHTML">{}</button>',
        url,
        urlencode({"field": field, "label": label}),
        gettext("take theirs"),
    )
    return format_html(
        gettext("Someone else saved “{value}” here meanwhile. Save again to keep yours, or {take_theirs}."),
        value=conflict or "—",
        take_theirs=take_theirs,
    )


@lru_cache(maxsize=1)
def _cell_nodes():
    # Rendered inside the row's own context (pushed), not in a new one: a large page draws thousands.
    return get_template("audits/partials/cell.html").template.nodelist


@register.simple_tag(takes_context=True)
def cell(context, audit_id, kind, row, field, label="", typed=None, error="", conflict=None, saved=False):
    """An editable cell, drawn by audits/partials/cell.html; works as a plain form too.

    `typed` is what the user typed when a save failed: it is shown again with `error`, so
    nothing typed is lost. `conflict` is the value someone else saved meanwhile. The label is
    posted with the cell, so the cell that answers a save keeps it (e.g. "Jan 2025: gained").
    """
    # A plain form post that was refused shows the page again with this cell's state (rows.py).
    refused = context.get("cell_state", {}).get((kind, row.id, field))
    if refused:
        typed, error, conflict = refused["typed"], refused["error"], refused["conflict"]
    language = translation.get_language()
    look = _widget(kind, field, language)
    stored = getattr(row, field)
    stored_text = cell_text(stored)
    # Figures show grouped, the page's way ("12,000"); the form posts the stored text to check against.
    shown = numbers.field_text(stored) if look.numeric else stored_text
    if conflict is not None:  # someone else's value is the one to check against now, and to show
        stored_text = conflict
        shown = _shown_figure(conflict) if look.numeric else conflict
    dom_id = f"cell-{kind}-{row.id}-{field}"
    label = label or look.label
    url = cell_url(audit_id, kind, row.id)
    theirs = None if conflict is None else shown
    message = _cell_message(dom_id, url, field, label, error, theirs) if error or theirs is not None else ""
    data = {
        "id": dom_id,
        "url": url,
        "field": field,
        "label": label,
        "value": shown if typed is None else typed,
        "original": stored_text,
        "shown_original": shown,
        "choices": _choices(kind, field, language),
        "widget": look.widget,
        "maxlength": look.maxlength,
        "inputmode": "decimal" if look.numeric else "text",
        "placeholder": look.placeholder,
        "save": _save_text(language),
        "message": message,
        "state": " cell-saved" if saved else (" cell-invalid" if message else ""),
    }
    with context.push(c=data):
        return _cell_nodes().render(context)


@register.simple_tag(takes_context=True)
def rows(context, kind, group_id=None):
    """The rows of one of the page's tables (shared fragments): `{% rows "force" team.id %}`."""
    return context["page"].rows_html(kind, group_id)


@register.simple_tag(takes_context=True)
def one_row(context, kind, row_id):
    """One row of the page's tables (a team, a metric card), as the full page draws it."""
    return context["page"].render_rows(kind, [row_id]).get(row_id, "")


@register.simple_tag(takes_context=True)
def workshop_panel(context, name):
    """A shared part of the page (audits/live/workshop_page.py), rendered once per version for many viewers."""
    return context["page"].render_panel(name)


@register.filter
def percent(fraction):
    return localized(calculations.percent(fraction))


@register.filter
def number(value):
    return localized(calculations.format_number(value))


@register.filter
def score(value):
    """An NPS, rounded to a whole number with its sign."""
    return localized(calculations.signed(value))


@register.filter
def signed(value):
    return localized(calculations.signed(value))


def localized(text: str) -> str:
    """A figure formatted by calculations (1,234.5) in the page's locale (vi: 1.234,5).

    In right-to-left pages the figure is isolated, so that "+1" and "−3" keep their sign in front.
    """
    text = numbers.in_locale(text)
    return f"\u2066{text}\u2069" if translation.get_language_bidi() else text


@register.simple_tag
def add_form(add_forms, kind, group_id=None):
    """The add-row form for `kind`, in a team's or metric's group.

    `{% add_form add_forms "force" team.id as form %}`
    """
    return add_forms.get(kind, group_id)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


@register.simple_tag
def sparkline_svg(values, width=120, height=28, label=""):
    """A small trend line as inline SVG; nothing when there is nothing to draw."""
    points = diagram.sparkline(list(values), width, height)
    if not points:
        return "—"
    return format_html(
        '<svg class="sparkline" width="{}" height="{}" viewBox="0 0 {} {}" role="img" aria-label="{}">'
        '<polyline points="{}"></polyline></svg>',
        width,
        height,
        width,
        height,
        label or gettext("Trend"),
        points,
    )


@register.filter
def prefixed(value, prefix):
    """`{{ metric.id|prefixed:"#metric-" }}` gives "#metric-12" (the add filter would sum numbers)."""
    return f"{prefix}{value}"


@register.filter
def stage_label(stage):
    """`{{ "attract"|stage_label }}` gives "Attract", in the active language; "" for no stage."""
    return Stage(stage).label if stage in Stage.values else ""


@register.filter
def shown_answer(text):
    """A friction step's answer as shown: "No" (stored in English) in the active language, a fix as written."""
    return pgettext("the answer to a step's question", "No") if is_no(text) else text


@register.filter
def filled_into(value, text):
    """`{{ metric.name|filled_into:_("{row}: stage") }}` gives "Visitors: stage", in the active language.

    Braces, not %(row)s: Django doubles the % signs of a _("…") literal in a template.
    """
    return str(text).format(row=value)


@register.filter
def with_kind(reading, kind):
    """What reading_computed.html needs of a document reading."""
    return {"id": reading.id, "kind": kind, "net_change": reading.net_change, "nps": reading.nps}


@register.filter
def field_value(row, name):
    return getattr(row, name)


@register.filter
def waiting_on(row, field):
    """Whether a friction row reached this step with an earlier step still unanswered."""
    return row.waiting_on(field) if field != "automation" else False
