"""`manage.py import_contacts FILE [--mapping JSON] [--on-duplicate ...] [--action ID]`: the base."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from micedesk.crm.imports import (
    ON_DUPLICATE,
    ON_POSSIBLE,
    ImportAborted,
    ImportFileError,
    Rules,
    import_batch_create,
    import_batch_run,
    import_mapping_save,
)
from micedesk.crm.models import BureauAction, ImportBatch

ERRORS_SHOWN = 50


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV or XLSX export of the existing base (docs/crm-import-format.md). "
        "Known column names are mapped by themselves; --mapping changes or adds some. Good lines are "
        "imported in one transaction, refused lines listed with line, column and reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", metavar="FILE")
        parser.add_argument(
            "--mapping",
            metavar="JSON",
            help='Column header → field, e.g. \'{"Courriel pro": "email", "Civilité": ""}\' '
            "(an empty field leaves the column out); or the path of a JSON file.",
        )
        parser.add_argument("--on-duplicate", choices=ON_DUPLICATE, default="update")
        parser.add_argument("--on-possible", choices=ON_POSSIBLE, default="create")
        parser.add_argument(
            "--action", type=int, metavar="ID", help="The bureau action the contacts came from."
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=0,
            help="Refuse a bigger file (default: no limit on the command line; "
            "uploads are capped by CRM_IMPORT_MAX_BYTES).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
        )

    def handle(self, *args: object, **options: object) -> None:
        with translation.override(str(options["language"])):
            try:
                batch = self.import_file(options)
            except (ImportFileError, ImportAborted) as error:
                raise CommandError(str(error)) from None
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.write_report(batch)

    def import_file(self, options: dict) -> ImportBatch:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(_("No file at %(path)s.") % {"path": path})
        action = self.action(options["action"])
        with path.open("rb") as handle:
            batch = import_batch_create(
                upload=File(handle, name=path.name),
                user=None,
                source_action=action,
                max_bytes=options["max_bytes"],
            )
        if options["mapping"]:
            mapping = self.mapping(str(options["mapping"]), batch.columns, batch.mapping)
            import_mapping_save(batch=batch, mapping=mapping, user=None)
        rules = Rules(on_duplicate=options["on_duplicate"], on_possible=options["on_possible"])
        quiet = options["verbosity"] == 0
        with tqdm(total=batch.row_count, unit=_("line"), disable=quiet) as bar:
            return import_batch_run(batch=batch, user=None, rules=rules, progress=bar.update)

    def action(self, pk: int | None) -> BureauAction | None:
        if pk is None:
            return None
        action = BureauAction.objects.filter(pk=pk).first()
        if action is None:
            raise CommandError(_("No bureau action has the number %(pk)d.") % {"pk": pk})
        return action

    def mapping(self, raw: str, columns: list[str], guessed: dict[str, str]) -> dict[str, str]:
        """The guessed mapping changed by the header → field pairs given."""
        path = Path(raw)
        text = path.read_text(encoding="utf-8") if path.is_file() else raw
        try:
            given = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                _("--mapping is not valid JSON: %(error)s") % {"error": error}
            ) from None
        if not isinstance(given, dict):
            raise CommandError(_("--mapping must be an object: header → field."))
        mapping = dict(guessed)
        for header, target in given.items():
            if header not in columns:
                raise CommandError(_("The file has no column “%(name)s”.") % {"name": header})
            index = str(columns.index(header))
            # The field now filled by this column is taken off any other column.
            mapping = {i: t for i, t in mapping.items() if t != target or not target}
            mapping[index] = target or ""
        return mapping

    def write_report(self, batch: ImportBatch) -> None:
        refused = batch.report.get("refused", [])
        for line, column, reason in refused[:ERRORS_SHOWN]:
            where = _("line %(line)d") % {"line": line}
            self.stderr.write(f"{where}, {column}: {reason}" if column else f"{where}: {reason}")
        if len(refused) > ERRORS_SHOWN:
            self.stderr.write(
                _("… and %(count)d more: download the refused lines from the back-office.")
                % {"count": len(refused) - ERRORS_SHOWN}
            )
        self.stdout.write(
            _(
                "Import #%(pk)d, %(rows)d lines: %(created)d contacts created, %(updated)d updated, "
                "%(merged)d merged, %(skipped)d skipped, %(refused)d refused."
            )
            % {
                "pk": batch.pk,
                "rows": batch.row_count,
                "created": batch.created_count,
                "updated": batch.updated_count,
                "merged": batch.merged_count,
                "skipped": batch.report.get("skipped", 0),
                "refused": batch.refused_count,
            }
        )
