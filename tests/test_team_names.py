"""One forces table per team: a team named like another of the audit (case and spacing aside) is refused."""

import pytest
from django.urls import reverse

from audits.content.starting import start_audit
from audits.content.tables import TeamForm, same_name
from audits.models import Team

HTMX = {"HX-Request": "true"}
MESSAGE = "This audit already has a team called “Customer Success”: add its forces there, or choose another name."


@pytest.fixture
def teams(audit) -> dict[str, Team]:
    """Marketing, Sales, Service (pre-filled) and Customer Success."""
    start_audit(audit)
    Team.objects.create(audit=audit, name="Customer Success", position=3)
    return {team.name: team for team in Team.objects.filter(audit=audit)}


@pytest.mark.parametrize("typed", ["Customer Success", "customer success", "  Customer   SUCCESS "])
def test_a_new_team_named_like_an_existing_one_is_refused(audit, teams, typed):
    form = TeamForm({"name": typed}, instance=Team(audit=audit))
    assert not form.is_valid()
    assert form.errors["name"] == [MESSAGE]


def test_names_are_compared_without_case_or_spacing():
    assert same_name(" Customer\u00a0 success ") == same_name("customer success")
    assert same_name("Customer success") != same_name("Customer successes")


def test_another_audits_team_of_that_name_is_no_obstacle(audit, teams, flywheel):
    from .factories import AuditFactory

    other = AuditFactory(flywheel=flywheel)
    assert TeamForm({"name": "Customer Success"}, instance=Team(audit=other)).is_valid()


def test_it_refuses_adding_the_team_with_the_message_beside_the_name(owner_client, audit, teams, field_errors):
    url = reverse("audits:row-add", args=[audit.pk, "team"])
    response = owner_client.post(url, {"team-name": "customer success"}, headers=HTMX)
    assert response.status_code == 422
    assert field_errors(response, "team-name") == [MESSAGE]
    assert 'value="customer success"' in response.content.decode()  # what was typed stays
    assert Team.objects.filter(audit=audit).count() == 4


def test_it_refuses_renaming_a_team_to_another_teams_name(owner_client, audit, teams):
    sales = teams["Sales"]
    url = reverse("audits:row-cell", args=[audit.pk, "team", sales.pk])
    data = {"field": "name", "value": "CUSTOMER SUCCESS", "original": "Sales"}
    response = owner_client.post(url, data, headers=HTMX)
    assert response.status_code == 422
    assert MESSAGE in response.content.decode()
    sales.refresh_from_db()
    assert sales.name == "Sales"


def test_a_team_may_change_the_case_of_its_own_name(owner_client, audit, teams):
    team = teams["Customer Success"]
    url = reverse("audits:row-cell", args=[audit.pk, "team", team.pk])
    data = {"field": "name", "value": "Customer success", "original": "Customer Success"}
    assert owner_client.post(url, data, headers=HTMX).status_code == 200
    team.refresh_from_db()
    assert team.name == "Customer success"


def test_two_teams_named_alike_from_before_can_still_be_renamed_apart(owner_client, audit, teams):
    twin = Team.objects.create(audit=audit, name="customer success", position=4)
    url = reverse("audits:row-cell", args=[audit.pk, "team", twin.pk])
    data = {"field": "name", "value": "Customer care", "original": "customer success"}
    assert owner_client.post(url, data, headers=HTMX).status_code == 200
    twin.refresh_from_db()
    assert twin.name == "Customer care"
