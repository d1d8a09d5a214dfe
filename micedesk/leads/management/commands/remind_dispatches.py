"""`manage.py remind_dispatches`: remind each recipient of a dispatch unanswered after 48 hours, once."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from micedesk.leads.responses import dispatches_remind


class Command(BaseCommand):
    help = (
        "Send one reminder mail for each dispatch still unanswered 48 hours after it was sent. "
        "Run it every hour (cron or a systemd timer): a dispatch is reminded once, whatever the "
        "number of runs; if the mail server is down, the next run tries again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--limit",
            type=int,
            default=500,
            help="At most this many reminders per run (default: 500).",
        )

    def handle(self, *args: object, limit: int, **options: object) -> None:
        if limit < 1:
            raise CommandError("--limit must be 1 or more.")
        sent = dispatches_remind(limit=limit)
        if options["verbosity"] > 0:
            self.stdout.write(f"{sent} reminder(s) sent.")
