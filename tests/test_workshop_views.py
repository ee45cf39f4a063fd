import re
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from audits.content import ideas
from audits.content.demo import DEMO_USERNAME, load_demo
from audits.content.starting import start_audit
from audits.models import Force, FrictionPoint, Membership, Metric, Stage

from .factories import ForceFactory, FrictionPointFactory, MetricFactory, ReadingFactory

Role = Membership.Role
STEPS = ["strategy", "metrics", "forces", "identify", "automate", "goals", "restructure", "summary"]
PAGES = ["overview", *STEPS]
PANELS = ["diagram", "progress", "conversions", "forces-summary"]


def page_url(audit, page: str) -> str:
    if page == "overview":
        return reverse("audits:audit", kwargs={"audit_id": audit.pk})
    return reverse("audits:step", kwargs={"audit_id": audit.pk, "step": page})


def panel_url(audit, name: str) -> str:
    return reverse("audits:panel", kwargs={"audit_id": audit.pk, "name": name})


def ideas_url(audit, force) -> str:
    return reverse("audits:force-ideas", kwargs={"audit_id": audit.pk, "row_id": force.pk})


def without_example(response) -> str:
    """The page without HubSpot's example (shown on every step), so what is left is the audit's own."""
    return re.sub(r'<details class="example">.*?</details>', "", response.content.decode(), flags=re.DOTALL)


def section(html: str, element_id: str) -> str:
    found = re.search(rf'<section id="{element_id}".*?</section>', html, re.DOTALL)
    assert found, f"no section #{element_id}"
    return found.group(0)


@pytest.fixture
def workshop(audit):
    """An audit with a row in every table."""
    start_audit(audit)
    audit.strategies.filter(stage=Stage.ATTRACT).update(approach="Quarterly webinars")
    metric = MetricFactory(audit=audit, name="Trial signups", stage=Stage.ENGAGE)
    ReadingFactory(metric=metric, period_start=date(2025, 1, 1), gained=120, lost=20, total=100)
    force = ForceFactory(team=audit.teams.first(), name="Partner referrals", stage=Stage.ATTRACT)
    FrictionPointFactory(audit=audit, source="Invoices arrive late", automation="Billing reminders")
    return {"audit": audit, "metric": metric, "force": force}


@pytest.fixture
def viewer_client(client, member_factory):
    client.force_login(member_factory(Role.VIEWER))
    return client


# --- Who sees the pages -----------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_every_page_to_a_member(owner_client, workshop, page):
    response = owner_client.get(page_url(workshop["audit"], page))
    assert response.status_code == 200
    assert "Annual audit" in response.content.decode()


@pytest.mark.parametrize("page", ["strategy", "metrics", "forces", "identify", "automate", "summary"])
def test_it_shows_editable_cells_to_an_owner(owner_client, workshop, page):
    response = owner_client.get(page_url(workshop["audit"], page))
    assert 'class="cell' in response.content.decode()


@pytest.mark.parametrize("page", PAGES)
def test_it_shows_a_viewer_no_edit_forms(viewer_client, workshop, page):
    response = viewer_client.get(page_url(workshop["audit"], page))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="cell' not in html
    assert 'class="add-row' not in html
    assert "row-controls" not in html


@pytest.mark.parametrize(
    ("page", "value"),
    [
        ("strategy", "Quarterly webinars"),
        ("metrics", "Trial signups"),
        ("forces", "Partner referrals"),
        ("identify", "Invoices arrive late"),
        ("automate", "Billing reminders"),
        ("summary", "Billing reminders"),
    ],
)
def test_it_shows_a_viewer_the_values(viewer_client, workshop, page, value):
    response = viewer_client.get(page_url(workshop["audit"], page))
    assert value in without_example(response)


def test_it_shows_a_viewer_the_reading_figures(viewer_client, workshop):
    html = without_example(viewer_client.get(page_url(workshop["audit"], "metrics")))
    assert "<td>120</td><td>20</td><td>+100</td><td>100<" in html


@pytest.mark.parametrize("page", PAGES)
def test_it_hides_the_pages_from_an_outsider(client, outsider, workshop, page):
    client.force_login(outsider)
    assert client.get(page_url(workshop["audit"], page)).status_code == 404


@pytest.mark.parametrize("page", PAGES)
def test_it_sends_anonymous_visitors_to_log_in(client, workshop, page):
    url = page_url(workshop["audit"], page)
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


def test_it_hides_a_trashed_audits_pages(owner_client, workshop):
    audit = workshop["audit"]
    audit.deleted_at = timezone.now()
    audit.save(update_fields=["deleted_at"])
    assert owner_client.get(page_url(audit, "identify")).status_code == 404


def test_it_refuses_an_unknown_step(owner_client, audit):
    assert owner_client.get(page_url(audit, "homework")).status_code == 404


def test_it_links_the_steps_in_order(owner_client, audit):
    html = owner_client.get(page_url(audit, "forces")).content.decode()
    assert f'rel="prev" href="{page_url(audit, "metrics")}"' in html
    assert f'rel="next" href="{page_url(audit, "identify")}"' in html
    assert 'aria-current="step"' in html


# --- Panels -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PANELS)
def test_it_renders_a_panel_as_a_fragment(owner_client, workshop, name):
    response = owner_client.get(panel_url(workshop["audit"], name), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.strip().startswith(f'<section id="panel-{name}"')


@pytest.mark.parametrize("name", PANELS)
def test_it_lets_a_viewer_see_a_panel(viewer_client, workshop, name):
    assert viewer_client.get(panel_url(workshop["audit"], name)).status_code == 200


def test_it_refuses_an_unknown_panel(owner_client, audit):
    assert owner_client.get(panel_url(audit, "secrets")).status_code == 404


def test_it_hides_a_panel_from_an_outsider(client, outsider, audit):
    client.force_login(outsider)
    assert client.get(panel_url(audit, "diagram")).status_code == 404


def test_it_shows_the_numbers_in_the_panels(owner_client, workshop):
    audit = workshop["audit"]
    assert "1 of 3 stages have an approach" in owner_client.get(panel_url(audit, "progress")).content.decode()
    diagram = owner_client.get(panel_url(audit, "diagram")).content.decode()
    assert "Trial signups: <strong>100</strong>" in diagram
    summary = owner_client.get(panel_url(audit, "forces-summary")).content.decode()
    assert '<span class="count">1</span> Attract' in summary


# --- The demo: HubSpot's content on the right steps ---------------------------------------------


@pytest.fixture
def demo(client, db):
    audit = load_demo()
    client.force_login(get_user_model().objects.get(username=DEMO_USERNAME))
    return audit


def test_it_shows_the_demos_forces_on_the_forces_step(client, demo):
    force = Force.objects.get(audit=demo, name="Marketing team goals")
    html = without_example(client.get(page_url(demo, "forces")))
    assert f'id="cell-force-{force.pk}-name"' in html
    assert ">Marketing team goals</textarea>" in html
    assert html.count('<section id="team-') == 3


def test_it_shows_the_demos_strategy_and_metrics(client, demo):
    assert "Make buying and selling easy" in without_example(client.get(page_url(demo, "strategy")))
    metrics = without_example(client.get(page_url(demo, "metrics")))
    assert "Product-qualified leads (PQLs)" in metrics
    assert "Illustrative figures, not real data" in metrics


def test_it_shows_the_demos_friction_fixes_on_their_steps(client, demo):
    automate = without_example(client.get(page_url(demo, "automate")))
    assert ">Free products, and a self-purchase path so customers need not talk to sales</textarea>" in automate
    restructure = without_example(client.get(page_url(demo, "restructure")))
    assert ">Merged the two teams so customers reach the right person faster</textarea>" in restructure
    assert "Free products, and a self-purchase path" not in restructure


def test_it_shows_the_demos_summary(client, demo):
    html = without_example(client.get(page_url(demo, "summary")))
    table = section(html, "friction-summary")
    assert table.count("<tr") == 8  # the head and HubSpot's seven rows
    assert "row-open" not in table
    assert "<td>No</td><td>No</td><td>Merged the two teams so customers reach the right person faster</td>" in table


# --- The friction steps -----------------------------------------------------------------------


@pytest.fixture
def friction(audit):
    rows = {
        "Alpha settled by automation": ("Automated reminders", "", ""),
        "Bravo settled by a goal": ("No", "A shared revenue goal", ""),
        "Charlie at restructuring": ("No", "No", ""),
        "Delta not answered": ("", "", ""),
    }
    for position, (source, (automation, new_goal, restructure)) in enumerate(rows.items()):
        FrictionPointFactory(
            audit=audit,
            source=source,
            automation=automation,
            new_goal=new_goal,
            restructure=restructure,
            position=position,
        )
    return audit


def test_it_lists_every_row_at_the_automation_step(owner_client, friction):
    html = section(without_example(owner_client.get(page_url(friction, "automate"))), "friction-step")
    for source in ("Alpha", "Bravo", "Charlie", "Delta"):
        assert source in html


def test_it_lists_at_the_goals_step_only_rows_not_fixed_by_automation(owner_client, friction):
    html = section(without_example(owner_client.get(page_url(friction, "goals"))), "friction-step")
    assert "Alpha" not in html
    assert "Bravo" in html
    assert "Charlie" in html
    assert "Delta" in html
    assert "1 row already settled at an earlier step." in html
    # Delta reached the step without an automation answer.
    assert html.count('class="row-waiting"') == 1


def test_it_lists_at_the_restructure_step_only_rows_fixed_by_neither(owner_client, friction):
    html = section(without_example(owner_client.get(page_url(friction, "restructure"))), "friction-step")
    assert "Alpha" not in html
    assert "Bravo" not in html
    assert "Charlie" in html
    assert "Delta" in html
    assert "2 rows already settled at an earlier step." in html


def test_it_offers_a_no_button_for_each_row_at_a_step(owner_client, friction):
    html = owner_client.get(page_url(friction, "goals")).content.decode()
    assert html.count('class="no-form"') == 3


def test_it_says_when_every_row_was_settled_earlier(owner_client, audit):
    FrictionPointFactory(audit=audit, automation="A fix")
    html = owner_client.get(page_url(audit, "goals")).content.decode()
    assert "Every row was settled at an earlier step: nothing to answer here." in html


def test_it_sends_a_team_without_friction_back_to_step_one(owner_client, audit):
    html = owner_client.get(page_url(audit, "restructure")).content.decode()
    assert "No friction identified yet: start with step 1." in html


def test_it_shows_the_final_table_with_its_nos_and_open_rows(viewer_client, friction):
    html = section(without_example(viewer_client.get(page_url(friction, "summary"))), "friction-summary")
    assert "<td>Automated reminders</td><td></td><td></td>" in html
    assert "<td>No</td><td>A shared revenue goal</td><td></td>" in html
    assert html.count('class="row-open"') == 2
    open_row = re.search(r'<tr class="row-open">.*?</tr>', html, re.DOTALL).group(0)
    assert "Charlie at restructuring" in open_row
    assert "still open" in open_row


def test_it_lists_the_action_items_on_the_summary(viewer_client, friction):
    FrictionPoint.objects.filter(source__startswith="Alpha").update(owner="Dana", due_date=date(2025, 6, 30))
    ForceFactory(team__audit=friction, name="Lead rotation", planned_change="Round robin", owner="Eli")
    ForceFactory(team__audit=friction, name="No plan yet")
    html = section(without_example(viewer_client.get(page_url(friction, "summary"))), "action-items")
    assert re.search(r"<td>Automated reminders</td>\s*<td>Dana</td><td>30 Jun 2025</td>", html)
    assert "A shared revenue goal" in html
    assert "Round robin" in html
    assert "<td>Eli</td>" in html
    assert "Charlie" not in html
    assert "No plan yet" not in html


def test_it_says_when_there_are_no_action_items(owner_client, audit):
    html = owner_client.get(page_url(audit, "summary")).content.decode()
    assert "No fixes or planned changes yet." in html


def test_it_lets_an_editor_set_the_owner_of_a_fix_on_the_summary(owner_client, friction):
    row = FrictionPoint.objects.get(source__startswith="Alpha")
    html = owner_client.get(page_url(friction, "summary")).content.decode()
    assert f'id="cell-friction-{row.pk}-owner"' in html
    assert f'id="cell-friction-{row.pk}-due_date"' in html


# --- Ideas for a force ------------------------------------------------------------------------


def stage_only_idea(stage: str) -> ideas.Idea:
    return next(idea for idea in ideas.IDEAS if idea.stage == stage)


@pytest.fixture
def delight_force(audit):
    return ForceFactory(team__audit=audit, name="Knowledge base", stage=Stage.DELIGHT)


def test_it_shows_ideas_for_the_forces_stage_as_a_fragment(owner_client, audit, delight_force):
    response = owner_client.get(ideas_url(audit, delight_force), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert escape(str(stage_only_idea(Stage.DELIGHT).title)) in html
    assert escape(str(stage_only_idea(Stage.ATTRACT).title)) not in html
    assert "for the delight stage" in html


def test_it_shows_ideas_as_a_page_without_htmx(owner_client, audit, delight_force):
    response = owner_client.get(ideas_url(audit, delight_force))
    html = response.content.decode()
    assert "<html" in html
    assert "Ideas for “Knowledge base”" in html
    assert escape(str(stage_only_idea(Stage.DELIGHT).title)) in html


def test_it_shows_every_idea_for_a_force_without_a_stage(owner_client, audit):
    force = ForceFactory(team__audit=audit, stage="")
    html = owner_client.get(ideas_url(audit, force), headers={"HX-Request": "true"}).content.decode()
    assert html.count('class="idea-button"') == len(ideas.IDEAS)


def test_it_hides_ideas_from_a_viewer_and_an_outsider(client, member_factory, outsider, audit, delight_force):
    client.force_login(member_factory(Role.VIEWER))
    assert client.get(ideas_url(audit, delight_force)).status_code == 403
    client.force_login(outsider)
    assert client.get(ideas_url(audit, delight_force)).status_code == 404


def test_it_refuses_ideas_for_a_force_of_another_audit(owner_client, flywheel, delight_force):
    other = flywheel.audits.create(title="Other", period_year=2024)
    assert owner_client.get(ideas_url(other, delight_force)).status_code == 404


def test_it_makes_a_chosen_idea_the_planned_change(owner_client, audit, delight_force):
    html = owner_client.get(ideas_url(audit, delight_force), headers={"HX-Request": "true"}).content.decode()
    idea = stage_only_idea(Stage.DELIGHT)
    chosen = f"{idea.title}: {idea.description}"
    assert f'name="value" value="{escape(chosen)}"' in html
    response = owner_client.post(
        reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": "force", "row_id": delight_force.pk}),
        {"field": "planned_change", "original": "", "value": chosen},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'class="cell cell-saved"' in response.content.decode()
    delight_force.refresh_from_db()
    assert delight_force.planned_change == chosen


def test_it_keeps_metrics_of_other_kinds_out_of_the_conversions(owner_client, workshop):
    MetricFactory(audit=workshop["audit"], name="Satisfaction", kind=Metric.Kind.NPS, stage=Stage.DELIGHT)
    html = owner_client.get(panel_url(workshop["audit"], "conversions")).content.decode()
    assert "Add at least two bucket metrics" in html
