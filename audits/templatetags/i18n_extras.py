"""Template tags for the interface language: the profile page's preferences form."""

from dataclasses import asdict

from django import template

from audits.accounts.preferences import PreferencesForm, get_preferences

register = template.Library()


@register.simple_tag(takes_context=True)
def preferences_form(context) -> PreferencesForm:
    """The form the view gave (with its errors), else one showing the user's preferences.

    `{% preferences_form as form %}`: the profile page shows it without its view knowing of it.
    """
    if "preferences_form" in context:
        return context["preferences_form"]
    return PreferencesForm(initial=asdict(get_preferences(context["request"])))
