"""compare(): two AuditDocuments built from unsaved model instances — no database needed."""

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from audits.content.document import build
from audits.models import (
    ActionReview,
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Metric,
    Organization,
    Reading,
    StageStrategy,
    Team,
)
from audits.reports.comparison import as_data, compare, direction, normalize

BUCKET, NPS, RATE, VALUE = Metric.Kind.BUCKET, Metric.Kind.NPS, Metric.Kind.RATE, Metric.Kind.VALUE
MONTH, QUARTER = Metric.Period.MONTH, Metric.Period.QUARTER


def document(
    year=2018,
    pk=1,
    carried_from=None,
    flywheel="Self-serve",
    flywheel_pk=1,
    strategies=(),
    metrics=(),
    teams=(),
    friction=(),
):
    audit = Audit(
        pk=pk,
        flywheel=Flywheel(pk=flywheel_pk, organization=Organization(name="Acme"), name=flywheel),
        title=f"Audit {year}",
        period_year=year,
        workshop_date=date(year, 11, 5),
        carried_from_id=carried_from,
    )
    return build(
        audit,
        strategies=list(strategies),
        metrics=list(metrics),
        teams=list(teams),
        friction=list(friction),
        assessment=[],
    )


def this_year_and_next(before_metrics=(), after_metrics=(), **after_fields):
    """Return last year's audit (pk 1) and this year's, carried from it (pk 2) unless told otherwise."""
    before = document(2018, pk=1, metrics=before_metrics)
    fields = {"carried_from": 1, **after_fields}
    return before, document(2019, pk=2, metrics=after_metrics, **fields)


def metric(name, stage="attract", kind=BUCKET, period=MONTH, readings=(), pk=None, origin=None, **fields):
    row = Metric(pk=pk, name=name, stage=stage, kind=kind, period=period, carried_from_id=origin, **fields)
    return row, [Reading(**reading) for reading in readings]


def monthly(year, **series):
    """Return twelve monthly readings; each series is a list of 12 values (None: not entered)."""
    return [
        {"period_start": date(year, month, 1), **{name: values[month - 1] for name, values in series.items()}}
        for month in range(1, 13)
    ]


def quarterly(year, **series):
    return [
        {"period_start": date(year, month, 1), **{name: values[index] for name, values in series.items()}}
        for index, month in enumerate((1, 4, 7, 10))
    ]


def force(name, pk=None, origin=None, **fields):
    return Force(pk=pk, name=name, carried_from_id=origin, **fields)


def friction(source, pk=None, origin=None, **fields):
    return FrictionPoint(pk=pk, source=source, carried_from_id=origin, **fields)


# --- Matching -------------------------------------------------------------------------------


def test_it_matches_metrics_through_the_carry_forward_link_even_when_renamed():
    before, after = this_year_and_next(
        [metric("Visitors", pk=10, readings=monthly(2018, total=[100] * 12))],
        [metric("Website visits", pk=20, origin=10, readings=monthly(2019, total=[120] * 12))],
    )
    comparison = compare(before, after)
    [change] = comparison.metrics
    assert change.matched_by == "link"
    assert change.name == "Website visits"
    assert change.renamed_from == "Visitors"
    assert (change.before_id, change.after_id) == (10, 20)
    assert (change.before, change.after) == (100, 120)
    assert comparison.metrics_only_before == comparison.metrics_only_after == ()


def test_it_matches_by_text_ignoring_case_spacing_and_punctuation():
    before, after = this_year_and_next(
        [metric("Free-users", stage="engage", pk=10)],
        [metric("  free   USERS.", stage="engage", pk=20)],
        carried_from=None,
    )
    [change] = compare(before, after).metrics
    assert change.matched_by == "text"
    assert normalize("  Free-users! ") == "free users"


def test_it_matches_by_text_only_within_the_same_stage():
    before, after = this_year_and_next(
        [metric("Customers", stage="engage", pk=10)], [metric("Customers", stage="delight", pk=20)]
    )
    comparison = compare(before, after)
    assert comparison.metrics == ()
    assert [change.stage for change in comparison.metrics_only_before] == ["engage"]
    assert [change.stage for change in comparison.metrics_only_after] == ["delight"]


def test_it_ignores_origin_links_when_the_audit_was_not_carried_from_the_other():
    before, after = this_year_and_next(
        [metric("Visitors", pk=10)], [metric("Website visits", pk=20, origin=10)], carried_from=99
    )
    comparison = compare(before, after)
    assert comparison.metrics == ()
    assert [change.name for change in comparison.metrics_only_before] == ["Visitors"]
    assert [change.name for change in comparison.metrics_only_after] == ["Website visits"]


def test_it_prefers_the_link_over_a_text_match():
    before, after = this_year_and_next(
        [metric("Leads", pk=10), metric("Visitors", pk=11)],
        [metric("Visitors", pk=20, origin=10), metric("Leads", pk=21)],
    )
    comparison = compare(before, after)
    # Last year's "Leads" was renamed "Visitors"; this year's "Leads" and last year's "Visitors" are other metrics.
    assert [(change.renamed_from, change.name, change.matched_by) for change in comparison.metrics] == [
        ("Leads", "Visitors", "link")
    ]
    assert [change.name for change in comparison.metrics_only_before] == ["Visitors"]
    assert [change.name for change in comparison.metrics_only_after] == ["Leads"]


def test_it_lists_unmatched_metrics_with_their_yearly_figure():
    before, after = this_year_and_next(
        [metric("Shared", pk=10), metric("Dropped", pk=11, readings=monthly(2018, total=[5] * 12))],
        [metric("Shared", pk=20, origin=10), metric("Added", stage="delight", pk=21)],
    )
    comparison = compare(before, after)
    [dropped] = comparison.metrics_only_before
    assert (dropped.name, dropped.before, dropped.after, dropped.direction, dropped.matched_by) == (
        "Dropped",
        5,
        None,
        None,
        None,
    )
    assert [change.name for change in comparison.metrics_only_after] == ["Added"]


def test_it_orders_metrics_by_stage_then_the_later_audits_order():
    names = [("Promoters", "delight"), ("Visitors", "attract"), ("Leads", "attract"), ("Users", "engage")]
    before, after = this_year_and_next(
        [metric(name, stage=stage) for name, stage in names],
        [metric(name, stage=stage) for name, stage in reversed(names)],
    )
    assert [change.name for change in compare(before, after).metrics] == ["Leads", "Visitors", "Users", "Promoters"]


# --- Yearly figures and directions ----------------------------------------------------------


def test_it_compares_a_buckets_total_at_the_end_of_the_year_and_sums_gained_and_lost():
    before, after = this_year_and_next(
        [
            metric(
                "Customers", pk=10, readings=monthly(2018, total=[*range(89, 100), 100], gained=[3] * 12, lost=[1] * 12)
            )
        ],
        [
            metric(
                "Customers", pk=20, origin=10, readings=monthly(2019, total=[150] * 12, gained=[5] * 12, lost=[2] * 12)
            )
        ],
    )
    [change] = compare(before, after).metrics
    assert (change.before, change.after, change.absolute, change.relative) == (100, 150, 50, 0.5)
    assert change.direction == "better"
    assert change.basis == "total at the end of 2018 vs total at the end of 2019"
    assert (change.before_figure.gained, change.before_figure.lost) == (36, 12)
    assert (change.after_figure.gained, change.after_figure.lost) == (60, 24)
    assert change.note == ""


def test_it_uses_the_latest_total_when_the_year_is_not_complete():
    readings = monthly(2019, total=[10] * 8 + [12, None, None, None])
    before, after = this_year_and_next([metric("Users", pk=10)], [metric("Users", origin=10, readings=readings)])
    [change] = compare(before, after).metrics
    assert change.after == 12
    assert change.after_figure.basis == "total at Sep 2019, the latest in 2019"
    assert change.before is None
    assert change.absolute is None
    assert change.direction is None


@pytest.mark.parametrize(
    ("before_value", "after_value", "expected"),
    [("5", "3", "better"), ("3", "5", "worse"), ("4", "4", "same")],
)
def test_it_reads_down_as_better_when_higher_is_not_better(before_value, after_value, expected):
    before, after = this_year_and_next(
        [
            metric(
                "Churn",
                kind=RATE,
                unit="%",
                higher_is_better=False,
                readings=monthly(2018, value=[Decimal(before_value)] * 12),
            )
        ],
        [
            metric(
                "Churn",
                kind=RATE,
                unit="%",
                higher_is_better=False,
                readings=monthly(2019, value=[Decimal(after_value)] * 12),
            )
        ],
    )
    [change] = compare(before, after).metrics
    assert change.direction == expected
    assert change.higher_is_better is False


def test_it_reads_up_as_better_by_default():
    before, after = this_year_and_next(
        [metric("Revenue", kind=VALUE, readings=monthly(2018, value=[Decimal("10.50")] * 12))],
        [metric("Revenue", kind=VALUE, readings=monthly(2019, value=[Decimal("12.50")] * 12))],
    )
    [change] = compare(before, after).metrics
    assert (change.absolute, change.direction) == (2, "better")


def test_it_compares_the_latest_reading_of_rates_and_values_and_keeps_the_years_mean_beside_it():
    values = [Decimal(10), Decimal(20), Decimal(30), None]
    before, after = this_year_and_next(
        [metric("Trial-to-paid", kind=RATE, period=QUARTER, readings=quarterly(2018, value=values))],
        [metric("Trial-to-paid", kind=RATE, period=QUARTER, readings=quarterly(2019, value=[Decimal(25)] * 4))],
    )
    [change] = compare(before, after).metrics
    assert (change.before, change.after, change.absolute) == (30, 25, -5)  # percentage points
    assert change.before_figure.basis == "Q3 2018, the latest reading in 2018"
    assert change.before_figure.latest == date(2018, 7, 1)
    assert (change.before_figure.year_value, change.after_figure.year_value) == (20, 25)
    assert change.before_figure.year_basis == "mean of 3 quarterly values in 2018"


def test_it_compares_monthly_with_quarterly_on_the_latest_readings_with_a_note():
    before, after = this_year_and_next(
        [
            metric("Customers", pk=10, period=MONTH, readings=monthly(2018, total=[100] * 11 + [120], gained=[2] * 12)),
            metric("Order value", pk=11, kind=VALUE, period=MONTH, readings=monthly(2018, value=[Decimal(6)] * 12)),
        ],
        [
            metric(
                "Customers",
                origin=10,
                period=QUARTER,
                readings=quarterly(2019, total=[130, 140, 150, 160], gained=[9] * 4),
            ),
            metric(
                "Order value", origin=11, kind=VALUE, period=QUARTER, readings=quarterly(2019, value=[Decimal(9)] * 4)
            ),
        ],
    )
    comparison = compare(before, after)
    customers, order_value = comparison.metrics
    assert (customers.before, customers.after, customers.absolute) == (120, 160, 40)
    assert (customers.before_figure.gained, customers.after_figure.gained) == (24, 36)
    assert customers.basis == "total at the end of 2018 vs total at the end of 2019"
    assert (
        customers.note == "Customers: read monthly before and quarterly now, so each year's latest reading is compared."
    )
    assert (order_value.before, order_value.after) == (6, 9)
    assert "quarterly" in order_value.note
    assert customers.note in comparison.notes
    assert order_value.note in comparison.notes


def test_it_gives_no_note_when_the_granularity_is_the_same():
    before, after = this_year_and_next(
        [metric("Customers", readings=monthly(2018, total=[1] * 12))],
        [metric("Customers", readings=monthly(2019, total=[1] * 12))],
    )
    comparison = compare(before, after)
    assert comparison.metrics[0].note == ""
    assert comparison.notes == ()


def test_it_does_not_compare_figures_of_different_kinds_or_units():
    before, after = this_year_and_next(
        [
            metric("Signups", readings=monthly(2018, total=[1] * 12)),
            metric("Revenue", kind=VALUE, unit="EUR", readings=monthly(2018, value=[Decimal(1)] * 12)),
        ],
        [
            metric("Signups", kind=VALUE, readings=monthly(2019, value=[Decimal(2)] * 12)),
            metric("Revenue", kind=VALUE, unit="USD", readings=monthly(2019, value=[Decimal(2)] * 12)),
        ],
    )
    signups, revenue = compare(before, after).metrics
    assert (signups.before, signups.after, signups.absolute, signups.direction) == (1, 2, None, None)
    assert "kind changed" in signups.note
    assert (revenue.absolute, revenue.direction) == (None, None)
    assert "unit changed" in revenue.note


def test_it_uses_the_latest_year_with_readings_when_the_audits_year_has_none():
    before = document(2018, pk=1, metrics=[metric("Users", readings=monthly(2017, total=[7] * 12))])
    after = document(2019, pk=2, metrics=[metric("Users", readings=monthly(2019, total=[9] * 12))])
    comparison = compare(before, after)
    assert (comparison.before_year, comparison.after_year) == (2017, 2019)
    assert comparison.metrics[0].before == 7
    assert "“Audit 2018” (2018) has no readings in 2018: its figures are from 2017." in comparison.notes


# --- NPS and conversions --------------------------------------------------------------------


def test_it_compares_the_latest_survey_and_keeps_the_yearly_nps_from_the_summed_answers():
    before, after = this_year_and_next(
        [
            metric(
                "Promoters",
                stage="delight",
                kind=NPS,
                period=QUARTER,
                readings=[
                    {"period_start": date(2018, 1, 1), "promoters": 50, "passives": 30, "detractors": 20},
                    {"period_start": date(2018, 4, 1), "promoters": 10, "passives": 10, "detractors": 80},
                    {"period_start": date(2018, 7, 1)},
                ],
            )
        ],
        [
            metric(
                "Promoters",
                stage="delight",
                kind=NPS,
                period=QUARTER,
                readings=[{"period_start": date(2019, 1, 1), "promoters": 70, "passives": 20, "detractors": 10}],
            )
        ],
    )
    comparison = compare(before, after)
    assert comparison.nps is comparison.metrics[0]
    # The key number is the latest survey's, as in the audit deck: Q2 2018 (−70), Q1 2019 (60).
    assert (comparison.nps.before, comparison.nps.after, comparison.nps.absolute) == (-70, 60, 130)
    assert comparison.nps.direction == "better"
    assert comparison.nps.basis == (
        "NPS of Q2 2018, the latest survey in 2018 vs NPS of Q1 2019, the latest survey in 2019"
    )
    # The whole year's NPS of the summed answers, where the year had more than one survey.
    assert comparison.nps.before_figure.year_value == -20
    assert comparison.nps.before_figure.year_basis == "yearly NPS from 2 surveys in 2018"
    assert comparison.nps.after_figure.year_value is None


def test_it_has_no_nps_when_only_one_audit_measures_it():
    before, after = this_year_and_next([], [metric("NPS", stage="delight", kind=NPS)])
    assert compare(before, after).nps is None


def path(year, visitors, signups, pks=(None, None), origins=(None, None), period=MONTH):
    series = monthly if period == MONTH else quarterly
    return [
        metric("Visitors", pk=pks[0], origin=origins[0], period=period, readings=series(year, gained=visitors)),
        metric(
            "Signups",
            stage="engage",
            pk=pks[1],
            origin=origins[1],
            period=period,
            readings=series(year, gained=signups),
        ),
    ]


def test_it_compares_the_yearly_conversion_in_percentage_points():
    before, after = this_year_and_next(
        path(2018, [100] * 12, [10] * 12, pks=(10, 11)),
        path(2019, [250] * 4, [40, 35, 40, 35], origins=(10, 11), period=QUARTER),
    )
    [conversion] = compare(before, after).conversions
    assert (conversion.from_metric, conversion.to_metric) == ("Visitors", "Signups")
    assert conversion.before == pytest.approx(0.10)
    assert conversion.after == pytest.approx(0.15)
    assert conversion.points == pytest.approx(5.0)
    assert conversion.direction == "better"
    assert conversion.matched_by == "link"
    assert conversion.basis == "Signups gained ÷ Visitors gained in 2018 vs Signups gained ÷ Visitors gained in 2019"
    assert "compared on yearly figures" in conversion.note


def test_it_lists_conversions_found_on_one_side_only():
    before, after = this_year_and_next(
        path(2018, [100] * 12, [10] * 12),
        [
            *path(2019, [100] * 12, [5] * 12),
            metric("Customers", stage="delight", readings=monthly(2019, gained=[1] * 12)),
        ],
        carried_from=None,
    )
    conversions = compare(before, after).conversions
    assert [(c.from_metric, c.to_metric, c.matched_by) for c in conversions] == [
        ("Visitors", "Signups", "text"),
        ("Signups", "Customers", None),
    ]
    assert conversions[0].points == pytest.approx(-5.0)
    assert conversions[0].direction == "worse"
    assert conversions[0].note == ""
    assert (conversions[1].before, conversions[1].after) == (None, pytest.approx(0.2))


# --- Forces ---------------------------------------------------------------------------------


def test_it_sorts_forces_per_team_into_changed_new_dropped_and_unchanged():
    before = document(
        2018,
        pk=1,
        teams=[
            (
                Team(pk=1, name="Sales"),
                [
                    force(
                        "Commission on close", pk=10, before="Quota", now="Commission", planned_change="Pay on renewal"
                    ),
                    force("Demo calls", pk=11, now="Every lead", stage="engage"),
                    force("Cold calls", pk=12, now="Daily"),
                ],
            ),
            (Team(pk=2, name="Support"), [force("Ticket queue", pk=13)]),
        ],
    )
    after = document(
        2019,
        pk=2,
        carried_from=1,
        teams=[
            (
                Team(pk=3, name="sales"),
                [
                    force(
                        "Commission",
                        pk=20,
                        origin=10,
                        before="Commission",
                        now="Paid on renewal",
                        target="Pay on renewal",
                    ),
                    force("Demo  calls", pk=21, now="Every lead", stage="engage"),
                    force("Partner deals", pk=22),
                ],
            ),
            (Team(pk=4, name="Marketing"), [force("Gated e-books", pk=23)]),
        ],
    )
    sales, marketing, support = compare(before, after).teams
    assert (sales.name, sales.in_before, sales.in_after) == ("sales", True, True)
    [changed] = sales.changed
    assert (changed.name, changed.matched_by, changed.target) == ("Commission", "link", "Pay on renewal")
    # "before" moved on (last year's now) and a new plan is no change of the force itself.
    assert changed.changed_fields == ("now",)
    assert changed.before_row.name == "Commission on close"
    assert [(change.name, change.matched_by) for change in sales.unchanged] == [("Demo  calls", "text")]
    assert [change.name for change in sales.new] == ["Partner deals"]
    assert [(change.name, change.after_row) for change in sales.dropped] == [("Cold calls", None)]
    assert (marketing.in_before, [change.name for change in marketing.new]) == (False, ["Gated e-books"])
    assert (support.in_after, [change.name for change in support.dropped]) == (False, ["Ticket queue"])
    assert support.changed == support.new == support.unchanged == ()


# --- Friction -------------------------------------------------------------------------------


def test_it_sorts_friction_into_resolved_still_open_new_reopened_and_dropped():
    before = document(
        2018,
        pk=1,
        friction=[
            friction("Slow onboarding", pk=10, stage="engage", automation="No", new_goal="No"),
            friction("Hand-off gaps", pk=11, stage="engage", automation="No"),
            friction("Billing errors", pk=12, automation="Auto-invoice"),
            friction("Spam leads", pk=13, automation="No"),
            friction("Support wait", pk=14, new_goal="Shared SLA"),
            friction("Lost renewals", pk=15, automation="No", new_goal="No", restructure="Renewals team"),
        ],
    )
    after = document(
        2019,
        pk=2,
        carried_from=1,
        friction=[
            friction("Onboarding is slow", pk=20, origin=10, stage="engage", automation="Guided tour"),
            friction("hand off gaps!", pk=21, stage=""),
            friction("Support wait", pk=22, automation="No"),
            friction("Pricing page confusion", pk=23, new_goal="Clear tiers"),
        ],
    )
    changes = compare(before, after).friction
    sources = {
        name: [(change.source, change.matched_by) for change in getattr(changes, name)]
        for name in ("resolved", "still_open", "new", "reopened", "dropped")
    }
    assert sources == {
        "resolved": [("Onboarding is slow", "link"), ("Billing errors", None), ("Lost renewals", None)],
        "still_open": [("hand off gaps!", "text")],
        "new": [("Pricing page confusion", None)],
        "reopened": [("Support wait", "text")],
        "dropped": [("Spam leads", None)],
    }
    assert changes.resolved[0].before_row.source == "Slow onboarding"
    assert changes.resolved[1].after_row is None


def test_it_counts_the_fix_mix_of_each_audit():
    before = document(
        2018,
        friction=[
            friction("A", automation="Zap"),
            friction("B", automation="No", new_goal="Shared goal"),
            friction("C", automation="No", new_goal="No", restructure="One team"),
            friction("D", automation="No"),
            friction("E"),
        ],
    )
    after = document(2019, pk=2, friction=[friction("F", automation="Bot")])
    old, new = compare(before, after).fix_mix
    assert (old.automation, old.new_goal, old.restructure, old.open, old.total) == (1, 1, 1, 2, 5)
    assert (new.automation, new.new_goal, new.restructure, new.open, new.total) == (1, 0, 0, 0, 1)


# --- Strategies, flywheels ------------------------------------------------------------------


def test_it_tells_per_stage_whether_the_strategy_changed():
    before = document(
        2018,
        strategies=[
            StageStrategy(stage="attract", principle="Be found", approach="Blog"),
            StageStrategy(stage="delight", principle="Help", approach="Academy"),
        ],
    )
    after = document(
        2019,
        pk=2,
        strategies=[
            StageStrategy(stage="attract", principle="Be found", approach="Blog and  podcast"),
            StageStrategy(stage="delight", principle="Help ", approach="Academy"),
        ],
    )
    strategies = compare(before, after).strategies
    assert [(row.stage, row.principle_changed, row.approach_changed, row.changed) for row in strategies] == [
        ("attract", False, True, True),
        ("engage", False, False, False),
        ("delight", False, False, False),
    ]
    assert strategies[0].before.approach == "Blog"
    assert strategies[0].after.approach == "Blog and  podcast"


def test_it_warns_when_the_audits_are_of_different_flywheels():
    before = document(2018, flywheel="Self-serve", flywheel_pk=1)
    other = document(2019, pk=2, flywheel="Enterprise", flywheel_pk=2)
    renamed_id = document(2019, pk=3, flywheel="Self serve", flywheel_pk=2)
    comparison = compare(before, other)
    assert comparison.same_flywheel is False
    assert "These audits are of different flywheels: Self-serve and Enterprise." in comparison.notes
    assert compare(before, renamed_id).same_flywheel is True
    assert compare(before, document(2019, pk=4, flywheel="Renamed", flywheel_pk=1)).same_flywheel is True


# --- Edge cases -----------------------------------------------------------------------------


def test_it_gives_none_rather_than_errors_for_empty_or_zero_data():
    before, after = this_year_and_next(
        [
            *path(2018, [0] * 12, [0] * 12),
            metric("NPS", stage="delight", kind=NPS, readings=monthly(2018, promoters=[0] * 12)),
        ],
        [*path(2019, [None] * 12, [None] * 12), metric("NPS", stage="delight", kind=NPS)],
    )
    comparison = compare(before, after)
    assert [(change.before, change.after, change.direction) for change in comparison.metrics] == [
        (None, None, None),
        (None, None, None),
        (None, None, None),
    ]
    [conversion] = comparison.conversions
    assert (conversion.before, conversion.after, conversion.points, conversion.direction) == (None, None, None, None)
    assert comparison.nps.after is None


def test_it_compares_two_empty_audits():
    comparison = compare(document(2018), document(2019, pk=2))
    assert comparison.metrics == comparison.conversions == comparison.teams == ()
    assert comparison.nps is None
    assert len(comparison.strategies) == 3
    assert comparison.fix_mix[0].total == comparison.fix_mix[1].total == 0
    assert comparison.friction.resolved == comparison.friction.new == ()


def test_it_still_works_when_an_audit_is_compared_with_itself():
    audit = document(
        2018,
        metrics=[metric("Users", pk=10, readings=monthly(2018, total=[3] * 12))],
        teams=[(Team(pk=1, name="Sales"), [force("Demo calls", pk=11)])],
        friction=[friction("Slow", pk=12)],
    )
    comparison = compare(audit, audit)
    assert comparison.metrics[0].direction == "same"
    assert [change.name for change in comparison.teams[0].unchanged] == ["Demo calls"]
    assert [change.source for change in comparison.friction.still_open] == ["Slow"]
    assert "Both sides are the same audit." in comparison.notes


def test_it_gives_json_ready_data():
    before = document(
        2018,
        pk=1,
        metrics=[metric("Revenue", kind=VALUE, pk=10, readings=monthly(2018, value=[Decimal("1.25")] * 12))],
        teams=[(Team(pk=1, name="Sales"), [force("Demo calls", pk=11)])],
        friction=[friction("Slow", pk=12, due_date=date(2018, 6, 1), automation="Zap")],
    )
    after = document(
        2019,
        pk=2,
        carried_from=1,
        metrics=[metric("Revenue", kind=VALUE, origin=10, readings=monthly(2019, value=[Decimal("2.5")] * 12))],
        friction=[friction("Slow", pk=22, origin=12)],
    )
    data = json.loads(json.dumps(as_data(compare(before, after))))
    assert data["before"]["workshop_date"] == "2018-11-05"
    assert data["metrics"][0]["after"] == 2.5
    assert data["metrics"][0]["relative"] == 1.0
    assert data["metrics"][0]["after_figure"]["basis"] == "Dec 2019, the latest reading in 2019"
    assert data["metrics"][0]["after_figure"]["year_basis"] == "mean of 12 monthly values in 2019"
    assert data["metrics"][0]["after_figure"]["latest"] == "2019-12-01"
    assert data["friction"]["reopened"][0]["before_row"]["due_date"] == "2018-06-01"
    assert data["friction"]["reopened"][0]["before_row"]["settled_by"] == "automation"
    assert data["teams"][0]["dropped"][0]["before_row"]["name"] == "Demo calls"
    assert data["fix_mix"][0]["automation"] == 1
    assert len(data["strategies"]) == 3


def test_a_carried_force_whose_now_stayed_is_unchanged():
    kept = {"before": "Quota", "now": "Commission", "serves": "customer", "stage": "engage"}
    before = document(2018, pk=1, teams=[(Team(pk=1, name="Sales"), [force("Commission", pk=10, **kept)])])
    carried = dict(kept, before="Commission", planned_change="Pay on renewal")
    after = document(
        2019,
        pk=2,
        carried_from=1,
        teams=[(Team(pk=2, name="Sales"), [force("Commission", pk=20, origin=10, **carried)])],
    )
    [sales] = compare(before, after).teams
    assert [change.name for change in sales.unchanged] == ["Commission"]
    assert sales.changed == ()


def test_a_rounding_speck_is_the_same_not_worse():
    assert direction(-0.000001, tolerance=0.005) == "same"
    assert direction(-0.01, tolerance=0.005) == "worse"
    assert direction(0.01, higher_is_better=False, tolerance=0.005) == "worse"


# --- Last year's actions, as this year's audit reviewed them --------------------------------


def reviewed(*statuses, carried_from=1):
    """This year's audit with one action review per status, carried from last year's (pk 1) unless told otherwise."""
    after = document(2019, pk=2, carried_from=carried_from)
    reviews = [
        ActionReview(pk=index, kind="friction", what=f"Row {index}", fix="Fix", status=status)
        for index, status in enumerate(statuses)
    ]
    return document(2018, pk=1), replace(after, action_reviews=tuple(build_reviews(reviews)))


def build_reviews(reviews):
    audit = Audit(pk=2, flywheel=Flywheel(pk=1, organization=Organization(name="Acme"), name="Self-serve"))
    return build(audit, strategies=[], metrics=[], teams=[], friction=[], assessment=[], reviews=reviews).action_reviews


def test_it_counts_last_years_actions_by_how_this_year_reviewed_them():
    before, after = reviewed("done", "done", "partly", "not_done", "dropped", "")
    actions = compare(before, after).actions
    assert [review.what for review in actions.reviews] == [f"Row {index}" for index in range(6)]
    assert (actions.total, actions.done, actions.partly, actions.not_done, actions.dropped, actions.unreviewed) == (
        6,
        2,
        1,
        1,
        1,
        1,
    )
    data = as_data(compare(before, after))["actions"]
    assert (data["done"], data["partly"], data["total"]) == (2, 1, 6)


def test_it_leaves_out_reviews_of_an_audit_other_than_the_earlier_one():
    before, after = reviewed("done", carried_from=7)
    assert compare(before, after).actions.total == 0
