"""`manage.py generate_demo_requests`: a deterministic year of demo quote requests (`DEMO-…`)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from micedesk.directory.models import Status, Supplier
from micedesk.leads.demo import DEMO_SEED, demo_requests_generate, demo_requests_remove


class Command(BaseCommand):
    help = (
        "Store demo quote requests over the past twelve months, routed to the published "
        "suppliers, with answers and outcomes. Run again, it changes nothing unless the count "
        "differs. The demo sends no mail: its dispatches are stored as sent already."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=600, help="Number of demo requests.")
        parser.add_argument("--seed", type=int, default=DEMO_SEED)
        parser.add_argument(
            "--remove", action="store_true", help="Delete the demo requests and stop."
        )

    def handle(self, *args, count: int, seed: int, remove: bool, **options):
        if remove:
            deleted = demo_requests_remove()
            self.stdout.write(f"Deleted {deleted} demo rows.")
            return
        if count < 1:
            raise CommandError("--count must be at least 1.")
        if not Supplier.objects.filter(status=Status.PUBLISHED).exists():
            raise CommandError("No published suppliers: run `manage.py setup_demo` first.")
        written = demo_requests_generate(count=count, seed=seed, progress=options["verbosity"] > 0)
        self.stdout.write(f"{written} demo quote requests written.")
