"""Pure calculations for an audit's figures: missing or zero data gives None, never an error."""

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import TypeVar

Number = int | float | Decimal
K = TypeVar("K")

MINUS = "\u2212"  # the real minus sign, not the hyphen
MISSING = "\u2014"  # em dash, shown where a figure is unknown


def net_change(gained: int | None, lost: int | None) -> int | None:
    if gained is None and lost is None:
        return None
    return (gained or 0) - (lost or 0)


def conversion_rate(previous: Number | None, current: Number | None) -> float | None:
    """Return current / previous as a fraction (0.25 is 25%)."""
    if previous is None or current is None or previous == 0:
        return None
    return float(current) / float(previous)


def nps(promoters: int | None, passives: int | None, detractors: int | None) -> float | None:
    """Return the Net Promoter Score: % promoters − % detractors, from −100 to 100."""
    promoters, passives, detractors = promoters or 0, passives or 0, detractors or 0
    respondents = promoters + passives + detractors
    if respondents == 0:
        return None
    return (promoters - detractors) * 100 / respondents


def change(previous: Number | None, current: Number | None) -> tuple[float | None, float | None]:
    """Return (current − previous, that difference as a fraction of previous)."""
    if previous is None or current is None:
        return None, None
    difference = float(current) - float(previous)
    # Divide by the size of previous so that a rise reads positive even from a negative base (an NPS).
    relative = difference / abs(float(previous)) if previous != 0 else None
    return difference, relative


def max_allowed_lost(previous_total: int | None, gained: int | None) -> int | None:
    """Return the most a bucket can lose in a period, or None when there is no previous total."""
    if previous_total is None:
        return None
    return previous_total + (gained or 0)


def expected_total(previous_total: int | None, gained: int | None, lost: int | None) -> int | None:
    """Return what a bucket holds at the end of a period: the previous total plus gained minus lost.

    None when it cannot be told: no previous total, or neither gained nor lost known yet.
    """
    change = net_change(gained, lost)
    if previous_total is None or change is None:
        return None
    return previous_total + change


def total_disagrees(total: int | None, expected: int | None) -> bool:
    """Whether a typed total differs from the one its previous total, gained and lost give."""
    return total is not None and expected is not None and total != expected


def weakest(items: list[tuple[K, float | None]]) -> K | None:
    """Return the key with the lowest value (the first on ties), ignoring missing values."""
    known = [(key, value) for key, value in items if value is not None]
    return min(known, key=lambda item: item[1])[0] if known else None


def average(values: list[float | None]) -> float | None:
    known = [float(value) for value in values if value is not None]
    if not known:
        return None
    return math.fsum(known) / len(known)


# --- Display ------------------------------------------------------------------------------------


def format_number(number: Number | None, digits: int = 0) -> str:
    """Return "12,300" for 12300; half-up rounding, a real minus sign, "—" when missing."""
    rounded = _rounded(number, digits)
    if rounded is None:
        return MISSING
    return (MINUS if rounded < 0 else "") + f"{abs(rounded):,f}"


def signed(number: Number | None, digits: int = 0) -> str:
    """Return "+12", "−3", or "0": a change with its sign always shown."""
    rounded = _rounded(number, digits)
    if rounded is None:
        return MISSING
    sign = "+" if rounded > 0 else MINUS if rounded < 0 else ""
    return sign + f"{abs(rounded):,f}"


def percent(fraction: Number | None, digits: int = 1) -> str:
    """Return "25.0%" for 0.25."""
    if fraction is None:
        return MISSING
    return format_number(_decimal(fraction).scaleb(2), digits) + "%"


def _decimal(number: Number) -> Decimal:
    # Through str, so that 0.285 is the 0.285 people typed rather than its binary approximation.
    return number if isinstance(number, Decimal) else Decimal(str(number))


def _rounded(number: Number | None, digits: int) -> Decimal | None:
    if number is None:
        return None
    value = _decimal(number)
    if not value.is_finite():
        return None
    with localcontext(prec=400):  # enough digits for any float, so quantize never overflows
        rounded = value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return abs(rounded) if rounded == 0 else rounded  # no "−0"
