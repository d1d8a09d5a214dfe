"""`manage.py send_event_surveys`: mail the partner surveys of the events closed recently."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from micedesk.operations.models import BureauEvent, EventStatus
from micedesk.operations.services import surveys_send


class Command(BaseCommand):
    help = (
        "Mail the satisfaction survey to the participants of the events closed in the last "
        "DAYS days (default 30). A participant is never mailed twice, and a mail that failed is "
        "sent on the next run: safe to run every hour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=30)

    def handle(self, *args: object, days: int, **options: object) -> None:
        since = timezone.now() - datetime.timedelta(days=days)
        events = BureauEvent.objects.filter(status=EventStatus.CLOSED, closed_at__gte=since)
        sent = sum(surveys_send(event=event, user=None) for event in events)
        if options["verbosity"] > 0:
            self.stdout.write(f"{sent} survey(s) sent for {len(events)} closed event(s).")
