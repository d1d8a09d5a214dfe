"""Matching: which suppliers can take a quote request (hard constraints), in which order (a score),
and why, per supplier, in words a staff member can check (French and English).

The hard constraints run on the directory's in-process columnar index (numpy columns for every
supplier), so that 100,000 suppliers are filtered in milliseconds; only the best candidates are
then read from the database, checked again row by row (the explanation quotes those rows) and
scored on what the platform measured about them.

Recipients are venues: every kind of event needs a place, and the venue is the one supplier that
answers a quote request with a price for the whole event. Service and activity providers (transport,
an agency, team-building) are reached when the planner asks for them by name, when a partner
forwards the request, or when staff add them; see docs/decisions/006-dispatch-outbox.md.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import (
    gettext,
    gettext_lazy,
    ngettext,
    ngettext_lazy,
    pgettext,
    pgettext_lazy,
)

from micedesk.directory.models import Status, Supplier
from micedesk.directory.search_index import KINDS, SupplierIndex, supplier_index
from micedesk.directory.vocab import EQUIPMENT, LAYOUTS, QUALIFICATION_LEVEL_CODES, THEMES, Kind
from micedesk.leads.models import Dispatch, DispatchStatus, Match, QuoteRequest

RECIPIENT_KINDS: tuple[str, ...] = (Kind.VENUE,)
DEFAULT_RADIUS_KM = 30
# Services a venue provides in its own rooms: each asks for equipment flags. Any other service
# (transport, an agency, hosts) comes from another supplier and does not filter venues.
SERVICE_EQUIPMENT: dict[str, tuple[str, ...]] = {
    "av": ("projector", "screen", "sound"),
    **{code: (code,) for code in EQUIPMENT.codes},
}

# Score weights; the parts add up to 1, plus small bonuses for what the planner asked on top.
WEIGHT_CAPACITY_FIT = 0.35
WEIGHT_DISTANCE = 0.2
WEIGHT_THEMES = 0.15
WEIGHT_RESPONSE_SPEED = 0.1
WEIGHT_CONVERSION = 0.1
WEIGHT_FAIRNESS = 0.1
BONUS_NEAR_STATION = 0.05
BONUS_CATERING = 0.05
# Per published qualification level (0 to 3): a recommended venue gains 0.06, enough to rank above
# an otherwise equal venue without outweighing a room that fits or a shorter trip.
BONUS_QUALIFICATION_LEVEL = 0.02
# A room up to twice the attendance fits; beyond, the score falls as 2 / ratio (a 1,000-seat hall
# for 20 people scores 0.04).
FIT_RATIO = 2.0
NEAR_STATION_KM = 2
# Measured figures count once a supplier has answered this many requests; before, it is neutral.
MEASURED_ANSWERS_MIN = 3
NEUTRAL_SPEED = 0.5
CONVERSION_PRIOR = 0.2
CONVERSION_PRIOR_WEIGHT = 5
HISTORY_DAYS = 365
FAIRNESS_DAYS = 90
FAIRNESS_SCALE = 3
# How many candidates are read from the database and scored on measured figures, and how many
# matches are stored (eligible, then a few near misses so that staff see why others were not).
PRESELECT = 100
STORED_ELIGIBLE = 20
STORED_NEAR_MISSES = 10

FAILURES = frozenset(
    {
        "no_room",
        "too_few_bedrooms",
        "missing_equipment",
        "no_step_free",
        "too_far",
        "no_coordinates",
        "outside_departments",
        "wrong_kind",
        "not_published",
    }
)


@dataclass(frozen=True)
class Need:
    """A room the event needs: a layout ("" for any) holding an attendance."""

    layout: str
    attendance: int


@dataclass(frozen=True)
class Criteria:
    kinds: tuple[str, ...]
    needs: tuple[Need, ...]
    bedrooms: int
    equipment: tuple[str, ...]
    step_free: bool
    departments: tuple[str, ...]
    origin: tuple[float, float] | None
    commune_name: str
    radius_km: int
    theme_mask: int
    near_station: bool
    catering: bool

    @property
    def main_need(self) -> Need:
        return max(self.needs, key=lambda need: need.attendance)


def criteria_of(quote_request: QuoteRequest) -> Criteria:
    """What the request asks, as constraints on a supplier's columns."""
    commune = quote_request.commune
    origin = None
    if commune is not None and commune.latitude is not None and commune.longitude is not None:
        origin = (commune.latitude, commune.longitude)
    return Criteria(
        kinds=RECIPIENT_KINDS,
        needs=_needs_of(quote_request),
        bedrooms=quote_request.bedrooms or 0,
        equipment=_equipment_of(quote_request),
        step_free=quote_request.step_free_access,
        departments=tuple(str(code) for code in quote_request.departments or ()),
        origin=origin,
        commune_name=commune.name if commune is not None else "",
        radius_km=quote_request.radius_km or DEFAULT_RADIUS_KM,
        theme_mask=quote_request.theme_mask or 0,
        near_station=quote_request.near_station,
        catering=quote_request.catering,
    )


def _needs_of(quote_request: QuoteRequest) -> tuple[Need, ...]:
    """The request's layout for all participants, and each session's layout and attendance; one
    need per layout (the largest attendance)."""
    wanted: dict[str, int] = {}
    if quote_request.layout or not quote_request.sessions:
        wanted[quote_request.layout or ""] = quote_request.participants
    for session in quote_request.sessions or ():
        layout, attendance = _session_need(session)
        if attendance:
            wanted[layout] = max(wanted.get(layout, 0), attendance)
    if not wanted:
        wanted[""] = quote_request.participants
    return tuple(Need(layout, attendance) for layout, attendance in wanted.items())


def _session_need(session: object) -> tuple[str, int]:
    if not isinstance(session, dict):
        return "", 0
    layout = session.get("layout") or ""
    try:
        attendance = int(session.get("attendance") or 0)
    except (TypeError, ValueError):
        return "", 0
    return (layout if layout in LAYOUTS else ""), max(attendance, 0)


def _equipment_of(quote_request: QuoteRequest) -> tuple[str, ...]:
    codes: list[str] = []
    for service in quote_request.services or ():
        for code in SERVICE_EQUIPMENT.get(str(service), ()):
            if code not in codes:
                codes.append(code)
    return tuple(codes)


# Hard constraints, on the index (every supplier at once) and on one row (the same rules).


def _capacity_column(index: SupplierIndex, layout: str) -> np.ndarray:
    return index.capacity[layout or "max"]


def _distances(index: SupplierIndex, criteria: Criteria) -> np.ndarray | None:
    return index.distance_km(criteria.origin) if criteria.origin is not None else None


def _location_mask(
    index: SupplierIndex, criteria: Criteria, distance: np.ndarray | None
) -> np.ndarray:
    """Inside the radius of the commune asked, else in the departments asked, else anywhere."""
    if distance is not None:
        return distance <= criteria.radius_km  # NaN (no coordinates) compares False
    if criteria.departments:
        positions = [
            position
            for position, code in enumerate(index.departments)
            if code in criteria.departments
        ]
        return np.isin(index.department, positions)
    return np.ones(len(index.ids), dtype=bool)


def _kind_mask(index: SupplierIndex, criteria: Criteria) -> np.ndarray:
    positions = [KINDS.index(kind) for kind in criteria.kinds]
    return index.published & np.isin(index.kind, positions)


def _needs_masks(index: SupplierIndex, criteria: Criteria) -> list[np.ndarray]:
    """One mask per hard constraint on the supplier itself (rooms, bedrooms, equipment)."""
    masks = [_capacity_column(index, need.layout) >= need.attendance for need in criteria.needs]
    if criteria.bedrooms:
        masks.append(index.bedrooms >= criteria.bedrooms)
    codes = list(criteria.equipment) + (["step_free"] if criteria.step_free else [])
    if codes:
        bits = EQUIPMENT.mask(codes)
        masks.append((index.equipment & bits) == bits)
    return masks


def supplier_check(
    supplier: Supplier, criteria: Criteria, distance_km: float | None
) -> tuple[list[dict], list[dict]]:
    """The hard constraints on one supplier row: what it meets and what it fails, as reasons."""
    met: list[dict] = []
    failed: list[dict] = []
    if supplier.status != Status.PUBLISHED:
        failed.append(_reason("not_published"))
    if supplier.kind not in criteria.kinds:
        failed.append(_reason("wrong_kind", kind=supplier.kind))
    for need in criteria.needs:
        capacity = supplier.capacity(need.layout) if need.layout else supplier.max_capacity
        params = {"layout": need.layout, "capacity": capacity, "attendance": need.attendance}
        target = met if capacity >= need.attendance else failed
        target.append(_reason("capacity" if target is met else "no_room", **params))
    if criteria.bedrooms:
        params = {"bedrooms": supplier.bedrooms, "wanted": criteria.bedrooms}
        ok = supplier.bedrooms >= criteria.bedrooms
        (met if ok else failed).append(_reason("bedrooms" if ok else "too_few_bedrooms", **params))
    _check_equipment(supplier, criteria, met, failed)
    _check_location(supplier, criteria, distance_km, met, failed)
    return met, failed


def _check_equipment(supplier: Supplier, criteria: Criteria, met: list, failed: list) -> None:
    mask = supplier.equipment_mask
    if criteria.equipment:
        missing = [code for code in criteria.equipment if not mask & EQUIPMENT.by_code[code].bit]
        if missing:
            failed.append(_reason("missing_equipment", codes=missing))
        else:
            met.append(_reason("equipment", codes=list(criteria.equipment)))
    if criteria.step_free:
        ok = bool(mask & EQUIPMENT.by_code["step_free"].bit)
        (met if ok else failed).append(_reason("step_free" if ok else "no_step_free"))


def _check_location(
    supplier: Supplier, criteria: Criteria, distance_km: float | None, met: list, failed: list
) -> None:
    if criteria.origin is not None:
        if distance_km is None:
            failed.append(_reason("no_coordinates"))
            return
        params = {
            "distance_km": round(distance_km, 1),
            "radius_km": criteria.radius_km,
            "commune": criteria.commune_name,
        }
        ok = distance_km <= criteria.radius_km
        (met if ok else failed).append(_reason("within_radius" if ok else "too_far", **params))
    elif criteria.departments:
        ok = supplier.department_code in criteria.departments
        params = {"department": supplier.department_code}
        (met if ok else failed).append(
            _reason("in_department" if ok else "outside_departments", **params)
        )


def _reason(code: str, **params: object) -> dict:
    return {"code": code, "params": params}


# Scores.


def _base_scores(
    index: SupplierIndex, rows: np.ndarray, criteria: Criteria, distance: np.ndarray | None
) -> np.ndarray:
    """Capacity fit, distance, themes and the published qualification level for index rows: what
    the index alone can tell."""
    need = criteria.main_need
    capacity = _capacity_column(index, need.layout)[rows].astype(np.float64)
    ratio = capacity / max(need.attendance, 1)
    fit = np.where(ratio <= FIT_RATIO, 1.0, FIT_RATIO / np.maximum(ratio, FIT_RATIO))
    score = WEIGHT_CAPACITY_FIT * fit
    if distance is not None:
        near = 1.0 - np.clip(distance[rows] / criteria.radius_km, 0.0, 1.0)
        score += WEIGHT_DISTANCE * np.nan_to_num(near, nan=0.0)
    wanted_bits = [flag.bit for flag in THEMES if criteria.theme_mask & flag.bit]
    if wanted_bits:
        themes = index.themes[rows]
        matched = sum(((themes & bit) != 0).astype(np.float64) for bit in wanted_bits)
        score += WEIGHT_THEMES * matched / len(wanted_bits)
    score += BONUS_QUALIFICATION_LEVEL * index.level[rows].astype(np.float64)
    return score


@dataclass
class Record:
    """What the platform measured about a supplier from its past dispatches."""

    answered: int = 0
    won: int = 0
    recent: int = 0
    answer_hours: list[float] = field(default_factory=list)

    @property
    def median_hours(self) -> float | None:
        if self.answered < MEASURED_ANSWERS_MIN or not self.answer_hours:
            return None
        return statistics.median(self.answer_hours)

    @property
    def speed(self) -> float:
        hours = self.median_hours
        return NEUTRAL_SPEED if hours is None else 1.0 / (1.0 + hours / 24.0)

    @property
    def conversion(self) -> float:
        """Won ÷ answered, drawn towards a prior so that a supplier with few answers is neutral."""
        return (self.won + CONVERSION_PRIOR * CONVERSION_PRIOR_WEIGHT) / (
            self.answered + CONVERSION_PRIOR_WEIGHT
        )

    @property
    def fairness(self) -> float:
        return 1.0 / (1.0 + self.recent / FAIRNESS_SCALE)


def supplier_records(
    *, supplier_ids: list[int], exclude_request_id: int | None = None
) -> dict[int, Record]:
    """Measured figures per supplier: median time from sending to first answer, answers, wins,
    and requests received in the last FAIRNESS_DAYS; one query over the last year."""
    now = timezone.now()
    recent_since = now - timedelta(days=FAIRNESS_DAYS)
    rows = Dispatch.objects.filter(
        supplier_id__in=supplier_ids, created_at__gte=now - timedelta(days=HISTORY_DAYS)
    )
    if exclude_request_id is not None:
        rows = rows.exclude(quote_request_id=exclude_request_id)
    records: dict[int, Record] = {}
    for supplier_id, created_at, sent_at, answered_at, status in rows.values_list(
        "supplier_id", "created_at", "sent_at", "first_answer_at", "status"
    ):
        record = records.setdefault(supplier_id, Record())
        record.recent += created_at >= recent_since
        if answered_at is not None and sent_at is not None:
            record.answered += 1
            record.answer_hours.append(max((answered_at - sent_at).total_seconds(), 0) / 3600)
        record.won += status == DispatchStatus.WON
    return records


def _measured_reasons(record: Record) -> list[dict]:
    reasons = []
    hours = record.median_hours
    if hours is not None:
        reasons.append(_reason("response_time", hours=round(hours, 1), answers=record.answered))
        reasons.append(_reason("conversion", won=record.won, answered=record.answered))
    reasons.append(_reason("recent_requests", count=record.recent, days=FAIRNESS_DAYS))
    return reasons


def _extra_score(supplier: Supplier, criteria: Criteria) -> tuple[float, list[dict]]:
    """Bonuses read from the row: near a railway station, a restaurant, when asked; why a room much
    larger than needed scores lower; and the published qualification level, when there is one."""
    bonus, reasons = 0.0, []
    need = criteria.main_need
    capacity = supplier.capacity(need.layout) if need.layout else supplier.max_capacity
    if need.attendance and capacity > FIT_RATIO * need.attendance:
        reasons.append(_reason("oversized", ratio=round(capacity / need.attendance, 1)))
    themes = THEMES.codes_in(supplier.theme_mask & criteria.theme_mask)
    if themes:
        reasons.append(_reason("themes", codes=themes))
    station = supplier.station_distance_km
    if criteria.near_station and station is not None and station <= NEAR_STATION_KM:
        bonus += BONUS_NEAR_STATION
        reasons.append(_reason("near_station", km=float(station)))
    if criteria.catering and supplier.restaurant_covers:
        bonus += BONUS_CATERING
        reasons.append(_reason("catering", covers=supplier.restaurant_covers))
    if supplier.qualification_level:
        # Scored with the index columns (_base_scores); said here, from the row.
        level = QUALIFICATION_LEVEL_CODES.get(supplier.qualification_level, "")
        reasons.append(_reason("qualification", level=level))
    return bonus, reasons


# The matching itself.


@dataclass
class Candidate:
    supplier: Supplier
    eligible: bool
    score: float
    reasons: list[dict]
    tie: int = 0  # the request's own order among equal scores


def _tie_breaker(ids: np.ndarray, request_id: int) -> np.ndarray:
    """A stable order among equal scores that differs from one request to the next, so that ties
    do not always go to the same suppliers (alphabetical order would)."""
    mixed = (ids.astype(np.uint64) * np.uint64(2654435761)) ^ np.uint64(request_id * 40503)
    return mixed % np.uint64(2**32)


def quote_request_match(*, quote_request: QuoteRequest) -> list[Match]:
    """Match the request against the directory; store the Match rows (replacing earlier ones) and
    return them ranked: eligible ones first by score, then suppliers asked by name that fail a hard
    constraint, then a few near misses."""
    criteria = criteria_of(quote_request)
    index = supplier_index()
    distance = _distances(index, criteria)
    considered, needs, eligible = _masks(index, criteria, distance)
    named_ids = set(quote_request.requested_suppliers.values_list("pk", flat=True))
    preselected = _preselect(index, eligible, criteria, distance, quote_request.pk)
    misses = _near_misses(index, considered & ~eligible, needs, criteria, named_ids)
    candidates = _candidates(
        index, preselected, misses, named_ids, criteria, distance, quote_request.pk
    )
    return _store(quote_request, candidates)


def _masks(
    index: SupplierIndex, criteria: Criteria, distance: np.ndarray | None
) -> tuple[np.ndarray, list[np.ndarray], np.ndarray]:
    """Rows of the right kind and place; one mask per other constraint; rows meeting them all."""
    considered = _kind_mask(index, criteria) & _location_mask(index, criteria, distance)
    needs = _needs_masks(index, criteria)
    eligible = considered.copy()
    for mask in needs:
        eligible &= mask
    return considered, needs, eligible


def suppliers_meeting(*, quote_request: QuoteRequest) -> list[int]:
    """Ids of every supplier meeting every hard constraint of the request, by the index alone
    (matching reads and checks again only the best of them)."""
    criteria = criteria_of(quote_request)
    index = supplier_index()
    _considered, _needs, eligible = _masks(index, criteria, _distances(index, criteria))
    return sorted(int(pk) for pk in index.ids[eligible])


def _preselect(
    index: SupplierIndex,
    eligible: np.ndarray,
    criteria: Criteria,
    distance: np.ndarray | None,
    request_id: int,
) -> list[int]:
    rows = np.flatnonzero(eligible)
    base = _base_scores(index, rows, criteria, distance)
    order = np.lexsort((_tie_breaker(index.ids[rows], request_id), -base))[:PRESELECT]
    return [int(index.ids[row]) for row in rows[order]]


def _near_misses(
    index: SupplierIndex,
    missed: np.ndarray,
    needs: list[np.ndarray],
    criteria: Criteria,
    named_ids: set[int],
) -> list[int]:
    """Suppliers of the right kind and place that fail fewest constraints, largest rooms first."""
    rows = np.flatnonzero(missed)
    if not len(rows):
        return []
    failures = sum((~mask[rows]).astype(np.int16) for mask in needs)
    capacity = _capacity_column(index, criteria.main_need.layout)[rows]
    order = np.lexsort((index.ids[rows], -capacity, failures))
    ids = [int(index.ids[row]) for row in rows[order[: STORED_NEAR_MISSES + len(named_ids)]]]
    return [pk for pk in ids if pk not in named_ids][:STORED_NEAR_MISSES]


def _candidates(
    index: SupplierIndex,
    preselected: list[int],
    misses: list[int],
    named_ids: set[int],
    criteria: Criteria,
    distance: np.ndarray | None,
    request_id: int,
) -> list[Candidate]:
    """Read the candidates' rows, check them again, and score them on what was measured."""
    ids = list(dict.fromkeys([*preselected, *named_ids, *misses]))
    suppliers = Supplier.objects.defer("search_document", "description_fr", "description_en")
    rows_by_id = {supplier.pk: supplier for supplier in suppliers.filter(pk__in=ids)}
    records = supplier_records(
        supplier_ids=[pk for pk in [*preselected, *named_ids] if pk in rows_by_id],
        exclude_request_id=request_id,
    )
    positions = {int(index.ids[row]): int(row) for row in index.rows_of(ids)}
    rows = np.array(list(positions.values()), dtype=np.int64)
    base = dict(zip(positions, _base_scores(index, rows, criteria, distance).tolist(), strict=True))
    ties = _tie_breaker(np.array(ids, dtype=np.int64), request_id).tolist()
    candidates = []
    for pk, tie in zip(ids, ties, strict=True):
        if pk not in rows_by_id:
            continue
        row = positions.get(pk)
        known = distance is not None and row is not None and not np.isnan(distance[row])
        met, failed = supplier_check(
            rows_by_id[pk], criteria, float(distance[row]) if known else None
        )
        candidate = _candidate(
            rows_by_id[pk], met, failed, records.get(pk, Record()), base.get(pk, 0.0), criteria
        )
        candidate.reasons[:0] = [_reason("asked_by_name")] if pk in named_ids else []
        candidate.tie = tie
        candidates.append(candidate)
    return candidates


def _candidate(
    supplier: Supplier,
    met: list[dict],
    failed: list[dict],
    record: Record,
    base: float,
    criteria: Criteria,
) -> Candidate:
    bonus, extra = _extra_score(supplier, criteria)
    score = (
        base
        + WEIGHT_RESPONSE_SPEED * record.speed
        + WEIGHT_CONVERSION * record.conversion
        + WEIGHT_FAIRNESS * record.fairness
        + bonus
    )
    reasons = met + (failed if failed else extra + _measured_reasons(record))
    return Candidate(supplier, not failed, round(score, 4), reasons)


def _store(quote_request: QuoteRequest, candidates: list[Candidate]) -> list[Match]:
    eligible = sorted((c for c in candidates if c.eligible), key=lambda c: (-c.score, c.tie))
    named_eligible = [c for c in eligible[STORED_ELIGIBLE:] if _is_named(c)]
    kept = eligible[:STORED_ELIGIBLE] + named_eligible
    named_failing = [c for c in candidates if not c.eligible and _is_named(c)]
    misses = [c for c in candidates if not c.eligible and not _is_named(c)]
    ordered = kept + named_failing + misses[:STORED_NEAR_MISSES]
    matches = [
        Match(
            quote_request=quote_request,
            supplier=candidate.supplier,
            eligible=candidate.eligible,
            score=candidate.score if candidate.eligible else 0.0,
            rank=rank,
            reasons=candidate.reasons,
        )
        for rank, candidate in enumerate(ordered, start=1)
    ]
    with transaction.atomic():
        Match.objects.filter(quote_request=quote_request).delete()
        Match.objects.bulk_create(matches)
    return matches


def _is_named(candidate: Candidate) -> bool:
    return any(reason["code"] == "asked_by_name" for reason in candidate.reasons)


# Explanations, in the reader's language.

LAYOUT_WORD = {
    "theatre": pgettext_lazy("layout, in an explanation", "theatre"),
    "classroom": pgettext_lazy("layout, in an explanation", "classroom"),
    "u_shape": pgettext_lazy("layout, in an explanation", "U-shape"),
    "boardroom": pgettext_lazy("layout, in an explanation", "boardroom"),
    "banquet": pgettext_lazy("layout, in an explanation", "banquet"),
    "cabaret": pgettext_lazy("layout, in an explanation", "cabaret"),
    "cocktail": pgettext_lazy("layout, in an explanation", "cocktail"),
}
LAYOUT_AFTER_ROOM = {
    "theatre": pgettext_lazy("layout, after 'no room'", "in theatre style"),
    "classroom": pgettext_lazy("layout, after 'no room'", "in classroom style"),
    "u_shape": pgettext_lazy("layout, after 'no room'", "in U-shape"),
    "boardroom": pgettext_lazy("layout, after 'no room'", "in boardroom style"),
    "banquet": pgettext_lazy("layout, after 'no room'", "in banquet style"),
    "cabaret": pgettext_lazy("layout, after 'no room'", "in cabaret style"),
    "cocktail": pgettext_lazy("layout, after 'no room'", "for a cocktail"),
}


def _flags(codes: list[str]) -> str:
    labels = [str(EQUIPMENT.by_code[code].label) for code in codes if code in EQUIPMENT.by_code]
    return ", ".join(label.lower() for label in labels)


class _Values(dict):
    """Parameters for a message: decimals in the reader's way ("12,5" in French), "?" for any
    parameter a stored reason lacks."""

    def __missing__(self, key: str) -> str:
        return "?"


def _values(params: dict) -> _Values:
    return _Values(
        {
            key: number_format(value, use_l10n=True) if isinstance(value, float) else value
            for key, value in params.items()
        }
    )


def _render_capacity(params: dict) -> str:
    layout = params.get("layout")
    if layout in LAYOUT_WORD:
        message = gettext("%(layout)s %(capacity)s ≥ %(attendance)s")
        return message % (_values(params) | {"layout": LAYOUT_WORD[layout]})
    return gettext("room for %(capacity)s ≥ %(attendance)s") % _values(params)


def _render_no_room(params: dict) -> str:
    layout = params.get("layout")
    if layout in LAYOUT_AFTER_ROOM:
        message = gettext("no room %(layout)s ≥ %(attendance)s")
        return message % (_values(params) | {"layout": LAYOUT_AFTER_ROOM[layout]})
    return gettext("no room ≥ %(attendance)s") % _values(params)


def _render_kind(params: dict) -> str:
    kind = params.get("kind")
    label = Kind(kind).label if kind in Kind.values else kind
    return gettext("%(kind)s: not a kind of supplier asked") % {"kind": label}


def _render_equipment(params: dict) -> str:
    return _flags(params.get("codes", []))


def _render_missing_equipment(params: dict) -> str:
    return gettext("missing: %(equipment)s") % {"equipment": _flags(params.get("codes", []))}


def _render_themes(params: dict) -> str:
    codes = params.get("codes", [])
    labels = [str(THEMES.by_code[code].label) for code in codes if code in THEMES.by_code]
    return gettext("themes: %(themes)s") % {"themes": ", ".join(label.lower() for label in labels)}


QUALIFICATION_WORDS = {
    "referenced": gettext_lazy("referenced by the bureau's grid"),
    "qualified": gettext_lazy("qualified by the bureau's grid"),
    "recommended": gettext_lazy("recommended by the bureau's grid"),
}


def _render_qualification(params: dict) -> str:
    return str(QUALIFICATION_WORDS[params.get("level")])


def _render_ranked_matches(params: dict) -> str:
    count = len(params.get("matches", []))
    return ngettext(
        "%(count)s ranked supplier attached", "%(count)s ranked suppliers attached", count
    ) % {"count": count}


RENDERERS = {
    "capacity": _render_capacity,
    "no_room": _render_no_room,
    "wrong_kind": _render_kind,
    "equipment": _render_equipment,
    "missing_equipment": _render_missing_equipment,
    "themes": _render_themes,
    "qualification": _render_qualification,
    "ranked_matches": _render_ranked_matches,
}
# Reasons said by one message, their parameters filled in (a plural form counts the one named).
MESSAGES = {
    "bedrooms": ngettext_lazy(
        "%(bedrooms)s bedroom ≥ %(wanted)s", "%(bedrooms)s bedrooms ≥ %(wanted)s", "bedrooms"
    ),
    "too_few_bedrooms": ngettext_lazy(
        "%(bedrooms)s bedroom < %(wanted)s", "%(bedrooms)s bedrooms < %(wanted)s", "bedrooms"
    ),
    "step_free": gettext_lazy("step-free access"),
    "no_step_free": gettext_lazy("no step-free access"),
    "within_radius": gettext_lazy("%(distance_km)s km from %(commune)s"),
    "too_far": gettext_lazy("%(distance_km)s km from %(commune)s > %(radius_km)s km"),
    "no_coordinates": gettext_lazy("location unknown"),
    "in_department": gettext_lazy("department %(department)s"),
    "outside_departments": gettext_lazy("department %(department)s not asked"),
    "not_published": gettext_lazy("not published"),
    "asked_by_name": gettext_lazy("asked for by the planner"),
    "oversized": gettext_lazy("room %(ratio)s× the attendance"),
    "near_station": gettext_lazy("railway station %(km)s km away"),
    "catering": gettext_lazy("restaurant, %(covers)s covers"),
    "response_time": gettext_lazy("answers in %(hours)s h (median of %(answers)s)"),
    "conversion": gettext_lazy("%(won)s won of %(answered)s answered"),
    "recent_requests": ngettext_lazy(
        "%(count)s request received in %(days)s days",
        "%(count)s requests received in %(days)s days",
        "count",
    ),
    "routed_direct": gettext_lazy("match no. %(rank)s"),
    "partner_territory": gettext_lazy("partner for %(place)s"),
    "rerouted_by_staff": gettext_lazy("added by the bureau's staff"),
    "forwarded": gettext_lazy("forwarded by %(partner)s"),
}


def reason_text(reason: dict) -> str:
    """One reason in the active language; an unknown code (or a reason stored with parameters
    that do not fit its message) is shown as its code."""
    code = reason.get("code", "")
    params = reason.get("params") or {}
    try:
        if code in RENDERERS:
            return RENDERERS[code](params)
        if code in MESSAGES:
            return str(MESSAGES[code] % _values(params))
    except (TypeError, ValueError, KeyError):
        pass
    return code


def match_explanation(*, reasons: list[dict], language: str) -> str:
    """Reasons as one line: "théâtre 120 ≥ 80 ; 45 chambres ≥ 40", or for a supplier set aside
    "écarté : aucune salle en U ≥ 30"; a supplier asked by name that fails a constraint is said
    so ("asked for by the planner; does not meet: ...")."""
    with translation.override(language):
        separator = pgettext("separator between reasons", "; ")
        failed = [reason_text(r) for r in reasons if r.get("code") in FAILURES]
        if not failed:
            return separator.join(reason_text(r) for r in reasons)
        if any(r.get("code") == "asked_by_name" for r in reasons):
            return (
                reason_text(_reason("asked_by_name"))
                + separator
                + gettext("does not meet: %(reasons)s") % {"reasons": separator.join(failed)}
            )
        return gettext("rejected: %(reasons)s") % {"reasons": separator.join(failed)}
