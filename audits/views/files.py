"""Downloading an audit, or the comparison of two, as a file; importing an audit into a flywheel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from audits.accounts.permissions import get_audit_for, get_flywheel_for
from audits.accounts.visibility import user_document
from audits.forms import CompareForm, ImportForm
from audits.reports.exports import (
    CONTENT_TYPES,
    compare_for_export,
    comparison_file_name,
    export,
    export_comparison,
    file_name,
)
from audits.reports.imports import ImportFailed, import_audit, read_file


@login_required
def audit_export(request: HttpRequest, audit_id: int, file_format: str) -> HttpResponse:
    if file_format not in CONTENT_TYPES:
        raise Http404(_("No such format."))
    document = user_document(get_audit_for(request.user, audit_id), request.user)
    return _download(export(document, file_format), file_format, file_name(document, file_format))


def _download(content: bytes, file_format: str, name: str) -> HttpResponse:
    """A file to save, never kept by a browser's or a proxy's cache: it holds the organization's data."""
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def audit_import(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id, need="manage")
    form = ImportForm(request.POST, request.FILES) if request.method == "POST" else ImportForm()
    errors: list[str] = []
    if form.is_valid():
        try:
            audit = import_audit(read_file(form.cleaned_data["file"].read()), flywheel)
        except ImportFailed as failure:
            errors = failure.errors
        else:
            messages.success(
                request,
                _("Imported “%(title)s” as a new audit of %(name)s.") % {"title": audit.title, "name": flywheel.name},
            )
            return redirect(audit)
    status = 422 if request.method == "POST" else 200
    context = {"flywheel": flywheel, "form": form, "errors": errors}
    return render(request, "audits/import.html", context, status=status)


@login_required
@require_safe
def compare_export(request: HttpRequest, flywheel_id: int, file_format: str) -> HttpResponse:
    # As the compare page it is linked from: any two audits the user can see, of this flywheel or another.
    get_flywheel_for(request.user, flywheel_id)
    if file_format not in CONTENT_TYPES:
        raise Http404(_("No such format."))
    form = CompareForm(request.GET)
    if not form.is_valid():
        message = " ".join(form.non_field_errors()) or _("Give two audit ids: ?before=<id>&after=<id>.")
        return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
    before = get_audit_for(request.user, form.cleaned_data["before"])
    after = get_audit_for(request.user, form.cleaned_data["after"])
    comparison = compare_for_export(user_document(before, request.user), user_document(after, request.user))
    content = export_comparison(comparison, file_format)
    return _download(content, file_format, comparison_file_name(comparison, file_format))
