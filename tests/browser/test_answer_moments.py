"""An answer drawn after the version it brings a page to, in Chromium (js/morph.js).

A poll's answer brings a page to the version of its moment (audits/live/answers.answer_version) but is
drawn as the audit is when it is drawn: a row added just after that version may come both in this
answer's redrawn table and, as an added row, in the next. The page must show it once, up to date.
"""

from django.urls import reverse
from playwright.sync_api import expect

from audits.content.starting import start_audit
from audits.models import Membership

from ..factories import AuditFactory, FlywheelFactory, FrictionPointFactory, MembershipFactory, UserFactory
from .test_requests_on_change import logged_in_page


def test_a_row_the_page_already_has_is_brought_up_to_date_not_added_twice(new_context, live_server):
    owner = MembershipFactory(user=UserFactory(username="olivia"), role=Membership.Role.OWNER)
    audit = AuditFactory(flywheel=FlywheelFactory(organization=owner.organization))
    start_audit(audit)
    row = FrictionPointFactory(audit=audit, source="Leads go cold")
    page = logged_in_page(new_context, live_server, owner.user)
    page.goto(live_server.url + reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"}))
    dom_id = f"friction-row-{row.pk}"
    expect(page.locator(f"#{dom_id}")).to_have_count(1)
    fresher = page.evaluate(
        """id => {
            const row = document.getElementById(id).cloneNode(true);
            row.querySelector("textarea[name=value]").textContent = "Leads go cold for days";
            return row.outerHTML;
        }""",
        dom_id,
    )
    # What a poll's answer holds for a row added since its version, as htmx gets it (answers._added).
    answer = f'<template><tbody hx-swap-oob="beforeend:#rows-friction">{fresher}</tbody></template>'
    page.evaluate(
        """html => htmx.swap("#live-poll", '<div id="live-poll"></div>' + html, {swapStyle: "outerHTML"})""",
        answer,
    )
    expect(page.locator(f"#{dom_id}")).to_have_count(1)
    expect(page.locator(f"#{dom_id} [name=value]").first).to_have_value("Leads go cold for days")
