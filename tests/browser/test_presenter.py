"""The presenter view on a 1920×1080 projector, and the join link's Copy button, end to end in Chromium.

The facilitator runs the workshop from a laptop; the projector shows the presenter view in another
browser context (as a second screen opened by hand would). The view opens at the step its link was
drawn on, fills the screen in large type with no site header, shows the QR code on its next poll once
the facilitator opens a join link, and follows the facilitator to another step, all without a reload.
"""

import re
from zoneinfo import ZoneInfo

from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.starting import start_audit
from audits.live import room
from audits.models import FrictionPoint, JoinLink, Membership, Workshop

from ..factories import AuditFactory, FlywheelFactory, MembershipFactory, UserFactory
from .test_live_session import facilitate, step_url
from .test_year_over_year_flow import log_in

PROJECTOR = {"width": 1920, "height": 1080}
# ms: pages poll every 2 s, the answer to a change waits up to LIVE_ANSWER_SECONDS (0.5 s) for the room's
# moment, and the projector's answer draws the step and the QR code: one poll's worst case and a second for the work.
POLL = 2000 + 500 + 1000

# Font size of every text cell, heading and paragraph of the step's content; the page's overflow.
MEASURE = """() => {
  const content = document.querySelector('.presenter-content');
  const texts = content.querySelectorAll('p, th, td');
  return {
    smallest: Math.min(...Array.from(texts, (node) => parseFloat(getComputedStyle(node).fontSize))),
    pageWidth: document.documentElement.scrollWidth,
    pageHeight: document.documentElement.scrollHeight,
    contentWidth: content.getBoundingClientRect().width,
  };
}"""


def test_the_presenter_view_fills_the_projector_and_follows_the_facilitator(page: Page, new_context):
    membership = MembershipFactory(user=UserFactory(username="olivia"), role=Membership.Role.FACILITATOR)
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)
    FrictionPoint.objects.create(audit=audit, source="Leads wait for days")
    room.lead_to(audit, "forces")  # a session is live, at another step than the one presented

    log_in(page)
    page.goto(step_url(audit, "identify"))
    page.locator("#facilitate > summary").click()
    link = page.get_by_role("link", name="Presenter view (with the QR code)")
    presenter_url = link.get_attribute("href")
    assert presenter_url == reverse("audits:present", kwargs={"audit_id": audit.pk}) + "?step=identify"

    projector = new_context(viewport=PROJECTOR).new_page()
    log_in(projector)
    projector.goto(presenter_url)
    # The step it was opened from, not the facilitator's; no site header; big type across the screen.
    expect(projector.get_by_role("heading", level=1)).to_have_text("Identify the friction")
    expect(projector.get_by_role("cell", name="Leads wait for days")).to_be_visible()
    expect(projector.get_by_role("banner")).to_have_count(0)
    expect(projector.get_by_role("link", name="Flywheels")).to_be_hidden()
    measured = projector.evaluate(MEASURE)
    assert measured["smallest"] >= 28
    assert measured["pageWidth"] <= PROJECTOR["width"]  # nothing scrolls sideways
    assert measured["pageHeight"] <= PROJECTOR["height"]  # the step fits the screen
    assert measured["contentWidth"] >= 0.9 * PROJECTOR["width"]
    projector.evaluate("window.__stayed = true")

    # The facilitator opens a join link on the laptop: the QR code comes with the projector's next poll.
    qr_code = projector.get_by_role("img", name="QR code to join the workshop")
    expect(qr_code).to_have_count(0)
    facilitate(page, "Open a join link")
    expect(qr_code).to_be_visible(timeout=POLL)
    assert qr_code.get_attribute("src").startswith("data:image/svg+xml")
    expect(projector.get_by_role("heading", level=1)).to_have_text("Identify the friction")
    assert projector.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]

    # The facilitator brings everyone to another step: the projector goes there too.
    page.goto(step_url(audit, "goals"))
    facilitate(page, "Bring everyone here")
    expect(projector.get_by_role("heading", level=1)).to_have_text("Realign goals to bridge teams", timeout=POLL)
    expect(projector).to_have_url(f"{presenter_url.split('?')[0]}?step=goals")

    # And from the projector itself: its → button leads everyone on, and the view with them.
    projector.get_by_role("button", name="Restructure").click()
    expect(projector.get_by_role("heading", level=1)).to_have_text("Restructure teams", timeout=POLL)
    assert Workshop.objects.get(audit=audit).current_step == "restructure"
    assert projector.evaluate("window.__stayed") is True


def test_the_join_link_is_copied_and_its_expiry_read_in_local_time(page: Page, new_context):
    membership = MembershipFactory(user=UserFactory(username="olivia"), role=Membership.Role.FACILITATOR)
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)
    laptop = new_context(timezone_id="Asia/Ho_Chi_Minh", locale="en-GB").new_page()
    laptop.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(laptop)
    laptop.goto(step_url(audit, "strategy"))
    facilitate(laptop, "Open a join link")
    join_url = laptop.get_by_label("Anyone with this link can join").input_value()

    # "Open until 22:01": the browser's time zone, its own way of writing the time; not the server's UTC.
    expires = JoinLink.objects.get(audit=audit).expires_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    until = laptop.locator("#facilitate time[datetime]")
    # The hour as the browser's locale writes it: "4:02" or "04:02" before ten.
    expect(until).to_contain_text(re.compile(rf"\b0?{expires.hour}:{expires.minute:02d}\b"))
    expect(until).not_to_contain_text("UTC")

    laptop.get_by_role("button", name="Copy").click()
    expect(laptop.get_by_role("status").filter(has_text="Link copied.")).to_be_visible()
    assert laptop.evaluate("navigator.clipboard.readText()") == join_url

    # Without the clipboard API (a page served over plain http) the link is selected, ready to copy by hand.
    laptop.evaluate("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    laptop.get_by_role("button", name="Copy").click()
    field = laptop.get_by_label("Anyone with this link can join")
    assert field.evaluate("field => [field.selectionStart, field.selectionEnd]") == [0, len(join_url)]
    expect(laptop.locator(".copy-status")).not_to_be_empty()
