import factory
from django.contrib.auth import get_user_model

from audits.models import Audit, Flywheel, Membership, Organization

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
