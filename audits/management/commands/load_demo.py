from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audits.content.demo import DEMO_PASSWORD, DEMO_USERNAME, load_demo


class Command(BaseCommand):
    help = "Create the demo organization, login and the HubSpot example audit (local DEBUG runs only)."

    def handle(self, *args, **options) -> str:
        if not settings.DEBUG:
            raise CommandError("The demo account is for local runs only: set DJANGO_DEBUG=1 to load it.")
        audit = load_demo()
        return f"Demo audit “{audit.title}” is ready. Log in as {DEMO_USERNAME} / {DEMO_PASSWORD}"
