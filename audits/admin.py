from django.contrib import admin

from .models import Audit, Flywheel, Invitation, Membership, Organization


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
