"""The facilitator's controls (step, timer, locks, anonymous input, voting, join link) and the presenter view."""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from audits.accounts.permissions import get_audit_for
from audits.live import room
from audits.live.render_cache import fill_csrf
from audits.live.workshop_page import STEP_KEYS, WorkshopPage
from audits.responses import back

# A number as typed: digits (any script's, such as ۱۲ or １２), with an optional fraction after "." or
# ",". No sign, exponent, "nan" or "inf": float() and int() would take those, and then overflow or
# fail far from here.
WHOLE_NUMBER = re.compile(r"\d{1,6}")
DECIMAL_NUMBER = re.compile(r"\d{1,6}(?:[.,]\d{1,6})?")
MAX_VOTES = 50  # as room.set_voting allows
MAX_TIMER_MINUTES = 24 * 60


def _minutes(text: str) -> float:
    """The timer's length: a number of minutes ("1,5" is a minute and a half), above 0 and at most a day."""
    text = text.strip()
    minutes = float(text.replace(",", ".")) if DECIMAL_NUMBER.fullmatch(text) else 0.0
    if not 0 < minutes <= MAX_TIMER_MINUTES:
        raise room.Refused(
            _("Give the timer in minutes, as a number above 0 and at most %(max)s (24 hours).")
            % {"max": MAX_TIMER_MINUTES}
        )
    return minutes


def _votes(text: str | None) -> int:
    """Each person's dots: a whole number from 1 to 50; 3 when the form leaves the field out."""
    if text is None:
        return 3
    text = text.strip()
    votes = int(text) if WHOLE_NUMBER.fullmatch(text) else 0
    if not 1 <= votes <= MAX_VOTES:
        raise room.Refused(_("Give the number of votes as a whole number between 1 and %(max)s.") % {"max": MAX_VOTES})
    return votes


def _control(request: HttpRequest, audit, action: str) -> None:
    data = request.POST
    step = data.get("step", "")
    controls = {
        "lead": lambda: room.lead_to(audit, step),
        "timer-start": lambda: room.start_timer(audit, _minutes(data.get("minutes", ""))),
        "timer-pause": lambda: room.pause_timer(audit),
        "timer-resume": lambda: room.resume_timer(audit),
        "timer-add": lambda: room.add_minute(audit),
        "timer-stop": lambda: room.stop_timer(audit),
        "lock": lambda: room.set_locked(audit, step, True),
        "unlock": lambda: room.set_locked(audit, step, False),
        "hide": lambda: room.hide_step(audit, step, named=data.get("named") == "on"),
        "reveal": lambda: room.reveal_step(audit, step),
        "voting-open": lambda: room.set_voting(audit, True, _votes(data.get("votes")), named=data.get("named") == "on"),
        "voting-close": lambda: room.set_voting(audit, False),
        "votes-clear": lambda: room.clear_votes(audit),
        "link-open": lambda: room.open_join_link(audit, request.user, _join_hours(data.get("hours"))),
        "link-revoke": lambda: _revoke(audit),
    }
    if action not in controls:
        raise room.Refused(_("Unknown action."))
    controls[action]()


def _join_hours(text: str | None) -> int:
    """How long a join link stays open: one of room.JOIN_HOURS; 4 when the form leaves the field out."""
    if text is None:
        return 4
    text = text.strip()
    hours = int(text) if WHOLE_NUMBER.fullmatch(text) else 0
    if hours not in room.JOIN_HOURS:
        *choices, last = room.JOIN_HOURS
        raise room.Refused(
            _("Choose how long the link stays open: %(choices)s or %(last)s hours.")
            % {"choices": ", ".join(str(choice) for choice in choices), "last": last}
        )
    return hours


def _revoke(audit) -> None:
    link = room.active_join_link(audit)
    if link is None:
        raise room.Refused(_("There is no open join link."))
    room.revoke_join_link(link)


@login_required
@require_POST
def facilitate(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    error = ""
    try:
        _control(request, audit, request.POST.get("action", ""))
    except room.Refused as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        if request.POST.get("from") == "presenter" and not error:
            # The presenter view's own ← → (without JavaScript): to the step it just led to.
            return redirect(_presenter_url(audit, request.POST.get("step", "")))
        return back(request, audit)
    # Read the audit again: the control changed its workshop state.
    audit = get_audit_for(request.user, audit_id, need="manage")
    step = request.POST.get("step", "")
    page = WorkshopPage.build(request, audit, step if step in STEP_KEYS else None, shared=False, control_error=error)
    response = HttpResponse(page.render_panel("session"), status=422 if error else 200)
    return response if error else trigger_client_event(response, "audit-changed")


def _presenter_url(audit, step: str) -> str:
    url = reverse("audits:present", kwargs={"audit_id": audit.pk})
    return f"{url}?{urlencode({'step': step})}" if step in STEP_KEYS else url


@login_required
@require_GET
def presenter(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The projector's page: the step it was opened from (?step=), then the facilitator's, in big type, with the
    QR code of the join link."""
    audit = get_audit_for(request.user, audit_id, need="manage")
    page = WorkshopPage.build(request, audit, request.GET.get("step"), for_projector=True)
    return fill_csrf(render(request, "audits/presenter.html", page.context()), request)
