"""`manage.py load_crm_reference`: topics, consent wordings and the register of processing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from micedesk.crm.reference import crm_reference_load


class Command(BaseCommand):
    help = (
        "Load the CRM's topics of interest, the first consent wordings and the register of "
        "processing activities. Idempotent: what exists is left as is."
    )

    def handle(self, *args, **options):
        created = crm_reference_load()
        self.stdout.write(
            f"{created['topics']} topics, {created['wordings']} consent wordings, "
            f"{created['activities']} processing activities created."
        )
