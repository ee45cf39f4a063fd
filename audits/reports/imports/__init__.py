"""Importing an audit: a file's rows, as read, become a validated AuditDocument, saved all or nothing.

Each reader (workbook_import.py, json_import.py) only turns its file into a `RawAudit`: the values of every row
and where the row stands ("Friction sheet, row 7"). Everything else is here, once: every row is
checked with the same forms the workshop pages use, every problem is reported at once, and
nothing is saved unless all of it is valid.

A file is written in its audit's language, which need not be the language of whoever uploads it:
labels (choices, titles) are accepted as any language an audit can have writes them.
Votes in a file (the dots of a workshop) are never read: they belong to the people who gave them.

Anyone who owns an organization can upload a file, so reading one is bounded (`Budget`): every row
read counts against IMPORT_MAX_ROWS, blank or not, and reading stops after IMPORT_MAX_SECONDS.
Error messages quote at most a few dozen characters of a value, and never an invalid one.
"""

import datetime

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _

from audits.content import document, periods
from audits.content.document import REVIEW_FIELDS, AuditDocument
from audits.content.tables import (
    AssessmentForm,
    ForceForm,
    FrictionForm,
    MetricForm,
    ReadingForm,
    StrategyForm,
    TeamForm,
    same_name,
)
from audits.forms import AuditForm
from audits.models import (
    ActionReview,
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Metric,
    Reading,
    SelfAssessment,
    StageStrategy,
    Team,
)
from audits.reports.imports.raw import (
    SURROGATE,
    ImportFailed,
    MetricRows,
    RawAudit,
    Row,
    as_text,
    choice_lookup,
    normalized,
    shortened,
)


class Checker:
    """Validates rows with the workshop's forms, collecting every error with its place."""

    def __init__(self):
        self.errors: list[str] = []
        self._lookups: dict[tuple, dict[str, str]] = {}

    def choice(self, row: Row, name: str, model, *, required: bool = False) -> str:
        """A choice given as its value or its label (any case, any audit language); "" when empty and allowed.

        An unknown choice is reported here, in words that list the choices, and stands in as
        the first choice so that the form does not report it a second time.
        """
        model_field = model._meta.get_field(name)
        text = as_text(row.values.get(name)).strip()
        if not text:
            if required:
                self.errors.append(f"{row.at(name)}: {model_field.verbose_name} is missing.")
            return ""
        if (model, name) not in self._lookups:
            self._lookups[model, name] = choice_lookup(model_field.choices)
        if (value := self._lookups[model, name].get(normalized(text))) is not None:
            return value
        labels = ", ".join(str(label) for _value, label in model_field.choices)
        self.errors.append(f"{row.at(name)}: {model_field.verbose_name} '{shortened(text)}' is not one of {labels}.")
        return model_field.choices[0][0]

    def form(self, row: Row, form_class: type[forms.BaseForm], choices: dict | None = None, **kwargs):
        """Return the form's unsaved instance (or cleaned data), or None after noting its errors."""
        data = {name: as_text(row.values.get(name)) for name in form_class.base_fields}
        data.update(choices or {})
        bound = form_class(data, **kwargs)
        if bound.is_valid():
            return bound.save(commit=False) if isinstance(bound, forms.ModelForm) else bound.cleaned_data
        for name, errors in bound.errors.as_data().items():
            label = bound.fields[name].label if name in bound.fields else ""
            place = f"{row.at(name)}, {str(label).lower()}" if label else row.where
            self.errors.extend(f"{place}: {_message(error)}" for error in errors)
        return None


def _message(error: forms.ValidationError) -> str:
    """A form's error message, any value it quotes ("Select a valid choice. … is not one of …") shortened."""
    message = error.message
    if error.params:
        message %= {key: shortened(value) if isinstance(value, str) else value for key, value in error.params.items()}
    return str(message)


def _with_choices(checker: Checker, row: Row, model, names) -> dict:
    """The row's values of those of `names` that are choices in `model`, each given as its value or its label."""
    return {name: checker.choice(row, name, model) for name in names if model._meta.get_field(name).choices}


def _header(checker: Checker, raw: RawAudit, flywheel: Flywheel) -> Audit:
    row = raw.header
    choices = _with_choices(checker, row, Audit, AuditForm._meta.fields)
    audit = checker.form(row, AuditForm, choices)
    if audit is None:
        audit = Audit(title="", period_year=2000)
    audit.flywheel = flywheel
    return audit


def _strategies(checker: Checker, raw: RawAudit) -> list[StageStrategy]:
    strategies, seen = [], set()
    for row in raw.strategies:
        stage = checker.choice(row, "stage", StageStrategy, required=True)
        strategy = checker.form(row, StrategyForm)
        if stage in seen:
            checker.errors.append(f"{row.where}: the {stage} stage is listed twice.")
        elif stage and strategy is not None:
            strategy.stage = stage
            strategies.append(strategy)
            seen.add(stage)
    return strategies


def _readings(checker: Checker, rows: MetricRows, metric: Metric, year: int) -> list[Reading]:
    """The metric's readings, their periods read as the metrics page reads them (a month without a year is of the
    audit's `year`); one outside that year is kept, and the document marks it as the page does."""
    readings: dict[datetime.date, Reading] = {}
    previous_total = None
    for row in rows.readings:
        text = as_text(row.values.get("period"))
        try:
            start = periods.parse_period(text, metric.period, year)
        except ValueError as error:
            quoted = " ".join(text.split())  # as the message quotes it
            checker.errors.append(f"{row.at('period')}, period: {str(error).replace(quoted, shortened(quoted))}")
            continue
        if start in readings:
            label = periods.period_label(start, metric.period)
            checker.errors.append(f"{row.where}: {label} appears twice for “{metric.name}”.")
            continue
        reading = checker.form(row, ReadingForm, previous_total=previous_total)
        if reading is not None:
            reading.period_start = start
            readings[start] = reading
            previous_total = reading.total
    return [readings[start] for start in sorted(readings)]


def _metrics(checker: Checker, raw: RawAudit, year: int) -> list[tuple[Metric, list[Reading]]]:
    metrics = []
    for rows in raw.metrics:
        choices = _with_choices(checker, rows.row, Metric, MetricForm._meta.fields)
        metric = checker.form(rows.row, MetricForm, choices)
        if metric is not None:
            metric.illustrative = _flag(rows.row.values.get("illustrative"), default=False)
            metric.higher_is_better = _flag(rows.row.values.get("higher_is_better"), default=True)
            metrics.append((metric, _readings(checker, rows, metric, year)))
    return metrics


def _flag(value, *, default: bool) -> bool:
    text = as_text(value).strip().lower()
    if not text:
        return default
    return text in ("true", "yes", "1")


# A reviewed action item as a file holds it: every field its row declares, the item carried from last year (not
# edited on the page, so not in the tables' ReviewForm) with its review.
CarriedItemReviewForm = type(
    "CarriedItemReviewForm",
    (forms.Form,),
    {name: ActionReview._meta.get_field(name).formfield() for name in REVIEW_FIELDS},
)


def _reviews(checker: Checker, raw: RawAudit) -> list[ActionReview]:
    reviews = []
    for row in raw.reviews:
        choices = _with_choices(checker, row, ActionReview, REVIEW_FIELDS)
        cleaned = checker.form(row, CarriedItemReviewForm, choices)
        if cleaned is not None:
            reviews.append(ActionReview(**cleaned))
    return reviews


def _teams(checker: Checker, raw: RawAudit) -> list[tuple[Team, list[Force]]]:
    teams: dict[str, tuple[Team, list[Force]]] = {}
    for row in raw.teams:
        team = checker.form(row, TeamForm)
        if team is not None and same_name(team.name) not in teams:
            teams[same_name(team.name)] = (team, [])
    for row in raw.forces:
        choices = _with_choices(checker, row, Force, ForceForm._meta.fields)
        force = checker.form(row, ForceForm, choices)
        team_name = as_text(row.values.get("team")).strip()
        if not team_name:
            checker.errors.append(f"{row.where}: team is missing.")
            continue
        if same_name(team_name) not in teams:
            # A row typed with a new team name: the team comes with it.
            team = checker.form(Row(row.where, {"name": team_name}), TeamForm)
            if team is None:
                continue
            teams[same_name(team_name)] = (team, [])
        if force is not None:
            force.target = as_text(row.values.get("target")).strip()[:2000]
            teams[same_name(team_name)][1].append(force)
    return list(teams.values())


def _friction(checker: Checker, raw: RawAudit) -> list[FrictionPoint]:
    rows = []
    for row in raw.friction:
        choices = _with_choices(checker, row, FrictionPoint, FrictionForm._meta.fields)
        friction = checker.form(row, FrictionForm, choices)
        if friction is not None:
            rows.append(friction)
    return rows


def _assessment(checker: Checker, raw: RawAudit) -> list[SelfAssessment]:
    answers, seen = [], set()
    for row in raw.assessment:
        question = checker.choice(row, "question", SelfAssessment, required=True)
        choices = _with_choices(checker, row, SelfAssessment, AssessmentForm._meta.fields)
        answer = checker.form(row, AssessmentForm, choices)
        if question in seen:
            checker.errors.append(f"{row.where}: this question is answered twice.")
        elif question and answer is not None:
            answer.question = question
            answers.append(answer)
            seen.add(question)
    return answers


def _rows(raw: RawAudit) -> list[Row]:
    rows = [raw.header, *raw.strategies, *raw.teams, *raw.forces, *raw.friction, *raw.assessment, *raw.reviews]
    for metric in raw.metrics:
        rows += [metric.row, *metric.readings]
    return rows


def _invalid_text(raw: RawAudit) -> list[str]:
    """Where a value holds characters that no text can hold, which nothing could save or show."""
    return [
        _("%(place)s: contains characters that are not valid text.")
        % {"place": f"{row.at(name)}, {shortened(str(name)).replace('_', ' ')}"}
        for row in _rows(raw)
        for name, value in row.values.items()
        if isinstance(value, str) and SURROGATE.search(value)
    ]


def to_document(raw: RawAudit, flywheel: Flywheel) -> AuditDocument:
    """Check every row of `raw`; return its document, or raise ImportFailed with every problem."""
    if invalid := _invalid_text(raw):
        raise ImportFailed(raw.problems + invalid)
    checker = Checker()
    checker.errors.extend(raw.problems)
    audit = _header(checker, raw, flywheel)
    parts = {
        "strategies": _strategies(checker, raw),
        "metrics": _metrics(checker, raw, audit.period_year),
        "teams": _teams(checker, raw),
        "friction": _friction(checker, raw),
        "assessment": _assessment(checker, raw),
        "reviews": _reviews(checker, raw),
    }
    if checker.errors:
        raise ImportFailed(checker.errors)
    return document.build(audit, **parts)


def import_audit(raw: RawAudit, flywheel: Flywheel) -> Audit:
    """Validate and save as a new audit of `flywheel`, in one transaction."""
    return document.save(to_document(raw, flywheel), flywheel)


def read_file(content: bytes) -> RawAudit:
    """Read an uploaded file, told apart by its content (never by its name): xlsx or JSON backup."""
    # The readers are imported here: they import this module.
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise ImportFailed([f"The file is larger than {settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB."])
    if content.startswith(b"PK\x03\x04"):
        from audits.reports.imports.workbook_import import read

        return read(content)
    if content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        from audits.reports.imports.json_import import read

        return read(content.lstrip(b"\xef\xbb\xbf"))
    raise ImportFailed(["This is neither an Excel workbook (.xlsx) nor a Flywheel Audit JSON backup."])
