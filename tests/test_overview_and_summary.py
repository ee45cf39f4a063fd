"""The overview's actions (the workshop first, next year's audit only when it makes sense) and the summary's
links: the downloads, last year's audit to compare with, the overview."""

import re

import pytest
from django.urls import reverse

from audits.content.carry import carry_forward
from audits.content.starting import start_audit
from audits.models import Audit, Membership, SelfAssessment, StageStrategy

from .factories import AuditFactory, FrictionPointFactory

Role = Membership.Role


@pytest.fixture
def new_audit(audit) -> Audit:
    """A brand-new audit: only the empty rows every audit starts with."""
    start_audit(audit)
    return audit


@pytest.fixture
def filled(new_audit) -> Audit:
    StageStrategy.objects.filter(audit=new_audit, stage="attract").update(principle="Give value first")
    FrictionPointFactory(audit=new_audit, source="Leads wait days for a reply", automation="No", new_goal="No")
    SelfAssessment.objects.filter(audit=new_audit, question="same_job").update(answer="yes", notes="Two chat teams")
    return new_audit


def main_of(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html[html.index('id="workshop-main"') : html.index('<aside class="workshop-aside"')]


def buttons(html: str) -> list[str]:
    """The text of every button and button-styled link, in page order."""
    found = re.findall(r'<(?:a|button)\b[^>]*class="[^"]*\bbutton\b[^"]*"[^>]*>(.*?)</(?:a|button)>', html, re.S)
    return [" ".join(re.sub(r"<[^>]+>", "", text).split()) for text in found]


def test_a_new_audit_leads_with_the_workshop_and_offers_no_next_audit(owner_client, new_audit):
    html = main_of(owner_client, new_audit.get_absolute_url())
    assert buttons(html)[:4] == ["Start the workshop →", "Activity", "Edit details", "Delete"]
    assert reverse("audits:audit-carry-forward", args=[new_audit.pk]) not in html
    assert 'id="next-year"' not in html


def test_an_audit_with_content_offers_next_years_audit_apart_from_delete(owner_client, filled):
    html = main_of(owner_client, filled.get_absolute_url())
    labels = buttons(html)
    assert labels[:4] == ["Continue the workshop →", "Activity", "Edit details", "Delete"]
    assert "Start next audit from this one" in labels
    assert labels.index("Start next audit from this one") > labels.index("JSON backup")
    next_year = html[html.index('id="next-year"') :]
    assert reverse("audits:audit-carry-forward", args=[filled.pk]) in next_year
    assert "Next year: 2026" in next_year


def test_a_viewer_is_not_offered_next_years_audit(client, member_factory, filled):
    client.force_login(member_factory(Role.VIEWER))
    html = main_of(client, filled.get_absolute_url())
    assert buttons(html)[0] == "Continue the workshop →"
    assert "Delete" not in buttons(html)
    assert 'id="next-year"' not in html


def test_the_summary_links_the_downloads_and_the_overview(owner_client, filled):
    html = main_of(owner_client, reverse("audits:step", args=[filled.pk, "summary"]))
    share = html[html.index('id="share"') :]
    for file_format in ("pptx", "xlsx", "json"):
        assert f'href="{reverse("audits:audit-export", args=[filled.pk, file_format])}" download' in share
    assert f'<a href="{filled.get_absolute_url()}">Back to the overview</a>' in share
    assert "Compare with" not in share  # no audit before this one
    assert '<a href="#share">Share it</a>' in html


def test_the_summary_shows_the_strategy_map_and_the_self_assessment(owner_client, filled):
    html = main_of(owner_client, reverse("audits:step", args=[filled.pk, "summary"]))
    strategy = html[html.index('id="strategy-map"') : html.index('id="key-numbers"')]
    assert '<th scope="row">Attract</th><td>Give value first</td>' in strategy
    assessment = html[html.index('id="summary-self-assessment"') : html.index('id="share"')]
    assert (
        "Do people who do the same job sit in different departments?</th><td>Yes</td><td>Two chat teams" in assessment
    )


def test_the_summary_compares_with_last_years_audit_and_links_the_history(owner_client, filled, flywheel):
    AuditFactory(flywheel=flywheel, period_year=2023)
    last_year = AuditFactory(flywheel=flywheel, period_year=2024)
    html = main_of(owner_client, reverse("audits:step", args=[filled.pk, "summary"]))
    compare = reverse("audits:compare", args=[flywheel.pk])
    assert f'href="{compare}?before={last_year.pk}&amp;after={filled.pk}">Compare with 2024</a>' in html
    assert f'href="{reverse("audits:history", args=[flywheel.pk])}"' in html


def test_the_summary_leads_on_to_next_years_audit_once_there_is_one(owner_client, filled):
    new = carry_forward(Audit.objects.select_related("flywheel__organization").get(pk=filled.pk))
    html = main_of(owner_client, reverse("audits:step", args=[filled.pk, "summary"]))
    assert f'<a href="{new.get_absolute_url()}">Go on to 2026</a>' in html
    # And next year's summary compares with this one.
    html = main_of(owner_client, reverse("audits:step", args=[new.pk, "summary"]))
    assert f"?before={filled.pk}&amp;after={new.pk}" in html
