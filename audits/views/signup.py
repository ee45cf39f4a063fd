from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from audits.accounts import signups
from audits.accounts.invitations import PENDING_INVITATION_KEY, accept_invitation, pending_invitation
from audits.accounts.permissions import SESSION_KEY
from audits.forms import SignupForm
from audits.models import Invitation, Membership, Organization


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("audits:home")
    invitation = pending_invitation(request)
    form = SignupForm(request.POST or None, joining=invitation and invitation.organization)
    if form.is_valid():
        # The same page whether or not the address has an account: the e-mail tells the difference.
        signups.sign_up(request, form, invitation)
        context = {"email": form.cleaned_data["email"], "days": settings.SIGNUP_CONFIRMATION_DAYS}
        return render(request, "registration/signup_done.html", context)
    return render(request, "registration/signup.html", {"form": form, "invitation": invitation})


def _first_organization(confirmation: signups.Confirmation) -> Organization | None:
    """Create the new account's organization, or accept its invitation (None if used or revoked meanwhile)."""
    if confirmation.invitation_id is None:
        organization = Organization.objects.create(name=confirmation.organization_name)
        Membership.objects.create(user=confirmation.user, organization=organization, role=Membership.Role.OWNER)
        return organization
    usable = Invitation.objects.usable().select_related("organization")
    invitation = usable.filter(pk=confirmation.invitation_id).first()
    return accept_invitation(invitation, confirmation.user) if invitation else None


@require_GET
def signup_confirm(request: HttpRequest) -> HttpResponse:
    confirmation = signups.read_confirmation(request.GET.get("token", ""))
    with transaction.atomic():
        if confirmation is None or not signups.activate(confirmation.user):
            return render(request, "registration/signup_confirm_invalid.html", status=404)
        organization = _first_organization(confirmation)
    user = confirmation.user
    # The standalone backend (not axes) is the one to remember for this session.
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session.pop(PENDING_INVITATION_KEY, None)
    if organization is None:
        messages.error(request, _("The invitation was used or revoked meanwhile; ask for a new link."))
        return redirect("audits:home")
    request.session[SESSION_KEY] = organization.pk
    messages.success(request, _("Welcome to Flywheel Audit. You are in %(name)s.") % {"name": organization.name})
    return redirect("audits:home")
