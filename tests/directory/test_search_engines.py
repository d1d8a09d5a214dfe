"""SQLite and PostgreSQL give the same search results: both runs of the suite compare against one record.

The record (data/search_golden.json) was written from a generated directory; regenerate it with
MICEDESK_WRITE_GOLDEN=1 after a deliberate change of the generator or of the search semantics.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

from micedesk.directory.demo import demo_suppliers_generate
from micedesk.directory.selectors import SupplierSearch, supplier_search
from micedesk.geo.models import Commune
from micedesk.geo.services import reference_data_load

GOLDEN = Path(__file__).parent / "data" / "search_golden.json"
QUERIES: dict[str, dict] = {
    "hotel": {"q": "hôtel"},
    "hotels_plural": {"q": "HOTELS"},
    "chateau": {"q": "châteaux"},
    "seminaire_vert": {"q": "séminaire vert"},
    "mer_calvados": {"q": "mer", "departments": ("14",)},
    "prefix": {"q": "dom"},
    "english": {"q": "seaside"},
    "stop_words_only": {"q": "le la les de"},
    "no_match": {"q": "zzzzqx"},
    "u_shape_30": {"layout": "u_shape", "min_capacity": 30, "sort": "capacity"},
    "theatre_200_by_capacity": {"layout": "theatre", "min_capacity": 200, "sort": "capacity"},
    "bedrooms_and_wifi": {"min_bedrooms": 40, "equipment": ("wifi",), "sort": "name"},
    "agencies_76": {"kinds": ("agency",), "departments": ("76",), "sort": "name"},
    "themes": {"themes": ("bord_de_mer",), "sort": "name"},
    "labels": {"labels": ("clef_verte",), "sort": "name"},
    "near_caen": {"commune": "14118", "radius_km": 20, "sort": "distance"},
    "text_and_facets": {
        "q": "salle",
        "departments": ("50", "61"),
        "layout": "theatre",
        "min_capacity": 50,
    },
}


def run_queries() -> dict[str, dict]:
    answers = {}
    for key, params in QUERIES.items():
        params = dict(params)
        if "commune" in params:
            params["commune"] = Commune.objects.get(insee_code=params["commune"])
        result = supplier_search(search=SupplierSearch(page_size=1000, **params))
        ids = [supplier.external_id for supplier in result.results]
        if params.get("sort", "relevance") == "relevance":
            ids = sorted(ids)  # bm25 and ts_rank order ties differently; the set must be the same
        answers[key] = {
            "count": result.count,
            "results": ids,
            "facets": {
                name: {v.code: v.count for v in values} for name, values in result.facets.items()
            },
        }
    return answers


class SearchEnginesTestCase:
    def test_both_engines_give_the_recorded_results(self, db):
        reference_data_load(data_dir=Path(settings.BASE_DIR) / "data" / "geo", progress=False)
        demo_suppliers_generate(count=600, seed=5)
        answers = run_queries()
        if os.environ.get("MICEDESK_WRITE_GOLDEN") == "1":
            GOLDEN.write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n")
        recorded = json.loads(GOLDEN.read_text())
        for key in QUERIES:
            assert answers[key] == recorded[key], key
        assert answers["hotel"] == answers["hotels_plural"]
        assert answers["no_match"]["count"] == 0 and answers["hotel"]["count"] > 0
