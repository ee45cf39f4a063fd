"""Joining a workshop by link: members as themselves, anyone else as a guest of that one audit.

Opening the link only shows the join page; joining is the page's POST. A plain GET changes
nothing, so a link preview or a prefetching browser cannot move anyone's guest pass.
"""

from django import forms
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from audits.accounts.guests import GUEST_SESSION_KEY
from audits.accounts.names import clean_display_name
from audits.content.document import display_name
from audits.live import room


class GuestNameForm(forms.Form):
    name = forms.CharField(
        label=_("Your name"),
        max_length=60,
        help_text=_("How the others will see you in this workshop. No account or e-mail needed."),
    )

    def clean_name(self) -> str:
        name = clean_display_name(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(_("Type the name the others should see."))
        return name


def _closed(request: HttpRequest, link, reason: str) -> HttpResponse:
    return render(request, "audits/live/join_closed.html", {"link": link, "reason": reason}, status=410)


@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    link = room.link_for_token(token)
    if link is None or link.audit.deleted_at or link.audit.flywheel.deleted_at:
        return render(request, "audits/live/join_closed.html", {"link": None, "reason": "invalid"}, status=404)
    if link.revoked_at is not None:
        return _closed(request, link, "revoked")
    if not link.is_active():
        return _closed(request, link, "expired")
    audit = link.audit
    # A guest of another workshop is a stranger here: they join afresh, by name (logged out on POST).
    person = request.user if request.user.is_authenticated else None
    if request.session.get(GUEST_SESSION_KEY) not in (None, audit.pk):
        person = None
    # Nothing to change, so no need to ask: members work as themselves, and a guest pass that
    # already rests on this link lets its holder straight in.
    if person is not None and (
        room.is_member(person, audit) or person.guest_passes.filter(audit=audit, join_link=link).exists()
    ):
        return redirect(audit)
    form = GuestNameForm(request.POST if request.method == "POST" and person is None else None)
    if request.method == "POST":
        if person is not None:
            room.join_as_user(link, person)  # an earlier guest pass now rests on this link
            return redirect(audit)
        if form.is_valid():
            if request.user.is_authenticated:
                logout(request)
            guest = room.join_as_guest(link, form.cleaned_data["name"])
            login(request, guest, backend="django.contrib.auth.backends.ModelBackend")
            request.session.set_expiry(link.expires_at)
            request.session[GUEST_SESSION_KEY] = audit.pk
            return redirect(audit)
    context = {"link": link, "audit": audit, "form": form, "name": display_name(person) if person else ""}
    return render(request, "audits/live/join.html", context, status=422 if form.errors else 200)
