"""reference_data_load: the region, its communes and the partners, loaded idempotently from files."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from micedesk.geo.models import Commune, Department, Partner, PartnerKind, Region
from micedesk.geo.services import ReferenceDataError, reference_data_load
from tests.geo.conftest import DATA_DIR, read_rows

FILE_ROWS = read_rows(DATA_DIR / "communes-28.csv")[1]
NORMANDY = {"14": "Calvados", "27": "Eure", "50": "Manche", "61": "Orne", "76": "Seine-Maritime"}


def snapshot() -> dict:
    """Everything the load writes, to compare before and after."""
    through = Partner.communes.through
    return {
        "regions": list(Region.objects.values_list("code", "name")),
        "departments": list(Department.objects.values_list("code", "name", "region_id")),
        "communes": list(Commune.objects.order_by("pk").values()),
        "partners": list(Partner.objects.order_by("pk").values()),
        "territories": sorted(through.objects.values_list("partner_id", "commune_id")),
    }


@pytest.mark.django_db
class ReferenceDataLoadTestCase:
    def test_it_loads_the_region_its_departments_and_every_commune_of_the_file(
        self, reference_data
    ):
        assert Region.objects.get().name == "Normandie"
        assert dict(Department.objects.values_list("code", "name")) == NORMANDY
        assert Commune.objects.count() == len(FILE_ROWS) == reference_data["communes"]
        assert reference_data["communes_created"] == len(FILE_ROWS)

    def test_it_gives_each_department_a_plausible_number_of_communes(self, reference_data):
        per_department = {
            department.code: department.communes.count() for department in Department.objects.all()
        }
        # Normandy's departments hold between 350 and 750 communes each (2026 official list).
        assert all(350 <= count <= 750 for count in per_department.values()), per_department
        assert per_department["76"] > per_department["27"] > per_department["14"]
        assert sum(per_department.values()) == len(FILE_ROWS)

    def test_it_keeps_the_official_names_postal_codes_population_and_coordinates(
        self, reference_data
    ):
        caen = Commune.objects.get(pk="14118")
        assert (caen.name, caen.slug, caen.department_id) == ("Caen", "caen", "14")
        assert caen.postal_codes == ["14000"]
        assert caen.population > 100_000
        assert caen.latitude == pytest.approx(49.18, abs=0.02)
        assert caen.longitude == pytest.approx(-0.37, abs=0.02)
        assert Commune.objects.get(pk="27229").slug == "evreux"
        assert Commune.objects.get(pk="76540").postal_codes == ["76000", "76100"]
        assert not Commune.objects.filter(latitude__isnull=True).exists()

    def test_a_second_run_changes_nothing_and_duplicates_nothing(self, reference_data):
        before = snapshot()
        again = reference_data_load(data_dir=DATA_DIR, progress=False)
        assert snapshot() == before
        assert again["communes"] == reference_data["communes"]
        changed = ("communes_created", "communes_updated", "communes_removed")
        changed += ("partners_created", "partners_updated", "territory_added")
        changed += ("territory_removed", "region_changed", "departments_changed")
        assert {key: again[key] for key in changed} == dict.fromkeys(changed, 0)

    def test_it_updates_the_communes_that_already_exist(self, communes):
        counts = reference_data_load(data_dir=DATA_DIR, progress=False)
        assert counts["communes_updated"] == len(communes)
        assert counts["communes_created"] == len(FILE_ROWS) - len(communes)
        assert Commune.objects.get(pk="27229").slug == "evreux"
        assert Commune.objects.count() == len(FILE_ROWS)

    def test_it_gives_the_partners_the_communes_of_their_epci_or_department(self, reference_data):
        caen_bureau = Partner.objects.get(slug="caen-normandie-convention-bureau")
        assert caen_bureau.kind == PartnerKind.CONVENTION_BUREAU
        caen_area = set(caen_bureau.communes.values_list("pk", flat=True))
        assert {"14118"} <= caen_area and "14047" not in caen_area  # Caen, not Bayeux
        assert len(caen_area) == sum(1 for row in FILE_ROWS if row["epci"] == "200065597")
        calvados = Partner.objects.get(name="Calvados Attractivité")
        assert calvados.communes.count() == Commune.objects.filter(department="14").count()
        bagnoles = Partner.objects.get(slug="bagnoles-de-lorne-convention-bureau")
        assert bagnoles.communes.filter(pk="61483").exists()
        assert Partner.objects.filter(kind=PartnerKind.CONVENTION_BUREAU).count() == 5
        assert Partner.objects.filter(kind=PartnerKind.ATTRACTIVENESS_AGENCY).count() == 5
        assert reference_data["partners"] == 10

    def test_it_keeps_what_the_bureau_entered_on_a_partner(self, people):
        partner = people.partner_org  # the Caen convention bureau, with one member
        partner.email = "contact@bureau.example"
        partner.save()
        reference_data_load(data_dir=DATA_DIR, progress=False)
        partner.refresh_from_db()
        assert partner.email == "contact@bureau.example"
        assert list(partner.members.all()) == [people.partner]
        assert Partner.objects.filter(name=partner.name).count() == 1
        # The territory follows the file: Caen la Mer, which Bayeux is not part of.
        assert not partner.communes.filter(pk="14047").exists()

    def test_it_keeps_a_vanished_commune_that_a_supplier_points_to(self, people, data_copy):
        reference_data_load(data_dir=DATA_DIR, progress=False)
        without_rouen = data_copy("communes-28.csv", drop_commune("76540"))
        counts = reference_data_load(data_dir=without_rouen, progress=False)
        assert Commune.objects.filter(pk="76540").exists()  # the other hotel is in Rouen
        assert (counts["communes_kept"], counts["kept_codes"]) == (1, ["76540"])
        assert counts["communes_removed"] == 0

    def test_it_removes_a_vanished_commune_that_nothing_points_to(self, reference_data, data_copy):
        without_bayeux = data_copy("communes-28.csv", drop_commune("14047"))
        counts = reference_data_load(data_dir=without_bayeux, progress=False)
        assert not Commune.objects.filter(pk="14047").exists()
        assert (counts["communes_removed"], counts["communes_kept"]) == (1, 0)
        assert Commune.objects.count() == len(FILE_ROWS) - 1


def drop_commune(code: str):
    def change(header: list[str], rows: list[dict]) -> None:
        rows[:] = [row for row in rows if row["insee_code"] != code]

    return change


def set_field(file_key: str, key_value: str, field: str, value: str):
    def change(header: list[str], rows: list[dict]) -> None:
        for row in rows:
            if row[file_key] == key_value:
                row[field] = value

    return change


@pytest.mark.django_db
class ReferenceDataRefusalTestCase:
    """A bad file is refused with a message naming file, line and reason; nothing is written."""

    @pytest.fixture(autouse=True)
    def before(self, communes):
        self.before = snapshot()
        with translation.override("en"):  # the messages are checked in their source language
            yield

    def refused(self, data_dir) -> str:
        with pytest.raises(ReferenceDataError) as refusal:
            reference_data_load(data_dir=data_dir, progress=False)
        assert snapshot() == self.before
        return str(refusal.value)

    def test_it_refuses_a_file_with_a_missing_column(self, data_copy):
        message = self.refused(
            data_copy("communes-28.csv", lambda header, rows: header.remove("population"))
        )
        assert "communes-28.csv" in message and "population" in message

    def test_it_refuses_a_commune_of_an_unknown_department(self, data_copy):
        message = self.refused(
            data_copy("communes-28.csv", set_field("insee_code", "14118", "department", "99"))
        )
        line = 2 + [row["insee_code"] for row in FILE_ROWS].index("14118")
        assert f"communes-28.csv, line {line}: unknown department '99'" in message

    def test_it_refuses_a_commune_twice(self, data_copy):
        def duplicate(header, rows):
            rows.append(dict(rows[0]))

        assert "appears twice" in self.refused(data_copy("communes-28.csv", duplicate))

    def test_it_refuses_bad_numbers_and_codes(self, data_copy):
        def spoil(header, rows):
            rows[0]["population"] = "many"
            rows[1]["latitude"] = "123"
            rows[2]["postal_codes"] = "1400"
            rows[3]["insee_code"] = "ABCDE"
            rows[4]["longitude"] = ""

        message = self.refused(data_copy("communes-28.csv", spoil))
        assert "line 2: 'many' is not a valid number here" in message
        assert "line 3: '123' is not a valid number here" in message
        assert "line 4: postal codes are 5 digits" in message
        assert "line 5: 'ABCDE' is not an INSEE commune code" in message
        assert "line 6: latitude and longitude go together" in message

    def test_it_refuses_a_partner_listed_twice(self, data_copy):
        def duplicate(header, rows):
            rows.append(dict(rows[0], slug="another-slug"))

        assert "line 12: a partner with this slug or name appears twice" in self.refused(
            data_copy("partners.csv", duplicate)
        )

    def test_it_refuses_a_file_that_is_not_utf8(self, data_copy):
        folder = data_copy()
        text = (folder / "partners.csv").read_text(encoding="utf-8")
        (folder / "partners.csv").write_text(text, encoding="latin-1")
        assert "partners.csv is not a UTF-8 CSV file" in self.refused(folder)

    def test_it_refuses_a_partner_with_an_unknown_territory_or_kind(self, data_copy):
        def spoil(header, rows):
            rows[0]["territory"] = "epci:123456789"
            rows[1]["kind"] = "embassy"
            rows[2]["territory"] = "canton:1401"

        message = self.refused(data_copy("partners.csv", spoil))
        assert "line 2: territory 'epci:123456789' names nothing" in message
        assert "line 3: unknown kind 'embassy'" in message
        assert "line 4: territory 'canton:1401' must be" in message

    def test_it_refuses_departments_of_another_region(self, data_copy):
        message = self.refused(
            data_copy("departments-28.csv", set_field("code", "14", "region_code", "11"))
        )
        assert "region 11 is not the configured region 28" in message

    def test_it_refuses_a_missing_file(self, data_copy):
        folder = data_copy()
        (folder / "epci-28.csv").unlink()
        assert "epci-28.csv is missing" in self.refused(folder)

    @override_settings(MICEDESK_REGION_CODE="53")
    def test_it_refuses_to_load_a_region_it_has_no_files_for(self):
        assert "departments-53.csv is missing" in self.refused(DATA_DIR)

    def test_it_writes_nothing_when_a_write_fails_half_way(self, data_copy):
        # Two partners entered by hand clash with the file only at the last step, once the
        # communes are written: the transaction takes those back too.
        Partner.objects.create(
            name="Eure Attractivité", slug="eure-tourism", kind="tourist_office", department_id="27"
        )
        Partner.objects.create(
            name="Eure office", slug="eure-attractivite", kind="tourist_office", department_id="27"
        )
        self.before = snapshot()
        assert "with this Name already exists" in self.refused(DATA_DIR)
