"""What a file holds, read but not yet checked: a `RawAudit` of rows, each with its place in the file;
the `Budget` every reader counts rows and time against; the failure and its messages; and how labels
are matched in any of the audit languages."""

import datetime
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from audits.models import Audit

VALUE_LENGTH = 80  # the most of a value an error message quotes
MESSAGE_LENGTH = 500  # the longest error message, whatever the file holds
# Half of a UTF-16 pair, alone: a JSON escape ("\ud800") can make one; no text can be saved or shown with it.
SURROGATE = re.compile("[\ud800-\udfff]")


def shortened(text: str, limit: int = VALUE_LENGTH) -> str:
    """`text` as an error message may quote it: cut to `limit` characters with "…", invalid characters replaced."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return SURROGATE.sub("\ufffd", text)


class ImportFailed(Exception):
    """The file cannot be imported; `errors` says every reason, each with where it is."""

    def __init__(self, errors: list[str]):
        errors = [shortened(str(error), MESSAGE_LENGTH) for error in errors]
        super().__init__("; ".join(errors))
        self.errors = errors


class Budget:
    """What reading one file may cost: IMPORT_MAX_ROWS rows and IMPORT_MAX_SECONDS seconds.

    A reader counts every row it comes to, blank or not, before doing any work on it, and looks at
    the clock as it goes: however a file is built, it is read, or refused, within seconds.
    `too_many_rows` is the refusal, with a %(rows)s for the limit.
    """

    def __init__(self, too_many_rows: str):
        self.limit = settings.IMPORT_MAX_ROWS
        self.rows_left = self.limit
        self.seconds = settings.IMPORT_MAX_SECONDS
        self.deadline = time.monotonic() + self.seconds
        self.too_many_rows = too_many_rows

    def take_rows(self, count: int = 1) -> None:
        self.rows_left -= count
        if self.rows_left < 0:
            raise ImportFailed([self.too_many_rows % {"rows": f"{self.limit:,}"}])
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() >= self.deadline:
            message = _("The file takes more than %(seconds)s seconds to read; split the audit into smaller files.")
            raise ImportFailed([message % {"seconds": self.seconds}])


@dataclass
class Row:
    where: str
    values: dict
    # Where each value sits within the row, when the file says ("column D"): named in errors.
    columns: dict = field(default_factory=dict)

    def at(self, name: str) -> str:
        column = self.columns.get(name)
        return f"{self.where}, {column}" if column else self.where


@dataclass
class MetricRows:
    row: Row
    readings: list[Row] = field(default_factory=list)


@dataclass
class RawAudit:
    header: Row
    strategies: list[Row] = field(default_factory=list)
    metrics: list[MetricRows] = field(default_factory=list)
    teams: list[Row] = field(default_factory=list)
    forces: list[Row] = field(default_factory=list)  # each with a "team" name
    friction: list[Row] = field(default_factory=list)
    assessment: list[Row] = field(default_factory=list)
    reviews: list[Row] = field(default_factory=list)
    # Problems the reader found in the file's layout, reported along with the rows' own.
    problems: list[str] = field(default_factory=list)


T = TypeVar("T")


def in_every_language(make: Callable[[], T]) -> list[T]:
    """What `make()` gives in each language an audit, and so its files, can be written in."""
    results = []
    for language in Audit.Language.values:
        with translation.override(language):
            results.append(make())
    return results


def normalized(value) -> str:
    """A title or label as imports compare it: spaces collapsed, case folded."""
    return " ".join(as_text(value).split()).casefold()


def every_spelling(label) -> set[str]:
    """A translatable label, normalized, as each audit language writes it."""
    return set(in_every_language(lambda: normalized(str(label))))


def choice_lookup(choices) -> dict[str, str]:
    """Each choice by its value and by its label in every audit language (normalized) → its value."""
    lookup = {normalized(value): value for value, _label in choices}
    for labels in in_every_language(lambda: [(normalized(str(label)), value) for value, label in choices]):
        for label, value in labels:
            lookup.setdefault(label, value)
    return lookup


def as_text(value) -> str:
    """A cell or JSON value as the text a form field expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (int, float, Decimal)):
        return str(value)
    return str(value)
