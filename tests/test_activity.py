from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.content.activity import describe, undo_deletion
from audits.content.editing import Conflict, add_row, delete_row, move_row, save_cell
from audits.content.tables import TABLES
from audits.models import Activity, Audit, Force, FrictionPoint, Membership, Reading, Team

from .factories import ForceFactory, FrictionPointFactory, MetricFactory, ReadingFactory, TeamFactory

pytestmark = pytest.mark.django_db

Role = Membership.Role
FRICTION = TABLES["friction"]


class Boom(Exception):
    pass


def content_version(audit: Audit) -> int:
    return Audit.objects.values_list("content_version", flat=True).get(pk=audit.pk)


def activity_url(audit) -> str:
    return reverse("audits:activity", kwargs={"audit_id": audit.pk})


def undo_url(audit, activity) -> str:
    return reverse("audits:activity-undo", kwargs={"audit_id": audit.pk, "activity_id": activity.pk})


@pytest.fixture
def facilitator(member_factory):
    return member_factory(Role.FACILITATOR, username="fiona")


@pytest.fixture
def rows(audit):
    return [
        FrictionPointFactory(audit=audit, source=source, automation="No", position=position)
        for position, source in enumerate(["Leads go cold", "Lead rotation", "Slow invoices"])
    ]


@pytest.fixture
def team(audit):
    team = TeamFactory(audit=audit, name="Sales")
    for name in ("Quota", "Commission"):
        ForceFactory(audit=audit, team=team, name=name, before="Then", now="Now")
    return team


@pytest.fixture
def metric(audit):
    metric = MetricFactory(audit=audit, name="Visitors")
    ReadingFactory(metric=metric, period_start=date(2025, 1, 1), gained=10, lost=2, total=8)
    ReadingFactory(metric=metric, period_start=date(2025, 2, 1), gained=5)
    return metric


@pytest.fixture
def break_the_log(monkeypatch):
    def boom(**fields):
        raise Boom

    monkeypatch.setattr(Activity.objects, "create", boom)


# --- Every change writes one entry -------------------------------------------------------------


def test_it_logs_a_cell_edit_with_who_before_and_after(audit, rows, facilitator):
    save_cell(audit, FRICTION, rows[0], "automation", "Free products", "No", facilitator)
    entry = Activity.objects.get()
    assert (entry.audit, entry.user, entry.action, entry.kind) == (audit, facilitator, "edit", "friction")
    assert (entry.row_id, entry.field, entry.before, entry.after) == (rows[0].pk, "automation", "No", "Free products")
    assert describe(entry) == "edited friction “Leads go cold” · Automation: “No” → “Free products”"


def test_it_logs_an_added_row(audit, facilitator):
    row = add_row(audit, FRICTION, FrictionPoint(source="Lead rotation"), facilitator)
    entry = Activity.objects.get()
    assert (entry.user, entry.action, entry.row_id, entry.summary) == (facilitator, "add", row.pk, "Lead rotation")


def test_it_logs_a_deletion_with_a_snapshot(audit, rows, facilitator):
    deleted_id = rows[1].pk
    delete_row(audit, rows[1], facilitator)
    entry = Activity.objects.get()
    assert (entry.user, entry.action, entry.kind, entry.row_id) == (facilitator, "delete", "friction", deleted_id)
    assert entry.snapshot["fields"]["source"] == "Lead rotation"
    assert describe(entry) == "deleted friction “Lead rotation”"


def test_it_logs_a_move_with_the_places(audit, rows, facilitator):
    move_row(audit, FRICTION, rows[2], "up", facilitator)
    entry = Activity.objects.get()
    assert (entry.action, entry.before, entry.after) == ("move", "3", "2")


def test_it_logs_nothing_for_a_move_past_the_end(audit, rows, facilitator):
    move_row(audit, FRICTION, rows[2], "down", facilitator)
    assert not Activity.objects.exists()


def test_it_logs_nothing_for_a_conflicting_save(audit, rows, facilitator):
    FrictionPoint.objects.filter(pk=rows[0].pk).update(automation="A chatbot")
    with pytest.raises(Conflict):
        save_cell(audit, FRICTION, rows[0], "automation", "Free products", "No", facilitator)
    assert not Activity.objects.exists()


def test_it_logs_nothing_for_an_invalid_value(audit, metric, facilitator):
    reading = metric.readings.first()
    form = save_cell(audit, TABLES["reading"], reading, "gained", "many", "10", facilitator)
    assert form.errors
    assert not Activity.objects.exists()


def test_a_failed_log_entry_undoes_the_edit(audit, rows, facilitator, break_the_log):
    with pytest.raises(Boom):
        save_cell(audit, FRICTION, rows[0], "automation", "Free products", "No", facilitator)
    assert FrictionPoint.objects.get(pk=rows[0].pk).automation == "No"
    assert content_version(audit) == 0


def test_a_failed_log_entry_undoes_the_deletion(audit, team, facilitator, break_the_log):
    with pytest.raises(Boom):
        delete_row(audit, team, facilitator)
    assert Force.objects.filter(team=team).count() == 2
    assert content_version(audit) == 0


def test_a_failed_log_entry_undoes_the_addition_and_the_move(audit, rows, facilitator, break_the_log):
    with pytest.raises(Boom):
        add_row(audit, FRICTION, FrictionPoint(source="New"), facilitator)
    with pytest.raises(Boom):
        move_row(audit, FRICTION, rows[2], "up", facilitator)
    assert list(FrictionPoint.objects.order_by("position").values_list("source", flat=True)) == [
        "Leads go cold",
        "Lead rotation",
        "Slow invoices",
    ]
    assert content_version(audit) == 0


# --- Undo ----------------------------------------------------------------------------------------


def test_it_restores_a_friction_row_at_its_place(audit, rows, facilitator):
    FrictionPoint.objects.filter(pk=rows[1].pk).update(teams="Sales, Service", due_date=date(2025, 4, 1))
    delete_row(audit, FrictionPoint.objects.get(pk=rows[1].pk), facilitator)
    deletion = Activity.objects.get()
    version = content_version(audit)

    restored = undo_deletion(deletion, facilitator)

    assert restored.pk != rows[1].pk
    assert (restored.source, restored.teams, restored.due_date) == ("Lead rotation", "Sales, Service", date(2025, 4, 1))
    order = list(audit.friction_points.order_by("position", "pk").values_list("source", flat=True))
    assert order == ["Leads go cold", "Lead rotation", "Slow invoices"]
    assert content_version(audit) == version + 1
    deletion.refresh_from_db()
    assert deletion.undone_at is not None
    undo = Activity.objects.get(action="undo")
    assert (undo.user, undo.row_id, undo.summary) == (facilitator, restored.pk, "Lead rotation")


def test_it_restores_a_place_taken_after_a_move(audit, rows, facilitator):
    delete_row(audit, rows[0], facilitator)
    move_row(audit, FRICTION, FrictionPoint.objects.get(pk=rows[2].pk), "up", facilitator)
    undo_deletion(Activity.objects.get(action="delete"), facilitator)
    order = list(audit.friction_points.order_by("position", "pk").values_list("source", flat=True))
    assert order == ["Leads go cold", "Slow invoices", "Lead rotation"]


def test_it_restores_a_team_with_its_forces(audit, team, facilitator):
    delete_row(audit, team, facilitator)
    assert not Force.objects.exists()
    restored = undo_deletion(Activity.objects.get(), facilitator)
    assert restored.name == "Sales"
    forces = list(restored.forces.order_by("pk").values_list("name", "before", "now", "audit_id"))
    assert forces == [("Quota", "Then", "Now", audit.pk), ("Commission", "Then", "Now", audit.pk)]


def test_it_restores_a_metric_with_its_readings(audit, metric, facilitator):
    delete_row(audit, metric, facilitator)
    restored = undo_deletion(Activity.objects.get(), facilitator)
    readings = list(restored.readings.values_list("period_start", "gained", "lost", "total"))
    assert readings == [(date(2025, 1, 1), 10, 2, 8), (date(2025, 2, 1), 5, None, None)]


def test_it_refuses_to_undo_twice(audit, rows, facilitator):
    delete_row(audit, rows[0], facilitator)
    deletion = Activity.objects.get()
    undo_deletion(deletion, facilitator)
    with pytest.raises(ValueError, match="already been undone"):
        undo_deletion(deletion, facilitator)
    assert audit.friction_points.filter(source="Leads go cold").count() == 1


def test_it_refuses_to_undo_what_is_not_a_deletion(audit, rows, facilitator):
    save_cell(audit, FRICTION, rows[0], "automation", "Free products", "No", facilitator)
    with pytest.raises(ValueError, match="Only a deletion"):
        undo_deletion(Activity.objects.get(), facilitator)


def test_it_refuses_to_restore_a_force_whose_team_is_gone(audit, team, facilitator):
    delete_row(audit, team.forces.get(name="Quota"), facilitator)
    delete_row(audit, Team.objects.get(pk=team.pk), facilitator)
    force_deletion = Activity.objects.get(kind="force")
    with pytest.raises(ValueError, match="The team “Sales” of this force was deleted too"):
        undo_deletion(force_deletion, facilitator)
    force_deletion.refresh_from_db()
    assert force_deletion.undone_at is None
    assert not Force.objects.exists()


def test_it_refuses_to_restore_a_reading_for_a_period_taken_again(audit, metric, facilitator):
    delete_row(audit, metric.readings.get(period_start=date(2025, 2, 1)), facilitator)
    Reading.objects.create(metric=metric, period_start=date(2025, 2, 1))
    with pytest.raises(ValueError, match="reading for that period"):
        undo_deletion(Activity.objects.get(), facilitator)


# --- The page ------------------------------------------------------------------------------------


def test_it_shows_the_entries_newest_first_with_undo_buttons(client, audit, rows, facilitator):
    save_cell(audit, FRICTION, rows[0], "automation", "Free products", "No", facilitator)
    delete_row(audit, rows[1], facilitator)
    client.force_login(facilitator)
    response = client.get(activity_url(audit))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("deleted friction") < html.index("edited friction")
    assert "fiona" in html
    assert html.count(">Undo</button>") == 1
    assert undo_url(audit, Activity.objects.get(action="delete")) in html


def test_it_links_the_page_from_the_overview_for_facilitators(client, audit, facilitator, member_factory):
    client.force_login(facilitator)
    assert activity_url(audit) in client.get(audit.get_absolute_url()).content.decode()
    client.force_login(member_factory(Role.PARTICIPANT))
    assert activity_url(audit) not in client.get(audit.get_absolute_url()).content.decode()


def test_it_forbids_the_page_to_a_participant(client, audit, member_factory):
    client.force_login(member_factory(Role.PARTICIPANT))
    assert client.get(activity_url(audit)).status_code == 403


def test_it_hides_the_page_from_an_outsider(client, audit, outsider):
    client.force_login(outsider)
    assert client.get(activity_url(audit)).status_code == 404


def test_it_sends_an_anonymous_visitor_to_log_in(client, audit):
    response = client.get(activity_url(audit))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_it_undoes_a_deletion_with_a_message(client, audit, rows, facilitator):
    delete_row(audit, rows[1], facilitator)
    client.force_login(facilitator)
    response = client.post(undo_url(audit, Activity.objects.get()))
    assert response.status_code == 302
    assert response.url == activity_url(audit)
    assert [str(message) for message in get_messages(response.wsgi_request)] == ["Restored: friction “Lead rotation”."]
    assert audit.friction_points.filter(source="Lead rotation").exists()


def test_it_says_why_an_undo_was_refused(client, audit, rows, facilitator):
    delete_row(audit, rows[1], facilitator)
    deletion = Activity.objects.get()
    undo_deletion(deletion, facilitator)
    client.force_login(facilitator)
    response = client.post(undo_url(audit, deletion))
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "This deletion has already been undone."
    ]


def test_it_refuses_the_undo_to_a_participant_and_a_get(client, audit, rows, facilitator, member_factory):
    delete_row(audit, rows[1], facilitator)
    deletion = Activity.objects.get()
    client.force_login(facilitator)
    assert client.get(undo_url(audit, deletion)).status_code == 405
    client.force_login(member_factory(Role.PARTICIPANT))
    assert client.post(undo_url(audit, deletion)).status_code == 403
    assert not audit.friction_points.filter(source="Lead rotation").exists()


def test_it_refuses_the_undo_of_an_entry_that_is_no_deletion(client, audit, rows, facilitator):
    save_cell(audit, FRICTION, rows[0], "automation", "Free products", "No", facilitator)
    client.force_login(facilitator)
    assert client.post(undo_url(audit, Activity.objects.get())).status_code == 404


def test_the_row_views_log_the_signed_in_user(client, audit, rows, facilitator):
    client.force_login(facilitator)
    url = reverse("audits:row-delete", kwargs={"audit_id": audit.pk, "kind": "friction", "row_id": rows[0].pk})
    client.post(url)
    assert Activity.objects.get().user == facilitator


def _page_queries(client, audit, facilitator, count: int) -> int:
    Activity.objects.all().delete()
    users = [facilitator, None]
    Activity.objects.bulk_create(
        Activity(audit=audit, user=users[number % 2], action="delete", kind="friction", row_id=number, summary="Row")
        for number in range(count)
    )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(activity_url(audit)).status_code == 200
    return len(queries)


def test_the_page_costs_the_same_queries_for_5_and_50_entries(client, audit, facilitator):
    client.force_login(facilitator)
    assert _page_queries(client, audit, facilitator, 5) == _page_queries(client, audit, facilitator, 50)
