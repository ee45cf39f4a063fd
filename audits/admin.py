from django.contrib import admin

from audits.models import (
    ActionReview,
    Activity,
    ApiToken,
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Guest,
    Invitation,
    JoinLink,
    Membership,
    Metric,
    Organization,
    Presence,
    Profile,
    Reading,
    SelfAssessment,
    StageStrategy,
    Team,
    Vote,
    Workshop,
)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created"]
    search_fields = ["name"]
    date_hierarchy = "created"
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "organization__name"]
    list_select_related = ["user", "organization"]
    autocomplete_fields = ["user", "organization"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["organization", "role", "note", "created_by", "created", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role", ("accepted_at", admin.EmptyFieldListFilter), ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["organization__name", "note", "created_by__username"]
    list_select_related = ["organization", "created_by"]
    readonly_fields = ["token_hash", "created", "accepted_by", "accepted_at"]


@admin.register(Flywheel)
class FlywheelAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "created", "deleted_at"]
    list_filter = [("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "description", "organization__name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ["title", "flywheel", "period_year", "workshop_date", "language", "status", "deleted_at"]
    list_filter = ["status", "language", "period_year", ("deleted_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "flywheel__name", "flywheel__organization__name"]
    list_select_related = ["flywheel__organization"]
    autocomplete_fields = ["flywheel"]


class ReadOnlyContentAdmin(admin.ModelAdmin):
    """Audit content is read-only here: the workshop pages edit it, versioning every save."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AuditRowAdmin(ReadOnlyContentAdmin):
    """The rows of an audit's tables: found by text, filtered by stage, linked to their audit."""

    list_select_related = ["audit__flywheel__organization"]
    autocomplete_fields = ["audit"]
    readonly_fields = ["version", "position"]


@admin.register(StageStrategy)
class StageStrategyAdmin(AuditRowAdmin):
    list_display = ["audit", "stage", "principle", "approach"]
    list_filter = ["stage"]
    search_fields = ["principle", "approach", "audit__title"]


class ReadingInline(admin.TabularInline):
    model = Reading
    extra = 0
    exclude = ["position"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Metric)
class MetricAdmin(AuditRowAdmin):
    list_display = ["name", "audit", "stage", "kind", "unit", "period", "illustrative"]
    list_filter = ["stage", "kind", "period", "illustrative"]
    search_fields = ["name", "activity", "audit__title"]
    inlines = [ReadingInline]


@admin.register(Reading)
class ReadingAdmin(ReadOnlyContentAdmin):
    list_display = ["metric", "period_start", "gained", "lost", "total", "promoters", "detractors", "value"]
    list_filter = ["metric__kind", "metric__period"]
    search_fields = ["metric__name", "metric__audit__title"]
    list_select_related = ["metric__audit"]
    autocomplete_fields = ["metric"]
    date_hierarchy = "period_start"


@admin.register(Team)
class TeamAdmin(AuditRowAdmin):
    list_display = ["name", "audit", "position"]
    search_fields = ["name", "audit__title"]


@admin.register(Force)
class ForceAdmin(AuditRowAdmin):
    list_display = ["name", "team", "audit", "stage", "serves", "owner"]
    list_filter = ["stage", "serves"]
    search_fields = ["name", "before", "now", "planned_change", "owner", "audit__title"]
    list_select_related = ["team", "audit__flywheel__organization"]
    autocomplete_fields = ["audit", "team"]


@admin.register(FrictionPoint)
class FrictionPointAdmin(AuditRowAdmin):
    list_display = ["source", "audit", "origin", "stage", "owner", "due_date"]
    list_filter = ["origin", "stage"]
    search_fields = ["source", "automation", "new_goal", "restructure", "owner", "audit__title"]


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(AuditRowAdmin):
    list_display = ["question", "audit", "answer"]
    list_filter = ["question", "answer"]
    search_fields = ["notes", "audit__title"]


@admin.register(ActionReview)
class ActionReviewAdmin(AuditRowAdmin):
    list_display = ["fix", "audit", "kind", "owner", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["what", "fix", "owner", "note", "audit__title"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created on the profile page, where the token is shown once; here they can be revoked."""

    list_display = ["name", "user", "created", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "user__username"]
    list_select_related = ["user"]
    readonly_fields = ["user", "name", "token_hash", "created", "last_used_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    """The log is written by the edits themselves: here it is only read."""

    list_display = ["created", "audit", "user", "action", "kind", "row_id", "field", "summary", "undone_at"]
    list_filter = ["action", ("undone_at", admin.EmptyFieldListFilter)]
    search_fields = ["summary", "before", "after", "user__username", "audit__title"]
    list_select_related = ["audit", "user"]
    date_hierarchy = "created"

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = ["audit", "current_step", "voting_open", "votes_per_person"]
    list_filter = ["voting_open", "named_input"]
    search_fields = ["audit__title"]
    list_select_related = ["audit"]


@admin.register(JoinLink)
class JoinLinkAdmin(admin.ModelAdmin):
    list_display = ["audit", "created_by", "created", "expires_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["audit__title", "created_by__username"]
    list_select_related = ["audit", "created_by"]
    readonly_fields = ["audit", "created_by"]


@admin.register(Guest)
class GuestAdmin(admin.ModelAdmin):
    list_display = ["display_name", "audit", "joined"]
    search_fields = ["display_name", "audit__title"]
    list_select_related = ["audit"]
    readonly_fields = ["user", "audit", "join_link"]


@admin.register(Presence)
class PresenceAdmin(admin.ModelAdmin):
    list_display = ["user", "audit", "step", "last_seen"]
    search_fields = ["user__username", "audit__title"]
    list_select_related = ["user", "audit"]


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ["audit", "user", "friction", "force", "created"]
    search_fields = ["audit__title", "user__username"]
    list_select_related = ["audit", "user", "friction", "force"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "language", "persian_digits"]
    list_filter = ["language", "persian_digits"]
    search_fields = ["user__username"]
