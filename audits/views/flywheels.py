from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audits.accounts.permissions import current_membership, current_organization_for, get_flywheel_for, role_allows
from audits.forms import FlywheelForm
from audits.models import Audit, Flywheel


@login_required
def home(request: HttpRequest) -> HttpResponse:
    if current_membership(request) is None:
        return render(request, "audits/no_organization.html")
    return redirect("audits:flywheels")


@login_required
def flywheel_list(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    if membership is None:
        return render(request, "audits/no_organization.html")
    flywheels = (
        Flywheel.objects.alive()
        .filter(organization=membership.organization)
        .annotate(audit_count=Count("audits", filter=Q(audits__deleted_at__isnull=True)))
    )
    return render(
        request,
        "audits/flywheel_list.html",
        {"flywheels": flywheels, "can_manage": role_allows(membership.role, "manage")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def flywheel_create(request: HttpRequest) -> HttpResponse:
    organization = current_organization_for(request, need="manage")
    form = FlywheelForm(request.POST or None, organization=organization)
    if form.is_valid():
        form.instance.organization = organization
        flywheel = form.save()
        messages.success(request, _("Flywheel “%(name)s” created.") % {"name": flywheel.name})
        return redirect(flywheel)
    return render(request, "audits/flywheel_form.html", {"form": form})


@login_required
def flywheel_detail(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id)
    audits = Audit.objects.alive().filter(flywheel=flywheel)
    return render(
        request,
        "audits/flywheel_detail.html",
        {"flywheel": flywheel, "audits": audits, "can_manage": role_allows(flywheel.user_role, "manage")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def flywheel_edit(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id, need="manage")
    form = FlywheelForm(request.POST or None, instance=flywheel, organization=flywheel.organization)
    if form.is_valid():
        form.save()
        messages.success(request, _("Flywheel saved."))
        return redirect(flywheel)
    return render(request, "audits/flywheel_form.html", {"form": form, "flywheel": flywheel})


@login_required
@require_http_methods(["GET", "POST"])
def flywheel_delete(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id, need="manage")
    if request.method == "POST":
        flywheel.deleted_at = timezone.now()
        flywheel.save(update_fields=["deleted_at"])
        messages.success(request, _("Flywheel “%(name)s” moved to the trash.") % {"name": flywheel.name})
        return redirect("audits:flywheels")
    audit_count = Audit.objects.alive().filter(flywheel=flywheel).count()
    return render(request, "audits/confirm_delete.html", {"object": flywheel, "audit_count": audit_count})


@login_required
@require_POST
def flywheel_restore(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id, need="manage", trashed=True)
    taken = Flywheel.objects.alive().filter(organization=flywheel.organization, name__iexact=flywheel.name)
    if taken.exists():
        # A new flywheel took the name meanwhile: keep both, told apart.
        restored_name = _("%(name)s (restored)") % {"name": flywheel.name}
        flywheel.name = restored_name[: Flywheel._meta.get_field("name").max_length]
    flywheel.deleted_at = None
    flywheel.save(update_fields=["deleted_at", "name"])
    messages.success(request, _("Flywheel “%(name)s” restored.") % {"name": flywheel.name})
    return redirect(flywheel)


@login_required
def trash(request: HttpRequest) -> HttpResponse:
    organization = current_organization_for(request, need="view")
    membership = current_membership(request)
    flywheels = Flywheel.objects.trashed().filter(organization=organization).order_by("-deleted_at")
    audits = (Audit.objects.trashed().filter(flywheel__organization=organization).select_related("flywheel")).order_by(
        "-deleted_at"
    )
    return render(
        request,
        "audits/trash.html",
        {"flywheels": flywheels, "audits": audits, "can_manage": role_allows(membership.role, "manage")},
    )
