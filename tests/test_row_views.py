from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils.html import escape

from audits.content import editing
from audits.content.starting import start_audit
from audits.models import Audit, Force, FrictionPoint, Membership, Metric, Reading, Stage, Team
from audits.views import rows as row_views

from .factories import AuditFactory, ForceFactory, FrictionPointFactory, MetricFactory, ReadingFactory

Role = Membership.Role
HTMX = {"HX-Request": "true"}


def cell_url(audit, kind: str, row) -> str:
    return reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})


def add_url(audit, kind: str) -> str:
    return reverse("audits:row-add", kwargs={"audit_id": audit.pk, "kind": kind})


def delete_url(audit, kind: str, row) -> str:
    return reverse("audits:row-delete", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})


def move_url(audit, kind: str, row) -> str:
    return reverse("audits:row-move", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})


def step_url(audit, step: str) -> str:
    return reverse("audits:step", kwargs={"audit_id": audit.pk, "step": step})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def content_version(audit) -> int:
    return Audit.objects.values_list("content_version", flat=True).get(pk=audit.pk)


@pytest.fixture
def workshop(audit):
    start_audit(audit)
    return audit


@pytest.fixture
def friction(workshop):
    return FrictionPointFactory(audit=workshop, source="Leads go cold", teams="Sales")


@pytest.fixture
def team(workshop):
    return workshop.teams.get(name="Marketing")


@pytest.fixture
def force(team):
    return ForceFactory(team=team, name="Live chat")


@pytest.fixture
def metric(workshop):
    return MetricFactory(audit=workshop, name="Visitors", stage=Stage.ATTRACT)


@pytest.fixture
def february(metric):
    ReadingFactory(metric=metric, period_start=date(2018, 1, 1), total=100)
    return ReadingFactory(metric=metric, period_start=date(2018, 2, 1), gained=10)


def save(client, audit, kind, row, field, value, original, htmx=True, extra=None):
    data = {"field": field, "value": value, "original": original, **(extra or {})}
    return client.post(cell_url(audit, kind, row), data, headers=HTMX if htmx else {})


# --- Saving a cell ----------------------------------------------------------------------------


def test_it_saves_a_cell(owner_client, workshop, friction):
    response = save(owner_client, workshop, "friction", friction, "teams", "Sales, Service", "Sales")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="cell cell-saved"' in html
    assert f'id="cell-friction-{friction.pk}-teams-form"' in html
    assert 'value="Sales, Service"' in html
    assert "<html" not in html
    assert "audit-changed" in response.headers["HX-Trigger"]
    friction.refresh_from_db()
    assert friction.teams == "Sales, Service"
    assert friction.version == 2
    assert content_version(workshop) == 1


def test_it_answers_a_reading_save_with_its_computed_net_change(owner_client, workshop, february):
    response = save(owner_client, workshop, "reading", february, "lost", "4", "")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="reading-{february.pk}-computed"' in html
    assert 'hx-swap-oob="true"' in html
    assert "+6" in html


def test_it_saves_a_choice(owner_client, workshop, force):
    response = save(owner_client, workshop, "force", force, "stage", "delight", "")
    assert response.status_code == 200
    assert '<option value="delight" selected>' in response.content.decode()
    force.refresh_from_db()
    assert force.stage == "delight"


def test_it_stores_a_typed_no_as_no(owner_client, workshop, friction):
    save(owner_client, workshop, "friction", friction, "automation", " no. ", "")
    friction.refresh_from_db()
    assert friction.automation == "No"


INVALID = [
    ("reading", "gained", "-5", "Ensure this value is greater than or equal to 0."),
    ("reading", "promoters", "3.5", "Enter a whole number."),
    ("reading", "lost", "111", "Lost (111) is more than the previous total (100) plus gained (10)."),
    ("friction", "teams", "t" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ("friction", "due_date", "next week", "Enter a valid date."),
    ("metric", "name", "m" * 201, "Ensure this value has at most 200 characters (it has 201)."),
    ("metric", "name", "", "This field is required."),
    ("metric", "name", "   ", "This field is required."),
    ("metric", "period", "fortnight", "Select a valid choice. fortnight is not one of the available choices."),
    ("force", "name", "", "This field is required."),
]


@pytest.fixture
def rows(friction, force, metric, february):
    return {"friction": friction, "force": force, "metric": metric, "reading": february}


@pytest.mark.parametrize(("kind", "field", "typed", "message"), INVALID)
def test_it_refuses_an_invalid_cell_and_keeps_the_typed_text(owner_client, workshop, rows, kind, field, typed, message):
    row = rows[kind]
    original = "" if getattr(row, field) is None else str(getattr(row, field))
    response = save(owner_client, workshop, kind, row, field, typed, original)
    html = response.content.decode()
    assert response.status_code == 422
    assert escape(message) in html
    assert 'class="cell cell-invalid"' in html
    assert 'aria-invalid="true"' in html
    if typed.strip():
        assert typed in html
    assert "HX-Trigger" not in response.headers


@pytest.mark.parametrize(("kind", "field", "typed", "message"), INVALID)
def test_it_changes_nothing_for_an_invalid_cell(owner_client, workshop, rows, kind, field, typed, message):
    row = rows[kind]
    before = type(row).objects.filter(pk=row.pk).values().get()
    original = "" if getattr(row, field) is None else str(getattr(row, field))
    save(owner_client, workshop, kind, row, field, typed, original)
    assert type(row).objects.filter(pk=row.pk).values().get() == before
    assert content_version(workshop) == 0


def test_it_keeps_the_saved_value_as_the_original_after_a_refusal(owner_client, workshop, metric):
    html = save(owner_client, workshop, "metric", metric, "name", "", "Visitors").content.decode()
    assert 'name="original" value="Visitors"' in html
    assert 'data-original="Visitors"' in html


@pytest.mark.parametrize("field", ["nonsense", "audit", "version", "position", "id", ""])
def test_it_refuses_an_unknown_field(owner_client, workshop, friction, field):
    response = save(owner_client, workshop, "friction", friction, field, "1", "")
    assert response.status_code == 400
    assert FrictionPoint.objects.get(pk=friction.pk).version == 1


def test_it_refuses_a_field_of_another_table(owner_client, workshop, friction):
    assert save(owner_client, workshop, "friction", friction, "name", "x", "").status_code == 400


def test_it_refuses_an_unknown_table(owner_client, workshop, friction):
    url = reverse("audits:row-cell", kwargs={"audit_id": workshop.pk, "kind": "audit", "row_id": workshop.pk})
    response = owner_client.post(url, {"field": "title", "value": "x", "original": ""}, headers=HTMX)
    assert response.status_code == 404


def test_it_shows_both_values_on_a_conflict(owner_client, workshop, friction):
    FrictionPoint.objects.filter(pk=friction.pk).update(teams="Service")
    response = save(owner_client, workshop, "friction", friction, "teams", "Marketing", "Sales")
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else saved “Service” here meanwhile." in html
    assert 'value="Marketing"' in html
    # The next save is checked against their value, so saving again keeps yours on purpose.
    assert 'name="original" value="Service"' in html
    assert FrictionPoint.objects.get(pk=friction.pk).teams == "Service"
    assert content_version(workshop) == 0


def test_it_overwrites_after_the_editor_saw_the_conflict(owner_client, workshop, friction):
    FrictionPoint.objects.filter(pk=friction.pk).update(teams="Service")
    save(owner_client, workshop, "friction", friction, "teams", "Marketing", "Sales")
    response = save(owner_client, workshop, "friction", friction, "teams", "Marketing", "Service")
    assert response.status_code == 200
    assert FrictionPoint.objects.get(pk=friction.pk).teams == "Marketing"


def test_it_says_the_row_was_deleted_meanwhile(owner_client, workshop, friction, monkeypatch):
    def delete_first(audit, table, row, *arguments):
        # Someone deletes the row between this request reading it and saving it.
        FrictionPoint.objects.filter(pk=row.pk).delete()
        return editing.save_cell(audit, table, row, *arguments)

    monkeypatch.setattr(row_views, "save_cell", delete_first)
    response = save(owner_client, workshop, "friction", friction, "teams", "Service", "Sales")
    assert response.status_code == 409
    assert "deleted" in response.content.decode()
    assert not FrictionPoint.objects.exists()


def test_it_redirects_with_a_message_when_the_row_was_deleted_meanwhile(owner_client, workshop, friction, monkeypatch):
    def delete_first(audit, table, row, *arguments):
        FrictionPoint.objects.filter(pk=row.pk).delete()
        return editing.save_cell(audit, table, row, *arguments)

    monkeypatch.setattr(row_views, "save_cell", delete_first)
    response = save(owner_client, workshop, "friction", friction, "teams", "Service", "Sales", htmx=False)
    assert response.status_code == 302
    assert response.url == step_url(workshop, "identify")
    assert messages_of(response) == ["Someone else deleted this row meanwhile, so your change was not saved."]


def test_it_refuses_a_garbled_original(owner_client, workshop, february):
    response = save(owner_client, workshop, "reading", february, "gained", "12", "ten")
    assert response.status_code == 422
    assert "reload the page" in response.content.decode()
    assert Reading.objects.get(pk=february.pk).gained == 10


def test_it_cannot_find_a_row_deleted_before_the_save(owner_client, workshop, friction):
    FrictionPoint.objects.filter(pk=friction.pk).delete()
    response = save(owner_client, workshop, "friction", friction, "teams", "Service", "Sales")
    assert response.status_code == 404


def test_it_ignores_extra_fields_posted_with_a_cell(owner_client, workshop, friction, flywheel):
    other = AuditFactory(flywheel=flywheel)
    response = save(
        owner_client,
        workshop,
        "friction",
        friction,
        "teams",
        "Service",
        "Sales",
        extra={"audit": other.pk, "version": 99, "position": 42, "source": "Overwritten"},
    )
    assert response.status_code == 200
    stored = FrictionPoint.objects.get(pk=friction.pk)
    assert (stored.audit_id, stored.version, stored.position) == (workshop.pk, 2, friction.position)
    assert (stored.source, stored.teams) == ("Leads go cold", "Service")


def test_it_returns_a_cell_for_take_theirs(owner_client, workshop, friction):
    response = owner_client.get(cell_url(workshop, "friction", friction), {"field": "teams"}, headers=HTMX)
    assert response.status_code == 200
    assert 'value="Sales"' in response.content.decode()


# --- Without JavaScript -----------------------------------------------------------------------


def test_it_redirects_to_the_step_after_a_plain_save(owner_client, workshop, friction):
    response = save(owner_client, workshop, "friction", friction, "teams", "Service", "Sales", htmx=False)
    assert response.status_code == 302
    assert response.url == step_url(workshop, "identify")
    assert FrictionPoint.objects.get(pk=friction.pk).teams == "Service"


def test_it_redirects_back_to_the_page_the_save_came_from(owner_client, workshop, friction):
    summary = f"http://testserver{step_url(workshop, 'summary')}"
    response = owner_client.post(
        cell_url(workshop, "friction", friction),
        {"field": "owner", "value": "Ana", "original": ""},
        headers={"referer": summary},
    )
    assert response.status_code == 302
    assert response.url == step_url(workshop, "summary")


def test_it_ignores_a_referer_on_another_site(owner_client, workshop, friction):
    response = owner_client.post(
        cell_url(workshop, "friction", friction),
        {"field": "owner", "value": "Ana", "original": ""},
        headers={"referer": "https://evil.example/phish"},
    )
    assert response.url == step_url(workshop, "identify")


def test_without_javascript_a_refused_save_shows_the_page_with_the_message_beside_the_cell(
    owner_client, workshop, metric
):
    response = save(owner_client, workshop, "metric", metric, "unit", "x" * 41, "", htmx=False)
    html = response.content.decode()
    assert response.status_code == 422
    assert "<h1>Choose the metrics that show success</h1>" in html  # the metrics step, whole
    cell = html[html.index(f'id="cell-metric-{metric.pk}-unit-form"') :]
    cell = cell[: cell.index("</form>")]
    assert "cell-invalid" in cell
    assert f'value="{"x" * 41}"' in cell  # what was typed is kept
    assert "Ensure this value has at most 40 characters (it has 41)." in cell
    assert Metric.objects.get(pk=metric.pk).unit == ""


def test_without_javascript_it_answers_on_the_page_the_form_came_from(owner_client, workshop, friction):
    referer = step_url(workshop, "automate")
    response = owner_client.post(
        cell_url(workshop, "friction", friction),
        {"field": "automation", "value": "x" * 2001, "original": ""},
        headers={"referer": f"http://testserver{referer}"},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "Can automation fix it?" in html
    assert "Ensure this value has at most 2000 characters" in html


def test_without_javascript_a_conflict_shows_both_values_beside_the_cell(owner_client, workshop, friction):
    FrictionPoint.objects.filter(pk=friction.pk).update(teams="Service")
    response = save(owner_client, workshop, "friction", friction, "teams", "Marketing", "Sales", htmx=False)
    html = response.content.decode()
    cell = html[html.index(f'id="cell-friction-{friction.pk}-teams-form"') :]
    cell = cell[: cell.index("</form>")]
    assert response.status_code == 409
    assert 'value="Marketing"' in cell
    assert "Someone else saved “Service” here meanwhile." in cell
    assert FrictionPoint.objects.get(pk=friction.pk).teams == "Service"


# --- Adding rows ------------------------------------------------------------------------------


def add(client, audit, kind, data, htmx=True):
    return client.post(add_url(audit, kind), data, headers=HTMX if htmx else {})


def test_it_adds_a_friction_row(owner_client, workshop):
    data = {
        "friction-source": "Leads go cold",
        "friction-origin": "internal",
        "friction-stage": "engage",
        "friction-teams": "Sales",
    }
    response = add(owner_client, workshop, "friction", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section id="friction-table">')
    assert ">Leads go cold</textarea>" in html
    assert "audit-changed" in response.headers["HX-Trigger"]
    row = FrictionPoint.objects.get()
    assert (row.audit_id, row.source, row.origin, row.stage, row.teams) == (
        workshop.pk,
        "Leads go cold",
        "internal",
        "engage",
        "Sales",
    )
    assert content_version(workshop) == 1


def test_it_adds_a_metric(owner_client, workshop):
    data = {
        "metric-stage": "engage",
        "metric-name": "Free users",
        "metric-kind": "bucket",
        "metric-unit": "users",
        "metric-period": "quarter",
    }
    visitors = MetricFactory(audit=workshop, stage="attract", name="Website visitors")
    response = add(owner_client, workshop, "metric", data)
    assert response.status_code == 200
    assert response.content.decode().strip().startswith('<section id="metrics">')
    metric = Metric.objects.exclude(pk=visitors.pk).get()
    # The section it answers with replaces the page's: it holds every metric's card, the new one too.
    page = response.content.decode()
    assert page.index(f'<article id="metric-{visitors.pk}"') < page.index(f'<article id="metric-{metric.pk}"')
    assert (metric.audit_id, metric.name, metric.stage, metric.period) == (
        workshop.pk,
        "Free users",
        "engage",
        "quarter",
    )


def test_it_adds_a_team(owner_client, workshop):
    response = add(owner_client, workshop, "team", {"team-name": "Product"})
    assert response.status_code == 200
    assert response.content.decode().strip().startswith('<div id="teams">')
    team = Team.objects.get(name="Product")
    assert (team.audit_id, team.position) == (workshop.pk, 3)


def test_it_adds_a_force_to_a_team(owner_client, workshop, team):
    prefix = f"force-{team.pk}"
    data = {
        "group": team.pk,
        f"{prefix}-name": "Live chat",
        f"{prefix}-before": "Office hours",
        f"{prefix}-now": "24/7",
    }
    response = add(owner_client, workshop, "force", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<section id="team-{team.pk}"')
    assert ">Live chat</textarea>" in html
    force = Force.objects.get()
    assert (force.audit_id, force.team_id, force.name, force.before, force.now) == (
        workshop.pk,
        team.pk,
        "Live chat",
        "Office hours",
        "24/7",
    )


def test_it_adds_a_reading_to_a_metric(owner_client, workshop, metric):
    response = add(owner_client, workshop, "reading", {"group": metric.pk, f"reading-{metric.pk}-period": "2018-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<article id="metric-{metric.pk}"')
    assert "Jan 2018" in html
    reading = Reading.objects.get()
    assert (reading.metric_id, reading.period_start) == (metric.pk, date(2018, 1, 1))


def test_it_reads_a_quarter_for_a_quarterly_metric(owner_client, workshop):
    metric = MetricFactory(audit=workshop, period=Metric.Period.QUARTER)
    add(owner_client, workshop, "reading", {"group": metric.pk, f"reading-{metric.pk}-period": "Q3 2018"})
    assert Reading.objects.get().period_start == date(2018, 7, 1)


@pytest.mark.parametrize(
    ("period_kind", "typed", "message"),
    [
        ("month", "2018-13", "“2018-13” is not a month: write it as 2018-01 … 2018-12."),
        ("month", "2018-Q1", "“2018-Q1” is not a month: write it as 2018-01 … 2018-12."),
        ("quarter", "Q5 2018", "“Q5 2018” is not a quarter: write it as 2018-Q1 … 2018-Q4."),
        ("month", "1989-12", "The year must be between 1990 and 2100."),
        ("year", "", "This field is required."),
    ],
)
def test_it_refuses_an_impossible_period(owner_client, workshop, period_kind, typed, message):
    metric = MetricFactory(audit=workshop, period=period_kind)
    response = add(owner_client, workshop, "reading", {"group": metric.pk, f"reading-{metric.pk}-period": typed})
    html = response.content.decode()
    assert response.status_code == 422
    assert escape(message) in html
    assert f'value="{typed}"' in html or not typed
    assert not Reading.objects.exists()
    assert content_version(workshop) == 0


def test_it_refuses_a_period_already_in_the_table(owner_client, workshop, metric):
    ReadingFactory(metric=metric, period_start=date(2018, 1, 1), gained=5)
    response = add(owner_client, workshop, "reading", {"group": metric.pk, f"reading-{metric.pk}-period": "Jan 2018"})
    assert response.status_code == 422
    assert "Jan 2018 is already in this table." in response.content.decode()
    assert Reading.objects.get().gained == 5


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("friction", {"friction-source": "  ", "friction-teams": "Sales"}),
        ("metric", {"metric-stage": "attract", "metric-name": "", "metric-kind": "bucket", "metric-period": "month"}),
        ("metric", {"metric-stage": "", "metric-name": "Visitors", "metric-kind": "bucket", "metric-period": "month"}),
        ("team", {"team-name": ""}),
    ],
)
def test_it_refuses_a_row_without_a_required_field(owner_client, workshop, field_errors, kind, data):
    teams = Team.objects.count()
    response = add(owner_client, workshop, kind, data)
    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not FrictionPoint.objects.exists()
    assert not Metric.objects.exists()
    assert Team.objects.count() == teams
    assert content_version(workshop) == 0


def test_it_refuses_a_force_without_a_name_and_keeps_what_was_typed(owner_client, workshop, team, field_errors):
    prefix = f"force-{team.pk}"
    data = {"group": team.pk, f"{prefix}-name": "", f"{prefix}-before": "Office hours"}
    response = add(owner_client, workshop, "force", data)
    assert response.status_code == 422
    assert field_errors(response, f"{prefix}-name") == ["This field is required."]
    assert "Office hours</textarea>" in response.content.decode()
    assert not Force.objects.exists()


def test_it_refuses_a_force_without_a_team(owner_client, workshop):
    response = add(owner_client, workshop, "force", {"force-name": "Live chat"})
    assert response.status_code == 404
    assert not Force.objects.exists()


@pytest.mark.parametrize("kind", ["strategy", "assessment", "audit"])
def test_it_refuses_to_add_to_a_fixed_table(owner_client, workshop, kind):
    assert add(owner_client, workshop, kind, {}).status_code == 404


def test_it_ignores_extra_fields_posted_with_a_new_row(owner_client, workshop, flywheel):
    other = AuditFactory(flywheel=flywheel)
    FrictionPointFactory(audit=workshop, position=4)
    data = {
        "friction-source": "New",
        "friction-audit": other.pk,
        "friction-position": 0,
        "friction-version": 9,
        "audit": other.pk,
        "position": 0,
        "version": 9,
    }
    add(owner_client, workshop, "friction", data)
    row = FrictionPoint.objects.get(source="New")
    assert (row.audit_id, row.position, row.version) == (workshop.pk, 5, 1)


def test_it_redirects_after_a_plain_add(owner_client, workshop):
    response = add(owner_client, workshop, "friction", {"friction-source": "New"}, htmx=False)
    assert response.status_code == 302
    assert response.url == step_url(workshop, "identify")
    assert FrictionPoint.objects.get().source == "New"


def test_it_redirects_with_a_message_after_a_plain_invalid_add(owner_client, workshop, metric):
    data = {"group": metric.pk, f"reading-{metric.pk}-period": "2018-13"}
    response = add(owner_client, workshop, "reading", data, htmx=False)
    assert response.status_code == 302
    assert response.url == step_url(workshop, "metrics")
    assert messages_of(response) == ["period: “2018-13” is not a month: write it as 2018-01 … 2018-12."]
    assert not Reading.objects.exists()


# --- Deleting and moving rows -----------------------------------------------------------------


def test_it_deletes_a_row(owner_client, workshop, friction):
    response = owner_client.post(delete_url(workshop, "friction", friction), headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section id="friction-table">')
    assert "No friction identified yet." in html
    assert "audit-changed" in response.headers["HX-Trigger"]
    assert not FrictionPoint.objects.exists()
    assert content_version(workshop) == 1


def test_it_deletes_a_reading_and_redraws_its_metric(owner_client, workshop, metric, february):
    response = owner_client.post(delete_url(workshop, "reading", february), headers=HTMX)
    assert response.status_code == 200
    assert response.content.decode().strip().startswith(f'<article id="metric-{metric.pk}"')
    assert list(Reading.objects.values_list("period_start", flat=True)) == [date(2018, 1, 1)]


def test_it_deletes_a_force_and_redraws_its_team(owner_client, workshop, force):
    response = owner_client.post(delete_url(workshop, "force", force), headers=HTMX)
    assert response.content.decode().strip().startswith(f'<section id="team-{force.team_id}"')
    assert not Force.objects.exists()


def test_it_redirects_with_a_message_after_a_plain_delete(owner_client, workshop, friction):
    response = owner_client.post(delete_url(workshop, "friction", friction))
    assert response.status_code == 302
    assert messages_of(response) == ["Row deleted."]
    assert not FrictionPoint.objects.exists()


@pytest.mark.parametrize("kind", ["strategy", "assessment"])
def test_it_refuses_to_delete_a_fixed_row(owner_client, workshop, kind):
    row = workshop.strategies.first() if kind == "strategy" else workshop.self_assessment.first()
    assert owner_client.post(delete_url(workshop, kind, row), headers=HTMX).status_code == 404
    assert type(row).objects.filter(pk=row.pk).exists()


@pytest.fixture
def three_rows(workshop):
    return [FrictionPointFactory(audit=workshop, source=source, position=index) for index, source in enumerate("ABC")]


def friction_order(audit) -> list[str]:
    return list(audit.friction_points.order_by("position", "pk").values_list("source", flat=True))


@pytest.mark.parametrize(("direction", "expected"), [("up", ["B", "A", "C"]), ("down", ["A", "C", "B"])])
def test_it_moves_a_row(owner_client, workshop, three_rows, direction, expected):
    response = owner_client.post(move_url(workshop, "friction", three_rows[1]), {"direction": direction}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith('<section id="friction-table">')
    assert "audit-changed" in response.headers["HX-Trigger"]
    assert friction_order(workshop) == expected
    positions = [html.index(f">{source}</textarea>") for source in expected]
    assert positions == sorted(positions)


def test_it_moves_a_force_within_its_team(owner_client, workshop, team):
    first = ForceFactory(team=team, name="First", position=0)
    ForceFactory(team=team, name="Second", position=1)
    response = owner_client.post(move_url(workshop, "force", first), {"direction": "down"}, headers=HTMX)
    assert response.content.decode().strip().startswith(f'<section id="team-{team.pk}"')
    assert list(team.forces.order_by("position").values_list("name", flat=True)) == ["Second", "First"]


def test_it_moves_a_row_without_javascript(owner_client, workshop, three_rows):
    response = owner_client.post(move_url(workshop, "friction", three_rows[0]), {"direction": "down"})
    assert response.status_code == 302
    assert response.url == step_url(workshop, "identify")
    assert friction_order(workshop) == ["B", "A", "C"]


def test_it_does_not_reorder_readings(owner_client, workshop, february):
    response = owner_client.post(move_url(workshop, "reading", february), {"direction": "up"}, headers=HTMX)
    assert response.status_code == 404


def rows_endpoints(audit, friction) -> list[str]:
    return [
        add_url(audit, "friction"),
        delete_url(audit, "friction", friction),
        move_url(audit, "friction", friction),
    ]


def test_it_rejects_get_on_add_delete_and_move(owner_client, workshop, friction):
    for url in rows_endpoints(workshop, friction):
        assert owner_client.get(url).status_code == 405
    assert FrictionPoint.objects.exists()


# --- Who may change rows ----------------------------------------------------------------------


def all_requests(audit, friction, team) -> list[tuple[str, dict]]:
    return [
        (cell_url(audit, "friction", friction), {"field": "teams", "value": "Service", "original": "Sales"}),
        (add_url(audit, "friction"), {"friction-source": "New"}),
        (add_url(audit, "team"), {"team-name": "New"}),
        (add_url(audit, "force"), {"group": team.pk, f"force-{team.pk}-name": "New"}),
        (move_url(audit, "friction", friction), {"direction": "up"}),
        (delete_url(audit, "friction", friction), {}),
    ]


def unchanged(friction) -> bool:
    return list(FrictionPoint.objects.values_list("pk", "teams")) == [(friction.pk, "Sales")] and not (
        Force.objects.exists() or Team.objects.filter(name="New").exists()
    )


def test_it_refuses_a_viewer(client, member_factory, workshop, friction, team):
    client.force_login(member_factory(Role.VIEWER))
    for url, data in all_requests(workshop, friction, team):
        assert client.post(url, data, headers=HTMX).status_code == 403, url
    assert unchanged(friction)


def test_it_refuses_a_viewer_reading_a_cell_form(client, member_factory, workshop, friction):
    client.force_login(member_factory(Role.VIEWER))
    response = client.get(cell_url(workshop, "friction", friction), {"field": "teams"}, headers=HTMX)
    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.PARTICIPANT, Role.FACILITATOR, Role.OWNER])
def test_it_lets_a_participant_or_higher_edit(client, member_factory, workshop, friction, team, role):
    client.force_login(member_factory(role))
    for url, data in all_requests(workshop, friction, team):
        assert client.post(url, data, headers=HTMX).status_code == 200, url
    assert Team.objects.filter(name="New").exists()
    assert Force.objects.get().name == "New"


def test_it_hides_rows_from_an_outsider(client, outsider, workshop, friction, team):
    client.force_login(outsider)
    for url, data in all_requests(workshop, friction, team):
        assert client.post(url, data, headers=HTMX).status_code == 404, url
    assert unchanged(friction)


def test_it_sends_anonymous_visitors_to_log_in(client, workshop, friction, team):
    for url, data in all_requests(workshop, friction, team):
        response = client.post(url, data, headers=HTMX)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    assert unchanged(friction)


@pytest.fixture
def other_audit(flywheel):
    """Another audit of the same organization, where the owner may edit too."""
    audit = AuditFactory(flywheel=flywheel, title="Last year")
    start_audit(audit)
    return audit


def test_it_refuses_a_row_of_another_audit_of_the_organization(owner_client, workshop, other_audit, force):
    for url in (
        cell_url(other_audit, "force", force),
        delete_url(other_audit, "force", force),
        move_url(other_audit, "force", force),
    ):
        response = owner_client.post(url, {"field": "name", "value": "Taken", "original": "Live chat"}, headers=HTMX)
        assert response.status_code == 404, url
    assert Force.objects.get().name == "Live chat"
    assert content_version(other_audit) == content_version(workshop) == 0


def test_it_refuses_a_reading_of_another_audit(owner_client, workshop, other_audit, february):
    response = save(owner_client, other_audit, "reading", february, "gained", "1", "10")
    assert response.status_code == 404
    assert Reading.objects.get(pk=february.pk).gained == 10


def test_it_refuses_a_team_of_another_audit_as_the_group(owner_client, workshop, other_audit, team):
    data = {"group": team.pk, f"force-{team.pk}-name": "Sneaked in"}
    response = add(owner_client, other_audit, "force", data)
    assert response.status_code == 404
    assert not Force.objects.exists()


def test_it_refuses_a_metric_of_another_audit_as_the_group(owner_client, workshop, other_audit, metric):
    response = add(owner_client, other_audit, "reading", {"group": metric.pk, f"reading-{metric.pk}-period": "2018-01"})
    assert response.status_code == 404
    assert not Reading.objects.exists()


def test_every_table_has_a_page_to_go_back_to_without_javascript():
    from audits.content.tables import TABLES

    assert set(row_views.HOME_PAGES) == set(TABLES)


@pytest.mark.parametrize(
    ("kind", "field", "page"), [("strategy", "approach", "strategy"), ("assessment", "notes", "restructure")]
)
def test_without_javascript_and_without_a_referer_a_save_returns_to_the_tables_page(
    owner_client, workshop, kind, field, page
):
    row = getattr(workshop, {"strategy": "strategies", "assessment": "self_assessment"}[kind]).first()
    response = save(owner_client, workshop, kind, row, field, "Written without JavaScript", "", htmx=False)
    assert response.status_code == 302
    assert response.url == step_url(workshop, page)
    assert getattr(type(row).objects.get(pk=row.pk), field) == "Written without JavaScript"
