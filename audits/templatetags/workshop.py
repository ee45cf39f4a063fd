"""Template tags for the workshop tables: an editable cell, and numbers shown the same everywhere."""

from functools import lru_cache

from django import template
from django.urls import reverse
from django.utils import formats, translation
from django.utils.html import format_html, format_html_join
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


@register.simple_tag(takes_context=True)
def cell(context, audit_id, kind, row, field, label="", typed=None, error="", conflict=None, saved=False):
    """An editable cell: a small form that saves itself (workshop.js) and works as a plain form too.

    `typed` is what the user typed when a save failed: it is shown again with `error`, so
    nothing typed is lost. `conflict` is the value someone else saved meanwhile. The label is
    posted with the cell, so the cell that answers a save keeps it (e.g. "Jan 2025: gained").
    """
    table = TABLES[kind]
    # A plain form post that was refused shows the page again with this cell's state (rows.py).
    refused = context.get("cell_state", {}).get((kind, row.id, field))
    if refused:
        typed, error, conflict = refused["typed"], refused["error"], refused["conflict"]
    model_field = table.model._meta.get_field(field)
    stored = getattr(row, field)
    stored_text = "" if stored is None else (stored.isoformat() if hasattr(stored, "isoformat") else str(stored))
    value = stored_text if typed is None else typed
    original = stored_text if conflict is None else conflict
    dom_id = f"cell-{kind}-{row.id}-{field}"
    label = label or str(model_field.verbose_name).capitalize()
    described = (
        format_html(' aria-describedby="{}-error" aria-invalid="true"', dom_id) if error or conflict is not None else ""
    )
    attributes = format_html('id="{}" name="value" data-original="{}"{}', dom_id, original, described)
    choices = _choices(kind, field, translation.get_language())
    if choices:
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if key == value else "", text) for key, text in choices),
        )
        widget = format_html("<select {}>{}</select>", attributes, options)
    elif field in table.long_fields:
        widget = format_html('<textarea {} rows="2">{}</textarea>', attributes, value)
    elif model_field.get_internal_type() == "DateField":
        widget = format_html('<input type="date" {} value="{}">', attributes, value)
    else:
        numeric = model_field.get_internal_type() in ("PositiveIntegerField", "DecimalField")
        mode = format_html(' inputmode="{}"', "decimal" if numeric else "text")
        size = model_field.max_length or 20
        widget = format_html('<input type="text" {} value="{}" maxlength="{}"{}>', attributes, value, size * 2, mode)
    url = cell_url(audit_id, kind, row.id)
    message = ""
    if conflict is not None:
        take_theirs = format_html(
            '<button type="button" class="link-button" hx-get="{}?{}" hx-target="closest form" '
            'hx-swap="outerHTML">{}</button>',
            url,
            urlencode({"field": field, "label": label}),
            gettext("take theirs"),
        )
        explanation = format_html(
            gettext("Someone else saved “{value}” here meanwhile. Save again to keep yours, or {take_theirs}."),
            value=conflict or "—",
            take_theirs=take_theirs,
        )
        message = format_html('<p class="cell-error" id="{}-error" role="alert">{}</p>', dom_id, explanation)
    elif error:
        message = format_html('<p class="cell-error" id="{}-error" role="alert">{}</p>', dom_id, error)
    return format_html(
        # hx-trigger: workshop.js fires "cell-save" on Enter, on leaving a changed field, and on
        # choosing an option; a plain submit (no JavaScript) posts the form to the same URL.
        '<form id="{}-form" class="cell{}" method="post" action="{}" '
        'hx-post="{}" hx-trigger="cell-save" hx-swap="outerHTML">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
        '<input type="hidden" name="field" value="{}"><input type="hidden" name="original" value="{}">'
        '<input type="hidden" name="label" value="{}">'
        '<label class="visually-hidden" for="{}">{}</label>{}'
        '<button type="submit" class="cell-submit">{} <span class="visually-hidden">{}</span></button>{}</form>',
        dom_id,
        " cell-saved" if saved else (" cell-invalid" if message else ""),
        url,
        url,
        context.get("csrf_token", ""),
        field,
        original,
        label,
        dom_id,
        label,
        widget,
        gettext("Save"),
        label,
        message,
    )


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
