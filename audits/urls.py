from django.urls import path

from audits.api import endpoints
from audits.views import (
    activity_feed,
    audits,
    compare,
    facilitation,
    files,
    flywheels,
    join,
    organizations,
    polling,
    profile,
    rows,
    signup,
    steps,
)

app_name = "audits"

urlpatterns = [
    path("", flywheels.home, name="home"),
    path("accounts/signup/", signup.signup, name="signup"),
    # Opened from the confirmation e-mail, with ?token=… (audits/accounts/signups.py).
    path("accounts/signup/confirm/", signup.signup_confirm, name="signup-confirm"),
    path("organizations/new/", organizations.organization_create, name="organization-create"),
    path("organizations/switch/", organizations.organization_switch, name="organization-switch"),
    path("organizations/<int:organization_id>/members/", organizations.members, name="members"),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/role/",
        organizations.member_role,
        name="member-role",
    ),
    path(
        "organizations/<int:organization_id>/members/<int:membership_id>/remove/",
        organizations.member_remove,
        name="member-remove",
    ),
    path(
        "organizations/<int:organization_id>/invitations/new/",
        organizations.invitation_create,
        name="invitation-create",
    ),
    path(
        "organizations/<int:organization_id>/invitations/<int:invitation_id>/revoke/",
        organizations.invitation_revoke,
        name="invitation-revoke",
    ),
    path("invitations/<str:token>/", organizations.invitation_accept, name="invitation"),
    path("flywheels/", flywheels.flywheel_list, name="flywheels"),
    path("flywheels/new/", flywheels.flywheel_create, name="flywheel-create"),
    path("flywheels/<int:flywheel_id>/", flywheels.flywheel_detail, name="flywheel"),
    path("flywheels/<int:flywheel_id>/edit/", flywheels.flywheel_edit, name="flywheel-edit"),
    path("flywheels/<int:flywheel_id>/delete/", flywheels.flywheel_delete, name="flywheel-delete"),
    path("flywheels/<int:flywheel_id>/restore/", flywheels.flywheel_restore, name="flywheel-restore"),
    path("flywheels/<int:flywheel_id>/audits/new/", audits.audit_create, name="audit-create"),
    path("audits/<int:audit_id>/", steps.overview, name="audit"),
    path("audits/<int:audit_id>/edit/", audits.audit_edit, name="audit-edit"),
    path("audits/<int:audit_id>/delete/", audits.audit_delete, name="audit-delete"),
    path("audits/<int:audit_id>/restore/", audits.audit_restore, name="audit-restore"),
    path("audits/<int:audit_id>/carry-forward/", audits.audit_carry_forward, name="audit-carry-forward"),
    path("trash/", flywheels.trash, name="trash"),
]

urlpatterns += [
    path("audits/<int:audit_id>/steps/<slug:step>/", steps.step_page, name="step"),
    path("audits/<int:audit_id>/panels/<slug:name>/", steps.panel, name="panel"),
    path("audits/<int:audit_id>/forces/<int:row_id>/ideas/", steps.force_ideas, name="force-ideas"),
    path("audits/<int:audit_id>/rows/<slug:kind>/add/", rows.row_add, name="row-add"),
    path("audits/<int:audit_id>/rows/<slug:kind>/paste/", rows.row_paste, name="row-paste"),
    path("audits/<int:audit_id>/rows/<slug:kind>/<int:row_id>/", rows.row_cell, name="row-cell"),
    path("audits/<int:audit_id>/rows/<slug:kind>/<int:row_id>/delete/", rows.row_delete, name="row-delete"),
    path("audits/<int:audit_id>/rows/<slug:kind>/<int:row_id>/move/", rows.row_move, name="row-move"),
]

urlpatterns += [
    path("audits/<int:audit_id>/export/<slug:file_format>/", files.audit_export, name="audit-export"),
    path("flywheels/<int:flywheel_id>/import/", files.audit_import, name="audit-import"),
    path(
        "flywheels/<int:flywheel_id>/compare/export/<slug:file_format>/",
        files.compare_export,
        name="compare-export",
    ),
]

urlpatterns += [
    path("profile/", profile.profile, name="profile"),
    path("profile/tokens/<int:token_id>/revoke/", profile.token_revoke, name="token-revoke"),
    path("api/v1/flywheels/", endpoints.api_flywheels, name="api-flywheels"),
    path("api/v1/flywheels/<int:flywheel_id>/audits/", endpoints.api_flywheel_audits, name="api-flywheel-audits"),
    path("api/v1/audits/<int:audit_id>/", endpoints.api_audit, name="api-audit"),
    path("api/v1/compare/", endpoints.api_compare, name="api-compare"),
]

urlpatterns += [
    path("flywheels/<int:flywheel_id>/compare/", compare.compare, name="compare"),
    path("flywheels/<int:flywheel_id>/history/", compare.history, name="history"),
]

urlpatterns += [
    path("audits/<int:audit_id>/changes/", polling.changes, name="audit-changes"),
    path("audits/<int:audit_id>/presence/", polling.presence, name="presence"),
    path("audits/<int:audit_id>/votes/<slug:kind>/<int:row_id>/", polling.vote, name="vote"),
    path("audits/<int:audit_id>/rows/<slug:kind>/<int:row_id>/restore/", polling.row_restore, name="row-restore"),
    path("audits/<int:audit_id>/facilitate/", facilitation.facilitate, name="facilitate"),
    path("audits/<int:audit_id>/present/", facilitation.presenter, name="present"),
    path("join/<str:token>/", join.join, name="join"),
]

urlpatterns += [
    path("audits/<int:audit_id>/activity/", activity_feed.activity_log, name="activity"),
    path("audits/<int:audit_id>/activity/<int:activity_id>/undo/", activity_feed.activity_undo, name="activity-undo"),
]
