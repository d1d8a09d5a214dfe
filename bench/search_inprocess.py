"""In-process search benchmark: 200 mixed queries through the selector the portal and API use."""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micedesk.settings")

import django

django.setup()

from bench.search_queries import query_params  # noqa: E402
from micedesk.directory.selectors import SupplierSearch, supplier_search  # noqa: E402


def to_search(params: dict) -> SupplierSearch:
    return SupplierSearch(
        q=str(params.get("q", "")),
        departments=tuple(params.get("department", ())),
        kinds=tuple(params.get("kind", ())),
        layout=params.get("layout"),
        min_capacity=params.get("min_capacity"),
        min_bedrooms=params.get("min_bedrooms"),
        equipment=tuple(params.get("equipment", ())),
        themes=tuple(params.get("theme", ())),
    )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def main() -> None:
    searches = [to_search(params) for params in query_params(200)]
    for search in searches[:20]:  # warm the caches
        supplier_search(search=search)
    timings = []
    for search in searches:
        start = time.perf_counter()
        result = supplier_search(search=search)
        timings.append((time.perf_counter() - start) * 1000)
        assert result.count >= 0
    print(
        json.dumps(
            {
                "queries": len(timings),
                "search_p50_ms": round(statistics.median(timings), 2),
                "search_p95_ms": round(percentile(timings, 0.95), 2),
                "search_max_ms": round(max(timings), 2),
            }
        )
    )


if __name__ == "__main__":
    main()
