"""The workshop end to end in Chromium, with the keyboard only for the inline edits.

A new user starts an empty audit and walks every step of the three exercises with the pager's
Next link. Cells are edited as workshop.js promises: type, then Enter or Tab saves, Escape puts
the saved text back; add-row forms are submitted with Enter (from a text field, or on the Add
button when the last field is a textarea); selects are set by typing an option's first letter.
At the end the summary and the flywheel diagram show what was typed.
"""

import re

from playwright.sync_api import Locator, Page, expect

from .test_foundation_flow import sign_up

SAVED = re.compile(r"\bcell-saved\b")
ATTRACT_APPROACH = "Blog posts, SEO and a free CRM"


def create_audit(page: Page) -> None:
    """A flywheel and an audit through the UI; the audit starts with its empty skeleton."""
    page.get_by_role("link", name="New flywheel").click()
    page.get_by_label("Name").fill("Self-serve")
    page.get_by_role("button", name="Create flywheel").click()
    page.get_by_role("link", name="New audit").click()
    page.get_by_label("Title").fill("Annual audit")
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Create audit").click()
    expect(page.get_by_role("heading", name="Annual audit", exact=True)).to_be_visible()


def next_step(page: Page, short_title: str, title: str) -> None:
    page.get_by_role("navigation", name="Previous and next step").get_by_role("link", name=short_title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()


def settled(section: Locator) -> None:
    """Wait until htmx has settled a redrawn section: workshop.js then puts the cursor back in its add form."""
    expect(section).not_to_have_class(re.compile(r"\bhtmx-settling\b"))


def cell(scope: Page | Locator, label: str) -> Locator:
    """The small form of the cell whose field has this (visually hidden) label."""
    return scope.get_by_label(label, exact=True).locator("xpath=ancestor::form[1]")


def type_in_cell(page: Page, scope: Page | Locator, label: str, text: str, key: str = "Enter") -> None:
    """Focus a cell, replace its text from the keyboard, leave it with `key`, and see it saved."""
    scope.get_by_label(label, exact=True).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)
    page.keyboard.press(key)
    # The cell that answers the save replaces the old one and keeps its label.
    expect(cell(scope, label)).to_have_class(SAVED)
    expect(scope.get_by_label(label, exact=True)).to_have_value(text)


def choose_in_cell(page: Page, scope: Page | Locator, label: str, letters: str, option: str) -> None:
    """Set a select cell from the keyboard (typing its option's first letters saves it)."""
    field = scope.get_by_label(label, exact=True)
    field.focus()
    page.keyboard.type(letters)
    expect(cell(scope, label)).to_have_class(SAVED)
    expect(field.locator("option:checked")).to_have_text(option)


def strategy_step(page: Page) -> None:
    expect(page.get_by_role("heading", name="Map your go-to-market strategy")).to_be_visible()
    aside = page.get_by_role("complementary", name="The flywheel")
    expect(aside).to_contain_text("No approach yet")

    # Enter saves; Tab saves a changed field and moves on to the next one.
    type_in_cell(page, page, "Attract: approach", ATTRACT_APPROACH)
    page.get_by_label("Engage: inbound principle", exact=True).focus()
    page.keyboard.type("Make buying easy")
    page.keyboard.press("Tab")
    expect(cell(page, "Engage: inbound principle")).to_have_class(SAVED)
    expect(page.get_by_label("Engage: approach", exact=True)).to_be_focused()
    page.keyboard.type("Free trial and live chat")
    page.keyboard.press("Enter")
    expect(cell(page, "Engage: approach")).to_have_class(SAVED)
    type_in_cell(page, page, "Delight: approach", "Onboarding and a customer community")
    # The diagram beside the table redraws after each save.
    expect(aside).to_contain_text(ATTRACT_APPROACH)

    page.reload()
    expect(page.get_by_label("Attract: approach", exact=True)).to_have_value(ATTRACT_APPROACH)
    expect(page.get_by_label("Engage: inbound principle", exact=True)).to_have_value("Make buying easy")
    expect(page.get_by_label("Engage: approach", exact=True)).to_have_value("Free trial and live chat")
    expect(page.get_by_label("Delight: approach", exact=True)).to_have_value("Onboarding and a customer community")


def add_metric(page: Page, stage_letter: str, name: str, kind_letter: str = "") -> Locator:
    """Fill the add-metric form from the keyboard, submit it with Enter; return the metric's card."""
    form = page.locator("#add-metric")
    form.get_by_label("Stage").focus()
    page.keyboard.type(stage_letter)
    page.keyboard.press("Tab")
    expect(form.get_by_label("Name")).to_be_focused()
    page.keyboard.type(name)
    if kind_letter:
        page.keyboard.press("Tab")
        page.keyboard.type(kind_letter)
        page.keyboard.press("Tab")
        expect(form.get_by_label("Unit")).to_be_focused()
    page.keyboard.press("Enter")
    card = page.locator("article.metric-card").filter(has=page.get_by_role("table", name=f"Readings of {name}"))
    expect(card).to_be_visible()
    settled(page.locator("#metrics"))
    # The cursor is back in the (fresh) add form, ready for the next metric.
    expect(page.locator("#add-metric").get_by_label("Stage")).to_be_focused()
    return card


def add_periods(page: Page, card: Locator, *periods: tuple[str, str]) -> None:
    for typed, label in periods:
        card.locator("form.add-row").get_by_label("Period").focus()
        page.keyboard.type(typed)
        page.keyboard.press("Enter")
        expect(card.get_by_role("rowheader", name=label, exact=True)).to_be_visible()
        settled(card)
        expect(card.locator("form.add-row").get_by_label("Period")).to_be_focused()


def type_row(page: Page, card: Locator, period: str, fields: tuple[str, ...], values: tuple[str, ...]) -> None:
    """Type a reading's figures, moving from one cell to the next with Tab."""
    card.get_by_label(f"{period}: {fields[0]}", exact=True).focus()
    for field, value in zip(fields, values, strict=True):
        expect(card.get_by_label(f"{period}: {field}", exact=True)).to_be_focused()
        page.keyboard.type(value)
        page.keyboard.press("Tab")
        expect(cell(card, f"{period}: {field}")).to_have_class(SAVED)


def reading_row(card: Locator, period: str) -> Locator:
    return card.get_by_role("row").filter(has=card.page.get_by_role("rowheader", name=period, exact=True))


def metrics_step(page: Page) -> None:
    visitors = add_metric(page, "a", "Website visitors")
    free_users = add_metric(page, "e", "Free users")
    nps = add_metric(page, "d", "Customer NPS", kind_letter="n")
    expect(nps.get_by_role("columnheader", name="NPS", exact=True)).to_be_visible()

    for card in (visitors, free_users, nps):
        add_periods(page, card, ("2025-01", "Jan 2025"), ("2025-02", "Feb 2025"))

    bucket = ("gained", "lost", "total")
    type_row(page, visitors, "Jan 2025", bucket, ("1000", "200", "800"))
    type_row(page, visitors, "Feb 2025", bucket, ("1200", "300", "1700"))
    type_row(page, free_users, "Jan 2025", bucket, ("100", "10", "90"))
    type_row(page, free_users, "Feb 2025", bucket, ("150", "20", "220"))
    expect(reading_row(visitors, "Jan 2025").locator(".computed")).to_have_text("+800")
    expect(reading_row(visitors, "Feb 2025").locator(".computed")).to_have_text("+900")
    expect(reading_row(free_users, "Feb 2025").locator(".computed")).to_have_text("+130")

    answers = ("promoters", "passives", "detractors")
    type_row(page, nps, "Jan 2025", answers, ("50", "30", "20"))
    type_row(page, nps, "Feb 2025", answers, ("60", "25", "15"))
    expect(reading_row(nps, "Jan 2025").locator(".computed")).to_have_text("+30")
    expect(reading_row(nps, "Feb 2025").locator(".computed")).to_have_text("+45")

    # Free users gained 150 of the 1,200 new visitors in February: 12.5%.
    conversion = page.locator("#panel-conversions").get_by_role("row", name=re.compile("Website visitors → Free users"))
    expect(conversion.get_by_role("cell").first).to_have_text("12.5%")

    # A refused value stays in the field with the reason beside it; Escape puts the saved one back.
    total = visitors.get_by_label("Jan 2025: total", exact=True)
    total.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("-5")
    page.keyboard.press("Enter")
    expect(cell(visitors, "Jan 2025: total").get_by_role("alert")).to_contain_text(
        "Ensure this value is greater than or equal to 0."
    )
    expect(total).to_have_value("-5")
    expect(total).to_have_attribute("aria-invalid", "true")
    total.focus()
    page.keyboard.press("Escape")
    expect(total).to_have_value("800")

    page.reload()
    expect(visitors.get_by_label("Jan 2025: total", exact=True)).to_have_value("800")
    expect(nps.get_by_label("Feb 2025: detractors", exact=True)).to_have_value("15")


def forces_step(page: Page) -> None:
    marketing = page.locator("section.team").filter(has=page.get_by_role("table", name="Forces of Marketing"))
    form = marketing.locator("form.add-row")
    form.get_by_label("Force").focus()
    page.keyboard.type("Gated e-books")
    page.keyboard.press("Tab")
    page.keyboard.type("Every e-book behind a form")
    page.keyboard.press("Tab")
    page.keyboard.type("Leads who never read them")
    page.keyboard.press("Tab")
    expect(form.get_by_role("button", name="Add force")).to_be_focused()
    page.keyboard.press("Enter")
    expect(marketing.get_by_label("Force", exact=True)).to_have_value("Gated e-books")
    expect(marketing.get_by_label("Gated e-books: now", exact=True)).to_have_value("Leads who never read them")
    settled(marketing)

    choose_in_cell(page, marketing, "Gated e-books: stage it pushes", "a", "Attract")
    type_in_cell(page, marketing, "Gated e-books: planned change", "Ungate the e-books")
    type_in_cell(page, marketing, "Gated e-books: owner", "Maya")
    expect(page.locator("#panel-forces-summary")).to_contain_text("1 Attract")


def add_friction(page: Page, number: int, source: str, origin_letter: str, stage_letter: str, teams: str) -> None:
    form = page.locator("#add-friction")
    expect(form.get_by_label("Source of friction")).to_be_focused()
    page.keyboard.type(source)
    page.keyboard.press("Tab")
    page.keyboard.type(origin_letter)
    page.keyboard.press("Tab")
    page.keyboard.type(stage_letter)
    page.keyboard.press("Tab")
    expect(form.get_by_label("Teams involved")).to_be_focused()
    page.keyboard.type(teams)
    page.keyboard.press("Enter")
    expect(page.get_by_label(f"Source of friction, row {number}", exact=True)).to_have_value(source)
    settled(page.locator("#friction-table"))


def identify_step(page: Page) -> None:
    expect(page.get_by_text("No friction identified yet.")).to_be_visible()
    page.locator("#add-friction").get_by_label("Source of friction").focus()
    add_friction(page, 1, "Leads wait days for a reply", "e", "e", "Marketing, Sales")
    add_friction(page, 2, "Tickets bounce between teams", "i", "d", "Service")
    expect(page.get_by_label("Source of friction, row 1", exact=True)).to_have_value("Leads wait days for a reply")
    expect(page.get_by_label("Stage, row 1", exact=True).locator("option:checked")).to_have_text("Engage")
    expect(page.get_by_label("Origin, row 2", exact=True).locator("option:checked")).to_have_text(
        "Internal (metrics, processes)"
    )
    expect(page.get_by_label("Stage, row 2", exact=True).locator("option:checked")).to_have_text("Delight")


def automate_step(page: Page) -> None:
    type_in_cell(page, page, "Solved by automation? Row 1", "Auto-reply with a booking link")
    # Row 2: its "No" button, from the keyboard (the button's name ends with the question and row).
    page.get_by_role("button", name="Solved by automation? (row 2)").focus()
    page.keyboard.press("Enter")
    expect(cell(page, "Solved by automation? Row 2")).to_have_class(SAVED)
    expect(page.get_by_label("Solved by automation? Row 2", exact=True)).to_have_value("No")


def goals_step(page: Page) -> None:
    # Row 1 was fixed by automation: only row 2 reaches this step.
    expect(page.get_by_label("Solved by a new (shared) goal? Row 1", exact=True)).to_have_count(0)
    expect(page.get_by_text("1 row already settled at an earlier step.")).to_be_visible()
    type_in_cell(page, page, "Solved by a new (shared) goal? Row 2", "One shared goal: tickets closed on first contact")


def restructure_step(page: Page) -> None:
    expect(page.get_by_text("Every row was settled at an earlier step: nothing to answer here.")).to_be_visible()
    assessment = page.locator("#self-assessment")
    choose_in_cell(page, assessment, "Do people who do the same job sit in different departments? Answer", "y", "Yes")
    type_in_cell(
        page,
        assessment,
        "Do people who do the same job sit in different departments? Notes",
        "Support sits in two departments",
    )
    choose_in_cell(page, assessment, "Are teams too specialized? Answer", "n", "No")
    choose_in_cell(
        page,
        assessment,
        "If the organization has a systemic blind spot, is a team assigned to it? Answer",
        "y",
        "Yes",
    )


def summary_step(page: Page) -> None:
    final = page.locator("#friction-summary")
    expect(final).not_to_contain_text("still open")
    first = final.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Leads wait days for a reply"))
    expect(first.get_by_role("cell")).to_have_text(["Auto-reply with a booking link", "", ""])
    second = final.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Tickets bounce between teams"))
    expect(second.get_by_role("cell")).to_have_text(["No", "One shared goal: tickets closed on first contact", ""])

    actions = page.locator("#action-items")
    expect(actions.get_by_role("row").filter(has_text="Leads wait days for a reply")).to_contain_text(
        "Auto-reply with a booking link"
    )
    expect(actions.get_by_role("row").filter(has_text="Tickets bounce between teams")).to_contain_text(
        "One shared goal: tickets closed on first contact"
    )
    expect(actions.get_by_role("row").filter(has_text="Gated e-books")).to_contain_text("Ungate the e-books")
    type_in_cell(page, actions, "Owner of the fix, row 1", "Priya")
    page.reload()
    expect(page.get_by_label("Owner of the fix, row 1", exact=True)).to_have_value("Priya")
    key_numbers = page.locator("#key-numbers").get_by_role("row")
    visitors = key_numbers.filter(has=page.get_by_role("cell", name="Website visitors", exact=True))
    expect(visitors).to_contain_text("1,700")


def test_a_new_user_walks_every_step_with_the_keyboard(page: Page):
    sign_up(page, "olivia", "Acme")
    create_audit(page)
    overview = page.url
    page.get_by_role("link", name="Start the workshop").click()

    strategy_step(page)
    next_step(page, "Metrics", "Choose the metrics that show success")
    metrics_step(page)
    next_step(page, "Forces", "Map the forces and redraw them for delight")
    forces_step(page)
    next_step(page, "Identify", "Identify the friction")
    identify_step(page)
    next_step(page, "Automate", "Can automation fix it?")
    automate_step(page)
    next_step(page, "Goals", "Realign goals to bridge teams")
    goals_step(page)
    next_step(page, "Restructure", "Restructure teams")
    restructure_step(page)
    next_step(page, "Summary", "Review and share the audit")
    summary_step(page)

    page.goto(overview)
    diagram = page.get_by_role("complementary", name="The flywheel")
    attract = diagram.locator(".stage-entry").filter(has_text="Attract")
    expect(attract).to_contain_text(ATTRACT_APPROACH)
    expect(attract).to_contain_text("Website visitors: 1,700 (+900 on the period before)")
    expect(diagram.locator(".stage-entry").filter(has_text="Delight")).to_contain_text("Customer NPS: +45")
    progress = page.locator("#panel-progress").get_by_role("listitem")
    for title in (
        "Map your go-to-market strategy",
        "Choose the metrics that show success",
        # Only Marketing listed a force: Sales and Service, left as the audit started them, do not count against it.
        "Map the forces and redraw them for delight",
        "Identify the friction",
        "Can automation fix it?",
        "Realign goals to bridge teams",
        "Restructure teams",
        "Review and share the audit",
    ):
        expect(progress.filter(has_text=title)).to_have_class("step-complete")
