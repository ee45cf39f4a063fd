from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audits.content.document import load
from audits.models import Audit
from audits.reports.exports import CONTENT_TYPES, export


class Command(BaseCommand):
    help = "Write one audit to a file: a PowerPoint deck, an Excel workbook or a JSON backup."

    def add_arguments(self, parser):
        parser.add_argument("audit_id", type=int)
        parser.add_argument("--format", dest="file_format", choices=sorted(CONTENT_TYPES), required=True)
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, audit_id: int, file_format: str, output: str, **options) -> str:
        audit = Audit.objects.alive().select_related("flywheel__organization").filter(pk=audit_id).first()
        if audit is None:
            raise CommandError(f"There is no audit {audit_id}.")
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        content = export(load(audit), file_format)
        path.write_bytes(content)
        return f"Wrote {path} ({len(content):,} bytes)."
