"""`manage.py gdpr_erase --email ADDRESS --yes`: erase a person everywhere, keeping the figures."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from micedesk.crm.management.commands.gdpr_export import checked_email
from micedesk.crm.services import person_erase


class Command(BaseCommand):
    help = (
        "Anonymise the contacts and quote requests of an e-mail address, and delete the finished "
        "task rows naming it. Figures (participants, days, budgets, outcomes) are kept. "
        "This cannot be undone: --yes is required."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--yes", action="store_true", help="Confirm the erasure.")

    def handle(self, *args, email: str, yes: bool, **options):
        email = checked_email(email)
        if not yes:
            raise CommandError("Erasure cannot be undone: add --yes to confirm.")
        report = person_erase(email=email)
        if not report.found:
            raise CommandError("Nothing is held about this address: nothing erased.")
        self.stdout.write(
            f"Erased: {report.contacts} contacts anonymised, {report.quote_requests} quote "
            f"requests anonymised, {report.tasks} task rows deleted."
        )
