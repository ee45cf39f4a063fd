"""The facilitator's controls (step, timer, locks, anonymous input, voting, join link) and the presenter view."""

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
from .live import back
from .workshop import STEP_KEYS, loaded_workshop, workshop_context


def _number(text: str, default: float) -> float:
    try:
        return float(text.replace(",", "."))
    except (AttributeError, ValueError):
        return default


def _control(request: HttpRequest, audit, action: str) -> None:
    data = request.POST
    step = data.get("step", "")
    controls = {
        "lead": lambda: live.lead_to(audit, step),
        "timer-start": lambda: live.start_timer(audit, _number(data.get("minutes", ""), 0)),
        "timer-pause": lambda: live.pause_timer(audit),
        "timer-resume": lambda: live.resume_timer(audit),
        "timer-add": lambda: live.add_minute(audit),
        "timer-stop": lambda: live.stop_timer(audit),
        "lock": lambda: live.set_locked(audit, step, True),
        "unlock": lambda: live.set_locked(audit, step, False),
        "hide": lambda: live.hide_step(audit, step, named=data.get("named") == "on"),
        "reveal": lambda: live.reveal_step(audit, step),
        "voting-open": lambda: live.set_voting(
            audit, True, int(_number(data.get("votes", ""), 3)), named=data.get("named") == "on"
        ),
        "voting-close": lambda: live.set_voting(audit, False),
        "votes-clear": lambda: live.clear_votes(audit),
        "link-open": lambda: live.open_join_link(audit, request.user, _join_hours(data.get("hours", ""))),
        "link-revoke": lambda: _revoke(audit),
    }
    if action not in controls:
        raise live.Refused(_("Unknown action."))
    controls[action]()


def _join_hours(text: str) -> int:
    hours = int(_number(text, 4))
    return hours if hours in live.JOIN_HOURS else 4


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
