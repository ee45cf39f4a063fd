"""The audit's activity log, for facilitators: who changed what, and undo for deletions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from audits.accounts.permissions import get_audit_for
from audits.content.activity import describe, restored_message, undo_deletion
from audits.models import Activity

SHOWN = 200


@login_required
@require_GET
def activity_log(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    entries = audit.activities.select_related("user").order_by("-created", "-pk")[:SHOWN]
    rows = [(entry, describe(entry)) for entry in entries]
    context = {"audit": audit, "flywheel": audit.flywheel, "rows": rows, "shown": SHOWN}
    return render(request, "audits/activity.html", context)


@login_required
@require_POST
def activity_undo(request: HttpRequest, audit_id: int, activity_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    activity = get_object_or_404(audit.activities, pk=activity_id, action=Activity.Action.DELETE)
    activity.audit = audit
    try:
        undo_deletion(activity, request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, restored_message(activity))
    return redirect("audits:activity", audit_id=audit.pk)
