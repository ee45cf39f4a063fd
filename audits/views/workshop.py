"""The audit's workspace: the overview, one page per workshop step, and panels that redraw."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import guidance, hubspot_example, ideas, live
from ..diagram import ring
from ..document import SETTLING_STEPS, AuditDocument, progress
from ..models import Audit, Force, FrictionPoint, SelfAssessment, Stage
from ..permissions import get_audit_for, role_allows
from ..tables import AddForms, is_fix
from ..visibility import PROJECTOR, Viewer, document_for, loaded_workshop, visible_row_or_404

STEP_KEYS = [step.key for step in guidance.STEPS]
# Exercise 3, steps 2-4: the column each step fills, and its heading.
FRICTION_COLUMNS = {
    "automate": ("automation", gettext_lazy("Solved by automation?")),
    "goals": ("new_goal", gettext_lazy("Solved by a new (shared) goal?")),
    "restructure": ("restructure", gettext_lazy("Solved by restructuring the team?")),
}
# Parts of a page that redraw themselves when the audit changes (see "audit-changed").
PANELS = {"diagram", "progress", "conversions", "forces-summary", "session"}


def workshop_context(
    request: HttpRequest, audit: Audit, step_key: str | None = None, *, for_projector: bool = False, **extra
) -> dict:
    """The context of every workshop page. The projector never shows rows hidden for anonymous input."""
    workshop = loaded_workshop(audit)
    can_manage = role_allows(audit.user_role, "manage")
    document = document_for(audit, PROJECTOR if for_projector else Viewer.of(audit, request.user))
    show_results = live.shows_results(workshop, document)
    if show_results:
        document = live.sorted_by_votes(document)
    locked = bool(step_key) and live.is_locked(workshop, step_key)
    context = {
        "audit": audit,
        "flywheel": audit.flywheel,
        "doc": document,
        "steps": guidance.STEPS,
        "progress": progress(document),
        "diagram": list(
            zip(ring(Stage.values, cx=220, cy=220, outer_radius=170, inner_radius=104), document.stages, strict=True)
        ),
        "stage_choices": Stage.choices,
        "can_edit": role_allows(audit.user_role, "edit") and (can_manage or not locked),
        "can_manage": can_manage,
        "add_forms": AddForms(),
        **live_context(request, audit, workshop, step_key, locked, show_results, can_manage, for_projector),
        **extra,
    }
    if step_key:
        context |= {
            "step": guidance.step(step_key),
            "previous_step": guidance.previous_step(step_key),
            "next_step": guidance.next_step(step_key),
            "example": hubspot_example,
            "example_forces": [(team, hubspot_example.forces_of(team.key)) for team in hubspot_example.TEAMS],
            "example_assessment": [
                (SelfAssessment.Question(key).label, answer) for key, answer in hubspot_example.SELF_ASSESSMENT.items()
            ],
        }
    if step_key in FRICTION_COLUMNS:
        context |= friction_step_context(document, step_key)
    return context


def live_context(request, audit, workshop, step_key, locked, show_results, can_manage, for_projector) -> dict:
    """What the live workshop adds to a page: the session bar, votes, hiding and locks."""
    voting = workshop is not None and workshop.voting_open
    hideable = step_key in live.HIDEABLE_STEPS
    my_votes = live.my_votes(audit, request.user) if voting else {}
    return {
        "workshop": workshop,
        "timer": live.timer_of(workshop) if workshop else None,
        "step_locked": locked,
        "step_hidden": bool(step_key) and live.hidden_since(workshop, step_key) is not None,
        "hidden_rows": live.hidden_count(audit, workshop, step_key) if for_projector and hideable else 0,
        "hideable": hideable,
        "named_input": workshop is not None and workshop.named_input,
        "voting": voting,
        "my_votes": my_votes,
        "votes_left": workshop.votes_per_person - sum(my_votes.values()) if voting else 0,
        "show_results": show_results,
        "voters": live.voters_of(audit) if show_results and workshop.named_votes else {},
        "facilitator_step": guidance.step(workshop.current_step) if workshop and workshop.current_step else None,
        **(join_context(request, audit) if can_manage else {}),
    }


def join_context(request: HttpRequest, audit: Audit) -> dict:
    link = live.active_join_link(audit)
    return {"join_link": link, "join_url": join_url(request, link) if link else "", "join_hours": live.JOIN_HOURS}


def join_url(request: HttpRequest, link) -> str:
    return request.build_absolute_uri(reverse("audits:join", kwargs={"token": live.join_token(link)}))


def friction_step_context(document: AuditDocument, step_key: str) -> dict:
    field, title = FRICTION_COLUMNS[step_key]
    keys = list(FRICTION_COLUMNS)
    rows = document.friction_reaching(field)
    return {
        "field": field,
        "column_title": title,
        "label_prefix": _("%(column)s Row ") % {"column": title},
        "earlier_columns": [FRICTION_COLUMNS[key] for key in keys[: keys.index(step_key)]],
        "rows": rows,
        "settled_before": len(document.friction) - len(rows),
        "empty_message": (
            _("No friction identified yet: start with step 1.")
            if not document.friction
            else _("Every row was settled at an earlier step: nothing to answer here.")
        ),
    }


@login_required
def overview(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id)
    return render(request, "audits/audit_detail.html", overview_context(request, audit))


def overview_context(request: HttpRequest, audit: Audit, **extra) -> dict:
    return workshop_context(request, audit, resolved_last_year=resolved_in(audit.carried_from_id), **extra)


def resolved_in(audit_id: int | None) -> list[FrictionPoint]:
    """The friction rows an earlier audit settled: listed for reference, not carried over."""
    if audit_id is None:
        return []
    rows = FrictionPoint.objects.filter(audit_id=audit_id).order_by("position", "pk")
    return [row for row in rows if any(is_fix(getattr(row, step)) for step in SETTLING_STEPS)]


@login_required
def step_page(request: HttpRequest, audit_id: int, step: str) -> HttpResponse:
    if step not in STEP_KEYS:
        raise Http404("No such step.")
    audit = get_audit_for(request.user, audit_id)
    return render(request, f"audits/steps/{step}.html", workshop_context(request, audit, step))


@login_required
def panel(request: HttpRequest, audit_id: int, name: str) -> HttpResponse:
    """One redrawable part of a page, for htmx to swap in after a change."""
    if name not in PANELS:
        raise Http404("No such panel.")
    audit = get_audit_for(request.user, audit_id)
    step = request.GET.get("step", "")
    context = workshop_context(request, audit, step if step in STEP_KEYS else None)
    return render(request, f"audits/panels/{name}.html", context)


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
