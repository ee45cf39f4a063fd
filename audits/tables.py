"""The audit's editable tables: which model each is, its editable fields, and how a cell is checked.

One description per table serves the whole edit cycle — the cell widgets on the step pages,
the add-row forms, the cell save, delete and reorder — so every table behaves alike.
"""

from dataclasses import dataclass

from django import forms
from django.db.models import Model
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from . import calculations, periods
from .models import ActionReview, Force, FrictionPoint, Metric, Reading, SelfAssessment, StageStrategy, Team

# Stored as it is in every language: the pages show it translated (the shown_answer filter).
NO = "No"
# "No" as people type it in the tool's languages; each is stored as the canonical "No".
NO_SPELLINGS = {"no", "không", "khong", "خیر", "نه"}


def normalize_answer(text: str) -> str:
    """An answer typed as no/NO/No., or as "No" in Vietnamese or Persian, is stored as the canonical "No"."""
    text = text.strip()
    return NO if text.lower().rstrip(".!。") in NO_SPELLINGS else text


def is_no(text: str) -> bool:
    return text == NO


def is_fix(text: str) -> bool:
    return bool(text) and not is_no(text)


class RowForm(forms.ModelForm):
    """Strips text and refuses rows left empty where a field is required."""

    def clean(self):
        cleaned = super().clean()
        for name, value in cleaned.items():
            if isinstance(value, str):
                cleaned[name] = value.strip()
        return cleaned


class StrategyForm(RowForm):
    class Meta:
        model = StageStrategy
        fields = ["principle", "approach"]


class MetricForm(RowForm):
    class Meta:
        model = Metric
        fields = ["stage", "name", "kind", "unit", "period", "activity", "higher_is_better"]


class ReadingForm(RowForm):
    class Meta:
        model = Reading
        fields = ["gained", "lost", "total", "promoters", "passives", "detractors", "promoters_lost", "value"]

    def __init__(self, *args, previous_total: int | None | bool = False, **kwargs):
        """`previous_total`: the bucket's total in the period before, when known (an import); else read."""
        super().__init__(*args, **kwargs)
        self.previous_total = previous_total

    def _previous_total(self) -> int | None:
        if self.previous_total is not False:
            return self.previous_total
        reading: Reading = self.instance
        return (
            Reading.objects.filter(metric_id=reading.metric_id, period_start__lt=reading.period_start)
            .order_by("-period_start")
            .values_list("total", flat=True)
            .first()
        )

    def clean(self):
        cleaned = super().clean()
        reading: Reading = self.instance
        gained = cleaned.get("gained", reading.gained)
        lost = cleaned.get("lost", reading.lost)
        if "lost" in self.fields or "gained" in self.fields:
            previous = self._previous_total()
            limit = calculations.max_allowed_lost(previous, gained)
            if lost is not None and limit is not None and lost > limit:
                field = "lost" if "lost" in self.fields else "gained"
                self.add_error(
                    field,
                    _("Lost (%(lost)s) is more than the previous total (%(previous)s) plus gained (%(gained)s).")
                    % {"lost": f"{lost:,}", "previous": f"{previous:,}", "gained": f"{gained or 0:,}"},
                )
        return cleaned


class NewReadingForm(forms.Form):
    period = forms.CharField(max_length=20, label=pgettext_lazy("one period of readings, such as a month", "Period"))

    def __init__(self, *args, metric: Metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric = metric

    def clean_period(self):
        try:
            start = periods.parse_period(self.cleaned_data["period"], self.metric.period)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if self.metric.readings.filter(period_start=start).exists():
            label = periods.period_label(start, self.metric.period)
            raise forms.ValidationError(_("%(period)s is already in this table.") % {"period": label})
        return start


class TeamForm(RowForm):
    class Meta:
        model = Team
        fields = ["name"]


class ForceForm(RowForm):
    class Meta:
        model = Force
        fields = ["name", "before", "now", "serves", "stage", "planned_change", "owner"]


class FrictionForm(RowForm):
    class Meta:
        model = FrictionPoint
        fields = ["source", "origin", "stage", "teams", "automation", "new_goal", "restructure", "owner", "due_date"]
        widgets = {"due_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_automation(self):
        return normalize_answer(self.cleaned_data["automation"])

    def clean_new_goal(self):
        return normalize_answer(self.cleaned_data["new_goal"])

    def clean_restructure(self):
        return normalize_answer(self.cleaned_data["restructure"])


class AssessmentForm(RowForm):
    class Meta:
        model = SelfAssessment
        fields = ["answer", "notes"]


class ReviewForm(RowForm):
    class Meta:
        model = ActionReview
        fields = ["status", "note"]


@dataclass(frozen=True)
class Table:
    kind: str
    model: type[Model]
    form: type[forms.ModelForm]
    # The fields typed when a row is added; the rest are edited in place afterwards.
    add_fields: tuple[str, ...] = ()
    # Long text gets a textarea.
    long_fields: tuple[str, ...] = ()
    can_add: bool = True
    # The field holding the row's parent within the audit, for ordering rows under it.
    group_by: str = "audit"

    def fields(self) -> list[str]:
        return list(self.form._meta.fields)


TABLES = {
    table.kind: table
    for table in (
        Table("strategy", StageStrategy, StrategyForm, long_fields=("approach",), can_add=False),
        Table(
            "metric",
            Metric,
            MetricForm,
            add_fields=("stage", "name", "kind", "unit", "period"),
            long_fields=("activity",),
        ),
        Table("reading", Reading, ReadingForm, group_by="metric"),
        Table("team", Team, TeamForm, add_fields=("name",)),
        Table(
            "force",
            Force,
            ForceForm,
            add_fields=("name", "before", "now"),
            long_fields=("name", "before", "now", "planned_change"),
            group_by="team",
        ),
        Table(
            "friction",
            FrictionPoint,
            FrictionForm,
            add_fields=("source", "origin", "stage", "teams"),
            long_fields=("source", "automation", "new_goal", "restructure"),
        ),
        Table("assessment", SelfAssessment, AssessmentForm, long_fields=("notes",), can_add=False),
        Table("review", ActionReview, ReviewForm, long_fields=("note",), can_add=False),
    )
}


def rows_of(kind: str, audit):
    """The audit's rows of one table: the only way the edit views reach a row."""
    model = TABLES[kind].model
    if kind == "reading":
        return model.objects.filter(metric__audit=audit)
    return model.objects.filter(audit=audit)


def add_form_class(kind: str) -> type[forms.ModelForm]:
    table = TABLES[kind]
    return forms.modelform_factory(table.model, form=table.form, fields=table.add_fields)


def add_form_key(kind: str, group_id: int | None = None) -> str:
    """The add-row form's name on the page: also its prefix, so each team's form has its own ids."""
    return f"{kind}-{group_id}" if group_id else kind


class AddForms:
    """The add-row forms of a page: fresh ones, except the one that just failed, with its errors."""

    def __init__(self, failed_key: str = "", failed_form: forms.Form | None = None):
        self.failed_key = failed_key
        self.failed_form = failed_form

    def get(self, kind: str, group_id: int | None = None) -> forms.Form:
        key = add_form_key(kind, group_id)
        if key == self.failed_key:
            return self.failed_form
        if kind == "reading":
            return NewReadingForm(metric=None, prefix=key)
        return add_form_class(kind)(prefix=key)
