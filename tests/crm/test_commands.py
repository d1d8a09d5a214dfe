"""The CRM's management commands: gdpr_export, gdpr_erase, crm_retention, load_crm_reference."""

from __future__ import annotations

import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from micedesk.crm.models import ConsentWording, Contact, ProcessingActivity, Purpose, Topic
from tests.crm import builders
from tests.leads.builders import quote_request

pytestmark = pytest.mark.django_db
EMAIL = "planner.person@corp.example"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class GdprExportCommandTestCase:
    def test_it_prints_json_of_everything_held(self):
        contact = builders.contact(email=EMAIL)
        quote_request(email=EMAIL)
        data = json.loads(run("gdpr_export", "--email", EMAIL.upper()))
        assert data["contacts"][0]["id"] == contact.pk
        assert len(data["quote_requests"]) == 1

    def test_an_unknown_address_is_an_error(self):
        with pytest.raises(CommandError, match="Nothing is held"):
            run("gdpr_export", "--email", "nobody@nowhere.example")

    def test_a_malformed_address_is_an_error(self):
        with pytest.raises(CommandError, match="not an e-mail"):
            run("gdpr_export", "--email", "not-an-address")


class GdprEraseCommandTestCase:
    def test_it_refuses_without_yes_and_changes_nothing(self):
        contact = builders.contact(email=EMAIL)
        with pytest.raises(CommandError, match="--yes"):
            run("gdpr_erase", "--email", EMAIL)
        contact.refresh_from_db()
        assert contact.anonymised_at is None

    def test_it_erases_and_says_what(self):
        contact = builders.contact(email=EMAIL)
        request = quote_request(email=EMAIL)
        output = run("gdpr_erase", "--email", EMAIL, "--yes")
        assert "1 contacts" in output and "1 quote requests" in output
        contact.refresh_from_db()
        request.refresh_from_db()
        assert contact.email == "" and request.email != EMAIL

    def test_an_unknown_address_is_an_error(self):
        with pytest.raises(CommandError, match="nothing erased"):
            run("gdpr_erase", "--email", "nobody@nowhere.example", "--yes")

    def test_the_exit_code_is_not_zero_from_the_shell(self):
        with pytest.raises(SystemExit) as exit_info:
            from django.core.management import ManagementUtility

            ManagementUtility(
                ["manage.py", "gdpr_erase", "--email", "x@nowhere.example", "--yes"]
            ).execute()
        assert exit_info.value.code != 0


class CrmRetentionCommandTestCase:
    def test_it_anonymises_on_the_given_day(self, settings):
        settings.CRM_RETENTION_MONTHS = 36
        last = timezone.make_aware(datetime.datetime(2023, 3, 15, 12, 0))
        contact = builders.contact(last_interaction_at=last)
        assert "0 contacts anonymised" in run("crm_retention", "--today", "2026-03-14")
        assert "1 contacts anonymised" in run("crm_retention", "--today", "2026-03-15")
        assert Contact.objects.get(pk=contact.pk).anonymised_at is not None

    def test_a_bad_date_is_an_error(self):
        with pytest.raises(CommandError, match="--today"):
            run("crm_retention", "--today", "15/03/2026")


class LoadCrmReferenceCommandTestCase:
    def test_it_loads_topics_wordings_and_the_register_once(self):
        first = run("load_crm_reference")
        counts = (
            Topic.objects.count(),
            ConsentWording.objects.count(),
            ProcessingActivity.objects.count(),
        )
        assert counts[0] >= 15 and counts[1] == 3 and counts[2] == 6
        assert "0 topics, 0 consent wordings, 0 processing activities" in run("load_crm_reference")
        assert first != ""
        assert (Topic.objects.count(), ConsentWording.objects.count()) == counts[:2]
        assert set(ConsentWording.objects.values_list("purpose", flat=True)) == set(Purpose.values)
        assert all(w.text_fr and w.text_en for w in ConsentWording.objects.all())
        assert Topic.objects.filter(code="memoire-d-day").exists()

    def test_it_keeps_what_staff_edited(self):
        run("load_crm_reference")
        Topic.objects.filter(code="mer").update(name_fr="La mer")
        run("load_crm_reference")
        assert Topic.objects.get(code="mer").name_fr == "La mer"
