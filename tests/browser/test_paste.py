"""Pasting blocks copied from a spreadsheet into the workshop's tables, end to end in Chromium.

The clipboard is a real paste event: a ClipboardEvent carrying a DataTransfer with the block as
text/plain, as Excel, LibreOffice and Google Sheets put it there (tab-separated cells, CRLF rows),
dispatched on the field pasted into. static/js/paste.js posts it; the table redraws with the rows.
"""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from audits.content.starting import start_audit
from audits.models import FrictionPoint, Metric, Reading

from ..factories import AuditFactory, FlywheelFactory, MembershipFactory, MetricFactory, UserFactory
from .test_year_over_year_flow import log_in

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
YEAR_OF_VISITORS = "".join(f"{month} 2025\t{100 + n}\t{n}\t{1_000 + 100 * n:,}\r\n" for n, month in enumerate(MONTHS))
TEN_FRICTIONS = "".join(f"Friction {n}\tExternal\tAttract\tSales\r\n" for n in range(1, 11))
MALFORMED = "Leads wait days\tExternal\r\nTrial users stuck\tOuter space\r\n"


@pytest.fixture
def audit(transactional_db):
    olivia = MembershipFactory(user=UserFactory(username="olivia"))
    audit = AuditFactory(flywheel=FlywheelFactory(organization=olivia.organization), period_year=2025)
    start_audit(audit)
    MetricFactory(audit=audit, name="Visitors", stage="attract", kind=Metric.Kind.BUCKET)
    return audit


def paste(field: Locator, text: str) -> None:
    """Paste `text` into `field` as a spreadsheet's copied block arrives: a paste event with clipboard data."""
    field.evaluate(
        """(field, text) => {
            field.focus();
            const clipboard = new DataTransfer();
            clipboard.setData("text/plain", text);
            const event = {clipboardData: clipboard, bubbles: true, cancelable: true};
            field.dispatchEvent(new ClipboardEvent("paste", event));
        }""",
        text,
    )


def test_blocks_from_a_spreadsheet_fill_the_readings_and_the_friction_table(page: Page, audit):
    errors = []
    page.on("pageerror", lambda error: errors.append(error))
    metric = audit.metrics.get()
    log_in(page)

    # A year of a bucket's figures, periods first, into the add-period field of an empty metric.
    page.goto(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "metrics"}))
    paste(page.locator(f"#add-reading-{metric.pk} [name=reading-{metric.pk}-period]"), YEAR_OF_VISITORS)
    expect(page.locator(f"#rows-reading-{metric.pk} tr[id^=reading-row-]")).to_have_count(12)
    expect(page.get_by_role("status").filter(has_text="12 rows added.")).to_be_visible()
    expect(page.get_by_label("Dec 2025: gained", exact=True)).to_have_value("111")
    assert list(Reading.objects.filter(metric=metric).values_list("period_start", "lost")) == [
        (date(2025, month, 1), month - 1) for month in range(1, 13)
    ]

    # Ten rows into the add-friction form's first field: ten rows, and the cursor back where it was.
    page.goto(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"}))
    source = page.locator("#add-friction [name=friction-source]")
    paste(source, TEN_FRICTIONS)
    expect(page.locator("#rows-friction tr[id^=friction-row-]")).to_have_count(10)
    expect(page.get_by_label("Source of friction, row 10", exact=True)).to_have_value("Friction 10")
    expect(page.get_by_label("Origin, row 10", exact=True).locator("option:checked")).to_have_text(
        "External (customers, prospects)"
    )
    expect(page.get_by_role("status").filter(has_text="10 rows added.")).to_be_visible()
    expect(source).to_be_focused()

    # One value copied from a spreadsheet cell (its trailing line break dropped) is just typed in.
    paste(source, "Onboarding takes a month\r\n")
    expect(source).to_have_value("Onboarding takes a month")
    expect(page.locator("#rows-friction tr[id^=friction-row-]")).to_have_count(10)

    # A block with a choice the table does not have: the reason beside the table, and nothing saved.
    first = page.get_by_label("Source of friction, row 1", exact=True)
    paste(first, MALFORMED)
    report = page.get_by_role("alert").filter(has_text="Nothing was pasted.")
    expect(report).to_contain_text("Row 2, Origin: “Outer space” is not one of: External (customers, prospects)")
    expect(first).to_have_value("Friction 1")
    expect(page.locator("#rows-friction tr[id^=friction-row-]")).to_have_count(10)
    assert FrictionPoint.objects.filter(audit=audit).count() == 10
    assert not FrictionPoint.objects.filter(source="Leads wait days").exists()
    assert errors == []
