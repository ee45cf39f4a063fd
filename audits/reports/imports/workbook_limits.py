"""Bounding the work an uploaded workbook can cause, before openpyxl parses it and while it reads.

Anyone who may import can upload a file, and a small zip can unpack into, or parse as, enough work
to hold a worker past its timeout. So what reading a workbook may cost is bounded:
- the file is checked as a zip first (`check_archive`): its size, its parts, what they unpack to;
- the tags of every part are counted before any is parsed; a part that openpyxl parses whole when
  it opens the workbook (styles, the workbook part, the shared strings…) may hold no more than a
  workbook of this tool does (`_check_parts`);
- the sheets, which openpyxl parses only as their rows are asked for, are weighed as they are read
  (`Meter`): every row counts, blank or not; no row may hold more than ROW_TAGS tags, nor all the
  sheets more than SHEET_TAGS_PER_ROW per row allowed; the clock is looked at every few kilobytes.
All of it scales with IMPORT_MAX_ROWS: no upload costs much more than the largest valid workbook.
"""

import zipfile
import zlib
from collections import defaultdict
from io import BytesIO

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.packaging.manifest import Manifest
from openpyxl.packaging.relationship import get_dependents
from openpyxl.reader.excel import _find_workbook_part  # how openpyxl finds the workbook part: the same here
from openpyxl.xml.constants import ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, SHARED_STRINGS
from openpyxl.xml.functions import fromstring

from audits.reports.imports.raw import Budget, ImportFailed, shortened

MAX_ZIP_ENTRIES = 1000  # the tool's workbook has about 30
MAX_COLUMNS = 100  # columns read in a row: the widest sheet has about 20, and people add a few
ROW_TAGS = 5000  # tags read in a sheet between two rows: a row of the tool's workbook has under 100
SHEET_TAGS_PER_ROW = 100  # the sheets' tags read, all told, per row allowed: the tool's workbook has 50 to 95
PART_TAGS = 50_000  # tags in any other part parsed whole (styles, charts): Excel writes a few thousand
STRING_TAGS_PER_ROW = 40  # the shared strings' tags per row allowed: Excel keeps each text once, in 4 tags
CHUNK = 1024 * 1024  # parts are counted a megabyte at a time
# What may come before an XML part's first "<" (whitespace, byte order marks, UTF-16's zero bytes):
# a part with anything else first, like an image, cannot be parsed as XML.
XML_START = b" \t\r\n\x00\xef\xbb\xbf\xff\xfe"
# What openpyxl and the XML parsers raise for a damaged file (defusedxml's refusals are ValueErrors).
UNREADABLE = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    SyntaxError,
    OSError,
    EOFError,
    zlib.error,
    zipfile.BadZipFile,
)
NOT_A_WORKBOOK = "The file is not an Excel workbook (.xlsx): export one from Flywheel Audit and upload that."


def unreadable(error: Exception) -> ImportFailed:
    return ImportFailed([f"The workbook could not be read ({error}). {NOT_A_WORKBOOK}"])


class Meter:
    """What reading the sheets costs: each row taken counts (blank or not), and so do the tags read.

    openpyxl parses a whole row before it hands it over, so a row of millions of blank cells
    would be parsed, and held, at once: counting the tags as the bytes are read refuses it first.
    """

    def __init__(self, budget: Budget):
        self.budget = budget
        self.tags = 0  # since the last row
        self.tags_left = settings.IMPORT_MAX_ROWS * SHEET_TAGS_PER_ROW

    def weigh(self, data: bytes) -> None:
        tags = data.count(b"<")
        self.tags += tags
        self.tags_left -= tags
        if self.tags > ROW_TAGS:
            raise ImportFailed(
                [_("A row of the workbook holds more cells than a workbook of this tool has; it cannot be read.")]
            )
        if self.tags_left < 0:
            message = _("The workbook holds more cells than %(rows)s rows have; split the audit or remove rows.")
            raise ImportFailed([message % {"rows": f"{self.budget.limit:,}"}])
        self.budget.check_time()

    def take_row(self) -> None:
        self.tags = 0
        self.budget.take_rows()


class MeteredArchive:
    """The workbook's zip as openpyxl reads its sheets from it: every chunk read is weighed first."""

    def __init__(self, archive: zipfile.ZipFile, meter: Meter):
        self.archive = archive
        self.meter = meter

    def open(self, name: str, mode: str = "r"):
        return MeteredPart(self.archive.open(name, mode), self.meter)

    def close(self) -> None:
        self.archive.close()


class MeteredPart:
    def __init__(self, part, meter: Meter):
        self.part = part
        self.meter = meter

    def read(self, size: int = -1) -> bytes:
        data = self.part.read(size)
        self.meter.weigh(data)
        return data

    def close(self) -> None:
        self.part.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception) -> None:
        self.close()


def check_archive(content: bytes, budget: Budget) -> None:
    """Refuse, before parsing any XML, what is not an xlsx, carries macros, or unpacks or parses too large."""
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportFailed([f"The file is larger than {_megabytes(settings.IMPORT_MAX_BYTES)}."])
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise ImportFailed([NOT_A_WORKBOOK]) from error
    if len(entries) > MAX_ZIP_ENTRIES:
        raise ImportFailed([f"The workbook has {len(entries):,} parts, more than a workbook of this tool has."])
    names = {entry.filename for entry in entries}
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise ImportFailed(
            [
                "The workbook contains macros (it is macro-enabled, like an .xlsm). "
                "Save it as an Excel Workbook (.xlsx) without macros and upload that."
            ]
        )
    if not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ImportFailed([NOT_A_WORKBOOK])
    # The zip reader stops at each entry's declared size, so this bounds what openpyxl unpacks.
    if sum(entry.file_size for entry in entries) > settings.IMPORT_MAX_UNPACKED_BYTES:
        raise ImportFailed(
            [f"The workbook unpacks to more than {_megabytes(settings.IMPORT_MAX_UNPACKED_BYTES)}; it cannot be read."]
        )
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            tags: dict[str, int] = {}
            for entry in entries:
                tags[entry.filename] = max(tags.get(entry.filename, 0), _count_tags(archive, entry, budget))
            _check_parts(archive, tags)
    except (*UNREADABLE, NotImplementedError, RuntimeError) as error:  # an unknown compression, a password
        raise unreadable(error) from error


def _count_tags(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, budget: Budget) -> int:
    """The tags in a part (0 if it is not XML, like an image), unpacked a chunk at a time, never whole."""
    with archive.open(entry) as part:
        chunk = part.read(CHUNK)
        start = chunk.lstrip(XML_START)
        if start and not start.startswith(b"<"):
            return 0
        count = 0
        while chunk:
            count += chunk.count(b"<")
            budget.check_time()
            chunk = part.read(CHUNK)
    return count


def _check_parts(archive: zipfile.ZipFile, tags: dict[str, int]) -> None:
    """Refuse a part that openpyxl would parse whole, when it holds more than a workbook of this tool has.

    The sheets are not limited here: openpyxl parses them only as their rows are read, through the
    Meter. The shared strings have a limit of their own, as many rows' texts.
    """
    for name in (ARC_CONTENT_TYPES, *(name for name in tags if name.endswith(".rels"))):
        _check_part(name, tags[name], PART_TAGS)  # read first, to tell which part is which
    sheets, strings = _sheets_and_strings(archive)
    for name, count in tags.items():
        if name == strings:
            _check_part(name, count, settings.IMPORT_MAX_ROWS * STRING_TAGS_PER_ROW)
        elif name not in sheets:
            _check_part(name, count, PART_TAGS)


def _check_part(name: str, count: int, limit: int) -> None:
    if count > limit:
        message = _("The workbook's part %(name)s is larger than in any workbook of this tool; it cannot be read.")
        raise ImportFailed([message % {"name": shortened(name)}])


def _sheets_and_strings(archive: zipfile.ZipFile) -> tuple[set[str], str | None]:
    """The worksheets and the shared strings table, found as openpyxl finds them.

    A part counts as a worksheet only if every relationship to it says so and openpyxl parses it
    for nothing else when it opens the workbook.
    """
    manifest = Manifest.from_tree(fromstring(archive.read(ARC_CONTENT_TYPES)))
    strings = manifest.find(SHARED_STRINGS)
    strings_name = strings.PartName[1:] if strings is not None else None
    kinds: dict[str, set[str]] = defaultdict(set)
    for name in archive.namelist():
        if name.endswith(".rels"):
            for relationship in get_dependents(archive, name):
                kinds[relationship.target].add(str(relationship.Type))
    opened = {ARC_CONTENT_TYPES, ARC_CORE, ARC_CUSTOM, ARC_STYLE, _find_workbook_part(manifest).PartName[1:]}
    sheets = {
        name
        for name, types in kinds.items()
        if all(kind.endswith("/worksheet") for kind in types) and name not in opened and name != strings_name
    }
    return sheets, strings_name


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"
