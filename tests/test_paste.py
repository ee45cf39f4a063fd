"""Pasting a block of cells from a spreadsheet into a workshop table (audits/reports/imports/paste.py,
the row_paste view).

The requests are posted as static/js/paste.js posts them: the clipboard's text, the field and row pasted
into (or the add-row form's field), the team or metric, and the table's rows as the page shows them with
their cells' text.
"""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from audits.accounts.permissions import get_audit_for
from audits.content.editing import cell_text
from audits.content.starting import start_audit
from audits.live import deltas, room
from audits.models import Activity, Audit, Force, FrictionPoint, Membership, Metric, Reading, StageStrategy
from audits.reports.imports.paste import PasteRefused, ShownRow, Target, parse_block, paste_block

from .factories import AuditFactory, FrictionPointFactory, MetricFactory, ReadingFactory

Role = Membership.Role
HTMX = {"HX-Request": "true"}
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def tsv(rows) -> str:
    """A block as Excel copies it: tab-separated cells, CRLF after every row, the last one too."""
    return "".join("\t".join(str(cell) for cell in row) + "\r\n" for row in rows)


def shown(rows, fields) -> str:
    """The table's rows as a page shows them: each with its cells' text (their `original`)."""
    return json.dumps(
        [{"id": row.pk, "cells": {name: cell_text(getattr(row, name)) for name in fields}} for row in rows]
    )


def post_paste(client, audit, kind, text, field, *, row=None, group=None, rows="[]", step="", htmx=True, language="en"):
    url = reverse("audits:row-paste", kwargs={"audit_id": audit.pk, "kind": kind})
    data = {"text": text, "field": field, "row": row or "", "group": group or "", "rows": rows, "step": step}
    return client.post(url, data, headers={**(HTMX if htmx else {}), "Accept-Language": language})


def pasted_message(response) -> str:
    return json.loads(response.headers["HX-Trigger-After-Settle"])["rows-pasted"]["message"]


def content(audit) -> dict:
    """Everything a paste could write: the rows of every table, the log and the version."""
    models = (StageStrategy, Metric, Reading, Force, FrictionPoint, Activity)
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    return {**rows, "version": Audit.objects.get(pk=audit.pk).content_version}


@pytest.fixture
def workshop(audit):
    start_audit(audit)
    return audit


@pytest.fixture
def visitors(workshop):
    return MetricFactory(audit=workshop, name="Visitors", stage="attract", kind=Metric.Kind.BUCKET)


@pytest.fixture
def participant_client(client, member_factory):
    client.force_login(member_factory(Role.PARTICIPANT, username="pablo"))
    return client


# --- Reading the clipboard ------------------------------------------------------------------------


def test_it_reads_tab_separated_rows():
    assert parse_block("Leads go cold\tExternal\tAttract\nNo live chat\tInternal\tEngage") == [
        ["Leads go cold", "External", "Attract"],
        ["No live chat", "Internal", "Engage"],
    ]


def test_it_reads_crlf_and_leaves_out_the_trailing_line_break():
    assert parse_block("a\tb\r\nc\td\r\n") == [["a", "b"], ["c", "d"]]
    assert parse_block("a\r\n\r\n\t\r\n") == [["a"]]  # blank rows at the end copy nothing


def test_it_reads_quoted_cells_as_excel_and_sheets_write_them():
    text = '"Two\nlines"\t"A ""quoted"" word"\t"tab\tinside"\r\nplain\t\t\r\n'
    assert parse_block(text) == [["Two\nlines", 'A "quoted" word', "tab\tinside"], ["plain", "", ""]]


def test_a_quote_inside_plain_text_is_part_of_it():
    assert parse_block('5" screen\t"Best" practice\n') == [['5" screen', '"Best" practice']]


def test_it_keeps_empty_cells_and_makes_the_block_a_rectangle():
    assert parse_block("a\t\tc\nd\n\tf") == [["a", "", "c"], ["d", "", ""], ["", "f", ""]]


def test_it_reads_nothing_from_an_empty_clipboard():
    assert parse_block("") == []
    assert parse_block("\r\n") == []


# --- Metric readings ------------------------------------------------------------------------------


def test_a_12_by_4_block_of_periods_and_values_adds_a_year_of_readings(owner_client, workshop, visitors):
    block = [(f"{month} 2025", 100 + index, index, f"{1_000 + index * 100:,}") for index, month in enumerate(MONTHS)]
    response = post_paste(owner_client, workshop, "reading", tsv(block), "period", group=visitors.pk, step="metrics")
    assert response.status_code == 200
    readings = list(visitors.readings.order_by("period_start"))
    assert [reading.period_start for reading in readings] == [date(2025, month, 1) for month in range(1, 13)]
    assert [(reading.gained, reading.lost, reading.total) for reading in readings][-1] == (111, 11, 2_100)
    assert pasted_message(response) == "12 rows added."
    # The answer is the metrics page's main area, with the new readings' cells in it.
    html = response.content.decode()
    assert html.startswith('<div class="workshop-main" id="workshop-main">')
    assert f'id="cell-reading-{readings[-1].pk}-total-form"' in html
    assert "audit-changed" in response.headers["HX-Trigger"]


def test_values_pasted_into_a_reading_fill_it_and_add_the_periods_after_it(owner_client, workshop, visitors):
    january = ReadingFactory(metric=visitors, period_start=date(2025, 1, 1), gained=5)
    fields = ("gained", "lost", "total")
    block = tsv([(10, 1, 109), (20, 2, 127), (30, 3, 154)])
    response = post_paste(
        owner_client,
        workshop,
        "reading",
        block,
        "gained",
        row=january.pk,
        group=visitors.pk,
        rows=shown([january], fields),
    )
    assert response.status_code == 200, response.content
    readings = visitors.readings.order_by("period_start")
    assert [(reading.period_start.month, reading.gained, reading.total) for reading in readings] == [
        (1, 10, 109),
        (2, 20, 127),
        (3, 30, 154),
    ]
    assert pasted_message(response) == "2 rows added. 1 row changed."


def test_periods_pasted_into_the_first_value_column_update_the_periods_there_and_add_the_rest(
    owner_client, workshop, visitors
):
    march = ReadingFactory(metric=visitors, period_start=date(2025, 3, 1), gained=1, total=100)
    # Copied with its header row, and with dates as a spreadsheet's date cells show them.
    block = tsv([("Month", "Gained", "Lost", "Total"), ("2025-03-01", 7, 0, 107), ("2025-04-01", 8, 5, 110)])
    response = post_paste(
        owner_client,
        workshop,
        "reading",
        block,
        "gained",
        row=march.pk,
        group=visitors.pk,
        rows=shown([march], ("gained", "lost", "total")),
    )
    assert response.status_code == 200, response.content
    assert list(visitors.readings.order_by("period_start").values_list("period_start", "gained", "lost", "total")) == [
        (date(2025, 3, 1), 7, 0, 107),
        (date(2025, 4, 1), 8, 5, 110),
    ]


@pytest.mark.parametrize(
    ("typed", "gained"), [("1,200", 1200), ("1 200", 1200), ("1\u202f200", 1200), ("+12", 12), ("۱۲۰۰", 1200)]
)
def test_numbers_are_read_as_spreadsheets_show_them(owner_client, workshop, visitors, typed, gained):
    response = post_paste(owner_client, workshop, "reading", tsv([("2025-01", typed)]), "period", group=visitors.pk)
    assert response.status_code == 200, response.content
    assert visitors.readings.get().gained == gained


def test_a_rate_takes_percentages_and_decimals_as_the_pages_language_writes_them(owner_client, workshop):
    rate = MetricFactory(audit=workshop, name="Trial conversion", kind=Metric.Kind.RATE, period=Metric.Period.QUARTER)
    block = tsv([("2025-Q1", "12,5%"), ("2025-Q2", "1.250")])
    response = post_paste(owner_client, workshop, "reading", block, "period", group=rate.pk, language="vi")
    assert response.status_code == 200, response.content
    assert list(rate.readings.order_by("period_start").values_list("value", flat=True)) == [
        Decimal("12.5"),
        Decimal(1250),
    ]


def test_the_messages_are_in_the_pages_language(owner_client, workshop):
    response = post_paste(owner_client, workshop, "friction", tsv([("", "External")]), "source", language="fa")
    assert response.status_code == 422
    with translation.override("fa"):
        required = translation.gettext("This field is required.")
        column = str(FrictionPoint._meta.get_field("source").verbose_name).capitalize()
        row = translation.gettext("Row %(row)s, %(column)s: %(message)s")
    assert required != "This field is required." and column != "Source of friction"
    assert row % {"row": 1, "column": column, "message": required} in response.content.decode()


def test_months_without_a_year_are_the_audits(owner_client, workshop, visitors):
    response = post_paste(owner_client, workshop, "reading", tsv([("Jan", 5), ("Feb", 6)]), "period", group=visitors.pk)
    assert response.status_code == 200, response.content
    assert list(visitors.readings.values_list("period_start", flat=True)) == [date(2025, 1, 1), date(2025, 2, 1)]


# --- Friction, forces, the strategy map ----------------------------------------------------------


def test_ten_rows_pasted_into_the_add_friction_form_add_ten_rows_in_order(owner_client, workshop):
    FrictionPointFactory(audit=workshop, source="Already here")
    block = [
        (f"Friction {number}", "External" if number % 2 else "internal", "Attract", "Sales, Service")
        for number in range(1, 11)
    ]
    response = post_paste(owner_client, workshop, "friction", tsv(block), "source", step="identify")
    assert response.status_code == 200, response.content
    added = list(FrictionPoint.objects.filter(audit=workshop).order_by("position", "pk"))[1:]
    assert [row.source for row in added] == [f"Friction {number}" for number in range(1, 11)]
    assert {(row.origin, row.stage, row.teams) for row in added[:1]} == {("external", "attract", "Sales, Service")}
    assert added[1].origin == "internal"
    assert len({row.position for row in added}) == 10 and added[0].position > 0
    assert all(row.author_id == response.wsgi_request.user.pk for row in added)
    assert pasted_message(response) == "10 rows added."


def test_a_block_pasted_over_friction_rows_edits_them_and_adds_the_rest(owner_client, workshop):
    first = FrictionPointFactory(audit=workshop, source="Old first", origin="external")
    second = FrictionPointFactory(audit=workshop, source="Old second")
    fields = ("source", "origin", "stage", "teams")
    block = tsv([("New first", "Internal (metrics, processes)"), ("New second", ""), ("Third", "External")])
    response = post_paste(
        owner_client,
        workshop,
        "friction",
        block,
        "source",
        row=first.pk,
        rows=shown([first, second], fields),
        step="identify",
    )
    assert response.status_code == 200, response.content
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.source, first.origin, first.version) == ("New first", "internal", 2)
    assert (second.source, second.origin) == ("New second", "")
    assert FrictionPoint.objects.filter(audit=workshop, source="Third", origin="external").exists()


def test_answers_pasted_down_a_friction_step_are_saved_as_typed_in_its_cells(owner_client, workshop):
    rows = [FrictionPointFactory(audit=workshop, source=f"Friction {number}") for number in range(3)]
    response = post_paste(
        owner_client,
        workshop,
        "friction",
        tsv([("no",), ("A chatbot answers at night",), ("Không",)]),
        "automation",
        row=rows[0].pk,
        rows=shown(rows, ("automation",)),
        step="automate",
    )
    assert response.status_code == 200, response.content
    assert [row.automation for row in FrictionPoint.objects.filter(audit=workshop).order_by("pk")] == [
        "No",
        "A chatbot answers at night",
        "No",
    ]


def test_a_friction_step_adds_no_rows(owner_client, workshop):
    row = FrictionPointFactory(audit=workshop)
    response = post_paste(
        owner_client,
        workshop,
        "friction",
        tsv([("No",), ("No",)]),
        "automation",
        row=row.pk,
        rows=shown([row], ("automation",)),
    )
    assert response.status_code == 422
    assert "The block has 2 rows, but the table shows only 1 from the row you pasted into." in response.content.decode()


def test_forces_take_a_block_under_their_team(owner_client, workshop):
    team = workshop.teams.get(name="Sales")
    block = [
        (f"Force {number}", "Cold calls", "Live chat", "The customer", "Engage", "", "Sam") for number in range(10)
    ]
    response = post_paste(owner_client, workshop, "force", tsv(block), "name", group=team.pk, step="forces")
    assert response.status_code == 200, response.content
    forces = list(team.forces.order_by("position"))
    assert [force.name for force in forces] == [f"Force {number}" for number in range(10)]
    assert (forces[0].serves, forces[0].stage, forces[0].owner, forces[0].audit_id) == (
        "customer",
        "engage",
        "Sam",
        workshop.pk,
    )


def test_a_new_force_needs_its_name_as_the_add_form_does(owner_client, workshop):
    team = workshop.teams.get(name="Sales")
    response = post_paste(owner_client, workshop, "force", tsv([("Cold calls", "Live chat")]), "before", group=team.pk)
    assert response.status_code == 422
    assert "Row 1, Force: This field is required." in response.content.decode()
    assert not team.forces.exists()


def test_the_strategy_map_takes_a_block_from_its_first_row(owner_client, workshop):
    rows = list(workshop.strategies.order_by("position"))
    # Excel quotes a cell that holds a line break.
    block = 'Be helpful\tBlog and SEO\r\nMake buying easy\t"Free trial\nand live chat"\r\nDelight\tNPS\r\n'
    response = post_paste(
        owner_client,
        workshop,
        "strategy",
        block,
        "principle",
        row=rows[0].pk,
        rows=shown(rows, ("principle", "approach")),
    )
    assert response.status_code == 200, response.content
    assert list(workshop.strategies.order_by("position").values_list("principle", "approach")) == [
        ("Be helpful", "Blog and SEO"),
        ("Make buying easy", "Free trial\nand live chat"),
        ("Delight", "NPS"),
    ]


def test_the_strategy_map_has_no_fourth_row_to_paste_into(owner_client, workshop):
    rows = list(workshop.strategies.order_by("position"))
    before = content(workshop)
    block = tsv([("Engage", ""), ("Delight", ""), ("A fourth stage", "")])
    response = post_paste(
        owner_client, workshop, "strategy", block, "principle", row=rows[1].pk, rows=shown(rows, ("principle",))
    )
    assert response.status_code == 422
    assert "The block has 3 rows, but the table shows only 2 from the row you pasted into." in response.content.decode()
    assert content(workshop) == before


# --- Nothing half-saved ---------------------------------------------------------------------------


def test_a_malformed_block_saves_nothing_and_says_why_row_by_row(owner_client, workshop, visitors):
    ReadingFactory(metric=visitors, period_start=date(2025, 1, 1), gained=5, total=100)
    FrictionPointFactory(audit=workshop, source="Already here")
    before = content(workshop)
    block = [(f"{month} 2025", 10, 1, 109) for month in MONTHS[1:6]]
    block[2] = ("Apr 2025", "abc", 1, 109)
    block[4] = ("Someday", 10, 1, 109)
    response = post_paste(owner_client, workshop, "reading", tsv(block), "period", group=visitors.pk)
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#paste-report"
    html = response.content.decode()
    assert "Nothing was pasted." in html
    assert "Row 3, Gained: “abc” is not a number." in html
    assert "Row 5, Period: “Someday” is not a month" in html
    assert content(workshop) == before


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ([("Fine", "External"), ("Wrong", "Outer space")], "Row 2, Origin: “Outer space” is not one of: External"),
        ([("Fine",), ("x" * 2001,)], "Row 2, Source of friction: Ensure this value has at most 2000 characters"),
        (
            [("A", "External", "Attract", "Sales", "one too many")],
            "The block is 5 columns wide, but from “Source of friction” the table has 4",
        ),
        (
            [("Fine", "", "", "", ""), ("", "External", "", "", "")],
            "Row 2, Source of friction: This field is required.",
        ),
    ],
)
def test_a_friction_block_that_does_not_fit_adds_no_row(owner_client, workshop, block, message):
    before = content(workshop)
    response = post_paste(owner_client, workshop, "friction", tsv(block), "source")
    assert response.status_code == 422
    assert message in response.content.decode()
    assert content(workshop) == before


def test_a_cell_someone_else_saved_meanwhile_stops_the_paste(owner_client, workshop):
    row = FrictionPointFactory(audit=workshop, source="As the page shows it")
    page_saw = shown([row], ("source", "origin"))
    FrictionPoint.objects.filter(pk=row.pk).update(source="Changed by someone else")
    before = content(workshop)
    response = post_paste(
        owner_client, workshop, "friction", tsv([("Mine", "External")]), "source", row=row.pk, rows=page_saw
    )
    assert response.status_code == 409
    assert "Row 1, Source of friction: someone else saved “Changed by someone else” here meanwhile." in (
        response.content.decode()
    )
    assert content(workshop) == before


def test_a_value_already_there_is_no_change_and_no_conflict(owner_client, workshop):
    row = FrictionPointFactory(audit=workshop, source="Same")
    before = content(workshop)
    response = post_paste(
        owner_client, workshop, "friction", tsv([("Same",)]), "source", row=row.pk, rows=shown([row], ("source",))
    )
    assert response.status_code == 200
    assert pasted_message(response) == "Nothing changed: the table already holds these values."
    assert content(workshop) == before


# --- Who may paste, and where ---------------------------------------------------------------------


def test_another_organizations_audit_is_a_404(client, outsider, workshop):
    client.force_login(outsider)
    before = content(workshop)
    assert post_paste(client, workshop, "friction", tsv([("Mine",)]), "source").status_code == 404
    assert content(workshop) == before


def test_a_row_of_another_audit_is_a_404(owner_client, workshop, flywheel):
    other = FrictionPointFactory(audit=AuditFactory(flywheel=flywheel))
    response = post_paste(
        owner_client, workshop, "friction", tsv([("Mine",)]), "source", row=other.pk, rows=shown([other], ("source",))
    )
    assert response.status_code == 404
    assert FrictionPoint.objects.get(pk=other.pk).source != "Mine"


def test_a_viewer_cannot_paste(client, member_factory, workshop):
    client.force_login(member_factory(Role.VIEWER))
    assert post_paste(client, workshop, "friction", tsv([("Mine",), ("Yours",)]), "source").status_code == 403
    assert not FrictionPoint.objects.exists()


def test_a_locked_step_refuses_a_participant(participant_client, workshop):
    room.set_locked(workshop, "identify", True)
    response = post_paste(participant_client, workshop, "friction", tsv([("Mine",), ("Yours",)]), "source")
    assert response.status_code == 423
    assert not FrictionPoint.objects.exists()


def test_a_row_hidden_by_anonymous_input_is_a_404(participant_client, member_factory, workshop):
    room.hide_step(workshop, "identify", named=False)
    hidden = FrictionPointFactory(audit=workshop, source="Someone else's", author=member_factory(Role.PARTICIPANT))
    response = post_paste(
        participant_client,
        workshop,
        "friction",
        tsv([("Mine",)]),
        "source",
        row=hidden.pk,
        rows=shown([hidden], ("source",)),
    )
    assert response.status_code == 404
    assert FrictionPoint.objects.get(pk=hidden.pk).source == "Someone else's"


def test_a_table_that_takes_no_block_is_a_404(owner_client, workshop):
    team = workshop.teams.first()
    response = post_paste(
        owner_client, workshop, "team", tsv([("Ops",), ("Legal",)]), "name", row=team.pk, rows=shown([team], ("name",))
    )
    assert response.status_code == 404


def test_without_htmx_it_goes_back_to_the_step(owner_client, workshop):
    response = post_paste(owner_client, workshop, "friction", tsv([("One",), ("Two",)]), "source", htmx=False)
    assert response.status_code == 302
    assert FrictionPoint.objects.count() == 2


# --- What others see ------------------------------------------------------------------------------


def test_the_paste_is_in_the_activity_log_and_in_the_delta_since_the_page_before(owner_client, workshop):
    edited = FrictionPointFactory(audit=workshop, source="Before")
    version = Audit.objects.get(pk=workshop.pk).content_version
    block = tsv([("After",), ("Added one",), ("Added two",)])
    response = post_paste(
        owner_client, workshop, "friction", block, "source", row=edited.pk, rows=shown([edited], ("source",))
    )
    assert response.status_code == 200
    entries = list(workshop.activities.order_by("version"))
    assert [(entry.action, entry.field, entry.before, entry.after) for entry in entries] == [
        ("edit", "source", "Before", "After"),
        ("add", "", "", ""),
        ("add", "", "", ""),
    ]
    assert [entry.version for entry in entries] == [version + 1, version + 2, version + 3]
    assert all(entry.user_id == response.wsgi_request.user.pk for entry in entries)
    added = list(FrictionPoint.objects.filter(audit=workshop, source__startswith="Added").order_by("pk"))
    changes = deltas.changes_since(Audit.objects.select_related("workshop").get(pk=workshop.pk), version)
    assert changes.version == version + 3
    assert changes.edited == {("friction", edited.pk)}
    assert changes.added == tuple(("friction", row.pk, None) for row in added)


def test_added_readings_reach_other_pages_with_their_metric(owner_client, workshop, visitors):
    version = Audit.objects.get(pk=workshop.pk).content_version
    post_paste(owner_client, workshop, "reading", tsv([("2025-01", 1), ("2025-02", 2)]), "period", group=visitors.pk)
    changes = deltas.changes_since(Audit.objects.get(pk=workshop.pk), version)
    assert ("reading", visitors.pk) in changes.containers | {(kind, group) for kind, _row, group in changes.added}
    assert set(changes.drawn) == {("reading", pk) for pk in visitors.readings.values_list("pk", flat=True)}


def paste_queries(owner, audit, target: Target, text: str) -> int:
    audit = get_audit_for(owner, audit.pk, need="edit")
    with CaptureQueriesContext(connection) as captured:
        paste_block(audit, owner, target, text)
    return len(captured)


def test_its_queries_do_not_grow_with_the_block(owner, workshop, visitors):
    def readings(count: int, year: int) -> int:
        text = tsv([(f"{year}-{month:02d}", month, 0, month) for month in range(1, count + 1)])
        return paste_queries(owner, workshop, Target("reading", "period", group_id=visitors.pk), text)

    def friction(count: int) -> int:
        return paste_queries(owner, workshop, Target("friction", "source"), tsv([(f"Row {n}",) for n in range(count)]))

    def edits(count: int) -> int:
        rows = list(FrictionPoint.objects.filter(audit=workshop).order_by("position", "pk")[:count])
        target = Target("friction", "source", rows[0].pk, shown=tuple(_shown_row(row) for row in rows))
        return paste_queries(owner, workshop, target, tsv([(f"Edited {count} {n}",) for n in range(count)]))

    assert readings(3, 2024) == readings(12, 2025)
    assert friction(3) == friction(12)
    assert edits(3) == edits(12)


def _shown_row(row):
    return ShownRow(row.pk, {"source": row.source})


def test_a_refused_block_writes_nothing_even_from_the_domain(owner, workshop):
    audit = get_audit_for(owner, workshop.pk, need="edit")
    with pytest.raises(PasteRefused) as refused:
        paste_block(audit, owner, Target("friction", "source"), tsv([("Fine", "Nowhere")]))
    assert refused.value.errors == [
        "Row 1, Origin: “Nowhere” is not one of: External (customers, prospects), Internal (metrics, processes)."
    ]
    assert not FrictionPoint.objects.exists() and not Activity.objects.exists()


def test_a_failed_log_entry_undoes_the_whole_paste(owner, workshop, monkeypatch):
    edited = FrictionPointFactory(audit=workshop, source="Before")
    before = content(workshop)

    def boom(*args, **kwargs):
        raise RuntimeError("the log is down")

    monkeypatch.setattr(Activity.objects, "bulk_create", boom)
    target = Target("friction", "source", edited.pk, shown=(_shown_row(edited),))
    with pytest.raises(RuntimeError):
        paste_block(get_audit_for(owner, workshop.pk, need="edit"), owner, target, tsv([("After",), ("Added",)]))
    assert content(workshop) == before


def test_a_block_longer_than_the_apps_row_limit_is_refused(owner_client, workshop, settings):
    settings.IMPORT_MAX_ROWS = 5
    response = post_paste(owner_client, workshop, "friction", tsv([(f"Row {n}",) for n in range(6)]), "source")
    assert response.status_code == 422
    assert "A paste takes at most 5 rows; this block has 6." in response.content.decode()
    assert not FrictionPoint.objects.exists()


def test_a_pasted_value_quoted_in_a_message_is_escaped(owner_client, workshop):
    response = post_paste(owner_client, workshop, "friction", tsv([("Fine", "<img src=x onerror=alert(1)>")]), "source")
    assert response.status_code == 422
    html = response.content.decode()
    assert "<img" not in html and "“&lt;img src=x onerror=alert(1)&gt;” is not one of" in html
