"""The supplier search selector: text, facets, sorting and scoping, the same on both engines."""

from __future__ import annotations

import pytest

from micedesk.directory.models import Status
from micedesk.directory.selectors import SupplierSearch, supplier_search
from micedesk.directory.vocab import EQUIPMENT, LABELS, THEMES
from tests.factories import MeetingRoomFactory, SupplierFactory


@pytest.fixture
def directory(communes):
    chateau = SupplierFactory(
        name="Château de Brécourt",
        slug="chateau-brecourt",
        category="unusual_venue",
        commune=communes["27229"],
        bedrooms=30,
        theme_mask=THEMES.mask(["chateau", "au_vert"]),
        label_mask=LABELS.mask(["clef_verte"]),
        description_fr="Demeure historique, séminaires au vert.",
        description_en="Historic manor.",
    )
    MeetingRoomFactory(
        supplier=chateau,
        name="Salle des Gardes",
        capacity_theatre=120,
        capacity_u_shape=40,
        blackout=True,
    )
    hotel = SupplierFactory(
        name="Hôtel Barrière",
        slug="hotel-barriere",
        commune=communes["14220"],
        bedrooms=200,
        theme_mask=THEMES.mask(["bord_de_mer"]),
        description_fr="Face à la mer, salles de réunion.",
    )
    MeetingRoomFactory(
        supplier=hotel,
        name="Salon Mer",
        capacity_theatre=400,
        capacity_u_shape=None,
        videoconference=True,
    )
    caterer = SupplierFactory(
        name="Traiteur Normand",
        slug="traiteur",
        category="caterer",
        kind="service",
        commune=communes["14118"],
        bedrooms=0,
        description_fr="Buffets et cocktails.",
        description_en="Buffets.",
    )
    draft = SupplierFactory(
        name="Hôtel Brouillon", slug="brouillon", status=Status.DRAFT, commune=communes["14118"]
    )
    return {"chateau": chateau, "hotel": hotel, "caterer": caterer, "draft": draft}


def names(result):
    return sorted(supplier.name for supplier in result.results)


class SupplierSearchTestCase:
    def test_it_ignores_accents_case_and_plurals(self, directory):
        for query in ("chateaux", "CHÂTEAU", "Château brécourt"):
            assert names(supplier_search(search=SupplierSearch(q=query))) == ["Château de Brécourt"]

    def test_it_matches_word_forms_and_the_place(self, directory):
        assert names(supplier_search(search=SupplierSearch(q="séminaire"))) == [
            "Château de Brécourt"
        ]
        assert names(supplier_search(search=SupplierSearch(q="deauville"))) == ["Hôtel Barrière"]
        assert "Hôtel Barrière" in names(supplier_search(search=SupplierSearch(q="hotels")))

    def test_it_never_shows_drafts_to_the_public(self, directory):
        assert "Hôtel Brouillon" not in names(supplier_search(search=SupplierSearch(q="hotel")))

    def test_it_filters_by_layout_capacity_and_bedrooms(self, directory):
        result = supplier_search(search=SupplierSearch(layout="u_shape", min_capacity=30))
        assert names(result) == ["Château de Brécourt"]
        assert names(supplier_search(search=SupplierSearch(min_bedrooms=100))) == ["Hôtel Barrière"]

    def test_it_filters_by_equipment_label_and_theme(self, directory):
        assert names(supplier_search(search=SupplierSearch(equipment=("blackout",)))) == [
            "Château de Brécourt"
        ]
        assert names(supplier_search(search=SupplierSearch(labels=("clef_verte",)))) == [
            "Château de Brécourt"
        ]
        assert names(supplier_search(search=SupplierSearch(themes=("bord_de_mer",)))) == [
            "Hôtel Barrière"
        ]

    def test_it_counts_facets_of_the_filtered_results(self, directory):
        result = supplier_search(search=SupplierSearch(departments=("14",)))
        departments = {facet.code: facet.count for facet in result.facets["department"]}
        assert departments == {"14": 2, "27": 1}  # disjunctive: other departments still counted
        kinds = {facet.code: facet.count for facet in result.facets["kind"]}
        assert kinds["venue"] == 1 and kinds["service"] == 1
        equipment = {facet.code: facet.count for facet in result.facets["equipment"]}
        assert equipment["videoconference"] == 1 and equipment["blackout"] == 0
        assert len(result.facets["equipment"]) == len(EQUIPMENT.flags)

    def test_it_sorts_by_capacity_and_distance(self, directory, communes):
        by_capacity = supplier_search(search=SupplierSearch(sort="capacity", layout="theatre"))
        assert [s.name for s in by_capacity.results] == ["Hôtel Barrière", "Château de Brécourt"]
        near_evreux = supplier_search(
            search=SupplierSearch(sort="distance", commune=communes["27229"])
        )
        assert near_evreux.results[0].name == "Château de Brécourt"
        assert near_evreux.results[0].distance_km == 0

    def test_it_filters_by_radius(self, directory, communes):
        result = supplier_search(search=SupplierSearch(commune=communes["14118"], radius_km=50))
        assert names(result) == ["Hôtel Barrière", "Traiteur Normand"]

    def test_it_paginates(self, directory):
        result = supplier_search(search=SupplierSearch(page_size=2, page=2, sort="name"))
        assert (
            result.count == 3 and names(result) == ["Traiteur Normand"] and result.page_count == 2
        )
