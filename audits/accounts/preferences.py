"""Each user's interface language and digits: the middleware that applies them, and their forms.

Which language a page is in, first match wins:
1. a signed-in user's Profile.language (set with the header's picker or on the profile page);
2. the language cookie (the picker sets it for everyone, so the login page keeps the choice);
3. the browser's Accept-Language; 4. settings.LANGUAGE_CODE.
Django's LocaleMiddleware does 2-4; UserLanguageMiddleware, placed after the user is known, does 1.
An audit's own language (Audit.language) is separate: it decides its exports, whoever downloads them.

The profile is read from the session, not the database: it is copied there at login and
whenever the user changes it here, so that a request costs no query for it (the live pages
poll the server every few seconds). A session from before this existed is filled once.

Persian digits (۱۲۳) are a font, not a text change. static/css/fonts.css declares a family
"Persian Digits" whose only glyphs are Vazirmatn's Persian digits, drawn for the code points of
the ASCII digits 0-9 (unicode-range U+0030-0039; a subset of Vazirmatn's "FD" build). With the
preference on and the page in Persian, base.html puts `class="persian-digits"` on <html> and
that family comes first in the font stack, so every digit on the page, the SVG diagram's
included, is drawn in Persian while the text stays ASCII: copying, searching, screen readers,
htmx swaps and form values all see "123", and no attribute, URL or input value can be
corrupted. Fields, code and samples keep the plain font, so what someone types is shown as
typed. (Rewriting the digits in the HTML would have to tell text from attributes, inline data
and inputs; a template filter would have to be put on every number of every template.)
"""

from dataclasses import asdict, dataclass

from django import forms
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _

from audits.models import Profile

SESSION_KEY = "preferences"


@dataclass(frozen=True)
class Preferences:
    language: str = ""  # empty: the browser's
    persian_digits: bool = False


def get_preferences(request: HttpRequest) -> Preferences:
    """Return the signed-in user's preferences (the defaults for anyone else), from the session."""
    if not request.user.is_authenticated:
        return Preferences()
    stored = request.session.get(SESSION_KEY)
    if stored is None:
        stored = _store(request, _load(request.user))
    return Preferences(**stored)


def save_preferences(request: HttpRequest, response: HttpResponse, preferences: Preferences) -> None:
    """Keep the user's choice in their profile and session, and make the language cookie agree."""
    Profile.objects.update_or_create(user=request.user, defaults=asdict(preferences))
    _store(request, preferences)
    set_language_cookie(response, preferences.language)


def set_language_cookie(response: HttpResponse, language: str) -> None:
    """Set the cookie LocaleMiddleware reads, as Django's set_language does; an empty language deletes it."""
    if not language:
        response.delete_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
        return
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


def shows_persian_digits(request: HttpRequest) -> bool:
    """Whether this page draws its digits in Persian: the user asks for it and the page is in Persian."""
    return translation.get_language() == "fa" and get_preferences(request).persian_digits


def safe_next(request: HttpRequest) -> str:
    """Return where to go back to: `next`, else the Referer, if on this site; else the home page."""
    for url in (request.POST.get("next"), request.headers.get("referer")):
        if url and url_has_allowed_host_and_scheme(url, {request.get_host()}, require_https=request.is_secure()):
            return url
    return "/"


class UserLanguageMiddleware:
    """Show a signed-in user's pages in their profile's language, whatever the browser asks for.

    Runs after LocaleMiddleware (the browser's language) and AuthenticationMiddleware. The
    language stays active until LocaleMiddleware answers, so Content-Language agrees; the
    language cookie is brought in line too, so the page after logging out keeps the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = get_preferences(request).language
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            set_language_cookie(response, language)
        return response


@receiver(user_logged_in, dispatch_uid="audits.accounts.preferences.load_preferences")
def load_preferences(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """Copy the profile into the new session, so that no request has to read it."""
    if request is not None and hasattr(request, "session"):
        _store(request, _load(user))


def _load(user) -> Preferences:
    profile = Profile.objects.filter(user=user).values("language", "persian_digits").first()
    return Preferences(**profile) if profile else Preferences()


def _store(request: HttpRequest, preferences: Preferences) -> dict:
    stored = asdict(preferences)
    request.session[SESSION_KEY] = stored
    return stored


# --- Forms ------------------------------------------------------------------------------------


class LanguageForm(forms.Form):
    """The header's picker: one of the interface languages."""

    language = forms.ChoiceField(choices=settings.LANGUAGES)


class PreferencesForm(forms.ModelForm):
    """The profile page's settings: the interface language (or the browser's) and Persian digits."""

    class Meta:
        model = Profile
        fields = ("language", "persian_digits")
        help_texts = {
            "language": _("The language of every page for you; an audit's exports use the audit's own language."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("As my browser asks")), *settings.LANGUAGES]

    def preferences(self) -> Preferences:
        return Preferences(self.cleaned_data["language"], self.cleaned_data["persian_digits"])
