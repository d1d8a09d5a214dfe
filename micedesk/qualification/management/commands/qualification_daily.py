"""`manage.py qualification_daily`: expire the levels past their validity, send expiry reminders."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from micedesk.qualification.services import expiry_reminders_send, qualifications_expire


class Command(BaseCommand):
    help = (
        "Set the level of suppliers whose qualification is past its validity back to “not "
        "qualified”, and mail the reminders due before expiry (90 and 30 days, once each). "
        "Safe to run every hour: what is done is not done again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Run as of this date (YYYY-MM-DD), for checks.")

    def handle(self, *args: object, today: str | None, **options: object) -> None:
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError("--today must be a date like 2026-01-31.") from None
        expired = qualifications_expire(today=day)
        reminded = expiry_reminders_send(today=day)
        if options["verbosity"] > 0:
            self.stdout.write(f"{expired} qualification(s) expired, {reminded} reminder(s) sent.")
