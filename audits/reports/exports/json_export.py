"""The JSON backup: every field of an audit, versioned, that restores it exactly.

Friction rows and forces also carry `votes`, the dots they got in the workshop: for reading only.
An import ignores them, as it cannot give back votes that belong to people.
"""

import json
from datetime import date
from decimal import Decimal

from audits.content import periods
from audits.content.document import FORCE_FIELDS, FRICTION_FIELDS, REVIEW_FIELDS, AuditDocument

SCHEMA_VERSION = 1


def _value(value):
    """A figure as text (exact), a date as YYYY-MM-DD, the rest as it is."""
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if isinstance(value, date) else value


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
        "strategies": [
            {"stage": row.stage, "principle": row.principle, "approach": row.approach} for row in document.strategies
        ],
        "metrics": [
            {
                "stage": metric.stage,
                "name": metric.name,
                "kind": metric.kind,
                "unit": metric.unit,
                "period": metric.period,
                "activity": metric.activity,
                "illustrative": metric.illustrative,
                "higher_is_better": metric.higher_is_better,
                "readings": [
                    {
                        "period": periods.period_input(reading.period_start, metric.period),
                        **{
                            name: _value(getattr(reading, name))
                            for name in READING_FIELDS
                            if getattr(reading, name) is not None
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
                "forces": [
                    {**{name: getattr(force, name) for name in FORCE_FIELDS}, "votes": force.votes}
                    for force in team.forces
                ],
            }
            for team in document.teams
        ],
        "friction": [
            {**{name: _value(getattr(row, name)) for name in FRICTION_FIELDS}, "votes": row.votes}
            for row in document.friction
        ],
        "self_assessment": [
            {"question": row.question, "answer": row.answer, "notes": row.notes} for row in document.self_assessment
        ],
        "action_reviews": [
            {name: _value(getattr(row, name)) for name in REVIEW_FIELDS} for row in document.action_reviews
        ],
    }


READING_FIELDS = ("gained", "lost", "total", "promoters", "passives", "detractors", "promoters_lost", "value")


def write(document: AuditDocument) -> bytes:
    return json.dumps(as_data(document), ensure_ascii=False, indent=2).encode()
