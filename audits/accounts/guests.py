"""Keeping guests inside their workshop.

A guest who joined by link (audits/views/join.py) has an account without a password, made for
that one audit. Whatever URL they try, they reach only that audit's pages (which the permission
layer still checks, role by role) and the few pages everyone needs: log out, join, language.
When the facilitator closes the link or it expires, the guest sees a page that says so.
"""

from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve

from audits.models import Guest

# The session of a guest-only account names the one audit it may reach.
GUEST_SESSION_KEY = "guest_audit_id"

OPEN_TO_GUESTS = {"logout", "audits:join", "set_language", "preferences"}
# Asked every few seconds; the permission lookup already refuses a closed link there.
FREQUENT = {"audits:audit-changes", "audits:presence"}


class GuestScopeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        audit_id = request.session.get(GUEST_SESSION_KEY) if hasattr(request, "session") else None
        if audit_id is None or not request.user.is_authenticated:
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)  # static files, the 404 page
        if match.view_name in OPEN_TO_GUESTS or (
            match.view_name in FREQUENT and match.kwargs.get("audit_id") == audit_id
        ):
            return self.get_response(request)
        guest = Guest.objects.filter(user=request.user, audit_id=audit_id).select_related("join_link", "audit").first()
        if guest is None or not guest.join_link.is_active():
            link = guest.join_link if guest else None
            logout(request)
            reason = "revoked" if link and link.revoked_at else "expired"
            return render(request, "audits/live/join_closed.html", {"link": link, "reason": reason}, status=410)
        if match.kwargs.get("audit_id") != audit_id:
            return redirect(guest.audit)
        return self.get_response(request)
