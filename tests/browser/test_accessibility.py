"""Accessibility and layout in Chromium: one walk through every page per language and screen, and the
workshop with the keyboard alone.

axe-core (tests/browser/vendor/, from the npm registry, MPL-2.0) checks each page against WCAG 2.2
A and AA; a serious or critical violation fails the test with what axe says about it. One browser
context per language and screen (a 1366×768 laptop, a 390×844 phone) visits every page, so the four
runs stay short. The pages are checked with a join link and dot voting open and every disclosure
unfolded, so that the facilitator's controls, the vote buttons and HubSpot's examples are checked too.

Before a page is unfolded, the same walk checks its layout as the facilitator sees it
(tests/browser/layout_checks.py): no workshop page (the overview, each step, the presenter view) scrolls
sideways on either screen, and on the laptop nothing on the overview and the steps is cut off or out of
place. axe is put in the page by Playwright, not as a script tag, so the pages keep their
Content-Security-Policy: a style or script it refuses shows here as it would for people.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.demo import DEMO_PASSWORD, DEMO_USERNAME
from audits.content.guidance import STEPS
from audits.content.starting import start_audit
from audits.live import room
from audits.models import FrictionPoint, Membership, Vote

from ..factories import PASSWORD, AuditFactory, FlywheelFactory, MembershipFactory, UserFactory
from .layout_checks import CUT_OFF, LAPTOP, PAGE_WIDTH, check_the_diagram, check_the_forces

AXE = Path(__file__).parent / "vendor" / "axe-4.14.1.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
# What a page shows only when a disclosure is open is checked too; not a force's ideas (they load from the
# server) nor the header's menus (open, they would cover the page).
UNFOLD = "() => document.querySelectorAll('details:not(.ideas, [class$=-menu])').forEach((d) => { d.open = true; })"


def serious_violations(page: Page) -> list[str]:
    """Return axe's serious and critical WCAG 2.2 A/AA violations on the page, one line per element."""
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_22_AA
    )
    return [
        f"{violation['id']} ({violation['impact']}) at {node['target']}: {node['failureSummary']}"
        for violation in result["violations"]
        if violation["impact"] in ("serious", "critical")
        for node in violation["nodes"]
    ]


def log_in(page: Page, username: str = "olivia", password: str = PASSWORD) -> None:
    page.goto(reverse("login"))
    page.locator("input[name=username]").fill(username)  # by name: the labels are in the page's language
    page.locator("input[name=password]").fill(password)
    page.locator("main").get_by_role("button").click()
    expect(page).not_to_have_url(re.compile("/accounts/login/"))


@pytest.fixture
def live_demo(demo_audits):
    """The demo's 2018 and 2019 audits, the 2019 one with a join link and dot voting open; the join page's path."""
    first, audit = demo_audits
    link = room.open_join_link(audit, get_user_model().objects.get(username=DEMO_USERNAME), hours=4)
    room.set_voting(audit, True, votes_per_person=3)
    return first, audit, reverse("audits:join", kwargs={"token": room.join_token(link)})


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
@pytest.mark.parametrize("language", ["en", "fa"])
def test_no_page_has_a_serious_accessibility_violation(browser, live_server, live_demo, language, viewport):
    first, audit, join_path = live_demo
    flywheel = audit.flywheel
    pages = {
        "the join page": join_path,
        "the login page": reverse("login"),
        "the flywheel list": reverse("audits:flywheels"),
        "the flywheel": flywheel.get_absolute_url(),
        "the overview": audit.get_absolute_url(),
        **{f"the {step.key} step": reverse("audits:step", args=[audit.pk, step.key]) for step in STEPS},
        "the presenter view": reverse("audits:present", args=[audit.pk]),
        "compare": f"{reverse('audits:compare', args=[flywheel.pk])}?before={first.pk}&after={audit.pk}",
        "history": reverse("audits:history", args=[flywheel.pk]),
    }
    workshop_pages = {"the overview", *(f"the {step.key} step" for step in STEPS), "the presenter view"}
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=language)
    page = context.new_page()
    found, too_wide = {}, {}
    for name, path in pages.items():
        if name == "the flywheel list":
            log_in(page, DEMO_USERNAME, DEMO_PASSWORD)
        response = page.goto(path)
        assert response.ok, f"{name} answered {response.status}"
        expect(page.locator("html")).to_have_attribute("lang", language)
        if name in workshop_pages and (width := page.evaluate(PAGE_WIDTH)) > viewport["width"]:
            too_wide[name] = width
        if viewport == LAPTOP and name in workshop_pages - {"the presenter view"}:
            check_the_laptop_layout(page, name)
        page.evaluate(UNFOLD)
        if violations := serious_violations(page):
            found[name] = violations
    context.close()
    assert not too_wide, f"pages wider than {viewport['width']} px (scrollWidth): {too_wide}"
    assert not found, "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())


def check_the_laptop_layout(page: Page, name: str) -> None:
    page.evaluate("document.fonts.ready")
    assert page.evaluate(CUT_OFF) == [], name
    expect(page.locator(".org-switch")).to_have_count(0)  # the demo user is in one organization
    if name == "the overview":
        check_the_diagram(page)
    if name == "the forces step":
        check_the_forces(page)
    if name == "the strategy step":
        expect(page.locator("#strategy-table textarea")).to_have_count(6)  # principle and approach grow


def tab_until(page: Page, condition: str, limit: int = 80) -> None:
    """Press Tab until `condition` (a JavaScript expression about `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return Boolean({condition}); }})()"):
            return
    raise AssertionError(f"Tab never reached an element where {condition}")


def focus_outline(page: Page) -> tuple[str, float]:
    return tuple(
        page.evaluate(
            "(() => { const style = getComputedStyle(document.activeElement);"
            " return [style.outlineStyle, parseFloat(style.outlineWidth)]; })()"
        )
    )


def test_a_workshop_step_works_with_the_keyboard_alone(page: Page):
    membership = MembershipFactory(user=UserFactory(username="olivia"), role=Membership.Role.FACILITATOR)
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)
    row = FrictionPoint.objects.create(audit=audit, source="Leads wait for days")
    room.set_voting(audit, True, votes_per_person=3)
    log_in(page)
    page.goto(reverse("audits:step", args=[audit.pk, "identify"]))

    # The skip link comes first and jumps past the header and the navigator.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")

    # A cell: Tab to it, type, Enter saves.
    tab_until(page, f"el.id === 'cell-friction-{row.pk}-teams'")
    assert focus_outline(page)[0] != "none" and focus_outline(page)[1] >= 2
    page.keyboard.type("Sales")
    page.keyboard.press("Enter")
    expect(page.locator(f"#cell-friction-{row.pk}-teams-form")).to_have_class(re.compile("cell-saved"))
    row.refresh_from_db()
    assert row.teams == "Sales"

    # The vote button of the row, then the add-row form below the table.
    tab_until(page, "el.classList.contains('vote-button') && el.value === 'add'")
    assert focus_outline(page)[0] != "none"
    page.keyboard.press("Enter")
    expect(page.locator(".vote-dots").first).to_have_text("1 vote")
    expect(page.locator(f"#vote-friction-{row.pk}-add")).to_be_focused()  # the swap gives the focus back
    assert Vote.objects.filter(audit=audit).count() == 1
    tab_until(page, "el.id === 'id_friction-source'")
    assert focus_outline(page)[0] != "none"
    page.keyboard.type("Invoices go out late")
    tab_until(page, "el.closest('#add-friction') && el.type === 'submit'")
    page.keyboard.press("Enter")
    expect(page.locator("#rows-friction")).to_contain_text("Invoices go out late")
    assert FrictionPoint.objects.filter(audit=audit, source="Invoices go out late").exists()
