"""Setting up an audit for the workshop."""

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from audits.models import STAGE_ORDER, Audit, SelfAssessment, Stage, StageStrategy, Team

# The homework template has one forces table per team; teams can rename or add to these.
DEFAULT_TEAM_NAMES = (_("Marketing"), _("Sales"), _("Service"))


@transaction.atomic
def start_audit(audit: Audit) -> None:
    """Create the empty rows every audit starts with; rows that already exist are left alone."""
    existing_stages = set(audit.strategies.values_list("stage", flat=True))
    StageStrategy.objects.bulk_create(
        StageStrategy(audit=audit, stage=stage, position=STAGE_ORDER[stage])
        for stage in Stage.values
        if stage not in existing_stages
    )
    # Teams are free-form: once an audit has any, they are the team's own and are not topped up.
    if not audit.teams.exists():
        with translation.override(audit.language):
            Team.objects.bulk_create(
                Team(audit=audit, name=str(name), position=position) for position, name in enumerate(DEFAULT_TEAM_NAMES)
            )
    existing_questions = set(audit.self_assessment.values_list("question", flat=True))
    SelfAssessment.objects.bulk_create(
        SelfAssessment(audit=audit, question=question, position=position)
        for position, question in enumerate(SelfAssessment.Question.values)
        if question not in existing_questions
    )


def has_content(audit: Audit) -> bool:
    """Return True if anything has been written in the audit beyond its empty starting rows."""
    return (
        audit.metrics.exists()
        or audit.forces.exists()
        or audit.friction_points.exists()
        or audit.strategies.exclude(principle="", approach="").exists()
        or audit.self_assessment.exclude(answer="", notes="").exists()
    )
