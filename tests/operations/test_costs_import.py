"""The import of cost lines from CSV: French or English categories, decimal comma, all or
nothing with the refused lines and why."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from micedesk.operations.models import CostLine
from micedesk.operations.services import costs_import
from tests.operations import builders

pytestmark = pytest.mark.django_db


def upload(text: str, encoding: str = "utf-8-sig") -> SimpleUploadedFile:
    return SimpleUploadedFile("costs.csv", text.encode(encoding), content_type="text/csv")


class CostsImportTestCase:
    def test_it_imports_french_and_english_names_with_decimal_commas(self, people):
        event = builders.event()
        text = (
            "catégorie;libellé;budget;réel;heures;taux horaire\n"
            "Location et aménagement du stand;Stand 36 m²;18 000,00;17 450,50;;\n"
            "transport;Train Paris;1200;;;\n"
            "Staff time;Preparation;;;20;45,5\n"
        )
        report = costs_import(event=event, upload=upload(text), user=people.staff)
        assert report.ok and report.created == 3
        lines = list(CostLine.objects.order_by("pk"))
        assert [line.category for line in lines] == ["stand", "transport", "staff"]
        assert lines[0].actual == Decimal("17450.50")
        assert lines[1].actual is None
        assert lines[2].budget == Decimal("910.00")
        assert all(line.imported for line in lines)

    def test_it_reads_a_spreadsheet_export_in_windows_encoding(self, people):
        event = builders.event()
        report = costs_import(
            event=event, upload=upload("Hébergement;Hôtel;800;790\n", "cp1252"), user=people.staff
        )
        assert report.ok and CostLine.objects.get().category == "accommodation"

    def test_it_writes_nothing_when_one_line_is_refused(self, people):
        event = builders.event()
        text = "stand;Stand;1000;900\nparty;Cocktail;100;\ncatering;Lunch;abc;\nstaff;Prep;;;10;\n"
        report = costs_import(event=event, upload=upload(text), user=people.staff)
        assert not report.ok and report.created == 0
        assert [line for line, _reason in report.errors] == [2, 3, 4]
        assert not CostLine.objects.exists()

    def test_it_refuses_negative_amounts_and_an_empty_file(self, people):
        event = builders.event()
        report = costs_import(event=event, upload=upload("stand;x;-10;\n"), user=people.staff)
        assert report.errors and not CostLine.objects.exists()
        report = costs_import(event=event, upload=upload("category;label\n"), user=people.staff)
        assert report.errors

    def test_it_refuses_a_file_too_large_and_members(self, people, settings):
        event = builders.event()
        with pytest.raises(ValidationError):
            costs_import(event=event, upload=b"x" * (2 * 1024 * 1024 + 1), user=people.staff)
        with pytest.raises(PermissionDenied):
            costs_import(event=event, upload=upload("stand;x;1;\n"), user=people.supplier)
        assert not CostLine.objects.exists()
