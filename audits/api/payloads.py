"""What the read-only API returns: plain, JSON-ready data from models and documents.

No request here: the endpoints in `api/endpoints.py` authenticate, look objects up and add URLs.
"""

from decimal import Decimal

from audits.content import periods
from audits.content.document import SETTLING_STEPS, AuditDocument, Conversion, MetricRow
from audits.models import Audit, Flywheel


def _number(value: int | float | Decimal | None) -> int | float | None:
    """Figures are for charts: numbers, not the strings the JSON backup keeps Decimals as."""
    return float(value) if isinstance(value, Decimal) else value


def flywheel_reference(flywheel: Flywheel) -> dict:
    return {
        "id": flywheel.pk,
        "name": flywheel.name,
        "organization": {"id": flywheel.organization_id, "name": flywheel.organization.name},
    }


def flywheel_data(flywheel: Flywheel, role: str, audit_count: int) -> dict:
    """Return a flywheel as the flywheel list shows it: with the user's role and its audits count."""
    return {**flywheel_reference(flywheel), "role": role, "audits_count": audit_count}


def audit_data(audit: Audit) -> dict:
    return {
        "id": audit.pk,
        "title": audit.title,
        "flywheel_id": audit.flywheel_id,
        "period_year": audit.period_year,
        "workshop_date": audit.workshop_date.isoformat() if audit.workshop_date else None,
        "status": audit.status,
        "language": audit.language,
        "carried_from": audit.carried_from_id,
    }


def figures(document: AuditDocument) -> dict:
    """Return what is computed from an audit's figures: per metric, per conversion, and friction."""
    weakest = document.weakest_conversion
    return {
        "metrics": [_metric_figures(metric) for metric in document.metrics],
        "conversions": [_conversion_figures(conversion) for conversion in document.conversions],
        "weakest_conversion": weakest.label if weakest else None,
        "friction": friction_counts(document),
    }


def _metric_figures(metric: MetricRow) -> dict:
    return {
        "name": metric.name,
        "stage": metric.stage,
        "kind": metric.kind,
        "unit": metric.unit,
        "period": metric.period,
        "illustrative": metric.illustrative,
        "higher_is_better": metric.higher_is_better,
        "readings": [
            {
                "period": periods.period_input(reading.period_start, metric.period),
                "label": reading.label,
                "start": reading.period_start.isoformat(),
                "headline": _number(metric.headline(reading)),
                "net_change": reading.net_change,
                "nps": reading.nps,
            }
            for reading in metric.readings
        ],
        "latest": _number(metric.latest_value),
        "latest_change": metric.latest_change,
    }


def _conversion_figures(conversion: Conversion) -> dict:
    return {
        "from": conversion.from_metric,
        "to": conversion.to_metric,
        "comparable": conversion.comparable,
        "average": conversion.average,
        "rates": [
            {"label": rate.label, "start": rate.period_start.isoformat(), "rate": rate.rate}
            for rate in conversion.rates
        ],
    }


def friction_counts(document: AuditDocument) -> dict:
    """Return how many friction points are open and how many each step resolved."""
    resolved_by: dict[str, int] = {}
    for row in document.friction:
        if row.settled_by:
            resolved_by[row.settled_by] = resolved_by.get(row.settled_by, 0) + 1
    resolved = sum(resolved_by.values())
    return {
        "total": len(document.friction),
        "open": len(document.friction) - resolved,
        "resolved": resolved,
        "resolved_by": {step: resolved_by.get(step, 0) for step in SETTLING_STEPS},
    }
