from audits.content.demo import DEMO_AUDIT, load_demo
from audits.content.starting import has_content, start_audit
from audits.models import Force, Reading, SelfAssessment, Stage, Team


def counts(audit):
    return {
        "strategies": audit.strategies.count(),
        "metrics": audit.metrics.count(),
        "readings": Reading.objects.filter(metric__audit=audit).count(),
        "teams": audit.teams.count(),
        "forces": audit.forces.count(),
        "friction": audit.friction_points.count(),
        "self_assessment": audit.self_assessment.count(),
    }


def test_it_fills_the_strategies(db):
    audit = load_demo()
    strategies = list(audit.strategies.order_by("position"))
    assert [strategy.stage for strategy in strategies] == Stage.values
    assert all(strategy.principle and strategy.approach for strategy in strategies)


def test_it_fills_illustrative_metrics_with_a_year_of_readings(db):
    audit = load_demo()
    metrics = list(audit.metrics.all())
    assert len(metrics) >= 5
    assert [metric.position for metric in metrics] == list(range(len(metrics)))
    for metric in metrics:
        assert metric.illustrative
        assert metric.readings.count() == 12
        assert {reading.period_start.year for reading in metric.readings.all()} == {2018}


def test_it_fills_17_forces_in_three_teams(db):
    audit = load_demo()
    teams = list(audit.teams.all())
    assert [(team.name, team.position) for team in teams] == [("Marketing", 0), ("Sales", 1), ("Service", 2)]
    assert [team.forces.count() for team in teams] == [6, 4, 7]
    positions = list(Force.objects.filter(audit=audit).order_by("position").values_list("position", flat=True))
    assert positions == list(range(17))


def test_it_fills_the_friction_table_in_order(db):
    audit = load_demo()
    rows = list(audit.friction_points.all())
    assert len(rows) == 7
    assert [row.position for row in rows] == list(range(7))
    assert rows[0].source.startswith("Prospects want to try HubSpot")
    assert (rows[-1].automation, rows[-1].new_goal) == ("No", "No")


def test_it_answers_the_self_assessment(db):
    audit = load_demo()
    answers = list(audit.self_assessment.all())
    assert {answer.question for answer in answers} == set(SelfAssessment.Question.values)
    assert all(answer.answer and answer.notes for answer in answers)


def test_a_second_run_changes_nothing(db):
    audit = load_demo()
    before = counts(audit)
    assert before == {
        "strategies": 3,
        "metrics": 5,
        "readings": 60,
        "teams": 3,
        "forces": 17,
        "friction": 7,
        "self_assessment": 3,
    }
    again = load_demo()
    assert again.pk == audit.pk
    assert counts(again) == before


def test_it_leaves_an_edited_demo_audit_alone(db):
    audit = load_demo()
    audit.friction_points.all().delete()
    load_demo()
    assert audit.friction_points.count() == 0


def test_start_audit_creates_the_empty_skeleton(audit):
    start_audit(audit)
    assert sorted(audit.strategies.values_list("stage", flat=True)) == sorted(Stage.values)
    assert list(audit.teams.values_list("name", "position")) == [("Marketing", 0), ("Sales", 1), ("Service", 2)]
    assert set(audit.self_assessment.values_list("question", flat=True)) == set(SelfAssessment.Question.values)
    assert not has_content(audit)


def test_start_audit_runs_once(audit):
    start_audit(audit)
    before = counts(audit)
    start_audit(audit)
    assert (
        counts(audit)
        == before
        == {
            "strategies": 3,
            "metrics": 0,
            "readings": 0,
            "teams": 3,
            "forces": 0,
            "friction": 0,
            "self_assessment": 3,
        }
    )


def test_start_audit_keeps_the_teams_an_audit_already_has(audit):
    Team.objects.create(audit=audit, name="Growth")
    start_audit(audit)
    assert list(audit.teams.values_list("name", flat=True)) == ["Growth"]


def test_start_audit_tops_up_missing_rows(audit):
    start_audit(audit)
    audit.strategies.filter(stage=Stage.DELIGHT).delete()
    start_audit(audit)
    assert audit.strategies.count() == 3


def test_it_names_the_demo_audit(db):
    assert load_demo().title == DEMO_AUDIT
