"""`manage.py generate_demo --suppliers N --seed S [--replace]`: deterministic demo suppliers."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from micedesk.directory.demo import DemoError, demo_suppliers_generate


class Command(BaseCommand):
    help = (
        "Create or update N demo suppliers, with rooms, placed in the communes loaded by "
        "load_reference_data. The same N and seed give the same data; a second run updates "
        "instead of duplicating. Demo suppliers have the external id demo-<seed>-<n>."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--suppliers", type=int, required=True, metavar="N")
        parser.add_argument("--seed", type=int, default=1, metavar="S")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete every demo supplier (of any seed) first.",
        )

    def handle(
        self, *args: object, suppliers: int, seed: int, replace: bool, **options: object
    ) -> None:
        started = time.monotonic()
        try:
            count = demo_suppliers_generate(
                count=suppliers, seed=seed, replace=replace, progress=options["verbosity"] > 0
            )
        except DemoError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            _("%(count)d demo suppliers (seed %(seed)d) written in %(seconds).1f s.")
            % {"count": count, "seed": seed, "seconds": time.monotonic() - started}
        )
