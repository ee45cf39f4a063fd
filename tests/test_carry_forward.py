"""Starting next year's audit from this year's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audits.content import document
from audits.content.carry import carry_forward, next_title
from audits.content.demo import fill_with_example, follow_up
from audits.models import ActionReview, Audit, FrictionPoint, Membership, Reading

from .factories import AuditFactory


@pytest.fixture
def demo(owner, flywheel):
    """HubSpot's 2018 example in an audit of the owner's flywheel, not yet carried forward."""
    audit = AuditFactory(flywheel=flywheel, title="HubSpot flywheel audit", period_year=2018)
    fill_with_example(audit)
    return Audit.objects.select_related("flywheel__organization").get(pk=audit.pk)


def load(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def test_it_starts_the_next_period_of_the_same_flywheel(demo):
    new = carry_forward(demo)
    assert (new.flywheel, new.period_year, new.carried_from) == (demo.flywheel, 2019, demo)
    assert new.status == Audit.Status.DRAFT
    assert new.title == "HubSpot flywheel audit 2019"


def test_it_copies_the_strategy_and_the_metric_definitions_without_readings(demo):
    before, after = load(demo), load(carry_forward(demo))
    assert after.strategies == before.strategies
    assert [(m.stage, m.name, m.kind, m.unit, m.period) for m in after.metrics] == [
        (m.stage, m.name, m.kind, m.unit, m.period) for m in before.metrics
    ]
    assert all(metric.readings == () for metric in after.metrics)
    assert [metric.origin_id for metric in after.metrics] == [metric.id for metric in before.metrics]
    assert Reading.objects.filter(metric__audit=demo).count() == 60  # last year's readings are untouched


def test_forces_start_from_last_years_now_with_the_planned_change_as_target(demo):
    force = demo.forces.get(name__startswith="Lead rotation")
    force.planned_change = "Rotate leads within 24 hours"
    force.save()
    after = load(carry_forward(demo))
    carried = next(f for f in after.forces if f.origin_id == force.pk)
    assert carried.before == force.now
    assert carried.now == force.now  # until the team says what moved
    assert carried.target == "Rotate leads within 24 hours"
    assert carried.planned_change == ""
    assert [team.name for team in after.teams] == ["Marketing", "Sales", "Service"]
    assert len(after.forces) == 17


def test_only_open_friction_is_carried_with_a_link_to_its_origin(demo):
    open_row = FrictionPoint.objects.create(audit=demo, source="Renewals are slow", automation="No", position=99)
    after = load(carry_forward(demo))
    assert [(row.source, row.origin_id) for row in after.friction] == [("Renewals are slow", open_row.pk)]
    assert after.friction[0].automation == ""  # asked anew this year


def test_last_years_action_items_wait_for_review(demo):
    before = load(demo)
    new = carry_forward(demo)
    reviews = list(ActionReview.objects.filter(audit=new).order_by("position"))
    assert [(r.kind, r.what, r.fix) for r in reviews] == [(i.kind, i.what, i.fix) for i in before.action_items]
    assert all(review.status == "" for review in reviews)


def test_it_lists_what_was_resolved_last_year_on_the_new_audits_page(demo, client):
    client.force_login(Membership.objects.get(organization=demo.flywheel.organization).user)
    response = client.post(reverse("audits:audit-carry-forward", args=[demo.pk]))
    new = Audit.objects.get(carried_from=demo)
    assert response.status_code == 302
    assert response.url == new.get_absolute_url()
    page = client.get(new.get_absolute_url()).content.decode()
    assert "Resolved last year" in page
    assert "more leads does not mean better leads" in page.lower()
    assert "how did they go?" in page
    assert f'href="{demo.get_absolute_url()}"' in page


def test_the_document_names_the_audit_it_was_carried_from_and_what_that_one_settled(demo):
    new = carry_forward(demo)
    settled = [row.source for row in load(demo).friction if row.settled_by]
    previous = load(new).header.carried_from
    assert (previous.id, previous.title, previous.period_year) == (demo.pk, demo.title, demo.period_year)
    assert list(previous.settled_friction) == settled and settled
    assert load(demo).header.carried_from is None


def test_a_trashed_previous_audit_is_named_nowhere_on_the_new_audits_page(demo, client):
    client.force_login(Membership.objects.get(organization=demo.flywheel.organization).user)
    new = carry_forward(demo)
    Audit.objects.filter(pk=demo.pk).update(title="Trashed title", deleted_at=timezone.now())
    assert load(new).header.carried_from is None
    page = client.get(new.get_absolute_url()).content.decode()
    assert "Trashed title" not in page
    assert "Carried forward from" not in page and "Resolved last year" not in page
    assert f"before={demo.pk}" not in page  # no link to compare with it


def test_the_review_is_kept_with_the_new_audit(demo, client):
    client.force_login(Membership.objects.get(organization=demo.flywheel.organization).user)
    new = carry_forward(demo)
    review = ActionReview.objects.filter(audit=new).first()
    url = reverse("audits:row-cell", args=[new.pk, "review", review.pk])
    client.post(url, {"field": "status", "value": "partly", "original": ""}, headers={"HX-Request": "true"})
    client.post(url, {"field": "note", "value": "Half the teams", "original": ""}, headers={"HX-Request": "true"})
    review.refresh_from_db()
    assert (review.status, review.note) == ("partly", "Half the teams")
    assert load(new).action_reviews[0].status == "partly"


def test_carrying_forward_needs_the_facilitator_role(demo, client, django_user_model):
    viewer = django_user_model.objects.create_user("vera", password="x")
    Membership.objects.create(user=viewer, organization=demo.flywheel.organization, role=Membership.Role.VIEWER)
    client.force_login(viewer)
    assert client.post(reverse("audits:audit-carry-forward", args=[demo.pk])).status_code == 403
    assert client.get(reverse("audits:audit-carry-forward", args=[demo.pk])).status_code == 405
    assert not Audit.objects.filter(carried_from=demo).exists()


def test_a_carried_audit_survives_the_json_round_trip(demo):
    from audits.reports.exports.json_export import write
    from audits.reports.imports import import_audit, read_file

    new = carry_forward(demo)
    original = load(new)
    assert load(import_audit(read_file(write(original)), demo.flywheel)) == original


@pytest.mark.parametrize(
    ("title", "year", "expected"),
    [
        ("Audit 2018", 2019, "Audit 2019"),
        ("Annual audit", 2026, "Annual audit 2026"),
        ("FY2018-2019", 2019, "FY2019-2020"),
    ],
)
def test_next_title(title, year, expected):
    assert next_title(title, year) == expected


def test_the_demo_follow_up_is_2018_carried_forward_with_its_changes_in_place(demo):
    new = follow_up(demo)
    after = load(new)
    moved = [force for force in after.forces if force.now != force.before]
    assert [force.name for force in moved] == ["Review-site strategy", "Lead rotation", "Customer feedback loops"]
    assert all(force.now for force in after.forces)  # 2018's "now" stays in place unless it moved on
    assert [row.source.split()[:3] for row in after.friction] == [
        ["The", "vague", "value"],
        ["Decentralized", "customer", "communication"],
    ]
    assert after.friction[0].settled_by == "new_goal" and after.friction[1].is_open
    assert all(len(metric.readings) == 12 for metric in after.metrics)
    assert after.metrics[0].readings[0].period_start.year == 2019
    assert {review.status for review in after.action_reviews} <= {"done", "partly", "not_done"}
