"""The profile page: personal API tokens, the language and digits; and the language picker in every page's header."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from audits.accounts.preferences import (
    LanguageForm,
    PreferencesForm,
    get_preferences,
    safe_next,
    save_preferences,
    set_language_cookie,
)
from audits.forms import ApiTokenForm
from audits.models import ApiToken


def _get_token_for(user, token_id: int) -> ApiToken:
    return get_object_or_404(ApiToken, pk=token_id, user=user)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if form.is_valid():
        # Shown in this response only: the token is kept nowhere, not even in the session.
        _, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {"form": form, "tokens": request.user.api_tokens.all(), "new_token": new_token}
    return render(request, "audits/profile.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    token = _get_token_for(request.user, token_id)
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    messages.success(request, _("Token “%(name)s” revoked: it no longer works.") % {"name": token.name})
    return redirect("audits:profile")


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language and go back: in the cookie, and in a signed-in user's profile."""
    form = LanguageForm(request.POST)
    response = HttpResponseRedirect(safe_next(request))  # a path, never a URL pattern's name
    if not form.is_valid():
        return response
    chosen = form.cleaned_data["language"]
    if request.user.is_authenticated:
        save_preferences(request, response, replace(get_preferences(request), language=chosen))
    else:
        set_language_cookie(response, chosen)
    return response


@login_required
@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if not form.is_valid():
        context = {"form": ApiTokenForm(), "tokens": request.user.api_tokens.all(), "preferences_form": form}
        return render(request, "audits/profile.html", context, status=422)
    response = redirect("audits:profile")
    save_preferences(request, response, form.preferences())
    # Said in the language just chosen (the browser's, when that is the choice).
    with translation.override(form.cleaned_data["language"] or translation.get_language_from_request(request)):
        messages.success(request, _("Preferences saved."))
    return response
