"""`manage.py gdpr_export --email ADDRESS`: everything held about a person, as JSON on stdout."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from micedesk.crm.services import person_data_export


def checked_email(email: str) -> str:
    try:
        validate_email(email.strip())
    except ValidationError as error:
        raise CommandError(f"{email!r} is not an e-mail address.") from error
    return email.strip()


class Command(BaseCommand):
    help = "Print as JSON everything the CRM and the quote requests hold about an e-mail address."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)

    def handle(self, *args, email: str, **options):
        data = person_data_export(email=checked_email(email))
        if not (data["contacts"] or data["quote_requests"]):
            raise CommandError("Nothing is held about this address.")
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
