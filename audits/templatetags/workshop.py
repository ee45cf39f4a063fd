"""Template tags for the workshop tables: an editable cell, and numbers shown the same everywhere."""

from functools import lru_cache

from django import template
from django.template.loader import get_template
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext, gettext_lazy, pgettext

from .. import calculations, diagram
from ..models import Stage
from ..tables import TABLES, is_no

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


@lru_cache(maxsize=512)
def _widget(kind: str, field: str, language: str) -> tuple[str, str, int, str]:
    """How a cell of this field is drawn: (widget, default label, maxlength, inputmode), per language."""
    table = TABLES[kind]
    model_field = table.model._meta.get_field(field)
    internal = model_field.get_internal_type()
    widget = "textarea" if field in table.long_fields else "date" if internal == "DateField" else "text"
    numeric = internal in ("PositiveIntegerField", "DecimalField")
    return (
        widget,
        str(model_field.verbose_name).capitalize(),
        (model_field.max_length or 20) * 2,
        "decimal" if numeric else "text",
    )


@lru_cache(maxsize=16)
def _save_text(language: str) -> str:
    return gettext("Save")


def _stored_text(stored) -> str:
    if stored is None:
        return ""
    return stored.isoformat() if hasattr(stored, "isoformat") else str(stored)


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
    widget, default_label, maxlength, inputmode = _widget(kind, field, language)
    stored_text = _stored_text(getattr(row, field))
    dom_id = f"cell-{kind}-{row.id}-{field}"
    label = label or default_label
    url = cell_url(audit_id, kind, row.id)
    message = _cell_message(dom_id, url, field, label, error, conflict) if error or conflict is not None else ""
    data = {
        "id": dom_id,
        "url": url,
        "field": field,
        "label": label,
        "value": stored_text if typed is None else typed,
        "original": stored_text if conflict is None else conflict,
        "choices": _choices(kind, field, language),
        "widget": widget,
        "maxlength": maxlength,
        "inputmode": inputmode,
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
    """A shared part of the page (audits/workshop_page.py), rendered once per version for many viewers."""
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
    separators = {ord(","): formats.get_format("THOUSAND_SEPARATOR"), ord("."): formats.get_format("DECIMAL_SEPARATOR")}
    text = text.translate(separators)
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
