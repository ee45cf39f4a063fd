"""What an editable cell shows and takes: figures grouped the page's way, read back however they are typed,
and a placeholder saying what to write in an empty cell."""

import re
from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from audits.content import numbers
from audits.content.starting import start_audit
from audits.models import Metric, Reading, Stage

from .factories import FrictionPointFactory, MetricFactory, ReadingFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def workshop(audit):
    start_audit(audit)
    return audit


@pytest.fixture
def january(workshop):
    metric = MetricFactory(audit=workshop, name="Visitors", stage=Stage.ATTRACT)
    return ReadingFactory(metric=metric, period_start=date(2025, 1, 1), gained=12000, total=1234567)


@pytest.fixture
def rate(workshop):
    metric = MetricFactory(audit=workshop, name="Conversion", kind=Metric.Kind.RATE)
    return ReadingFactory(metric=metric, period_start=date(2025, 1, 1), value=Decimal("1234.50"))


def in_language(client, language: str):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def step_html(client, audit, step: str) -> str:
    response = client.get(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": step}))
    assert response.status_code == 200
    return response.content.decode()


def cell_html(html: str, kind: str, row, field: str) -> str:
    match = re.search(rf'<form id="cell-{kind}-{row.pk}-{field}-form".*?</form>', html)
    assert match, f"no cell for {kind} {field}"
    return match.group(0)


def save(client, audit, kind, row, field, value, original):
    url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})
    return client.post(url, {"field": field, "value": value, "original": original}, headers=HTMX)


# --- Figures: shown grouped, read back as typed ----------------------------------------------------


@pytest.mark.parametrize(
    ("language", "value", "shown"),
    [
        ("en", 12000, "12,000"),
        ("vi", 12000, "12.000"),
        ("fa", 12000, "12,000"),
        ("en", 0, "0"),
        ("en", None, ""),
        ("en", Decimal("1234.50"), "1,234.5"),
        ("vi", Decimal("1234.50"), "1.234,5"),
        ("en", Decimal("1200.00"), "1,200"),
    ],
)
def test_it_shows_a_figure_grouped_the_languages_way(language, value, shown):
    with translation.override(language):
        assert numbers.field_text(value) == shown


@pytest.mark.parametrize(
    ("language", "typed", "whole", "read"),
    [
        ("en", "12,000", True, "12000"),
        ("en", "12000", True, "12000"),
        ("en", " 12 000 ", True, "12000"),
        ("en", "1,234,567", True, "1234567"),
        ("en", "1,234.5", False, "1234.5"),
        ("en", "−1,234.5", False, "-1234.5"),
        ("vi", "12.000", True, "12000"),
        ("vi", "1.234,5", False, "1234.5"),
        ("vi", "12,5", False, "12.5"),
        # A count typed as an English spreadsheet writes it means the same on a Vietnamese page.
        ("vi", "12,000", True, "12000"),
        ("fa", "۱۲٬۰۰۰", True, "۱۲۰۰۰"),
        ("fa", "۱۲٫۵", False, "۱۲.۵"),
        # No number: left as typed, for the form to refuse.
        ("en", "1,2345", True, "1,2345"),
        ("en", "ten", True, "ten"),
        ("en", "1,234,56", True, "1,234,56"),
    ],
)
def test_it_reads_a_figure_as_people_type_it(language, typed, whole, read):
    with translation.override(language):
        assert numbers.typed_number(typed, whole=whole) == read


@pytest.mark.parametrize(("language", "shown"), [("en", "12,000"), ("vi", "12.000")])
def test_a_reading_cell_shows_its_figure_grouped_and_posts_the_stored_one(
    owner_client, workshop, january, language, shown
):
    html = step_html(in_language(owner_client, language), workshop, "metrics")
    gained = cell_html(html, "reading", january, "gained")
    assert f'value="{shown}"' in gained
    assert f'data-original="{shown}"' in gained
    assert 'name="original" value="12000"' in gained
    assert 'inputmode="decimal"' in gained
    big = "1,234,567" if language == "en" else "1.234.567"
    assert f'value="{big}"' in cell_html(html, "reading", january, "total")


@pytest.mark.parametrize(
    ("language", "typed", "shown"),
    [
        ("en", "15,000", "15,000"),
        ("en", "15000", "15,000"),
        ("vi", "15.000", "15.000"),
        ("vi", "15000", "15.000"),
        ("vi", "15,000", "15.000"),
    ],
)
def test_it_saves_a_figure_typed_with_or_without_separators(owner_client, workshop, january, language, typed, shown):
    response = save(in_language(owner_client, language), workshop, "reading", january, "gained", typed, "12000")
    assert response.status_code == 200
    assert f'value="{shown}"' in response.content.decode()
    january.refresh_from_db()
    assert january.gained == 15000


@pytest.mark.parametrize(("language", "typed"), [("en", "1,234.75"), ("vi", "1.234,75"), ("vi", "1234.75")])
def test_it_saves_a_decimal_in_the_pages_way(owner_client, workshop, rate, language, typed):
    response = save(in_language(owner_client, language), workshop, "reading", rate, "value", typed, "1234.50")
    assert response.status_code == 200
    rate.refresh_from_db()
    assert rate.value == Decimal("1234.75")


def test_it_refuses_a_figure_grouped_other_than_by_threes(owner_client, workshop, january):
    response = save(owner_client, workshop, "reading", january, "gained", "1,2345", "12000")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Enter a whole number." in html
    assert 'value="1,2345"' in html  # what was typed stays, to be corrected
    january.refresh_from_db()
    assert january.gained == 12000


def test_a_conflict_shows_the_other_figure_grouped(owner_client, workshop, january):
    Reading.objects.filter(pk=january.pk).update(gained=13000)
    response = save(owner_client, workshop, "reading", january, "gained", "15,000", "12000")
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved “13,000” here meanwhile." in html
    assert 'name="original" value="13000"' in html
    assert 'data-original="13,000"' in html


# --- Placeholders: what to write in an empty cell --------------------------------------------------


def test_a_new_audits_strategy_table_says_what_to_write(owner_client, workshop):
    html = step_html(owner_client, workshop, "strategy")
    attract = workshop.strategies.get(stage=Stage.ATTRACT)
    assert 'placeholder="Write the principle"' in cell_html(html, "strategy", attract, "principle")
    assert 'placeholder="Describe the approach"' in cell_html(html, "strategy", attract, "approach")


def test_a_reading_and_any_other_cell_have_a_placeholder(owner_client, workshop, january):
    html = step_html(owner_client, workshop, "metrics")
    assert 'placeholder="Add a number"' in cell_html(html, "reading", january, "lost")
    assert 'placeholder="Click and type"' in cell_html(html, "metric", january.metric, "unit")


# Each step's column, and the answers that bring a row to it (the steps before it answered "No").
STEPS = {
    "automate": ("automation", {}),
    "goals": ("new_goal", {"automation": "No"}),
    "restructure": ("restructure", {"automation": "No", "new_goal": "No"}),
}


@pytest.mark.parametrize("step", STEPS)
def test_a_friction_step_offers_the_fix_beside_no(owner_client, workshop, step):
    field, answers = STEPS[step]
    row = FrictionPointFactory(audit=workshop, source="Leads go cold", **answers)
    html = step_html(owner_client, workshop, step)
    answer = re.search(r'<div class="answer-choice">.*?</div>', html, re.S).group(0)
    assert "<textarea" in cell_html(answer, "friction", row, field)
    assert 'placeholder="Write the fix"' in answer
    assert '<span class="answer-or">or</span>' in answer
    assert 'class="button-small button-secondary">No<span class="visually-hidden">' in answer
