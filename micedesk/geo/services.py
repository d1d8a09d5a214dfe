"""Writes on the geography: load the reference data files of the region, set a partner's territory.

The files (see data/README.md) are read and checked whole before anything is written, and the
writes run in one transaction: a bad file changes nothing. Loading twice changes nothing the
second time.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _
from tqdm import tqdm

from micedesk.geo.models import Commune, Department, Partner, PartnerKind, Region

COMMUNE_FIELDS = ["name", "slug", "department_id", "postal_codes", "population", "latitude"]
COMMUNE_FIELDS += ["longitude"]
INSEE_CODE = re.compile(r"^\d[\dAB]\d{3}$")
POSTAL_CODE = re.compile(r"^\d{5}$")
SIREN = re.compile(r"^\d{9}$")
MAX_ERRORS_SHOWN = 20
BATCH_SIZE = 500


class ReferenceDataError(Exception):
    """A reference data file that cannot be loaded. Nothing was written."""


@dataclass(frozen=True)
class CommuneRow:
    insee_code: str
    name: str
    department: str
    postal_codes: list[str]
    population: int | None
    latitude: float | None
    longitude: float | None
    epci: str


@dataclass(frozen=True)
class PartnerRow:
    slug: str
    name: str
    kind: str
    department: str
    territory: list[str]


@dataclass
class ReferenceData:
    """The content of the data files of one region, checked."""

    region_code: str
    region_name: str
    departments: dict[str, str]
    epcis: dict[str, str]
    communes: list[CommuneRow]
    partners: list[PartnerRow]

    def territory_codes(self, tokens: Iterable[str]) -> set[str]:
        """INSEE codes of the communes named by territory tokens (epci:, department:, commune:)."""
        codes: set[str] = set()
        for token in tokens:
            scope, _sep, value = token.partition(":")
            field = {"epci": "epci", "department": "department", "commune": "insee_code"}[scope]
            codes |= {row.insee_code for row in self.communes if getattr(row, field) == value}
        return codes


class _Errors:
    """Collects what is wrong in the files, so that one run reports every problem at once."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, path: Path, line: int, message: str) -> None:
        self.messages.append(
            _("%(file)s, line %(line)d: %(message)s")
            % {"file": path.name, "line": line, "message": message}
        )

    def raise_if_any(self) -> None:
        if not self.messages:
            return
        shown = self.messages[:MAX_ERRORS_SHOWN]
        if len(self.messages) > MAX_ERRORS_SHOWN:
            shown.append(_("… and %(count)d more") % {"count": len(self.messages) - len(shown)})
        raise ReferenceDataError(
            _("The reference data was not loaded:") + "\n" + "\n".join(f"- {m}" for m in shown)
        )


def _read_csv(path: Path, columns: tuple[str, ...]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for each data row; refuses a missing or unreadable file or column."""
    if not path.is_file():
        raise ReferenceDataError(_("The reference data file %(path)s is missing.") % {"path": path})
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            rows = [
                (number, {key: (value or "").strip() for key, value in row.items() if key})
                for number, row in enumerate(reader, start=2)
            ]
    except (UnicodeDecodeError, csv.Error) as error:
        raise ReferenceDataError(
            _("%(file)s is not a UTF-8 CSV file: %(error)s") % {"file": path.name, "error": error}
        ) from error
    missing = [column for column in columns if column not in header]
    if missing:
        raise ReferenceDataError(
            _("%(file)s: missing column(s) %(columns)s.")
            % {"file": path.name, "columns": ", ".join(missing)}
        )
    return rows


def _read_departments(data_dir: Path, region_code: str, errors: _Errors) -> tuple[str, dict]:
    path = data_dir / f"departments-{region_code}.csv"
    rows = _read_csv(path, ("code", "name", "region_code", "region_name"))
    departments, region_names = {}, set()
    for line, row in rows:
        if row["region_code"] != region_code:
            errors.add(
                path,
                line,
                _("region %(found)s is not the configured region %(region)s")
                % {"found": row["region_code"], "region": region_code},
            )
        elif not row["code"] or not row["name"] or row["code"] in departments:
            errors.add(path, line, _("a department needs a unique code and a name"))
        else:
            departments[row["code"]] = row["name"]
            region_names.add(row["region_name"])
    if len(region_names) != 1 or not all(region_names):
        errors.add(path, 1, _("the departments must name their region once, the same way"))
    return (region_names.pop() if len(region_names) == 1 else ""), departments


def _read_epcis(data_dir: Path, region_code: str, errors: _Errors) -> dict[str, str]:
    path = data_dir / f"epci-{region_code}.csv"
    epcis = {}
    for line, row in _read_csv(path, ("siren", "name")):
        if not SIREN.match(row["siren"]) or not row["name"] or row["siren"] in epcis:
            errors.add(path, line, _("an EPCI needs a unique 9-digit SIREN and a name"))
        else:
            epcis[row["siren"]] = row["name"]
    return epcis


def _number(text: str, kind: type, low: float, high: float) -> Any:
    """The number in text (None when empty); ValueError when it is not one or out of range."""
    if not text:
        return None
    try:
        value = kind(text)
    except ValueError:
        raise ValueError(text) from None
    if not low <= value <= high:
        raise ValueError(text)
    return value


def _commune_row(row: dict[str, str], data: ReferenceData) -> tuple[CommuneRow | None, str]:
    """The checked commune of one file row, or None and the reason it is refused."""
    code, department = row["insee_code"], row["department"]
    if not INSEE_CODE.match(code):
        return None, _("%(code)r is not an INSEE commune code") % {"code": code}
    if department not in data.departments:
        return None, _("unknown department %(department)r") % {"department": department}
    if not code.startswith(department):
        return None, _("%(code)s is not in department %(department)s") % {
            "code": code,
            "department": department,
        }
    if not row["name"] or len(row["name"]) > 100:
        return None, _("a commune needs a name of at most 100 characters")
    postal_codes = row["postal_codes"].split()
    if not all(POSTAL_CODE.match(postal_code) for postal_code in postal_codes):
        return None, _("postal codes are 5 digits, separated by spaces")
    if row["epci"] and row["epci"] not in data.epcis:
        return None, _("unknown EPCI %(siren)r") % {"siren": row["epci"]}
    try:
        population = _number(row["population"], int, 0, 10**8)
        latitude = _number(row["latitude"], float, -90, 90)
        longitude = _number(row["longitude"], float, -180, 180)
    except ValueError as error:
        return None, _("%(value)r is not a valid number here") % {"value": str(error)}
    if (latitude is None) != (longitude is None):
        return None, _("latitude and longitude go together")
    return CommuneRow(
        code, row["name"], department, postal_codes, population, latitude, longitude, row["epci"]
    ), ""


def _read_communes(data_dir: Path, data: ReferenceData, errors: _Errors) -> None:
    path = data_dir / f"communes-{data.region_code}.csv"
    columns = ("insee_code", "name", "department", "postal_codes", "population")
    rows = _read_csv(path, (*columns, "latitude", "longitude", "epci"))
    seen: set[str] = set()
    for line, row in rows:
        commune, reason = _commune_row(row, data)
        if commune and commune.insee_code in seen:
            commune, reason = (
                None,
                _("INSEE code %(code)s appears twice") % {"code": row["insee_code"]},
            )
        if commune is None:
            errors.add(path, line, reason)
        else:
            seen.add(commune.insee_code)
            data.communes.append(commune)


def _territory_problem(token: str, data: ReferenceData, codes: set[str]) -> str:
    scope, _sep, value = token.partition(":")
    known = {"epci": data.epcis, "department": data.departments, "commune": codes}.get(scope)
    if known is None:
        return _("territory %(token)r must be epci:SIREN, department:CODE or commune:INSEE") % {
            "token": token
        }
    if value not in known:
        return _("territory %(token)r names nothing in the data files") % {"token": token}
    return ""


def _partner_problems(row: dict[str, str], data: ReferenceData, codes: set[str]) -> list[str]:
    """Why a partners.csv row cannot be loaded; empty when it can."""
    tokens = row["territory"].split()
    problems = [_territory_problem(token, data, codes) for token in tokens]
    if not tokens:
        problems.append(_("a partner needs a territory"))
    if row["kind"] not in PartnerKind.values:
        problems.append(_("unknown kind %(kind)r") % {"kind": row["kind"]})
    if row["department"] not in data.departments:
        problems.append(_("unknown department %(department)r") % {"department": row["department"]})
    if not row["name"] or not row["slug"] or slugify(row["slug"]) != row["slug"]:
        problems.append(_("a partner needs a name and a slug of lower-case letters and hyphens"))
    return [problem for problem in problems if problem]


def _read_partners(data_dir: Path, data: ReferenceData, errors: _Errors) -> None:
    path = data_dir / "partners.csv"
    codes = {commune.insee_code for commune in data.communes}
    seen: set[str] = set()
    for line, row in _read_csv(path, ("slug", "name", "kind", "department", "territory")):
        problems = _partner_problems(row, data, codes)
        if seen & {row["slug"], row["name"]}:
            problems.append(_("a partner with this slug or name appears twice"))
        seen |= {row["slug"], row["name"]}
        for problem in problems:
            errors.add(path, line, problem)
        if not problems:
            tokens = row["territory"].split()
            data.partners.append(
                PartnerRow(row["slug"], row["name"], row["kind"], row["department"], tokens)
            )


def reference_data_read(*, data_dir: Path, region_code: str) -> ReferenceData:
    """Read and check every data file of the region; ReferenceDataError lists what is wrong."""
    errors = _Errors()
    region_name, departments = _read_departments(data_dir, region_code, errors)
    epcis = _read_epcis(data_dir, region_code, errors)
    data = ReferenceData(region_code, region_name, departments, epcis, [], [])
    _read_communes(data_dir, data, errors)
    if not data.communes and not errors.messages:
        errors.add(data_dir / f"communes-{region_code}.csv", 2, _("there is no commune"))
    _read_partners(data_dir, data, errors)
    errors.raise_if_any()
    return data


def _upsert(model: type[models.Model], lookup: dict, values: dict) -> tuple[Any, str]:
    """Create or update one row, writing only when something differs: created/updated/unchanged."""
    item = model.objects.filter(**lookup).first()
    if item is None:
        item = model(**lookup, **values)
        item.full_clean()
        item.save()
        return item, "created"
    changed = {field: value for field, value in values.items() if getattr(item, field) != value}
    if not changed:
        return item, "unchanged"
    for field, value in changed.items():
        setattr(item, field, value)
    item.full_clean()
    item.save(update_fields=list(changed))
    return item, "updated"


def _commune_values(row: CommuneRow) -> dict[str, Any]:
    return {
        "name": row.name,
        "slug": slugify(row.name),
        "department_id": row.department,
        "postal_codes": row.postal_codes,
        "population": row.population,
        "latitude": row.latitude,
        "longitude": row.longitude,
    }


def _save_communes(data: ReferenceData, progress: bool, counts: dict) -> None:
    """Upsert the communes in batches, writing only those that differ, then handle the vanished."""
    existing = {commune.insee_code: commune for commune in Commune.objects.all()}
    created = updated = 0
    with tqdm(total=len(data.communes), desc=_("Communes"), disable=not progress) as bar:
        for start in range(0, len(data.communes), BATCH_SIZE):
            to_create, to_update = [], []
            batch = data.communes[start : start + BATCH_SIZE]
            for row in batch:
                values, commune = _commune_values(row), existing.get(row.insee_code)
                if commune is None:
                    to_create.append(Commune(insee_code=row.insee_code, **values))
                elif any(getattr(commune, field) != value for field, value in values.items()):
                    for field, value in values.items():
                        setattr(commune, field, value)
                    to_update.append(commune)
            Commune.objects.bulk_create(to_create)
            Commune.objects.bulk_update(to_update, fields=COMMUNE_FIELDS)
            created, updated = created + len(to_create), updated + len(to_update)
            bar.update(len(batch))
    counts.update(communes_created=created, communes_updated=updated)
    in_file = {row.insee_code for row in data.communes}
    vanished = [
        commune.insee_code
        for commune in existing.values()
        if commune.department_id in data.departments and commune.insee_code not in in_file
    ]
    _remove_vanished(sorted(vanished), counts)


def _remove_vanished(codes: list[str], counts: dict) -> None:
    """Delete the communes gone from the official list, except those that records still point to."""
    kept = []
    for code in codes:
        try:
            with transaction.atomic():
                Commune.objects.filter(pk=code).delete()
        except ProtectedError:
            kept.append(code)
    counts.update(communes_removed=len(codes) - len(kept), communes_kept=len(kept), kept_codes=kept)


def _save_partners(data: ReferenceData, counts: dict) -> None:
    for key in ("partners_created", "partners_updated", "territory_added", "territory_removed"):
        counts[key] = 0
    for row in data.partners:
        values = {"name": row.name, "kind": row.kind, "department_id": row.department}
        # A partner the bureau entered by hand under the same name becomes this one.
        existing = (
            Partner.objects.filter(slug=row.slug).first()
            or Partner.objects.filter(name=row.name).first()
        )
        lookup = {"pk": existing.pk} if existing else {"slug": row.slug}
        if existing:
            values["slug"] = row.slug
        partner, outcome = _upsert(Partner, lookup, values)
        if outcome != "unchanged":
            counts[f"partners_{outcome}"] += 1
        changes = partner_set_territory(
            partner=partner, commune_codes=data.territory_codes(row.territory)
        )
        counts["territory_added"] += changes["added"]
        counts["territory_removed"] += changes["removed"]
    counts["partners"] = len(data.partners)


def reference_data_load(*, data_dir: Path, progress: bool = True) -> dict[str, Any]:
    """Load the region of settings.MICEDESK_REGION_CODE from data_dir; the counts of what changed.

    Communes are matched by INSEE code and partners by slug. A commune gone from the file is
    deleted, unless a record (a supplier...) still points to it: then it is kept and listed
    in `kept_codes`. The territories of the partners in the file follow the file.
    """
    region_code = settings.MICEDESK_REGION_CODE
    data = reference_data_read(data_dir=Path(data_dir), region_code=region_code)
    counts: dict[str, Any] = {"communes": len(data.communes), "departments": len(data.departments)}
    try:
        with transaction.atomic():
            _save(data, progress, counts)
    except ValidationError as error:
        # A clash with rows entered by hand (two partners of the same name...): nothing was kept.
        raise ReferenceDataError(
            _("The reference data was not loaded: %(error)s") % {"error": "; ".join(error.messages)}
        ) from error
    return counts


def _save(data: ReferenceData, progress: bool, counts: dict[str, Any]) -> None:
    region, outcome = _upsert(Region, {"code": data.region_code}, {"name": data.region_name})
    counts["region_changed"] = int(outcome != "unchanged")
    counts["departments_changed"] = 0
    for code, name in data.departments.items():
        _item, outcome = _upsert(
            Department, {"code": code}, {"name": name, "region_id": region.code}
        )
        counts["departments_changed"] += outcome != "unchanged"
    _save_communes(data, progress, counts)
    _save_partners(data, counts)


def partner_set_territory(
    *,
    partner: Partner,
    commune_codes: Iterable[str] = (),
    department_codes: Iterable[str] = (),
) -> dict[str, int]:
    """Make the partner's territory exactly these communes plus every commune of these departments.

    Unknown codes are refused with a ValidationError and nothing changes. Returns how many
    communes were added to and removed from the territory.
    """
    wanted = set(commune_codes)
    department_codes = set(department_codes)
    unknown_departments = department_codes - set(
        Department.objects.filter(pk__in=department_codes).values_list("pk", flat=True)
    )
    if unknown_departments:
        raise ValidationError(
            _("Unknown department(s): %(codes)s")
            % {"codes": ", ".join(sorted(unknown_departments))}
        )
    if department_codes:
        wanted |= set(
            Commune.objects.filter(department_id__in=department_codes).values_list("pk", flat=True)
        )
    known = set(Commune.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - known:
        raise ValidationError(
            _("Unknown commune(s): %(codes)s") % {"codes": ", ".join(sorted(wanted - known))}
        )
    current = set(partner.communes.values_list("pk", flat=True))
    with transaction.atomic():
        if current - wanted:
            partner.communes.remove(*(current - wanted))
        if wanted - current:
            partner.communes.add(*(wanted - current))
    return {"added": len(wanted - current), "removed": len(current - wanted)}
