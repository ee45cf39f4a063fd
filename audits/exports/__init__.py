"""Exports: each turns an AuditDocument into the bytes of a file, with no request or database."""

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
    from . import json, pptx, xlsx

    writers = {"json": json.write, "pptx": pptx.write, "xlsx": xlsx.write}
    return writers[file_format](document)
