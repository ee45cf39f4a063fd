from datetime import date

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from audits.content.periods import (
    KINDS,
    next_period,
    parse_period,
    period_input,
    period_label,
    period_name,
    period_start,
    periods_in_year,
    periods_to_pick,
    previous_period,
    year_of,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31))
kinds = st.sampled_from(KINDS)


@st.composite
def starts(draw):
    """A valid (period start, kind) pair."""
    kind = draw(kinds)
    return period_start(draw(days), kind), kind


@pytest.mark.parametrize("text", ["2018-01", "2018-1", "Jan 2018", "January 2018", "01/2018", "1/2018", "jan 2018"])
def test_it_parses_the_ways_people_write_a_month(text):
    assert parse_period(text, "month") == date(2018, 1, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Sept 2018", date(2018, 9, 1)), ("DEC 2018", date(2018, 12, 1)), ("  2018-11 ", date(2018, 11, 1))],
)
def test_it_is_lenient_with_month_names_case_and_spaces(text, expected):
    assert parse_period(text, "month") == expected


def test_it_reads_persian_digits():
    assert parse_period("۲۰۱۸-۰۳", "month") == date(2018, 3, 1)


@pytest.mark.parametrize("text", ["2018-Q3", "Q3 2018", "2018 Q3", "q3 2018", "2018-q3", "2018Q3"])
def test_it_parses_the_ways_people_write_a_quarter(text):
    assert parse_period(text, "quarter") == date(2018, 7, 1)


def test_it_parses_a_year():
    assert parse_period("2018", "year") == date(2018, 1, 1)


@pytest.mark.parametrize("text", ["2018-13", "2018-0", "13/2018", "Ju 2018", "Foo 2018", "2018-Q1", "2018"])
def test_it_explains_what_a_month_looks_like(text):
    with pytest.raises(ValueError, match=f"^“{text}” is not a month: write it as 2018-01 … 2018-12.$"):
        parse_period(text, "month")


@pytest.mark.parametrize("text", ["Q5 2018", "2018-Q0", "2018-03", "Q 2018"])
def test_it_explains_what_a_quarter_looks_like(text):
    with pytest.raises(ValueError, match=f"^“{text}” is not a quarter: write it as 2018-Q1 … 2018-Q4.$"):
        parse_period(text, "quarter")


def test_it_uses_the_typed_year_in_the_example():
    with pytest.raises(ValueError, match="write it as 2025-01 … 2025-12"):
        parse_period("2025-13", "month")


@pytest.mark.parametrize("text", ["18", "twenty", "2018-01", "02018"])
def test_it_explains_what_a_year_looks_like(text):
    with pytest.raises(ValueError, match=f"^“{text}” is not a year: write it with four digits"):
        parse_period(text, "year")


@pytest.mark.parametrize(("text", "kind"), [("1989", "year"), ("2101-01", "month"), ("Q1 1900", "quarter")])
def test_it_rejects_years_out_of_range(text, kind):
    with pytest.raises(ValueError, match="^The year must be between 1990 and 2100.$"):
        parse_period(text, kind)


def test_it_accepts_the_first_and_last_year():
    assert parse_period("1990-01", "month") == date(1990, 1, 1)
    assert parse_period("2100-Q4", "quarter") == date(2100, 10, 1)


def test_it_asks_for_a_period_when_the_text_is_empty():
    with pytest.raises(ValueError, match="^Enter a quarter, for example 2018-Q1.$"):
        parse_period("   ", "quarter")


def test_it_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="Unknown period kind 'week'"):
        parse_period("2018", "week")


@pytest.mark.parametrize(
    ("start", "kind", "label", "typed"),
    [
        (date(2018, 1, 1), "month", "Jan 2018", "2018-01"),
        (date(2018, 12, 1), "month", "Dec 2018", "2018-12"),
        (date(2018, 1, 1), "quarter", "Q1 2018", "2018-Q1"),
        (date(2018, 10, 1), "quarter", "Q4 2018", "2018-Q4"),
        (date(2018, 1, 1), "year", "2018", "2018"),
    ],
)
def test_it_labels_and_types_a_period(start, kind, label, typed):
    assert period_label(start, kind) == label
    assert period_input(start, kind) == typed


def test_it_finds_the_start_of_the_period_containing_a_day():
    assert period_start(date(2018, 5, 17), "month") == date(2018, 5, 1)
    assert period_start(date(2018, 5, 17), "quarter") == date(2018, 4, 1)
    assert period_start(date(2018, 5, 17), "year") == date(2018, 1, 1)


@pytest.mark.parametrize(
    ("start", "kind", "following"),
    [
        (date(2018, 1, 1), "month", date(2018, 2, 1)),
        (date(2018, 12, 1), "month", date(2019, 1, 1)),
        (date(2018, 10, 1), "quarter", date(2019, 1, 1)),
        (date(2018, 4, 1), "quarter", date(2018, 7, 1)),
        (date(2018, 1, 1), "year", date(2019, 1, 1)),
    ],
)
def test_it_steps_to_the_next_and_previous_period(start, kind, following):
    assert next_period(start, kind) == following
    assert previous_period(following, kind) == start


def test_it_lists_the_periods_of_a_year():
    assert periods_in_year(2018, "month") == [date(2018, month, 1) for month in range(1, 13)]
    assert periods_in_year(2018, "quarter") == [date(2018, 1, 1), date(2018, 4, 1), date(2018, 7, 1), date(2018, 10, 1)]
    assert periods_in_year(2018, "year") == [date(2018, 1, 1)]


def test_it_gives_the_year_of_a_period():
    assert year_of(date(2018, 10, 1)) == 2018


@given(starts())
def test_it_parses_its_own_typed_form_back(start_and_kind):
    start, kind = start_and_kind
    assert parse_period(period_input(start, kind), kind) == start


@given(starts())
def test_it_parses_its_own_label_back(start_and_kind):
    start, kind = start_and_kind
    assert parse_period(period_label(start, kind), kind) == start


@given(starts())
def test_it_makes_next_and_previous_inverse(start_and_kind):
    start, kind = start_and_kind
    assert previous_period(next_period(start, kind), kind) == start
    assert next_period(previous_period(start, kind), kind) == start
    assert next_period(start, kind) > start > previous_period(start, kind)


@given(st.integers(min_value=1990, max_value=2100), kinds)
def test_it_chains_the_periods_of_a_year(year, kind):
    periods = periods_in_year(year, kind)
    assert all(next_period(a, kind) == b for a, b in zip(periods, periods[1:], strict=False))
    assert next_period(periods[-1], kind) == date(year + 1, 1, 1)
    assert {year_of(start) for start in periods} == {year}


# --- The audit's year: periods typed without one, and the periods offered to pick from -------


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [("May", "month", date(2026, 5, 1)), ("sept.", "month", date(2026, 9, 1)), ("Q2", "quarter", date(2026, 4, 1))],
)
def test_it_reads_a_period_typed_without_a_year_as_one_of_the_audits_year(text, kind, expected):
    assert parse_period(text, kind, year=2026) == expected


@pytest.mark.parametrize(("text", "kind"), [("May", "month"), ("Q2", "quarter")])
def test_it_needs_a_year_in_the_text_when_it_has_none_to_assume(text, kind):
    with pytest.raises(ValueError, match="write it as 2018-"):
        parse_period(text, kind)


def test_a_typed_year_wins_over_the_audits_year():
    assert parse_period("May 2019", "month", year=2026) == date(2019, 5, 1)
    assert parse_period("2019-Q2", "quarter", year=2026) == date(2019, 4, 1)


@pytest.mark.parametrize(
    ("text", "kind", "message"),
    [
        ("Mayday", "month", "“Mayday” is not a month: write it as 2026-01 … 2026-12."),
        ("Q5", "quarter", "“Q5” is not a quarter: write it as 2026-Q1 … 2026-Q4."),
        ("", "month", "Enter a month, for example 2026-01."),
        ("26", "year", "“26” is not a year: write it with four digits, for example 2026."),
    ],
)
def test_its_examples_use_the_audits_year(text, kind, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_period(text, kind, year=2026)


@pytest.mark.parametrize(
    ("language", "start", "kind", "name"),
    [
        ("en", date(2026, 5, 1), "month", "May 2026"),
        ("vi", date(2026, 5, 1), "month", "Tháng 5 2026"),
        ("fa", date(2026, 5, 1), "month", "مه 2026"),
        ("en", date(2026, 4, 1), "quarter", "Q2 2026"),
        ("vi", date(2026, 4, 1), "quarter", "Quý 2/2026"),
        ("en", date(2026, 1, 1), "year", "2026"),
    ],
)
def test_it_names_a_period_in_the_active_language(language, start, kind, name):
    with translation.override(language):
        assert period_name(start, kind) == name


def test_it_offers_the_periods_of_the_year_that_are_not_taken():
    taken = [date(2026, 1, 1), date(2026, 3, 1), date(2019, 5, 1)]
    offered = periods_to_pick(2026, "month", taken)
    assert [typed for typed, _name in offered] == ["2026-02"] + [f"2026-{month:02d}" for month in range(4, 13)]
    assert offered[0] == ("2026-02", "February 2026")


def test_it_offers_quarters_and_the_year_itself():
    assert periods_to_pick(2026, "quarter", [date(2026, 4, 1)]) == [
        ("2026-Q1", "Q1 2026"),
        ("2026-Q3", "Q3 2026"),
        ("2026-Q4", "Q4 2026"),
    ]
    assert periods_to_pick(2026, "year") == [("2026", "2026")]
    assert periods_to_pick(2026, "year", [date(2026, 1, 1)]) == []


@given(st.integers(min_value=1990, max_value=2100), kinds)
def test_every_period_offered_reads_back_as_itself(year, kind):
    for typed, _name in periods_to_pick(year, kind):
        assert parse_period(typed, kind, year=year).year == year
