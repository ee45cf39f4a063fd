"""The JSON backup: complete, versioned, and restoring the audit exactly."""

import json

import pytest

from audits.content import document
from audits.content.demo import load_demo
from audits.content.sample import build_large_audit
from audits.content.starting import start_audit
from audits.models import Audit, Force, FrictionPoint, Metric, Reading, Vote
from audits.reports.exports import file_name, json_export
from audits.reports.imports import ImportFailed, import_audit, read_file

from .factories import AuditFactory, UserFactory

TRICKY_TEXTS = [
    "فارسی: کاهش اصطکاک در چرخ طیار",
    "Tiếng Việt: giảm ma sát, làm hài lòng khách hàng",
    "emoji 🚀🔥 and a newline\nsecond line",
    '=HYPERLINK("http://evil","x")',
    "@SUM(1)",
    "-2+3",
    "<script>alert(1)</script>",
    "x" * 2000,
]


def reload(audit: Audit) -> document.AuditDocument:
    return document.load(Audit.objects.select_related("flywheel__organization").get(pk=audit.pk))


def round_trip(audit: Audit) -> tuple[document.AuditDocument, document.AuditDocument]:
    original = reload(audit)
    copy = import_audit(read_file(json_export.write(original)), audit.flywheel)
    return original, reload(copy)


def test_it_restores_the_demo_audit_exactly(db):
    original, copy = round_trip(load_demo())
    assert copy == original
    assert len(copy.forces) == 17
    assert [row.summary_cells for row in copy.friction] == [row.summary_cells for row in original.friction]


def test_it_restores_a_large_audit_exactly(flywheel, owner):
    original, copy = round_trip(build_large_audit(flywheel))
    assert copy == original
    assert len(copy.friction) == 300


def test_it_restores_unicode_newlines_long_and_formula_looking_text(flywheel, owner):
    audit = AuditFactory(flywheel=flywheel, title=TRICKY_TEXTS[0])
    start_audit(audit)
    team = audit.teams.first()
    for position, text in enumerate(TRICKY_TEXTS):
        FrictionPoint.objects.create(audit=audit, source=text, automation=text, position=position)
        Force.objects.create(audit=audit, team=team, name=text[:200], before=text, now=text, position=position)
    metric = Metric.objects.create(audit=audit, stage="delight", name=TRICKY_TEXTS[1], kind="value", unit="€")
    Reading.objects.create(metric=metric, period_start="2025-03-01", value="12.50")
    original, copy = round_trip(audit)
    assert copy == original
    assert copy.friction[2].source == "emoji 🚀🔥 and a newline\nsecond line"
    assert copy.metrics[0].readings[0].value == original.metrics[0].readings[0].value


def test_it_is_versioned_and_complete(db):
    data = json.loads(json_export.write(reload(load_demo())))
    assert data["schema_version"] == json_export.SCHEMA_VERSION
    assert set(data) == {
        "schema_version",
        "audit",
        "strategies",
        "metrics",
        "teams",
        "friction",
        "self_assessment",
        "action_reviews",
    }
    assert data["metrics"][0]["readings"][0]["period"] == "2018-01"
    assert sum(len(team["forces"]) for team in data["teams"]) == 17


def test_it_refuses_a_newer_schema_version(flywheel):
    with pytest.raises(ImportFailed, match="schema version 99"):
        read_file(json.dumps({"schema_version": 99, "audit": {}}).encode())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"hello": 1}', "not a Flywheel Audit backup"),
        (b"\x89PNG\r\n\x1a\n", "neither an Excel workbook"),
        (b'{"schema_version": 1, "audit": {}, "friction": {"a": 1}}', "friction: expected a list"),
        (b'{"schema_version": 1, "audit": {}, "friction": [1]}', r"friction\[0\]: expected an object"),
    ],
)
def test_it_refuses_files_that_are_not_backups(content, message):
    with pytest.raises(ImportFailed, match=message):
        read_file(content)


def test_it_reports_every_problem_at_once_and_saves_nothing(flywheel, owner):
    data = json.loads(json_export.write(reload(load_demo())))
    data["audit"]["period_year"] = 1800
    data["friction"][6]["stage"] = "Atract"
    data["metrics"][0]["readings"][3]["lost"] = -4
    data["metrics"][0]["readings"][4]["period"] = "2018-13"
    data["teams"][1]["forces"][0]["name"] = ""
    audits_before = Audit.objects.count()
    with pytest.raises(ImportFailed) as failure:
        import_audit(read_file(json.dumps(data).encode()), flywheel)
    errors = failure.value.errors
    assert "friction[6]: stage 'Atract' is not one of Attract, Engage, Delight." in errors
    assert any(error.startswith("audit, year:") for error in errors)
    assert any(error.startswith("metrics[0].readings[3], lost:") for error in errors)
    assert any(error.startswith("metrics[0].readings[4], period: “2018-13” is not a month") for error in errors)
    assert any(error.startswith("teams[1].forces[0], force:") for error in errors)
    assert Audit.objects.count() == audits_before


def test_it_refuses_a_loss_larger_than_the_previous_total_plus_gains(flywheel, owner):
    data = json.loads(json_export.write(reload(load_demo())))
    readings = data["metrics"][1]["readings"]
    readings[1]["lost"] = readings[0]["total"] + readings[1]["gained"] + 1
    with pytest.raises(ImportFailed) as failure:
        import_audit(read_file(json.dumps(data).encode()), flywheel)
    assert any("is more than the previous total" in error for error in failure.value.errors)


def test_it_names_files_safely_on_every_os(db):
    doc = reload(load_demo())
    assert file_name(doc, "pptx") == "hubspot-example-hubspot-flywheel-audit-2018.pptx"
    tricky = AuditFactory(title='a/b\\c:d*e?f"g<h>i|j Tiếng Việt فارسی', workshop_date="2025-05-06")
    name = file_name(reload(tricky), "xlsx")
    assert name.endswith("-2025-05-06.xlsx")
    assert all(character.isascii() and (character.isalnum() or character in "-.") for character in name)


def voted_demo() -> Audit:
    """The demo audit with dots: two on its second friction row, one on its first force."""
    audit = load_demo()
    friction = FrictionPoint.objects.filter(audit=audit).order_by("position")[1]
    force = Force.objects.filter(audit=audit).order_by("team__position", "position").first()
    for user in (UserFactory(), UserFactory()):
        Vote.objects.create(audit=audit, user=user, friction=friction)
    Vote.objects.create(audit=audit, user=UserFactory(), force=force)
    return audit


def test_it_writes_the_votes_of_every_friction_row_and_force(db):
    data = json.loads(json_export.write(reload(voted_demo())))
    assert [row["votes"] for row in data["friction"]][:3] == [0, 2, 0]
    forces = [force for team in data["teams"] for force in team["forces"]]
    assert forces[0]["votes"] == 1 and sum(force["votes"] for force in forces) == 1


def test_a_backup_with_votes_imports_back_the_same_content_without_votes(db):
    original, copy = round_trip(voted_demo())
    assert copy == original  # votes are not content: they belong to people, and stay with the original
    assert not Vote.objects.filter(audit_id=copy.header.id).exists()
    assert sum(row.votes for row in copy.friction) == 0
