"""The audit's editable tables: which model each is, its editable fields, and how a cell is checked.

One description per table serves the whole edit cycle — the cell widgets on the step pages,
the add-row forms, the cell save, delete and reorder — so every table behaves alike.
"""

from dataclasses import dataclass
from datetime import date

from django import forms
from django.db.models import Model
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from audits.content import calculations, numbers, periods
from audits.content.document import (
    NO,
    AssessmentRow,
    ForceRow,
    FrictionRow,
    MetricRow,
    ReadingRow,
    ReviewRow,
    Strategy,
    declared_fields,
    edited_fields,
)
from audits.models import ActionReview, Force, FrictionPoint, Metric, Reading, SelfAssessment, StageStrategy, Team

# "No" as people type it in the tool's languages; each is stored as the canonical "No".
NO_SPELLINGS = {"no", "không", "khong", "خیر", "نه"}


def normalize_answer(text: str) -> str:
    """An answer typed as no/NO/No., or as "No" in Vietnamese or Persian, is stored as the canonical "No"."""
    text = text.strip()
    return NO if text.lower().rstrip(".!。") in NO_SPELLINGS else text


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
        fields = edited_fields(Strategy)


class MetricForm(RowForm):
    class Meta:
        model = Metric
        fields = edited_fields(MetricRow)


class ReadingForm(RowForm):
    class Meta:
        model = Reading
        fields = edited_fields(ReadingRow)
        # Figures as people type them: "12,000" (vi "12.000"), with or without the separators.
        field_classes = numbers.typed_field_classes(Reading, fields)

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


class PeriodInput(forms.TextInput):
    """A period typed, or picked from the periods offered (`choices`: what to type, its name) in a datalist."""

    choices: tuple[tuple[str, str], ...] = ()

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        if not self.choices:
            return html
        options = format_html_join("", '<option value="{}">{}</option>', self.choices)
        return html + format_html('<datalist id="{}">{}</datalist>', self.attrs["list"], options)


# How the add-period field explains itself, per kind of period: %(year)s is the audit's.
PERIOD_HINTS = {
    "month": gettext_lazy("Pick a month of %(year)s or type one, such as %(example)s."),
    "quarter": gettext_lazy("Pick a quarter of %(year)s or type one, such as %(example)s."),
    "year": gettext_lazy("Pick %(year)s or type another year."),
}


class NewReadingForm(forms.Form):
    period = forms.CharField(
        max_length=20, label=pgettext_lazy("one period of readings, such as a month", "Period"), widget=PeriodInput
    )

    def __init__(self, *args, metric: Metric, **kwargs):
        super().__init__(*args, **kwargs)
        self.metric = metric

    def offer(self, metric) -> None:
        """Offer the periods of the audit's year that `metric` (the document's MetricRow) has no reading for."""
        if metric.audit_year is None:
            return
        field = self.fields["period"]
        field.widget.choices = choices = tuple(metric.period_choices)
        first_period = periods.period_input(date(metric.audit_year, 1, 1), metric.period)
        example = choices[0][0] if choices else first_period
        field.widget.attrs |= {"list": f"{self.prefix}-periods", "placeholder": example, "autocomplete": "off"}
        field.help_text = PERIOD_HINTS[metric.period] % {"year": metric.audit_year, "example": example}

    def clean_period(self):
        year = self.metric.audit.period_year
        try:
            start = periods.parse_period(self.cleaned_data["period"], self.metric.period, year)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error
        if self.period_taken(start):
            label = periods.period_label(start, self.metric.period)
            raise forms.ValidationError(_("%(period)s is already in this table.") % {"period": label})
        return start

    def period_taken(self, start) -> bool:
        """Whether the metric has a reading for the period starting `start` (a paste knows without a query)."""
        return self.metric.readings.filter(period_start=start).exists()


def same_name(name: str) -> str:
    """A name as two are compared: "Customer  success " and "customer success" are one team."""
    return " ".join(name.split()).casefold()


class TeamForm(RowForm):
    """A team's name, unique within its audit (case and spacing aside): one forces table per team."""

    class Meta:
        model = Team
        fields = ["name"]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"]
        team: Team = self.instance
        if team.audit_id is None or not name.strip():
            return name  # an imported audit's teams are checked as the import merges them
        others = dict(Team.objects.filter(audit_id=team.audit_id).values_list("pk", "name"))
        saved = others.pop(team.pk, None)
        if saved is not None and same_name(saved) == same_name(name):
            return name  # its saved name: two teams named alike from before can still be renamed apart
        existing = next((other for other in others.values() if same_name(other) == same_name(name)), None)
        if existing is not None:
            raise forms.ValidationError(
                _("This audit already has a team called “%(name)s”: add its forces there, or choose another name.")
                % {"name": existing},
                code="duplicate",
            )
        return name


class ForceForm(RowForm):
    class Meta:
        model = Force
        fields = edited_fields(ForceRow)


class FrictionForm(RowForm):
    class Meta:
        model = FrictionPoint
        fields = edited_fields(FrictionRow)
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
        fields = edited_fields(AssessmentRow)


class ReviewForm(RowForm):
    class Meta:
        model = ActionReview
        fields = edited_fields(ReviewRow)


@dataclass(frozen=True)
class Table:
    kind: str
    model: type[Model]
    form: type[forms.ModelForm]
    # The document's row class, which declares the table's fields (a team is only its name).
    row: type | None = None
    # The fields typed when a row is added; the rest are edited in place afterwards.
    add_fields: tuple[str, ...] = ()
    can_add: bool = True
    # The field holding the row's parent within the audit, for ordering rows under it.
    group_by: str = "audit"

    def fields(self) -> list[str]:
        return list(self.form._meta.fields)

    @property
    def long_fields(self) -> tuple[str, ...]:
        """The edited fields that hold long text: each gets a textarea."""
        declared = declared_fields(self.row) if self.row else ()
        return tuple(each.name for each in declared if each.long and each.edited)


TABLES = {
    table.kind: table
    for table in (
        Table("strategy", StageStrategy, StrategyForm, Strategy, can_add=False),
        Table("metric", Metric, MetricForm, MetricRow, add_fields=("stage", "name", "kind", "unit", "period")),
        Table("reading", Reading, ReadingForm, ReadingRow, group_by="metric"),
        Table("team", Team, TeamForm, add_fields=("name",)),
        Table("force", Force, ForceForm, ForceRow, add_fields=("name", "before", "now"), group_by="team"),
        Table("friction", FrictionPoint, FrictionForm, FrictionRow, add_fields=("source", "origin", "stage", "teams")),
        Table("assessment", SelfAssessment, AssessmentForm, AssessmentRow, can_add=False),
        Table("review", ActionReview, ReviewForm, ReviewRow, can_add=False),
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

    def get(self, kind: str, group=None) -> forms.Form:
        """`group`: the id of the team or metric the form adds to; for readings the document's metric, whose
        periods the form offers (its id alone works too)."""
        group_id = getattr(group, "id", group)
        key = add_form_key(kind, group_id)
        if kind == "reading":
            form = self.failed_form if key == self.failed_key else NewReadingForm(metric=None, prefix=key)
            if hasattr(group, "period_choices"):
                form.offer(group)
            return form
        if key == self.failed_key:
            return self.failed_form
        return add_form_class(kind)(prefix=key)
