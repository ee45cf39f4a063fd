from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from audits.models import Flywheel
from audits.reports.imports import ImportFailed, import_audit, read_file


class Command(BaseCommand):
    help = "Import an .xlsx workbook or a .json backup as a new audit of a flywheel; print its id."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--flywheel", type=int, required=True, help="the id of the flywheel to import into")

    def handle(self, *args, path: str, flywheel: int, **options) -> str:
        target = Flywheel.objects.alive().select_related("organization").filter(pk=flywheel).first()
        if target is None:
            raise CommandError(f"There is no flywheel {flywheel}.")
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"There is no file {path}.")
        try:
            audit = import_audit(read_file(file.read_bytes()), target)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(f"Nothing was imported: {len(failure.errors)} problem(s) in {path}.") from failure
        return str(audit.pk)
