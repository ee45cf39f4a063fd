"""A locked step is locked on every write path: walked from the URL resolver, as the isolation test does.

Every route of an audit is sorted into what it is. A new route fails `test_every_audit_route_is_sorted`
until someone decides whether it writes content; every route that does is tried, as a participant,
with every step locked (nothing may change) and unlocked (something must, or the walk proves nothing).
"""

import json
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from audits.content import guidance
from audits.content.editing import cell_text, delete_row
from audits.content.starting import start_audit
from audits.content.tables import TABLES, add_form_key, rows_of
from audits.live import room as live_room
from audits.models import (
    ActionReview,
    Audit,
    Force,
    FrictionPoint,
    Membership,
    Metric,
    Reading,
    SelfAssessment,
    StageStrategy,
    Team,
)
from audits.reports.imports.paste import PASTEABLE

from .factories import AuditFactory, ForceFactory, FrictionPointFactory, MembershipFactory, MetricFactory
from .test_isolation import ID_ROUTES

Role = Membership.Role
HTMX = {"HX-Request": "true"}
ROUTE_ARGUMENTS = {name: arguments for _, name, arguments in ID_ROUTES if "audit_id" in arguments}
AUDIT_ROUTES = set(ROUTE_ARGUMENTS)

# Routes that write the audit's content: each must refuse a participant while the step is locked.
CONTENT_WRITES = {
    "audits:row-cell",
    "audits:row-add",
    "audits:row-delete",
    "audits:row-move",
    "audits:row-restore",
    "audits:row-paste",
}
# Routes that write something else, and why a lock does not stop them.
OTHER_WRITES = {
    "audits:presence": "says who has the page open; no content",
    "audits:vote": "voting is opened and closed by the facilitator; a lock stops edits, not dots",
}
# Facilitators only (a participant gets a 403); the lock never applies to facilitators.
FACILITATORS_ONLY = {
    "audits:facilitate",
    "audits:audit-edit",
    "audits:audit-delete",
    "audits:audit-restore",
    "audits:audit-carry-forward",
    "audits:activity",
    "audits:activity-undo",
    "audits:present",
}
# Pages and files: GET only, or a POST that changes nothing.
READS = {
    "audits:audit",
    "audits:step",
    "audits:panel",
    "audits:force-ideas",
    "audits:audit-export",
    "audits:audit-changes",
    "audits:api-audit",
}
# Last audit's action reviews are answered on the overview, which is no step: no lock applies to them.
LOCKABLE = [kind for kind in TABLES if live_room.STEP_OF_TABLE[kind]]
CONTENT = [StageStrategy, Metric, Reading, Team, Force, FrictionPoint, SelfAssessment, ActionReview]


def test_every_audit_route_is_sorted():
    sorted_routes = CONTENT_WRITES | set(OTHER_WRITES) | FACILITATORS_ONLY | READS
    assert sorted_routes == AUDIT_ROUTES, f"sort these routes: {AUDIT_ROUTES ^ sorted_routes}"


def content(audit: Audit) -> dict:
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in CONTENT}
    return {**rows, "version": Audit.objects.get(pk=audit.pk).content_version}


@pytest.fixture
def room(organization, flywheel, owner):
    audit = AuditFactory(flywheel=flywheel, title="Locked", period_year=2025)
    start_audit(audit)
    ActionReview.objects.create(audit=audit, kind="friction", what="Old action")
    metric = MetricFactory(audit=audit, stage="attract", name="Visitors", period="month")
    Reading.objects.create(metric=metric, period_start=date(2025, 1, 1), gained=10)
    team = audit.teams.first()
    ForceFactory(audit=audit, team=team, name="First force")
    ForceFactory(audit=audit, team=team, name="Second force")
    FrictionPointFactory(audit=audit, source="First friction")
    FrictionPointFactory(audit=audit, source="Second friction")
    participant = MembershipFactory(organization=organization, role=Role.PARTICIPANT).user
    deleted = {}
    for kind, row in (
        ("friction", FrictionPointFactory(audit=audit, source="Deleted friction")),
        ("force", ForceFactory(audit=audit, team=team, name="Deleted force")),
    ):
        deleted[kind] = row.pk
        delete_row(audit, row, participant)
    client = Client()
    client.force_login(participant)
    return {"audit": audit, "client": client, "deleted": deleted, "team": team, "metric": metric}


def add_data(kind: str, room) -> dict:
    group = {"force": room["team"].pk, "reading": room["metric"].pk}.get(kind)
    key = add_form_key(kind, group)
    values = {
        "friction": {"source": "Added while locked"},
        "team": {"name": "Added while locked"},
        "metric": {"stage": "engage", "name": "Added while locked", "kind": "bucket", "period": "month"},
        "force": {"name": "Added while locked"},
        "reading": {"period": "2025-02"},
    }.get(kind, {})
    return {"group": group or "", **{f"{key}-{name}": value for name, value in values.items()}}


def paste_data(kind: str, room) -> dict:
    """A two-row block pasted as static/js/paste.js posts it: into the add form, or over the table's first rows."""
    audit, table = room["audit"], TABLES[kind]
    group = {"force": room["team"].pk, "reading": room["metric"].pk}.get(kind, "")
    field = {"strategy": "principle", "reading": "period", "force": "name", "friction": "source"}.get(kind, "notes")
    rows = [] if kind in ("reading", "force", "friction") else list(rows_of(kind, audit).order_by("position", "pk"))
    text = "2025-03\t5\r\n2025-04\t6\r\n" if kind == "reading" else "Pasted while locked\r\nAnd this\r\n"
    shown = [{"id": row.pk, "cells": {name: cell_text(getattr(row, name)) for name in table.fields()}} for row in rows]
    return {"text": text, "field": field, "row": rows[0].pk if rows else "", "group": group, "rows": json.dumps(shown)}


def requests_for(name: str, room):
    """Every (url, data) a participant could send to a content-writing route of the room's audit."""
    audit = room["audit"]
    if name == "audits:row-add":
        for kind in LOCKABLE:
            yield reverse(name, args=[audit.pk, kind]), add_data(kind, room)
    elif name == "audits:row-paste":
        for kind in LOCKABLE:
            if kind in PASTEABLE:
                yield reverse(name, args=[audit.pk, kind]), paste_data(kind, room)
    elif name == "audits:row-restore":
        for kind, row_id in room["deleted"].items():
            yield reverse(name, args=[audit.pk, kind, row_id]), {}
    else:
        for kind in LOCKABLE:
            table = TABLES[kind]
            for row in rows_of(kind, audit):
                url = reverse(name, args=[audit.pk, kind, row.pk])
                if name == "audits:row-cell":
                    for field in table.fields():
                        original = getattr(row, field)
                        yield url, {"field": field, "value": "Typed while locked", "original": original or ""}
                else:
                    yield url, {"direction": "up"}


def lock_every_step(audit: Audit, locked: bool) -> None:
    for step in guidance.STEPS:
        live_room.set_locked(audit, step.key, locked)


@pytest.mark.parametrize("name", sorted(CONTENT_WRITES))
def test_a_locked_step_refuses_every_content_write(room, name):
    audit, client = room["audit"], room["client"]
    lock_every_step(audit, True)
    before = content(audit)
    statuses = set()
    for url, data in requests_for(name, room):
        for headers in (HTMX, {}):
            response = client.post(url, data, headers=headers)
            statuses.add(response.status_code)
            assert response.status_code < 500, f"{url} {data}"
    assert content(audit) == before, f"{name} wrote content on a locked step"
    assert 423 in statuses, f"{name} never said the step is locked: {statuses}"


@pytest.mark.parametrize("name", sorted(CONTENT_WRITES))
def test_the_same_writes_change_content_when_nothing_is_locked(room, name):
    """The walk's requests are real writes: unlocked, each route changes something."""
    audit, client = room["audit"], room["client"]
    lock_every_step(audit, False)
    before = content(audit)
    for url, data in requests_for(name, room):
        client.post(url, data, headers=HTMX)
    assert content(audit) != before, f"{name}: the walk's requests wrote nothing even unlocked"


@pytest.mark.parametrize("name", sorted(FACILITATORS_ONLY | READS))
def test_other_audit_routes_write_no_content_for_a_participant(room, name):
    audit, client = room["audit"], room["client"]
    lock_every_step(audit, True)
    before = content(audit)
    values = {
        "audit_id": audit.pk,
        "step": "identify",
        "name": "diagram",
        "row_id": Force.objects.first().pk,
        "file_format": "json",
        "activity_id": audit.activities.first().pk,
    }
    url = reverse(name, kwargs={argument: values[argument] for argument in ROUTE_ARGUMENTS[name]})
    for headers in (HTMX, {}):
        response = client.post(url, {"action": "unlock", "step": "identify", "title": "x"}, headers=headers)
        # 404 from audit-restore: it looks for the audit in the trash.
        refused = response.status_code in (403, 404, 405)
        assert refused if name in FACILITATORS_ONLY else response.status_code < 500, f"{url}: {response.status_code}"
    assert content(audit) == before
