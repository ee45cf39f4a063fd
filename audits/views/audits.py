from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audits.accounts.permissions import get_audit_for, get_flywheel_for
from audits.content.carry import NextAuditExists, carry_forward
from audits.content.starting import start_audit
from audits.forms import AuditForm


@login_required
@require_http_methods(["GET", "POST"])
def audit_create(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id, need="manage")
    form = AuditForm(request.POST or None, initial={"period_year": timezone.now().year})
    if form.is_valid():
        form.instance.flywheel = flywheel
        with transaction.atomic():
            audit = form.save()
            start_audit(audit)
        messages.success(request, _("Audit “%(title)s” created.") % {"title": audit.title})
        return redirect(audit)
    return render(request, "audits/audit_form.html", {"form": form, "flywheel": flywheel})


@login_required
@require_http_methods(["GET", "POST"])
def audit_edit(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    form = AuditForm(request.POST or None, instance=audit)
    if form.is_valid():
        form.save()
        messages.success(request, _("Audit saved."))
        return redirect(audit)
    return render(request, "audits/audit_form.html", {"form": form, "flywheel": audit.flywheel, "audit": audit})


@login_required
@require_http_methods(["GET", "POST"])
def audit_delete(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    if request.method == "POST":
        audit.deleted_at = timezone.now()
        audit.save(update_fields=["deleted_at"])
        messages.success(request, _("Audit “%(title)s” moved to the trash.") % {"title": audit.title})
        return redirect(audit.flywheel)
    return render(request, "audits/confirm_delete.html", {"object": audit})


@login_required
@require_POST
def audit_restore(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage", trashed=True)
    audit.deleted_at = None
    audit.save(update_fields=["deleted_at"])
    messages.success(request, _("Audit “%(title)s” restored.") % {"title": audit.title})
    return redirect(audit)


@login_required
@require_POST
def audit_carry_forward(request: HttpRequest, audit_id: int) -> HttpResponse:
    audit = get_audit_for(request.user, audit_id, need="manage")
    try:
        new = carry_forward(audit)
    except NextAuditExists as exists:
        # Said instead of making a second audit for the same year, which compare and history would pick up.
        already = _("This flywheel already has an audit for %(year)s:") % {"year": exists.audit.period_year}
        nothing_made = _("carrying forward again would make a second one, so nothing new was made.")
        link = format_html('<a href="{}">{}</a>', exists.audit.get_absolute_url(), exists.audit.title)
        messages.error(request, format_html("{} {} — {}", already, link, nothing_made))
        return redirect(audit)
    messages.success(
        request,
        _(
            "“%(title)s” starts from %(year)s: strategy, metrics, forces and open friction carried over. "
            "Begin by reviewing last year's action items."
        )
        % {"title": new.title, "year": audit.period_year},
    )
    return redirect(new)
