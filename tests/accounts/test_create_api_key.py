"""`manage.py create_api_key`: prints a working key once; refuses unknown and inactive users."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from micedesk.accounts.models import ApiKey
from micedesk.accounts.services import api_key_authenticate


def create_api_key(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("create_api_key", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


class CreateApiKeyTestCase:
    def test_it_prints_a_key_that_acts_as_the_user(self, people):
        secret, message = create_api_key("--user", people.supplier.email, "--label", "CRM sync")
        assert api_key_authenticate(secret=secret) == people.supplier
        key = ApiKey.objects.get(user=people.supplier)
        assert key.label == "CRM sync" and key.prefix in secret and key.prefix in message
        assert "ne sera plus affichée" in message  # French by default

    def test_it_prints_the_key_alone_on_standard_output(self, people):
        secret, _message = create_api_key("--user", people.staff.email)
        assert secret.startswith("mk_") and "\n" not in secret and " " not in secret

    def test_it_finds_the_user_whatever_the_case_of_the_address(self, people):
        secret, _message = create_api_key("--user", people.staff.email.upper())
        assert api_key_authenticate(secret=secret) == people.staff

    def test_it_stores_no_secret(self, people):
        secret, _message = create_api_key("--user", people.staff.email)
        key = ApiKey.objects.get(user=people.staff)
        assert secret not in (key.hashed_key, key.prefix, key.label)

    def test_it_refuses_an_unknown_user(self, people):
        with pytest.raises(CommandError, match="nobody@nowhere.example"):
            create_api_key("--user", "nobody@nowhere.example")
        assert not ApiKey.objects.exists()

    def test_it_refuses_an_inactive_user(self, people):
        people.partner.is_active = False
        people.partner.save()
        with pytest.raises(CommandError, match="inactif"):
            create_api_key("--user", people.partner.email)
        assert not ApiKey.objects.exists()

    def test_it_refuses_a_label_too_long(self, people):
        with pytest.raises(CommandError):
            create_api_key("--user", people.staff.email, "--label", "x" * 101)
        assert not ApiKey.objects.exists()

    def test_it_requires_the_user_option(self, db):
        with pytest.raises(CommandError, match="--user"):
            create_api_key()

    def test_it_exits_with_an_error_status_from_the_command_line(self, people):
        from django.core.management import ManagementUtility

        with pytest.raises(SystemExit) as exit_info:
            ManagementUtility(
                ["manage.py", "create_api_key", "--user", "ghost@example.org"]
            ).execute()
        assert exit_info.value.code != 0
