"""Exports: each turns an AuditDocument into the bytes of a file, with no request or database."""

import importlib
import re
import unicodedata
from json import dumps

from django.utils import translation

from audits.content.document import AuditDocument
from audits.reports.comparison import Comparison, as_data, compare

# Each format's writer module in this package (imported when needed), for an audit and for a comparison
# (a comparison's JSON is its data, written here).
WRITERS = {"pptx": "deck", "xlsx": "workbook", "json": "json_export"}
COMPARISON_WRITERS = {"pptx": "comparison_deck", "xlsx": "comparison_workbook"}
CONTENT_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def file_name(document: AuditDocument, extension: str) -> str:
    """A name safe on every OS: flywheel, audit and date, ASCII letters, digits and dashes."""
    header = document.header
    date = header.workshop_date.isoformat() if header.workshop_date else str(header.period_year)
    return _safe_name(f"{header.flywheel_name} {header.title} {date}", extension)


def comparison_file_name(comparison: Comparison, extension: str) -> str:
    """As `file_name`: the flywheel and the two years ("hubspot-example-2018-vs-2019.pptx")."""
    before, after = comparison.before, comparison.after
    if comparison.same_flywheel:
        text = f"{after.flywheel_name} {before.period_year} vs {after.period_year}"
    else:
        text = f"{before.flywheel_name} {before.period_year} vs {after.flywheel_name} {after.period_year}"
    return _safe_name(text, extension, fallback="flywheel-comparison")


def _safe_name(text: str, extension: str, fallback: str = "flywheel-audit") -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:100].strip("-")
    return f"{slug or fallback}.{extension}"


def export(document: AuditDocument, file_format: str) -> bytes:
    """The file of `file_format` ("pptx", "xlsx" or "json"); each writer is imported when needed."""
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {file_format!r}.")
    writer = importlib.import_module(f"{__name__}.{WRITERS[file_format]}")
    with translation.override(document.header.language):  # the audit's language, whoever downloads it
        return writer.write(document)


def compare_for_export(before: AuditDocument, after: AuditDocument) -> Comparison:
    """Return the comparison to export: its own sentences (notes, how each figure was made) are
    written when it is made, so it is made in the language its exports use, the later audit's."""
    with translation.override(after.header.language):
        return compare(before, after)


def export_comparison(comparison: Comparison, file_format: str) -> bytes:
    """The comparison as a file: a deck (comparison_deck), a workbook (comparison_workbook) or its JSON data.

    Its labels are in the later audit's language; make it with `compare_for_export` so that its
    sentences are too.
    """
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {file_format!r}.")
    with translation.override(comparison.after.language):
        if file_format == "json":
            return dumps(as_data(comparison), ensure_ascii=False, indent=2).encode()
        return importlib.import_module(f"{__name__}.{COMPARISON_WRITERS[file_format]}").write(comparison)
