"""Import of suppliers from CSV and XLSX: good lines saved, bad lines refused with line, column, reason."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from micedesk.directory.imports import COLUMNS, ImportFileError, suppliers_import
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.vocab import LABELS, THEMES, Category, Kind

DATA = Path(__file__).parent / "data"
SAMPLE = DATA / "suppliers.csv"


def hotel(external_id: str = "H-1", **values: str) -> dict[str, str]:
    line = {
        "record": "supplier",
        "external_id": external_id,
        "name": "Hôtel du Port",
        "category": "hotel",
        "status": "published",
        "commune_insee": "14220",
        "bedrooms": "40",
        "day_delegate_price_min": "50",
        "day_delegate_price_max": "80",
        "labels": "clef_verte",
        "themes": "bord_de_mer",
        "description_fr": "Face au port.",
    }
    line.update(values)
    return line


def room(external_id: str = "H-1", **values: str) -> dict[str, str]:
    line = {
        "record": "room",
        "external_id": external_id,
        "room_name": "Salon Marine",
        "room_area_m2": "100",
        "room_theatre": "80",
        "room_classroom": "50",
        "room_projector": "yes",
    }
    line.update(values)
    return line


def header_of(lines: list[dict[str, str]]) -> list[str]:
    names = {name for line in lines for name in line}
    return [name for name in COLUMNS if name in names]


def write_csv(
    path: Path, lines: list[dict[str, str]], *, delimiter: str = ";", bom: bool = True
) -> Path:
    header = header_of(lines)
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=header, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(lines)
    return path


def write_xlsx(path: Path, lines: list[dict[str, str]]) -> Path:
    header = header_of(lines)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for line in lines:
        sheet.append([line.get(name) for name in header])
    workbook.save(path)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as stream:
        sample = stream.readline()
        stream.seek(0)
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        return list(csv.DictReader(stream, delimiter=delimiter))


def errors_of(report) -> set[tuple[int, str]]:
    return {(error.line, error.column) for error in report.errors}


class SuppliersImportTestCase:
    def test_it_imports_a_supplier_with_its_rooms(self, communes, tmp_path):
        path = write_csv(
            tmp_path / "in.csv",
            [
                hotel(),
                room(),
                room(room_name="Salon Phare", room_area_m2="300", room_theatre="240"),
                hotel("A-1", name="Escale Événements", category="event_agency", bedrooms=""),
            ],
        )
        report = suppliers_import(source=path)
        assert (report.created, report.updated, report.rejected, report.rooms) == (2, 0, 0, 2)
        supplier = Supplier.objects.get(external_id="H-1")
        assert supplier.kind == Kind.VENUE
        assert supplier.department_code == "14"
        assert supplier.status == Status.PUBLISHED
        assert supplier.capacity_theatre == 240
        assert supplier.capacity_classroom == 50
        assert supplier.max_capacity == 240
        assert supplier.room_count == 2
        assert supplier.label_mask == LABELS.mask(["clef_verte"])
        assert supplier.theme_mask == THEMES.mask(["bord_de_mer"])
        assert "deauvil" in supplier.search_document
        assert supplier.slug == "hotel-du-port-deauville"
        assert [room.name for room in supplier.rooms.all()] == ["Salon Marine", "Salon Phare"]
        assert Supplier.objects.get(external_id="A-1").kind == Kind.AGENCY

    def test_it_reads_the_sample_file_with_semicolons_a_bom_and_french_decimals(self, communes):
        report = suppliers_import(source=SAMPLE)
        assert (report.created, report.rejected, report.rooms) == (3, 0, 3)
        manor = Supplier.objects.get(external_id="NME-0002")
        assert manor.category == Category.UNUSUAL_VENUE
        hotel_ = Supplier.objects.get(external_id="NME-0001")
        assert str(hotel_.station_distance_km) == "1.2"
        assert "\n" in hotel_.description_fr
        assert hotel_.rooms.get(name="Salon Horizon").ceiling_height_m == pytest.approx(3.5)

    def test_it_reads_commas_without_a_bom(self, communes, tmp_path):
        path = write_csv(tmp_path / "in.csv", [hotel(), room()], delimiter=",", bom=False)
        report = suppliers_import(source=path)
        assert (report.created, report.rooms, report.rejected) == (1, 1, 0)
        assert Supplier.objects.get(external_id="H-1").name == "Hôtel du Port"

    def test_it_reads_xlsx(self, communes, tmp_path):
        lines = [hotel(bedrooms=40), room(room_area_m2=100.5, room_theatre=80)]
        report = suppliers_import(source=write_xlsx(tmp_path / "in.xlsx", lines))
        assert (report.created, report.rooms, report.rejected) == (1, 1, 0)
        supplier = Supplier.objects.get(external_id="H-1")
        assert supplier.bedrooms == 40
        assert float(supplier.rooms.get().area_m2) == 100.5

    def test_it_reads_a_file_object(self, communes):
        with open(SAMPLE, "rb") as stream:
            report = suppliers_import(source=io.BytesIO(stream.read()))
        assert report.created == 3

    def test_a_reimport_updates_instead_of_duplicating(self, communes, tmp_path):
        suppliers_import(source=write_csv(tmp_path / "a.csv", [hotel(), room(), room()]))
        path = write_csv(tmp_path / "b.csv", [hotel(name="Hôtel du Grand Port"), room()])
        report = suppliers_import(source=path)
        assert (report.created, report.updated) == (0, 1)
        supplier = Supplier.objects.get(external_id="H-1")
        assert supplier.name == "Hôtel du Grand Port"
        assert supplier.slug == "hotel-du-port-deauville"  # the address of the page stays
        assert supplier.rooms.count() == 1
        assert Supplier.objects.count() == 1

    def test_columns_left_out_keep_their_values(self, communes, tmp_path):
        suppliers_import(source=write_csv(tmp_path / "a.csv", [hotel(), room()]))
        path = tmp_path / "b.csv"
        path.write_text("external_id;status\nH-1;draft\n", encoding="utf-8")
        report = suppliers_import(source=path)
        assert report.updated == 1
        supplier = Supplier.objects.get(external_id="H-1")
        assert supplier.status == Status.DRAFT
        assert supplier.name == "Hôtel du Port"
        assert supplier.rooms.count() == 1
        assert supplier.capacity_theatre == 80

    def test_an_empty_cell_clears_the_value(self, communes, tmp_path):
        suppliers_import(source=write_csv(tmp_path / "a.csv", [hotel()]))
        suppliers_import(source=write_csv(tmp_path / "b.csv", [hotel(labels="", bedrooms="")]))
        supplier = Supplier.objects.get(external_id="H-1")
        assert (supplier.label_mask, supplier.bedrooms) == (0, 0)

    def test_line_numbers_are_those_a_spreadsheet_shows(self, communes, tmp_path):
        lines = [hotel(description_fr="Deux\nlignes"), hotel("H-2", category="castle")]
        report = suppliers_import(source=write_csv(tmp_path / "in.csv", lines))
        assert errors_of(report) == {(3, "category")}

    def test_codes_and_words_are_read_leniently(self, communes, tmp_path):
        lines = [
            hotel(category="HOTEL", labels="Clef_Verte, qualite_tourisme", themes="au_vert;golf"),
            room(room_projector="Oui", room_wifi="x", room_sound="non"),
        ]
        report = suppliers_import(source=write_csv(tmp_path / "in.csv", lines, delimiter=","))
        assert report.rejected == 0
        supplier = Supplier.objects.get()
        assert supplier.labels == ["clef_verte", "qualite_tourisme"]
        assert supplier.themes == ["au_vert", "golf"]
        assert supplier.equipment_mask  # projector and wifi

    def test_a_text_protected_from_spreadsheets_comes_back_as_written(self, communes, tmp_path):
        path = write_csv(tmp_path / "in.csv", [hotel(phone="'+33 2 61 91 00 00")])
        suppliers_import(source=path)
        assert Supplier.objects.get().phone == "+33 2 61 91 00 00"

    def test_it_saves_in_batches(self, communes, tmp_path):
        lines = []
        for number in range(23):
            lines += [hotel(f"H-{number}", name=f"Hôtel {number}"), room(f"H-{number}")]
        report = suppliers_import(source=write_csv(tmp_path / "in.csv", lines), batch_size=5)
        assert (report.created, report.rooms) == (23, 23)
        assert MeetingRoom.objects.count() == 23

    def test_the_same_name_twice_gets_two_addresses(self, communes, tmp_path):
        suppliers_import(source=write_csv(tmp_path / "in.csv", [hotel("H-1"), hotel("H-2")]))
        assert sorted(Supplier.objects.values_list("slug", flat=True)) == [
            "hotel-du-port-deauville",
            "hotel-du-port-deauville-2",
        ]

    def test_a_dry_run_counts_and_saves_nothing(self, communes, tmp_path):
        path = write_csv(tmp_path / "in.csv", [hotel(), room(), hotel("H-2", category="x")])
        report = suppliers_import(source=path, dry_run=True)
        assert (report.created, report.rejected, report.dry_run) == (1, 1, True)
        assert not Supplier.objects.exists()

    def test_messages_are_in_the_active_language(self, communes, tmp_path):
        path = write_csv(tmp_path / "in.csv", [hotel(category="castle")])
        with translation.override("en"):
            report = suppliers_import(source=path)
            assert "Unknown code" in report.errors[0].message
            assert str(report.errors[0]).startswith("line 2, category: ")


# Each bad input: (lines of the refused supplier, line number, column). The good supplier
# before it is on line 2, so the refused one starts on line 3.
BAD_LINES = {
    "name missing": ([hotel("B", name="")], 3, "name"),
    "category unknown": ([hotel("B", category="castle")], 3, "category"),
    "commune unknown": ([hotel("B", commune_insee="99999")], 3, "commune_insee"),
    "commune missing": ([hotel("B", commune_insee="")], 3, "commune_insee"),
    "commune name mismatch": ([hotel("B", commune_name="Caen")], 3, "commune_name"),
    "status unknown": ([hotel("B", status="online")], 3, "status"),
    "bedrooms not a number": ([hotel("B", bedrooms="lots")], 3, "bedrooms"),
    "bedrooms negative": ([hotel("B", bedrooms="-3")], 3, "bedrooms"),
    "bedrooms beyond any database": ([hotel("B", bedrooms="9" * 20)], 3, "bedrooms"),
    "price not a number": ([hotel("B", day_delegate_price_min="50€")], 3, "day_delegate_price_min"),
    "prices reversed": (
        [hotel("B", day_delegate_price_min="90", day_delegate_price_max="60")],
        3,
        "day_delegate_price_max",
    ),
    "label unknown": ([hotel("B", labels="clef_verte|michelin")], 3, "labels"),
    "theme unknown": ([hotel("B", themes="montagne")], 3, "themes"),
    "e-mail invalid": ([hotel("B", email="contact@")], 3, "email"),
    "website invalid": ([hotel("B", website="not a website")], 3, "website"),
    "name too long": ([hotel("B", name="x" * 201)], 3, "name"),
    "latitude not a number": ([hotel("B", latitude="north")], 3, "latitude"),
    "station distance too precise": (
        [hotel("B", station_distance_km="1.25")],
        3,
        "station_distance_km",
    ),
    "external id missing": ([hotel("")], 3, "external_id"),
    "external id too long": ([hotel("B" * 65)], 3, "external_id"),
    "record unknown": ([hotel("B", record="hall")], 3, "record"),
    "room cell on a supplier line": ([hotel("B", room_name="Salon")], 3, "room_name"),
    "supplier cell on a room line": ([hotel("B"), room("B", name="Salon")], 4, "name"),
    "room without a name": ([hotel("B"), room("B", room_name="")], 4, "room_name"),
    "room area zero": ([hotel("B"), room("B", room_area_m2="0")], 4, "room_area_m2"),
    "room capacity not a number": ([hotel("B"), room("B", room_theatre="many")], 4, "room_theatre"),
    "room yes or no unclear": ([hotel("B"), room("B", room_wifi="maybe")], 4, "room_wifi"),
    "room ceiling too precise": (
        [hotel("B"), room("B", room_ceiling_height_m="3.255")],
        4,
        "room_ceiling_height_m",
    ),
    "room line without its supplier": ([room("B")], 3, "record"),
    "room line without external id": ([hotel("B"), room("")], 4, "external_id"),
    "two supplier lines": ([hotel("B"), hotel("B")], 4, "record"),
}


@pytest.mark.parametrize("case", BAD_LINES, ids=list(BAD_LINES))
class SuppliersImportRefusalTestCase:
    def test_it_refuses_the_bad_supplier_and_saves_the_good_one(self, communes, tmp_path, case):
        bad_lines, line, column = BAD_LINES[case]
        path = write_csv(tmp_path / "in.csv", [hotel("GOOD"), *bad_lines])
        report = suppliers_import(source=path, rejects=tmp_path / "rejects.csv")
        assert (line, column) in errors_of(report)
        assert all(error.message for error in report.errors)
        assert (report.created, report.rejected) == (1, 1)
        assert list(Supplier.objects.values_list("external_id", flat=True)) == ["GOOD"]
        assert MeetingRoom.objects.count() == 0
        rejected = read_csv(tmp_path / "rejects.csv")
        assert len(rejected) == len(bad_lines)
        assert column in rejected[line - 3]["reason"]


class SuppliersImportAtomicityTestCase:
    def test_a_supplier_whose_room_is_refused_is_not_saved_at_all(self, communes, tmp_path):
        lines = [hotel(), room(), room(room_name="Salon Phare", room_theatre="-1"), room()]
        report = suppliers_import(source=write_csv(tmp_path / "in.csv", lines))
        assert errors_of(report) == {(4, "room_theatre")}
        assert report.rejected_lines == 4
        assert not Supplier.objects.exists()
        assert not MeetingRoom.objects.exists()

    def test_a_refused_update_leaves_the_supplier_as_it_was(self, communes, tmp_path):
        suppliers_import(source=write_csv(tmp_path / "a.csv", [hotel(), room()]))
        lines = [hotel(name="Renamed"), room(room_area_m2="big")]
        report = suppliers_import(source=write_csv(tmp_path / "b.csv", lines))
        assert report.rejected == 1
        supplier = Supplier.objects.get()
        assert supplier.name == "Hôtel du Port"
        assert supplier.rooms.get().area_m2 == 100

    def test_an_external_id_seen_earlier_in_the_file_is_refused(self, communes, tmp_path):
        lines = [hotel("H-1"), hotel("H-2"), hotel("H-1", name="Again")]
        report = suppliers_import(source=write_csv(tmp_path / "in.csv", lines))
        assert errors_of(report) == {(4, "external_id")}
        assert Supplier.objects.get(external_id="H-1").name == "Hôtel du Port"

    def test_every_error_of_a_line_is_reported(self, communes, tmp_path):
        lines = [hotel(category="castle", bedrooms="x", email="nobody")]
        report = suppliers_import(source=write_csv(tmp_path / "in.csv", lines))
        assert errors_of(report) == {(2, "category"), (2, "bedrooms"), (2, "email")}


class RejectsFileTestCase:
    def test_it_keeps_the_format_and_adds_a_reason(self, communes, tmp_path):
        lines = [hotel(), hotel("B", category="castle"), room("B")]
        path = write_csv(tmp_path / "in.csv", lines)
        suppliers_import(source=path, rejects=tmp_path / "rejects.csv")
        raw = (tmp_path / "rejects.csv").read_bytes()
        assert raw.startswith("\ufeff".encode())
        rejected = read_csv(tmp_path / "rejects.csv")
        assert list(rejected[0]) == [*header_of(lines), "reason"]
        assert [line["external_id"] for line in rejected] == ["B", "B"]
        assert rejected[0]["category"] == "castle"
        assert rejected[0]["reason"].startswith("category: ")
        assert "3" in rejected[1]["reason"]  # the room line points to the refused line

    def test_a_corrected_rejects_file_imports(self, communes, tmp_path):
        path = write_csv(tmp_path / "in.csv", [hotel(category="castle"), room()])
        suppliers_import(source=path, rejects=tmp_path / "rejects.csv")
        rejected = read_csv(tmp_path / "rejects.csv")
        rejected[0]["category"] = "hotel"
        fixed = tmp_path / "fixed.csv"
        with open(fixed, "w", encoding="utf-8", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=list(rejected[0]), delimiter=";")
            writer.writeheader()
            writer.writerows(rejected)
        report = suppliers_import(source=fixed)
        assert (report.created, report.rooms, report.rejected) == (1, 1, 0)

    def test_an_xlsx_source_gets_xlsx_rejects(self, communes, tmp_path):
        lines = [hotel(), hotel("B", bedrooms="many")]
        path = write_xlsx(tmp_path / "in.xlsx", lines)
        suppliers_import(source=path, rejects=tmp_path / "rejects.xlsx")
        sheet = openpyxl.load_workbook(tmp_path / "rejects.xlsx").worksheets[0]
        rows = list(sheet.iter_rows(values_only=True))
        assert rows[0][-1] == "reason"
        assert rows[1][1] == "B"
        assert rows[1][-1].startswith("bedrooms: ")

    def test_no_rejects_file_when_every_line_is_saved(self, communes, tmp_path):
        suppliers_import(source=SAMPLE, rejects=tmp_path / "rejects.csv")
        assert not (tmp_path / "rejects.csv").exists()


class ImportFileRefusedTestCase:
    def refuses(self, tmp_path, content: bytes, name: str = "in.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ImportFileError) as caught:
            suppliers_import(source=path)
        assert not Supplier.objects.exists()
        return str(caught.value)

    def test_an_unknown_column_is_refused(self, communes, tmp_path):
        message = self.refuses(tmp_path, b"external_id;name;stars\nH-1;Hotel;4\n")
        assert "stars" in message

    def test_a_repeated_column_is_refused(self, communes, tmp_path):
        assert "name" in self.refuses(tmp_path, b"external_id;name;name\nH-1;A;B\n")

    def test_a_file_without_external_id_is_refused(self, communes, tmp_path):
        assert "external_id" in self.refuses(tmp_path, b"name;category\nHotel;hotel\n")

    def test_room_columns_need_a_record_column(self, communes, tmp_path):
        self.refuses(tmp_path, b"external_id;room_name\nH-1;Salon\n")

    def test_a_file_not_in_utf8_is_refused(self, communes, tmp_path):
        content = "external_id;name\nH-1;Hôtel\n".encode("cp1252")
        assert "UTF-8" in self.refuses(tmp_path, content)

    def test_an_empty_file_is_refused(self, communes, tmp_path):
        self.refuses(tmp_path, b"")

    def test_an_old_excel_file_is_refused(self, communes, tmp_path):
        self.refuses(tmp_path, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "in.xls")

    def test_a_damaged_xlsx_is_refused(self, communes, tmp_path):
        self.refuses(tmp_path, b"PK\x03\x04 not really a workbook", "in.xlsx")

    def test_a_missing_file_is_refused(self, communes, tmp_path):
        with pytest.raises(ImportFileError):
            suppliers_import(source=tmp_path / "nowhere.csv")


class ImportSuppliersCommandTestCase:
    def test_it_imports_and_prints_a_summary(self, communes, capsys):
        call_command("import_suppliers", str(SAMPLE), "--language", "en", verbosity=0)
        out = capsys.readouterr().out
        assert "3 suppliers created" in out
        assert Supplier.objects.count() == 3

    def test_it_lists_refused_lines_and_writes_the_rejects_next_to_the_file(
        self, communes, tmp_path, capsys
    ):
        path = write_csv(tmp_path / "in.csv", [hotel(), hotel("B", category="castle")])
        call_command("import_suppliers", str(path), "--language", "en", verbosity=0)
        captured = capsys.readouterr()
        assert "line 3, category" in captured.err
        assert "1 refused" in captured.out
        assert read_csv(tmp_path / "in-rejects.csv")[0]["external_id"] == "B"

    def test_a_dry_run_saves_nothing(self, communes, capsys):
        call_command("import_suppliers", str(SAMPLE), "--dry-run", verbosity=0)
        assert not Supplier.objects.exists()

    def test_a_file_refused_whole_is_a_command_error(self, communes, tmp_path):
        path = tmp_path / "in.csv"
        path.write_text("name\nHotel\n", encoding="utf-8")
        with pytest.raises(CommandError):
            call_command("import_suppliers", str(path), verbosity=0)

    def test_the_rejects_file_cannot_overwrite_the_source(self, communes):
        with pytest.raises(CommandError):
            call_command("import_suppliers", str(SAMPLE), "--rejects", str(SAMPLE), verbosity=0)
