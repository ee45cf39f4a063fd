"""Flywheels, their audits, the rows of the three exercises, and the activity log of every change."""

from datetime import timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from audits.models.organization import Organization


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
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), max_length=2000, blank=True)
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
        DRAFT = "draft", _("Draft")
        COMPLETE = "complete", _("Complete")

    class Language(models.TextChoices):
        ENGLISH = "en", "English"
        VIETNAMESE = "vi", "Tiếng Việt"
        PERSIAN = "fa", "فارسی"

    flywheel = models.ForeignKey(Flywheel, models.CASCADE, related_name="audits")
    title = models.CharField(_("title"), max_length=200)
    period_year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    workshop_date = models.DateField(_("workshop date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.ENGLISH)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    carried_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="carried_to", editable=False
    )
    # Bumped by every change to the audit's content: "has this audit changed since N?"
    content_version = models.PositiveIntegerField(default=0, editable=False)

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
    audits = Audit.objects.filter(models.Q(deleted_at__lte=cutoff) | models.Q(flywheel__deleted_at__lte=cutoff))
    flywheels = Flywheel.objects.filter(deleted_at__lte=cutoff)
    counts = (audits.count(), flywheels.count())
    audits.delete()
    flywheels.delete()
    return counts


# --- The workshop content of an audit -------------------------------------------------------


class Stage(models.TextChoices):
    ATTRACT = "attract", _("Attract")
    ENGAGE = "engage", _("Engage")
    DELIGHT = "delight", _("Delight")


STAGE_ORDER = {stage: index for index, stage in enumerate(Stage.values)}


class AuditRow(models.Model):
    """A row of one of an audit's tables: versioned, so that no save silently overwrites another."""

    version = models.PositiveIntegerField(default=1, editable=False)
    position = models.PositiveIntegerField(default=0, editable=False)

    class Meta:
        abstract = True


class StageStrategy(AuditRow):
    audit = models.ForeignKey(Audit, models.CASCADE, related_name="strategies")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    principle = models.CharField(_("inbound principle"), max_length=300, blank=True)
    approach = models.TextField(_("approach (key activities)"), max_length=2000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "stage"], name="one_strategy_per_stage")]

    def __str__(self) -> str:
        return f"{self.get_stage_display()}: {self.approach[:40]}"


class Metric(AuditRow):
    class Kind(models.TextChoices):
        BUCKET = "bucket", _("Bucket (gained, lost, total)")
        NPS = "nps", _("Net Promoter Score")
        RATE = "rate", _("Rate (%)")
        VALUE = "value", _("Value")

    class Period(models.TextChoices):
        MONTH = "month", _("Month")
        QUARTER = "quarter", _("Quarter")
        YEAR = "year", _("Year")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="metrics")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BUCKET)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    period = models.CharField(_("period"), max_length=10, choices=Period.choices, default=Period.MONTH)
    activity = models.CharField(_("key activity"), max_length=300, blank=True)
    illustrative = models.BooleanField(_("illustrative"), default=False, help_text=_("Example figures, not real data."))
    higher_is_better = models.BooleanField(
        _("higher is better"), default=True, help_text=_("Off for churn, lost customers and the like: down is good.")
    )
    carried_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, editable=False, related_name="+")

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Reading(AuditRow):
    """One period's figures of a metric; which fields apply depends on the metric's kind."""

    metric = models.ForeignKey(Metric, models.CASCADE, related_name="readings")
    period_start = models.DateField(_("period start"))
    gained = models.PositiveIntegerField(_("gained"), null=True, blank=True)
    lost = models.PositiveIntegerField(_("lost"), null=True, blank=True)
    total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    promoters = models.PositiveIntegerField(_("promoters"), null=True, blank=True)
    passives = models.PositiveIntegerField(_("passives"), null=True, blank=True)
    detractors = models.PositiveIntegerField(_("detractors"), null=True, blank=True)
    promoters_lost = models.PositiveIntegerField(
        _("promoters lost"), null=True, blank=True, help_text=_("Promoters who slipped to passive or detractor.")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["period_start"]
        constraints = [models.UniqueConstraint(fields=["metric", "period_start"], name="one_reading_per_period")]

    def __str__(self) -> str:
        return f"{self.metric} {self.period_start}"


class Team(AuditRow):
    audit = models.ForeignKey(Audit, models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=80)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class Force(AuditRow):
    class Serves(models.TextChoices):
        PROCESS = "process", _("Our process")
        CUSTOMER = "customer", _("The customer")
        BOTH = "both", _("Both")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="forces")
    team = models.ForeignKey(Team, models.CASCADE, related_name="forces")
    name = models.CharField(_("force"), max_length=200)
    before = models.TextField(_("before"), max_length=2000, blank=True)
    now = models.TextField(_("now"), max_length=2000, blank=True)
    serves = models.CharField(_("serves"), max_length=10, choices=Serves.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    # Carried forward: last year's planned change, the target to check this year.
    target = models.TextField(_("last year's planned change"), max_length=2000, blank=True, editable=False)
    planned_change = models.TextField(_("planned change for next year"), max_length=2000, blank=True)
    owner = models.CharField(_("owner"), max_length=120, blank=True)
    carried_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, editable=False, related_name="+")
    # Who wrote the row and when: anonymous input hides others' new rows until the facilitator reveals them.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created = models.DateTimeField(null=True, blank=True, default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.name


class FrictionPoint(AuditRow):
    class Origin(models.TextChoices):
        EXTERNAL = "external", _("External (customers, prospects)")
        INTERNAL = "internal", _("Internal (metrics, processes)")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="friction_points")
    source = models.TextField(_("source of friction"), max_length=2000)
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, blank=True)
    teams = models.CharField(_("teams involved"), max_length=200, blank=True)
    # Each step's answer: empty (not answered yet), "No", or the fix.
    automation = models.TextField(_("automation"), max_length=2000, blank=True)
    new_goal = models.TextField(_("new (shared) goal"), max_length=2000, blank=True)
    restructure = models.TextField(_("restructuring"), max_length=2000, blank=True)
    owner = models.CharField(_("fix owner"), max_length=120, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    carried_from = models.ForeignKey("self", models.SET_NULL, null=True, blank=True, editable=False, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, editable=False, related_name="+"
    )
    created = models.DateTimeField(null=True, blank=True, default=timezone.now, editable=False)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return Truncator(self.source).chars(60)


class SelfAssessment(AuditRow):
    class Question(models.TextChoices):
        SAME_JOB = "same_job", _("Do people who do the same job sit in different departments?")
        TOO_SPECIALIZED = "too_specialized", _("Are teams too specialized?")
        BLIND_SPOT = "blind_spot", _("If the organization has a systemic blind spot, is a team assigned to it?")

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        NO = "no", _("No")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="self_assessment")
    question = models.CharField(_("question"), max_length=20, choices=Question.choices)
    answer = models.CharField(_("answer"), max_length=3, choices=Answer.choices, blank=True)
    notes = models.TextField(_("notes"), max_length=2000, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["audit", "question"], name="one_answer_per_question")]

    def __str__(self) -> str:
        return self.get_question_display()


class ActionReview(AuditRow):
    """Last audit's action item, reviewed at the start of the next audit: done, partly, not done, dropped."""

    class Status(models.TextChoices):
        DONE = "done", _("Done")
        PARTLY = "partly", _("Partly done")
        NOT_DONE = "not_done", _("Not done")
        DROPPED = "dropped", _("Dropped")

    class Kind(models.TextChoices):
        FRICTION = "friction", _("Friction")
        FORCE = "force", _("Force")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="action_reviews")
    # The action item, carried from last year: not edited, only reviewed.
    kind = models.CharField(
        pgettext_lazy("the friction or force an action item was for", "for"),
        max_length=10,
        choices=Kind.choices,
        editable=False,
    )
    what = models.TextField(_("what"), max_length=2000, editable=False)
    fix = models.TextField(_("fix"), max_length=2000, editable=False)
    owner = models.CharField(_("owner"), max_length=120, blank=True, editable=False)
    due_date = models.DateField(_("due date"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), max_length=2000, blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.fix[:60]


# --- Access to the read-only API ----------------------------------------------------------------


class Activity(models.Model):
    """One change to an audit's tables: who, when, what, before → after; written with the change itself."""

    class Action(models.TextChoices):
        EDIT = "edit", _("Edited")
        ADD = "add", _("Added")
        DELETE = "delete", _("Deleted")
        MOVE = "move", _("Moved")
        UNDO = "undo", _("Undid")

    audit = models.ForeignKey(Audit, models.CASCADE, related_name="activities")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+")
    created = models.DateTimeField(auto_now_add=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    kind = models.CharField(max_length=20)  # a table of audits.content.tables.TABLES
    row_id = models.PositiveIntegerField()
    field = models.CharField(max_length=40, blank=True)
    before = models.TextField(blank=True)
    after = models.TextField(blank=True)
    summary = models.CharField(max_length=200, blank=True)
    # A deletion's row (and a team's forces, a metric's readings), so that it can be undone.
    snapshot = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    undone_at = models.DateTimeField(null=True, blank=True)
    # The audit's content_version this change produced (None: recorded before versions were), and the
    # team or metric an added, moved or restored force or reading sits in: what the live poll's delta reads.
    version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    group_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["audit", "created"], name="activity_audit_created"),
            models.Index(fields=["audit", "version"], name="activity_audit_version"),
        ]
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.kind} {self.row_id}"


# --- Running a workshop live ----------------------------------------------------------------------
