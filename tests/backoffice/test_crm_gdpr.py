"""A person's data on request from the back-office (what is held, export JSON and CSV, erasure with
a typed confirmation), the register of processing activities and the audit log."""

from __future__ import annotations

import csv
import datetime
import io
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.crm.models import AuditEntry, Contact, InteractionKind, ProcessingActivity
from micedesk.leads.models import QuoteRequest
from tests.crm import builders
from tests.leads import builders as lead_builders

PERSON = reverse("backoffice:gdpr_person")
ERASE = reverse("backoffice:gdpr_erase")
AUDIT = reverse("backoffice:audit_log")
EMAIL = "claire.moreau@agency.example"


def export_url(file_format: str) -> str:
    return reverse("backoffice:gdpr_export", kwargs={"file_format": file_format})


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


@pytest.fixture
def person(db):
    contact = builders.contact("Claire", "Moreau", email=EMAIL, phone="+33 6 11 22 33 44")
    request = lead_builders.quote_request(email=EMAIL, contact_name="Claire Moreau")
    builders.interaction(contact, InteractionKind.QUOTE_REQUEST, quote_request=request)
    builders.interaction(contact, InteractionKind.NOTE, summary='=HYPERLINK("x")')
    builders.consent(contact)
    return contact


class PersonLookupTestCase:
    def test_it_shows_the_form(self, staff_client):
        response = staff_client.get(PERSON)
        assert response.status_code == 200
        assert response.context["held"] is None

    def test_it_counts_what_is_held_and_logs_it(self, staff_client, people, person):
        response = staff_client.post(PERSON, {"email": "Claire.Moreau@Agency.example"})
        assert response.status_code == 200
        held = {key: count for key, _label, count in response.context["held"]}
        assert held["contacts"] == 1
        assert held["interactions"] == 2
        assert held["quote_requests"] == 1
        assert 'data-testid="erase-form"' in response.text
        entry = AuditEntry.objects.filter(object_type="person").get()
        assert entry.actor == people.staff
        assert EMAIL not in json.dumps(entry.details)

    def test_it_says_when_nothing_is_held(self, staff_client):
        response = staff_client.post(PERSON, {"email": "nobody@nowhere.example"})
        assert response.status_code == 200
        assert 'data-testid="held-nothing"' in response.text

    @pytest.mark.parametrize("email", ["", "not-an-address", "a@b"])
    def test_it_refuses_a_bad_address(self, staff_client, email):
        response = staff_client.post(PERSON, {"email": email})
        assert response.status_code == 400
        assert "email" in response.context["form"].errors

    def test_it_keeps_the_address_out_of_the_url(self, staff_client):
        assert staff_client.get(PERSON, {"email": EMAIL}).context["held"] is None


class PersonExportTestCase:
    def test_it_exports_everything_as_json(self, staff_client, person):
        response = staff_client.post(export_url("json"), {"email": EMAIL})
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        data = json.loads(response.content)
        assert data["contacts"][0]["phone"] == "+33 6 11 22 33 44"
        assert len(data["interactions"]) == 2
        assert AuditEntry.objects.filter(action="export", object_type="person").exists()

    def test_it_exports_one_row_per_value_as_csv(self, staff_client, person):
        response = staff_client.post(export_url("csv"), {"email": EMAIL})
        assert response.status_code == 200
        assert response.content.startswith("\ufeff".encode())
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == ["table", "item", "field", "value"]
        assert ["contacts", "1", "phone", "'+33 6 11 22 33 44"] in rows
        summaries = [row[3] for row in rows if row[0] == "interactions" and row[2] == "summary"]
        assert '\'=HYPERLINK("x")' in summaries  # a spreadsheet will not run it

    @pytest.mark.parametrize("file_format, email", [("xml", EMAIL), ("json", "nope")])
    def test_it_refuses_a_bad_format_or_address(self, staff_client, person, file_format, email):
        response = staff_client.post(export_url(file_format), {"email": email})
        assert response.status_code == 400
        assert not AuditEntry.objects.filter(action="export").exists()

    def test_it_refuses_get(self, staff_client, person):
        assert staff_client.get(export_url("json"), {"email": EMAIL}).status_code == 405


class PersonEraseTestCase:
    def test_it_erases_once_the_address_is_typed_again(self, staff_client, person):
        response = staff_client.post(
            ERASE, {"email": EMAIL, "confirm": " CLAIRE.moreau@agency.example "}
        )
        assert response.status_code == 200
        report = {key: value for key, _label, value in response.context["report"]}
        assert report["contacts"] == 1 and report["quote_requests"] == 1
        person.refresh_from_db()
        assert person.anonymised_at is not None and person.email == ""
        assert not QuoteRequest.objects.filter(email__iexact=EMAIL).exists()
        assert AuditEntry.objects.filter(action="erase", object_type="person").exists()

    @pytest.mark.parametrize("confirm", ["", "someone.else@agency.example", "claire.moreau"])
    def test_it_refuses_without_the_address_typed_and_erases_nothing(
        self, staff_client, person, confirm
    ):
        response = staff_client.post(ERASE, {"email": EMAIL, "confirm": confirm})
        assert response.status_code == 400
        assert "confirm" in response.context["erase_form"].errors
        person.refresh_from_db()
        assert person.anonymised_at is None and person.email == EMAIL
        assert Contact.objects.filter(email=EMAIL).exists()


class RegisterTestCase:
    def test_it_lists_the_processing_activities(self, staff_client):
        ProcessingActivity.objects.create(
            name="CRM of planners",
            purpose="Follow-up",
            legal_basis="Legitimate interest",
            data_categories="Names",
            data_subjects="Planners",
            recipients="Bureau staff",
            retention="3 years",
        )
        response = staff_client.get(reverse("backoffice:gdpr_register"))
        assert response.status_code == 200
        assert [activity.name for activity in response.context["activities"]] == ["CRM of planners"]


class AuditLogTestCase:
    def test_it_filters_by_actor_action_and_date(self, staff_client, people):
        contact = builders.contact()
        old = AuditEntry.objects.create(
            actor=people.admin, action="view", object_type="contact", object_id=contact.pk
        )
        AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - datetime.timedelta(days=10))
        wanted = AuditEntry.objects.create(
            actor=people.admin, action="export", object_type="person"
        )
        AuditEntry.objects.create(actor=people.staff, action="export", object_type="person")
        response = staff_client.get(
            AUDIT,
            {
                "actor": people.admin.pk,
                "action": "export",
                "start": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            },
        )
        assert response.status_code == 200
        assert [entry.pk for entry in response.context["window"].items] == [wanted.pk]

    @pytest.mark.parametrize(
        "query",
        [
            {"action": "steal"},
            {"start": "2026-02-30"},
            {"start": "2026-03-02", "end": "2026-03-01"},
        ],
    )
    def test_it_refuses_bad_filters(self, staff_client, query):
        assert staff_client.get(AUDIT, query).status_code == 400

    def test_it_pages(self, staff_client, people):
        AuditEntry.objects.bulk_create(
            AuditEntry(actor=people.staff, action="view", object_type="contact", object_id=n)
            for n in range(60)
        )
        response = staff_client.get(AUDIT, {"page": 2})
        assert len(response.context["window"].items) == 10
