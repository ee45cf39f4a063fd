"""Reading a JSON backup (exports/json.py) into a RawAudit.

Fields the import does not know are passed over: among them the rows' `votes`, which belong to
the people who gave them and cannot be recreated.
"""

import json

from ..exports.json import SCHEMA_VERSION
from . import ImportFailed, MetricRows, RawAudit, Row


def _list(data: dict, key: str, where: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise ImportFailed([f"{where}{key}: expected a list."])
    return value


def _rows(items: list, where: str) -> list[Row]:
    rows = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise ImportFailed([f"{where}[{index}]: expected an object with named fields."])
        rows.append(Row(f"{where}[{index}]", item))
    return rows


def read(content: bytes) -> RawAudit:
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailed([f"The file is not valid JSON: {error}."]) from error
    if not isinstance(data, dict) or "audit" not in data:
        raise ImportFailed(["This JSON file is not a Flywheel Audit backup (it has no “audit”)."])
    if data.get("schema_version") != SCHEMA_VERSION:
        version = data.get("schema_version")
        raise ImportFailed([f"Backup schema version {version!r} is not supported (this tool reads {SCHEMA_VERSION})."])
    if not isinstance(data["audit"], dict):
        raise ImportFailed(["audit: expected an object with named fields."])
    metrics = []
    for metric in _rows(_list(data, "metrics", ""), "metrics"):
        readings = _rows(_list(metric.values, "readings", f"{metric.where}."), f"{metric.where}.readings")
        metrics.append(MetricRows(metric, readings))
    teams, forces = [], []
    for team in _rows(_list(data, "teams", ""), "teams"):
        teams.append(team)
        for force in _rows(_list(team.values, "forces", f"{team.where}."), f"{team.where}.forces"):
            forces.append(Row(force.where, {**force.values, "team": team.values.get("name")}))
    return RawAudit(
        header=Row("audit", data["audit"]),
        strategies=_rows(_list(data, "strategies", ""), "strategies"),
        metrics=metrics,
        teams=teams,
        forces=forces,
        friction=_rows(_list(data, "friction", ""), "friction"),
        assessment=_rows(_list(data, "self_assessment", ""), "self_assessment"),
        reviews=_rows(_list(data, "action_reviews", ""), "action_reviews"),
    )
