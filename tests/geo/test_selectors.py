"""The geo selectors: who covers a commune, the commune picker, a territory, the departments."""

from __future__ import annotations

import pytest
from django.test import override_settings

from micedesk.geo.models import Commune, Partner, PartnerKind
from micedesk.geo.selectors import (
    commune_search,
    communes_of_partner,
    departments_of_region,
    partners_covering,
)
from micedesk.geo.services import reference_data_load
from tests.conftest import shared_data
from tests.geo.conftest import DATA_DIR


@pytest.fixture(scope="class")
def shared_reference_data(django_db_setup, django_db_blocker):
    """The shipped reference data, loaded once for each class: these tests only read it."""
    yield from shared_data(
        django_db_blocker, lambda: reference_data_load(data_dir=DATA_DIR, progress=False)
    )


@pytest.fixture
def reference_data(db, shared_reference_data) -> dict:
    return shared_reference_data


def names(items) -> list[str]:
    return [item.name for item in items]


@pytest.mark.django_db
class PartnersCoveringTestCase:
    def test_it_finds_the_caen_convention_bureau_then_calvados_attractivite_for_caen(
        self, reference_data
    ):
        assert names(partners_covering(commune="14118")) == [
            "Caen Normandie Convention Bureau",
            "Calvados Attractivité",
        ]

    def test_it_takes_a_commune_as_well_as_a_code(self, reference_data):
        rouen = Commune.objects.get(pk="76540")
        assert names(partners_covering(commune=rouen)) == [
            "Rouen Normandie Convention Bureau",
            "Seine-Maritime Attractivité",
        ]

    def test_it_filters_by_kind(self, reference_data):
        found = partners_covering(commune="14220", kind=PartnerKind.ATTRACTIVENESS_AGENCY)
        assert names(found) == ["Calvados Attractivité"]
        found = partners_covering(commune="14220", kind=PartnerKind.CONVENTION_BUREAU)
        assert names(found) == ["Deauville Convention Bureau"]

    def test_a_commune_outside_every_bureau_has_only_its_agency(self, reference_data):
        assert names(partners_covering(commune="14047")) == ["Calvados Attractivité"]

    def test_an_unknown_commune_has_no_partner(self, reference_data):
        assert names(partners_covering(commune="99999")) == []

    def test_it_is_one_query(self, reference_data, django_assert_num_queries):
        with django_assert_num_queries(1):
            found = list(partners_covering(commune="61483"))
        assert names(found) == ["Bagnoles-de-l'Orne Convention Bureau", "Orne Attractivité"]


@pytest.mark.django_db
class CommuneSearchTestCase:
    def test_it_ignores_accents_and_case(self, reference_data):
        for text in ("evreux", "EVREUX", "Évreux", "évr"):
            assert names(commune_search(text=text))[0] == "Évreux", text

    def test_it_ignores_hyphens_and_apostrophes(self, reference_data):
        assert names(commune_search(text="saint lo"))[0] == "Saint-Lô"
        assert "Bagnoles de l'Orne Normandie" in names(commune_search(text="bagnoles de l orne"))

    def test_it_finds_a_word_inside_the_name_after_the_names_that_start_with_it(
        self, reference_data
    ):
        found = names(commune_search(text="havre", limit=50))
        assert "Le Havre" in found
        assert all(name.lower().startswith("havre") for name in found[: found.index("Le Havre")])

    def test_it_puts_the_largest_communes_first(self, reference_data):
        found = list(commune_search(text="cae"))
        assert found[0].name == "Caen"

    def test_it_finds_communes_by_postal_code(self, reference_data):
        assert names(commune_search(text="76100")) == ["Rouen", "Blainville-Crevon"]  # INSEE 76100
        assert names(commune_search(text="14000")) == ["Caen"]
        found = commune_search(text="140", limit=50)
        assert found and all(
            any(code.startswith("140") for code in commune.postal_codes)
            or commune.insee_code.startswith("140")
            for commune in found
        )

    def test_it_finds_a_commune_by_insee_code(self, reference_data):
        assert names(commune_search(text="14118")) == ["Caen"]

    def test_it_respects_the_limit(self, reference_data):
        assert len(commune_search(text="saint", limit=7)) == 7

    def test_it_finds_nothing_for_empty_or_unknown_text(self, reference_data):
        assert names(commune_search(text="  ")) == []
        assert names(commune_search(text="--")) == []
        assert names(commune_search(text="zzzzq")) == []


@pytest.mark.django_db
class CommunesOfPartnerTestCase:
    def test_it_lists_the_territory_by_name(self, reference_data):
        deauville = Partner.objects.get(slug="deauville-convention-bureau")
        found = names(communes_of_partner(partner=deauville))
        assert "Deauville" in found and "Trouville-sur-Mer" in found
        assert found == sorted(found) and len(found) == deauville.communes.count()

    def test_it_is_empty_for_a_partner_without_territory(self, communes):
        partner = Partner.objects.create(
            name="Office de tourisme", slug="office", kind="tourist_office", department_id="14"
        )
        assert list(communes_of_partner(partner=partner)) == []


@pytest.mark.django_db
class DepartmentsOfRegionTestCase:
    def test_it_lists_the_five_departments_of_normandy(self, communes):
        assert [d.code for d in departments_of_region()] == ["14", "27", "50", "61", "76"]

    @override_settings(MICEDESK_REGION_CODE="53")
    def test_it_lists_only_the_configured_region(self, communes):
        assert list(departments_of_region()) == []
