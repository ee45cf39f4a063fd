"""Numbers in the workshop's cells, the page's way: shown grouped, read back however people type them.

A cell shows a stored figure as the page's language writes it (12000 as "12,000"; in Vietnamese
"12.000", with "12,5" for 12.5), and reads back what people type — with or without the
separators, with spaces between the digits, with Persian digits or separators — as the number it
means. The form fields below do the reading for the readings' form (audits/content/tables.py), so a
cell's save, a paste and an import all agree with what the cell shows.
"""

import re
from decimal import Decimal
from functools import lru_cache

from django import forms
from django.utils.formats import get_format

# Spaces people (and spreadsheets) put between the digits' groups: plain, no-break, thin, narrow no-break.
SPACES = re.compile(r"(?<=\d)[ \u00a0\u2009\u202f](?=\d)")
# Arabic-script separators (Persian keyboards) and the real minus sign the pages show.
PERSIAN_THOUSANDS = "\u066c"
PERSIAN_DECIMAL = "\u066b"
MINUS = "\u2212"
# A whole number grouped by threes with commas or with dots (one or the other): "12,000", "1.234.567".
GROUPED_EITHER_WAY = re.compile(r"[+-]?\d{1,3}([.,])\d{3}(?:\1\d{3})*")


def separators() -> tuple[str, str]:
    """The active language's (thousands, decimal) separators: (",", ".") in English, (".", ",") in Vietnamese."""
    return get_format("THOUSAND_SEPARATOR"), get_format("DECIMAL_SEPARATOR")


def field_text(value: int | Decimal | None) -> str:
    """Return a stored figure as a cell shows it: "12,000", "12.5" (vi: "12.000", "12,5"); "" when missing.

    Every digit stays (no rounding), so what the cell shows reads back as the same number.
    """
    if value is None:
        return ""
    return in_locale(f"{value.normalize():,f}" if isinstance(value, Decimal) else f"{value:,}")


def in_locale(text: str) -> str:
    """A figure written the English way ("1,234.5") with the active language's separators (vi: "1.234,5")."""
    thousands, decimal = separators()
    return text.translate({ord(","): thousands, ord("."): decimal})


@lru_cache(maxsize=8)
def _patterns(thousands: str, decimal: str) -> tuple[re.Pattern, re.Pattern]:
    group, point = re.escape(thousands), re.escape(decimal)
    grouped = re.compile(rf"[+-]?\d{{1,3}}(?:{group}\d{{3}})+(?:{point}\d+)?")
    plain = re.compile(rf"[+-]?\d+(?:{point}\d*)?|[+-]?{point}\d+")
    return grouped, plain


def typed_number(text: str, whole: bool = False) -> str:
    """Return a number typed the page's way ("12,000"; vi "12.000", "12,5") as Python reads it ("12000", "12.5").

    Grouping must be by threes ("1,2345" is no number). A `whole` number (a count) takes either
    separator as grouping, whatever the language: "12,000" visitors are 12000 in a Vietnamese page
    too, as a spreadsheet in English would have it. Text that is no number comes back as it was
    typed, for the form to refuse with its usual message.
    """
    thousands, decimal = separators()
    compact = SPACES.sub("", text.strip()).replace(MINUS, "-")
    compact = compact.replace(PERSIAN_THOUSANDS, thousands).replace(PERSIAN_DECIMAL, decimal)
    if whole and GROUPED_EITHER_WAY.fullmatch(compact):
        return compact.replace(",", "").replace(".", "")
    grouped, plain = _patterns(thousands, decimal)
    if grouped.fullmatch(compact) or plain.fullmatch(compact):
        return compact.replace(thousands, "").replace(decimal, ".")
    return text


class TypedIntegerField(forms.IntegerField):
    """A whole number typed with or without the page's thousands separators."""

    def to_python(self, value):
        return super().to_python(typed_number(value, whole=True) if isinstance(value, str) else value)


class TypedDecimalField(forms.DecimalField):
    """A decimal typed with or without the page's thousands separators, with its decimal separator."""

    def to_python(self, value):
        return super().to_python(typed_number(value) if isinstance(value, str) else value)


# The model fields whose form fields read typed numbers, by Django's internal type.
TYPED_FIELDS = {
    "DecimalField": TypedDecimalField,
    "IntegerField": TypedIntegerField,
    "PositiveIntegerField": TypedIntegerField,
}


def typed_field_classes(model, fields) -> dict[str, type[forms.Field]]:
    """A ModelForm's Meta.field_classes: its number fields read what people type (`typed_number`)."""
    found = {name: TYPED_FIELDS.get(model._meta.get_field(name).get_internal_type()) for name in fields}
    return {name: form_class for name, form_class in found.items() if form_class}
