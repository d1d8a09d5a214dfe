"""Export of suppliers to CSV and XLSX in the import format: what goes out comes back in unchanged."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from micedesk.directory.demo import demo_suppliers_generate
from micedesk.directory.exports import suppliers_export_csv, suppliers_export_xlsx
from micedesk.directory.imports import COLUMNS, suppliers_import
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.services import supplier_refresh

SAMPLE = Path(__file__).parent / "data" / "suppliers.csv"


def export_csv(queryset=None) -> bytes:
    stream = io.BytesIO()
    suppliers_export_csv(queryset=queryset or Supplier.objects.all(), stream=stream)
    return stream.getvalue()


def export_xlsx(queryset=None) -> bytes:
    stream = io.BytesIO()
    suppliers_export_xlsx(queryset=queryset or Supplier.objects.all(), stream=stream)
    return stream.getvalue()


def xlsx_rows(content: bytes) -> list[tuple]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def facts() -> list[tuple]:
    """Everything the import sets, supplier by supplier, rooms included."""
    rows = []
    for supplier in Supplier.objects.order_by("external_id").prefetch_related("rooms"):
        values = {
            field.name: getattr(supplier, field.attname)
            for field in Supplier._meta.concrete_fields
            if field.name not in ("id", "slug", "created_at", "updated_at", "published_at")
        }
        rooms = [
            {
                field.name: getattr(room, field.attname)
                for field in MeetingRoom._meta.concrete_fields
                if field.name not in ("id", "supplier")
            }
            for room in supplier.rooms.all()
        ]
        rows.append((values, rooms))
    return rows


@pytest.fixture
def sample(communes):
    suppliers_import(source=SAMPLE)


class SuppliersExportCsvTestCase:
    def test_it_writes_the_import_columns_and_a_line_per_room(self, sample):
        rows = csv_rows(export_csv())
        assert rows[0] == list(COLUMNS)
        assert [row[:2] for row in rows[1:]] == [
            ["supplier", "NME-0001"],
            ["room", "NME-0001"],
            ["room", "NME-0001"],
            ["supplier", "NME-0002"],
            ["room", "NME-0002"],
            ["supplier", "NME-0003"],
        ]

    def test_it_opens_in_a_french_spreadsheet(self, sample):
        content = export_csv()
        assert content.startswith("\ufeff".encode())
        assert content.split(b"\r\n")[0].count(b";") == len(COLUMNS) - 1

    def test_it_writes_only_the_queryset(self, sample):
        rows = csv_rows(export_csv(Supplier.objects.filter(status=Status.DRAFT)))
        assert [row[1] for row in rows[1:]] == ["NME-0003"]

    def test_a_text_that_looks_like_a_formula_is_neutralised(self, sample):
        Supplier.objects.filter(external_id="NME-0003").update(description_en="=HYPERLINK(1)")
        rows = csv_rows(export_csv())
        column = COLUMNS.index("description_en")
        assert rows[-1][column] == "'=HYPERLINK(1)"
        assert rows[-1][COLUMNS.index("phone")] == "'+33 2 61 91 55 66"

    def test_it_returns_the_number_of_suppliers(self, sample):
        assert suppliers_export_csv(queryset=Supplier.objects.all(), stream=io.BytesIO()) == 3


class SuppliersExportXlsxTestCase:
    def test_it_writes_one_sheet_in_the_import_format(self, sample):
        rows = xlsx_rows(export_xlsx())
        assert list(rows[0]) == list(COLUMNS)
        assert len(rows) == 7
        hotel = rows[1]
        assert hotel[COLUMNS.index("bedrooms")] == 84  # numbers stay numbers
        assert hotel[COLUMNS.index("commune_insee")] == "14220"  # codes stay text

    def test_a_text_that_looks_like_a_formula_stays_text(self, sample):
        Supplier.objects.filter(external_id="NME-0003").update(description_en="=1+1")
        rows = xlsx_rows(export_xlsx())
        assert rows[-1][COLUMNS.index("description_en")] == "=1+1"


class ExportImportRoundTripTestCase:
    @pytest.mark.parametrize("extension", ["csv", "xlsx"])
    def test_an_export_imports_back_unchanged(self, sample, tmp_path, extension):
        caterer = Supplier.objects.get(external_id="NME-0003")
        caterer.description_en = "=1+1"
        supplier_refresh(supplier=caterer)
        before = facts()
        export = export_xlsx if extension == "xlsx" else export_csv
        path = tmp_path / f"out.{extension}"
        path.write_bytes(export())
        report = suppliers_import(source=path)
        assert (report.created, report.updated, report.rejected) == (0, 3, 0)
        assert facts() == before

    @pytest.mark.parametrize("extension", ["csv", "xlsx"])
    def test_an_export_rebuilds_an_empty_directory(self, sample, tmp_path, extension):
        before = facts()
        export = export_xlsx if extension == "xlsx" else export_csv
        path = tmp_path / f"out.{extension}"
        path.write_bytes(export())
        Supplier.objects.all().delete()
        report = suppliers_import(source=path)
        assert (report.created, report.rejected) == (3, 0)
        assert facts() == before

    def test_generated_suppliers_make_the_round_trip_too(self, communes, tmp_path):
        demo_suppliers_generate(count=60, seed=4)
        before = facts()
        first = export_csv()
        (tmp_path / "out.csv").write_bytes(first)
        report = suppliers_import(source=tmp_path / "out.csv")
        assert (report.updated, report.rejected) == (60, 0)
        assert facts() == before
        assert export_csv() == first


class ExportSuppliersCommandTestCase:
    def test_it_writes_csv(self, sample, tmp_path):
        call_command("export_suppliers", "--output", str(tmp_path / "out.csv"), verbosity=0)
        assert len(csv_rows((tmp_path / "out.csv").read_bytes())) == 7

    def test_it_writes_xlsx_of_published_suppliers(self, sample, tmp_path):
        path = tmp_path / "out.xlsx"
        call_command(
            "export_suppliers", "--format", "xlsx", "--output", str(path), "--status", "published"
        )
        rows = xlsx_rows(path.read_bytes())
        assert {row[1] for row in rows[1:]} == {"NME-0001", "NME-0002"}

    def test_it_refuses_an_unwritable_path(self, sample, tmp_path):
        with pytest.raises(CommandError):
            call_command("export_suppliers", "--output", str(tmp_path / "no" / "out.csv"))

    def test_it_refuses_an_unknown_format(self, sample, tmp_path):
        with pytest.raises(CommandError):
            call_command(
                "export_suppliers", "--format", "pdf", "--output", str(tmp_path / "out.pdf")
            )
