"""Running a workshop live, end to end in Chromium: a guest joins by link and follows the facilitator.

The facilitator opens a join link from the workshop bar; a guest, in another browser context with
no account, opens the link, types a name and lands in the audit. Then the facilitator's timer,
"bring everyone here" and dot voting reach the guest's page within 3 seconds, without a reload.
"""

from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.starting import start_audit
from audits.models import FrictionPoint, Guest, Membership

from ..factories import AuditFactory, FlywheelFactory, MembershipFactory, UserFactory
from .test_year_over_year_flow import log_in


def step_url(audit, step: str) -> str:
    return reverse("audits:step", kwargs={"audit_id": audit.pk, "step": step})


def facilitate(page: Page, button: str) -> None:
    controls = page.locator("#facilitate")
    if not controls.evaluate("details => details.open"):
        controls.locator("summary").click()
    controls.get_by_role("button", name=button).click()


def test_a_guest_joins_by_link_and_follows_the_facilitator(page: Page, new_context):
    membership = MembershipFactory(user=UserFactory(username="olivia"), role=Membership.Role.FACILITATOR)
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)
    FrictionPoint.objects.create(audit=audit, source="Leads wait for days")

    log_in(page)
    page.goto(step_url(audit, "identify"))
    facilitate(page, "Open a join link")
    join_url = page.get_by_label("Anyone with this link can join").input_value()
    assert "/join/" in join_url

    guest = new_context().new_page()
    guest.goto(join_url)
    guest.get_by_label("Your name").fill("Gita")
    guest.get_by_role("button", name="Join the workshop").click()
    expect(guest).to_have_url(audit.get_absolute_url())
    assert Guest.objects.get(audit=audit).display_name == "Gita"
    # A guest sees no way into the rest of the organization.
    expect(guest.get_by_role("link", name="Flywheels")).to_have_count(0)

    guest.goto(step_url(audit, "identify"))
    guest.evaluate("window.__stayed = true")

    # The timer: started by the facilitator, shown on the guest's page without a reload.
    page.locator("#timer-minutes").fill("5")
    facilitate(page, "Start")
    expect(guest.get_by_role("timer")).to_contain_text("4:5", timeout=3000)
    assert guest.evaluate("window.__stayed") is True

    # Dot voting: the guest puts a vote on the friction row.
    facilitate(page, "Open dot voting")
    vote = guest.get_by_role("button", name="Put a vote on “Leads wait for days”")
    expect(vote).to_be_visible(timeout=3000)
    vote.click()
    expect(guest.locator(".vote-dots").first).to_have_text("1 vote")

    # Following: the facilitator brings everyone to the forces step; the guest's page goes there.
    guest.get_by_label("Follow the facilitator").check()
    page.goto(step_url(audit, "forces"))
    facilitate(page, "Bring everyone here")
    expect(guest).to_have_url(step_url(audit, "forces"), timeout=3000)

    # The presenter view shows the QR code for the open link.
    page.goto(reverse("audits:present", kwargs={"audit_id": audit.pk}))
    qr_code = page.get_by_role("img", name="QR code to join the workshop")
    expect(qr_code).to_be_visible()
    assert qr_code.get_attribute("src").startswith("data:image/svg+xml")
