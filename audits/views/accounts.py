from django.contrib import messages
from django.contrib.auth import login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..forms import SignupForm
from ..models import Membership, Organization
from ..permissions import SESSION_KEY
from .organizations import PENDING_INVITATION_KEY, accept_invitation, pending_invitation


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("audits:home")
    invitation = pending_invitation(request)
    form = SignupForm(request.POST or None, joining=invitation and invitation.organization)
    if form.is_valid():
        with transaction.atomic():
            user = form.save()
            if invitation is None:
                organization = Organization.objects.create(name=form.cleaned_data["organization_name"])
                Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
            else:
                organization = accept_invitation(invitation, user)
        # The standalone backend (not axes) is the one to remember for this session.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.pop(PENDING_INVITATION_KEY, None)
        if organization is None:
            messages.error(request, _("The invitation was used or revoked meanwhile; ask for a new link."))
            return redirect("audits:home")
        request.session[SESSION_KEY] = organization.pk
        messages.success(request, _("Welcome to Flywheel Audit. You are in %(name)s.") % {"name": organization.name})
        return redirect("audits:home")
    return render(request, "registration/signup.html", {"form": form, "invitation": invitation})
