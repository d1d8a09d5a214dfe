"""`manage.py import_suppliers FILE [--rejects PATH] [--dry-run]`: suppliers from CSV or XLSX."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from micedesk.directory.imports import ImportFileError, ImportReport, suppliers_import

ERRORS_SHOWN = 100


def rejects_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}-rejects{path.suffix or '.csv'}")


class Command(BaseCommand):
    help = (
        "Import suppliers and their rooms from a CSV or XLSX file in the import format "
        "(docs/import-format.md). Good lines are saved, refused lines are listed with their line "
        "number, column and reason, and written to a rejects file. A re-import updates by external_id."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--rejects",
            metavar="PATH",
            help="Where to write the refused lines with a reason column "
            "(default: FILE-rejects next to FILE; written only when lines are refused).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count everything, save nothing."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the messages.",
        )

    def handle(
        self,
        *args: object,
        file: str,
        rejects: str | None,
        dry_run: bool,
        language: str,
        **options: object,
    ) -> None:
        source = Path(file)
        rejects_path = Path(rejects) if rejects else rejects_path_for(source)
        if rejects_path.resolve() == source.resolve():
            raise CommandError(_("The rejects file cannot be the imported file."))
        with translation.override(language):
            try:
                report = suppliers_import(
                    source=source,
                    rejects=rejects_path,
                    dry_run=dry_run,
                    progress=options["verbosity"] > 0,
                )
            except ImportFileError as error:
                raise CommandError(str(error)) from None
            self.write_report(report, rejects_path)

    def write_report(self, report: ImportReport, rejects_path: Path) -> None:
        for error in report.errors[:ERRORS_SHOWN]:
            self.stderr.write(str(error))
        if len(report.errors) > ERRORS_SHOWN:
            self.stderr.write(
                _("… and %(count)d more errors: see the rejects file.")
                % {"count": len(report.errors) - ERRORS_SHOWN}
            )
        summary = _(
            "%(lines)d lines read: %(created)d suppliers created, %(updated)d updated "
            "(%(rooms)d rooms), %(rejected)d refused (%(rejected_lines)d lines)."
        ) % {
            "lines": report.lines,
            "created": report.created,
            "updated": report.updated,
            "rooms": report.rooms,
            "rejected": report.rejected,
            "rejected_lines": report.rejected_lines,
        }
        if report.dry_run:
            summary += " " + _("Dry run: nothing was saved.")
        self.stdout.write(summary)
        if report.rejected_lines:
            self.stdout.write(_("Refused lines written to %(path)s.") % {"path": rejects_path})
