import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone


class Organization(models.Model):
    name = models.CharField(max_length=120)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        FACILITATOR = "facilitator", "Facilitator"
        PARTICIPANT = "participant", "Participant"
        VIEWER = "viewer", "Viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
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
    role = models.CharField(max_length=20, choices=Membership.Role.choices)
    note = models.CharField(max_length=120, blank=True, help_text="Who it is for, e.g. a name or e-mail.")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
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

    @property
    def status(self) -> str:
        if self.revoked_at:
            return "revoked"
        if self.accepted_at:
            return "accepted"
        if self.expires_at <= timezone.now():
            return "expired"
        return "open"


class TrashQuerySet(models.QuerySet):
    def trash_cutoff(self):
        return timezone.now() - timedelta(days=settings.TRASH_DAYS)


class FlywheelQuerySet(TrashQuerySet):
    def alive(self) -> "FlywheelQuerySet":
        return self.filter(deleted_at__isnull=True)

    def trashed(self) -> "FlywheelQuerySet":
        return self.filter(deleted_at__gt=self.trash_cutoff())


class Flywheel(models.Model):
    organization = models.ForeignKey(Organization, models.CASCADE, related_name="flywheels")
    name = models.CharField(max_length=120)
    description = models.TextField(max_length=2000, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = FlywheelQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("audits:flywheel", kwargs={"flywheel_id": self.pk})


class AuditQuerySet(TrashQuerySet):
    def alive(self) -> "AuditQuerySet":
        return self.filter(deleted_at__isnull=True, flywheel__deleted_at__isnull=True)

    def trashed(self) -> "AuditQuerySet":
        return self.filter(deleted_at__gt=self.trash_cutoff(), flywheel__deleted_at__isnull=True)


class Audit(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        COMPLETE = "complete", "Complete"

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        VIETNAMESE = "vi", "Tiếng Việt"
        PERSIAN = "fa", "فارسی"

    flywheel = models.ForeignKey(Flywheel, models.CASCADE, related_name="audits")
    title = models.CharField(max_length=200)
    period_year = models.PositiveSmallIntegerField(
        "year", validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    workshop_date = models.DateField(null=True, blank=True)
    language = models.CharField(max_length=5, choices=Language.choices, default=Language.ENGLISH)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-period_year", "-created", "pk"]
        indexes = [models.Index(fields=["flywheel", "deleted_at"], name="audit_flywheel_alive")]

    def __str__(self) -> str:
        return f"{self.title} ({self.period_year})"

    def get_absolute_url(self) -> str:
        return reverse("audits:audit", kwargs={"audit_id": self.pk})


def purge_expired_trash() -> tuple[int, int]:
    """Delete for good what has been in the trash longer than TRASH_DAYS; return the counts."""
    cutoff = timezone.now() - timedelta(days=settings.TRASH_DAYS)
    audits = Audit.objects.filter(deleted_at__lte=cutoff)
    flywheels = Flywheel.objects.filter(deleted_at__lte=cutoff)
    counts = (audits.count(), flywheels.count())
    audits.delete()
    flywheels.delete()
    return counts
