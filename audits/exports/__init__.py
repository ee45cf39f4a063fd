"""Exports: each turns an AuditDocument into the bytes of a file, with no request or database."""

import importlib
import re
import unicodedata

from ..document import AuditDocument

CONTENT_TYPES = {
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def file_name(document: AuditDocument, extension: str) -> str:
    """A name safe on every OS: flywheel, audit and date, ASCII letters, digits and dashes."""
    header = document.header
    date = header.workshop_date.isoformat() if header.workshop_date else str(header.period_year)
    text = f"{header.flywheel_name} {header.title} {date}"
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()[:100].strip("-")
    return f"{slug or 'flywheel-audit'}.{extension}"


def export(document: AuditDocument, file_format: str) -> bytes:
    """The file of `file_format` ("pptx", "xlsx" or "json"); each writer is imported when needed."""
    if file_format not in CONTENT_TYPES:
        raise ValueError(f"Unknown export format {file_format!r}.")
    writer = importlib.import_module(f"{__name__}.{file_format}")
    return writer.write(document)
