import datetime

import factory
from django.contrib.auth import get_user_model

from audits.models import (
    Audit,
    Flywheel,
    Force,
    FrictionPoint,
    Membership,
    Metric,
    Organization,
    Reading,
    SelfAssessment,
    Stage,
    StageStrategy,
    Team,
)

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organization {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.OWNER


class FlywheelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Flywheel

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Flywheel {n}")
    description = "A product line."


class AuditFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Audit

    flywheel = factory.SubFactory(FlywheelFactory)
    title = factory.Sequence(lambda n: f"Audit {n}")
    period_year = 2025


# --- The workshop content of an audit -------------------------------------------------------


class StageStrategyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageStrategy

    audit = factory.SubFactory(AuditFactory)
    stage = Stage.ATTRACT


class MetricFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Metric

    audit = factory.SubFactory(AuditFactory)
    stage = Stage.ATTRACT
    name = factory.Sequence(lambda n: f"Metric {n}")
    kind = Metric.Kind.BUCKET
    period = Metric.Period.MONTH
    position = factory.Sequence(lambda n: n)


class ReadingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reading

    metric = factory.SubFactory(MetricFactory)
    period_start = datetime.date(2025, 1, 1)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    audit = factory.SubFactory(AuditFactory)
    name = factory.Sequence(lambda n: f"Team {n}")
    position = factory.Sequence(lambda n: n)


class ForceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Force

    team = factory.SubFactory(TeamFactory)
    audit = factory.SelfAttribute("team.audit")
    name = factory.Sequence(lambda n: f"Force {n}")
    position = factory.Sequence(lambda n: n)


class FrictionPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FrictionPoint

    audit = factory.SubFactory(AuditFactory)
    source = factory.Sequence(lambda n: f"Friction {n}")
    position = factory.Sequence(lambda n: n)


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    audit = factory.SubFactory(AuditFactory)
    question = SelfAssessment.Question.SAME_JOB
