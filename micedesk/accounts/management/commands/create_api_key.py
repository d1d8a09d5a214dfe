"""`manage.py create_api_key --user EMAIL [--label TEXT]`: a new API key for a user, printed once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from micedesk.accounts.models import User
from micedesk.accounts.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key acting as the user with this e-mail address and print it. "
        "Only a hash is stored: the key cannot be shown again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, metavar="EMAIL", help="The key's user.")
        parser.add_argument(
            "--label", default="", help="What the key is for, e.g. the name of the client."
        )

    def handle(self, *args: object, user: str, label: str, **options: object) -> None:
        owner = User.objects.filter(email__iexact=user.strip()).first()
        if owner is None:
            raise CommandError(_("No user has the e-mail address %(email)s.") % {"email": user})
        if not owner.is_active:
            raise CommandError(
                _("The user %(email)s is inactive: a key would not work.") % {"email": owner.email}
            )
        try:
            key, secret = api_key_create(user=owner, label=label)
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        # The key alone on stdout, so that a script can capture it; the rest on stderr.
        self.stdout.write(secret)
        self.stderr.write(
            _(
                "API key %(prefix)s created for %(email)s (role: %(role)s). Store it now: it is not shown again."
            )
            % {"prefix": key.prefix, "email": owner.email, "role": owner.get_role_display()}
        )
