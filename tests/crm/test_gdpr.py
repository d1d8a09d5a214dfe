"""A person's data on request: the export of everything held, and an erasure that leaves no
personal data anywhere in the database while the figures stay."""

from __future__ import annotations

import json
import re

import pytest
from django.db import connection
from django.utils import timezone

from micedesk.crm.models import AuditAction, AuditEntry, Contact, InteractionKind, Purpose
from micedesk.crm.services import (
    ANONYMISED_NAME,
    consent_record,
    contact_update,
    interaction_add,
    person_data_export,
    person_erase,
)
from micedesk.leads.intake import quote_request_submit
from micedesk.leads.models import QuoteRequest, RequestStatus, RoutingLogEntry
from micedesk.leads.responses import quote_request_declare_outcome
from tests.crm import builders
from tests.leads.test_intake import payload

pytestmark = pytest.mark.django_db

EMAIL = "gwendoline.quesnay@pharma-normande.example"
FIRST, LAST = "Gwendoline", "Quesnay-Baptiste"
PHONE = "06 12 34 56 78"
PHONE_DIGITS = "612345678"


def person_payload(**changes: object) -> dict:
    return payload(
        contact_name=f"{FIRST} {LAST}",
        email=EMAIL,
        phone=PHONE,
        organisation="Pharma Normande",
        message=f"Hello, {FIRST} here: call me on {PHONE} about our seminar.",
        accessibility_needs=f"{FIRST} uses a wheelchair",
        alternative_dates=f"ask {FIRST}",
        heard_from=f"{FIRST}'s colleague",
        **changes,
    )


@pytest.fixture
def person(people, django_capture_on_commit_callbacks):
    """A planner with two requests (one won), a timeline, consents, a task row and audit trail."""
    with django_capture_on_commit_callbacks(execute=True):
        first = quote_request_submit(data=person_payload(), channel="portal", client_key="10.0.0.7")
    with django_capture_on_commit_callbacks(execute=True):
        quote_request_submit(
            data=person_payload(event_kind="congres", participants=200),
            channel="staff",
            submitted_by=people.staff,
        )
    with django_capture_on_commit_callbacks(execute=True):
        quote_request_declare_outcome(
            quote_request=first,
            supplier=None,
            declared_by="planner",
        )
    contact = Contact.objects.get(email__iexact=EMAIL)
    contact_update(
        contact=contact,
        data={
            "job_title": "Head of events",
            "city": "Rouen",
            "department_code": "76",
            "notes": f"{FIRST} prefers calls",
            "country": "FR",
        },
        user=people.staff,
    )
    interaction_add(
        contact=contact,
        kind=InteractionKind.CALL,
        user=people.staff,
        summary=f"Called {FIRST} {LAST} on {PHONE}",
        details={"note": f"{FIRST} will come back", "participants": 40},
    )
    consent_record(
        contact=contact,
        purpose=Purpose.MAILING,
        basis="consent",
        granted=True,
        method="web_form",
        proof=f"form from {EMAIL} at 10.0.0.7",
    )
    _task_row()
    return contact


def _task_row() -> None:
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        status="SUCCEEDED",
        args_kwargs={"args": [EMAIL], "kwargs": {}},
        task_path="micedesk.example.task",
        queue_name="default",
        backend_name="default",
        finished_at=timezone.now(),
        run_after=None,
        return_value=None,
    )


def database_cells():
    """Every cell of every table of the database, as text."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for value in row:
                    if value is not None:
                        text = (
                            value.decode(errors="ignore")
                            if isinstance(value, bytes)
                            else str(value)
                        )
                        yield table, text


def traces(needles: list[str]) -> list[tuple[str, str]]:
    found = []
    for table, text in database_cells():
        lowered = text.lower()
        if any(needle in lowered for needle in needles) or PHONE_DIGITS in re.sub(r"\D", "", text):
            found.append((table, text[:120]))
    return found


NEEDLES = [EMAIL.lower(), FIRST.lower(), "quesnay", "10.0.0.7"]


class PersonDataExportTestCase:
    def test_it_holds_everything_about_the_person(self, person, people):
        data = person_data_export(email=EMAIL.upper(), user=people.staff)
        json.dumps(data)  # JSON-able as it is
        assert [row["id"] for row in data["contacts"]] == [person.pk]
        assert data["contacts"][0]["email"] == EMAIL
        assert data["companies"][0]["name"] == "Pharma Normande"
        kinds = {row["kind"] for row in data["interactions"]}
        assert {"quote_request", "call"} <= kinds
        assert len(data["quote_requests"]) == 2
        assert all(row["reference"] for row in data["quote_requests"])
        assert {row["purpose"] for row in data["consents"]} == {"follow_up", "mailing"}
        assert data["audit_entries"]
        export_entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        assert export_entry.actor == people.staff and EMAIL not in str(export_entry.details)

    def test_an_unknown_address_gives_an_empty_export(self, people):
        data = person_data_export(email="nobody@nowhere.example")
        assert data["contacts"] == [] and data["quote_requests"] == []


class PersonEraseTestCase:
    def test_the_person_is_findable_before_erasure(self, person):
        # The test below would prove nothing if the search could not find them.
        tables = {table for table, _text in traces(NEEDLES)}
        assert {"crm_contact", "leads_quoterequest", "crm_interaction", "crm_consent"} <= tables

    def test_after_erasure_no_table_holds_their_address_name_or_phone(self, person, people):
        report = person_erase(email=EMAIL, user=people.staff)
        assert (report.contacts, report.quote_requests, report.tasks) == (1, 2, 1)
        assert traces(NEEDLES) == []

    def test_the_figures_stay(self, person, people):
        before = list(
            QuoteRequest.objects.order_by("pk").values_list(
                "participants", "days", "event_kind", "status", "start_date", "organisation"
            )
        )
        person_erase(email=EMAIL, user=people.staff)
        after = list(
            QuoteRequest.objects.order_by("pk").values_list(
                "participants", "days", "event_kind", "status", "start_date", "organisation"
            )
        )
        assert after == before
        assert QuoteRequest.objects.filter(status=RequestStatus.LOST).count() == 1
        contact = Contact.objects.get(pk=person.pk)
        assert contact.last_name == ANONYMISED_NAME and contact.anonymised_at is not None
        assert (contact.department_code, contact.country) == ("76", "FR")
        assert contact.interactions.count() == 3
        assert contact.interactions.get(kind="call").details == {"participants": 40}
        assert RoutingLogEntry.objects.filter(quote_request__contact_name=ANONYMISED_NAME).exists()

    def test_the_erased_address_is_not_deliverable(self, person, people):
        person_erase(email=EMAIL, user=people.staff)
        for email in QuoteRequest.objects.values_list("email", flat=True):
            assert email.endswith("@erased.invalid")

    def test_the_erasure_is_audited_without_the_address(self, person, people):
        person_erase(email=EMAIL, user=people.staff)
        entry = AuditEntry.objects.get(action=AuditAction.ERASE, object_type="person")
        assert entry.actor == people.staff
        assert entry.details["quote_requests"] == 2

    def test_an_unknown_address_erases_nothing(self, people):
        other = builders.contact()
        report = person_erase(email="nobody@nowhere.example")
        assert not report.found
        other.refresh_from_db()
        assert other.anonymised_at is None
        assert not AuditEntry.objects.filter(action=AuditAction.ERASE).exists()

    def test_other_people_are_untouched(self, person, people):
        other = builders.contact(first_name="Other", email="other@corp.example")
        person_erase(email=EMAIL)
        other.refresh_from_db()
        assert other.anonymised_at is None and other.email == "other@corp.example"


class PersonEraseLinkedContactTestCase:
    def test_a_contact_linked_to_their_requests_under_another_address_is_erased(
        self, person, people
    ):
        Contact.objects.filter(pk=person.pk).update(email="new.address@elsewhere.example")
        report = person_erase(email=EMAIL, user=people.staff)
        assert report.contact_ids == [person.pk]
        assert Contact.objects.get(pk=person.pk).email == ""


class PersonEraseImportFilesTestCase:
    def batch(self, name: str, content: bytes, report: dict | None = None):
        from django.core.files.base import ContentFile

        from micedesk.crm.models import ImportBatch

        batch = ImportBatch(original_name=name, report=report or {})
        batch.file.save(name, ContentFile(content), save=False)
        batch.save()
        return batch

    def test_their_rows_leave_the_kept_csv_file_and_the_report(self, people):
        builders.contact(email=EMAIL)
        content = (
            "\ufeffNom;Prénom;Mél;Téléphone\n"
            f"{LAST};{FIRST};{EMAIL.upper()};{PHONE}\n"
            "Roux;Anne;anne.roux@corp.example;\n"
        ).encode()
        batch = self.batch("base.csv", content, {"refused": [[2, "Mél", f"{EMAIL} is odd"]]})
        report = person_erase(email=EMAIL)
        assert report.import_files == 1
        batch.refresh_from_db()
        with batch.file.open("rb") as handle:
            kept = handle.read().decode("utf-8-sig")
        assert "quesnay" not in kept.lower() and "anne.roux@corp.example" in kept
        assert kept.startswith("Nom;Prénom")
        assert EMAIL not in json.dumps(batch.report)

    def test_their_rows_leave_a_kept_workbook(self, people):
        import io

        import openpyxl

        builders.contact(email=EMAIL)
        workbook = openpyxl.Workbook()
        workbook.active.append(["Nom", "Mél"])
        workbook.active.append([LAST, EMAIL])
        workbook.active.append(["Roux", "anne.roux@corp.example"])
        buffer = io.BytesIO()
        workbook.save(buffer)
        batch = self.batch("base.xlsx", buffer.getvalue())
        assert person_erase(email=EMAIL).import_files == 1
        batch.refresh_from_db()
        with batch.file.open("rb") as handle:
            sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
        assert [row for row in sheet.iter_rows(values_only=True)] == [
            ("Nom", "Mél"),
            ("Roux", "anne.roux@corp.example"),
        ]

    def test_files_without_them_are_left_alone(self, people):
        builders.contact(email=EMAIL)
        batch = self.batch("other.csv", b"Nom;Mel\nRoux;anne.roux@corp.example\n")
        name = batch.file.name
        assert person_erase(email=EMAIL).import_files == 0
        batch.refresh_from_db()
        assert batch.file.name == name
