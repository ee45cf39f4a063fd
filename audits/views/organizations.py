from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audits.accounts.invitations import PENDING_INVITATION_KEY, accept_invitation, usable_invitation
from audits.accounts.permissions import (
    SESSION_KEY,
    get_invitation_for,
    get_membership_for,
    get_organization_for,
    role_allows,
    switch_organization,
)
from audits.forms import InvitationForm, OrganizationForm, RoleForm, SwitchOrganizationForm
from audits.models import Invitation, Membership, Organization, hash_token


@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    form = SwitchOrganizationForm(request.POST)
    if form.is_valid():
        organization = switch_organization(request, form.cleaned_data["organization"])
        messages.success(request, _("You are now working in %(name)s.") % {"name": organization.name})
    return redirect("audits:flywheels")


@login_required
def members(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_organization_for(request.user, organization_id)
    is_owner = role_allows(organization.user_role, "own")
    context = {
        "organization": organization,
        "memberships": organization.memberships.select_related("user").order_by("user__username"),
        "is_owner": is_owner,
        "invitations": organization.invitations.select_related("created_by") if is_owner else [],
        "invitation_form": InvitationForm(),
        "roles": Membership.Role.choices,
        "new_link": request.session.pop("new_invitation_link", None),
    }
    return render(request, "audits/members.html", context)


@login_required
@require_POST
def invitation_create(request: HttpRequest, organization_id: int) -> HttpResponse:
    organization = get_organization_for(request.user, organization_id, need="own")
    form = InvitationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role for the invitation."))
        return redirect("audits:members", organization_id=organization.pk)
    _invitation, token = Invitation.issue(
        organization, form.cleaned_data["role"], request.user, form.cleaned_data["note"]
    )
    # Shown once on the next page; only the token's hash is stored.
    link = request.build_absolute_uri(reverse("audits:invitation", kwargs={"token": token}))
    request.session["new_invitation_link"] = link
    messages.success(request, _("Invitation link created. Copy it now: it is shown only once."))
    return redirect("audits:members", organization_id=organization.pk)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, organization_id: int, invitation_id: int) -> HttpResponse:
    invitation = get_invitation_for(request.user, organization_id, invitation_id)
    Invitation.objects.filter(pk=invitation.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, _("Invitation revoked: its link no longer works."))
    return redirect("audits:members", organization_id=organization_id)


def _owner_count(organization: Organization) -> int:
    """Count the owners, locking their rows so two owners cannot demote each other at once.

    Call inside a transaction (PostgreSQL row locks; SQLite's IMMEDIATE transactions serialize).
    """
    return len(organization.memberships.select_for_update().filter(role=Membership.Role.OWNER))


@login_required
@require_POST
def member_role(request: HttpRequest, organization_id: int, membership_id: int) -> HttpResponse:
    membership = get_membership_for(request.user, organization_id, membership_id)
    form = RoleForm(request.POST, instance=membership)
    with transaction.atomic():
        leaves_no_owner = membership.role == Membership.Role.OWNER and _owner_count(membership.organization) == 1
        if not form.is_valid():
            messages.error(request, _("Choose one of the roles."))
        elif leaves_no_owner and form.cleaned_data["role"] != Membership.Role.OWNER:
            messages.error(request, _("An organization needs at least one owner. Make someone else owner first."))
        else:
            form.save()
            messages.success(
                request,
                _("%(name)s is now %(role)s.")
                % {"name": membership.user.username, "role": membership.get_role_display()},
            )
    return redirect("audits:members", organization_id=organization_id)


@login_required
@require_POST
def member_remove(request: HttpRequest, organization_id: int, membership_id: int) -> HttpResponse:
    membership = get_membership_for(request.user, organization_id, membership_id)
    with transaction.atomic():
        if membership.role == Membership.Role.OWNER and _owner_count(membership.organization) == 1:
            messages.error(request, _("An organization needs at least one owner. Make someone else owner first."))
            return redirect("audits:members", organization_id=organization_id)
        membership.delete()
    messages.success(
        request,
        _("%(name)s was removed from %(organization)s.")
        % {"name": membership.user.username, "organization": membership.organization.name},
    )
    return redirect("audits:members", organization_id=organization_id)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = usable_invitation(hash_token(token))
    if invitation is None:
        return render(request, "audits/invitation_invalid.html", status=404)
    if not request.user.is_authenticated:
        # Remembered (as its hash) so that signing up joins this organization instead of creating one.
        request.session[PENDING_INVITATION_KEY] = invitation.token_hash
        return render(request, "audits/invitation.html", {"invitation": invitation})
    already = invitation.organization.memberships.filter(user=request.user).first()
    if request.method == "POST" and already is None:
        organization = accept_invitation(invitation, request.user)
        if organization is None:
            return render(request, "audits/invitation_invalid.html", status=404)
        request.session[SESSION_KEY] = organization.pk
        messages.success(
            request,
            _("You joined %(name)s as %(role)s.") % {"name": organization.name, "role": invitation.get_role_display()},
        )
        return redirect("audits:flywheels")
    return render(request, "audits/invitation.html", {"invitation": invitation, "already": already})


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if form.is_valid():
        with transaction.atomic():
            organization = form.save()
            Membership.objects.create(user=request.user, organization=organization, role=Membership.Role.OWNER)
        request.session[SESSION_KEY] = organization.pk
        messages.success(
            request, _("Organization “%(name)s” created. You are its owner.") % {"name": organization.name}
        )
        return redirect("audits:flywheels")
    return render(request, "audits/organization_form.html", {"form": form})
