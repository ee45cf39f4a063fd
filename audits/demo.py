"""The demo: HubSpot's worked example as an organization, a flywheel and an audit."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Audit, Flywheel, Membership, Organization

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "flywheel-demo"
DEMO_ORGANIZATION = "Demo organization"
DEMO_FLYWHEEL = "HubSpot example"
DEMO_AUDIT = "HubSpot flywheel audit"


@transaction.atomic
def load_demo() -> Audit:
    """Create the demo organization, user, flywheel and audit; a second run changes nothing."""
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    organization = Organization.objects.filter(memberships__user=user, name=DEMO_ORGANIZATION).first()
    if organization is None:
        organization = Organization.objects.create(name=DEMO_ORGANIZATION)
        Membership.objects.create(user=user, organization=organization, role=Membership.Role.OWNER)
    flywheel, _ = Flywheel.objects.get_or_create(
        organization=organization,
        name=DEMO_FLYWHEEL,
        defaults={
            "description": "HubSpot's own flywheel from the INBOUND 2018 homework: free content attracts, "
            "freemium software engages, guided and self-service education delights."
        },
    )
    audit, _ = Audit.objects.get_or_create(
        flywheel=flywheel,
        title=DEMO_AUDIT,
        defaults={"period_year": 2018, "language": Audit.Language.ENGLISH},
    )
    return audit
