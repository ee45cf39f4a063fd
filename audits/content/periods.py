"""Reporting periods: a month, quarter or year, stored as the date it starts."""

import re
from collections.abc import Iterable
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

KINDS = ("month", "quarter", "year")
KIND_NAMES = {"month": gettext_lazy("month"), "quarter": gettext_lazy("quarter"), "year": gettext_lazy("year")}
FIRST_YEAR, LAST_YEAR = 1990, 2100
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EXAMPLE_YEAR = 2018

# \d also matches other scripts' digits (e.g. Persian), and int() reads them.
MONTH_FORMS = (
    re.compile(r"(?P<year>\d{4})\s*-\s*(?P<month>\d{1,2})"),
    re.compile(r"(?P<month>\d{1,2})\s*/\s*(?P<year>\d{4})"),
    re.compile(r"(?P<name>[^\W\d_]+)\.?,?\s*(?P<year>\d{4})"),
)
QUARTER_FORMS = (
    re.compile(r"(?P<year>\d{4})\s*-?\s*q(?P<quarter>\d)", re.IGNORECASE),
    re.compile(r"q(?P<quarter>\d)\s*-?\s*(?P<year>\d{4})", re.IGNORECASE),
)
YEAR_FORM = re.compile(r"(?P<year>\d{4})")
# Without a year ("May", "Q2"): the audit's year, when the caller knows it.
MONTH_ALONE = re.compile(r"(?P<name>[^\W\d_]+)\.?")
QUARTER_ALONE = re.compile(r"q(?P<quarter>\d)", re.IGNORECASE)


def parse_period(text: str, kind: str, year: int | None = None) -> date:
    """Return the start of the period written in `text`; raise ValueError with a message for the user.

    With `year` (the audit's), a month or quarter typed without one ("May", "Q2") is of that year,
    and the messages' examples use it.
    """
    _check_kind(kind)
    text = " ".join(text.split())
    if not text:
        example = period_input(date(year or EXAMPLE_YEAR, 1, 1), kind)
        raise ValueError(
            _("Enter a %(kind)s, for example %(example)s.") % {"kind": KIND_NAMES[kind], "example": example}
        )
    if kind == "month":
        return _parse_month(text, year)
    if kind == "quarter":
        return _parse_quarter(text, year)
    return _parse_year(text, year)


def period_label(start: date, kind: str) -> str:
    """Return the period as people read it: "Jan 2018", "Q1 2018", "2018"."""
    _check_kind(kind)
    if kind == "month":
        return f"{MONTH_NAMES[start.month - 1][:3]} {start.year}"
    if kind == "quarter":
        return f"Q{_quarter(start)} {start.year}"
    return str(start.year)


def period_name(start: date, kind: str) -> str:
    """Return the period in the active language: "May 2026" ("Tháng 5 2026" in Vietnamese), "Q2 2026", "2026"."""
    _check_kind(kind)
    if kind == "month":
        return formats.date_format(start, "YEAR_MONTH_FORMAT")
    if kind == "quarter":
        return _("Q%(quarter)s %(year)s") % {"quarter": _quarter(start), "year": start.year}
    return str(start.year)


def periods_to_pick(year: int, kind: str, taken: Iterable[date] = ()) -> list[tuple[str, str]]:
    """Return the periods of `year` not in `taken`: (what to type, its name in the active language) each."""
    taken = set(taken)
    return [
        (period_input(start, kind), period_name(start, kind))
        for start in periods_in_year(year, kind)
        if start not in taken
    ]


def period_input(start: date, kind: str) -> str:
    """Return the period as it is typed: "2018-01", "2018-Q1", "2018"."""
    _check_kind(kind)
    if kind == "month":
        return f"{start.year}-{start.month:02d}"
    if kind == "quarter":
        return f"{start.year}-Q{_quarter(start)}"
    return str(start.year)


def period_start(day: date, kind: str) -> date:
    """Return the start of the period that contains `day`."""
    _check_kind(kind)
    if kind == "month":
        return day.replace(day=1)
    if kind == "quarter":
        return date(day.year, 3 * _quarter(day) - 2, 1)
    return date(day.year, 1, 1)


def next_period(start: date, kind: str) -> date:
    return _shift(start, kind, 1)


def previous_period(start: date, kind: str) -> date:
    return _shift(start, kind, -1)


def periods_in_year(year: int, kind: str) -> list[date]:
    _check_kind(kind)
    step = _months_per_period(kind)
    return [date(year, month, 1) for month in range(1, 13, step)]


def year_of(start: date) -> int:
    return start.year


def _parse_month(text: str, year: int | None) -> date:
    match = _full_match(MONTH_FORMS, text) or (year and MONTH_ALONE.fullmatch(text))
    month = _month_number(match) if match else None
    if month is None:
        example = _example_year(text, year)
        raise ValueError(
            _("“%(text)s” is not a month: write it as %(year)s-01 … %(year)s-12.") % {"text": text, "year": example}
        )
    return date(_checked_year(match["year"]) if "year" in match.re.groupindex else year, month, 1)


def _parse_quarter(text: str, year: int | None) -> date:
    match = _full_match(QUARTER_FORMS, text) or (year and QUARTER_ALONE.fullmatch(text))
    if not match or not 1 <= int(match["quarter"]) <= 4:
        example = _example_year(text, year)
        raise ValueError(
            _("“%(text)s” is not a quarter: write it as %(year)s-Q1 … %(year)s-Q4.") % {"text": text, "year": example}
        )
    start_year = _checked_year(match["year"]) if "year" in match.re.groupindex else year
    return date(start_year, 3 * int(match["quarter"]) - 2, 1)


def _parse_year(text: str, year: int | None) -> date:
    match = YEAR_FORM.fullmatch(text)
    if not match:
        raise ValueError(
            _("“%(text)s” is not a year: write it with four digits, for example %(year)s.")
            % {"text": text, "year": year or EXAMPLE_YEAR}
        )
    return date(_checked_year(match["year"]), 1, 1)


def _full_match(forms: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    return next((match for form in forms if (match := form.fullmatch(text))), None)


def _month_number(match: re.Match[str]) -> int | None:
    groups = match.groupdict()
    if "month" in groups:
        month = int(groups["month"])
        return month if 1 <= month <= 12 else None
    # "Jan", "Sept" and "January" all work: at least three letters of the English name.
    name = groups["name"].lower()
    if len(name) < 3:
        return None
    return next((index for index, full in enumerate(MONTH_NAMES, 1) if full.lower().startswith(name)), None)


def _checked_year(digits: str) -> int:
    year = int(digits)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(
            _("The year must be between %(first)s and %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}
        )
    return year


def _example_year(text: str, year: int | None = None) -> int:
    """Return the year the user typed, when there is a plausible one, else `year`: to use in the error message."""
    match = YEAR_FORM.search(text)
    if match and FIRST_YEAR <= int(match["year"]) <= LAST_YEAR:
        return int(match["year"])
    return year or EXAMPLE_YEAR


def _shift(start: date, kind: str, periods: int) -> date:
    _check_kind(kind)
    start = period_start(start, kind)
    months = start.year * 12 + start.month - 1 + periods * _months_per_period(kind)
    return date(months // 12, months % 12 + 1, 1)


def _months_per_period(kind: str) -> int:
    return {"month": 1, "quarter": 3, "year": 12}[kind]


def _quarter(day: date) -> int:
    return (day.month - 1) // 3 + 1


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"Unknown period kind {kind!r}: use one of {', '.join(KINDS)}.")
