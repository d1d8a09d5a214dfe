"""The benchmark's query mix: words and facets, deterministic for a seed."""

from __future__ import annotations

import random
from urllib.parse import urlencode

WORDS = [
    "hotel",
    "château",
    "séminaire",
    "mer",
    "salle",
    "caen",
    "rouen",
    "golf",
    "traiteur",
    "domaine",
    "manoir",
    "congrès",
    "deauville",
    "vert",
    "restaurant",
    "agence",
    "plage",
    "havre",
]
DEPARTMENTS = ["14", "27", "50", "61", "76"]
LAYOUTS = ["theatre", "classroom", "u_shape", "banquet", "cocktail"]
EQUIPMENT = ["projector", "videoconference", "wifi", "blackout", "natural_light"]
THEMES = ["au_vert", "bord_de_mer", "chateau", "urbain"]
KINDS = ["venue", "agency", "service", "activity"]


def query_params(count: int, seed: int = 7) -> list[dict[str, object]]:
    """`count` searches as portal/API parameters: mostly a word, with zero to three facets."""
    rng = random.Random(seed)
    queries = []
    for _ in range(count):
        params: dict[str, object] = {}
        if rng.random() < 0.8:
            params["q"] = " ".join(rng.sample(WORDS, rng.choice([1, 1, 2])))
        facets = rng.sample(
            ["department", "layout", "equipment", "theme", "kind", "bedrooms"], rng.randint(0, 3)
        )
        for facet in facets:
            if facet == "department":
                params["department"] = rng.sample(DEPARTMENTS, rng.choice([1, 1, 2]))
            elif facet == "layout":
                params["layout"] = rng.choice(LAYOUTS)
                params["min_capacity"] = rng.choice([20, 50, 100, 200])
            elif facet == "equipment":
                params["equipment"] = [rng.choice(EQUIPMENT)]
            elif facet == "theme":
                params["theme"] = [rng.choice(THEMES)]
            elif facet == "kind":
                params["kind"] = [rng.choice(KINDS)]
            else:
                params["min_bedrooms"] = rng.choice([10, 30, 60])
        queries.append(params)
    return queries


def query_string(params: dict[str, object]) -> str:
    return urlencode(params, doseq=True)
