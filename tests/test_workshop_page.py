"""WorkshopPage: the full page and each of its fragments come from one place and match each other."""

import re

import pytest
from django.test import RequestFactory
from django.urls import reverse

from audits.accounts.permissions import get_audit_for
from audits.content import guidance
from audits.live import room
from audits.live.workshop_page import WorkshopPage, oob
from audits.models import Membership

from .factories import ForceFactory, FrictionPointFactory, MetricFactory, ReadingFactory, TeamFactory

Role = Membership.Role


def page_for(user, audit, step, **options) -> WorkshopPage:
    request = RequestFactory().get("/")
    request.user = user
    return WorkshopPage.build(request, get_audit_for(user, audit.pk), step, **options)


@pytest.fixture
def friction(audit):
    return [FrictionPointFactory(audit=audit, source=f"Friction {n}") for n in range(3)]


@pytest.fixture
def team(audit):
    team = TeamFactory(audit=audit, name="Sales")
    ForceFactory(audit=audit, team=team, name="Quota")
    return team


def root_id(html: str) -> str:
    return re.match(r'\s*<\w+(?: class="[^"]*")? id="([^"]+)"', html).group(1)


def test_it_renders_each_row_alone_as_the_full_page_draws_it(owner_client, owner, audit, friction):
    page_html = owner_client.get(reverse("audits:step", kwargs={"audit_id": audit.pk, "step": "identify"}))
    page_html = page_html.content.decode()
    rows = page_for(owner, audit, "identify").render_rows("friction", [row.pk for row in friction])
    assert list(rows) == [row.pk for row in friction]
    for row in friction:
        assert root_id(rows[row.pk]) == f"friction-row-{row.pk}"
        # The page fills in its CSRF token; otherwise the row is the same.
        assert re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", rows[row.pk]) in re.sub(
            r'name="csrfmiddlewaretoken" value="[^"]*"', "", page_html
        )


def test_each_table_has_rows_and_containers_with_stable_ids(owner, audit, team):
    metric = MetricFactory(audit=audit)
    reading = ReadingFactory(metric=metric)
    forces = page_for(owner, audit, "forces")
    force = team.forces.get()
    assert root_id(forces.render_rows("team", [team.pk])[team.pk]) == f"team-{team.pk}"
    assert root_id(forces.render_rows("force", [force.pk])[force.pk]) == f"force-row-{force.pk}"
    assert root_id(forces.render_container("force", team.pk)) == f"rows-force-{team.pk}"
    assert root_id(forces.render_container("team")) == "rows-team"
    metrics = page_for(owner, audit, "metrics")
    assert root_id(metrics.render_rows("metric", [metric.pk])[metric.pk]) == f"metric-{metric.pk}"
    assert root_id(metrics.render_rows("reading", [reading.pk])[reading.pk]) == f"reading-row-{reading.pk}"
    assert root_id(metrics.render_container("reading", metric.pk)) == f"rows-reading-{metric.pk}"
    assert root_id(metrics.render_container("metric")) == "rows-metric"


def test_the_main_area_and_every_panel_have_their_ids(owner, audit, friction):
    for step in ["", *(step.key for step in guidance.STEPS)]:
        page = page_for(owner, audit, step)
        assert root_id(page.render_main()) == "workshop-main"
        for name in page.panels:
            assert root_id(page.render_panel(name)) == f"panel-{name}"


def test_it_tells_which_tables_a_page_shows(owner, audit):
    assert page_for(owner, audit, "identify").shows("friction")
    assert not page_for(owner, audit, "identify").shows("force")
    assert page_for(owner, audit, "forces").shows("force")
    assert not page_for(owner, audit, "summary").shows("friction")
    assert page_for(owner, audit, "forces").render_rows("friction", [1]) == {}


def test_rows_not_on_this_step_or_hidden_from_this_viewer_are_absent(owner, audit, friction, member_factory):
    settled = friction[0]
    settled.automation = "A bot answers"
    settled.save()
    ids = [row.pk for row in friction]
    assert settled.pk not in page_for(owner, audit, "goals").render_rows("friction", ids)
    assert settled.pk in page_for(owner, audit, "automate").render_rows("friction", ids)
    author, other = member_factory(Role.PARTICIPANT), member_factory(Role.PARTICIPANT)
    room.hide_step(audit, "identify", named=False)
    hidden = FrictionPointFactory(audit=audit, author=author)
    assert hidden.pk in page_for(author, audit, "identify").render_rows("friction", [hidden.pk])
    assert page_for(other, audit, "identify").render_rows("friction", [hidden.pk]) == {}


def test_a_second_render_of_the_same_version_reads_no_document(owner, audit, friction):
    for _ in range(2):
        page = page_for(owner, audit, "identify")
        page.render_main()
        for name in page.panels:
            page.render_panel(name)
    assert "document" not in page.__dict__
    assert page.version == audit.content_version


def test_the_projector_shows_the_facilitators_step(owner, audit, friction):
    room.lead_to(audit, "identify")
    page = page_for(owner, audit, None, for_projector=True)
    assert page.step.key == "identify"
    assert "Friction 1" in page.render_main()
    assert not page.shows("friction")


def test_oob_marks_a_fragment_for_an_out_of_band_swap():
    assert oob('<tr id="friction-row-1"><td>x</td></tr>', "morph") == (
        '<tr id="friction-row-1" hx-swap-oob="morph"><td>x</td></tr>'
    )


def test_rows_drawn_at_this_state_come_without_the_document(owner, audit, friction):
    page_for(owner, audit, "identify").render_main()
    page = page_for(owner, audit, "identify")
    rows = page.render_rows("friction", [row.pk for row in friction])
    assert set(rows) == {row.pk for row in friction}
    assert "document" not in page.__dict__


def test_a_timer_or_the_facilitators_step_keeps_the_shared_parts(owner, audit, friction):
    first = page_for(owner, audit, "identify")
    main, diagram = first.render_main(), first.render_panel("diagram")
    room.start_timer(audit, 5)
    room.lead_to(audit, "identify")
    page = page_for(owner, audit, "identify")
    assert page.version > first.version
    assert page.render_panel("diagram") == diagram
    assert page.render_main() == main
    assert page.render_rows("friction", [friction[0].pk])
    assert "document" not in page.__dict__
    assert "Time left" in page.render_panel("session")  # the session bar is drawn for each request
