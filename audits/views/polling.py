"""Seeing each other: the "changed?" poll and its delta, presence, dot votes, and restoring a deleted row.

Each page remembers the audit's content_version and asks "changed since N?". The answer comes
from the database (and the shared cache of rendered fragments) alone, so any web process on any
machine can give it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect, trigger_client_event

from audits.accounts.permissions import get_audit_for, poll_state_for, polled_audit
from audits.accounts.visibility import Viewer, visible_row_or_404
from audits.content.activity import snapshot_row, undo_deletion
from audits.live import render_cache, room
from audits.live.answers import (
    ANSWER_WAIT_SECONDS,
    PRESENTER,
    answer_base,
    answer_key,
    answer_response,
    answer_version,
    delta_html,
)
from audits.live.render_cache import fill_csrf
from audits.live.workshop_page import WorkshopPage
from audits.models import Activity, Workshop
from audits.responses import back, locked_response

PRESENCE_FRAGMENT_SECONDS = 60


@login_required
@require_GET
@never_cache
def changes(request: HttpRequest, audit_id: int) -> HttpResponse:
    """Answer an open page's "changed since N?": 204 while unchanged, else what changed, as htmx fragments.

    The body starts with the poller itself (carrying the new version), then each changed row, rows
    container and shared panel of the page's step, out of band (audits/live/answers.py).
    """
    # The permission lookup reads content_version too: the whole check is one query. It comes
    # first, so another organization's audit is a 404 whatever `since` says.
    state = poll_state_for(request.user, audit_id)
    version, role = state.version, state.role
    try:
        since = int(request.GET["since"])
    except (KeyError, ValueError):
        return HttpResponseBadRequest("Give the version you have as ?since=N.")
    step = request.GET.get("step", "")
    if step not in (*room.STEP_KEYS, "", PRESENTER):
        return HttpResponseBadRequest("Give the page's step as ?step=<step key>, empty for the overview.")
    if version == since:
        return HttpResponse(status=204)
    answered = answer_version(audit_id, version)
    if answered <= since < version:  # a page newer than this moment's answer: it hears of the rest next time
        return HttpResponse(status=204)
    # Most pages of a busy room ask what another page asked a moment ago: that answer, as it is.
    base = answer_base(audit_id, since)
    key = answer_key(state, request.user.pk, step, since, answered, base)
    packed = render_cache.get(key) if key else None
    if packed is None and key and not render_cache.claim(key):
        # Another request is drawing this very answer. Waited for a moment only: when the server falls
        # behind, polls waiting for late drawings would hold every thread; the page asks again in 2 s.
        packed = render_cache.waited_for(key, ANSWER_WAIT_SECONDS)
        if packed is None:
            return HttpResponse(status=204)
    if packed is not None:
        return answer_response(packed, request)
    try:
        audit = polled_audit(audit_id, role, need="manage" if step == PRESENTER else "view")
        page = WorkshopPage.build(request, audit, step or None, for_projector=step == PRESENTER, answer_at=answered)
        return fill_csrf(HttpResponse(delta_html(audit, page, step, since, base, store_as=key)), request)
    finally:
        if key:
            render_cache.release(key)


@login_required
@require_POST
def presence(request: HttpRequest, audit_id: int) -> HttpResponse:
    """An open page says "I'm here" (every 15 s) and gets back who else is."""
    audit = get_audit_for(request.user, audit_id)
    room.mark_present(audit, request.user, request.POST.get("step", ""))
    people = room.present_people(audit)
    # Every open page asks every 15 s and the room's list is the same for all: drawn once per list and language.
    html = render_cache.fragment(
        render_cache.key("presence", get_language(), people),
        lambda: render_to_string("audits/live/presence.html", {"people": people}),
        timeout=PRESENCE_FRAGMENT_SECONDS,
    )
    return HttpResponse(html)


@login_required
@require_POST
def vote(request: HttpRequest, audit_id: int, kind: str, row_id: int) -> HttpResponse:
    """Put a dot on a row, or take one back (direction=remove)."""
    if kind not in room.VOTABLE:
        raise Http404("Nothing to vote on here.")
    audit = get_audit_for(request.user, audit_id, need="edit")
    row = room.VOTABLE[kind].objects.filter(audit=audit, pk=row_id).first()
    visible_row_or_404(audit, Viewer.of(audit, request.user), kind, row)
    change = room.withdraw_vote if request.POST.get("direction") == "remove" else room.cast_vote
    try:
        change(audit, request.user, kind, row_id)
    except room.Refused as refused:
        if not request.htmx:
            messages.error(request, str(refused))
            return back(request, audit)
        return HttpResponse(str(refused), status=409, content_type="text/plain; charset=utf-8")
    if not request.htmx:
        return back(request, audit)
    my_votes = room.my_votes(audit, request.user)
    workshop = Workshop.objects.get(audit=audit)
    context = {
        "audit": audit,
        "kind": kind,
        "row_id": row_id,
        "label": row.name if kind == "force" else row.source,
        "dots": my_votes.get(room.vote_key(kind, row_id), 0),
        "votes_left": workshop.votes_per_person - sum(my_votes.values()),
    }
    return trigger_client_event(render(request, "audits/live/vote.html", context), "audit-changed")


@login_required
@require_POST
def row_restore(request: HttpRequest, audit_id: int, kind: str, row_id: int) -> HttpResponse:
    """Bring back a row someone deleted while you were editing it (its latest deletion is undone)."""
    audit = get_audit_for(request.user, audit_id, need="edit")
    deletion = (
        audit.activities.filter(action=Activity.Action.DELETE, kind=kind, row_id=row_id, undone_at__isnull=True)
        .order_by("-created", "-pk")
        .first()
    )
    if deletion is None:
        raise Http404("No deletion of this row to undo.")
    visible_row_or_404(audit, Viewer.of(audit, request.user), kind, snapshot_row(deletion))
    if room.locks_out(audit, kind):
        return locked_response(request, audit, kind)
    deletion.audit = audit
    try:
        undo_deletion(deletion, request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The row is back. Type your change again."))
    response = back(request, audit)
    if request.htmx:
        return HttpResponseClientRedirect(response.url)
    return response
