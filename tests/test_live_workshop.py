"""Running a workshop live: join links and guests, presence, the facilitator's controls, votes."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.content import editing
from audits.content.tables import TABLES
from audits.live import room
from audits.models import Activity, FrictionPoint, Guest, JoinLink, Membership, Vote, Workshop

from .factories import AuditFactory, FlywheelFactory, ForceFactory, FrictionPointFactory, TeamFactory, UserFactory

Role = Membership.Role
HTMX = {"HX-Request": "true"}


def facilitate(client, audit, action, htmx=True, **data):
    url = reverse("audits:facilitate", kwargs={"audit_id": audit.pk})
    return client.post(url, {"action": action, **data}, headers=HTMX if htmx else {})


def join_url(link) -> str:
    return reverse("audits:join", kwargs={"token": room.join_token(link)})


def step_url(audit, step) -> str:
    return reverse("audits:step", kwargs={"audit_id": audit.pk, "step": step})


def cell_url(audit, kind, row) -> str:
    return reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})


def add_url(audit, kind) -> str:
    return reverse("audits:row-add", kwargs={"audit_id": audit.pk, "kind": kind})


@pytest.fixture
def facilitator(member_factory):
    return member_factory(Role.FACILITATOR, username="fiona")


@pytest.fixture
def facilitator_client(client, facilitator):
    client.force_login(facilitator)
    return client


@pytest.fixture
def participant_client(client_factory, member_factory):
    return client_factory(member_factory(Role.PARTICIPANT, username="paul", first_name="Paul"))


@pytest.fixture
def client_factory(db):
    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def link(audit, facilitator):
    return room.open_join_link(audit, facilitator, hours=4)


def join_as_guest(client, link, name="Gita"):
    return client.post(join_url(link), {"name": name})


# --- Joining ------------------------------------------------------------------------------------


def test_a_facilitator_opens_a_join_link_and_sees_it(facilitator_client, audit):
    response = facilitate(facilitator_client, audit, "link-open", hours="8")
    assert response.status_code == 200
    link = JoinLink.objects.get(audit=audit)
    assert timedelta(hours=7, minutes=59) < link.expires_at - timezone.now() <= timedelta(hours=8)
    assert room.join_token(link) in response.content.decode()


def test_opening_a_new_link_closes_the_old_one(audit, facilitator):
    first = room.open_join_link(audit, facilitator, hours=4)
    second = room.open_join_link(audit, facilitator, hours=4)
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert room.active_join_link(audit) == second


def test_a_participant_cannot_open_a_join_link(participant_client, audit):
    assert facilitate(participant_client, audit, "link-open").status_code == 403
    assert not JoinLink.objects.exists()


def test_a_guest_joins_by_name_and_works_on_the_audit(client, link, audit):
    assert "Your name" in client.get(join_url(link)).content.decode()
    response = join_as_guest(client, link, "  Gita   Rao ")
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    guest = Guest.objects.get(audit=audit)
    assert guest.display_name == "Gita Rao"
    assert not guest.user.has_usable_password()
    assert client.get(step_url(audit, "identify")).status_code == 200
    added = client.post(add_url(audit, "friction"), {"friction-source": "Slow replies"}, headers=HTMX)
    assert added.status_code == 200
    row = FrictionPoint.objects.get(audit=audit)
    assert row.author == guest.user
    assert Activity.objects.get(action=Activity.Action.ADD).user == guest.user


def test_a_guest_must_type_a_name(client, link):
    response = join_as_guest(client, link, "   ")
    assert response.status_code == 422
    assert "This field is required." in response.content.decode() or "Type the name" in response.content.decode()
    assert not Guest.objects.exists()


def test_a_guest_is_a_participant_not_a_facilitator(client, link, audit):
    join_as_guest(client, link)
    assert facilitate(client, audit, "timer-start", minutes="5").status_code == 403
    assert client.get(reverse("audits:activity", kwargs={"audit_id": audit.pk})).status_code == 403
    assert client.get(reverse("audits:present", kwargs={"audit_id": audit.pk})).status_code == 403


def test_a_guest_reaches_nothing_else_of_the_organization(client, link, audit, flywheel, organization):
    other_audit = AuditFactory(flywheel=flywheel, title="Other audit")
    join_as_guest(client, link)
    for url in (
        other_audit.get_absolute_url(),
        step_url(other_audit, "identify"),
        reverse("audits:flywheel", kwargs={"flywheel_id": flywheel.pk}),
        reverse("audits:members", kwargs={"organization_id": organization.pk}),
        reverse("audits:flywheels"),
        reverse("audits:home"),
        reverse("audits:profile"),
        reverse("audits:organization-create"),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == audit.get_absolute_url(), url
    assert client.post(reverse("audits:organization-create"), {"name": "Mine"}).status_code == 302
    assert organization.__class__.objects.filter(name="Mine").count() == 0


def test_the_permission_layer_alone_keeps_a_guest_to_their_audit(link, audit, flywheel):
    from django.http import Http404

    from audits.accounts.permissions import get_audit_for, get_flywheel_for

    guest_user = room.join_as_guest(link, "Gita")
    other_audit = AuditFactory(flywheel=flywheel)
    assert get_audit_for(guest_user, audit.pk, need="edit").user_role == Role.PARTICIPANT
    with pytest.raises(Http404):
        get_audit_for(guest_user, other_audit.pk)
    with pytest.raises(Http404):
        get_flywheel_for(guest_user, flywheel.pk)


def test_a_revoked_link_gives_a_clear_page_and_ends_guest_access(client, link, audit):
    join_as_guest(client, link)
    room.revoke_join_link(link)
    response = client.get(step_url(audit, "identify"))
    assert response.status_code == 410
    assert "The facilitator closed this link" in response.content.decode()
    fresh = client.get(join_url(link))
    assert fresh.status_code == 410
    assert "The facilitator closed this link" in fresh.content.decode()


def test_an_expired_link_gives_a_clear_page(client, link):
    JoinLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(join_url(link))
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert join_as_guest(client, link).status_code == 410
    assert not Guest.objects.exists()


def test_a_made_up_or_altered_token_is_not_valid(client, link):
    token = room.join_token(link)
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), "12:abc", "nonsense"):
        response = client.get(reverse("audits:join", kwargs={"token": bad}))
        assert response.status_code == 404
        assert "This link is not valid" in response.content.decode()


def test_a_member_joins_as_themselves(owner_client, owner, link, audit):
    response = owner_client.get(join_url(link))
    assert response.status_code == 302
    assert response.url == audit.get_absolute_url()
    assert not Guest.objects.exists()


def test_a_logged_in_outsider_joins_under_their_own_name(client, link, audit):
    stranger = UserFactory(username="sam", first_name="Sam", last_name="Lee")
    client.force_login(stranger)
    assert "Sam Lee" in client.get(join_url(link)).content.decode()
    assert client.post(join_url(link)).status_code == 302
    assert Guest.objects.get(user=stranger).display_name == "Sam Lee"
    assert client.get(step_url(audit, "forces")).status_code == 200


# --- Presence -----------------------------------------------------------------------------------


def test_presence_lists_who_is_on_the_audit_now(participant_client, owner_client, audit, owner):
    url = reverse("audits:presence", kwargs={"audit_id": audit.pk})
    owner_client.post(url, {"step": "identify"})
    response = participant_client.post(url, {"step": "forces"}, headers=HTMX)
    html = response.content.decode()
    assert "Paul" in html and "olivia" in html
    assert "2 people here" in html
    room.Presence.objects.filter(user=owner).update(last_seen=timezone.now() - timedelta(minutes=5))
    html = participant_client.post(url, {"step": "forces"}).content.decode()
    assert "olivia" not in html
    assert "1 person here" in html


def test_presence_costs_the_same_few_queries_however_many_are_here(participant_client, audit, member_factory):
    url = reverse("audits:presence", kwargs={"audit_id": audit.pk})
    participant_client.post(url, {"step": "forces"})
    with CaptureQueriesContext(connection) as few:
        participant_client.post(url, {"step": "forces"})
    for number in range(12):
        room.mark_present(audit, member_factory(Role.PARTICIPANT, username=f"p{number}"), "identify")
    with CaptureQueriesContext(connection) as many:
        html = participant_client.post(url, {"step": "forces"}).content.decode()
    assert "13 people here" in html and "p11" in html
    assert len(many) == len(few)


def test_presence_is_drawn_for_each_language_and_each_list(participant_client, audit, owner):
    url = reverse("audits:presence", kwargs={"audit_id": audit.pk})
    assert "1 person here" in participant_client.post(url, {"step": "forces"}).content.decode()
    participant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "1 person here" not in participant_client.post(url, {"step": "forces"}).content.decode()
    del participant_client.cookies[settings.LANGUAGE_COOKIE_NAME]
    room.mark_present(audit, owner, "identify")
    assert "2 people here" in participant_client.post(url, {"step": "forces"}).content.decode()


def test_a_second_tab_of_the_same_person_is_one_presence(audit, owner):
    room.mark_present(audit, owner, "identify")
    room.mark_present(audit, owner, "forces")
    assert [presence.step for presence in room.Presence.objects.filter(audit=audit)] == ["forces"]


# --- The facilitator's controls -----------------------------------------------------------------


def test_every_control_bumps_the_version_so_open_pages_learn_of_it(facilitator_client, audit):
    version = audit.content_version
    for action, data in [
        ("lead", {"step": "identify"}),
        ("timer-start", {"minutes": "5"}),
        ("timer-pause", {}),
        ("timer-resume", {}),
        ("timer-add", {}),
        ("timer-stop", {}),
        ("lock", {"step": "identify"}),
        ("unlock", {"step": "identify"}),
        ("hide", {"step": "identify"}),
        ("reveal", {"step": "identify"}),
        ("voting-open", {"votes": "3"}),
        ("voting-close", {}),
    ]:
        response = facilitate(facilitator_client, audit, action, **data)
        assert response.status_code == 200, action
        assert "audit-changed" in response["HX-Trigger"]
        audit.refresh_from_db()
        assert audit.content_version == version + 1, action
        version += 1


def test_a_refused_control_says_why(facilitator_client, audit):
    response = facilitate(facilitator_client, audit, "timer-pause")
    assert response.status_code == 422
    assert "The timer is not running." in response.content.decode()
    plain = facilitate(facilitator_client, audit, "timer-pause", htmx=False, step="identify")
    assert plain.status_code == 302


def test_the_timer_pauses_resumes_and_gains_a_minute(audit):
    room.start_timer(audit, 5)
    workshop = Workshop.objects.get(audit=audit)
    assert 299 <= room.timer_of(workshop).seconds_left() <= 300
    room.pause_timer(audit)
    room.add_minute(audit)
    workshop.refresh_from_db()
    timer = room.timer_of(workshop)
    assert timer.paused and not timer.running
    assert 359 <= timer.seconds_left() <= 360
    assert timer.clock in ("5:59", "6:00")
    room.resume_timer(audit)
    workshop.refresh_from_db()
    assert room.timer_of(workshop).running


def test_everyone_sees_the_timer_and_the_facilitators_step(facilitator_client, participant_client, audit):
    facilitate(facilitator_client, audit, "timer-start", minutes="10")
    facilitate(facilitator_client, audit, "lead", step="forces")
    html = participant_client.get(step_url(audit, "identify")).content.decode()
    assert 'role="timer"' in html and "10:00" in html or "9:59" in html
    assert f'data-facilitator-step-url="{step_url(audit, "forces")}"' in html
    assert "Follow the facilitator" in html
    assert "Facilitate" not in html  # the controls are the facilitator's


def test_a_locked_step_refuses_participants_edits(facilitator_client, participant_client, audit):
    row = FrictionPointFactory(audit=audit, source="Old")
    facilitate(facilitator_client, audit, "lock", step="identify")
    response = participant_client.post(
        cell_url(audit, "friction", row), {"field": "source", "value": "New", "original": "Old"}, headers=HTMX
    )
    assert response.status_code == 423
    assert "locked this step" in response.content.decode()
    added = participant_client.post(add_url(audit, "friction"), {"friction-source": "X"}, headers=HTMX)
    assert added.status_code == 423
    row.refresh_from_db()
    assert row.source == "Old" and FrictionPoint.objects.count() == 1
    # The next step (automation answers) is not locked, and the facilitator may still edit.
    answer = participant_client.post(
        cell_url(audit, "friction", row), {"field": "automation", "value": "No", "original": ""}, headers=HTMX
    )
    assert answer.status_code == 200
    mine = facilitator_client.post(
        cell_url(audit, "friction", row), {"field": "source", "value": "New", "original": "Old"}, headers=HTMX
    )
    assert mine.status_code == 200
    page = participant_client.get(step_url(audit, "identify")).content.decode()
    assert "you can read it but not change it" in page
    assert 'name="value"' not in page.split('id="friction-table"')[1]


# --- Anonymous input ------------------------------------------------------------------------------


def test_hidden_rows_are_seen_by_their_authors_only_until_the_reveal(
    facilitator_client, client_factory, member_factory, audit
):
    before = FrictionPointFactory(audit=audit, source="Known before hiding")
    anna, ben = member_factory(Role.PARTICIPANT, username="anna"), member_factory(Role.PARTICIPANT, username="ben")
    anna_client, ben_client = client_factory(anna), client_factory(ben)
    facilitate(facilitator_client, audit, "hide", step="identify")
    anna_client.post(add_url(audit, "friction"), {"friction-source": "Anna's secret"}, headers=HTMX)
    ben_client.post(add_url(audit, "friction"), {"friction-source": "Ben's secret"}, headers=HTMX)

    anna_page = anna_client.get(step_url(audit, "identify")).content.decode()
    assert "Anna&#x27;s secret" in anna_page and "Ben&#x27;s secret" not in anna_page
    assert before.source in anna_page
    facilitator_page = facilitator_client.get(step_url(audit, "identify")).content.decode()
    assert "Anna&#x27;s secret" in facilitator_page and "Ben&#x27;s secret" in facilitator_page
    room.lead_to(audit, "identify")
    presenter = facilitator_client.get(reverse("audits:present", kwargs={"audit_id": audit.pk})).content.decode()
    assert "Anna&#x27;s secret" not in presenter and "2 new rows collected" in presenter
    # Nor can a participant reach a hidden row by its id.
    bens = FrictionPoint.objects.get(source="Ben's secret")
    assert (
        anna_client.post(
            cell_url(audit, "friction", bens), {"field": "source", "value": "x", "original": bens.source}, headers=HTMX
        ).status_code
        == 404
    )

    facilitate(facilitator_client, audit, "reveal", step="identify")
    anna_page = anna_client.get(step_url(audit, "identify")).content.decode()
    assert "Ben&#x27;s secret" in anna_page
    assert "by ben" not in anna_page  # anonymous unless the facilitator chose named input


def test_named_input_shows_authors_after_the_reveal(facilitator_client, participant_client, audit):
    facilitate(facilitator_client, audit, "hide", step="forces", named="on")
    team = TeamFactory(audit=audit, name="Sales")
    participant_client.post(
        add_url(audit, "force"), {"group": team.pk, f"force-{team.pk}-name": "Discounts"}, headers=HTMX
    )
    facilitate(facilitator_client, audit, "reveal", step="forces")
    html = facilitator_client.get(step_url(audit, "forces")).content.decode()
    assert "Discounts" in html
    assert "by Paul" in html


# --- Dot voting ---------------------------------------------------------------------------------


def vote_url(audit, kind, row) -> str:
    return reverse("audits:vote", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})


def test_votes_are_limited_per_person_and_sort_the_table_afterwards(facilitator_client, participant_client, audit):
    first = FrictionPointFactory(audit=audit, source="First row", position=0)
    second = FrictionPointFactory(audit=audit, source="Second row", position=1)
    assert participant_client.post(vote_url(audit, "friction", second), headers=HTMX).status_code == 409  # closed
    facilitate(facilitator_client, audit, "voting-open", votes="2")
    assert participant_client.post(vote_url(audit, "friction", second), headers=HTMX).status_code == 200
    response = participant_client.post(vote_url(audit, "friction", second), headers=HTMX)
    assert response.status_code == 200 and "2 votes" in response.content.decode()
    refused = participant_client.post(vote_url(audit, "friction", first), headers=HTMX)
    assert refused.status_code == 409
    assert "used all your 2 votes" in refused.content.decode()
    participant_client.post(vote_url(audit, "friction", second), {"direction": "remove"}, headers=HTMX)
    assert participant_client.post(vote_url(audit, "friction", first), headers=HTMX).status_code == 200
    facilitator_client.post(vote_url(audit, "friction", second), headers=HTMX)
    assert Vote.objects.count() == 3

    page = participant_client.get(step_url(audit, "identify")).content.decode()
    assert "You have" not in page  # closed? not yet: still open
    facilitate(facilitator_client, audit, "voting-close")
    page = participant_client.get(step_url(audit, "identify")).content.decode()
    table = page.split('id="friction-table"')[1]
    assert table.index("Second row") < table.index("First row")
    assert "paul" not in table.lower()  # anonymous by default


def test_named_votes_show_the_voters(facilitator_client, participant_client, audit):
    row = FrictionPointFactory(audit=audit, source="A row")
    facilitate(facilitator_client, audit, "voting-open", votes="3", named="on")
    participant_client.post(vote_url(audit, "friction", row), headers=HTMX)
    facilitate(facilitator_client, audit, "voting-close")
    page = facilitator_client.get(step_url(audit, "identify")).content.decode()
    assert "(Paul)" in page


def test_votes_go_on_forces_too(facilitator_client, participant_client, audit):
    force = ForceFactory(audit=audit, team=TeamFactory(audit=audit), name="Referrals")
    facilitate(facilitator_client, audit, "voting-open", votes="1")
    assert participant_client.post(vote_url(audit, "force", force), headers=HTMX).status_code == 200
    assert Vote.objects.get().force == force


def test_a_voter_cannot_vote_on_another_organizations_row(facilitator_client, participant_client, audit, outsider):
    foreign = FrictionPointFactory(audit=AuditFactory(flywheel=FlywheelFactory()))
    facilitate(facilitator_client, audit, "voting-open", votes="3")
    assert participant_client.post(vote_url(audit, "friction", foreign), headers=HTMX).status_code == 404
    assert not Vote.objects.exists()


# --- Presenter view and restoring a deleted row -----------------------------------------------------


def test_the_presenter_view_shows_the_current_step_and_the_qr_code(facilitator_client, audit, link):
    FrictionPointFactory(audit=audit, source="Leads wait for days")
    room.lead_to(audit, "identify")
    response = facilitator_client.get(reverse("audits:present", kwargs={"audit_id": audit.pk}))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Leads wait for days" in html
    assert 'src="data:image/svg+xml' in html and 'alt="QR code to join the workshop"' in html
    assert room.join_token(link) in html
    assert 'name="value"' not in html  # read-only, for the projector


def test_a_row_deleted_meanwhile_can_be_restored(participant_client, owner, audit):
    row = editing.add_row(audit, TABLES["friction"], FrictionPoint(source="Keep me"), owner)
    row_id = row.pk
    editing.delete_row(audit, row, owner)
    row.pk = row_id
    saved = participant_client.post(
        cell_url(audit, "friction", row), {"field": "source", "value": "x", "original": "Keep me"}, headers=HTMX
    )
    assert saved.status_code == 409
    assert reverse("audits:row-restore", kwargs={"audit_id": audit.pk, "kind": "friction", "row_id": row.pk}) in (
        saved.content.decode()
    )
    restore = reverse("audits:row-restore", kwargs={"audit_id": audit.pk, "kind": "friction", "row_id": row.pk})
    assert participant_client.post(restore, headers=HTMX).status_code == 200
    assert FrictionPoint.objects.filter(audit=audit, source="Keep me").exists()


def test_names_people_typed_are_escaped_everywhere_they_show(facilitator_client, link, audit):
    client = Client()
    name = '<b onmouseover="x()">Eve</b>'
    join_as_guest(client, link, name)
    facilitate(facilitator_client, audit, "hide", step="identify", named="on")
    client.post(add_url(audit, "friction"), {"friction-source": "Slow replies"}, headers=HTMX)
    facilitate(facilitator_client, audit, "reveal", step="identify")
    facilitate(facilitator_client, audit, "voting-open", votes="1", named="on")
    client.post(vote_url(audit, "friction", FrictionPoint.objects.get(audit=audit)), headers=HTMX)
    facilitate(facilitator_client, audit, "voting-close")
    presence = client.post(reverse("audits:presence", kwargs={"audit_id": audit.pk})).content.decode()
    page = facilitator_client.get(step_url(audit, "identify")).content.decode()
    escaped = "&lt;b onmouseover=&quot;x()&quot;&gt;Eve&lt;/b&gt;"
    for html in (presence, page):
        assert name not in html
        assert escaped in html
    assert f"by {escaped}" in page and f"({escaped})" in page


def test_a_guest_polls_their_audit_until_the_link_closes(client, link, audit):
    join_as_guest(client, link)
    audit.refresh_from_db()  # opening the link moved the version on: open pages learn of it
    poll = reverse("audits:audit-changes", kwargs={"audit_id": audit.pk}) + f"?since={audit.content_version}"
    assert client.get(poll).status_code == 204
    room.revoke_join_link(link)
    assert client.get(poll).status_code == 404
