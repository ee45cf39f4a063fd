"""The workshop on a phone, in Chromium: nothing scrolls sideways, the table comes first, touch works.

Participants join by QR code, so on a phone: at 390×844 no workshop page scrolls sideways, each
step's table starts on the first screen, and a guest adds, edits and votes with taps. That no page
scrolls sideways for the facilitator, on a phone and a laptop, test_accessibility.py's walk checks.
HubSpot's demo gives the pages real, long content.
"""

import re

from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.guidance import STEPS
from audits.content.starting import start_audit
from audits.live import room
from audits.models import FrictionPoint, Guest, Membership, Vote

from ..factories import AuditFactory, FlywheelFactory, MembershipFactory, UserFactory
from .layout_checks import LAPTOP, PAGE_WIDTH

PHONE = {"width": 390, "height": 844}
# The step's own table: the first one of the main area that is not in a folded example.
TABLE_TOP = """() => {
  const table = [...document.querySelectorAll('#workshop-main table')].find((table) => !table.closest('details'));
  return table ? table.getBoundingClientRect().top + window.scrollY : null;
}"""


def workshop_pages(audit) -> dict[str, str]:
    return {
        "the overview": audit.get_absolute_url(),
        **{step.key: reverse("audits:step", args=[audit.pk, step.key]) for step in STEPS},
    }


def join(page: Page, audit, name: str) -> None:
    """Join `audit` as a guest through a new join link, as a participant does after scanning the QR code."""
    owner = audit.flywheel.organization.memberships.order_by("pk").first().user
    link = room.open_join_link(audit, owner, hours=4)
    page.goto(reverse("audits:join", kwargs={"token": room.join_token(link)}))
    page.get_by_label("Your name").tap()
    page.keyboard.type(name)
    page.get_by_role("button", name="Join the workshop").tap()
    expect(page).to_have_url(audit.get_absolute_url())


def phone(browser, live_server):
    return browser.new_context(base_url=live_server.url, viewport=PHONE, has_touch=True, is_mobile=True)


def test_every_workshop_page_fits_a_phone_for_a_participant(browser, live_server, demo_audits):
    _, audit = demo_audits
    context = phone(browser, live_server)
    page = context.new_page()
    join(page, audit, "Gita")
    too_wide, table_below, aside_first = {}, {}, []
    for name, path in workshop_pages(audit).items():
        page.goto(path)
        if (width := page.evaluate(PAGE_WIDTH)) > PHONE["width"]:
            too_wide[name] = width
        if name != "the overview":
            top = page.evaluate(TABLE_TOP)
            assert top is not None, f"{name} shows no table"
            if top >= PHONE["height"]:
                table_below[name] = round(top)
        main_bottom = page.locator("#workshop-main").bounding_box()
        if page.locator(".workshop-aside").bounding_box()["y"] < main_bottom["y"] + main_bottom["height"]:
            aside_first.append(name)
    context.close()
    assert not too_wide, f"pages wider than the phone (scrollWidth): {too_wide}"
    assert not table_below, f"the step's table starts below the first screen (y): {table_below}"
    assert not aside_first, f"the flywheel aside comes before the main area on: {aside_first}"


def test_a_guest_adds_edits_and_votes_with_touch(browser, live_server):
    membership = MembershipFactory(user=UserFactory(username="olivia"), role=Membership.Role.FACILITATOR)
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)
    FrictionPoint.objects.create(audit=audit, source="Leads wait for days")
    room.set_voting(audit, True, votes_per_person=3)
    context = phone(browser, live_server)
    page = context.new_page()
    join(page, audit, "Gita")

    # The navigator is folded to one line on a phone: a tap unfolds it, a tap on a step goes there.
    navigator = page.get_by_role("navigation", name="Workshop steps")
    expect(navigator.get_by_role("link", name=re.compile("Identify"))).to_be_hidden()
    navigator.locator("summary").tap()
    navigator.get_by_role("link", name=re.compile("Identify")).tap()
    expect(page).to_have_url(reverse("audits:step", args=[audit.pk, "identify"]))

    # Add a row: tap the field, type, tap the button.
    add_form = page.locator("#add-friction")
    add_form.get_by_label("Source of friction").tap()
    page.keyboard.type("Invoices go out late")
    add_form.get_by_label("Origin").select_option(FrictionPoint.Origin.INTERNAL.value)
    add_form.get_by_role("button", name="Add friction").tap()
    expect(page.locator("#rows-friction")).to_contain_text("Invoices go out late")
    row = FrictionPoint.objects.get(audit=audit, source="Invoices go out late")
    assert row.origin == FrictionPoint.Origin.INTERNAL

    # Edit a cell: tap it, type, tap elsewhere; leaving the changed field saves it.
    teams = page.locator(f"#cell-friction-{row.pk}-teams")
    teams.tap()
    page.keyboard.type("Finance")
    page.get_by_role("heading", level=1).tap()
    expect(page.locator(f"#cell-friction-{row.pk}-teams-form")).to_have_class(re.compile(r"\bcell-saved\b"))
    row.refresh_from_db()
    assert row.teams == "Finance"

    # Vote with a tap.
    page.get_by_role("button", name="Put a vote on “Invoices go out late”").tap()
    expect(page.locator(f"#vote-friction-{row.pk}")).to_contain_text("1 vote")
    assert Vote.objects.filter(audit=audit, user=Guest.objects.get(audit=audit).user).count() == 1

    # Every control in the step is at least 24×24 CSS px (WCAG 2.2, 2.5.8), and nothing scrolls sideways.
    small = page.evaluate("""() => [...document.querySelectorAll(
        '#workshop-main :is(button, a, input:not([type=hidden]), select, textarea, summary)')]
      // Links inside a sentence are exempt (2.5.8's "inline" exception).
      .filter((el) => el.checkVisibility() && !el.closest('.visually-hidden'))
      .filter((el) => el.tagName !== 'A' || getComputedStyle(el).display !== 'inline')
      .map((el) => [el, el.getBoundingClientRect()])
      .filter(([, box]) => box.width < 24 || box.height < 24)
      .map(([el, box]) => `${el.tagName} "${(el.textContent || el.name).trim()}" ${box.width}×${box.height}`)""")
    assert not small, f"targets smaller than 24×24 px: {small}"
    assert page.evaluate(PAGE_WIDTH) <= PHONE["width"]
    context.close()


def test_every_steps_table_starts_on_a_laptops_first_screen_for_a_participant(browser, live_server, demo_audits):
    _, audit = demo_audits
    context = browser.new_context(viewport=LAPTOP, base_url=live_server.url, has_touch=True)
    page = context.new_page()
    join(page, audit, "Gita")
    table_below, too_wide = {}, {}
    for name, path in workshop_pages(audit).items():
        page.goto(path)
        if (width := page.evaluate(PAGE_WIDTH)) > LAPTOP["width"]:
            too_wide[name] = width
        if name != "the overview" and (top := page.evaluate(TABLE_TOP)) >= LAPTOP["height"]:
            table_below[name] = round(top)
    context.close()
    assert not too_wide, f"pages wider than the laptop's screen (scrollWidth): {too_wide}"
    assert not table_below, f"the step's table starts below the first screen (y): {table_below}"
