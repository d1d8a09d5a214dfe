"""`manage.py crm_retention`: anonymise the contacts with no interaction for the retention period,
and warn staff of those that will be soon."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from micedesk.crm.services import retention_run


class Command(BaseCommand):
    help = (
        "Anonymise the CRM contacts with no interaction for CRM_RETENTION_MONTHS and send staff "
        "one notice CRM_RETENTION_NOTICE_DAYS before. Safe to run every hour."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Run as if on this date (YYYY-MM-DD).")

    def handle(self, *args, today: str | None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError as error:
            raise CommandError("--today must be a date such as 2026-03-31.") from error
        report = retention_run(today=day)
        self.stdout.write(
            f"{report.anonymised} contacts anonymised after {settings.CRM_RETENTION_MONTHS} "
            f"months without interaction; {report.noticed} announced to staff."
        )
