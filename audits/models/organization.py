"""Organizations, their members and invitations, and personal API tokens."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=120)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        FACILITATOR = "facilitator", _("Facilitator")
        PARTICIPANT = "participant", _("Participant")
        VIEWER = "viewer", _("Viewer")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organization__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_user_and_organization")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet):
    def usable(self) -> "InvitationQuerySet":
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """An invitation link; only the SHA-256 of its token is stored."""

    organization = models.ForeignKey(Organization, models.CASCADE, related_name="invitations")
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    note = models.CharField(_("note"), max_length=120, blank=True, help_text=_("Who it is for, e.g. a name or e-mail."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Invitation to {self.organization} as {self.role}"

    @classmethod
    def issue(cls, organization: Organization, role: str, created_by, note: str = "") -> tuple["Invitation", str]:
        """Return a saved invitation and its token; the token is never stored."""
        token = secrets.token_urlsafe(32)
        invitation = cls.objects.create(
            organization=organization,
            role=role,
            note=note,
            token_hash=hash_token(token),
            created_by=created_by,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
        )
        return invitation, token

    STATUS_LABELS = {"open": _("open"), "accepted": _("accepted"), "revoked": _("revoked"), "expired": _("expired")}

    @property
    def status_label(self) -> str:
        return str(self.STATUS_LABELS[self.status])

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class ApiTokenQuerySet(models.QuerySet):
    def active(self) -> "ApiTokenQuerySet":
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A personal token for the read-only API; only the SHA-256 of the token is stored."""

    PREFIX = "fwa_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=80, help_text=_("What it is for, e.g. “Power BI dashboard”."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Return a saved token row and the token itself, which is never stored."""
        token = cls.PREFIX + secrets.token_urlsafe(32)
        return cls.objects.create(user=user, name=name, token_hash=hash_token(token)), token


# --- What happened to an audit's content ---------------------------------------------------------
