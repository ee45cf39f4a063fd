"""The language picker in every page's header, and the language and digits on the profile page."""

from dataclasses import replace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ..preferences import (
    LanguageForm,
    PreferencesForm,
    get_preferences,
    safe_next,
    save_preferences,
    set_language_cookie,
)
from .api import ApiTokenForm


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
