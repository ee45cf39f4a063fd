"""The shared render cache never serves another viewer's or a stale fragment (audits/live/render_cache.py).

Pages are built for one viewer after another on one audit, so the second finds the first's fragments in
the cache: whatever differs between them (language, role, what they may see, a lock, their votes, a
change) must give a fragment of its own.
"""

import threading
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from audits.accounts.permissions import get_audit_for
from audits.content import editing
from audits.content.tables import TABLES
from audits.live import render_cache, room, workshop_page
from audits.live.workshop_page import WorkshopPage
from audits.models import FrictionPoint, Membership

from .factories import AuditFactory, FrictionPointFactory

Role = Membership.Role
TOKEN_FIELD = 'name="csrfmiddlewaretoken" value="'


@pytest.fixture
def rows(audit):
    return [FrictionPointFactory(audit=audit, source=f"Slow refunds {n}") for n in range(3)]


def page_for(user, audit, step="identify", language="en") -> WorkshopPage:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return WorkshopPage.build(request, get_audit_for(user, audit.pk), step)


def friction_rows(user, audit, language="en", step="identify") -> dict[int, str]:
    page = page_for(user, audit, step, language)
    with translation.override(language):
        return page.render_rows("friction", [row.pk for row in FrictionPoint.objects.filter(audit=audit)])


def main_area(user, audit, step="identify", language="en") -> str:
    page = page_for(user, audit, step, language)
    with translation.override(language):
        return page.render_main()


def test_a_second_viewer_of_the_same_kind_gets_the_rows_rendered_for_the_first(audit, rows, member_factory):
    first, second = member_factory(Role.PARTICIPANT), member_factory(Role.PARTICIPANT)
    before = friction_rows(first, audit)
    with mock.patch.object(workshop_page, "get_template", wraps=workshop_page.get_template) as get_template:
        after = friction_rows(second, audit)
    assert after == before
    assert not any("rows.html" in str(call.args[0]) for call in get_template.call_args_list)


def test_each_language_has_its_own_fragments(audit, rows, owner):
    english = friction_rows(owner, audit, "en")
    vietnamese = friction_rows(owner, audit, "vi")
    assert all(">Save <" in html for html in english.values())
    assert all(">Lưu <" in html and ">Save <" not in html for html in vietnamese.values())
    assert friction_rows(owner, audit, "en") == english


def test_a_viewer_never_gets_an_editors_forms(audit, rows, owner, member_factory):
    editor_rows = friction_rows(owner, audit)
    viewer_rows = friction_rows(member_factory(Role.VIEWER), audit)
    assert all("<form" in html for html in editor_rows.values())
    assert viewer_rows.keys() == editor_rows.keys()
    assert all("<form" not in html and "Slow refunds" in html for html in viewer_rows.values())
    assert "<form" not in main_area(member_factory(Role.VIEWER), audit).split('id="rows-friction"')[1]


def test_a_hidden_row_never_reaches_another_participant(audit, rows, owner, member_factory):
    author, other = member_factory(Role.PARTICIPANT), member_factory(Role.PARTICIPANT)
    room.hide_step(audit, "identify", named=False)
    hidden = FrictionPointFactory(audit=audit, source="My secret friction", author=author)
    # The author renders first: their page, rows and main area are in the cache.
    assert hidden.pk in friction_rows(author, audit)
    assert "My secret friction" in main_area(author, audit)
    assert hidden.pk not in friction_rows(other, audit)
    assert "My secret friction" not in main_area(other, audit)
    assert "My secret friction" in main_area(owner, audit)  # the facilitator sees every row


def test_a_lock_makes_the_participants_cells_read_only(audit, rows, owner, member_factory):
    participant = member_factory(Role.PARTICIPANT)
    assert all("<form" in html for html in friction_rows(participant, audit).values())
    room.set_locked(audit, "identify", True)
    assert all("<form" not in html for html in friction_rows(participant, audit).values())
    assert 'class="cell' not in main_area(participant, audit)
    assert all("<form" in html for html in friction_rows(owner, audit).values())  # the facilitator still edits


def test_a_change_gives_new_fragments_at_once(audit, rows, owner, member_factory):
    viewer = member_factory(Role.VIEWER)
    row = rows[0]
    assert "Slow refunds 0" in friction_rows(viewer, audit)[row.pk]
    assert "Slow refunds 0" in main_area(viewer, audit)
    editing.save_cell(audit, TABLES["friction"], row, "source", "Refunds take a week", "Slow refunds 0", owner)
    assert "Refunds take a week" in friction_rows(viewer, audit)[row.pk]
    assert "Refunds take a week" in main_area(viewer, audit)
    assert "Slow refunds 0" not in main_area(viewer, audit)


def test_a_participants_votes_stay_their_own(audit, rows, owner, member_factory):
    voter, other = member_factory(Role.PARTICIPANT), member_factory(Role.PARTICIPANT)
    room.set_voting(audit, True, votes_per_person=3)
    room.cast_vote(audit, voter, "friction", rows[0].pk)
    room.cast_vote(audit, voter, "friction", rows[0].pk)
    assert "2 votes" in friction_rows(voter, audit)[rows[0].pk]
    assert "0 votes" in friction_rows(other, audit)[rows[0].pk]
    assert "2 votes" not in main_area(other, audit)


def test_shared_fragments_hold_no_csrf_token_and_pages_get_their_own(audit, rows, client, owner):
    client.force_login(owner)
    stored = []  # every fragment the page puts in the shared cache, whichever the backend
    real_set, real_set_many = cache.set, cache.set_many

    def recording_set(key, value, *args, **kwargs):
        stored.append(value)
        return real_set(key, value, *args, **kwargs)

    def recording_set_many(values, *args, **kwargs):
        stored.extend(values.values())
        return real_set_many(values, *args, **kwargs)

    render_cache.forget_recent()
    with mock.patch.object(cache, "set", recording_set), mock.patch.object(cache, "set_many", recording_set_many):
        html = client.get(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"})).content.decode()
    assert render_cache.CSRF_PLACEHOLDER not in html
    assert 'name="csrfmiddlewaretoken" value=""' not in html
    tokens = [part[: len(render_cache.CSRF_PLACEHOLDER)] for value in stored for part in value.split(TOKEN_FIELD)[1:]]
    assert len(tokens) > 10
    assert set(tokens) == {render_cache.CSRF_PLACEHOLDER}
    # Each cell's hidden token is one the server accepts for this session: a plain form post saves.
    cell = FrictionPoint.objects.get(pk=rows[0].pk)
    start = html.index(f'id="cell-friction-{cell.pk}-source-form"')
    form_token = html[html.index(TOKEN_FIELD, start) + len(TOKEN_FIELD) :].split('"')[0]
    client.handler.enforce_csrf_checks = True
    response = client.post(
        reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": "friction", "row_id": cell.pk}),
        {"csrfmiddlewaretoken": form_token, "field": "source", "value": "Typed", "original": cell.source},
    )
    assert response.status_code == 302
    cell.refresh_from_db()
    assert cell.source == "Typed"


def test_a_cache_that_is_down_costs_a_render_not_the_page(audit, rows, owner_client):
    def down(*args, **kwargs):
        raise ConnectionError("Redis is restarting")

    url = reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"})
    render_cache.forget_recent()
    with (
        mock.patch.object(cache, "get", down),
        mock.patch.object(cache, "get_many", down),
        mock.patch.object(cache, "set", down),
        mock.patch.object(cache, "set_many", down),
    ):
        response = owner_client.get(url)
    assert response.status_code == 200
    assert "Slow refunds 2" in response.content.decode()


def test_the_overview_follows_the_audit_it_was_carried_from(audit, owner):
    later = AuditFactory(flywheel=audit.flywheel, title="Next year", period_year=2026, carried_from=audit)
    assert "Annual audit" in main_area(owner, later, step="")
    audit.title = "Renamed audit"
    audit.save()
    assert "Renamed audit" in main_area(owner, later, step="")


def test_the_audits_own_details_show_at_once(audit, owner):
    assert "Annual audit" in main_area(owner, audit, step="")
    audit.title = "Renamed audit"
    audit.save()
    assert "Renamed audit" in main_area(owner, audit, step="")


def test_a_voters_dots_follow_their_votes(audit, rows, member_factory):
    voter = member_factory(Role.PARTICIPANT)
    room.set_voting(audit, True, votes_per_person=1)
    before = friction_rows(voter, audit)
    assert "0 votes" in before[rows[1].pk]
    assert " disabled>+</button>" not in before[rows[2].pk]
    room.cast_vote(audit, voter, "friction", rows[1].pk)
    after = friction_rows(voter, audit)
    assert "1 vote" in after[rows[1].pk]
    assert " disabled>+</button>" in after[rows[2].pk]  # no votes left


def test_closing_and_clearing_the_votes_redraws_the_rows(audit, rows, owner, member_factory):
    voter = member_factory(Role.PARTICIPANT)
    room.set_voting(audit, True, votes_per_person=3)
    room.cast_vote(audit, voter, "friction", rows[0].pk)
    room.set_voting(audit, False)
    assert '<td class="votes">1' in friction_rows(owner, audit)[rows[0].pk]
    room.clear_votes(audit)
    assert 'class="votes"' not in friction_rows(owner, audit)[rows[0].pk]


def never(*args):
    raise AssertionError("drawn again: the fragment another request was drawing should have been waited for")


def test_a_large_fragment_another_request_is_drawing_is_waited_for_not_drawn_again():
    # Another worker missed it first and is drawing it: it stores its drawing a moment later.
    cache.add("fragment:waited:drawing", 1, 10)
    threading.Timer(0.1, cache.set, ("fragment:waited", "<p>theirs</p>", 60)).start()
    assert render_cache.fragment("fragment:waited", never, wait=True) == "<p>theirs</p>"


def test_a_fragment_whose_drawer_never_delivers_is_drawn_here_after_a_while(monkeypatch):
    monkeypatch.setattr(render_cache, "WAIT_SECONDS", 0.1)
    cache.add("fragment:late:drawing", 1, 10)
    assert render_cache.fragment("fragment:late", lambda: "<p>mine</p>", wait=True) == "<p>mine</p>"


def test_drawing_a_fragment_stores_it_and_frees_it_for_the_next():
    assert render_cache.fragment("fragment:drawn", lambda: "<p>mine</p>", wait=True) == "<p>mine</p>"
    assert cache.get("fragment:drawn") == "<p>mine</p>" and cache.get("fragment:drawn:drawing") is None
    with pytest.raises(ValueError):
        render_cache.fragment("fragment:other", lambda: int("not a number"), wait=True)
    assert cache.get("fragment:other:drawing") is None  # a failed drawing keeps nobody waiting


def test_a_small_fragment_is_drawn_without_waiting_for_another_drawing():
    # A sync worker that waits holds up the requests queued behind it: small fragments are drawn at once.
    cache.add("fragment:small:drawing", 1, 10)
    assert render_cache.fragment("fragment:small", lambda: "<p>mine</p>") == "<p>mine</p>"
