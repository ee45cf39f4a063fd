"""Editing an audit's tables: save a cell, add, delete and move rows, paste a block from a spreadsheet.

With htmx a cell save answers with the cell (200 saved, 422 refused with the reason, 409 when
someone else saved it first) and a structural change answers with its redrawn section. Without
JavaScript the same URLs take plain form posts and send the browser back to the step.

A pasted block (static/js/paste.js) answers with the page's main area redrawn, or with the reasons
nothing was saved (422, 409), which the page shows beside the table.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from audits.accounts.permissions import get_audit_for
from audits.accounts.visibility import Viewer, visible_row_or_404
from audits.content.activity import snapshot_row
from audits.content.document import reading_alone
from audits.content.editing import Conflict, add_row, delete_row, move_row, save_cell
from audits.content.tables import TABLES, AddForms, NewReadingForm, add_form_class, add_form_key, rows_of
from audits.live import room
from audits.live.workshop_page import STEP_KEYS, WorkshopPage
from audits.models import Activity, Metric, Reading, Team
from audits.reports.imports.paste import PasteForm, PasteRefused, paste_block
from audits.responses import HOME_PAGES, OVERVIEW, back_to_table, locked_response, same_site_referrer

# Which page section a structural change redraws: (step page, partial, group the row sits in).
SECTIONS = {
    "metric": ("metrics", "metrics", None),
    "reading": ("metrics", "metric", "metric"),
    "team": ("forces", "teams", None),
    "force": ("forces", "team", "team"),
    "friction": ("identify", "friction-table", None),
}
# The most reasons a refused paste lists; the rest are counted.
PASTE_MESSAGES = 30


def _table_and_audit(request: HttpRequest, audit_id: int, kind: str):
    if kind not in TABLES:
        raise Http404("No such table.")
    return TABLES[kind], get_audit_for(request.user, audit_id, need="edit")


def _visible_row(request: HttpRequest, audit, kind: str, rows, row_id: int):
    """The row, unless it is missing or still hidden from this participant (anonymous input)."""
    return visible_row_or_404(audit, Viewer.of(audit, request.user), kind, rows.filter(pk=row_id).first())


def _changed(response: HttpResponse) -> HttpResponse:
    # Panels on the page (diagram, progress, conversions) listen for this and redraw.
    return trigger_client_event(response, "audit-changed")


def page_context(request, audit, step_key: str | None, **extra) -> dict:
    """A page's context drawn for this request alone (it shows what was refused): nothing shared, a real token."""
    return WorkshopPage.build(request, audit, step_key, shared=False, **extra).context()


def _section(request, audit, kind: str, group_id=None, failed_key="", failed_form=None, status=200):
    step, partial, group = SECTIONS[kind]
    context = page_context(request, audit, step, add_forms=AddForms(failed_key, failed_form))
    document = context["doc"]
    if group == "metric":
        context["metric"] = next(metric for metric in document.metrics if metric.id == group_id)
    elif group == "team":
        context["team"] = next(team for team in document.teams if team.id == group_id)
    return render(request, f"audits/steps/{step}.html#{partial}", context, status=status)


def _cell(request, audit, kind, row, field, status=200, **state) -> HttpResponse:
    # Unset template variables render as "", which the cell tag would take for typed text.
    context = {"audit": audit, "kind": kind, "row": row, "field": field, "typed": None, "conflict": None, **state}
    # The cell's label comes with the request (the page gave it one, e.g. "Jan 2025: gained").
    context["label"] = (request.POST if request.method == "POST" else request.GET).get("label", "")[:300]
    if kind == "reading" and state.get("saved"):
        context["computed"] = reading_alone(row, audit.period_year)
    return render(request, "audits/partials/cell_response.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def row_cell(request: HttpRequest, audit_id: int, kind: str, row_id: int) -> HttpResponse:
    table, audit = _table_and_audit(request, audit_id, kind)
    rows = rows_of(kind, audit).select_related(*(["metric"] if kind == "reading" else []))
    row = rows.filter(pk=row_id).first()
    if row is None:
        return _row_deleted(request, audit, kind, row_id)
    visible_row_or_404(audit, Viewer.of(audit, request.user), kind, row)
    data = request.POST if request.method == "POST" else request.GET
    field = data.get("field", "")
    if field not in table.fields():
        return HttpResponseBadRequest("Unknown field.")
    if request.method == "GET":
        return _cell(request, audit, kind, row, field)
    typed = data.get("value", "")
    if room.locks_out(audit, kind, field):
        return _refused(request, audit, kind, row, field, 423, typed=typed, error=str(room.LOCKED_MESSAGE))
    try:
        form = save_cell(audit, table, row, field, typed, data.get("original", ""), request.user)
    except Conflict as conflict:
        if conflict.deleted:
            return _row_deleted(request, audit, kind, row_id, seen=True)
        current = "" if conflict.current is None else str(conflict.current)
        return _refused(request, audit, kind, row, field, 409, typed=typed, conflict=current)
    if form.errors:
        error = " ".join(form.errors[field] if field in form.errors else form.non_field_errors())
        return _refused(request, audit, kind, row, field, 422, typed=typed, error=error)
    if not request.htmx:
        return back_to_table(request, audit, kind)
    return _changed(_cell(request, audit, kind, row, field, saved=True))


def _row_deleted(request: HttpRequest, audit, kind: str, row_id: int, seen: bool = False) -> HttpResponse:
    """Someone deleted the row being edited: say so, and offer to bring it back.

    A row that this request never saw (`seen` False) and nobody deleted from the workshop is a 404, and so
    is a deleted row that was hidden from this viewer (anonymous input).
    """
    deletions = audit.activities.filter(action=Activity.Action.DELETE, kind=kind, row_id=row_id)
    latest = deletions.order_by("-created", "-pk").first()
    if not seen and latest is None:
        raise Http404("No such row.")
    if latest is not None:
        visible_row_or_404(audit, Viewer.of(audit, request.user), kind, snapshot_row(latest))
    if not request.htmx:
        messages.error(request, _("Someone else deleted this row meanwhile, so your change was not saved."))
        return back_to_table(request, audit, kind)
    restorable = deletions.filter(undone_at__isnull=True).exists()
    context = {"audit": audit, "kind": kind, "row_id": row_id, "restorable": restorable}
    return render(request, "audits/partials/row_deleted.html", context, status=409)


def _refused(request, audit, kind: str, row, field: str, status: int, **state) -> HttpResponse:
    """The cell again, with what was typed and why it was not saved: alone for htmx, else on its page."""
    if request.htmx:
        return _cell(request, audit, kind, row, field, status=status, **state)
    # Without JavaScript: the page the form was posted from, the message beside the cell.
    cell_state = {(kind, row.pk, field): {"typed": None, "conflict": None, "error": "", **state}}
    step = _referring_step(request) or HOME_PAGES[kind]
    if step == OVERVIEW:
        context = page_context(request, audit, None, cell_state=cell_state)
        return render(request, "audits/audit_detail.html", context, status=status)
    context = page_context(request, audit, step, cell_state=cell_state)
    return render(request, f"audits/steps/{step}.html", context, status=status)


def _referring_step(request: HttpRequest) -> str | None:
    """The workshop page a plain form was posted from (the overview or a step), if it was one."""
    referrer = same_site_referrer(request)
    if referrer is None:
        return None
    try:
        match = resolve(urlsplit(referrer).path)
    except Resolver404:
        return None
    if match.view_name == "audits:audit":
        return OVERVIEW
    return (
        match.kwargs.get("step") if match.view_name == "audits:step" and match.kwargs.get("step") in STEP_KEYS else None
    )


def _group(request: HttpRequest, audit, kind: str):
    """The team or metric an added row goes under, from the posted group id (within the audit)."""
    group_id = request.POST.get("group", "")
    if not (group_id.isascii() and group_id.isdigit() and len(group_id) <= 18):
        group_id = "0"  # no such row (nor a 64-bit id): a 404 like any other id that is not one
    if kind == "force":
        return "team", get_object_or_404(Team, audit=audit, pk=group_id)
    if kind == "reading":
        return "metric", get_object_or_404(Metric, audit=audit, pk=group_id)
    return None, None


@login_required
@require_POST
def row_add(request: HttpRequest, audit_id: int, kind: str) -> HttpResponse:
    table, audit = _table_and_audit(request, audit_id, kind)
    if not table.can_add:
        raise Http404("Rows of this table cannot be added.")
    if room.locks_out(audit, kind):
        return locked_response(request, audit, kind)
    group_field, group = _group(request, audit, kind)
    key = add_form_key(kind, group and group.pk)
    if kind == "reading":
        form = NewReadingForm(request.POST, metric=group, prefix=key)
    else:
        # The new row knows its audit while it is checked (a team's name is unique within the audit).
        form = add_form_class(kind)(request.POST, prefix=key, instance=table.model(audit=audit))
    if form.is_valid():
        row = Reading(period_start=form.cleaned_data["period"]) if kind == "reading" else form.save(commit=False)
        add_row(audit, table, row, request.user, **({group_field: group} if group else {}))
        if not request.htmx:
            return back_to_table(request, audit, kind)
        return _changed(_section(request, audit, kind, group and group.pk))
    if not request.htmx:
        messages.error(request, " ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()))
        return back_to_table(request, audit, kind)
    return _section(request, audit, kind, group and group.pk, key, form, status=422)


def _group_id(kind: str, row) -> int | None:
    group = SECTIONS[kind][2]
    return getattr(row, f"{group}_id") if group else None


@login_required
@require_POST
def row_delete(request: HttpRequest, audit_id: int, kind: str, row_id: int) -> HttpResponse:
    table, audit = _table_and_audit(request, audit_id, kind)
    if not table.can_add:
        raise Http404("Rows of this table cannot be deleted.")
    row = _visible_row(request, audit, kind, rows_of(kind, audit), row_id)
    if room.locks_out(audit, kind):
        return locked_response(request, audit, kind)
    delete_row(audit, row, request.user)
    if not request.htmx:
        messages.success(request, _("Row deleted."))
        return back_to_table(request, audit, kind)
    return _changed(_section(request, audit, kind, _group_id(kind, row)))


@login_required
@require_POST
def row_move(request: HttpRequest, audit_id: int, kind: str, row_id: int) -> HttpResponse:
    table, audit = _table_and_audit(request, audit_id, kind)
    if kind not in SECTIONS or kind == "reading":
        raise Http404("Rows of this table are not reordered.")
    row = _visible_row(request, audit, kind, rows_of(kind, audit), row_id)
    if room.locks_out(audit, kind):
        return locked_response(request, audit, kind)
    move_row(audit, table, row, "up" if request.POST.get("direction") == "up" else "down", request.user)
    if not request.htmx:
        return back_to_table(request, audit, kind)
    return _changed(_section(request, audit, kind, _group_id(kind, row)))


@login_required
@require_POST
def row_paste(request: HttpRequest, audit_id: int, kind: str) -> HttpResponse:
    _table, audit = _table_and_audit(request, audit_id, kind)
    form = PasteForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("A paste is its text, the field and row pasted into, and the rows shown.")
    target = form.target(kind)
    if room.locks_out(audit, kind, target.field):
        return locked_response(request, audit, kind)
    try:
        pasted = paste_block(audit, request.user, target, form.cleaned_data["text"])
    except PasteRefused as refused:
        return _paste_refused(request, audit, kind, refused)
    if not request.htmx:
        messages.success(request, pasted.message())
        return back_to_table(request, audit, kind)
    step = _pasted_step(request, form.cleaned_data["step"], kind)
    main = WorkshopPage.build(request, audit, step, shared=False).render_main()
    # paste.js says how it went beside the table once the redrawn main area has settled.
    response = trigger_client_event(HttpResponse(main), "rows-pasted", {"message": pasted.message()}, after="settle")
    return _changed(response)


def _pasted_step(request: HttpRequest, step: str, kind: str) -> str | None:
    """The page the block was pasted on (None: the overview), whose main area the answer redraws."""
    if step not in STEP_KEYS and step != "":
        step = _referring_step(request) or HOME_PAGES[kind]
    return None if step in ("", OVERVIEW) else step


def _paste_refused(request: HttpRequest, audit, kind: str, refused: PasteRefused) -> HttpResponse:
    """Nothing was saved: the reasons, row by row, into the report paste.js put beside the table."""
    if not request.htmx:
        messages.error(request, " ".join(refused.errors[:PASTE_MESSAGES]))
        return back_to_table(request, audit, kind)
    context = {
        "errors": refused.errors[:PASTE_MESSAGES],
        "more": max(0, len(refused.errors) - PASTE_MESSAGES),
        "conflict": refused.conflict,
    }
    response = render(request, "audits/partials/paste_report.html", context, status=409 if refused.conflict else 422)
    return reswap(retarget(response, "#paste-report"), "outerHTML")
