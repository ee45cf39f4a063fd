from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.content.calculations import (
    average,
    change,
    conversion_rate,
    expected_total,
    format_number,
    max_allowed_lost,
    net_change,
    nps,
    percent,
    signed,
    total_disagrees,
    weakest,
)

counts = st.integers(min_value=0, max_value=10**9)
optional_counts = st.none() | counts


def test_it_subtracts_lost_from_gained():
    assert net_change(120, 20) == 100
    assert net_change(5, 9) == -4


def test_it_counts_a_missing_side_as_zero():
    assert net_change(120, None) == 120
    assert net_change(None, 20) == -20


def test_it_gives_no_net_change_without_data():
    assert net_change(None, None) is None


def test_it_gives_the_conversion_rate_as_a_fraction():
    assert conversion_rate(400, 100) == 0.25
    assert conversion_rate(Decimal("200"), Decimal("50")) == 0.25


@pytest.mark.parametrize(("previous", "current"), [(0, 10), (None, 10), (10, None), (None, None), (0.0, 0)])
def test_it_gives_no_conversion_rate_without_a_base(previous, current):
    assert conversion_rate(previous, current) is None


def test_it_computes_nps_as_promoters_minus_detractors_in_percent():
    assert nps(70, 20, 10) == 60.0
    assert nps(1, 1, 1) == 0.0
    assert nps(0, 0, 5) == -100.0
    assert nps(1, 2, 0) == pytest.approx(100 / 3)


def test_it_counts_missing_nps_groups_as_zero():
    assert nps(8, None, 2) == 60.0
    assert nps(None, None, 3) == -100.0


@pytest.mark.parametrize("answers", [(None, None, None), (0, 0, 0), (0, None, 0)])
def test_it_gives_no_nps_without_respondents(answers):
    assert nps(*answers) is None


@given(optional_counts, optional_counts, optional_counts)
def test_it_keeps_nps_between_minus_and_plus_hundred(promoters, passives, detractors):
    score = nps(promoters, passives, detractors)
    if (promoters or 0) + (passives or 0) + (detractors or 0) == 0:
        assert score is None
    else:
        assert -100 <= score <= 100


def test_it_gives_the_absolute_and_relative_change():
    assert change(200, 250) == (50.0, 0.25)
    assert change(200, 150) == (-50.0, -0.25)


def test_it_gives_no_relative_change_from_zero():
    assert change(0, 30) == (30.0, None)


def test_it_gives_no_change_when_a_side_is_missing():
    assert change(None, 30) == (None, None)
    assert change(30, None) == (None, None)


def test_it_reads_a_rise_from_a_negative_base_as_positive():
    assert change(-10, 20) == (30.0, 3.0)


def test_it_accepts_decimals_in_change():
    assert change(Decimal("1.5"), 3) == (1.5, 1.0)


def test_it_limits_what_a_bucket_can_lose():
    assert max_allowed_lost(1000, 200) == 1200
    assert max_allowed_lost(1000, None) == 1000
    assert max_allowed_lost(0, 0) == 0


def test_it_sets_no_loss_limit_without_a_previous_total():
    assert max_allowed_lost(None, 200) is None


def test_it_expects_the_previous_total_plus_gained_minus_lost():
    assert expected_total(1800, 120, 30) == 1890
    assert expected_total(1800, 120, None) == 1920
    assert expected_total(1800, None, 30) == 1770
    assert expected_total(0, 0, 0) == 0


@pytest.mark.parametrize(("previous", "gained", "lost"), [(None, 120, 30), (1800, None, None), (None, None, None)])
def test_it_expects_no_total_without_a_previous_total_or_any_change(previous, gained, lost):
    assert expected_total(previous, gained, lost) is None


def test_it_flags_a_typed_total_that_differs_from_the_expected_one():
    assert total_disagrees(9999, 1890) is True
    assert total_disagrees(1890, 1890) is False


@pytest.mark.parametrize(("total", "expected"), [(None, 1890), (9999, None), (None, None)])
def test_it_flags_nothing_when_either_total_is_unknown(total, expected):
    assert total_disagrees(total, expected) is False


@given(counts, optional_counts, optional_counts)
def test_it_never_flags_the_total_it_expects(previous, gained, lost):
    expected = expected_total(previous, gained, lost)
    assert not total_disagrees(expected, expected)
    if expected is not None:
        assert expected == previous + net_change(gained, lost)


def test_it_finds_the_weakest_stage():
    assert weakest([("attract", 0.4), ("engage", 0.05), ("delight", 0.3)]) == "engage"


def test_it_picks_the_first_weakest_on_ties_and_skips_missing_values():
    assert weakest([("a", None), ("b", 0.1), ("c", 0.1)]) == "b"
    assert weakest([("a", -5.0), ("b", None)]) == "a"


def test_it_has_no_weakest_without_values():
    assert weakest([]) is None
    assert weakest([("a", None)]) is None


@given(st.lists(st.none() | st.floats(allow_nan=False)))
def test_it_gives_the_first_key_with_the_lowest_value(values):
    key = weakest(list(enumerate(values)))
    known = [value for value in values if value is not None]
    if not known:
        assert key is None
    else:
        assert key == values.index(min(known))


def test_it_averages_the_known_values():
    assert average([1, None, 2, 6]) == 3.0
    assert average([None, None]) is None
    assert average([]) is None


@pytest.mark.parametrize(
    ("fraction", "digits", "expected"),
    [
        (0.25, 1, "25.0%"),
        (0.285, 0, "29%"),
        (1, 0, "100%"),
        (-0.1, 1, "\u221210.0%"),
        (-0.0001, 1, "0.0%"),
        (12.3456, 1, "1,234.6%"),
        (Decimal("0.125"), 2, "12.50%"),
        (None, 1, "\u2014"),
    ],
)
def test_it_formats_percentages(fraction, digits, expected):
    assert percent(fraction, digits) == expected


@pytest.mark.parametrize(
    ("number", "digits", "expected"),
    [
        (12, 0, "+12"),
        (-3, 0, "\u22123"),
        (0, 0, "0"),
        (-0.2, 0, "0"),
        (0.5, 0, "+1"),
        (1234.56, 1, "+1,234.6"),
        (Decimal("-2.50"), 1, "\u22122.5"),
        (None, 0, "\u2014"),
    ],
)
def test_it_formats_signed_numbers(number, digits, expected):
    assert signed(number, digits) == expected


@pytest.mark.parametrize(
    ("number", "digits", "expected"),
    [
        (12300, 0, "12,300"),
        (1234567.891, 2, "1,234,567.89"),
        (2.675, 2, "2.68"),
        (Decimal("1234.5"), 0, "1,235"),
        (Decimal("0.10"), 2, "0.10"),
        (-4500, 0, "\u22124,500"),
        (999, 0, "999"),
        (None, 0, "\u2014"),
        (float("nan"), 0, "\u2014"),
    ],
)
def test_it_formats_numbers_with_thousands_separators(number, digits, expected):
    assert format_number(number, digits) == expected


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_it_formats_integers_that_read_back_the_same(number):
    text = format_number(number)
    assert int(text.replace(",", "").replace("\u2212", "-")) == number
    assert signed(number).lstrip("+").replace("\u2212", "-").replace(",", "") == str(number)


@given(st.floats(allow_nan=False))
def test_it_formats_any_float_without_an_error(number):
    assert format_number(number, 2)
    assert signed(number, 1)
    assert percent(number)
