"""GET /api/v1/suppliers: every parameter filters as documented, and every bad one is refused by name."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.api.conftest import error_locations, names

URL = "/api/v1/suppliers"
PUBLISHED = [
    "Château de Brécourt",
    "Château de la Forêt",
    "Grand Hôtel de la Mer",
    "Hôtel de la Plage",
    "Traiteur Normand",
]


class SupplierSearchTestCase:
    def test_it_lists_published_suppliers_to_the_public(self, api, directory):
        response = api.get(URL)
        assert names(response) == PUBLISHED
        assert response.json()["count"] == 5
        assert response["Content-Type"].startswith("application/json")

    def test_it_describes_each_result(self, api, directory):
        response = api.get(URL, {"q": "brecourt"})
        [result] = response.json()["results"]
        assert result == {
            "id": directory.chateau.pk,
            "name": "Château de Brécourt",
            "kind": "venue",
            "category": "unusual_venue",
            "commune": {"insee_code": "27229", "name": "Évreux"},
            "department": "27",
            "max_capacity": {"theatre": 120, "classroom": 60, "u_shape": 40, "banquet": 90},
            "bedrooms": 30,
            "url": f"{settings.SITE_URL}/prestataires/chateau-de-brecourt/",
            "distance_km": None,
            "qualification_level": "none",
        }

    def test_it_searches_text_ignoring_accents_case_and_plurals(self, api, directory):
        assert names(api.get(URL, {"q": "CHATEAUX"})) == [
            "Château de Brécourt",
            "Château de la Forêt",
        ]
        assert names(api.get(URL, {"q": "DEMEURES historiques"})) == ["Château de Brécourt"]

    def test_it_filters_by_one_or_several_departments(self, api, directory):
        calvados = ["Grand Hôtel de la Mer", "Hôtel de la Plage", "Traiteur Normand"]
        assert names(api.get(URL, {"department": "14"})) == calvados
        both = names(api.get(URL + "?department=14&department=27"))
        assert both == sorted([*calvados, "Château de Brécourt"])

    def test_it_filters_by_kind(self, api, directory):
        assert names(api.get(URL, {"kind": "service"})) == ["Traiteur Normand"]
        assert names(api.get(URL + "?kind=service&kind=venue")) == PUBLISHED

    def test_it_filters_by_layout_and_capacity(self, api, directory):
        assert names(api.get(URL, {"layout": "banquet"})) == ["Château de Brécourt"]
        big_theatre = api.get(URL, {"layout": "theatre", "min_capacity": 150})
        assert names(big_theatre) == ["Grand Hôtel de la Mer"]
        assert names(api.get(URL, {"min_capacity": 110})) == [
            "Château de Brécourt",
            "Grand Hôtel de la Mer",
        ]

    def test_it_filters_by_bedrooms(self, api, directory):
        assert names(api.get(URL, {"min_bedrooms": 100})) == ["Grand Hôtel de la Mer"]

    def test_it_requires_every_equipment_label_and_theme_asked(self, api, directory):
        assert names(api.get(URL, {"equipment": "blackout"})) == ["Château de Brécourt"]
        both = api.get(URL + "?equipment=projector&equipment=videoconference")
        assert names(both) == ["Grand Hôtel de la Mer"]
        labels = api.get(URL + "?label=clef_verte&label=iso_20121")
        assert names(labels) == ["Château de Brécourt"]
        assert names(api.get(URL, {"label": "green_globe"})) == []
        assert names(api.get(URL, {"theme": "bord_de_mer"})) == ["Grand Hôtel de la Mer"]

    def test_it_filters_by_radius_around_a_commune(self, api, directory):
        response = api.get(URL, {"commune": "14118", "radius_km": 30})
        assert names(response) == ["Hôtel de la Plage", "Traiteur Normand"]
        assert {result["distance_km"] for result in response.json()["results"]} == {0}

    def test_it_sorts_by_capacity_distance_and_name(self, api, directory):
        by_capacity = api.get(URL, {"sort": "capacity", "layout": "theatre"}).json()
        assert [r["name"] for r in by_capacity["results"]] == [
            "Grand Hôtel de la Mer",
            "Château de Brécourt",
            "Hôtel de la Plage",
        ]
        near_evreux = api.get(URL, {"sort": "distance", "commune": "27229"}).json()["results"]
        assert near_evreux[0]["name"] == "Château de Brécourt"
        assert near_evreux[0]["distance_km"] == 0
        distances = [result["distance_km"] for result in near_evreux]
        assert distances == sorted(distances)
        by_name = api.get(URL, {"sort": "name"}).json()["results"]
        assert [result["name"] for result in by_name] == PUBLISHED

    def test_it_pages_results(self, api, directory):
        first = api.get(URL, {"sort": "name", "page_size": 2}).json()
        last = api.get(URL, {"sort": "name", "page_size": 2, "page": 3}).json()
        assert first["count"] == last["count"] == 5
        assert [r["name"] for r in first["results"]] == PUBLISHED[:2]
        assert [r["name"] for r in last["results"]] == PUBLISHED[4:]

    def test_it_answers_an_empty_page_beyond_the_last(self, api, directory):
        response = api.get(URL, {"page": 99})
        assert response.status_code == 200
        assert response.json()["count"] == 5 and response.json()["results"] == []

    def test_it_gives_twenty_results_a_page_by_default_and_a_hundred_at_most(self, api, communes):
        from tests.factories import SupplierFactory

        SupplierFactory.create_batch(101)
        assert len(api.get(URL).json()["results"]) == 20
        assert len(api.get(URL, {"page_size": 100}).json()["results"]) == 100

    def test_it_counts_facets(self, api, directory):
        facets = api.get(URL, {"department": "14"}).json()["facets"]
        assert set(facets) == {
            "department", "kind", "layout", "equipment", "label", "theme", "level",
        }  # fmt: skip
        departments = {f["code"]: f for f in facets["department"]}
        assert departments["14"] == {
            "code": "14",
            "label": "Calvados",
            "count": 3,
            "selected": True,
        }
        assert departments["27"]["count"] == 1 and not departments["27"]["selected"]
        kinds = {f["code"]: f["count"] for f in facets["kind"]}
        assert kinds == {"venue": 2, "service": 1, "agency": 0, "activity": 0}
        equipment = {f["code"]: f["count"] for f in facets["equipment"]}
        assert equipment["videoconference"] == 1 and equipment["blackout"] == 0
        layouts = {f["code"]: f for f in facets["layout"]}
        assert layouts["theatre"]["count"] == 2 and not layouts["theatre"]["selected"]

    def test_it_marks_the_selected_facet_values(self, api, directory):
        facets = api.get(URL + "?theme=chateau&layout=u_shape").json()["facets"]
        assert [f["code"] for f in facets["theme"] if f["selected"]] == ["chateau"]
        assert [f["code"] for f in facets["layout"] if f["selected"]] == ["u_shape"]

    def test_it_names_facet_values_in_the_callers_language(self, api, directory):
        response = api.get(URL, **{"accept-language": "en"})
        kinds = {f["code"]: f["label"] for f in response.json()["facets"]["kind"]}
        assert kinds["service"] == "Service provider"

    def test_it_ignores_a_query_without_searchable_words(self, api, directory):
        for query in ("le la les", "!!!", "\x00"):
            assert names(api.get(URL, {"q": query, "sort": "relevance"})) == PUBLISHED

    @pytest.mark.parametrize(
        "query",
        [
            "\x00\x01\x1f",
            "château 🏰 \u202e\ufeff",
            "%s' OR 1=1 --",
            '"unbalanced * NEAR( AND',
            "x" * 200,
            "ｃｈａｔｅａｕ",
            "le la les",
            "!!! ???",
        ],
    )
    def test_it_survives_any_text(self, api, directory, query):
        assert api.get(URL, {"q": query}).status_code == 200


class SupplierSearchRefusalTestCase:
    @pytest.mark.parametrize(
        ("params", "location"),
        [
            ({"layout": "stage"}, ["query", "layout"]),
            ({"kind": "hotel"}, ["query", "kind", 0]),
            ({"equipment": "piano"}, ["query", "equipment", 0]),
            ({"label": "michelin"}, ["query", "label", 0]),
            ({"theme": "ski"}, ["query", "theme", 0]),
            ({"department": "75"}, ["query", "department"]),
            ({"department": "fourteen"}, ["query", "department", 0]),
            ({"page": 0}, ["query", "page"]),
            ({"page": -3}, ["query", "page"]),
            ({"page": "two"}, ["query", "page"]),
            ({"page": "9" * 30}, ["query", "page"]),
            ({"page_size": 0}, ["query", "page_size"]),
            ({"page_size": 101}, ["query", "page_size"]),
            ({"min_capacity": -1}, ["query", "min_capacity"]),
            ({"min_capacity": "many"}, ["query", "min_capacity"]),
            ({"min_capacity": "9" * 30}, ["query", "min_capacity"]),
            ({"min_capacity": "1.5"}, ["query", "min_capacity"]),
            ({"min_bedrooms": -2}, ["query", "min_bedrooms"]),
            ({"commune": "99999"}, ["query", "commune"]),
            ({"commune": "75056"}, ["query", "commune"]),
            ({"commune": "Caen"}, ["query", "commune"]),
            ({"radius_km": 20}, ["query", "radius_km"]),
            ({"commune": "14118", "radius_km": 0}, ["query", "radius_km"]),
            ({"commune": "14118", "radius_km": "9" * 30}, ["query", "radius_km"]),
            ({"sort": "distance"}, ["query", "sort"]),
            ({"sort": "random"}, ["query", "sort"]),
            ({"q": "x" * 201}, ["query", "q"]),
        ],
    )
    def test_it_refuses_a_bad_parameter_and_names_it(self, api, directory, params, location):
        assert error_locations(api.get(URL, params)) == [location]

    def test_it_refuses_to_measure_from_a_commune_without_coordinates(self, api, directory):
        from micedesk.geo.models import Commune

        Commune.objects.filter(pk="14047").update(latitude=None, longitude=None)
        for params in (
            {"commune": "14047", "radius_km": 10},
            {"commune": "14047", "sort": "distance"},
        ):
            response = api.get(URL, params)
            assert error_locations(response) == [["query", "commune"]]
        assert api.get(URL, {"commune": "14047"}).status_code == 200

    def test_it_reports_every_bad_parameter_at_once(self, api, directory):
        response = api.get(URL, {"layout": "stage", "page_size": 500, "q": "x" * 300})
        locations = error_locations(response)
        assert sorted(locations) == [["query", "layout"], ["query", "page_size"], ["query", "q"]]

    def test_it_explains_the_refusal_in_words(self, api, directory):
        [error] = api.get(URL, {"department": "75"}).json()["detail"]
        assert error["type"] == "unknown_department" and "75" in error["msg"]
