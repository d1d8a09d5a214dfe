"""`manage.py export_suppliers --format csv|xlsx --output PATH [--status published]`."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from micedesk.directory.exports import suppliers_export_csv, suppliers_export_xlsx
from micedesk.directory.models import Status, Supplier


class Command(BaseCommand):
    help = (
        "Export suppliers and their rooms in the import format (docs/import-format.md), so that "
        "the file can be edited and imported again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument(
            "--output", required=True, metavar="PATH", help="The file to write; - for stdout (CSV)."
        )
        parser.add_argument(
            "--status", choices=Status.values, help="Only suppliers in this status."
        )

    def handle(
        self, *args: object, format: str, output: str, status: str | None, **options: object
    ) -> None:
        queryset = Supplier.objects.all()
        if status:
            queryset = queryset.filter(status=status)
        export = suppliers_export_xlsx if format == "xlsx" else suppliers_export_csv
        if output == "-":
            if format == "xlsx":
                raise CommandError(
                    _("An XLSX file cannot be written to stdout: give --output PATH.")
                )
            count = export(queryset=queryset, stream=sys.stdout.buffer)
            sys.stdout.flush()
            return
        try:
            with open(output, "wb") as stream:
                count = export(queryset=queryset, stream=stream)
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": output, "error": error.strerror}
            ) from None
        self.stderr.write(
            _("%(count)d suppliers exported to %(path)s.") % {"count": count, "path": output}
        )
