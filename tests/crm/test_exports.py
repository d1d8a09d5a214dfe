"""Exports of a segment's contacts: CSV, XLSX and vCard 3.0, staff only, each export logged."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from micedesk.crm.exports import (
    COLUMNS,
    segment_export,
    vcard,
    vcard_escape,
    vcard_fold,
)
from micedesk.crm.models import (
    AuditAction,
    AuditEntry,
    CompanyKind,
    Purpose,
    Segment,
    SegmentKind,
)
from tests.crm import builders


@pytest.fixture
def segment(people):
    seminar = builders.topic("seminaires", "Séminaires")
    company = builders.company("Agence Côté Mer, SAS", kind=CompanyKind.AGENCY, naf_code="82.30Z")
    builders.contact(
        "Émilie",
        "Durand-Léger",
        email="emilie@agence.example",
        phone="+33 2 31 00 00 00",
        job_title="Chef de projet; événements",
        company=company,
        city="Caen",
        postal_code="14000",
        department_code="14",
        region="Normandie",
        topics=[seminar],
    )
    builders.contact("Sam", "=SUM(A1)", email="sam@example.org", topics=[seminar])
    builders.contact("Off", "Topic")
    return Segment.objects.create(
        name="Seminars", kind=SegmentKind.CUSTOM, rules={"topics": ["seminaires"]}
    )


def export(segment, user, file_format: str) -> tuple[bytes, int]:
    stream = io.BytesIO()
    count = segment_export(segment=segment, user=user, file_format=file_format, stream=stream)
    return stream.getvalue(), count


class CsvExportTestCase:
    def test_it_writes_utf8_with_bom_and_semicolons(self, people, segment):
        data, count = export(segment, people.staff, "csv")
        assert count == 2
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert rows[0] == COLUMNS
        assert len(rows) == 3
        emilie = next(row for row in rows[1:] if row[1] == "Émilie")
        record = dict(zip(COLUMNS, emilie, strict=True))
        assert record["organisation"] == "Agence Côté Mer, SAS"
        assert record["topics"] == "seminaires"
        assert record["job_title"] == "Chef de projet; événements"

    def test_it_neutralises_formulas(self, people, segment):
        data, _count = export(segment, people.staff, "csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert any(row[2] == "'=SUM(A1)" for row in rows)


class XlsxExportTestCase:
    def test_it_opens_with_one_row_per_contact(self, people, segment):
        data, count = export(segment, people.staff, "xlsx")
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert count == 2
        assert list(rows[0]) == COLUMNS
        assert {row[1] for row in rows[1:]} == {"Émilie", "Sam"}
        sam = next(row for row in rows[1:] if row[1] == "Sam")
        assert sam[2] == "=SUM(A1)"
        assert sheet.cell(row=rows.index(sam) + 1, column=3).data_type == "s"


class VcardExportTestCase:
    def test_it_escapes_commas_semicolons_backslashes_and_newlines(self):
        assert vcard_escape("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"

    def test_it_folds_long_lines_without_splitting_a_character(self):
        line = "NOTE:" + "é" * 100
        folded = vcard_fold(line)
        parts = folded.split("\r\n")
        assert all(len(part.encode("utf-8")) <= 75 for part in parts)
        assert all(part.startswith(" ") for part in parts[1:])
        assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line

    def test_it_writes_one_card_per_contact_with_the_fields(self, people, segment):
        data, count = export(segment, people.staff, "vcf")
        text = data.decode("utf-8")
        assert count == 2
        assert text.count("BEGIN:VCARD\r\n") == 2 and text.count("END:VCARD\r\n") == 2
        assert "\n" not in text.replace("\r\n", "")
        lines = text.split("\r\n")
        assert "VERSION:3.0" in lines
        assert "N:Durand-Léger;Émilie;;;" in lines
        assert "FN:Émilie Durand-Léger" in lines
        assert "ORG:Agence Côté Mer\\, SAS" in lines
        assert "TITLE:Chef de projet\\; événements" in lines
        assert "EMAIL;TYPE=INTERNET:emilie@agence.example" in lines
        assert "TEL;TYPE=WORK,VOICE:+33 2 31 00 00 00" in lines
        assert "ADR;TYPE=WORK:;;;Caen;Normandie;14000;FR" in lines

    def test_a_contact_without_organisation_has_no_org_line(self, db):
        card = vcard(builders.contact("Solo", "Planner", email="", phone=""))
        assert "ORG:" not in card and "EMAIL" not in card and "TEL" not in card
        assert card.startswith("BEGIN:VCARD\r\nVERSION:3.0\r\n")


class WorkshopListExportTestCase:
    def test_it_exports_the_capped_list_in_its_order(self, people):
        seminar = builders.topic("seminaires", "Séminaires")
        workshop = builders.bureau_action(department_code="14", topics=[seminar])
        for name in ("Zed", "Amy"):
            guest = builders.contact(name, "Guest", department_code="14", topics=[seminar])
            builders.consent(guest, Purpose.INVITATIONS)
        segment = Segment.objects.create(
            name="Caen",
            kind=SegmentKind.WORKSHOP_INVITATION,
            rules={"workshop": workshop.pk, "limit": 1},
        )
        data, count = export(segment, people.staff, "csv")
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        assert count == 1
        assert [row[1] for row in rows[1:]] == ["Amy"]


class ExportAuditTestCase:
    @pytest.mark.parametrize("file_format", ["csv", "xlsx", "vcf"])
    def test_every_export_is_logged_without_personal_data(self, people, segment, file_format):
        _data, count = export(segment, people.staff, file_format)
        entry = AuditEntry.objects.get(action=AuditAction.EXPORT)
        assert entry.actor == people.staff
        assert entry.object_type == "segment" and entry.object_id == segment.pk
        assert entry.details == {"format": file_format, "count": count}
        assert "emilie" not in str(entry.details).lower()

    @pytest.mark.parametrize("role", ["supplier", "other_supplier", "partner", "outsider"])
    def test_only_staff_export(self, people, segment, role):
        with pytest.raises(PermissionDenied):
            export(segment, getattr(people, role), "csv")
        assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()

    def test_it_refuses_an_unknown_format(self, people, segment):
        with pytest.raises(ValidationError):
            export(segment, people.staff, "pdf")
        assert not AuditEntry.objects.filter(action=AuditAction.EXPORT).exists()
