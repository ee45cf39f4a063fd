"""Downloading an audit as a file, and importing one into a flywheel."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ..document import load
from ..exports import CONTENT_TYPES, export, file_name
from ..forms import ImportForm
from ..imports import ImportFailed, import_audit, read_file
from ..permissions import get_audit_for, get_flywheel_for


@login_required
def audit_export(request: HttpRequest, audit_id: int, file_format: str) -> HttpResponse:
    if file_format not in CONTENT_TYPES:
        raise Http404("No such format.")
    document = load(get_audit_for(request.user, audit_id))
    response = HttpResponse(export(document, file_format), content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{file_name(document, file_format)}"'
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
            messages.success(request, f"Imported “{audit.title}” as a new audit of {flywheel.name}.")
            return redirect(audit)
    status = 422 if request.method == "POST" else 200
    context = {"flywheel": flywheel, "form": form, "errors": errors}
    return render(request, "audits/import.html", context, status=status)
