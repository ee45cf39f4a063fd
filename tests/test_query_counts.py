"""Every audit page costs the same number of SQL queries, however large the audit.

A page that runs one more query per row is fast with the demo and slow in a real workshop; here
each page is fetched for a small and a large audit (audits/content/sample.py) and the counts compared.
"""

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.accounts.permissions import get_audit_for
from audits.content import guidance
from audits.content.document import load
from audits.content.sample import build_large_audit, build_small_audit
from audits.content.tables import TABLES
from audits.live import room
from audits.live.render_cache import forget_recent
from audits.live.workshop_page import PANELS, WorkshopPage
from audits.models import (
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Membership,
    Metric,
    Organization,
    Reading,
    SelfAssessment,
    StageStrategy,
    Team,
)

from .factories import FlywheelFactory, OrganizationFactory

Role = Membership.Role
MOST_QUERIES = 20

PAGES = [("audits:audit", {})]
PAGES += [("audits:step", {"step": step.key}) for step in guidance.STEPS]
PAGES += [("audits:panel", {"name": name}) for name in sorted(PANELS)]

# One editable cell of each table: the kind, a way to find its row in an audit, and the field.
CELLS = {
    "strategy": (lambda audit: StageStrategy.objects.filter(audit=audit).order_by("pk").first(), "approach"),
    "metric": (lambda audit: Metric.objects.filter(audit=audit).order_by("pk").first(), "name"),
    # The second reading of the first bucket, so the save checks it against the one before.
    "reading": (
        lambda audit: Reading.objects.filter(metric__audit=audit, metric__kind=Metric.Kind.BUCKET).order_by(
            "metric__position", "period_start"
        )[1],
        "gained",
    ),
    "team": (lambda audit: Team.objects.filter(audit=audit).order_by("pk").first(), "name"),
    "force": (lambda audit: Force.objects.filter(audit=audit).order_by("pk").first(), "planned_change"),
    "friction": (lambda audit: FrictionPoint.objects.filter(audit=audit).order_by("pk").first(), "source"),
    "assessment": (lambda audit: SelfAssessment.objects.filter(audit=audit).order_by("pk").first(), "notes"),
}


@pytest.fixture(scope="module")
def shared(module_transaction) -> dict:
    """The organization and its small and large audit, built once for the module (the large one takes a while)."""
    flywheel = FlywheelFactory(organization=OrganizationFactory(name="Acme"), name="Self-serve")
    return {"flywheel": flywheel, "small": build_small_audit(flywheel), "large": build_large_audit(flywheel)}


# Each test reads its own copies, so that one changing an object in memory leaves the next test alone.
@pytest.fixture
def organization(db, shared):
    return Organization.objects.get(pk=shared["flywheel"].organization_id)


@pytest.fixture
def flywheel(db, shared):
    return Flywheel.objects.get(pk=shared["flywheel"].pk)


@pytest.fixture
def small(db, shared) -> Audit:
    return Audit.objects.get(pk=shared["small"].pk)


@pytest.fixture
def large(db, shared) -> Audit:
    return Audit.objects.get(pk=shared["large"].pk)


@pytest.fixture(params=[Role.OWNER, Role.VIEWER])
def member_client(request, client, member_factory):
    """A client logged in as an editor (the pages show cells) or as a viewer (plain text)."""
    client.force_login(member_factory(request.param))
    client.get(reverse("audits:flywheels"))  # the session's first request copies the profile into it
    return client


def queries(client, method: str, url: str, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, **kwargs)
    assert response.status_code == 200, url
    return len(captured)


def page_url(name: str, kwargs: dict, audit: Audit) -> str:
    return reverse(name, kwargs={"audit_id": audit.pk, **kwargs})


def test_the_large_audit_is_large(small, large):
    small_document, large_document = load(small), load(large)
    assert len(large_document.friction) == 300 > len(small_document.friction)
    assert len(large_document.forces) == 150 > len(small_document.forces)
    assert len(large_document.teams) == 5 > len(small_document.teams)
    assert sum(len(metric.readings) for metric in large_document.metrics) == 12 * 36
    assert len(large_document.conversions) > len(small_document.conversions) > 0


def test_the_sample_audits_have_every_friction_state(small):
    document = load(small)
    assert {row.settled_by for row in document.friction} == {"automation", "new_goal", "restructure", None}
    assert any(row.waiting_on("restructure") for row in document.friction)
    assert {metric.kind for metric in document.metrics} >= {Metric.Kind.BUCKET, Metric.Kind.NPS}


def test_the_sample_buckets_add_up(large):
    for metric in load(large).metrics:
        if metric.kind != Metric.Kind.BUCKET:
            continue
        for previous, current in zip(metric.readings, metric.readings[1:], strict=False):
            assert current.total == previous.total + current.gained - current.lost
        assert metric.readings[-1].period_start == date(large.period_year, 12, 1)


@pytest.mark.parametrize(
    ("name", "kwargs"), PAGES, ids=[kwargs.get("step") or kwargs.get("name") or name for name, kwargs in PAGES]
)
def test_it_uses_as_many_queries_for_a_large_audit_as_for_a_small_one(member_client, small, large, name, kwargs):
    on_small = queries(member_client, "get", page_url(name, kwargs, small))
    on_large = queries(member_client, "get", page_url(name, kwargs, large))
    assert on_large == on_small
    assert on_small <= MOST_QUERIES


def save_cell(client, audit: Audit, kind: str) -> int:
    find_row, field = CELLS[kind]
    row = find_row(audit)
    stored = getattr(row, field)
    url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": row.pk})
    data = {"field": field, "value": f"{stored}", "original": f"{stored}"}
    return queries(client, "post", url, data=data, headers={"HX-Request": "true"})


@pytest.mark.parametrize("kind", list(CELLS))
def test_a_cell_save_uses_as_many_queries_for_a_large_audit(owner_client, small, large, kind):
    on_small = save_cell(owner_client, small, kind)
    on_large = save_cell(owner_client, large, kind)
    assert on_large == on_small
    assert on_small <= MOST_QUERIES


def test_a_cell_answers_its_save_without_reading_the_organization_switcher(owner_client, small):
    # The header's organizations (a context processor) are read only by a template that shows them.
    find_row, field = CELLS["friction"]
    row = find_row(small)
    url = reverse("audits:row-cell", kwargs={"audit_id": small.pk, "kind": "friction", "row_id": row.pk})
    data = {"field": field, "value": "Field sales", "original": getattr(row, field)}
    with CaptureQueriesContext(connection) as captured:
        response = owner_client.post(url, data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "cell-saved" in response.content.decode()
    assert not [query for query in captured if query["sql"].startswith('SELECT "audits_membership"')]
    page = owner_client.get(reverse("audits:flywheels"))
    assert small.flywheel.organization.name in page.content.decode()


@pytest.mark.parametrize("kind", list(CELLS))
def test_a_cell_fragment_uses_as_many_queries_for_a_large_audit(owner_client, small, large, kind):
    counts = []
    for audit in (small, large):
        find_row, field = CELLS[kind]
        url = reverse("audits:row-cell", kwargs={"audit_id": audit.pk, "kind": kind, "row_id": find_row(audit).pk})
        counts.append(queries(owner_client, "get", url, data={"field": field}, headers={"HX-Request": "true"}))
    assert counts[0] == counts[1] <= MOST_QUERIES


def test_a_redrawn_section_uses_as_many_queries_for_a_large_audit(owner_client, small, large):
    # Adding a friction row answers with the whole friction table, redrawn from the document.
    counts = []
    for audit in (small, large):
        url = reverse("audits:row-add", kwargs={"audit_id": audit.pk, "kind": "friction"})
        data = {"friction-source": "Slow refunds", "friction-origin": "external"}
        counts.append(queries(owner_client, "post", url, data=data, headers={"HX-Request": "true"}))
    assert counts[0] == counts[1] <= MOST_QUERIES


@pytest.fixture
def live_workshop(small, large, owner, member_factory):
    """Both audits mid-workshop: a step hidden with named input, a timer, a join link, named votes."""
    voter = member_factory(Role.PARTICIPANT)
    for audit in (small, large):
        room.hide_step(audit, "forces", named=True)
        room.start_timer(audit, 5)
        room.open_join_link(audit, owner, hours=4)
        room.set_voting(audit, True, votes_per_person=3, named=True)
        for row in FrictionPoint.objects.filter(audit=audit).order_by("pk")[:3]:
            room.cast_vote(audit, voter, "friction", row.pk)
        room.lead_to(audit, "identify")


@pytest.mark.parametrize("voting_open", [True, False], ids=["voting", "results"])
@pytest.mark.parametrize(
    ("name", "kwargs"), PAGES, ids=[kwargs.get("step") or kwargs.get("name") or name for name, kwargs in PAGES]
)
def test_a_live_workshop_costs_as_many_queries_for_a_large_audit(
    member_client, small, large, live_workshop, voting_open, name, kwargs
):
    if not voting_open:
        for audit in (small, large):
            room.set_voting(audit, False)
    on_small = queries(member_client, "get", page_url(name, kwargs, small))
    on_large = queries(member_client, "get", page_url(name, kwargs, large))
    assert on_large == on_small
    assert on_small <= MOST_QUERIES


@pytest.mark.parametrize("name", ["audits:present"])
def test_the_presenter_view_costs_as_many_queries_for_a_large_audit(owner_client, small, large, live_workshop, name):
    assert queries(owner_client, "get", page_url(name, {}, small)) == queries(
        owner_client, "get", page_url(name, {}, large)
    )


# --- Fragments alone (what a delta sends): constant too, drawn afresh or from the shared cache --------


def fragment_queries(user, audit: Audit, step: str, warm: bool) -> int:
    """The queries of a page's every row, container, panel and main area, built as a delta builds them."""
    if not warm:
        cache.clear()
        forget_recent()
    request = RequestFactory().get("/")
    request.user = user
    ids = {
        kind: list(TABLES[kind].model.objects.filter(**{TABLE_AUDIT[kind]: audit}).values_list("pk", flat=True))
        for kind in TABLES
    }
    groups = {kind: group_of(kind, audit) for kind in TABLES}
    with CaptureQueriesContext(connection) as captured:
        page = WorkshopPage.build(request, get_audit_for(user, audit.pk), step)
        for kind in TABLES:
            if page.shows(kind):
                # Friction rows settled at an earlier step are not on steps 2-4.
                assert page.render_rows(kind, ids[kind]) or not ids[kind]
                page.render_container(kind, *groups[kind])
        for name in page.panels:
            page.render_panel(name)
        page.render_main()
    return len(captured)


TABLE_AUDIT = {kind: "metric__audit" if kind == "reading" else "audit" for kind in TABLES}


def group_of(kind: str, audit: Audit) -> tuple:
    if kind == "force":
        return (Team.objects.filter(audit=audit).order_by("position", "pk").first().pk,)
    if kind == "reading":
        return (Metric.objects.filter(audit=audit).order_by("position", "pk").first().pk,)
    return ()


@pytest.mark.parametrize("warm", [False, True], ids=["cold", "warm"])
@pytest.mark.parametrize("step", ["", *(step.key for step in guidance.STEPS)])
def test_a_pages_fragments_cost_as_many_queries_for_a_large_audit(owner, small, large, step, warm):
    counts = []
    for audit in (small, large):
        fragment_queries(owner, audit, step, warm=False)  # the cache holds this version's fragments
        counts.append(fragment_queries(owner, audit, step, warm=warm))
    assert counts[0] == counts[1] <= MOST_QUERIES
