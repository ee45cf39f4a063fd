from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audits.content.document import load
from audits.models import Audit
from audits.reports.exports import CONTENT_TYPES, compare_for_export, export_comparison


class Command(BaseCommand):
    help = "Compare two audits (before, after) and write the comparison as a deck, a workbook or JSON."

    def add_arguments(self, parser):
        parser.add_argument("before_id", type=int, help="the earlier audit's id")
        parser.add_argument("after_id", type=int, help="the later audit's id")
        parser.add_argument("--format", dest="file_format", choices=sorted(CONTENT_TYPES), required=True)
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args, before_id: int, after_id: int, file_format: str, output: str, **options) -> str:
        if before_id == after_id:
            raise CommandError(f"Give two different audits: audit {before_id} compared with itself shows no change.")
        before, after = self._audit(before_id), self._audit(after_id)
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"The folder {path.parent} does not exist.")
        content = export_comparison(compare_for_export(load(before), load(after)), file_format)
        path.write_bytes(content)
        return f"Wrote {path} ({len(content):,} bytes)."

    def _audit(self, audit_id: int) -> Audit:
        audit = Audit.objects.alive().select_related("flywheel__organization").filter(pk=audit_id).first()
        if audit is None:
            raise CommandError(f"There is no audit {audit_id}.")
        return audit
