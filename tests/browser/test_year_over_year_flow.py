"""Year over year, end to end in Chromium: carry an audit forward, edit it, compare, take the deck away.

An owner's 2018 audit holds HubSpot's worked example. They start 2019's audit from it, review last
year's fixes, add a reading, move a force on and add a friction row with the keyboard, then open
the flywheel's Compare page (2018 before, 2019 after by default) and download the comparison deck.
"""

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from pptx import Presentation

from audits.content.carry import carry_forward
from audits.content.demo import fill_with_example
from audits.models import Audit

from ..factories import PASSWORD, AuditFactory, FlywheelFactory, MembershipFactory, UserFactory
from .test_workshop_keyboard import SAVED, add_friction, add_periods, cell, reading_row, type_in_cell, type_row

FLYWHEEL = "Inbound"
AUDIT_2018 = "HubSpot audit 2018"
AUDIT_2019 = "HubSpot audit 2019"
# Last year's friction, all settled in 2018 (so none is carried over), and one of its fixes.
REVIEWED_SOURCE = "More leads does not mean better leads"
REVIEWED_FIX = "A marketing–sales service-level agreement"
REVIEW_NOTE = "Signed in March; the good-fit target is still debated"
# Sales' force, whose 2018 "now" becomes 2019's "before"; the workshop writes a new "now".
FORCE = "Lead rotation"
FORCE_2018 = "Every lead is rotated, even when no good demo fit was found"
FORCE_2019 = "Leads routed by buying behaviour"
NEW_FRICTION = "Trial users cannot reach a human"


def owner_with_the_2018_audit() -> None:
    """An owner of an organization whose flywheel has a 2018 audit filled with HubSpot's example."""
    membership = MembershipFactory(user=UserFactory(username="olivia"))
    flywheel = FlywheelFactory(organization=membership.organization, name=FLYWHEEL)
    fill_with_example(AuditFactory(flywheel=flywheel, title=AUDIT_2018, period_year=2018))


def log_in(page: Page, username: str = "olivia") -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=re.compile("^Flywheels of"))).to_be_visible()


def open_audit(page: Page, title: str) -> None:
    page.get_by_role("link", name=FLYWHEEL).click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()


def go_to_step(page: Page, short_title: str, title: str) -> None:
    page.get_by_role("navigation", name="Workshop steps").get_by_role(
        "link", name=re.compile(rf"\b{short_title}\b")
    ).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def download_comparison(page: Page, link_name: str, folder: Path) -> Path:
    """Click one of the compare page's downloads; return the file, under the name the server suggested."""
    with page.expect_download() as info:
        page.get_by_role("region", name="Downloads").get_by_role("link", name=link_name).click()
    name = info.value.suggested_filename
    assert name.isascii(), name
    path = folder / name
    info.value.save_as(path)
    return path


def review_row(page: Page) -> Locator:
    return page.locator("#action-review").get_by_role("row").filter(has_text=REVIEWED_SOURCE)


def review_last_years_fix(page: Page) -> None:
    """Mark one of last year's fixes done with an arrow key, and note how it went."""
    review = page.locator("#action-review")
    row = review_row(page)
    expect(row).to_contain_text(REVIEWED_FIX)
    # The cells are labelled with the fix, shortened: take the labels from the row.
    status_label = row.locator("label").filter(has_text=re.compile(r": status$")).inner_text()
    note_label = row.locator("label").filter(has_text=re.compile(r": note$")).inner_text()
    status = review.get_by_label(status_label, exact=True)
    expect(status).to_have_value("")
    status.focus()
    page.keyboard.press("ArrowDown")  # from "—" to the first status; choosing an option saves it
    expect(cell(review, status_label)).to_have_class(SAVED)
    expect(review.get_by_label(status_label, exact=True).locator("option:checked")).to_have_text("Done")
    type_in_cell(page, review, note_label, REVIEW_NOTE)

    page.reload()
    expect(review.get_by_label(status_label, exact=True)).to_have_value("done")
    expect(review.get_by_label(note_label, exact=True)).to_have_value(REVIEW_NOTE)


def edit_the_2019_audit(page: Page) -> None:
    go_to_step(page, "Metrics", "Choose the metrics that show success")
    visitors = page.locator("article.metric-card").filter(
        has=page.get_by_role("table", name="Readings of Website visitors")
    )
    # The definitions came along, not last year's readings.
    expect(visitors.get_by_role("rowheader")).to_have_count(0)
    add_periods(page, visitors, ("2019-01", "Jan 2019"))
    type_row(page, visitors, "Jan 2019", ("gained", "lost", "total"), ("3000000", "2000000", "15000000"))
    expect(reading_row(visitors, "Jan 2019").locator(".computed")).to_have_text("+1,000,000")

    go_to_step(page, "Forces", "Map the forces and redraw them for delight")
    sales = page.locator("section.team").filter(has=page.get_by_role("table", name="Forces of Sales"))
    # Last year's "now" is this year's "before", and "now" until the team says what moved.
    expect(sales.get_by_label(f"{FORCE}: before", exact=True)).to_have_value(FORCE_2018)
    expect(sales.get_by_label(f"{FORCE}: now", exact=True)).to_have_value(FORCE_2018)
    type_in_cell(page, sales, f"{FORCE}: now", FORCE_2019)

    go_to_step(page, "Identify", "Identify the friction")
    # Every row was settled in 2018: nothing open came along.
    expect(page.get_by_text("No friction identified yet.")).to_be_visible()
    page.locator("#add-friction").get_by_label("Source of friction").focus()
    add_friction(page, 1, NEW_FRICTION, "e", "e", "Sales, Service")


def test_it_carries_an_audit_forward_edits_it_compares_and_downloads_the_deck(page: Page, tmp_path: Path):
    owner_with_the_2018_audit()
    log_in(page)
    open_audit(page, AUDIT_2018)
    last_year = page.url

    page.get_by_role("button", name="Start next audit from this one").click()
    expect(page.get_by_role("heading", name=AUDIT_2019, exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/audits/\d+/$"))
    assert page.url != last_year
    expect(page.get_by_role("status")).to_contain_text(f"“{AUDIT_2019}” starts from 2018")
    expect(page.get_by_role("link", name=f"{AUDIT_2018} (2018)")).to_have_attribute(
        "href", re.compile(r"/audits/\d+/$")
    )
    expect(page.get_by_text("Carried forward from")).to_be_visible()
    review = page.locator("#action-review")
    expect(review.get_by_role("heading", name="Last audit's action items: how did they go?")).to_be_visible()
    # All seven of 2018's fixes wait for review.
    expect(review.get_by_role("row")).to_have_count(1 + 7)
    review_last_years_fix(page)

    edit_the_2019_audit(page)

    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name=FLYWHEEL).click()
    page.get_by_role("navigation", name="Year over year").get_by_role("link", name="Compare audits").click()
    expect(page.get_by_role("heading", name="Compare audits", level=1)).to_be_visible()
    # By default the latest audit after the one before it.
    expect(page.get_by_label("Before").locator("option:checked")).to_have_text(f"{AUDIT_2018} (2018)")
    expect(page.get_by_label("After").locator("option:checked")).to_have_text(f"{AUDIT_2019} (2019)")
    expect(page.locator(".lead")).to_contain_text("was carried forward from")

    metrics = page.locator("#metrics")
    expect(metrics.get_by_role("heading", name="Metrics", level=2)).to_be_visible()
    visitors = metrics.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile("^Website visitors"))
    )
    expect(visitors.get_by_role("cell").nth(1)).to_have_text("15,000,000")

    sales = page.locator("#forces .team-change").filter(has=page.get_by_role("heading", name="Sales", exact=True))
    changed = sales.get_by_role("table", name="Changed forces of Sales")
    force_now = (
        changed.get_by_role("row")
        .filter(has=page.get_by_role("cell", name="Now", exact=True))
        .filter(has_text=FORCE_2019)
    )
    expect(force_now.get_by_role("cell")).to_have_text(["Now", FORCE_2018, FORCE_2019])
    expect(changed.get_by_role("rowheader", name=FORCE)).to_be_visible()

    friction = page.locator("#friction")
    expect(friction.get_by_role("table", name=re.compile("^New"))).to_contain_text(NEW_FRICTION)
    resolved = friction.get_by_role("table", name=re.compile("^Resolved"))
    expect(resolved.get_by_role("rowheader", name=REVIEWED_SOURCE)).to_be_visible()
    expect(resolved.locator("tbody").get_by_role("row")).to_have_count(7)

    deck = download_comparison(page, "Comparison deck (.pptx)", tmp_path)
    assert deck.suffix == ".pptx", deck.name
    slides = list(Presentation(deck).slides)
    assert len(slides) >= 3
    tables = [shape.table for slide in slides for shape in slide.shapes if shape.has_table]
    texts = [cell.text for table in tables for row in table.rows for cell in row.cells]
    assert any(FORCE in text for text in texts), texts
    assert any(FORCE_2019 in text for text in texts), texts
    expect(page.get_by_role("heading", name="Compare audits", level=1)).to_be_visible()


def test_it_refuses_to_compare_an_audit_with_itself_and_shows_the_history(page: Page):
    owner_with_the_2018_audit()
    carry_forward(Audit.objects.get(title=AUDIT_2018))
    log_in(page)
    open_audit(page, AUDIT_2019)
    page.get_by_role("link", name="Compare with the previous audit").click()
    expect(page.get_by_role("heading", name="Compare audits", level=1)).to_be_visible()
    expect(page.get_by_label("Before").locator("option:checked")).to_have_text(f"{AUDIT_2018} (2018)")

    page.get_by_label("After").select_option(label=f"{AUDIT_2018} (2018)")
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_role("alert")).to_have_text(
        "Choose two different audits: an audit compared with itself shows no change."
    )
    # Nothing is compared, so there is nothing to download.
    expect(page.locator("#metrics")).to_have_count(0)
    expect(page.get_by_role("link", name="Comparison deck (.pptx)")).to_have_count(0)

    page.get_by_role("link", name="History of all audits").click()
    expect(page.get_by_role("heading", name=f"History of {FLYWHEEL}", level=1)).to_be_visible()
    audits = page.locator("section").filter(has=page.get_by_role("heading", name="Audits", exact=True))
    first = audits.get_by_role("row").filter(has=page.get_by_role("link", name=AUDIT_2018))
    second = audits.get_by_role("row").filter(has=page.get_by_role("link", name=AUDIT_2019))
    expect(first.get_by_role("cell").first).to_have_text("2018")
    expect(first).to_contain_text("the first")
    expect(second.get_by_role("cell").first).to_have_text("2019")
    second.get_by_role("link", name="2018 → 2019").click()
    expect(page.get_by_label("Before").locator("option:checked")).to_have_text(f"{AUDIT_2018} (2018)")
    expect(page.get_by_label("After").locator("option:checked")).to_have_text(f"{AUDIT_2019} (2019)")
