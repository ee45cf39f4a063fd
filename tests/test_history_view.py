"""A flywheel's history: every audit in order, a chart and a table per metric, conversion, NPS and friction."""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audits.content.carry import carry_forward
from audits.content.demo import load_demo
from audits.models import Audit, Metric
from audits.reports.history import line_chart, stacked_bars

from .factories import AuditFactory, FrictionPointFactory, MetricFactory, ReadingFactory


def url(flywheel) -> str:
    return reverse("audits:history", kwargs={"flywheel_id": flywheel.pk})


def yearly_total(audit, name, total, **fields):
    metric = MetricFactory(audit=audit, name=name, period=Metric.Period.YEAR, **fields)
    ReadingFactory(metric=metric, period_start=date(audit.period_year, 1, 1), gained=total, total=total)
    return metric


def figure(html: str, name: str) -> str:
    """The <figure> of one series, found by its name."""
    return re.search(
        rf"<figure[^>]*>\s*<figcaption[^>]*><strong>{re.escape(name)}</strong>.*?</figure>", html, re.DOTALL
    ).group()


@pytest.fixture
def demo_page(db, client):
    first = load_demo()
    client.force_login(first.flywheel.organization.memberships.get().user)
    response = client.get(url(first.flywheel))
    assert response.status_code == 200
    return response.content.decode()


def test_it_lists_every_audit_in_order_of_year(demo_page):
    audits = demo_page[demo_page.index('id="audits-title"') : demo_page.index('id="history-metrics-title"')]
    assert audits.index("HubSpot flywheel audit</a>") < audits.index("HubSpot flywheel audit 2019</a>")
    assert "2018 → 2019" in audits


def test_it_draws_a_chart_with_a_table_per_metric(demo_page):
    visitors = figure(demo_page, "Website visitors")
    assert visitors.count('<svg class="chart chart-line"') == 1
    assert visitors.count('<circle class="chart-dot"') == 2
    # The values are labelled on the chart, said in its label, and listed in the table beside it.
    labels = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', visitors)
    assert labels == ["12,396,445", "20,142,056"]
    assert 'aria-label="Website visitors by year: 2018: 12,396,445; 2019: 20,142,056"' in visitors
    assert '<th scope="row">2018</th><td class="number">12,396,445</td>' in visitors
    assert "total at the end of 2019" in visitors
    assert "style=" not in visitors  # the Content-Security-Policy forbids style attributes


def test_it_follows_conversion_and_nps_across_the_years(demo_page):
    conversion = figure(demo_page, "Product-qualified leads (PQLs) → Paying customers")
    assert '<th scope="row">2018</th><td class="number">27.8%</td>' in conversion
    assert '<th scope="row">2019</th><td class="number">27.8%</td>' in conversion
    nps = figure(demo_page, "Promoters (Net Promoter Score)")
    assert '<td class="number">+44</td>' in nps and '<td class="number">+51</td>' in nps
    assert nps.count('<svg class="chart chart-line"') == 1


def test_it_counts_open_and_resolved_friction_per_year(demo_page):
    friction = demo_page[demo_page.index('id="history-friction-title"') :]
    rows = re.findall(
        r'<th scope="row">(\d{4})</th><td class="number">(\d+)</td><td class="number">(\d+)</td>', friction
    )
    assert rows == [("2018", "0", "7"), ("2019", "1", "1")]
    assert '<svg class="chart chart-bars"' in friction
    assert friction.count('<rect class="segment segment-open"') == 1


def test_it_works_with_a_single_audit(owner_client, flywheel, audit):
    yearly_total(audit, "Visitors", 1200)
    FrictionPointFactory(audit=audit, source="Slow onboarding")
    response = owner_client.get(url(flywheel))
    assert response.status_code == 200
    html = response.content.decode()
    assert "One audit so far" in html
    assert figure(html, "Visitors").count('<circle class="chart-dot"') == 1
    assert '<th scope="row">2025</th><td class="number">1,200</td>' in html
    assert '<th scope="row">2025</th><td class="number">1</td><td class="number">0</td>' in html


def test_it_says_so_when_there_are_no_audits(owner_client, flywheel):
    response = owner_client.get(url(flywheel))
    assert response.status_code == 200
    assert "No audits yet" in response.content.decode()


def test_it_matches_metrics_by_name_when_not_carried_forward(owner_client, flywheel):
    yearly_total(AuditFactory(flywheel=flywheel, period_year=2018), "Visitors", 100)
    yearly_total(AuditFactory(flywheel=flywheel, period_year=2019), "visitors", 150)
    html = owner_client.get(url(flywheel)).content.decode()
    assert html.count('<svg class="chart chart-line"') == 1
    assert '<td class="number">100</td>' in figure(html, "visitors")


def test_it_follows_a_renamed_metric_through_the_carry_forward_link(owner_client, flywheel, audit):
    yearly_total(audit, "Visitors", 100)
    later = carry_forward(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))
    metric = later.metrics.get()
    metric.name = "Unique visitors"
    metric.save(update_fields=["name"])
    ReadingFactory(metric=metric, period_start=date(later.period_year, 1, 1), gained=90, total=190)
    html = owner_client.get(url(flywheel)).content.decode()
    unique = figure(html, "Unique visitors")
    assert "also called Visitors" in unique
    assert '<td class="number">100</td>' in unique and '<td class="number">190</td>' in unique


def test_it_leaves_out_audits_in_the_trash(owner_client, flywheel, audit):
    AuditFactory(flywheel=flywheel, title="Binned", period_year=2024, deleted_at=timezone.now())
    assert "Binned" not in owner_client.get(url(flywheel)).content.decode()


def test_it_gives_an_outsider_404(client, outsider, flywheel, audit):
    client.force_login(outsider)
    assert client.get(url(flywheel)).status_code == 404


def test_it_sends_an_anonymous_visitor_to_log_in(client, flywheel):
    response = client.get(url(flywheel))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_rejects_post(owner_client, flywheel):
    assert owner_client.post(url(flywheel)).status_code == 405


def test_it_escapes_what_people_typed(owner_client, flywheel):
    attack = "<script>alert(1)</script>"
    flywheel.name = attack
    flywheel.save(update_fields=["name"])
    audit = AuditFactory(flywheel=flywheel, title=attack, period_year=2018)
    yearly_total(audit, attack, 5, unit=attack)
    html = owner_client.get(url(flywheel)).content.decode()
    assert attack not in html
    assert escape(attack) in html


def test_a_line_chart_leaves_a_gap_for_a_missing_year():
    chart = line_chart([10, None, 30, 40], ["10", "—", "30", "40"], ["2017", "2018", "2019", "2020"])
    assert len(chart.points) == 3
    assert len(chart.lines) == 1  # 2019 → 2020; 2017 stands alone
    assert [tick.text for tick in chart.ticks] == ["2017", "2018", "2019", "2020"]
    assert chart.points[-1].y < chart.points[0].y < chart.zero_y  # higher values are drawn higher


def test_stacked_bars_share_one_scale():
    chart = stacked_bars([("2018", [("open", 0), ("resolved", 4)]), ("2019", [("open", 1), ("resolved", 1)])])
    first, second = chart.bars
    assert [segment.name for segment in first.segments] == ["resolved"]  # nothing drawn for zero
    assert second.segments[0].width + second.segments[1].width == pytest.approx(first.segments[0].width / 2)
