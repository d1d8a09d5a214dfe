"""`manage.py load_reference_data [--data-dir DIR]`: load the region's communes and partners, idempotently."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from micedesk.geo.services import ReferenceDataError, reference_data_load

DEFAULT_DATA_DIR = Path(settings.BASE_DIR) / "data" / "geo"


class Command(BaseCommand):
    help = (
        "Load the region of MICEDESK_REGION_CODE, its departments and communes, and the "
        "institutional partners with their territories from the reference data files. "
        "Running it again changes only what the files changed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir",
            type=Path,
            default=DEFAULT_DATA_DIR,
            help="The folder of the data files (default: data/geo of the project).",
        )
        parser.add_argument(
            "--no-progress", action="store_true", help="Do not show the progress bar."
        )

    def handle(self, *args: object, data_dir: Path, no_progress: bool, **options: object) -> None:
        progress = not no_progress and options["verbosity"] > 0
        try:
            counts = reference_data_load(data_dir=data_dir, progress=progress)
        except ReferenceDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Region %(region)s: %(departments)d departments, %(communes)d communes "
                "(%(communes_created)d created, %(communes_updated)d updated, "
                "%(communes_removed)d removed, %(communes_kept)d kept), %(partners)d partners "
                "(%(partners_created)d created, %(partners_updated)d updated), territories "
                "+%(territory_added)d / -%(territory_removed)d communes."
            )
            % {"region": settings.MICEDESK_REGION_CODE, **counts}
        )
        if counts["kept_codes"]:
            self.stderr.write(
                _(
                    "No longer in the official list but kept, as records still point to them: "
                    "%(codes)s"
                )
                % {"codes": ", ".join(counts["kept_codes"])}
            )
