"""Reading a JSON backup (exports/json_export.py) into a RawAudit.

Fields the import does not know are passed over: among them the rows' `votes`, which belong to
the people who gave them and cannot be recreated.

Before json.loads builds anything, the file's shape is measured on its bytes (`_check_shape`):
how deep it nests, how many objects and lists and values it holds. So a file of a million empty
rows, or nested a hundred thousand deep, is refused in a moment, and nothing after it recurses
deeper than MAX_DEPTH.
"""

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audits.reports.exports.json_export import SCHEMA_VERSION
from audits.reports.imports.raw import Budget, ImportFailed, MetricRows, RawAudit, Row, shortened

MAX_DEPTH = 10  # a backup nests five deep: the file, "metrics", a metric, its "readings", a reading
VALUES_PER_ROW = 20  # on average, at most: a friction row, the widest, has 11 fields
ROW_LISTS = ("strategies", "metrics", "teams", "friction", "self_assessment", "action_reviews")
NESTED_ROWS = {"metrics": "readings", "teams": "forces"}
TOO_MANY_ROWS = gettext_lazy("The backup has more than %(rows)s rows; split the audit or remove rows.")
# A string, to its closing quote or else to the end of the file: each byte is looked at once.
STRING = re.compile(rb'"[^"\\]*+(?:\\.[^"\\]*+)*+(?:"|\\?\Z)', re.DOTALL)
# The brackets alone, braces made square: here only how deep they nest matters.
BRACKETS = (bytes.maketrans(b"{}", b"[]"), bytes(set(range(256)) - set(b"[]{}")))


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
    budget = Budget(TOO_MANY_ROWS)
    _check_shape(content)
    data = _load(content)
    if not isinstance(data, dict) or "audit" not in data:
        raise ImportFailed(["This JSON file is not a Flywheel Audit backup (it has no “audit”)."])
    version = data.get("schema_version")
    if type(version) is not int or version != SCHEMA_VERSION:  # True and 1.0 equal 1, yet are not a version
        raise ImportFailed(
            [f"Backup schema version {shortened(repr(version))} is not supported (this tool reads {SCHEMA_VERSION})."]
        )
    if not isinstance(data["audit"], dict):
        raise ImportFailed(["audit: expected an object with named fields."])
    _count_rows(data, budget)
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


def _check_shape(content: bytes) -> None:
    """Refuse, from its bytes alone, a file nested deeper, or holding more, than a backup of IMPORT_MAX_ROWS rows."""
    skeleton = STRING.sub(b"", content)  # brackets, commas, colons, numbers and words: the strings taken out
    brackets = skeleton.translate(*BRACKETS)
    if _deeper_than(brackets, MAX_DEPTH):
        raise ImportFailed(
            [
                _("The file is nested too deeply (more than %(depth)s levels): it is not a Flywheel Audit backup.")
                % {"depth": MAX_DEPTH}
            ]
        )
    rows = settings.IMPORT_MAX_ROWS
    # Each row is an object, perhaps with a list inside (readings, forces); the file adds eight more.
    if len(brackets) > 2 * (2 * rows + 8):
        raise ImportFailed([TOO_MANY_ROWS % {"rows": f"{rows:,}"}])
    if skeleton.count(b",") > rows * VALUES_PER_ROW:
        raise ImportFailed(
            [
                _("The backup holds more values than %(rows)s rows have; split the audit or remove rows.")
                % {"rows": f"{rows:,}"}
            ]
        )


def _deeper_than(brackets: bytes, depth: int) -> bool:
    """Whether `brackets` (a file's, alone) nest more than `depth` deep."""
    rest = brackets
    for _level in range(depth):  # each pass takes away the innermost pairs ("[]"), at the speed of C
        rest = rest.replace(b"[]", b"")
    if not rest:
        return False
    # Deeper, or brackets that do not match (which json.loads reports): count the levels to tell.
    level = 0
    for byte in brackets:
        level += 1 if byte == ord("[") else -1
        if level > depth:
            return True
        if level < 0:
            return False
    return False


def _load(content: bytes):
    try:
        return json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ImportFailed([f"The file is not valid JSON: {error}."]) from error
    except RecursionError as error:  # _check_shape refuses deep files first; kept so that none is ever a 500
        raise ImportFailed([_("The file is nested too deeply: it is not a Flywheel Audit backup.")]) from error
    except ValueError as error:  # a number of more than 4,300 digits
        raise ImportFailed([_("The file holds a number with too many digits to read.")]) from error


def _count_rows(data: dict, budget: Budget) -> None:
    """Count every row of the file, of any kind or shape, before reading any of them."""
    for key in ROW_LISTS:
        if isinstance(rows := data.get(key), list):
            budget.take_rows(len(rows))
    for key, nested in NESTED_ROWS.items():
        for row in data.get(key) if isinstance(data.get(key), list) else []:
            if isinstance(row, dict) and isinstance(inner := row.get(nested), list):
                budget.take_rows(len(inner))
