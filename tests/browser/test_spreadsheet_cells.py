"""Cells that say where to type and move like a spreadsheet's, end to end in Chromium.

An owner opens a brand-new audit: its strategy table shows empty fields that look like fields (a
visible edge, 3:1 against the page, WCAG 1.4.11) with a placeholder saying what to write; a friction
step shows "Write the fix" beside its "No". On the metrics step they move through a metric's
readings with the arrow keys and Enter, type figures with or without separators (shown grouped,
"15,000"), give up a refused value with Escape (the red and its message go too), and add a period
while a refused value waits in the card: the card redraws around it.
"""

import re
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from audits.content.starting import start_audit
from audits.models import Reading, Stage

from ..factories import (
    AuditFactory,
    FlywheelFactory,
    FrictionPointFactory,
    MembershipFactory,
    MetricFactory,
    ReadingFactory,
    UserFactory,
)
from .test_workshop_keyboard import SAVED, cell
from .test_year_over_year_flow import log_in

INVALID = re.compile(r"\bcell-invalid\b")
MONTHS = ("Jan 2025", "Feb 2025", "Mar 2025")


@pytest.fixture
def audit():
    """Olivia's new audit (its empty starting rows), with one metric of three months and two friction rows."""
    membership = MembershipFactory(user=UserFactory(username="olivia"))
    audit = AuditFactory(flywheel=FlywheelFactory(organization=membership.organization), title="Annual audit")
    start_audit(audit)
    visitors = MetricFactory(audit=audit, name="Website visitors", stage=Stage.ATTRACT)
    for month, (gained, lost, total) in enumerate([(12000, 200, 11800), (1000, 300, 12500), (900, 100, 13300)], 1):
        ReadingFactory(metric=visitors, period_start=date(2025, month, 1), gained=gained, lost=lost, total=total)
    FrictionPointFactory(audit=audit, source="Leads wait days for a reply")
    FrictionPointFactory(audit=audit, source="Tickets bounce between teams")
    return audit


def open_step(page: Page, audit, step: str) -> None:
    page.goto(f"/audits/{audit.pk}/steps/{step}/")
    expect(page.locator("#workshop-main")).to_be_visible()


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two CSS rgb() colours."""

    def luminance(color: str) -> float:
        channels = [int(part) / 255 for part in re.findall(r"\d+", color)[:3]]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def edge_and_background(field: Locator) -> tuple[str, str]:
    """The field's lower edge colour and the colour of what it sits on (its first ancestor with a background)."""
    return field.evaluate(
        """field => {
            const transparent = element => getComputedStyle(element).backgroundColor === 'rgba(0, 0, 0, 0)';
            let around = field.parentElement;
            while (around && transparent(around)) around = around.parentElement;
            const background = getComputedStyle(around || document.body).backgroundColor;
            return [getComputedStyle(field).borderBottomColor, background];
        }"""
    )


def test_empty_cells_say_where_to_type_and_a_friction_step_offers_the_fix_beside_no(page: Page, audit):
    log_in(page)
    open_step(page, audit, "strategy")
    for stage in ("Attract", "Engage", "Delight"):
        principle = page.get_by_label(f"{stage}: inbound principle", exact=True)
        expect(principle).to_have_value("")
        expect(principle).to_have_attribute("placeholder", "Write the principle")
        expect(page.get_by_label(f"{stage}: approach", exact=True)).to_have_attribute(
            "placeholder", "Describe the approach"
        )
    edge, background = edge_and_background(page.get_by_label("Attract: approach", exact=True))
    assert contrast(edge, background) >= 3, (edge, background)

    open_step(page, audit, "automate")
    fix = page.get_by_label("Solved by automation? Row 1", exact=True)
    no = page.get_by_role("button", name="Solved by automation? (row 1)")
    expect(fix).to_be_visible()
    expect(fix).to_have_attribute("placeholder", "Write the fix")
    expect(no).to_be_visible()
    edge, background = edge_and_background(fix)
    assert contrast(edge, background) >= 3, (edge, background)
    # Side by side: the box first, "or", then the button, on one line.
    box, button = fix.bounding_box(), no.bounding_box()
    assert button["x"] > box["x"] + box["width"]
    assert button["y"] < box["y"] + box["height"] and box["y"] < button["y"] + button["height"]
    expect(page.locator(".answer-choice").first.locator(".answer-or")).to_have_text("or")

    # Enter saves the fix and goes to the next row's; Shift+Enter is a new line; Up goes back.
    fix.focus()
    page.keyboard.type("Auto-reply with a booking link")
    page.keyboard.press("Enter")
    expect(cell(page, "Solved by automation? Row 1")).to_have_class(SAVED)
    second = page.get_by_label("Solved by automation? Row 2", exact=True)
    expect(second).to_be_focused()
    page.keyboard.type("Route tickets")
    page.keyboard.press("Shift+Enter")
    page.keyboard.type("by topic")
    expect(second).to_have_value("Route tickets\nby topic")
    expect(second).to_be_focused()
    page.keyboard.press("Escape")
    expect(second).to_have_value("")
    page.keyboard.press("ArrowUp")
    expect(fix).to_be_focused()
    expect(fix).to_have_value("Auto-reply with a booking link")


def reading_field(card: Locator, month: str, column: str) -> Locator:
    return card.get_by_label(f"{month}: {column}", exact=True)


def type_over(page: Page, field: Locator, text: str) -> None:
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_a_metrics_table_moves_like_a_spreadsheet_and_keeps_a_refused_value_through_a_redraw(page: Page, audit):
    log_in(page)
    open_step(page, audit, "metrics")
    card = page.locator("article.metric-card").filter(
        has=page.get_by_role("table", name="Readings of Website visitors")
    )
    gained = {month: reading_field(card, month, "gained") for month in MONTHS}
    lost = {month: reading_field(card, month, "lost") for month in MONTHS}
    total = {month: reading_field(card, month, "total") for month in MONTHS}
    # Typed figures show grouped, as computed ones do.
    expect(gained["Jan 2025"]).to_have_value("12,000")
    expect(total["Mar 2025"]).to_have_value("13,300")

    # Along a row of choices: Right goes on to the next one and leaves the choice as it was.
    stage = card.get_by_label("Website visitors: stage", exact=True)
    stage.focus()
    page.keyboard.press("ArrowRight")
    expect(card.get_by_label("Website visitors: kind", exact=True)).to_be_focused()
    expect(stage.locator("option:checked")).to_have_text("Attract")

    # Up and Down: the same column of the next or previous row.
    gained["Jan 2025"].focus()
    page.keyboard.press("ArrowDown")
    expect(gained["Feb 2025"]).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(gained["Mar 2025"]).to_be_focused()
    page.keyboard.press("ArrowUp")
    expect(gained["Feb 2025"]).to_be_focused()
    # Left and Right move the caret inside the text; at its end (or start) they go on to the next cell.
    page.keyboard.press("End")
    page.keyboard.press("ArrowLeft")
    expect(gained["Feb 2025"]).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(gained["Feb 2025"]).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(lost["Feb 2025"]).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(total["Feb 2025"]).to_be_focused()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowLeft")
    expect(lost["Feb 2025"]).to_be_focused()

    # Enter saves and goes down; a figure typed without separators shows with them once saved.
    type_over(page, gained["Jan 2025"], "15000")
    page.keyboard.press("Enter")
    expect(cell(card, "Jan 2025: gained")).to_have_class(SAVED)
    expect(gained["Feb 2025"]).to_be_focused()
    expect(gained["Jan 2025"]).to_have_value("15,000")
    page.keyboard.press("Control+A")
    page.keyboard.type("2,500")
    page.keyboard.press("Enter")
    expect(cell(card, "Feb 2025: gained")).to_have_class(SAVED)
    expect(gained["Mar 2025"]).to_be_focused()
    assert list(Reading.objects.order_by("period_start").values_list("gained", flat=True)) == [15000, 2500, 900]

    # Keys that an input method is composing with are its own: no save, no move.
    type_over(page, lost["Mar 2025"], "150")
    lost["Mar 2025"].dispatch_event("keydown", {"key": "Enter", "isComposing": True})
    expect(lost["Mar 2025"]).to_be_focused()
    expect(cell(card, "Mar 2025: lost")).not_to_have_class(SAVED)
    page.keyboard.press("Escape")
    expect(lost["Mar 2025"]).to_have_value("100")

    # A refused value: red with the reason; Escape puts the saved value back and the red and reason go too.
    type_over(page, total["Mar 2025"], "-5")
    page.keyboard.press("Enter")
    refused = cell(card, "Mar 2025: total")
    expect(refused.get_by_role("alert")).to_contain_text("Ensure this value is greater than or equal to 0.")
    expect(refused).to_have_class(INVALID)
    total["Mar 2025"].focus()
    page.keyboard.press("Escape")
    expect(total["Mar 2025"]).to_have_value("13,300")
    expect(refused.get_by_role("alert")).to_have_count(0)
    expect(refused).not_to_have_class(INVALID)
    expect(total["Mar 2025"]).not_to_have_attribute("aria-invalid", "true")

    # A refused value waits in January while a period is added: the card redraws around it.
    type_over(page, total["Jan 2025"], "-5")
    page.keyboard.press("Enter")
    expect(cell(card, "Jan 2025: total").get_by_role("alert")).to_be_visible()
    add_period = card.locator("form.add-row").get_by_label("Period")
    add_period.fill("2025-04")
    add_period.press("Enter")
    expect(card.get_by_role("rowheader", name="Apr 2025", exact=True)).to_be_visible()
    expect(card.locator("form.add-row").get_by_label("Period")).to_have_value("")
    expect(total["Jan 2025"]).to_have_value("-5")
    expect(cell(card, "Jan 2025: total")).to_have_class(INVALID)
    expect(cell(card, "Jan 2025: total").get_by_role("alert")).to_contain_text("greater than or equal to 0")

    # In a right-to-left page Left goes on to the next cell (on the left) and Right back.
    page.evaluate("document.documentElement.dir = 'rtl'")
    april_gained = reading_field(card, "Apr 2025", "gained")
    april_gained.focus()
    page.keyboard.press("ArrowLeft")
    expect(reading_field(card, "Apr 2025", "lost")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(april_gained).to_be_focused()
    page.evaluate("document.documentElement.dir = 'ltr'")

    # January's refused value is given up at last: the saved one is back.
    total["Jan 2025"].focus()
    page.keyboard.press("Escape")
    expect(total["Jan 2025"]).to_have_value("11,800")
    expect(cell(card, "Jan 2025: total")).not_to_have_class(INVALID)
