"""What a person chose for themselves: language and digits."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from audits.models.audit import Audit


class Profile(models.Model):
    """A user's own settings: the interface language (empty: from the browser) and digits."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, models.CASCADE, primary_key=True, related_name="profile")
    language = models.CharField(_("language"), max_length=5, blank=True, choices=Audit.Language.choices)
    persian_digits = models.BooleanField(
        _("Persian digits"),
        default=False,
        help_text=_("Show numbers with Persian digits (۱۲۳) when the interface is in Persian."),
    )

    def __str__(self) -> str:
        return f"Profile of {self.user}"
