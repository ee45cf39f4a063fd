"""The compare page: two audits of a flywheel side by side."""

import re
from datetime import date

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from audits.content.demo import load_demo
from audits.models import Audit, Membership, Metric

from .factories import (
    AuditFactory,
    FlywheelFactory,
    ForceFactory,
    FrictionPointFactory,
    MetricFactory,
    ReadingFactory,
    TeamFactory,
)

Role = Membership.Role


def url(flywheel, **query) -> str:
    address = reverse("audits:compare", kwargs={"flywheel_id": flywheel.pk})
    return address + ("?" + "&".join(f"{name}={value}" for name, value in query.items()) if query else "")


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def yearly_total(audit, name, total, **fields):
    metric = MetricFactory(audit=audit, name=name, period=Metric.Period.YEAR, **fields)
    ReadingFactory(metric=metric, period_start=date(audit.period_year, 1, 1), gained=total, total=total)
    return metric


@pytest.fixture
def demo_client(db, client):
    first = load_demo()
    client.force_login(first.flywheel.organization.memberships.get().user)
    return client, first, Audit.objects.get(carried_from=first)


@pytest.fixture
def three_years(flywheel):
    # Created out of order: the default pair goes by year, not by creation.
    middle = AuditFactory(flywheel=flywheel, title="Middle", period_year=2018)
    latest = AuditFactory(flywheel=flywheel, title="Latest", period_year=2019)
    first = AuditFactory(flywheel=flywheel, title="First", period_year=2017)
    return first, middle, latest


def test_it_compares_the_latest_audit_with_the_one_before_by_default(owner_client, flywheel, three_years):
    _first, middle, latest = three_years
    response = owner_client.get(url(flywheel))
    assert response.status_code == 200
    assert (response.context["before"], response.context["after"]) == (middle, latest)
    assert re.search(rf'<option value="{middle.pk}" selected>Middle \(2018\)</option>', response.content.decode())


def test_it_compares_the_pair_asked_for(owner_client, flywheel, three_years):
    first, _middle, latest = three_years
    response = owner_client.get(url(flywheel, before=first.pk, after=latest.pk))
    assert response.status_code == 200
    assert (response.context["before"], response.context["after"]) == (first, latest)
    assert "First (2017)" in response.content.decode()


def test_it_gives_404_for_another_organizations_audit(owner_client, flywheel, three_years, outsider):
    theirs = Audit.objects.get(flywheel__organization=outsider.memberships.get().organization)
    ours = three_years[2]
    assert owner_client.get(url(flywheel, before=theirs.pk, after=ours.pk)).status_code == 404
    assert owner_client.get(url(flywheel, before=ours.pk, after=theirs.pk)).status_code == 404


def test_it_gives_404_for_another_organizations_flywheel(client, outsider, flywheel, three_years):
    client.force_login(outsider)
    assert client.get(url(flywheel)).status_code == 404


def test_it_gives_404_for_an_audit_in_the_trash(owner_client, flywheel, three_years):
    first, _middle, latest = three_years
    Audit.objects.filter(pk=first.pk).update(deleted_at=timezone.now())
    assert owner_client.get(url(flywheel, before=first.pk, after=latest.pk)).status_code == 404


def test_it_refuses_to_compare_an_audit_with_itself(owner_client, flywheel, three_years):
    latest = three_years[2]
    response = owner_client.get(url(flywheel, before=latest.pk, after=latest.pk))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Choose two different audits" in html
    assert '<select name="before"' in html and '<select name="after"' in html
    assert "comparison" not in response.context


def test_it_refuses_what_is_not_an_audit_id(owner_client, flywheel, three_years):
    response = owner_client.get(url(flywheel, before="x", after=three_years[2].pk))
    assert response.status_code == 422
    assert "Enter a whole number." in response.content.decode()


def test_it_warns_when_the_audits_are_of_different_flywheels(owner_client, organization, flywheel, three_years):
    other = AuditFactory(flywheel=FlywheelFactory(organization=organization, name="Enterprise"), period_year=2019)
    response = owner_client.get(url(flywheel, before=three_years[1].pk, after=other.pk))
    assert response.status_code == 200
    text = text_of(response)
    assert "Different flywheels: compare with care." in text
    assert "These audits are of different flywheels: Self-serve and Enterprise." in text
    # The other flywheel's audits are offered too, grouped by flywheel.
    assert '<optgroup label="Enterprise">' in response.content.decode()
    assert '<optgroup label="Self-serve (this flywheel)">' in response.content.decode()


def test_it_shows_no_warning_for_audits_of_the_same_flywheel(owner_client, flywheel, three_years):
    assert "Different flywheels" not in owner_client.get(url(flywheel)).content.decode()


def test_it_explains_that_one_audit_is_not_enough(owner_client, flywheel, audit):
    response = owner_client.get(url(flywheel))
    assert response.status_code == 200
    html = response.content.decode()
    assert "One audit so far" in html
    assert reverse("audits:audit-carry-forward", kwargs={"audit_id": audit.pk}) in html


def test_it_explains_that_there_are_no_audits_yet(owner_client, flywheel):
    response = owner_client.get(url(flywheel))
    assert response.status_code == 200
    assert "No audits yet" in response.content.decode()
    assert reverse("audits:audit-create", kwargs={"flywheel_id": flywheel.pk}) in response.content.decode()


def test_it_offers_a_viewer_no_button_to_start_an_audit(client, member_factory, flywheel, audit):
    client.force_login(member_factory(Role.VIEWER))
    html = client.get(url(flywheel)).content.decode()
    assert "One audit so far" in html
    assert "carry-forward" not in html


def test_it_requires_logging_in(client, flywheel):
    response = client.get(url(flywheel))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_rejects_post(owner_client, flywheel, three_years):
    assert owner_client.post(url(flywheel)).status_code == 405


def test_it_shows_the_demos_metrics_better_than_last_year(demo_client):
    client, first, second = demo_client
    response = client.get(url(first.flywheel))
    assert (response.context["before"], response.context["after"]) == (first, second)
    html = response.content.decode()
    row = re.search(r"Website visitors.*?</tr>", html, re.DOTALL).group()
    assert "12,396,445" in row and "20,142,056" in row and "+7,745,611" in row and "+62.5%" in row
    assert '<span class="direction direction-better"><span aria-hidden="true">▲</span> better</span>' in row
    assert "NPS" in text_of(response) and "+7 points" in html


def test_it_shows_conversion_changes_in_percentage_points(demo_client):
    client, first, _second = demo_client
    html = client.get(url(first.flywheel)).content.decode()
    row = re.search(r"Website visitors → Free users.*?</tr>", html, re.DOTALL).group()
    assert "1.9%" in row and "0.0 pp" in row
    # A change too small to show is "same", not "worse".
    assert "direction-same" in row


def test_it_matches_the_demos_rows_through_the_carry_forward_link(demo_client):
    client, first, _second = demo_client
    response = client.get(url(first.flywheel))
    assert "was carried forward from" in text_of(response)
    assert all(change.matched_by == "link" for change in response.context["comparison"].metrics)
    assert "matched by text" not in response.content.decode()


def test_it_shows_the_forces_whose_now_changed(demo_client):
    client, first, _second = demo_client
    html = client.get(url(first.flywheel)).content.decode()
    forces = html[html.index('id="forces"') : html.index('id="friction"')]
    row = re.search(r"Review-site strategy.*?Now</td>(.*?)</tr>", forces, re.DOTALL).group(1)
    assert "A dedicated effort to get HubSpot reviewed on third-party software review sites" in row
    assert "Ask promoters for a review right after a positive NPS answer" in row


def test_it_shows_resolved_and_new_friction(demo_client):
    client, first, _second = demo_client
    html = client.get(url(first.flywheel)).content.decode()
    resolved = html[html.index('id="friction-resolved"') : html.index('id="friction-still_open"')]
    new = html[html.index('id="friction-new"') : html.index("How friction was settled")]
    assert "More leads does not mean better leads" in resolved
    assert "Settled by a new goal" in resolved
    assert "The vague value of marketing-qualified leads led to inconsistent sales follow-up" in new
    assert "Decentralized customer communication meant customers got too many emails" in new


def test_it_shows_the_mix_of_fixes_per_year(demo_client):
    client, first, _second = demo_client
    html = client.get(url(first.flywheel)).content.decode()
    mix = html[html.index("How friction was settled") : html.index('id="strategy"')]
    cells = re.findall(
        r'<th scope="row">(?:<span[^>]*></span> )?([\w ]+)</th>'
        r'<td class="number">(\d+)</td><td class="number">(\d+)</td>',
        mix,
    )
    assert cells == [
        ("Automation", "2", "0"),
        ("New goal", "2", "1"),
        ("Restructuring", "3", "0"),
        ("Open", "0", "1"),
        ("Total", "7", "2"),
    ]
    assert '<rect class="segment segment-restructure"' in mix
    assert "style=" not in mix  # the Content-Security-Policy forbids style attributes


def test_it_marks_rows_matched_by_text_and_lists_unmatched_metrics(owner_client, flywheel):
    before = AuditFactory(flywheel=flywheel, period_year=2018)
    after = AuditFactory(flywheel=flywheel, period_year=2019)
    yearly_total(before, "Visitors", 100)
    yearly_total(after, "visitors", 150)
    yearly_total(before, "Leads", 10)
    yearly_total(after, "Signups", 20, stage="engage")
    response = owner_client.get(url(flywheel))
    html = response.content.decode()
    visitors = re.search(r"visitors.*?</tr>", html, re.DOTALL).group()
    assert "matched by text" in visitors and "+50" in visitors and "better" in visitors
    unmatched = html[html.index("In one audit only") :]
    assert "Leads" in unmatched and "Signups" in unmatched


def test_it_calls_a_rise_worse_when_lower_is_better(owner_client, flywheel):
    before = AuditFactory(flywheel=flywheel, period_year=2018)
    after = AuditFactory(flywheel=flywheel, period_year=2019)
    yearly_total(before, "Churned customers", 10, higher_is_better=False)
    yearly_total(after, "Churned customers", 12, higher_is_better=False)
    row = re.search(r"Churned customers.*?</tr>", owner_client.get(url(flywheel)).content.decode(), re.DOTALL).group()
    assert '<span class="direction direction-worse"><span aria-hidden="true">▲</span> worse</span>' in row


def test_it_shows_last_years_plan_against_now(owner_client, flywheel):
    before = AuditFactory(flywheel=flywheel, period_year=2018)
    after = AuditFactory(flywheel=flywheel, period_year=2019)
    ForceFactory(team=TeamFactory(audit=before, name="Sales"), name="Quota", now="Per rep", planned_change="Per team")
    ForceFactory(
        team=TeamFactory(audit=after, name="Sales"), name="Quota", before="Per rep", now="Per team", target="Per team"
    )
    ForceFactory(team=TeamFactory(audit=after, name="Service"), name="Chat")
    text = text_of(owner_client.get(url(flywheel)))
    assert "Last year's plan vs now Planned: Per team Now: Per team" in text
    assert "Service new team" in text and "New forces Chat" in text


def test_it_lists_still_open_and_dropped_friction(owner_client, flywheel):
    before = AuditFactory(flywheel=flywheel, period_year=2018)
    after = AuditFactory(flywheel=flywheel, period_year=2019)
    FrictionPointFactory(audit=before, source="Slow onboarding")
    FrictionPointFactory(audit=after, source="Slow onboarding")
    FrictionPointFactory(audit=before, source="Forgotten")
    html = owner_client.get(url(flywheel)).content.decode()
    still_open = html[html.index('id="friction-still_open"') : html.index('id="friction-new"')]
    dropped = html[html.index('id="friction-dropped"') : html.index("How friction was settled")]
    assert "Slow onboarding" in still_open
    assert "Forgotten" in dropped


def test_it_links_the_downloads_when_the_export_view_exists(owner_client, flywheel, three_years, monkeypatch):
    _first, middle, latest = three_years
    try:
        reverse("audits:compare-export", args=(flywheel.pk, "json"))
    except NoReverseMatch:
        monkeypatch.setattr(
            "audits.views.compare.reverse", lambda name, args: f"/flywheels/{args[0]}/compare/export/{args[1]}/"
        )
    html = owner_client.get(url(flywheel)).content.decode()
    assert f"json/?before={middle.pk}&amp;after={latest.pk}" in html


def test_it_leaves_the_downloads_out_while_the_export_view_does_not_exist(
    owner_client, flywheel, three_years, monkeypatch
):
    def missing(*args, **kwargs):
        raise NoReverseMatch("audits:compare-export")

    monkeypatch.setattr("audits.views.compare.reverse", missing)
    response = owner_client.get(url(flywheel))
    assert response.status_code == 200
    assert response.context["exports"] == []
    assert "Comparison deck" not in response.content.decode()


def test_it_escapes_what_people_typed(owner_client, organization, flywheel):
    attack = "<script>alert(1)</script>"
    before = AuditFactory(flywheel=flywheel, title=f"Before {attack}", period_year=2018)
    after = AuditFactory(flywheel=FlywheelFactory(organization=organization, name=f"Other {attack}"), title=attack)
    yearly_total(before, f"Visitors {attack}", 1)
    yearly_total(after, f"Visitors {attack}", 2)
    ForceFactory(team=TeamFactory(audit=after, name=attack), name=attack, now=attack)
    FrictionPointFactory(audit=after, source=attack)
    response = owner_client.get(url(flywheel, before=before.pk, after=after.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert attack not in html
    assert escape(f"Visitors {attack}") in html and escape(f"Other {attack}") in html


def test_the_flywheel_page_links_history_and_compare(owner_client, flywheel, audit):
    html = owner_client.get(flywheel.get_absolute_url()).content.decode()
    assert f'href="{url(flywheel)}"' in html
    assert f'href="{reverse("audits:history", kwargs={"flywheel_id": flywheel.pk})}"' in html


def test_an_audit_carried_forward_links_the_comparison_with_the_previous_one(demo_client):
    client, first, second = demo_client
    html = client.get(second.get_absolute_url()).content.decode()
    assert f"{url(first.flywheel)}?before={first.pk}&amp;after={second.pk}" in html
    assert "Compare with the previous audit" not in client.get(first.get_absolute_url()).content.decode()
