"""The metrics' checks: a bucket's typed total against its previous total, gained and lost; a reading outside the
audit's year; the periods of the audit's year offered to pick from. Computed once in the document, so the metrics
page, an import and every renderer see the same flags; a flag never changes what was typed."""

import json
import re
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from audits.content import document
from audits.content.demo import load_demo
from audits.content.starting import start_audit
from audits.models import Audit, Membership, Metric, Reading
from audits.reports.exports import json_export
from audits.reports.exports import workbook as xlsx_export
from audits.reports.imports import import_audit, read_file

from .factories import AuditFactory, MetricFactory, ReadingFactory

HTMX = {"HX-Request": "true"}
COMPUTED = "audits/partials/reading_computed.html"


@pytest.fixture
def audit(flywheel):
    audit = AuditFactory(flywheel=flywheel, title="Audit 2026", period_year=2026)
    start_audit(audit)
    return audit


@pytest.fixture
def visitors(audit):
    """Jan 2026 ends at 1,800; Feb gains 120 and loses 30, so it ends at 1,890, but 9,999 was typed."""
    metric = MetricFactory(audit=audit, name="Visitors", kind=Metric.Kind.BUCKET, period=Metric.Period.MONTH)
    ReadingFactory(metric=metric, period_start=date(2026, 1, 1), gained=100, lost=20, total=1800)
    ReadingFactory(metric=metric, period_start=date(2026, 2, 1), gained=120, lost=30, total=9999)
    return metric


def loaded(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def readings(audit: Audit) -> list[document.ReadingRow]:
    return list(loaded(audit).metrics[0].readings)


def reading(metric: Metric, start: date) -> Reading:
    return Reading.objects.select_related("metric").get(metric=metric, period_start=start)


def metrics_page(client, audit, **headers) -> str:
    url = reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "metrics"})
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.content.decode()


def element(html: str, tag: str, dom_id: str) -> str:
    match = re.search(rf'<{tag} id="{dom_id}".*?</{tag}>', html, re.DOTALL)
    assert match, dom_id
    return match.group(0)


def add_period(client, audit, metric, typed: str):
    url = reverse("audits:row-add", kwargs={"audit_id": audit.pk, "kind": "reading"})
    return client.post(url, {"group": metric.pk, f"reading-{metric.pk}-period": typed}, headers=HTMX)


# --- The document -------------------------------------------------------------------------------


def test_a_typed_total_that_does_not_add_up_is_flagged_and_kept(visitors, audit):
    january, february = readings(audit)
    assert (february.previous_total, february.expected_total, february.total) == (1800, 1890, 9999)
    assert february.total_disagrees
    assert january.expected_total is None and not january.total_disagrees
    # The figure every renderer shows (page, compare, history, decks) stays the one typed.
    assert loaded(audit).metrics[0].latest_value == 9999


def test_a_total_that_adds_up_is_not_flagged(visitors, audit):
    Reading.objects.filter(metric=visitors, period_start=date(2026, 2, 1)).update(total=1890)
    assert not readings(audit)[1].total_disagrees


def test_no_total_is_expected_across_a_missing_period_or_before_anything_is_gained_or_lost(visitors, audit):
    Reading.objects.filter(metric=visitors, period_start=date(2026, 2, 1)).update(gained=None, lost=None)
    ReadingFactory(metric=visitors, period_start=date(2026, 4, 1), gained=5, total=7)  # March is missing
    february, april = readings(audit)[1:]
    assert february.expected_total is None and not february.total_disagrees
    assert april.previous_total is None and april.expected_total is None


def test_only_a_buckets_total_is_checked(audit):
    survey = MetricFactory(audit=audit, kind=Metric.Kind.NPS, period=Metric.Period.MONTH)
    ReadingFactory(metric=survey, period_start=date(2026, 1, 1), promoters=5, total=10)
    ReadingFactory(metric=survey, period_start=date(2026, 2, 1), promoters=6, total=99)
    row = readings(audit)[1]
    assert not row.checks_total and row.expected_total is None and not row.total_disagrees


def test_a_reading_outside_the_audits_year_is_marked(visitors, audit):
    ReadingFactory(metric=visitors, period_start=date(2019, 5, 1), gained=1)
    ReadingFactory(metric=visitors, period_start=date(2025, 12, 1), gained=1)
    assert [(row.label, row.in_audit_year) for row in readings(audit)] == [
        ("May 2019", False),
        ("Dec 2025", False),
        ("Jan 2026", True),
        ("Feb 2026", True),
    ]


def test_hubspots_example_adds_up_and_stays_in_its_years(db):
    audits = Audit.objects.select_related("flywheel__organization").filter(pk=load_demo().pk)
    audits = audits | Audit.objects.filter(carried_from__in=audits)
    for audit in audits.select_related("flywheel__organization"):
        rows = [row for metric in document.load(audit).metrics for row in metric.readings]
        assert rows and all(row.in_audit_year and not row.total_disagrees for row in rows), audit.title
        assert any(row.expected_total is not None for row in rows)


def test_a_saved_reading_alone_is_the_documents_reading_read_in_one_query(visitors, audit, django_assert_num_queries):
    saved = reading(visitors, date(2026, 2, 1))
    with django_assert_num_queries(1):
        alone = document.reading_alone(saved, 2026)
    in_document = readings(audit)[1]
    assert alone == in_document
    assert (alone.kind, alone.audit_year, alone.expected_total) == ("bucket", 2026, 1890)


# --- The metrics page ---------------------------------------------------------------------------


def test_the_page_warns_next_to_a_total_that_does_not_add_up_and_offers_the_expected_one(owner_client, visitors, audit):
    html = metrics_page(owner_client, audit)
    february = reading(visitors, date(2026, 2, 1))
    check = element(html, "div", f"reading-{february.pk}-total-check")
    total_cell = element(html, "tr", f"reading-row-{february.pk}").split(
        f'id="cell-reading-{february.pk}-total-form"', 1
    )[1]
    assert check in total_cell  # in the total's own cell, after it
    assert "Does not add up." in check
    assert "Expected 1,890 (previous total 1,800, net change +90)." in check
    assert '<input type="hidden" name="value" value="1890">' in check
    assert '<input type="hidden" name="original" value="9999">' in check
    assert "Use 1,890" in check
    january = reading(visitors, date(2026, 1, 1))
    assert f'<div id="reading-{january.pk}-total-check" class="total-check"></div>' in html


def test_using_the_expected_total_saves_it_and_the_warning_goes(owner_client, visitors, audit):
    february = reading(visitors, date(2026, 2, 1))
    url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": "reading", "row_id": february.pk})
    data = {"field": "total", "value": "1890", "original": "9999", "label": "Feb 2026: total"}
    assert owner_client.post(url, data, headers=HTMX).status_code == 200
    html = metrics_page(owner_client, audit)
    assert "Does not add up." not in html
    assert f'<div id="reading-{february.pk}-total-check" class="total-check"></div>' in html


def test_a_blank_total_shows_the_expected_one_without_a_warning(owner_client, visitors, audit):
    ReadingFactory(metric=visitors, period_start=date(2026, 3, 1), gained=10)
    html = metrics_page(owner_client, audit)
    march = reading(visitors, date(2026, 3, 1))
    check = element(html, "div", f"reading-{march.pk}-total-check")
    assert "Expected 10,009 (previous total 9,999, net change +10)." in check
    assert "Does not add up." not in check and "Use 10,009" in check


def test_a_viewer_sees_the_warning_but_no_button(client, member_factory, visitors, audit):
    client.force_login(member_factory(Membership.Role.VIEWER))
    html = metrics_page(client, audit)
    check = element(html, "div", f"reading-{reading(visitors, date(2026, 2, 1)).pk}-total-check")
    assert "Does not add up." in check and "<form" not in check


def test_the_page_marks_a_period_outside_the_audits_year_next_to_it(owner_client, visitors, audit):
    old = ReadingFactory(metric=visitors, period_start=date(2019, 5, 1), gained=1)
    html = metrics_page(owner_client, audit)
    period = element(html, "tr", f"reading-row-{old.pk}").split("</th>")[0]
    assert "May 2019" in period and "Not in 2026, the audit's year" in period
    assert html.count("Not in 2026") == 1


def test_adding_a_period_outside_the_year_keeps_it_and_marks_it(owner_client, visitors, audit):
    response = add_period(owner_client, audit, visitors, "2019-05")
    assert response.status_code == 200
    added = reading(visitors, date(2019, 5, 1))
    row = element(response.content.decode(), "tr", f"reading-row-{added.pk}")
    assert "Not in 2026, the audit's year" in row


def test_a_month_typed_without_a_year_is_one_of_the_audits_year(owner_client, visitors, audit):
    assert add_period(owner_client, audit, visitors, "May").status_code == 200
    assert Reading.objects.filter(metric=visitors, period_start=date(2026, 5, 1)).exists()


def test_the_period_field_offers_the_years_months_not_yet_read(owner_client, visitors, audit):
    html = metrics_page(owner_client, audit)
    field = element(html, "form", f"add-reading-{visitors.pk}")
    assert f'list="reading-{visitors.pk}-periods"' in field and 'placeholder="2026-03"' in field
    assert "Pick a month of 2026 or type one, such as 2026-03." in field
    options = re.findall(
        r'<option value="([^"]*)">([^<]*)</option>', element(field, "datalist", f"reading-{visitors.pk}-periods")
    )
    assert options[0] == ("2026-03", "March 2026")
    assert [value for value, _name in options] == [f"2026-{month:02d}" for month in range(3, 13)]


def test_the_period_field_offers_quarters_in_the_pages_language(owner_client, audit):
    metric = MetricFactory(audit=audit, kind=Metric.Kind.RATE, period=Metric.Period.QUARTER)
    html = metrics_page(owner_client, audit, **{"accept-language": "vi"})
    options = element(html, "datalist", f"reading-{metric.pk}-periods")
    assert '<option value="2026-Q1">Quý 1/2026</option>' in options
    assert options.count("<option") == 4


def test_a_refused_period_says_why_next_to_the_field_and_still_offers_the_year(owner_client, visitors, audit):
    response = add_period(owner_client, audit, visitors, "2026-13")
    assert response.status_code == 422
    field = element(response.content.decode(), "form", f"add-reading-{visitors.pk}")
    assert "“2026-13” is not a month: write it as 2026-01 … 2026-12." in field
    assert 'aria-invalid="true"' in field and f'<datalist id="reading-{visitors.pk}-periods">' in field


def test_a_saved_cells_answer_redraws_the_check_when_it_comes_with_the_reading(visitors, audit):
    february = reading(visitors, date(2026, 2, 1))
    context = {"audit": audit, "csrf_token": "token", "oob": True}
    alone = render_to_string(COMPUTED, context | {"reading": document.reading_alone(february, 2026)})
    assert f'<span id="reading-{february.pk}-computed" class="computed" hx-swap-oob="true">+90</span>' in alone
    assert (
        f'<div id="reading-{february.pk}-total-check" class="total-check total-mismatch" hx-swap-oob="true">' in alone
    )
    # Only the net change without it (a cell save that sends its figures alone): the check on the page stays.
    figures = {"id": february.pk, "kind": "bucket", "net_change": 90, "nps": None}
    assert "total-check" not in render_to_string(COMPUTED, context | {"reading": figures})


# --- Imports: the same rules, through the same document -----------------------------------------


def backup_of(audit: Audit) -> dict:
    return json.loads(json_export.write(loaded(audit)))


def test_an_import_keeps_and_marks_a_reading_outside_the_year_and_reads_a_month_without_one(visitors, audit):
    backup = backup_of(audit)
    backup["metrics"][0]["readings"] += [{"period": "2019-05", "gained": 1}, {"period": "March", "gained": 10}]
    imported = loaded(import_audit(read_file(json.dumps(backup).encode()), audit.flywheel))
    rows = {row.label: row for row in imported.metrics[0].readings}
    assert not rows["May 2019"].in_audit_year
    assert rows["Mar 2026"].in_audit_year and rows["Mar 2026"].expected_total == 10009
    assert rows["Feb 2026"].total_disagrees and rows["Feb 2026"].total == 9999


def test_a_workbook_round_trip_keeps_the_flags(visitors, audit):
    ReadingFactory(metric=visitors, period_start=date(2019, 5, 1), gained=1)
    original = loaded(audit)
    imported = loaded(import_audit(read_file(xlsx_export.write(original)), audit.flywheel))
    assert imported.metrics == original.metrics
    flags = [(row.in_audit_year, row.total_disagrees) for row in imported.metrics[0].readings]
    assert flags == [(False, False), (True, False), (True, True)]
