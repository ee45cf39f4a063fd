"""When a workshop step gets its ✓: the rules of audits/document.progress for forces and the summary."""

import pytest
from django.urls import reverse
from django.utils import translation

from audits.content.document import load, progress
from audits.content.starting import start_audit
from audits.models import Audit, Team

from .factories import AuditFactory, ForceFactory, FrictionPointFactory, TeamFactory


def steps_of(audit: Audit) -> dict:
    return progress(load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk)))


@pytest.fixture
def started(audit) -> Audit:
    """A new audit as the app makes it: three pre-filled, empty teams (Marketing, Sales, Service)."""
    start_audit(audit)
    return audit


def test_a_new_audits_forces_step_is_not_done(started):
    forces = steps_of(started)["forces"]
    assert not forces.complete
    assert forces.note == "No forces yet."


def test_untouched_pre_filled_teams_do_not_hold_the_forces_step_back(started):
    ForceFactory(team=Team.objects.get(audit=started, name="Marketing"))
    forces = steps_of(started)["forces"]
    assert forces.complete
    assert forces.note == "1 of 1 team has listed forces · 2 untouched teams left out"


def test_a_team_people_named_or_added_counts_until_it_lists_forces(started):
    ForceFactory(team=Team.objects.get(audit=started, name="Marketing"))
    Team.objects.filter(audit=started, name="Sales").update(name="Customer success")
    TeamFactory(audit=started, name="Partners")
    forces = steps_of(started)["forces"]
    assert not forces.complete
    assert (forces.done, forces.total) == (1, 3)
    assert forces.note == "1 of 3 teams have listed forces · 1 untouched team left out"


def test_a_persian_audits_pre_filled_teams_are_known_in_persian(flywheel):
    audit = AuditFactory(flywheel=flywheel, language="fa")
    start_audit(audit)
    with translation.override("fa"):
        marketing = Team.objects.get(audit=audit, position=0)
        assert marketing.name != "Marketing"
    ForceFactory(team=marketing)
    assert steps_of(audit)["forces"].complete


@pytest.mark.parametrize(
    ("answers", "complete", "note"),
    [
        # Settled at a step, or answered "No" at all three: decided, so the summary is done.
        (
            (("A chatbot", "", ""), ("No", "No", "No")),
            True,
            "2 of 2 rows fixed or marked still open · 1 row still open",
        ),
        (
            (("No", "A shared goal", ""), ("No", "No", "Merge the teams")),
            True,
            "2 of 2 rows fixed or marked still open",
        ),
        # A row still waiting for an answer keeps it open.
        ((("A chatbot", "", ""), ("No", "", "")), False, "1 of 2 rows fixed or marked still open · 1 row still open"),
        ((("", "", ""),), False, "0 of 1 row fixed or marked still open · 1 row still open"),
    ],
)
def test_the_summary_is_done_when_every_row_is_fixed_or_left_open_on_purpose(audit, answers, complete, note):
    for automation, new_goal, restructure in answers:
        FrictionPointFactory(audit=audit, automation=automation, new_goal=new_goal, restructure=restructure)
    summary = steps_of(audit)["summary"]
    assert summary.complete is complete
    assert summary.note == note


def test_the_summary_of_an_audit_without_friction_is_not_done(audit):
    summary = steps_of(audit)["summary"]
    assert not summary.complete
    assert summary.note == "No friction identified yet."


def test_the_navigator_ticks_the_summary_with_a_row_still_open(owner_client, started):
    FrictionPointFactory(audit=started, automation="No", new_goal="No", restructure="No")
    ForceFactory(team=Team.objects.get(audit=started, name="Sales"))
    html = owner_client.get(reverse("audits:step", args=[started.pk, "summary"])).content.decode()
    navigator = html[html.index('id="panel-navigator"') : html.index("</nav>", html.index('id="panel-navigator"'))]
    ticked = [item for item in navigator.split("<li")[1:] if 'class="step-complete"' in item]
    assert any("/steps/summary/" in item for item in ticked)
    assert any("/steps/forces/" in item for item in ticked)
