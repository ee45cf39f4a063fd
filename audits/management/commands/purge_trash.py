from django.conf import settings
from django.core.management.base import BaseCommand

from audits.models import purge_expired_trash


class Command(BaseCommand):
    help = "Delete for good the flywheels and audits that have been in the trash for more than 30 days."

    def handle(self, *args, **options) -> str:
        audits, flywheels = purge_expired_trash()
        return f"Purged {audits} audits and {flywheels} flywheels older than {settings.TRASH_DAYS} days."
