"""Year over year: two audits side by side, and a flywheel's history across all its audits."""

from django.contrib.auth.decorators import login_required
from django.db.models import Value
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from audits.accounts.permissions import get_audit_for, get_flywheel_for, role_allows
from audits.accounts.visibility import user_document
from audits.content.document import (
    FORCE_LABELS,
    OPEN_LABEL,
    SETTLED_BY,
    SETTLING_LABELS,
    STAGE_LABELS,
)
from audits.forms import CompareForm
from audits.models import Audit, Flywheel, Stage
from audits.reports import comparison
from audits.reports.comparison import Comparison, ForceChange, FrictionChanges
from audits.reports.history import BarChart, flywheel_history, shown_conversion, shown_metric, stacked_bars

EXPORTS = [
    ("pptx", gettext_lazy("Comparison deck (.pptx)")),
    ("xlsx", gettext_lazy("Comparison sheet (.xlsx)")),
    ("json", gettext_lazy("Comparison (JSON)")),
]
# The groups in the order the page shows them.
FRICTION_GROUP_ORDER = ["resolved", "still_open", "reopened", "new", "dropped"]
FIX_MIX_PARTS = [*SETTLING_LABELS.items(), ("open", OPEN_LABEL)]


@login_required
@require_safe
def compare(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id)
    audits = organization_audits(flywheel)
    own = [audit for audit in audits if audit.flywheel_id == flywheel.pk]
    context = {"flywheel": flywheel, "audits": own, "can_manage": role_allows(flywheel.user_role, "manage")}
    if len(own) < 2 and not {"before", "after"} & request.GET.keys():
        return render(request, "audits/compare.html", context | {"too_few": True})
    form = CompareForm(with_defaults(request.GET, own), choices=audit_choices(flywheel, audits))
    if not form.is_valid():
        return render(request, "audits/compare.html", context | {"form": form}, status=422)
    before = get_audit_for(request.user, form.cleaned_data["before"])
    after = get_audit_for(request.user, form.cleaned_data["after"])
    result = comparison.compare(user_document(before, request.user), user_document(after, request.user))
    context |= {"form": form, "before": before, "after": after, **comparison_context(result)}
    context["exports"] = export_links(flywheel.pk, {"before": before.pk, "after": after.pk})
    return render(request, "audits/compare.html", context)


@login_required
@require_safe
def history(request: HttpRequest, flywheel_id: int) -> HttpResponse:
    flywheel = get_flywheel_for(request.user, flywheel_id)
    audits = list(
        Audit.objects.alive()
        .filter(flywheel=flywheel)
        .select_related("flywheel__organization", "workshop")
        .annotate(user_role=Value(flywheel.user_role))  # as get_audit_for gives it: the role for each audit
        .order_by("period_year", "created", "pk")
    )
    context = {
        "flywheel": flywheel,
        "audits": audits,
        "audit_rows": list(zip([None, *audits], audits, strict=False)),  # (the one before, the audit)
        "history": flywheel_history([user_document(audit, request.user) for audit in audits]),
    }
    return render(request, "audits/history.html", context)


def organization_audits(flywheel: Flywheel) -> list[Audit]:
    """Return the alive audits of the flywheel's organization, the flywheel's own first, latest first."""
    audits = Audit.objects.alive().filter(flywheel__organization=flywheel.organization).select_related("flywheel")
    return sorted(audits, key=lambda audit: (audit.flywheel_id != flywheel.pk, audit.flywheel.name.casefold()))


def with_defaults(query: QueryDict, audits: list[Audit]) -> dict:
    """Return the query, with the latest audit as "after" and the one before it as "before" where missing."""
    defaults = {"before": audits[1].pk, "after": audits[0].pk} if len(audits) >= 2 else {}
    return defaults | {name: query[name] for name in ("before", "after") if name in query}


def audit_choices(flywheel: Flywheel, audits: list[Audit]) -> list:
    """Return the select's options grouped by flywheel: this flywheel first."""
    groups: dict[Flywheel, list] = {}
    for audit in audits:
        groups.setdefault(audit.flywheel, []).append((audit.pk, f"{audit.title} ({audit.period_year})"))
    return [
        (group.name if group.pk != flywheel.pk else _("%(name)s (this flywheel)") % {"name": group.name}, options)
        for group, options in groups.items()
    ]


def export_links(flywheel_id: int, query: dict) -> list[tuple[str, str]]:
    """Return the comparison's downloads, or none while the export view does not exist."""
    try:
        return [
            (label, f"{reverse('audits:compare-export', args=(flywheel_id, file_format))}?{urlencode(query)}")
            for file_format, label in EXPORTS
        ]
    except NoReverseMatch:
        return []


def comparison_context(result: Comparison) -> dict:
    row_notes = {change.note for change in result.metrics if change.note}
    return {
        "comparison": result,
        "linked": result.before.id is not None and result.after.carried_from_id == result.before.id,
        "notes": [note for note in result.notes if note not in row_notes],
        "stages": [
            (
                STAGE_LABELS[stage],
                [(change, shown_metric(change)) for change in result.metrics if change.stage == stage],
            )
            for stage in Stage.values
        ],
        "unmatched": [
            (change, shown_metric(change)) for change in result.metrics_only_before + result.metrics_only_after
        ],
        "nps": (result.nps, shown_metric(result.nps)) if result.nps else None,
        "conversions": [(change, shown_conversion(change)) for change in result.conversions],
        "teams": [(team, [(change, force_fields(change)) for change in team.changed]) for team in result.teams],
        "friction_groups": friction_groups(result.friction),
        "fix_mix": fix_mix_rows(result),
        "fix_mix_chart": fix_mix_chart(result),
        "settled_by": SETTLED_BY,
    }


def force_fields(change: ForceChange) -> list[tuple[str, str, str]]:
    """Return (label, before, after) for each field of the force that changed."""
    old, new = change.before_row, change.after_row
    return [(FORCE_LABELS[name], old.shown(name), new.shown(name)) for name in change.changed_fields]


def friction_groups(friction: FrictionChanges) -> list[tuple[str, str, str, tuple]]:
    """Return (key, title, description, rows) per group: resolved, still open and new always; the others when any."""
    return [
        (key, comparison.FRICTION_GROUPS[key], comparison.FRICTION_GROUP_HELP[key], getattr(friction, key))
        for key in FRICTION_GROUP_ORDER
        if key in ("resolved", "still_open", "new") or getattr(friction, key)
    ]


def fix_mix_chart(result: Comparison) -> BarChart:
    years = (result.before.period_year, result.after.period_year)
    return stacked_bars(
        [
            (str(year), [(name, getattr(mix, name)) for name, _label in FIX_MIX_PARTS])
            for year, mix in zip(years, result.fix_mix, strict=True)
        ]
    )


def fix_mix_rows(result: Comparison) -> list[tuple[str, str, int, int]]:
    """Return (key, label, before count, after count) for each way friction was settled, and the totals."""
    before, after = result.fix_mix
    rows = [(name, label, getattr(before, name), getattr(after, name)) for name, label in FIX_MIX_PARTS]
    return [*rows, ("total", _("Total"), before.total, after.total)]
