"""`manage.py send_dispatches [--loop]`: send the due dispatches of the outbox, once or for ever."""

from __future__ import annotations

import logging
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, close_old_connections

from micedesk.leads.outbox import dispatches_send_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Send the dispatches that are due (new ones, and retries after a mail server failure). "
        "Several can run at once: each dispatch is claimed by one of them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop", action="store_true", help="Keep running, looking for due dispatches."
        )
        parser.add_argument(
            "--interval",
            type=float,
            default=5.0,
            help="Seconds to wait when nothing is due (with --loop).",
        )
        parser.add_argument(
            "--limit", type=int, default=500, help="Dispatches sent per pass at most."
        )

    def handle(self, *args, loop: bool, interval: float, limit: int, **options):
        if limit < 1 or interval <= 0:
            raise CommandError("--limit must be at least 1 and --interval above 0.")
        if not loop:
            self._report(dispatches_send_due(limit=limit), options["verbosity"])
            return
        try:
            while True:
                close_old_connections()  # a long-running process must not keep a dead connection
                try:
                    sent = dispatches_send_due(limit=limit)
                except DatabaseError:
                    # The database is away for a moment: nothing was lost, try again later.
                    logger.exception("Sending dispatches failed")
                    sent = 0
                self._report(sent, options["verbosity"])
                if sent < limit:
                    time.sleep(interval)
        except KeyboardInterrupt:
            return

    def _report(self, sent: int, verbosity: int) -> None:
        if sent and verbosity:
            self.stdout.write(f"{sent} dispatch(es) sent")
