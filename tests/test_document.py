from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.content.demo import load_demo
from audits.content.document import (
    FORCE_FIELDS,
    AssessmentRow,
    ForceRow,
    FrictionRow,
    MetricRow,
    ReadingRow,
    ReviewRow,
    Strategy,
    content_fields,
    declared_fields,
    edited_fields,
    labels_of,
    load,
    progress,
    save,
)
from audits.content.sample import build_small_audit
from audits.content.starting import start_audit
from audits.content.tables import TABLES
from audits.models import (
    ActionReview,
    Audit,
    Force,
    FrictionPoint,
    Metric,
    Reading,
    SelfAssessment,
    Stage,
    StageStrategy,
    Team,
)
from audits.reports.exports import json_export, workbook

from .factories import (
    AuditFactory,
    ForceFactory,
    FrictionPointFactory,
    MetricFactory,
    ReadingFactory,
    SelfAssessmentFactory,
    StageStrategyFactory,
    TeamFactory,
)

pytestmark = pytest.mark.django_db

JANUARY, FEBRUARY, MARCH, APRIL = (date(2025, month, 1) for month in (1, 2, 3, 4))


def loaded(audit: Audit):
    """Return the document of `audit`, fetched the way the views fetch it."""
    return load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def bucket(audit, name, stage, gained_by_month, period=Metric.Period.MONTH, **fields):
    metric = MetricFactory(audit=audit, name=name, stage=stage, kind=Metric.Kind.BUCKET, period=period, **fields)
    for start, gained in gained_by_month.items():
        ReadingFactory(metric=metric, period_start=start, gained=gained)
    return metric


def friction_by_source(document) -> dict:
    return {row.source: row for row in document.friction}


# --- Header, strategies, metrics, readings ----------------------------------------------------


def test_it_reads_the_header(audit):
    document = loaded(audit)
    assert document.header.id == audit.pk
    assert document.header.title == "Annual audit"
    assert document.header.flywheel_name == "Self-serve"
    assert document.header.organization_name == "Acme"
    assert document.header.period_year == 2025


def test_it_always_has_the_three_strategies_in_stage_order(audit):
    delight = StageStrategyFactory(audit=audit, stage=Stage.DELIGHT, approach="Academy", principle="Success")
    attract = StageStrategyFactory(audit=audit, stage=Stage.ATTRACT, approach="Blog")
    strategies = loaded(audit).strategies
    assert [strategy.stage for strategy in strategies] == ["attract", "engage", "delight"]
    assert [strategy.id for strategy in strategies] == [attract.pk, None, delight.pk]
    assert [strategy.approach for strategy in strategies] == ["Blog", "", "Academy"]
    assert strategies[1].principle == ""
    assert strategies[2].principle == "Success"
    assert [strategy.stage_label for strategy in strategies] == ["Attract", "Engage", "Delight"]


def test_it_gives_empty_strategies_to_an_audit_without_any(audit):
    strategies = loaded(audit).strategies
    assert len(strategies) == 3
    assert all(strategy.id is None and strategy.approach == "" for strategy in strategies)


def test_it_sorts_metrics_by_stage_keeping_each_stages_position_order(audit):
    # Created in an order that matches neither the stage order nor the position order.
    MetricFactory(audit=audit, stage=Stage.DELIGHT, name="Promoters", position=0)
    MetricFactory(audit=audit, stage=Stage.ATTRACT, name="Second attract", position=5)
    MetricFactory(audit=audit, stage=Stage.ENGAGE, name="Free users", position=1)
    MetricFactory(audit=audit, stage=Stage.ATTRACT, name="First attract", position=2)
    MetricFactory(audit=audit, stage=Stage.ENGAGE, name="Customers", position=3)
    document = loaded(audit)
    assert [metric.name for metric in document.metrics] == [
        "First attract",
        "Second attract",
        "Free users",
        "Customers",
        "Promoters",
    ]
    assert [metric.name for metric in document.metrics_of(Stage.ENGAGE)] == ["Free users", "Customers"]


def test_it_orders_readings_by_period(audit):
    metric = MetricFactory(audit=audit)
    for start in (MARCH, JANUARY, FEBRUARY):
        ReadingFactory(metric=metric, period_start=start)
    readings = loaded(audit).metrics[0].readings
    assert [reading.period_start for reading in readings] == [JANUARY, FEBRUARY, MARCH]
    assert [reading.label for reading in readings] == ["Jan 2025", "Feb 2025", "Mar 2025"]


def test_it_computes_a_readings_net_change(audit):
    metric = MetricFactory(audit=audit)
    ReadingFactory(metric=metric, period_start=JANUARY, gained=10, lost=4, total=106)
    ReadingFactory(metric=metric, period_start=FEBRUARY, gained=3, lost=9)
    ReadingFactory(metric=metric, period_start=MARCH, gained=7)
    ReadingFactory(metric=metric, period_start=APRIL)
    readings = loaded(audit).metrics[0].readings
    assert [reading.net_change for reading in readings] == [6, -6, 7, None]
    assert readings[0].total == 106


def test_it_computes_a_readings_nps(audit):
    metric = MetricFactory(audit=audit, kind=Metric.Kind.NPS, stage=Stage.DELIGHT)
    ReadingFactory(metric=metric, period_start=JANUARY, promoters=60, passives=20, detractors=20)
    ReadingFactory(metric=metric, period_start=FEBRUARY, promoters=1, passives=0, detractors=3)
    ReadingFactory(metric=metric, period_start=MARCH)
    document = loaded(audit)
    readings = document.metrics[0].readings
    assert [reading.nps for reading in readings] == [40.0, -50.0, None]
    assert document.metrics[0].headline_values == [40.0, -50.0, None]


# --- Conversions ----------------------------------------------------------------------------


def test_it_computes_conversions_between_consecutive_buckets_only(audit):
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 1000, FEBRUARY: 2000}, position=0)
    rate = MetricFactory(audit=audit, name="Signup rate", stage=Stage.ATTRACT, kind=Metric.Kind.RATE, position=1)
    ReadingFactory(metric=rate, period_start=JANUARY, value=5)
    bucket(audit, "Free users", Stage.ENGAGE, {JANUARY: 50, FEBRUARY: 40})
    nps = MetricFactory(audit=audit, name="NPS", stage=Stage.DELIGHT, kind=Metric.Kind.NPS, position=0)
    ReadingFactory(metric=nps, period_start=JANUARY, promoters=5, detractors=1)
    MetricFactory(audit=audit, name="Revenue", stage=Stage.DELIGHT, kind=Metric.Kind.VALUE, position=1)
    bucket(audit, "Customers", Stage.DELIGHT, {JANUARY: 5, FEBRUARY: 10}, position=2)
    conversions = loaded(audit).conversions
    assert [conversion.label for conversion in conversions] == ["Visitors → Free users", "Free users → Customers"]
    assert [rate.rate for rate in conversions[0].rates] == [0.05, 0.02]
    assert [rate.rate for rate in conversions[1].rates] == [0.1, 0.25]
    assert [rate.label for rate in conversions[0].rates] == ["Jan 2025", "Feb 2025"]
    assert all(conversion.comparable for conversion in conversions)


def test_it_matches_conversion_periods_and_gives_none_without_data(audit):
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 0, FEBRUARY: None, MARCH: 200})
    # April has no Visitors reading at all; February and March have gained None somewhere.
    bucket(audit, "Free users", Stage.ENGAGE, {JANUARY: 10, FEBRUARY: 10, MARCH: None, APRIL: 10})
    conversion = loaded(audit).conversions[0]
    assert [rate.period_start for rate in conversion.rates] == [JANUARY, FEBRUARY, MARCH, APRIL]
    assert [rate.rate for rate in conversion.rates] == [None, None, None, None]
    assert conversion.average is None
    assert conversion.latest is None


def test_it_ignores_periods_the_later_bucket_does_not_have(audit):
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 100, FEBRUARY: 100, MARCH: 100})
    bucket(audit, "Free users", Stage.ENGAGE, {FEBRUARY: 30})
    conversion = loaded(audit).conversions[0]
    assert [(rate.period_start, rate.rate) for rate in conversion.rates] == [(FEBRUARY, 0.3)]
    assert conversion.latest == 0.3


def test_it_does_not_compare_buckets_with_different_period_kinds(audit):
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 100})
    bucket(audit, "Free users", Stage.ENGAGE, {JANUARY: 10}, period=Metric.Period.QUARTER)
    document = loaded(audit)
    conversion = document.conversions[0]
    assert conversion.comparable is False
    assert conversion.rates == ()
    assert conversion.average is None
    assert document.weakest_conversion is None


def test_it_has_no_conversion_with_a_single_bucket(audit):
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 100})
    MetricFactory(audit=audit, kind=Metric.Kind.NPS, stage=Stage.DELIGHT)
    document = loaded(audit)
    assert document.conversions == ()
    assert document.weakest_conversion is None


def test_it_picks_the_conversion_with_the_lowest_average_as_the_weakest(audit):
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 1000, FEBRUARY: 1000})
    bucket(audit, "Free users", Stage.ENGAGE, {JANUARY: 10, FEBRUARY: 30}, position=0)  # 1% and 3%: 2%
    bucket(audit, "Leads", Stage.ENGAGE, {JANUARY: 5, FEBRUARY: 3}, position=1)  # 50% and 10%: 30%
    bucket(audit, "Customers", Stage.DELIGHT, {JANUARY: 1, FEBRUARY: 1})  # 20% and 33%
    document = loaded(audit)
    averages = {conversion.label: conversion.average for conversion in document.conversions}
    assert averages["Visitors → Free users"] == pytest.approx(0.02)
    assert averages["Free users → Leads"] == pytest.approx(0.3)
    assert document.weakest_conversion.label == "Visitors → Free users"


# --- Friction -------------------------------------------------------------------------------


@pytest.fixture
def friction(audit):
    """HubSpot's table shapes, one row each; `restructure` of the first row is stored but not shown."""
    rows = [
        ("Fixed by automation", "A chatbot", "No", "Stored later"),
        ("Fixed by a goal", "No", "A shared goal", ""),
        ("Fixed by restructuring", "No", "No", "Merge the teams"),
        ("Not answered", "", "", ""),
        ("Nothing helps", "No", "No", "No"),
        ("Waiting at goals", "No", "", ""),
    ]
    for position, (source, automation, new_goal, restructure) in enumerate(rows):
        FrictionPointFactory(
            audit=audit,
            source=source,
            automation=automation,
            new_goal=new_goal,
            restructure=restructure,
            position=position,
        )
    return friction_by_source(loaded(audit))


def test_it_numbers_friction_rows_in_position_order(audit):
    FrictionPointFactory(audit=audit, source="Second", position=4)
    FrictionPointFactory(audit=audit, source="First", position=1)
    document = loaded(audit)
    assert [(row.number, row.source) for row in document.friction] == [(1, "First"), (2, "Second")]


def test_it_settles_a_row_fixed_by_automation_and_hides_later_answers(friction):
    row = friction["Fixed by automation"]
    assert row.settled_by == "automation"
    assert row.is_open is False
    assert row.fix == "A chatbot"
    assert row.summary_cells == ("A chatbot", "", "")
    assert row.restructure == "Stored later"
    assert [row.reaches(step) for step in ("automation", "new_goal", "restructure")] == [True, False, False]


def test_it_settles_a_row_at_the_new_goal_after_a_no(friction):
    row = friction["Fixed by a goal"]
    assert row.settled_by == "new_goal"
    assert row.fix == "A shared goal"
    assert row.summary_cells == ("No", "A shared goal", "")
    assert [row.reaches(step) for step in ("automation", "new_goal", "restructure")] == [True, True, False]


def test_it_settles_a_row_at_restructuring_after_two_nos(friction):
    row = friction["Fixed by restructuring"]
    assert row.settled_by == "restructure"
    assert row.fix == "Merge the teams"
    assert row.summary_cells == ("No", "No", "Merge the teams")
    assert row.reaches("restructure") is True


@pytest.mark.parametrize("source", ["Not answered", "Nothing helps", "Waiting at goals"])
def test_it_keeps_a_row_without_a_fix_open(friction, source):
    row = friction[source]
    assert row.settled_by is None
    assert row.is_open is True
    assert row.fix == ""
    assert all(row.reaches(step) for step in ("automation", "new_goal", "restructure"))


def test_it_shows_the_answers_of_an_open_row_as_they_are(friction):
    assert friction["Not answered"].summary_cells == ("", "", "")
    assert friction["Nothing helps"].summary_cells == ("No", "No", "No")
    assert friction["Waiting at goals"].summary_cells == ("No", "", "")


def test_it_knows_which_rows_wait_on_an_earlier_step(friction):
    assert friction["Not answered"].waiting_on("new_goal") is True
    assert friction["Waiting at goals"].waiting_on("new_goal") is False
    assert friction["Waiting at goals"].waiting_on("restructure") is True
    assert friction["Nothing helps"].waiting_on("restructure") is False


def test_it_lists_the_rows_each_step_reaches(audit, friction):
    document = loaded(audit)
    assert len(document.friction_reaching("automation")) == 6
    assert [row.source for row in document.friction_reaching("new_goal")] == [
        "Fixed by a goal",
        "Fixed by restructuring",
        "Not answered",
        "Nothing helps",
        "Waiting at goals",
    ]
    assert [row.source for row in document.friction_reaching("restructure")] == [
        "Fixed by restructuring",
        "Not answered",
        "Nothing helps",
        "Waiting at goals",
    ]
    assert [row.source for row in document.open_friction] == ["Not answered", "Nothing helps", "Waiting at goals"]


def test_it_does_not_take_a_lowercase_no_for_a_fix(audit):
    # The forms store "No"; anything else typed in a step's cell is a fix, even "no way".
    FrictionPointFactory(audit=audit, source="Typed", automation="No", new_goal="no way")
    row = loaded(audit).friction[0]
    assert row.settled_by == "new_goal"


# --- Forces, action items, progress ---------------------------------------------------------


def test_it_groups_forces_by_team_in_position_order(audit):
    sales = TeamFactory(audit=audit, name="Sales", position=1)
    marketing = TeamFactory(audit=audit, name="Marketing", position=0)
    ForceFactory(team=sales, name="Compensation", position=1)
    ForceFactory(team=sales, name="Self-purchase", position=0)
    ForceFactory(team=marketing, name="Live chat", position=0)
    document = loaded(audit)
    assert [(team.name, [force.name for force in team.forces]) for team in document.teams] == [
        ("Marketing", ["Live chat"]),
        ("Sales", ["Self-purchase", "Compensation"]),
    ]
    assert [force.name for force in document.forces] == ["Live chat", "Self-purchase", "Compensation"]
    assert document.forces[1].team == "Sales"
    assert document.forces[1].team_id == sales.pk


def test_it_counts_forces_by_stage(audit):
    team = TeamFactory(audit=audit)
    for stage in (Stage.ENGAGE, Stage.ENGAGE, Stage.DELIGHT, ""):
        ForceFactory(team=team, stage=stage)
    assert loaded(audit).forces_by_stage() == {"attract": 0, "engage": 2, "delight": 1}


def test_it_lists_forces_that_serve_the_process(audit):
    team = TeamFactory(audit=audit)
    ForceFactory(team=team, name="Lead rotation", serves=Force.Serves.PROCESS)
    ForceFactory(team=team, name="Live chat", serves=Force.Serves.CUSTOMER)
    ForceFactory(team=team, name="Goals", serves=Force.Serves.BOTH)
    assert [force.name for force in loaded(audit).forces_serving_process] == ["Lead rotation"]


def test_it_lists_settled_fixes_and_planned_changes_as_action_items(audit):
    FrictionPointFactory(
        audit=audit, source="Slow replies", automation="A chatbot", owner="Ana", due_date=date(2025, 6, 30)
    )
    FrictionPointFactory(audit=audit, source="Open one", automation="No")
    FrictionPointFactory(audit=audit, source="Silos", automation="No", new_goal="No", restructure="Merge", owner="Bo")
    team = TeamFactory(audit=audit, name="Sales")
    ForceFactory(team=team, name="Compensation", planned_change="Claw back on churn", owner="Cy")
    ForceFactory(team=team, name="Unchanged")
    items = loaded(audit).action_items
    assert [(item.kind, item.what, item.fix, item.owner, item.due_date) for item in items] == [
        ("friction", "Slow replies", "A chatbot", "Ana", date(2025, 6, 30)),
        ("friction", "Silos", "Merge", "Bo", None),
        ("force", "Compensation", "Claw back on churn", "Cy", None),
    ]


def test_it_summarises_each_stage_for_the_diagram(audit):
    StageStrategyFactory(audit=audit, stage=Stage.ENGAGE, approach="Freemium")
    bucket(audit, "Free users", Stage.ENGAGE, {JANUARY: 10}, position=0)
    bucket(audit, "Customers", Stage.ENGAGE, {JANUARY: 1}, position=1)
    FrictionPointFactory(audit=audit, stage=Stage.ENGAGE)
    FrictionPointFactory(audit=audit, stage=Stage.ENGAGE, automation="Fixed")
    ForceFactory(team=TeamFactory(audit=audit), stage=Stage.ENGAGE)
    stages = {summary.stage: summary for summary in loaded(audit).stages}
    assert stages["engage"].approach == "Freemium"
    assert stages["engage"].metric.name == "Free users"
    assert (stages["engage"].open_friction, stages["engage"].forces) == (1, 1)
    assert stages["attract"].metric is None
    assert (stages["attract"].open_friction, stages["attract"].forces) == (0, 0)


def test_it_reports_progress_of_an_empty_audit(audit):
    notes = {key: step.note for key, step in progress(loaded(audit)).items()}
    assert notes == {
        "strategy": "0 of 3 stages have an approach",
        "metrics": "0 of 3 stages have a metric with readings",
        "forces": "No forces yet.",
        "identify": "0 sources of friction",
        "automate": "0 of 0 rows answered",
        "goals": "0 of 0 rows answered",
        "restructure": "0 of 3 rows and questions answered",
        "summary": "No friction identified yet.",
    }
    assert not any(step.complete for step in progress(loaded(audit)).values())


def test_it_reports_progress_of_each_step(audit, friction):
    StageStrategyFactory(audit=audit, stage=Stage.ATTRACT, approach="Blog")
    StageStrategyFactory(audit=audit, stage=Stage.ENGAGE, approach="")
    bucket(audit, "Visitors", Stage.ATTRACT, {JANUARY: 10})
    MetricFactory(audit=audit, stage=Stage.ENGAGE)  # no readings: the stage is not measured yet
    ForceFactory(team=TeamFactory(audit=audit))
    TeamFactory(audit=audit)
    SelfAssessmentFactory(audit=audit, question=SelfAssessment.Question.SAME_JOB, answer="yes")
    SelfAssessmentFactory(audit=audit, question=SelfAssessment.Question.BLIND_SPOT)
    steps = progress(loaded(audit))
    assert steps["strategy"].note == "1 of 3 stages have an approach"
    assert steps["metrics"].note == "1 of 3 stages have a metric with readings"
    assert steps["forces"].note == "1 of 2 teams have listed forces"
    assert steps["identify"].note == "6 sources of friction"
    assert steps["identify"].complete
    assert steps["automate"].note == "5 of 6 rows answered"
    # Rows answered "No" at automation reach the goals step: 4 of them, 3 answered there.
    assert steps["goals"].note == "3 of 4 rows answered"
    # Rows answered "No" at both: 2 rows (both answered) plus the 3 questions (1 answered).
    assert steps["restructure"].note == "3 of 5 rows and questions answered"
    # Decided: the three rows a step fixed and "Nothing helps" ("No" at all three); two still wait for answers.
    assert steps["summary"].note == "4 of 6 rows fixed or marked still open · 3 rows still open"
    assert (steps["summary"].done, steps["summary"].total) == (4, 6)
    assert not steps["summary"].complete


def test_it_marks_a_step_complete_when_everything_is_answered(audit):
    for stage in Stage.values:
        StageStrategyFactory(audit=audit, stage=stage, approach=f"{stage} approach")
    FrictionPointFactory(audit=audit, automation="A fix")
    steps = progress(loaded(audit))
    assert steps["strategy"].complete
    assert steps["automate"].complete
    assert steps["summary"].complete
    assert steps["summary"].note == "1 of 1 row fixed or marked still open"


# --- The demo and the number of queries ------------------------------------------------------


def test_it_loads_the_demo_audit():
    document = loaded(load_demo())
    assert [team.name for team in document.teams] == ["Marketing", "Sales", "Service"]
    assert len(document.forces) == 17
    assert len(document.friction) == 7
    assert document.open_friction == []
    assert [row.settled_by for row in document.friction] == [
        "automation",
        "automation",
        "new_goal",
        "new_goal",
        "restructure",
        "restructure",
        "restructure",
    ]
    assert all(strategy.approach for strategy in document.strategies)
    assert len(document.self_assessment) == 3
    assert [conversion.label for conversion in document.conversions] == [
        "Website visitors → Free users",
        "Free users → Product-qualified leads (PQLs)",
        "Product-qualified leads (PQLs) → Paying customers",
    ]
    assert document.weakest_conversion.label == "Website visitors → Free users"


def fill(audit: Audit, friction: int, teams: int, forces_per_team: int, metrics: int, months: int) -> None:
    """Give `audit` the rows of every table in bulk."""
    start_audit(audit)
    Team.objects.filter(audit=audit).delete()
    created_teams = Team.objects.bulk_create(
        Team(audit=audit, name=f"Team {number}", position=number) for number in range(teams)
    )
    Force.objects.bulk_create(
        Force(audit=audit, team=team, name=f"Force {number}", stage=Stage.ENGAGE, position=number)
        for team in created_teams
        for number in range(forces_per_team)
    )
    FrictionPoint.objects.bulk_create(
        FrictionPoint(audit=audit, source=f"Friction {number}", automation="No", new_goal="Goal", position=number)
        for number in range(friction)
    )
    created_metrics = Metric.objects.bulk_create(
        Metric(audit=audit, name=f"Metric {number}", stage=Stage.values[number % 3], position=number)
        for number in range(metrics)
    )
    Reading.objects.bulk_create(
        Reading(metric=metric, period_start=date(2020 + month // 12, month % 12 + 1, 1), gained=month + 1, total=9)
        for metric in created_metrics
        for month in range(months)
    )
    StageStrategy.objects.filter(audit=audit).update(approach="Something")


def queries_to_load(audit: Audit) -> int:
    audit = Audit.objects.select_related("flywheel__organization").get(pk=audit.pk)
    with CaptureQueriesContext(connection) as queries:
        document = load(audit)
        # Everything computed from the document is computed from memory.
        progress(document)
        _ = (document.action_items, document.weakest_conversion, document.stages, document.forces_by_stage())
    return len(queries)


def test_it_loads_a_large_audit_in_as_many_queries_as_a_small_one(flywheel):
    small, large = AuditFactory(flywheel=flywheel), AuditFactory(flywheel=flywheel)
    fill(small, friction=1, teams=1, forces_per_team=1, metrics=1, months=1)
    fill(large, friction=300, teams=5, forces_per_team=30, metrics=12, months=36)
    document = loaded(large)
    assert (len(document.friction), len(document.teams), len(document.forces)) == (300, 5, 150)
    assert len(document.metrics) == 12
    assert all(len(metric.readings) == 36 for metric in document.metrics)
    assert queries_to_load(large) == queries_to_load(small)
    assert queries_to_load(small) <= 8


# What every row of a table has besides its content: its identity, place, audit, history and author.
ROW_BOOKKEEPING = {"id", "version", "position", "audit", "metric", "team", "carried_from", "author", "created"}
TABLE_ROWS = [
    (Strategy, StageStrategy),
    (MetricRow, Metric),
    (ReadingRow, Reading),
    (ForceRow, Force),
    (FrictionRow, FrictionPoint),
    (AssessmentRow, SelfAssessment),
    (ReviewRow, ActionReview),
]


@pytest.mark.parametrize(("row_class", "model"), TABLE_ROWS, ids=lambda each: each.__name__)
def test_each_tables_content_fields_are_declared_once_by_its_row_and_match_its_model(row_class, model):
    """A field added to the model but not to the document's row (or the other way) fails here: build(), save(),
    the JSON backup and the workbook read the declaration, so the field would be lost on the way through a file."""
    content = [field.name for field in model._meta.concrete_fields if field.name not in ROW_BOOKKEEPING]
    assert list(content_fields(row_class)) == content
    not_editable = {field.name for field in model._meta.concrete_fields if not field.editable}
    assert not_editable & set(edited_fields(row_class)) == set(), "the form cannot edit what the model does not let"


@pytest.mark.parametrize(("row_class", "model"), TABLE_ROWS, ids=lambda each: each.__name__)
def test_every_declared_field_reaches_the_form_the_workbook_and_the_json(row_class, model):
    """Each consumer derives its fields from the declaration: none is missing one, none lists one of its own."""
    table = next(table for table in TABLES.values() if table.row is row_class)
    assert table.fields() == list(edited_fields(row_class))
    assert set(table.long_fields) == {each.name for each in declared_fields(row_class) if each.long and each.edited}
    sheet = {
        Strategy: workbook.STRATEGY_COLUMNS,
        MetricRow: workbook.METRIC_DEFINITION_COLUMNS,
        ReadingRow: (workbook.READING_PERIOD, *workbook.READING_FIGURE_COLUMNS),
        ForceRow: workbook.FORCE_COLUMNS,
        FrictionRow: workbook.FRICTION_COLUMNS,
        AssessmentRow: workbook.ASSESSMENT_COLUMNS,
        ReviewRow: workbook.REVIEW_COLUMNS,
    }[row_class]
    read_back = {column.title: column for column in sheet if not column.computed and column.key != "team"}
    labels = labels_of(row_class)
    assert set(read_back) == set(labels.values())
    assert all(read_back[labels[name]].wrap for name in labels if declared(row_class, name).long)


def declared(row_class, name: str):
    return next(each for each in declared_fields(row_class) if each.name == name)


def test_the_json_backup_holds_every_declared_field(owner, flywheel):
    audit = build_small_audit(flywheel)
    data = json_export.as_data(load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk)))
    assert set(data["strategies"][0]) == set(content_fields(Strategy))
    assert set(data["metrics"][0]) == {*content_fields(MetricRow), "readings"}
    assert set(data["metrics"][0]["readings"][0]) <= {"period", *content_fields(ReadingRow)}
    assert set(data["teams"][0]["forces"][0]) == {*content_fields(ForceRow), "votes"}
    assert set(data["friction"][0]) == {*content_fields(FrictionRow), "votes"}
    assert set(data["self_assessment"][0]) == set(content_fields(AssessmentRow))


def test_a_row_saved_and_loaded_keeps_every_declared_field(owner, flywheel):
    values = {"name": "Onboarding", "before": "a", "now": "b", "serves": "customer", "stage": "delight"}
    values |= {"planned_change": "c", "owner": "Dana", "target": "d"}
    assert set(values) == set(FORCE_FIELDS)
    audit = AuditFactory(flywheel=flywheel)
    start_audit(audit)
    Force.objects.create(audit=audit, team=audit.teams.first(), **values)
    loaded = load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))
    copy = load(Audit.objects.select_related("flywheel__organization").get(pk=save(loaded, flywheel).pk))
    assert {name: getattr(copy.forces[0], name) for name in FORCE_FIELDS} == values
