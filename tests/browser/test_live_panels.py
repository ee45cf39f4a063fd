"""Seeing each other, end to end in Chromium: one browser's save redraws another's panels.

The owner has the audit open twice, in two browser contexts (two sessions, as two laptops in a
workshop would). In the first they type Attract's approach on the strategy step; the second,
left alone on the audit's overview, shows it in the flywheel diagram within a few seconds,
without a reload: the page polls the audit's version every 2 s (templates/audits/live/poll.html).
"""

from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.starting import start_audit

from ..factories import AuditFactory, FlywheelFactory, MembershipFactory, UserFactory
from .test_workshop_keyboard import type_in_cell
from .test_year_over_year_flow import log_in

APPROACH = "Webinars with partners"


def test_a_save_in_one_browser_redraws_the_diagram_in_another(page: Page, new_context):
    membership = MembershipFactory(user=UserFactory(username="olivia"))
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)

    watcher = new_context().new_page()
    log_in(watcher)
    watcher.goto(audit.get_absolute_url())
    diagram = watcher.get_by_role("complementary", name="The flywheel")
    attract = diagram.locator(".stage-entry").filter(has_text="Attract")
    expect(attract).to_contain_text("No approach yet")

    log_in(page)
    page.goto(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "strategy"}))
    type_in_cell(page, page, "Attract: approach", APPROACH)

    expect(attract).to_contain_text(APPROACH, timeout=3000)
