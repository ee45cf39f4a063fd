"""The metrics page checks what is typed, end to end in Chromium.

An owner's 2026 audit has a "Visitors" bucket that ended January at 1,800. The period field offers
the months of 2026 not read yet; February gains 120 and loses 30, and a mistyped total of 9,999 is
flagged beside the total with the 1,890 it should be, which one click puts in. A reading for May
2019 is kept, and marked as outside the audit's year next to its period.
"""

import re
from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from audits.content.starting import start_audit
from audits.models import Metric

from ..factories import AuditFactory, FlywheelFactory, MembershipFactory, MetricFactory, ReadingFactory, UserFactory
from .test_year_over_year_flow import log_in

# A flag appears when the cell's save is answered, or at the latest with the next live poll (every 2 s).
WITHIN_5_S = 5000
SAVED = re.compile(r"\bcell-saved\b")


@pytest.fixture
def visitors():
    membership = MembershipFactory(user=UserFactory(username="olivia"))
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), period_year=2026)
    start_audit(audit)
    metric = MetricFactory(audit=audit, name="Visitors", kind=Metric.Kind.BUCKET, period=Metric.Period.MONTH)
    ReadingFactory(metric=metric, period_start=date(2026, 1, 1), gained=100, lost=20, total=1800)
    return metric


def add_period(card: Locator, typed: str, label: str) -> Locator:
    field = card.locator("form.add-row").get_by_label("Period")
    field.fill(typed)
    field.press("Enter")
    row = card.get_by_role("row").filter(has=card.page.get_by_role("rowheader", name=label))
    expect(row).to_be_visible()
    return row


def type_figure(page: Page, card: Locator, label: str, figure: str) -> None:
    field = card.get_by_label(label, exact=True)
    field.fill(figure)
    field.press("Enter")
    expect(field.locator("xpath=ancestor::form[1]")).to_have_class(SAVED)


def test_the_metrics_page_offers_the_years_periods_and_flags_totals_and_years(page: Page, visitors):
    log_in(page)
    page.goto(reverse("audits:step", kwargs={"audit_id": visitors.audit_id, "step": "metrics"}))
    card = page.locator(f"#metric-{visitors.pk}")

    # The period field offers 2026's months but January, which is read already.
    period = card.locator("form.add-row").get_by_label("Period")
    expect(period).to_have_accessible_description("Pick a month of 2026 or type one, such as 2026-02.")
    offered = page.locator(f"#{period.get_attribute('list')} option")
    expect(offered).to_have_count(11)
    expect(offered.first).to_have_attribute("value", "2026-02")
    expect(offered.first).to_have_text("February 2026")

    february = add_period(card, "2026-02", "Feb 2026")
    for field, figure in (("gained", "120"), ("lost", "30"), ("total", "9999")):
        type_figure(page, card, f"Feb 2026: {field}", figure)
    warning = february.locator(".total-mismatch")
    expect(warning).to_contain_text("Does not add up. Expected 1,890 (previous total 1,800", timeout=WITHIN_5_S)
    # Next to the total: in its cell.
    expect(february.get_by_role("cell").filter(has=page.get_by_label("Feb 2026: total"))).to_contain_text(
        "Does not add up."
    )

    warning.get_by_role("button", name="Use 1,890").click()
    expect(card.get_by_label("Feb 2026: total", exact=True)).to_have_value("1,890")
    expect(february.locator(".total-mismatch")).to_have_count(0, timeout=WITHIN_5_S)

    long_ago = add_period(card, "May 2019", "May 2019")
    expect(long_ago.get_by_role("rowheader")).to_have_text("May 2019 Not in 2026, the audit's year")
    expect(long_ago.locator(".flag-outside-year")).to_be_visible()
