"""The foundation, end to end in Chromium: accounts, flywheels, audits, the trash, and isolation."""

import re

from django.core import mail
from playwright.sync_api import Page, expect

from ..factories import PASSWORD, UserFactory


def sign_up(page: Page, username: str, organization: str) -> None:
    page.goto("/accounts/signup/")
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Organization").fill(organization)
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your e-mail")).to_be_visible()
    expect(page.locator("main")).to_contain_text(f"We sent a message to {username}@example.com.")
    # The live server runs in this process: its e-mails are in Django's test outbox.
    [message] = [message for message in mail.outbox if message.to == [f"{username}@example.com"]]
    page.goto(re.search(r"https?://\S+/accounts/signup/confirm/\?token=\S+", message.body).group(0))
    expect(page.get_by_role("heading", name=f"Flywheels of {organization}")).to_be_visible()


def test_it_signs_up_and_manages_a_flywheel_and_an_audit(page: Page, new_context):
    sign_up(page, "olivia", "Acme")
    expect(page).to_have_url("/flywheels/")
    expect(page.get_by_role("status")).to_contain_text("Welcome to Flywheel Audit. You are in Acme.")

    page.get_by_role("link", name="New flywheel").click()
    page.get_by_label("Name").fill("Self-serve")
    page.get_by_label("Description").fill("The product-led motion.")
    page.get_by_role("button", name="Create flywheel").click()
    expect(page.get_by_role("heading", name="Self-serve", exact=True)).to_be_visible()
    expect(page.get_by_text("No audits yet.")).to_be_visible()
    flywheel_url = page.url

    page.get_by_role("link", name="New audit").click()
    expect(page.get_by_role("heading", name="New audit of Self-serve")).to_be_visible()
    page.get_by_label("Title").fill("Annual audit")
    page.get_by_label("Year").fill("2025")
    page.get_by_role("button", name="Create audit").click()
    expect(page.get_by_role("heading", name="Annual audit", exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/audits/\d+/$"))
    audit_url = page.url

    # Back to the flywheel through the breadcrumbs: the audit is listed with its year.
    page.get_by_role("navigation", name="Breadcrumbs").get_by_role("link", name="Self-serve").click()
    audit_row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Annual audit"))
    expect(audit_row).to_contain_text("2025")

    page.get_by_role("link", name="Rename").click()
    page.get_by_label("Name").fill("Self-serve EMEA")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="Self-serve EMEA")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Flywheel saved.")

    # Delete the audit through its confirmation page, find it in the trash, restore it.
    page.get_by_role("link", name="Annual audit").click()
    page.get_by_role("link", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete “Annual audit (2025)”?")).to_be_visible()
    page.get_by_role("button", name="Move to trash").click()
    expect(page).to_have_url(flywheel_url)
    expect(page.get_by_role("status")).to_contain_text("Audit “Annual audit” moved to the trash.")
    expect(page.get_by_role("link", name="Annual audit")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Trash").click()
    trashed_row = page.get_by_role("row").filter(has_text="Annual audit (2025)")
    expect(trashed_row).to_contain_text("Self-serve EMEA")
    trashed_row.get_by_role("button", name="Restore Annual audit").click()
    expect(page).to_have_url(audit_url)
    expect(page.get_by_role("heading", name="Annual audit", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Audit “Annual audit” restored.")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.goto(audit_url)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))

    # A second user, in a browser context of their own, signs up with another organization.
    mallory = new_context().new_page()
    sign_up(mallory, "mallory", "Umbrella")
    for url in (audit_url, flywheel_url):
        response = mallory.goto(url)
        assert response.status == 404
        expect(mallory.get_by_role("heading", name="Page not found")).to_be_visible()
        expect(mallory.locator("body")).not_to_contain_text("Annual audit")
        expect(mallory.locator("body")).not_to_contain_text("Self-serve")


def test_it_shows_the_lockout_page_after_five_wrong_passwords(page: Page):
    user = UserFactory(username="olivia")
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    for _ in range(4):
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill("not-the-password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text("Please enter a correct username and password.")

    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Too many failed log-in attempts")).to_be_visible()

    # Locked out: even the right password is refused until the cool-off time has passed.
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_contain_text("paused for")
