from itertools import pairwise

import pytest

from audits.content import hubspot_example as example
from audits.models import Metric, SelfAssessment, Stage

BUCKETS = [metric.key for metric in example.METRICS if metric.kind == Metric.Kind.BUCKET]


@pytest.fixture(scope="module")
def readings():
    return example.illustrative_readings(2018)


def test_it_has_one_strategy_per_stage_in_order():
    assert [strategy.stage for strategy in example.STRATEGIES] == Stage.values
    assert all(strategy.principle and strategy.approach for strategy in example.STRATEGIES)


def test_it_follows_the_path_from_visitors_to_promoters():
    assert [metric.key for metric in example.METRICS] == [
        "website_visitors",
        "free_users",
        "pqls",
        "paying_customers",
        "promoters",
    ]
    assert [metric.stage for metric in example.METRICS] == ["attract", "engage", "engage", "engage", "delight"]
    assert example.METRICS[-1].kind == Metric.Kind.NPS
    assert all(metric.period == Metric.Period.MONTH for metric in example.METRICS)


def test_it_has_twelve_monthly_readings_per_metric(readings):
    assert set(readings) == {metric.key for metric in example.METRICS}
    for rows in readings.values():
        assert [row["period_start"].month for row in rows] == list(range(1, 13))
        assert {row["period_start"].year for row in rows} == {2018}
        assert {row["period_start"].day for row in rows} == {1}


def test_it_is_deterministic(readings):
    assert example.illustrative_readings(2018) == readings


def test_it_keeps_the_bucket_arithmetic(readings):
    for key in BUCKETS:
        for previous, current in pairwise(readings[key]):
            assert current["total"] == previous["total"] + current["gained"] - current["lost"]
            assert 0 <= current["lost"] <= previous["total"] + current["gained"]


def test_it_converts_between_one_and_sixty_percent(readings):
    for previous_key, next_key in pairwise(BUCKETS):
        for previous, current in zip(readings[previous_key], readings[next_key], strict=True):
            assert 0.01 <= current["gained"] / previous["gained"] <= 0.60


def test_it_keeps_nps_between_20_and_60(readings):
    previous_promoters = None
    for row in readings["promoters"]:
        respondents = row["promoters"] + row["passives"] + row["detractors"]
        nps = 100 * (row["promoters"] - row["detractors"]) / respondents
        assert 20 <= nps <= 60
        if previous_promoters is not None:
            assert row["promoters_lost"] <= previous_promoters
        previous_promoters = row["promoters"]


def test_it_has_17_forces_in_three_teams():
    assert [team.key for team in example.TEAMS] == ["marketing", "sales", "service"]
    assert len(example.FORCES) == 17
    assert [len(example.forces_of(team.key)) for team in example.TEAMS] == [6, 4, 7]


def test_every_force_has_a_valid_stage_and_purpose():
    for force in example.FORCES:
        assert force.name and force.before and force.now
        assert force.stage in Stage.values
        assert force.serves in {"process", "customer", "both"}


def test_it_has_hubspots_seven_friction_rows_settled_like_the_final_table():
    # "fix" where a step settled the row, "No" before it, "" after it.
    def pattern(row):
        return tuple(
            "" if not answer else "No" if str(answer) == "No" else "fix"
            for answer in (row.automation, row.new_goal, row.restructure)
        )

    assert [pattern(row) for row in example.FRICTION] == [
        ("fix", "", ""),
        ("fix", "", ""),
        ("No", "fix", ""),
        ("No", "fix", ""),
        ("No", "No", "fix"),
        ("No", "No", "fix"),
        ("No", "No", "fix"),
    ]


def test_every_friction_row_has_an_origin_stage_and_teams():
    for row in example.FRICTION + example.OTHER_FRICTION_SOURCES:
        assert row.source
        assert row.origin in {"external", "internal"}
        assert row.stage in Stage.values
        assert row.teams


def test_it_lists_the_two_other_friction_sources_without_answers():
    assert len(example.OTHER_FRICTION_SOURCES) == 2
    for row in example.OTHER_FRICTION_SOURCES:
        assert (row.automation, row.new_goal, row.restructure) == ("", "", "")


def test_it_answers_the_three_self_assessment_questions():
    assert set(example.SELF_ASSESSMENT) == set(SelfAssessment.Question.values)
    for answer in example.SELF_ASSESSMENT.values():
        assert answer.answer in SelfAssessment.Answer.values
        assert answer.notes
