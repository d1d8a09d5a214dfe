"""The published qualification level in the API: `qualification_level` on each search result and on
the detail, the `level` parameter (that level or better), its facet and its refusals."""

from __future__ import annotations

import datetime

import pytest

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import QualificationLevel
from tests.api.conftest import error_locations, names

URL = "/api/v1/suppliers"


def level_set(supplier: Supplier, level: int, valid_until: datetime.date | None = None) -> None:
    Supplier.objects.filter(pk=supplier.pk).update(
        qualification_level=level, qualification_valid_until=valid_until
    )


@pytest.fixture
def graded(directory):
    """The château recommended, the seaside hotel qualified, the caterer referenced; the staff-only
    draft recommended too."""
    level_set(directory.chateau, QualificationLevel.RECOMMENDED, datetime.date(2029, 6, 30))
    level_set(directory.seaside, QualificationLevel.QUALIFIED, datetime.date(2028, 1, 31))
    level_set(directory.caterer, QualificationLevel.REFERENCED, datetime.date(2027, 3, 1))
    level_set(directory.other_draft, QualificationLevel.RECOMMENDED)
    return directory


class SupplierSearchLevelTestCase:
    def test_each_result_carries_its_level_code(self, api, graded):
        results = api.get(URL, {"sort": "name"}).json()["results"]
        assert {r["name"]: r["qualification_level"] for r in results} == {
            "Château de Brécourt": "recommended",
            "Château de la Forêt": "none",
            "Grand Hôtel de la Mer": "qualified",
            "Hôtel de la Plage": "none",
            "Traiteur Normand": "referenced",
        }

    def test_it_filters_by_that_level_or_better(self, api, graded):
        assert names(api.get(URL, {"level": "qualified"})) == [
            "Château de Brécourt",
            "Grand Hôtel de la Mer",
        ]
        assert names(api.get(URL, {"level": "recommended"})) == ["Château de Brécourt"]
        assert len(names(api.get(URL, {"level": "referenced"}))) == 3
        assert len(names(api.get(URL, {"level": "none"}))) == 5

    def test_it_combines_the_level_with_other_parameters(self, api, graded):
        response = api.get(URL, {"level": "referenced", "department": "14"})
        assert names(response) == ["Grand Hôtel de la Mer", "Traiteur Normand"]

    def test_it_counts_the_level_facet_cumulatively(self, api, graded):
        facets = api.get(URL, {"level": "qualified"}).json()["facets"]
        levels = {f["code"]: f["count"] for f in facets["level"]}
        assert levels == {"none": 5, "referenced": 3, "qualified": 2, "recommended": 1}
        assert [f["code"] for f in facets["level"] if f["selected"]] == ["qualified"]
        kinds = {f["code"]: f["count"] for f in facets["kind"]}
        assert kinds["service"] == 0  # the other facets follow the level filter

    def test_it_names_the_levels_in_the_callers_language(self, api, graded):
        response = api.get(URL, **{"accept-language": "en"})
        labels = {f["code"]: f["label"] for f in response.json()["facets"]["level"]}
        assert labels["qualified"] == "Qualified" and labels["none"] == "Not qualified"

    def test_drafts_with_a_level_are_seen_only_by_staff(self, api, graded, keys):
        assert "Pavillon Secret" not in names(api.get(URL, {"level": "recommended"}))
        staff = api.get(URL, {"level": "recommended"}, key=keys.staff)
        assert names(staff) == ["Château de Brécourt", "Pavillon Secret"]
        partner = api.get(URL, {"level": "recommended"}, key=keys.partner)
        assert names(partner) == ["Château de Brécourt"]
        levels = {f["code"]: f["count"] for f in partner.json()["facets"]["level"]}
        assert levels["recommended"] == 1

    def test_the_detail_gives_the_level_and_its_validity(self, api, graded):
        document = api.get(f"{URL}/{graded.chateau.pk}").json()
        assert document["qualification_level"] == "recommended"
        assert document["qualification_valid_until"] == "2029-06-30"
        plain = api.get(f"{URL}/{graded.hotel.pk}").json()
        assert plain["qualification_level"] == "none"
        assert plain["qualification_valid_until"] is None

    def test_the_detail_gives_no_validity_without_a_level(self, api, graded):
        level_set(graded.hotel, QualificationLevel.NONE, datetime.date(2020, 1, 1))
        document = api.get(f"{URL}/{graded.hotel.pk}").json()
        assert document["qualification_valid_until"] is None


class SupplierSearchLevelRefusalTestCase:
    @pytest.mark.parametrize("value", ["gold", "2", "Qualified", "", "qualified "])
    def test_it_refuses_an_unknown_level_by_name(self, api, directory, value):
        response = api.get(URL, {"level": value})
        assert error_locations(response) == [["query", "level"]]

    def test_it_refuses_a_bad_level_with_other_errors_together(self, api, directory):
        response = api.get(URL, {"level": "top", "layout": "stage"})
        assert sorted(error_locations(response)) == [["query", "layout"], ["query", "level"]]


class SupplierLevelOpenApiTestCase:
    def test_the_document_lists_the_level_codes(self, api, db):
        document = api.get("/api/openapi.json").json()
        [parameter] = [
            p for p in document["paths"]["/api/v1/suppliers"]["get"]["parameters"]
            if p["name"] == "level"
        ]  # fmt: skip
        schema = parameter["schema"]
        if "$ref" in schema:
            schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        assert schema["enum"] == ["none", "referenced", "qualified", "recommended"]
        summary = document["components"]["schemas"]["SupplierSummaryOut"]
        assert "qualification_level" in summary["required"]
