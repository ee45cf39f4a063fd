"""A live workshop's state: the facilitator's controls, join links, guests, presence and dot votes."""

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone

from audits.models.audit import Audit, Force, FrictionPoint


class Workshop(models.Model):
    """The live state of an audit's workshop: the facilitator's step, the timer, locks, hiding and voting.

    Every change to it bumps the audit's content_version, so open pages learn of it through the
    same one-query poll as content changes.
    """

    audit = models.OneToOneField(Audit, models.CASCADE, primary_key=True, related_name="workshop")
    current_step = models.CharField(max_length=20, blank=True)
    # A running timer ends at timer_ends_at; a paused one keeps the time it had left.
    timer_ends_at = models.DateTimeField(null=True, blank=True)
    timer_left = models.DurationField(null=True, blank=True)
    locked_steps = models.JSONField(default=list, blank=True)
    # Anonymous input: step key -> when hiding began (ISO); rows written since are shown to their authors only.
    hidden_steps = models.JSONField(default=dict, blank=True)
    named_input = models.BooleanField(default=False)
    votes_per_person = models.PositiveSmallIntegerField(default=3, validators=[MaxValueValidator(50)])
    voting_open = models.BooleanField(default=False)
    named_votes = models.BooleanField(default=False)
    # The content_version of the last live change that alters what viewers may see or edit (a lock,
    # hiding or revealing, named input, voting opened or closed), and of the last that alters only the
    # shared parts (timer, the facilitator's step, a vote). Every change from `logged_from` on is in the
    # activity log or in these two, so the live poll can tell a page exactly what changed since then.
    layout_version = models.PositiveIntegerField(default=0, editable=False)
    shared_version = models.PositiveIntegerField(default=0, editable=False)
    logged_from = models.PositiveIntegerField(default=0, editable=False)
    # How many live changes bumped content_version: the difference counts the changes to the tables alone.
    live_changes = models.PositiveIntegerField(default=0, editable=False)

    def __str__(self) -> str:
        return f"Workshop of {self.audit}"


class JoinLink(models.Model):
    """A link that lets people join one audit's workshop; signed, expiring and revocable."""

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="join_links")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"Join link {self.pk} for {self.audit}"

    def is_active(self, now=None) -> bool:
        return self.revoked_at is None and self.expires_at > (now or timezone.now())


class Guest(models.Model):
    """Someone who joined an audit by link: a participant of that one audit while the link lasts."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="guest_passes")
    audit = models.ForeignKey(Audit, models.CASCADE, related_name="guests")
    join_link = models.ForeignKey(JoinLink, models.CASCADE, related_name="guests")
    display_name = models.CharField(max_length=60)
    joined = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "audit"], name="one_guest_pass_per_audit")]

    def __str__(self) -> str:
        return self.display_name


class Presence(models.Model):
    """Who has an audit open: each open page says so every few seconds."""

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="presences")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    step = models.CharField(max_length=20, blank=True)
    last_seen = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "user"], name="one_presence_per_user")]
        indexes = [models.Index(fields=["audit", "last_seen"], name="presence_audit_seen")]

    def __str__(self) -> str:
        return f"{self.user} on {self.audit}"


class Vote(models.Model):
    """One dot a participant put on a friction row or a force."""

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    friction = models.ForeignKey(FrictionPoint, models.CASCADE, null=True, blank=True, related_name="votes")
    force = models.ForeignKey(Force, models.CASCADE, null=True, blank=True, related_name="votes")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(friction__isnull=False, force__isnull=True)
                | models.Q(friction__isnull=True, force__isnull=False),
                name="vote_on_one_row",
            )
        ]
        indexes = [models.Index(fields=["audit", "user"], name="vote_audit_user")]

    def __str__(self) -> str:
        return f"Vote by {self.user} on {self.friction or self.force}"


# --- People's preferences -----------------------------------------------------------------------
