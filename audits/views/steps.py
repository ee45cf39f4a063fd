"""The audit's workspace: the overview, one page per workshop step, and its shared parts alone.

Pages are built by audits/live/workshop_page.py; these views look the audit up, check permission and render.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from audits.accounts.permissions import get_audit_for
from audits.accounts.visibility import Viewer, visible_row_or_404
from audits.content import ideas
from audits.live.render_cache import fill_csrf
from audits.live.workshop_page import PANELS, STEP_KEYS, WorkshopPage
from audits.models import Force


def render_page(request: HttpRequest, template: str, page: WorkshopPage, status: int = 200) -> HttpResponse:
    return fill_csrf(render(request, template, page.context(), status=status), request)


@login_required
def overview(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id)
    return render_page(request, "audits/audit_detail.html", WorkshopPage.build(request, audit, None))


@login_required
def step_page(request: HttpRequest, audit_id: int, step: str) -> HttpResponse:
    if step not in STEP_KEYS:
        raise Http404("No such step.")
    audit = get_audit_for(request.user, audit_id)
    return render_page(request, f"audits/steps/{step}.html", WorkshopPage.build(request, audit, step))


@login_required
def panel(request: HttpRequest, audit_id: int, name: str) -> HttpResponse:
    """One shared part of a page, alone."""
    if name not in PANELS:
        raise Http404("No such panel.")
    audit = get_audit_for(request.user, audit_id)
    step = request.GET.get("step", "")
    page = WorkshopPage.build(request, audit, step if step in STEP_KEYS else None)
    return fill_csrf(HttpResponse(page.render_panel(name)), request)


@login_required
def force_ideas(request: HttpRequest, audit_id: int, row_id: int) -> HttpResponse:
    """Ideas from the library for a force's stage, each one click from becoming its planned change."""
    audit = get_audit_for(request.user, audit_id, need="edit")
    force = visible_row_or_404(
        audit, Viewer.of(audit, request.user), "force", Force.objects.filter(audit=audit, pk=row_id).first()
    )
    context = {"audit": audit, "force": force, "ideas": ideas.ideas_for(force.stage or None)}
    template = "audits/partials/force_ideas.html" if request.htmx else "audits/force_ideas.html"
    return render(request, template, context)
