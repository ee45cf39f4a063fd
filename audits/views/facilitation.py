"""The facilitator's controls (step, timer, locks, anonymous input, voting, join link) and the presenter view."""

import re

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from .. import live
from ..permissions import get_audit_for
from ..visibility import loaded_workshop
from .live import back
from .workshop import STEP_KEYS, workshop_context

# A number as typed: digits (any script's, such as ۱۲ or １２), with an optional fraction after "." or
# ",". No sign, exponent, "nan" or "inf": float() and int() would take those, and then overflow or
# fail far from here.
WHOLE_NUMBER = re.compile(r"\d{1,6}")
DECIMAL_NUMBER = re.compile(r"\d{1,6}(?:[.,]\d{1,6})?")
MAX_VOTES = 50  # as live.set_voting allows
MAX_TIMER_MINUTES = 24 * 60


def _minutes(text: str) -> float:
    """The timer's length: a number of minutes ("1,5" is a minute and a half), above 0 and at most a day."""
    text = text.strip()
    minutes = float(text.replace(",", ".")) if DECIMAL_NUMBER.fullmatch(text) else 0.0
    if not 0 < minutes <= MAX_TIMER_MINUTES:
        raise live.Refused(
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
        raise live.Refused(_("Give the number of votes as a whole number between 1 and %(max)s.") % {"max": MAX_VOTES})
    return votes


def _control(request: HttpRequest, audit, action: str) -> None:
    data = request.POST
    step = data.get("step", "")
    controls = {
        "lead": lambda: live.lead_to(audit, step),
        "timer-start": lambda: live.start_timer(audit, _minutes(data.get("minutes", ""))),
        "timer-pause": lambda: live.pause_timer(audit),
        "timer-resume": lambda: live.resume_timer(audit),
        "timer-add": lambda: live.add_minute(audit),
        "timer-stop": lambda: live.stop_timer(audit),
        "lock": lambda: live.set_locked(audit, step, True),
        "unlock": lambda: live.set_locked(audit, step, False),
        "hide": lambda: live.hide_step(audit, step, named=data.get("named") == "on"),
        "reveal": lambda: live.reveal_step(audit, step),
        "voting-open": lambda: live.set_voting(audit, True, _votes(data.get("votes")), named=data.get("named") == "on"),
        "voting-close": lambda: live.set_voting(audit, False),
        "votes-clear": lambda: live.clear_votes(audit),
        "link-open": lambda: live.open_join_link(audit, request.user, _join_hours(data.get("hours"))),
        "link-revoke": lambda: _revoke(audit),
    }
    if action not in controls:
        raise live.Refused(_("Unknown action."))
    controls[action]()


def _join_hours(text: str | None) -> int:
    """How long a join link stays open: one of live.JOIN_HOURS; 4 when the form leaves the field out."""
    if text is None:
        return 4
    text = text.strip()
    hours = int(text) if WHOLE_NUMBER.fullmatch(text) else 0
    if hours not in live.JOIN_HOURS:
        *choices, last = live.JOIN_HOURS
        raise live.Refused(
            _("Choose how long the link stays open: %(choices)s or %(last)s hours.")
            % {"choices": ", ".join(str(choice) for choice in choices), "last": last}
        )
    return hours


def _revoke(audit) -> None:
    link = live.active_join_link(audit)
    if link is None:
        raise live.Refused(_("There is no open join link."))
    live.revoke_join_link(link)


@login_required
@require_POST
def facilitate(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    error = ""
    try:
        _control(request, audit, request.POST.get("action", ""))
    except live.Refused as refused:
        error = str(refused)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return back(request, audit)
    # Read the audit again: the control changed its workshop state.
    audit = get_audit_for(request.user, audit_id, need="manage")
    step = request.POST.get("step", "")
    context = workshop_context(request, audit, step if step in STEP_KEYS else None, control_error=error)
    response = render(request, "audits/panels/session.html", context, status=422 if error else 200)
    return response if error else trigger_client_event(response, "audit-changed")


def qr_code(url: str) -> str:
    """The join link as a QR code: an SVG drawn on the server, as a data: URL for an <img>."""
    return segno.make(url, error="m").svg_data_uri(scale=8, omitsize=True, dark="#111", light="#fff")


@login_required
@require_GET
def presenter(request: HttpRequest, audit_id: int) -> HttpResponse:
    """The projector's page: big type, the diagram, the facilitator's current step and the QR code."""
    audit = get_audit_for(request.user, audit_id, need="manage")
    workshop = loaded_workshop(audit)
    step_key = request.GET.get("step") or (workshop and workshop.current_step) or "strategy"
    if step_key not in STEP_KEYS:
        step_key = "strategy"
    context = workshop_context(request, audit, step_key, for_projector=True)
    context |= {
        "qr": qr_code(context["join_url"]) if context["join_url"] else "",
        "present_count": len(live.present_people(audit)),
    }
    return render(request, "audits/presenter.html", context)
