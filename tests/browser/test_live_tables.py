"""Seeing each other's tables, end to end in Chromium: one browser's rows and edits show in another's.

Two members of an organization have the friction step of the same audit open, each in their own
browser context (two sessions, as two laptops in a workshop would). live.js asks for the audit's
version every 2 s and, when it moved on, merges a fresh copy of the page into the tables, leaving
alone what someone is in the middle of. So a change shows in the other browser within 3 s, without
a reload, and the cell someone is typing in keeps its text, its focus and its caret.

Each "within 3 s" wait starts once the change is done in the first browser and is never longer.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from audits.content.starting import start_audit
from audits.models import FrictionPoint, Membership

from ..factories import AuditFactory, FlywheelFactory, FrictionPointFactory, MembershipFactory, UserFactory
from .test_workshop_keyboard import SAVED, cell, type_in_cell
from .test_year_over_year_flow import log_in

WITHIN_3_S = 3000
FIRST = "Leads wait days for a reply"
SECOND = "Trial users cannot reach a human"
DIRTY = re.compile(r"\bcell-dirty\b")


@pytest.fixture
def audit():
    """Olivia (owner) and Pablo (participant, who may edit too) share an audit with one friction row."""
    olivia = MembershipFactory(user=UserFactory(username="olivia"))
    MembershipFactory(
        user=UserFactory(username="pablo"), organization=olivia.organization, role=Membership.Role.PARTICIPANT
    )
    audit = AuditFactory(flywheel=FlywheelFactory(organization=olivia.organization), title="Annual audit")
    start_audit(audit)
    FrictionPointFactory(audit=audit, source=FIRST)
    return audit


@pytest.fixture
def olivia(page: Page, audit) -> Page:
    open_friction_step(page, audit, "olivia")
    return page


@pytest.fixture
def pablo(new_context, audit) -> Page:
    # A short window, so the page scrolls.
    page = new_context(viewport={"width": 1280, "height": 480}).new_page()
    page.errors = []
    page.on("pageerror", lambda error: page.errors.append(error))
    open_friction_step(page, audit, "pablo")
    # Gone if the page were reloaded: the tables must change without that.
    page.evaluate("window.notReloaded = true")
    return page


def open_friction_step(page: Page, audit, username: str) -> None:
    log_in(page, username)
    page.goto(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"}))
    expect(page.get_by_role("heading", name="Identify the friction", level=1)).to_be_visible()


def add_friction(page: Page, source: str, number: int) -> None:
    form = page.locator("#add-friction")
    form.get_by_label("Source of friction").fill(source)
    form.get_by_role("button", name="Add friction").click()
    expect(page.get_by_label(f"Source of friction, row {number}", exact=True)).to_have_value(source)


def source(number: int) -> str:
    return f"Source of friction, row {number}"


def not_reloaded(page: Page) -> None:
    assert page.evaluate("window.notReloaded") is True
    assert page.errors == []


def test_a_row_added_in_one_browser_shows_in_the_other(olivia: Page, pablo: Page):
    # Pablo looks at the example and starts typing a row of his own, then looks elsewhere.
    pablo.get_by_text("HubSpot's example").click()
    pablo.locator("#add-friction").get_by_label("Source of friction").fill("Onboarding takes a month")
    pablo.evaluate("document.activeElement.blur()")
    scrolled = pablo.evaluate("window.scrollY")
    assert scrolled > 0

    add_friction(olivia, SECOND, 2)

    expect(pablo.get_by_label(source(2), exact=True)).to_have_value(SECOND, timeout=WITHIN_3_S)
    not_reloaded(pablo)
    assert pablo.evaluate("window.scrollY") == scrolled
    # What he typed in the add form is still there, and the example still open.
    expect(pablo.locator("#add-friction").get_by_label("Source of friction")).to_have_value("Onboarding takes a month")
    expect(pablo.locator("details.example")).to_have_attribute("open", "")


def test_a_cell_being_typed_in_keeps_its_text_focus_and_caret(olivia: Page, pablo: Page):
    field = pablo.get_by_label(source(1), exact=True)
    field.focus()
    pablo.keyboard.press("Control+A")
    pablo.keyboard.type("Leads wait a week")
    # The field is never taken out of the page, which would blur it (and stop an input method).
    field.evaluate("field => field.addEventListener('blur', () => { window.blurred = true })")

    add_friction(olivia, SECOND, 2)

    expect(pablo.get_by_label(source(2), exact=True)).to_have_value(SECOND, timeout=WITHIN_3_S)
    not_reloaded(pablo)
    expect(field).to_be_focused()
    expect(field).to_have_value("Leads wait a week")
    expect(cell(pablo, source(1))).to_have_class(DIRTY)
    assert pablo.evaluate("window.blurred") is None
    # The caret is where he left it: he types on, then saves with Enter.
    pablo.keyboard.type(" or more")
    expect(field).to_have_value("Leads wait a week or more")
    pablo.keyboard.press("Enter")
    expect(cell(pablo, source(1))).to_have_class(SAVED)
    assert FrictionPoint.objects.filter(source="Leads wait a week or more").exists()
    # And Olivia, whose cursor waits in her add form, sees his edit.
    expect(olivia.get_by_label(source(1), exact=True)).to_have_value("Leads wait a week or more", timeout=WITHIN_3_S)
    expect(olivia.locator("#add-friction").get_by_label("Source of friction")).to_be_focused()


def test_two_saves_of_one_cell_show_the_conflict_to_the_second(olivia: Page, pablo: Page, audit):
    pablo.get_by_label(source(1), exact=True).focus()
    pablo.keyboard.press("Control+A")
    pablo.keyboard.type("Leads wait for y")

    type_in_cell(olivia, olivia, source(1), "Leads wait for x")
    add_friction(olivia, SECOND, 2)
    # Pablo's page has redrawn meanwhile, around his cell: it still holds what he typed.
    expect(pablo.get_by_label(source(2), exact=True)).to_be_visible(timeout=WITHIN_3_S)
    expect(pablo.get_by_label(source(1), exact=True)).to_have_value("Leads wait for y")

    pablo.keyboard.press("Enter")
    conflict = cell(pablo, source(1)).get_by_role("alert")
    expect(conflict).to_contain_text("Someone else saved “Leads wait for x” here meanwhile.")
    expect(pablo.get_by_label(source(1), exact=True)).to_have_value("Leads wait for y")
    assert audit.friction_points.filter(source="Leads wait for x").exists()

    # The conflict stays through the next redraw, until Pablo settles it.
    add_friction(olivia, "Tickets bounce between teams", 3)
    expect(pablo.get_by_label(source(3), exact=True)).to_be_visible(timeout=WITHIN_3_S)
    not_reloaded(pablo)
    expect(conflict).to_be_visible()
    conflict.get_by_role("button", name="take theirs").click()
    expect(pablo.get_by_label(source(1), exact=True)).to_have_value("Leads wait for x")
    expect(cell(pablo, source(1)).get_by_role("alert")).to_have_count(0)


def delete_row(page: Page, number: int) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=f"Delete friction row {number}").click()
    expect(page.get_by_label(source(number), exact=True)).to_have_count(0)


def test_a_row_deleted_in_one_browser_goes_from_the_other(olivia: Page, pablo: Page):
    expect(pablo.get_by_label(source(1), exact=True)).to_have_value(FIRST)

    delete_row(olivia, 1)

    expect(pablo.get_by_label(source(1), exact=True)).to_have_count(0, timeout=WITHIN_3_S)
    expect(pablo.get_by_text("No friction identified yet.")).to_be_visible()
    not_reloaded(pablo)


def test_a_deleted_row_stays_for_whoever_is_typing_in_it_until_they_leave(olivia: Page, pablo: Page):
    field = pablo.get_by_label(source(1), exact=True)
    field.focus()
    pablo.keyboard.press("Control+End")
    pablo.keyboard.type(", and then some")

    delete_row(olivia, 1)

    row = pablo.locator("tr.row-deleted")
    expect(row.get_by_role("status")).to_have_text(
        "Someone deleted this row. What you typed here is not saved.", timeout=WITHIN_3_S
    )
    expect(pablo.get_by_text("No friction identified yet.")).to_be_visible()
    expect(field).to_be_focused()
    expect(field).to_have_value(f"{FIRST}, and then some")
    not_reloaded(pablo)
    # Escape gives up the change; leaving the cell then lets the row go.
    pablo.keyboard.press("Escape")
    pablo.evaluate("document.activeElement.blur()")
    expect(row).to_have_count(0, timeout=WITHIN_3_S)


def test_the_table_stays_when_the_poll_brings_a_row_added_here_while_a_cell_is_being_typed_in(olivia: Page):
    """The poll's answer appends the rows added since the page's version, the one added here too: the page has
    it already, so it is brought up to date where it is and nothing is appended. That answer must not read as
    the table's deletion: the table stays, and the cell being typed in is saved when it is left."""
    olivia.route(re.compile(r".*/changes/.*"), lambda route: route.abort())  # the page's version stays behind
    add_friction(olivia, SECOND, 2)
    field = olivia.get_by_label("Teams involved, row 2", exact=True)
    field.focus()
    olivia.keyboard.type("Sales")
    expect(cell(olivia, "Teams involved, row 2")).to_have_class(DIRTY)

    olivia.unroute(re.compile(r".*/changes/.*"))
    with olivia.expect_response(re.compile(r".*/changes/.*")) as answer:
        olivia.evaluate("htmx.trigger('#live-poll', 'live-visible')")  # what a tab shown again does
    assert answer.value.status == 200
    expect(olivia.get_by_text("Someone deleted this row.")).to_have_count(0)
    olivia.get_by_role("heading", level=1).click()  # leaving the cell saves it
    expect(cell(olivia, "Teams involved, row 2")).to_have_class(SAVED)

    olivia.wait_for_timeout(100)  # what runs once the save has settled and the cell is left (live.js catchUp)
    expect(olivia.locator("#rows-friction")).to_have_count(1)
    expect(olivia.get_by_label(source(1), exact=True)).to_have_value(FIRST)
    expect(olivia.get_by_label(source(2), exact=True)).to_have_value(SECOND)
    expect(olivia.get_by_label("Teams involved, row 2", exact=True)).to_have_value("Sales")
    assert FrictionPoint.objects.get(source=SECOND).teams == "Sales"
