"""`manage.py load_default_grids`: the default grid of each kind of supplier, version 1 active."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from micedesk.qualification.services import grids_load_defaults


class Command(BaseCommand):
    help = (
        "Create the default qualification grids (venues, agencies, service providers, activity "
        "providers) with an active version 1. A grid that already has a version is left alone, "
        "so running it again changes nothing."
    )

    def handle(self, *args: object, **options: object) -> None:
        created = grids_load_defaults(progress=options["verbosity"] > 1)
        if options["verbosity"] > 0:
            self.stdout.write(f"{created} default grid(s) loaded.")
