"""The JSON backup: every field of an audit, versioned, that restores it exactly.

Friction rows and forces also carry `votes`, the dots they got in the workshop: for reading only.
An import ignores them, as it cannot give back votes that belong to people.
"""

import json
from datetime import date
from decimal import Decimal

from audits.content import periods
from audits.content.document import (
    ASSESSMENT_FIELDS,
    FORCE_FIELDS,
    FRICTION_FIELDS,
    METRIC_FIELDS,
    READING_FIELDS,
    REVIEW_FIELDS,
    STRATEGY_FIELDS,
    AuditDocument,
)

SCHEMA_VERSION = 1


def _value(value):
    """A figure as text (exact), a date as YYYY-MM-DD, the rest as it is."""
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else value


def _fields(row, names: tuple[str, ...]) -> dict:
    return {name: _value(getattr(row, name)) for name in names}


def as_data(document: AuditDocument) -> dict:
    header = document.header
    return {
        "schema_version": SCHEMA_VERSION,
        "audit": {
            "title": header.title,
            "period_year": header.period_year,
            "workshop_date": _value(header.workshop_date),
            "language": header.language,
            "status": header.status,
            "flywheel": header.flywheel_name,
            "organization": header.organization_name,
        },
        "strategies": [_fields(row, STRATEGY_FIELDS) for row in document.strategies],
        "metrics": [
            {
                **_fields(metric, METRIC_FIELDS),
                "readings": [
                    {
                        # The period as people type it ("2024-03", "Q2 2024"), not the day it starts.
                        "period": periods.period_input(reading.period_start, metric.period),
                        **{
                            name: value
                            for name, value in _fields(reading, READING_FIGURES).items()
                            if value is not None
                        },
                    }
                    for reading in metric.readings
                ],
            }
            for metric in document.metrics
        ],
        "teams": [
            {
                "name": team.name,
                "forces": [{**_fields(force, FORCE_FIELDS), "votes": force.votes} for force in team.forces],
            }
            for team in document.teams
        ],
        "friction": [{**_fields(row, FRICTION_FIELDS), "votes": row.votes} for row in document.friction],
        "self_assessment": [_fields(row, ASSESSMENT_FIELDS) for row in document.self_assessment],
        "action_reviews": [_fields(row, REVIEW_FIELDS) for row in document.action_reviews],
    }


READING_FIGURES = tuple(name for name in READING_FIELDS if name != "period_start")


def write(document: AuditDocument) -> bytes:
    return json.dumps(as_data(document), ensure_ascii=False, indent=2).encode()
