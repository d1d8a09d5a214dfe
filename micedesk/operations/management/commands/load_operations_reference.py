"""`manage.py load_operations_reference`: spend per delegate-day and the returns settings."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from micedesk.operations.reference import reference_load


class Command(BaseCommand):
    help = (
        "Load the spend per delegate-day figures (with their sources) and the returns settings. "
        "Idempotent: existing rows are left as they are."
    )

    def handle(self, *args, **options):
        created = reference_load()
        self.stdout.write(
            f"{created['spend_parameters']} spend parameters, {created['settings']} settings "
            "row created."
        )
