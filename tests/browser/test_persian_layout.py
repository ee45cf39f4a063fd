"""A Persian audit page in Chromium: right to left, drawn with the vendored Persian font and digits.

An owner whose profile asks for Persian with Persian digits logs in (in an English browser) and
opens an audit in Persian filled with HubSpot's example. The page is laid out right to left (the
navigator's first step on the right), Vazirmatn draws the Persian text and the digits come from
the "Persian Digits" font; a screenshot is kept for a person to look at.
"""

import re

from playwright.sync_api import Page, expect

from audits.content.demo import fill_with_example
from audits.models import Audit, Profile

from ..factories import PASSWORD, AuditFactory, FlywheelFactory, MembershipFactory, UserFactory

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def persian_owner_with_an_audit() -> Audit:
    user = UserFactory(username="parisa")
    Profile.objects.create(user=user, language="fa", persian_digits=True)
    membership = MembershipFactory(user=user)
    flywheel = FlywheelFactory(organization=membership.organization, name="Inbound")
    audit = AuditFactory(flywheel=flywheel, title="ممیزی سالانه", period_year=2025, language=Audit.Language.PERSIAN)
    fill_with_example(audit)
    return audit


def log_in(page: Page, username: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url("/flywheels/")


def test_the_persian_audit_page_reads_right_to_left(page: Page, tmp_path):
    audit = persian_owner_with_an_audit()
    log_in(page, "parisa")
    page.goto(audit.get_absolute_url())
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fa")
    expect(html).to_have_attribute("dir", "rtl")
    expect(html).to_have_class(re.compile(r"\bpersian-digits\b"))
    page.evaluate("document.fonts.ready")

    screenshot = tmp_path / "persian-audit.png"
    page.screenshot(path=screenshot, full_page=True)
    assert screenshot.read_bytes().startswith(PNG_SIGNATURE)
    assert screenshot.stat().st_size > 20_000

    assert page.evaluate("document.dir") == "rtl"
    steps = page.locator(".navigator li")
    first, second = steps.nth(0).bounding_box(), steps.nth(1).bounding_box()
    assert first["x"] > second["x"], "the navigator's first step should be on the right"
    # The header's brand is at the right edge, the language picker at the left.
    brand, picker = page.locator(".brand").bounding_box(), page.locator(".language-picker").bounding_box()
    assert brand["x"] > picker["x"]

    # Persian text in Vazirmatn, digits in "Persian Digits", both loaded from this site.
    body_font = page.evaluate("getComputedStyle(document.body).fontFamily")
    assert body_font.startswith('"Persian Digits", Vazirmatn'), body_font
    assert page.evaluate("document.fonts.check('16px Vazirmatn', 'جذب')")
    loaded = page.evaluate(
        "[...document.fonts].filter(face => face.status === 'loaded').map(face => face.family.replaceAll('\"', ''))"
    )
    assert {"Vazirmatn", "Persian Digits"} <= set(loaded)
    # Typed values keep their plain digits: fields do not use the digits font.
    if page.locator("form.cell input").count():
        field_font = page.locator("form.cell input").first.evaluate("field => getComputedStyle(field).fontFamily")
        assert not field_font.startswith('"Persian Digits"')
    expect(page.locator(".navigator")).to_be_visible()


def test_choosing_a_language_in_the_picker_switches_at_once(page: Page):
    audit = persian_owner_with_an_audit()
    log_in(page, "parisa")
    page.goto(audit.get_absolute_url())
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # language.js sends the form on change: no button to press.
    page.get_by_role("combobox", name="زبان").select_option("en")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(audit.get_absolute_url())
    assert Profile.objects.get(user__username="parisa").language == "en"
    expect(page.get_by_role("combobox", name="Language")).to_have_value("en")
