"""What changed since a page's version (audits/live/deltas.py), and the live poll that sends it
(audits/views/polling.py)."""

import datetime
import gzip
import re
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.accounts.permissions import PollState, get_audit_for, poll_state_for
from audits.accounts.visibility import Viewer
from audits.content import activity, carry, editing
from audits.content.sample import build_large_audit, build_small_audit
from audits.content.tables import TABLES
from audits.live import answers, deltas, render_cache, room
from audits.live.answers import Drawn
from audits.live.deltas import Changes, changes_since
from audits.live.workshop_page import WorkshopPage
from audits.models import Activity, Audit, Force, FrictionPoint, Membership, Workshop

from .counting import session_queries
from .factories import AuditFactory, ForceFactory, FrictionPointFactory, MetricFactory, ReadingFactory, TeamFactory

Role = Membership.Role


def loaded(audit, user):
    """The audit as the poll gets it: through permissions, with its workshop."""
    return get_audit_for(user, audit.pk)


def since_now(audit, user) -> int:
    return loaded(audit, user).content_version


def delta(audit, user, since) -> Changes | None:
    return changes_since(loaded(audit, user), since)


def add_friction(audit, user, source="Leads go cold"):
    return editing.add_row(audit, TABLES["friction"], FrictionPoint(source=source), user)


# --- What each change records ----------------------------------------------------------------------


def test_every_change_records_the_version_it_made(audit, owner):
    row = add_friction(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Sales", "", owner)
    editing.delete_row(audit, row, owner)
    versions = list(audit.activities.order_by("pk").values_list("action", "version"))
    assert versions == [("add", 1), ("edit", 2), ("delete", 3)]
    audit.refresh_from_db()
    assert audit.content_version == 3


def test_live_changes_record_their_kind_on_the_workshop(audit, owner):
    room.start_timer(audit, 5)
    room.set_locked(audit, "identify", True)
    room.lead_to(audit, "forces")
    workshop = Workshop.objects.get(audit=audit)
    assert (workshop.layout_version, workshop.shared_version) == (2, 3)


# --- A delta for every kind of change ----------------------------------------------------------------


def test_a_cell_edit_is_its_row(audit, owner):
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Sales", "", owner)
    changes = delta(audit, owner, since)
    assert changes.edited == {("friction", row.pk)}
    assert (changes.added, changes.deleted, changes.containers) == ((), set(), set())
    assert changes.shared and not changes.layout
    assert changes.version == since + 1


def test_an_answer_that_settles_friction_redraws_the_table(audit, owner):
    # The later steps show only the rows still open: the set of rows changes, not only the row.
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "automation", "A chatbot", "", owner)
    assert delta(audit, owner, since).containers == {("friction", None)}


def test_a_readings_total_or_its_deletion_redraws_the_metrics_readings(audit, owner):
    # The next period's check of its total starts from this reading's total (document.ReadingRow).
    metric = MetricFactory(audit=audit)
    january = ReadingFactory(metric=metric, period_start=datetime.date(2025, 1, 1), total=100)
    ReadingFactory(metric=metric, period_start=datetime.date(2025, 2, 1), gained=20, lost=5, total=115)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["reading"], january, "total", "90", "100", owner)
    assert delta(audit, owner, since).containers == {("reading", metric.pk)}
    since = since_now(audit, owner)
    editing.delete_row(audit, january, owner)
    changes = delta(audit, owner, since)
    assert changes.containers == {("reading", metric.pk)} and changes.deleted == set()


def test_a_readings_gained_redraws_only_that_reading(audit, owner):
    metric = MetricFactory(audit=audit)
    january = ReadingFactory(metric=metric, period_start=datetime.date(2025, 1, 1), total=100)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["reading"], january, "gained", "30", "", owner)
    changes = delta(audit, owner, since)
    assert changes.edited == {("reading", january.pk)} and changes.containers == set()


def test_an_added_row_goes_last_in_its_group(audit, owner):
    FrictionPointFactory(audit=audit)
    force = ForceFactory(team=TeamFactory(audit=audit))
    since = since_now(audit, owner)
    row = add_friction(audit, owner)
    new_force = editing.add_row(audit, TABLES["force"], Force(name="Referrals"), owner, team=force.team)
    changes = delta(audit, owner, since)
    assert changes.added == (("friction", row.pk, None), ("force", new_force.pk, force.team_id))
    assert changes.containers == set()


def test_the_first_row_of_a_table_redraws_it(audit, owner):
    # The table's "No rows yet." line goes with it.
    since = since_now(audit, owner)
    add_friction(audit, owner)
    changes = delta(audit, owner, since)
    assert changes.containers == {("friction", None)}
    assert changes.added == ()


def test_a_deleted_row_is_removed(audit, owner):
    FrictionPointFactory(audit=audit)
    gone = FrictionPointFactory(audit=audit)
    gone_id = gone.pk
    since = since_now(audit, owner)
    editing.delete_row(audit, gone, owner)
    changes = delta(audit, owner, since)
    assert changes.deleted == {("friction", gone_id)}
    assert (changes.edited, changes.containers) == (set(), set())


def test_deleting_the_last_row_redraws_the_table(audit, owner):
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.delete_row(audit, row, owner)
    changes = delta(audit, owner, since)
    assert changes.containers == {("friction", None)}
    assert changes.deleted == set()


def test_a_row_added_and_deleted_since_is_no_news(audit, owner):
    FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    row = add_friction(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Sales", "", owner)
    editing.delete_row(audit, row, owner)
    changes = delta(audit, owner, since)
    assert (changes.added, changes.edited, changes.deleted, changes.containers) == ((), set(), set(), set())


def test_a_row_that_came_and_went_is_named_deleted_for_the_pages_that_may_have_it(audit, owner):
    FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    row = add_friction(audit, owner)
    row_id = row.pk
    editing.delete_row(audit, row, owner)
    changes = changes_since(loaded(audit, owner), since, for_later_pages=True)
    assert changes.deleted == {("friction", row_id)} and changes.added == ()


def test_a_move_redraws_the_rows_group(audit, owner):
    team = TeamFactory(audit=audit)
    first, _second = ForceFactory(team=team), ForceFactory(team=team)
    since = since_now(audit, owner)
    editing.move_row(audit, TABLES["force"], first, "down", owner)
    assert delta(audit, owner, since).containers == {("force", team.pk)}


def test_a_restored_row_redraws_its_group(audit, owner):
    team = TeamFactory(audit=audit)
    ForceFactory(team=team)
    gone = ForceFactory(team=team)
    editing.delete_row(audit, gone, owner)
    since = since_now(audit, owner)
    restored = activity.undo_deletion(audit.activities.get(action=Activity.Action.DELETE), owner)
    changes = delta(audit, owner, since)
    assert changes.containers == {("force", team.pk)}
    assert changes.restored == {("force", restored.pk)}
    assert changes.added == ()


def test_deleting_a_team_takes_its_forces_news_with_it(audit, owner):
    TeamFactory(audit=audit)
    team = TeamFactory(audit=audit)
    team_id = team.pk
    force = ForceFactory(team=team)
    ForceFactory(team=team)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["force"], force, "owner", "Ana", "", owner)
    editing.delete_row(audit, Force.objects.get(pk=force.pk), owner)
    editing.delete_row(audit, team, owner)
    changes = delta(audit, owner, since)
    assert changes.deleted == {("team", team_id)}
    assert (changes.edited, changes.containers) == (set(), set())


def test_a_vote_changes_the_shared_parts_only(audit, owner):
    row = FrictionPointFactory(audit=audit)
    room.set_voting(audit, True)
    since = since_now(audit, owner)
    room.cast_vote(audit, owner, "friction", row.pk)
    changes = delta(audit, owner, since)
    assert changes.shared and not changes.layout
    assert (changes.edited, changes.added) == (set(), ())


@pytest.mark.parametrize(
    "change",
    [
        lambda audit: room.start_timer(audit, 5),
        lambda audit: room.add_minute(audit),
        lambda audit: room.lead_to(audit, "forces"),
    ],
    ids=["timer", "another-minute", "follow"],
)
def test_the_timer_and_the_facilitators_step_are_shared_parts(audit, owner, change):
    since = since_now(audit, owner)
    change(audit)
    changes = delta(audit, owner, since)
    assert changes.shared and not changes.layout


@pytest.mark.parametrize(
    "change",
    [
        lambda audit: room.set_locked(audit, "identify", True),
        lambda audit: room.hide_step(audit, "identify", named=False),
        lambda audit: room.reveal_step(audit, "identify"),
        lambda audit: room.set_voting(audit, True),
        lambda audit: room.set_voting(audit, False),
        lambda audit: room.clear_votes(audit),
    ],
    ids=["lock", "hide", "reveal", "voting-open", "voting-close", "votes-cleared"],
)
def test_what_changes_what_viewers_may_see_or_edit_is_a_layout_change(audit, owner, change):
    since = since_now(audit, owner)
    change(audit)
    assert delta(audit, owner, since).layout


def test_a_layout_change_stays_news_after_later_shared_ones(audit, owner):
    since = since_now(audit, owner)
    room.set_locked(audit, "identify", True)
    room.start_timer(audit, 5)
    assert delta(audit, owner, since).layout
    assert not delta(audit, owner, since + 1).layout


def test_a_carried_forward_audit_answers_its_first_poll(audit, owner):
    FrictionPointFactory(audit=audit, source="Leads go cold")
    new = carry.carry_forward(audit)
    since = since_now(new, owner)
    assert delta(new, owner, since) == Changes(version=since)
    row = new.friction_points.get()
    editing.save_cell(new, TABLES["friction"], row, "teams", "Sales", "", owner)
    assert delta(new, owner, since).edited == {("friction", row.pk)}


# --- When the log cannot tell ------------------------------------------------------------------------


def test_a_version_from_the_future_is_unknown(audit, owner):
    assert delta(audit, owner, 5) is None


def test_a_version_from_before_the_log_began_is_unknown(audit, owner):
    # Changes made before versions were recorded are in no entry: the migration starts the log after them.
    Audit.objects.filter(pk=audit.pk).update(content_version=3)
    Workshop.objects.create(audit=audit, logged_from=3)
    row = add_friction(audit, owner)
    assert delta(audit, owner, 2) is None
    assert delta(audit, owner, 3).added == () and delta(audit, owner, 3).containers == {("friction", None)}
    assert row.pk in audit.friction_points.values_list("pk", flat=True)


def test_the_migration_starts_the_log_at_each_audits_version(audit, flywheel):
    untouched = AuditFactory(flywheel=flywheel)
    Audit.objects.filter(pk=audit.pk).update(content_version=4)
    import_module("audits.migrations.0007_live_deltas").start_the_log(django_apps, None)
    assert Workshop.objects.get(audit=audit).logged_from == 4
    assert not Workshop.objects.filter(audit=untouched).exists()  # nothing before: the log starts at 0


def test_a_change_that_recorded_nothing_is_unknown(audit, owner):
    since = since_now(audit, owner)
    editing.bump_content_version(audit)
    assert delta(audit, owner, since) is None


def test_too_many_changes_are_a_fresh_main_area(audit, owner):
    row = FrictionPointFactory(audit=audit)
    for number in range(deltas.MAX_CHANGES + 1):
        editing.save_cell(audit, TABLES["friction"], row, "teams", str(number), row.teams, owner)
    assert delta(audit, owner, 0) is None
    assert delta(audit, owner, 1) is not None


def test_the_delta_costs_the_same_queries_whatever_the_audits_size(flywheel, owner):
    def queries(audit) -> int:
        since = since_now(audit, owner)
        friction = list(audit.friction_points.order_by("pk")[:2])
        editing.save_cell(audit, TABLES["friction"], friction[0], "teams", "Sales", friction[0].teams, owner)
        editing.delete_row(audit, friction[1], owner)
        add_friction(audit, owner)
        room.start_timer(audit, 5)
        audit = loaded(audit, owner)
        with CaptureQueriesContext(connection) as captured:
            assert changes_since(audit, since)
        return len(captured)

    small = queries(build_small_audit(flywheel))
    large = queries(build_large_audit(flywheel, friction=120, forces=40, metrics=4, periods=6))
    assert small == large <= 2


# --- The poll's answer --------------------------------------------------------------------------------


def poll(client, audit, since, step="", **headers):
    url = reverse("audits:audit-changes", kwargs={"audit_id": audit.pk})
    return client.get(url, {"since": since, "step": step}, **headers)


def opening_tag(html: str, dom_id: str) -> str:
    """The start tag of the element with this id in `html` ("" if there is none)."""
    found = re.search(rf'<[a-z]+\s[^>]*\bid="{dom_id}"[^>]*>', html)
    return found.group() if found else ""


def swapped(html: str, dom_id: str, swap: str = "morph") -> bool:
    return f'hx-swap-oob="{swap}"' in opening_tag(html, dom_id)


def answer(client, audit, since, step="") -> str:
    response = poll(client, audit, since, step)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    return response.content.decode()


@pytest.fixture
def facilitator(member_factory):
    return member_factory(Role.FACILITATOR, username="fiona")


@pytest.fixture
def participant(member_factory):
    return member_factory(Role.PARTICIPANT, username="paul")


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_answer_starts_with_the_poller_at_the_new_version(owner_client, audit, owner):
    row = FrictionPointFactory(audit=audit)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Sales", "", owner)
    html = answer(owner_client, audit, 0, "identify")
    assert html.startswith('<div id="live-poll"')
    assert "since=1&amp;step=identify" in html.split("</div>")[0]


def test_an_edited_row_is_morphed_in_place(owner_client, audit, owner):
    row = FrictionPointFactory(audit=audit)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    html = answer(owner_client, audit, 0, "identify")
    assert swapped(html, f"friction-row-{row.pk}")
    assert f'<template><tr id="friction-row-{row.pk}"' in html  # a <tr> outside a table would be dropped
    assert "Field sales" in html
    assert 'id="workshop-main"' not in html
    assert 'id="panel-progress"' not in html  # another page's panel: the overview's


def test_a_page_that_does_not_show_the_table_gets_no_rows(owner_client, audit, owner):
    row = FrictionPointFactory(audit=audit)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    html = answer(owner_client, audit, 0, "strategy")
    assert "friction-row" not in html and "Field sales" not in html
    assert 'id="panel-diagram"' in html


def test_an_added_row_is_appended_to_its_container(owner_client, audit, owner):
    FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    row = add_friction(audit, owner, "Slow onboarding")
    html = answer(owner_client, audit, since, "identify")
    assert f'<template><tbody hx-swap-oob="beforeend:#rows-friction"><tr id="friction-row-{row.pk}"' in html
    assert "Slow onboarding" in html


def test_an_added_force_goes_to_its_teams_rows(owner_client, audit, owner):
    team = TeamFactory(audit=audit)
    ForceFactory(team=team)
    since = since_now(audit, owner)
    force = editing.add_row(audit, TABLES["force"], Force(name="Referrals"), owner, team=team)
    html = answer(owner_client, audit, since, "forces")
    assert f'hx-swap-oob="beforeend:#rows-force-{team.pk}"><tr id="force-row-{force.pk}"' in html


def test_a_deleted_row_is_removed_from_the_page(owner_client, audit, owner):
    FrictionPointFactory(audit=audit)
    gone = FrictionPointFactory(audit=audit)
    gone_id = gone.pk
    since = since_now(audit, owner)
    editing.delete_row(audit, gone, owner)
    html = answer(owner_client, audit, since, "identify")
    assert f'<template><tr id="friction-row-{gone_id}" hx-swap-oob="delete"></tr></template>' in html


def test_a_moved_row_redraws_its_container(owner_client, audit, owner):
    team = TeamFactory(audit=audit)
    first, second = ForceFactory(team=team, name="First"), ForceFactory(team=team, name="Second")
    since = since_now(audit, owner)
    editing.move_row(audit, TABLES["force"], first, "down", owner)
    html = answer(owner_client, audit, since, "forces")
    assert swapped(html, f"rows-force-{team.pk}")
    container = html[html.index(f'id="rows-force-{team.pk}"') :]
    assert container.index(f"force-row-{second.pk}") < container.index(f"force-row-{first.pk}")


def test_a_restored_row_comes_back_in_its_container(owner_client, audit, owner):
    FrictionPointFactory(audit=audit)
    gone = FrictionPointFactory(audit=audit, source="Came back")
    editing.delete_row(audit, gone, owner)
    since = since_now(audit, owner)
    restored = activity.undo_deletion(audit.activities.get(action=Activity.Action.DELETE), owner)
    html = answer(owner_client, audit, since, "identify")
    assert swapped(html, "rows-friction")
    assert f'id="friction-row-{restored.pk}"' in html and "Came back" in html


def test_a_vote_sends_the_shared_parts_only(client, audit, participant):
    row = FrictionPointFactory(audit=audit)
    room.set_voting(audit, True)
    since = since_now(audit, participant)
    room.cast_vote(audit, participant, "friction", row.pk)
    html = answer(client_of(participant), audit, since, "identify")
    assert 'id="panel-session"' in html
    assert "friction-row" not in html and 'id="workshop-main"' not in html


@pytest.mark.parametrize(
    "change",
    [lambda audit: room.start_timer(audit, 5), lambda audit: room.lead_to(audit, "forces")],
    ids=["timer", "follow"],
)
def test_the_timer_and_the_facilitators_step_redraw_the_session_bar(owner_client, audit, owner, change):
    since = since_now(audit, owner)
    change(audit)
    html = answer(owner_client, audit, since, "identify")
    assert swapped(html, "panel-session")
    assert 'id="workshop-main"' not in html


@pytest.mark.parametrize(
    "change",
    [
        lambda audit: room.set_locked(audit, "identify", True),
        lambda audit: room.hide_step(audit, "identify", named=False),
        lambda audit: room.reveal_step(audit, "identify"),
        lambda audit: room.set_voting(audit, True),
    ],
    ids=["lock", "hide", "reveal", "voting"],
)
def test_what_changes_what_viewers_may_see_or_edit_redraws_the_main_area(owner_client, audit, owner, change):
    since = since_now(audit, owner)
    change(audit)
    html = answer(owner_client, audit, since, "identify")
    assert swapped(html, "workshop-main")


def test_a_lock_takes_the_edit_forms_away(client, audit, participant):
    FrictionPointFactory(audit=audit, source="Leads go cold")
    since = since_now(audit, participant)
    room.set_locked(audit, "identify", True)
    html = answer(client_of(participant), audit, since, "identify")
    main = html[html.index('id="workshop-main"') :]
    assert "Leads go cold" in main
    assert 'class="cell' not in main


@pytest.mark.parametrize("since", [999, 0])
def test_an_unknown_or_too_old_version_gets_one_fresh_main_area(owner_client, audit, owner, since):
    row = FrictionPointFactory(audit=audit, source="Leads go cold")
    for number in range(deltas.MAX_CHANGES + 1):
        editing.save_cell(audit, TABLES["friction"], row, "teams", str(number), row.teams, owner)
    html = answer(owner_client, audit, since, "identify")
    assert html.count('id="workshop-main"') == 1
    assert "Leads go cold" in html
    assert "<html" not in html and "friction-row-" not in html.split('id="workshop-main"')[0]


def test_a_viewers_delta_holds_no_edit_forms(client, audit, owner, member_factory):
    viewer = member_factory(Role.VIEWER)
    FrictionPointFactory(audit=audit)
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    add_friction(audit, owner, "Slow onboarding")
    # An editor's answer first: the viewer's, from the same version, must not be the one shared with editors.
    editable = answer(client_of(owner), audit, since, "identify")
    assert "<form" in rows_part(editable)
    html = answer(client_of(viewer), audit, since, "identify")
    assert "Field sales" in html and "Slow onboarding" in html
    for tag in ("<form", "<input", "<textarea", "<select", "<button"):
        assert tag not in rows_part(html)


def rows_part(html: str) -> str:
    """An answer's fragments after the poller and before the panels."""
    return html.split("</div>", 1)[1].split('id="panel-')[0]


def identify_delta(user, audit, since) -> str:
    return answer(client_of(user), audit, since, "identify")


def test_a_hidden_row_is_in_no_other_participants_delta(audit, facilitator, participant, member_factory):
    other = member_factory(Role.PARTICIPANT, username="otto")
    FrictionPointFactory(audit=audit, source="Written before")
    room.hide_step(audit, "identify", named=False)
    since = since_now(audit, facilitator)
    row = add_friction(audit, participant, "Only mine for now")
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Secret team", "", participant)
    assert "Only mine for now" in identify_delta(participant, audit, since)
    assert "Only mine for now" in identify_delta(facilitator, audit, since)
    seen_by_other = identify_delta(other, audit, since)
    assert "Only mine for now" not in seen_by_other and "Secret team" not in seen_by_other
    assert f"friction-row-{row.pk}" not in seen_by_other


def test_a_hidden_rows_deletion_is_no_news_to_other_participants(audit, facilitator, participant, member_factory):
    other = member_factory(Role.PARTICIPANT, username="otto")
    FrictionPointFactory(audit=audit, source="Written before")
    room.hide_step(audit, "identify", named=False)
    row = add_friction(audit, participant, "Only mine for now")
    row_id = row.pk
    since = since_now(audit, facilitator)
    editing.delete_row(audit, row, participant)
    assert f"friction-row-{row_id}" not in identify_delta(other, audit, since)
    assert f'<tr id="friction-row-{row_id}" hx-swap-oob="delete">' in identify_delta(facilitator, audit, since)
    assert f'<tr id="friction-row-{row_id}" hx-swap-oob="delete">' in identify_delta(participant, audit, since)


def test_a_guest_gets_the_delta(client, audit, facilitator, owner):
    link = room.open_join_link(audit, facilitator, hours=4)
    client.post(reverse("audits:join", kwargs={"token": room.join_token(link)}), {"name": "Gita"})
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    html = answer(client, audit, since, "identify")
    assert f'id="friction-row-{row.pk}"' in html and "Field sales" in html


def test_the_presenter_gets_its_main_area(client, audit, facilitator):
    since = since_now(audit, facilitator)
    add_friction(audit, facilitator)
    html = answer(client_of(facilitator), audit, since, "present")
    assert 'id="workshop-main"' in html
    assert "step=present" in html.split("</div>")[0]


def test_only_a_facilitator_polls_as_the_presenter(client, audit, participant):
    add_friction(audit, participant)
    assert poll(client_of(participant), audit, 0, "present").status_code == 403


def test_an_unknown_step_is_a_bad_request(owner_client, audit):
    assert poll(owner_client, audit, 0, "nowhere").status_code == 400


def test_the_answer_costs_the_same_queries_whatever_the_audits_size(client, flywheel, owner):
    def queries(audit) -> int:
        team = audit.teams.order_by("pk").first()
        force = team.forces.order_by("pk").first()
        since = since_now(audit, owner)
        editing.save_cell(audit, TABLES["force"], force, "owner", "Ana", force.owner, owner)
        editing.add_row(audit, TABLES["force"], Force(name="Referrals"), owner, team=team)
        room.start_timer(audit, 5)
        client.force_login(owner)
        poll(client, audit, since, "forces")  # the first answer renders and shares the fragments
        with CaptureQueriesContext(connection) as captured:
            assert poll(client, audit, since, "forces").status_code == 200
        return len(captured)

    assert queries(build_small_audit(flywheel)) == queries(build_large_audit(flywheel, friction=60, forces=80))


def test_a_carried_forward_audits_first_poll_answers_its_first_change(owner_client, audit, owner):
    FrictionPointFactory(audit=audit, source="Leads go cold")
    new = carry.carry_forward(audit)
    since = since_now(new, owner)
    assert poll(owner_client, new, since, "identify").status_code == 204
    row = new.friction_points.get()
    editing.save_cell(new, TABLES["friction"], row, "teams", "Field sales", "", owner)
    html = answer(owner_client, new, since, "identify")
    assert swapped(html, f"friction-row-{row.pk}") and "Field sales" in html
    assert 'id="workshop-main"' not in html


def test_the_summary_is_redrawn_when_what_it_sums_up_changes(owner_client, audit, owner):
    row = FrictionPointFactory(audit=audit, source="Leads go cold")
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "automation", "A chatbot", "", owner)
    html = answer(owner_client, audit, since, "summary")
    assert swapped(html, "workshop-main") and "A chatbot" in html


def test_a_settled_row_leaves_the_later_steps(owner_client, audit, owner):
    FrictionPointFactory(audit=audit, source="Still open")
    row = FrictionPointFactory(audit=audit, source="Leads go cold")
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "automation", "A chatbot", "", owner)
    html = answer(owner_client, audit, since, "goals")
    assert swapped(html, "workshop-main")
    main = html[html.index('id="workshop-main"') :]
    assert "Still open" in main and "Leads go cold" not in main


def test_the_tables_version_moves_with_the_tables_only(audit, owner):
    row = FrictionPointFactory(audit=audit)
    room.set_voting(audit, True)
    before = deltas.tables_version(loaded(audit, owner))
    room.start_timer(audit, 5)
    room.cast_vote(audit, owner, "friction", row.pk)
    room.set_locked(audit, "identify", True)
    room.clear_votes(audit)
    assert deltas.tables_version(loaded(audit, owner)) == before
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Sales", "", owner)
    assert deltas.tables_version(loaded(audit, owner)) == before + 1


def test_a_row_deleted_in_the_millisecond_hiding_began_counts_as_hidden():
    # The deletion's snapshot keeps milliseconds only: 10:00:00.332 may have been after 10:00:00.3325.
    workshop = Workshop(hidden_steps={"identify": "2026-01-01T10:00:00.332500+00:00"})
    row = ("friction", 1)
    changes = Changes(version=2, deleted=frozenset({row}), authors=((row, 5, "2026-01-01T10:00:00.332Z"),))
    assert changes.deleted_for(Viewer(9, sees_all=False), workshop) == []
    assert changes.deleted_for(Viewer(5, sees_all=False), workshop) == [row]
    assert changes.deleted_for(Viewer(9, sees_all=True), workshop) == [row]
    earlier = Changes(version=2, deleted=frozenset({row}), authors=((row, 5, "2026-01-01T10:00:00.331Z"),))
    assert earlier.deleted_for(Viewer(9, sees_all=False), workshop) == [row]


def test_pages_at_different_versions_share_one_drawing_of_the_rows(audit, owner, member_factory):
    rows = [FrictionPointFactory(audit=audit, source=f"Row {number}") for number in range(3)]
    since = since_now(audit, owner)
    for number, row in enumerate(rows):
        editing.save_cell(audit, TABLES["friction"], row, "teams", f"Team {number}", "", owner)
    first, second = (client_of(member_factory(Role.PARTICIPANT)) for _ in range(2))
    behind = answer(first, audit, since, "identify")
    assert all(f"Team {number}" in behind for number in range(3))
    with CaptureQueriesContext(connection) as drawn_before:
        nearly = answer(second, audit, since + 2, "identify")
    assert "Team 2" in nearly and "Team 0" not in nearly and "Team 1" not in nearly
    # The rows come from the shared drawing: no document is loaded for this page. The session, the user,
    # the version check, the audit with its workshop, and the activity log.
    assert not any("audits_frictionpoint" in query["sql"] for query in drawn_before.captured_queries)
    assert len(drawn_before) == session_queries() + 4


def test_a_page_further_behind_than_the_shared_drawing_gets_its_rows_too(owner_client, audit, owner):
    row, other = FrictionPointFactory(audit=audit), FrictionPointFactory(audit=audit)
    editing.save_cell(audit, TABLES["friction"], other, "teams", "Long ago", "", owner)
    for number in range(Drawn.WINDOW + 1):
        editing.save_cell(audit, TABLES["friction"], row, "owner", str(number), row.owner, owner)
    answer(owner_client, audit, since_now(audit, owner) - 1, "identify")  # draws the recent changes
    html = answer(owner_client, audit, 0, "identify")
    assert swapped(html, f"friction-row-{other.pk}") and "Long ago" in html


def test_a_timer_change_draws_no_rows(owner_client, audit, owner, monkeypatch):
    row = FrictionPointFactory(audit=audit)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Sales", "", owner)
    since = since_now(audit, owner)
    room.add_minute(audit)

    def no_rows(*args, **kwargs):
        raise AssertionError("no rows to draw")

    monkeypatch.setattr(WorkshopPage, "render_rows", no_rows)
    monkeypatch.setattr(WorkshopPage, "render_container", no_rows)
    html = answer(owner_client, audit, since, "identify")
    assert swapped(html, "panel-session") and "friction-row" not in html


def test_an_edit_to_the_tables_leaves_the_session_bar_as_the_page_has_it(owner_client, audit, owner):
    # The session bar shows the live state alone; redrawing it for every edit would draw it per viewer
    # on nearly every poll of a busy workshop.
    room.start_timer(audit, 5)
    since = since_now(audit, owner)
    row = FrictionPointFactory(audit=audit)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    html = answer(owner_client, audit, since, "identify")
    assert swapped(html, f"friction-row-{row.pk}")
    assert 'id="panel-session"' not in html
    room.stop_timer(audit)
    assert swapped(answer(owner_client, audit, since, "identify"), "panel-session")


class Clock:
    """answers' clock, moved by hand: the moments of settings.LIVE_ANSWER_SECONDS."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


def poller_version(html: str) -> int:
    return int(re.search(r'id="live-poll"[^>]*data-version="(\d+)"', html).group(1))


def test_in_one_moment_every_page_is_answered_up_to_the_version_the_first_poll_found(
    owner_client, audit, owner, settings, monkeypatch
):
    settings.LIVE_ANSWER_SECONDS = 0.5
    clock = Clock(1000.1)
    monkeypatch.setattr(answers, "time", clock)
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "First", "", owner)
    first = answer(owner_client, audit, since, "identify")
    assert poller_version(first) == since + 1 and "First" in first
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Second", "First", owner)
    # Later in the same moment: a page at the old version gets that moment's answer (drawn once for all)…
    assert poller_version(answer(owner_client, audit, since, "identify")) == since + 1
    # …and a page already there hears of the second change in the next moment, not before.
    assert poll(owner_client, audit, since + 1, "identify").status_code == 204
    clock.now = 1000.6
    later = answer(owner_client, audit, since + 1, "identify")
    assert poller_version(later) == since + 2 and "Second" in later


def test_a_page_is_never_told_a_version_it_was_not_shown(audit, settings, monkeypatch):
    settings.LIVE_ANSWER_SECONDS = 0.5
    monkeypatch.setattr(answers, "time", Clock(1000.1))
    # Whoever fixes the moment's version first, a request that read an older version answers with that one.
    assert answers.answer_version(audit.pk, 7) == 7
    assert answers.answer_version(audit.pk, 9) == 7
    assert answers.answer_version(audit.pk, 5) == 5


def test_without_a_cache_every_answer_is_the_audit_as_it_is(audit, settings, monkeypatch):
    settings.LIVE_ANSWER_SECONDS = 0.5

    def down(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    monkeypatch.setattr(cache, "get", down)
    monkeypatch.setattr(cache, "add", down)
    assert answers.answer_version(audit.pk, 7) == 7
    assert answers.answer_version(audit.pk, 9) == 9


def test_pages_asking_from_one_version_share_one_answer(audit, owner, member_factory):
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    first, second = (client_of(member_factory(Role.PARTICIPANT)) for _ in range(2))
    assert "Field sales" in answer(first, audit, since, "identify")
    with CaptureQueriesContext(connection) as asked:
        again = answer(second, audit, since, "identify")
    assert "Field sales" in again and swapped(again, f"friction-row-{row.pk}")
    # The session (unless read from Redis), the user and the poll's own query: the audit is not even loaded.
    assert len(asked) == session_queries() + 2
    # One answer for every page: no session's CSRF token in its forms (htmx sends the page's as a header).
    assert "csrfmiddlewaretoken" not in again and "<!--csrf-token-->" not in again
    # A browser (they all take gzip) gets it as stored, gzipped once.
    zipped = poll(second, audit, since, "identify", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert zipped["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped["Vary"]
    assert gzip.decompress(zipped.content).decode() == again


def test_a_poll_waits_only_a_moment_for_an_answer_being_drawn(audit, owner, member_factory, monkeypatch):
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    participant = member_factory(Role.PARTICIPANT)
    state = poll_state_for(participant, audit.pk)
    key = answers.answer_key(state, participant.pk, "identify", since, state.version)
    client = client_of(participant)
    assert render_cache.claim(key)  # another worker is drawing it, and is slow
    monkeypatch.setattr("audits.views.polling.ANSWER_WAIT_SECONDS", 0.02)
    assert poll(client, audit, since, "identify").status_code == 204  # unchanged for now: it asks again in 2 s
    assert render_cache.get(key) is None  # and it drew nothing itself
    # Theirs arrives while it waits: that is the answer.
    render_cache.release(key)
    stored = answer(client, audit, since, "identify")
    packed = render_cache.get(key)
    cache.delete(key)
    assert render_cache.claim(key)
    monkeypatch.setattr(render_cache.time, "sleep", lambda seconds: render_cache.put(key, packed))
    assert answer(client, audit, since, "identify") == stored
    # The one that draws lets go of the drawing when it is done, stored or not.
    render_cache.release(key)
    cache.delete(key)
    answer(client, audit, since, "identify")
    assert render_cache.claim(key)


def test_a_form_from_a_shared_answer_saves_with_the_pages_token(audit, owner, member_factory):
    row = FrictionPointFactory(audit=audit, teams="Sales")
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "source", "Slow refunds", row.source, owner)
    participant = member_factory(Role.PARTICIPANT)
    client = Client(enforce_csrf_checks=True)
    client.force_login(participant)
    page = client.get(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"}))
    token = re.search(r'"x-csrftoken": "(\w+)"', page.content.decode()).group(1)
    html = answer(client, audit, since, "identify")
    form = re.search(rf'<form id="cell-friction-{row.pk}-teams-form".*?</form>', html).group(0)
    assert "csrfmiddlewaretoken" not in form
    url = re.search(r'hx-post="([^"]+)"', form).group(1)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    posted = client.post(url, fields | {"value": "Field sales"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert posted.status_code == 200
    row.refresh_from_db()
    assert row.teams == "Field sales"


def test_a_viewer_and_an_editor_never_share_an_answer(audit, owner, member_factory):
    row = FrictionPointFactory(audit=audit)
    since = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], row, "teams", "Field sales", "", owner)
    viewer, editor = client_of(member_factory(Role.VIEWER)), client_of(member_factory(Role.PARTICIPANT))
    cell_form = f'id="cell-friction-{row.pk}-teams-form"'
    assert cell_form not in answer(viewer, audit, since, "identify")
    assert cell_form in answer(editor, audit, since, "identify")
    assert cell_form not in answer(viewer, audit, since, "identify")


def poll_state(audit, user, **fields) -> PollState:
    state = poll_state_for(user, audit.pk)
    return PollState(state.audit_id, state.version, state.role, state.fields | fields)


def test_while_voting_or_hiding_each_viewer_has_an_answer_of_their_own(audit, owner, member_factory):
    other = member_factory(Role.OWNER)
    since = since_now(audit, owner)
    for fields, shared in (({}, True), ({"voting_open": True}, False), ({"hidden_steps": {"identify": "x"}}, False)):
        keys = {
            answers.answer_key(poll_state(audit, user, **fields), user.pk, "identify", since - 1, since)
            for user in (owner, other)
        }
        assert len(keys) == (1 if shared else 2), fields


def test_a_page_whose_session_bar_moved_the_overview_or_the_summary_gets_an_answer_of_its_own(audit, owner):
    live_state = {"logged_from": 0, "layout_version": 2, "shared_version": 3}
    state = poll_state(audit, owner, **live_state)
    assert answers.answer_key(state, owner.pk, "identify", 5, 6) is not None
    assert answers.answer_key(state, owner.pk, "", 5, 6) is None
    assert answers.answer_key(state, owner.pk, "summary", 5, 6) is None
    assert answers.answer_key(state, owner.pk, answers.PRESENTER, 5, 6) is None
    for moved in ({"shared_version": 6}, {"layout_version": 6}, {"logged_from": 6}):
        state = poll_state(audit, owner, **(live_state | moved))
        assert answers.answer_key(state, owner.pk, "identify", 5, 6) is None, moved


def test_pages_a_moment_or_two_apart_share_the_answer_drawn_from_the_start_of_their_two_seconds(
    audit, owner, member_factory, settings, monkeypatch
):
    settings.LIVE_ANSWER_SECONDS = 0.5
    clock = Clock(1000.1)  # moment 2000: a stretch of answers.BASE_MOMENTS moments begins
    monkeypatch.setattr(answers, "time", clock)
    first_row, second_row = FrictionPointFactory(audit=audit), FrictionPointFactory(audit=audit)
    behind, ahead = (client_of(member_factory(Role.PARTICIPANT)) for _ in range(2))
    start = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], first_row, "teams", "Field sales", "", owner)
    at_start = poller_version(answer(behind, audit, start, "identify"))  # the stretch's first version
    clock.now = 1000.6
    editing.save_cell(audit, TABLES["friction"], second_row, "teams", "Inside sales", "", owner)
    ahead_since = poller_version(answer(ahead, audit, at_start, "identify"))
    assert ahead_since == at_start + 1
    clock.now = 1001.1
    editing.save_cell(audit, TABLES["friction"], first_row, "teams", "Partners", "Field sales", owner)
    # One page a moment behind the other: both get one answer, drawn from the stretch's first version, so
    # it holds the second row again for the page that has it already.
    drawn = answer(behind, audit, at_start, "identify")
    with CaptureQueriesContext(connection) as asked:
        shared = answer(ahead, audit, ahead_since, "identify")
    assert shared == drawn and len(asked) == session_queries() + 2
    assert "Partners" in shared and swapped(shared, f"friction-row-{second_row.pk}")
    assert poller_version(shared) == ahead_since + 1
    # A page from before the stretch began is answered from its own version.
    assert answers.answer_base(audit.pk, start) == start
    assert answers.answer_base(audit.pk, ahead_since) == at_start


def test_a_row_that_came_after_the_stretch_began_and_went_leaves_the_page_that_got_it(
    audit, owner, member_factory, settings, monkeypatch
):
    settings.LIVE_ANSWER_SECONDS = 0.5
    clock = Clock(1000.1)  # a stretch begins
    monkeypatch.setattr(answers, "time", clock)
    FrictionPointFactory(audit=audit)
    page = client_of(member_factory(Role.PARTICIPANT))
    start = since_now(audit, owner)
    editing.save_cell(audit, TABLES["friction"], FrictionPointFactory(audit=audit), "teams", "Sales", "", owner)
    at_start = poller_version(answer(page, audit, start, "identify"))
    clock.now = 1000.6
    row = add_friction(audit, owner, source="Gone again")
    got_it = answer(page, audit, at_start, "identify")
    assert "Gone again" in got_it
    clock.now = 1001.1
    row_id = row.pk
    editing.delete_row(audit, row, owner)
    # Answered from the stretch's first version, when the row was not there yet: it still goes.
    assert answers.answer_base(audit.pk, poller_version(got_it)) == at_start
    html = answer(page, audit, poller_version(got_it), "identify")
    assert swapped(html, f"friction-row-{row_id}", "delete")
