"""Tests of matching: hard constraints, the score, the explanations, and the property that every
eligible match meets every hard constraint."""

from __future__ import annotations

import datetime
import math

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from micedesk.directory.models import Status, Supplier
from micedesk.directory.search_index import KM_PER_DEGREE
from micedesk.directory.vocab import EQUIPMENT, THEMES, Category
from micedesk.leads.matching import (
    DEFAULT_RADIUS_KM,
    criteria_of,
    match_explanation,
    quote_request_match,
    supplier_check,
    suppliers_meeting,
)
from micedesk.leads.models import Dispatch, DispatchStatus, Match
from tests import factories
from tests.leads.conftest import quote_request_make, venue_make


def codes(match: Match) -> list[str]:
    return [reason["code"] for reason in match.reasons]


def eligible_ids(matches: list[Match]) -> list[int]:
    return [match.supplier_id for match in matches if match.eligible]


@pytest.mark.django_db
class QuoteRequestMatchTestCase:
    def test_it_keeps_the_venues_that_meet_every_constraint(self, communes):
        fits = venue_make(capacities={"theatre": 80}, bedrooms=50)
        matches = quote_request_match(
            quote_request=quote_request_make(participants=60, bedrooms=40)
        )
        assert eligible_ids(matches) == [fits.pk]
        assert matches[0].rank == 1
        assert {"capacity", "bedrooms", "in_department"} <= set(codes(matches[0]))

    def test_it_sets_aside_a_venue_without_a_room_large_enough_in_the_layout(self, communes):
        small = venue_make(capacities={"theatre": 200, "u_shape": 20})
        matches = quote_request_match(
            quote_request=quote_request_make(participants=30, layout="u_shape")
        )
        assert [(m.supplier_id, m.eligible) for m in matches] == [(small.pk, False)]
        assert match_explanation(reasons=matches[0].reasons, language="en") == (
            "rejected: no room in U-shape ≥ 30"
        )

    def test_it_takes_the_largest_room_when_no_layout_is_asked(self, communes):
        venue_make(capacities={"cocktail": 150})
        venue_make(capacities={"theatre": 90})
        matches = quote_request_match(quote_request=quote_request_make(participants=120, layout=""))
        assert len(eligible_ids(matches)) == 1

    def test_it_checks_the_room_of_each_session(self, communes):
        both = venue_make(capacities={"theatre": 100, "u_shape": 25})
        venue_make(capacities={"theatre": 100, "u_shape": 15})
        quote_request = quote_request_make(
            participants=80,
            sessions=[{"layout": "u_shape", "attendance": 20}, {"layout": "theatre"}],
        )
        assert eligible_ids(quote_request_match(quote_request=quote_request)) == [both.pk]

    def test_it_requires_enough_bedrooms(self, communes):
        venue_make(bedrooms=30)
        matches = quote_request_match(quote_request=quote_request_make(bedrooms=40))
        assert not matches[0].eligible
        assert "too_few_bedrooms" in codes(matches[0])

    def test_it_requires_the_equipment_of_the_services_asked(self, communes):
        with_projector = venue_make(projector=True, wifi=False)
        venue_make(projector=False, wifi=True)
        quote_request = quote_request_make(services=["projector", "transport"])
        matches = quote_request_match(quote_request=quote_request)
        assert eligible_ids(matches) == [with_projector.pk]
        assert "missing_equipment" in codes(matches[-1])

    def test_it_requires_step_free_access_when_asked(self, communes):
        step_free = venue_make(step_free=True)
        venue_make(step_free=False)
        matches = quote_request_match(quote_request=quote_request_make(step_free_access=True))
        assert eligible_ids(matches) == [step_free.pk]

    def test_it_keeps_the_venues_within_the_radius_of_the_commune(self, communes):
        caen = venue_make(commune="14118")
        deauville = venue_make(commune="14220")  # about 31 km away
        venue_make(commune="76540")
        quote_request = quote_request_make(
            departments=[], commune=communes["14118"], radius_km=20, requested_suppliers=[deauville]
        )
        matches = quote_request_match(quote_request=quote_request)
        assert eligible_ids(matches) == [caen.pk]
        assert [m.supplier_id for m in matches] == [caen.pk, deauville.pk]
        assert "too_far" in codes(matches[-1])

    def test_it_uses_a_default_radius_when_none_is_given(self, communes):
        quote_request = quote_request_make(departments=[], commune=communes["14118"])
        assert criteria_of(quote_request).radius_km == DEFAULT_RADIUS_KM

    def test_it_keeps_the_venues_of_the_departments_asked(self, communes):
        rouen = venue_make(commune="76540")
        caen = venue_make(commune="14118")
        quote_request = quote_request_make(departments=["76", "27"], requested_suppliers=[caen])
        matches = quote_request_match(quote_request=quote_request)
        assert eligible_ids(matches) == [rouen.pk]
        assert "outside_departments" in codes(matches[-1])

    def test_it_looks_everywhere_when_no_place_is_asked(self, communes):
        venue_make(commune="76540")
        venue_make(commune="14118")
        matches = quote_request_match(quote_request=quote_request_make(departments=[]))
        assert len(eligible_ids(matches)) == 2

    def test_it_leaves_out_drafts_and_suppliers_that_are_not_venues(self, communes):
        venue_make(status=Status.DRAFT)
        venue_make(kind="activity", category=Category.TEAM_BUILDING)
        assert quote_request_match(quote_request=quote_request_make()) == []

    def test_it_prefers_a_room_that_fits_to_a_hall_far_too_large(self, communes):
        hall = venue_make(capacities={"theatre": 1000})
        fits = venue_make(capacities={"theatre": 30})
        matches = quote_request_match(quote_request=quote_request_make(participants=20))
        assert eligible_ids(matches) == [fits.pk, hall.pk]
        assert "oversized" in codes(matches[1])

    def test_it_prefers_a_venue_closer_to_the_commune(self, communes):
        bayeux = venue_make(commune="14047")
        caen = venue_make(commune="14118")
        quote_request = quote_request_make(departments=[], commune=communes["14118"], radius_km=40)
        assert eligible_ids(quote_request_match(quote_request=quote_request)) == [
            caen.pk,
            bayeux.pk,
        ]

    def test_it_prefers_the_themes_asked(self, communes):
        plain = venue_make()
        seaside = venue_make(theme_mask=THEMES.mask(["bord_de_mer"]))
        quote_request = quote_request_make(theme_mask=THEMES.mask(["bord_de_mer", "golf"]))
        matches = quote_request_match(quote_request=quote_request)
        assert eligible_ids(matches) == [seaside.pk, plain.pk]
        assert {"code": "themes", "params": {"codes": ["bord_de_mer"]}} in matches[0].reasons

    def test_it_prefers_a_venue_near_a_station_and_with_a_restaurant_when_asked(self, communes):
        plain = venue_make()
        served = venue_make(station_distance_km=1, restaurant_covers=80)
        quote_request = quote_request_make(near_station=True, catering=True)
        matches = quote_request_match(quote_request=quote_request)
        assert eligible_ids(matches) == [served.pk, plain.pk]
        assert {"near_station", "catering"} <= set(codes(matches[0]))

    def test_it_prefers_a_venue_measured_to_answer_fast_and_win(self, communes):
        unknown = venue_make()
        measured = venue_make()
        sent = timezone.now() - datetime.timedelta(days=120)
        for _number in range(4):
            Dispatch.objects.create(
                quote_request=quote_request_make(created_at=sent),
                supplier=measured,
                created_at=sent,
                sent_at=sent,
                first_answer_at=sent + datetime.timedelta(hours=2),
                status=DispatchStatus.WON,
            )
        matches = quote_request_match(quote_request=quote_request_make())
        assert eligible_ids(matches) == [measured.pk, unknown.pk]
        assert {"code": "response_time", "params": {"hours": 2.0, "answers": 4}} in matches[
            0
        ].reasons
        assert "response_time" not in codes(matches[1])

    def test_it_spreads_requests_over_comparable_venues(self, communes):
        busy = venue_make()
        idle = venue_make()
        for _number in range(3):
            Dispatch.objects.create(quote_request=quote_request_make(), supplier=busy)
        matches = quote_request_match(quote_request=quote_request_make())
        assert eligible_ids(matches) == [idle.pk, busy.pk]
        assert {"code": "recent_requests", "params": {"count": 3, "days": 90}} in matches[1].reasons

    def test_it_always_includes_a_supplier_asked_by_name(self, communes):
        small = venue_make(capacities={"theatre": 10})
        agency = factories.SupplierFactory(kind="agency", category=Category.EVENT_AGENCY)
        quote_request = quote_request_make(requested_suppliers=[small, agency])
        matches = {m.supplier_id: m for m in quote_request_match(quote_request=quote_request)}
        assert set(matches) == {small.pk, agency.pk}
        assert not matches[small.pk].eligible
        assert match_explanation(reasons=matches[small.pk].reasons, language="en") == (
            "asked for by the planner; does not meet: no room in theatre style ≥ 40"
        )

    def test_a_supplier_asked_by_name_that_fits_is_eligible_and_says_so(self, communes):
        fits = venue_make()
        quote_request = quote_request_make(requested_suppliers=[fits])
        [match] = quote_request_match(quote_request=quote_request)
        assert match.eligible
        assert codes(match)[0] == "asked_by_name"

    def test_it_replaces_the_matches_of_an_earlier_run(self, communes):
        first = venue_make()
        quote_request = quote_request_make()
        quote_request_match(quote_request=quote_request)
        Supplier.objects.filter(pk=first.pk).update(status=Status.DRAFT)
        second = venue_make()
        quote_request_match(quote_request=quote_request)
        assert list(
            Match.objects.filter(quote_request=quote_request).values_list("supplier_id", flat=True)
        ) == [second.pk]

    def test_it_stores_the_best_twenty_and_a_few_near_misses(self, communes):
        for _number in range(25):
            venue_make()
        for _number in range(12):
            venue_make(capacities={"theatre": 10})
        matches = quote_request_match(quote_request=quote_request_make())
        assert [m.eligible for m in matches] == [True] * 20 + [False] * 10
        assert [m.rank for m in matches] == list(range(1, 31))
        scores = [m.score for m in matches[:20]]
        assert scores == sorted(scores, reverse=True)


@pytest.mark.django_db
class MatchExplanationTestCase:
    def test_it_says_what_a_venue_meets(self):
        reasons = [
            {
                "code": "capacity",
                "params": {"layout": "theatre", "capacity": 120, "attendance": 80},
            },
            {"code": "bedrooms", "params": {"bedrooms": 45, "wanted": 40}},
        ]
        assert match_explanation(reasons=reasons, language="en") == (
            "theatre 120 ≥ 80; 45 bedrooms ≥ 40"
        )

    def test_it_says_why_a_venue_was_set_aside(self):
        reasons = [
            {
                "code": "capacity",
                "params": {"layout": "theatre", "capacity": 120, "attendance": 80},
            },
            {"code": "no_room", "params": {"layout": "u_shape", "capacity": 20, "attendance": 30}},
            {"code": "no_step_free", "params": {}},
        ]
        assert match_explanation(reasons=reasons, language="en") == (
            "rejected: no room in U-shape ≥ 30; no step-free access"
        )

    def test_it_writes_numbers_the_french_way_in_french(self):
        reasons = [
            {
                "code": "within_radius",
                "params": {"distance_km": 12.5, "radius_km": 30, "commune": "Caen"},
            }
        ]
        assert "12,5" in match_explanation(reasons=reasons, language="fr")
        assert "12.5" in match_explanation(reasons=reasons, language="en")

    def test_it_names_equipment_and_themes(self):
        reasons = [
            {"code": "equipment", "params": {"codes": ["projector", "wifi"]}},
            {"code": "themes", "params": {"codes": ["bord_de_mer"]}},
        ]
        assert match_explanation(reasons=reasons, language="en") == (
            "projector, wi-fi; themes: seaside"
        )

    def test_it_counts_in_the_singular_and_the_plural(self):
        one = [{"code": "bedrooms", "params": {"bedrooms": 1, "wanted": 1}}]
        many = [{"code": "recent_requests", "params": {"count": 3, "days": 90}}]
        assert match_explanation(reasons=one, language="en") == "1 bedroom ≥ 1"
        assert match_explanation(reasons=many, language="en") == "3 requests received in 90 days"

    def test_a_reason_stored_without_its_parameters_still_reads(self):
        reasons = [{"code": "within_radius", "params": {}}, {"code": "step_free"}]
        assert match_explanation(reasons=reasons, language="en") == (
            "? km from ?; step-free access"
        )

    def test_it_shows_an_unknown_code_as_it_is(self):
        assert match_explanation(reasons=[{"code": "new_rule"}], language="en") == "new_rule"


# The property: whatever the directory and the request, an eligible match meets every hard
# constraint, checked on the supplier's own row (not on the index matching used); and when fewer
# suppliers qualify than matching stores, every one of them is found.

COMMUNES = list(factories.COMMUNES)
LAYOUT_CHOICES = ["", "theatre", "classroom", "u_shape", "banquet"]

room_strategy = st.fixed_dictionaries(
    {
        "capacity_theatre": st.one_of(st.none(), st.integers(1, 400)),
        "capacity_classroom": st.one_of(st.none(), st.integers(1, 200)),
        "capacity_u_shape": st.one_of(st.none(), st.integers(1, 60)),
        "capacity_banquet": st.one_of(st.none(), st.integers(1, 300)),
        "step_free_access": st.booleans(),
        "projector": st.booleans(),
        "wifi": st.booleans(),
    }
)
supplier_strategy = st.fixed_dictionaries(
    {
        "commune": st.sampled_from(COMMUNES),
        "kind": st.sampled_from(["venue", "venue", "venue", "activity"]),
        "published": st.sampled_from([True, True, True, False]),
        "bedrooms": st.integers(0, 150),
        "rooms": st.lists(room_strategy, min_size=1, max_size=3),
    }
)
request_strategy = st.fixed_dictionaries(
    {
        "participants": st.integers(1, 150),
        "layout": st.sampled_from(LAYOUT_CHOICES),
        "bedrooms": st.sampled_from([0, 0, 0, 20, 60, 120]),
        "services": st.lists(st.sampled_from(["projector", "wifi", "av", "transport"]), max_size=1),
        "step_free_access": st.sampled_from([False, False, True]),
        "place": st.one_of(
            st.just(("anywhere", None)),
            st.tuples(st.just("departments"), st.sets(st.sampled_from(["14", "50", "61", "76"]))),
            st.tuples(st.just("radius"), st.tuples(st.sampled_from(COMMUNES), st.integers(5, 100))),
        ),
    }
)


def _store_directory(specs: list[dict]) -> list[Supplier]:
    places = factories.normandy()
    suppliers = []
    for number, spec in enumerate(specs):
        supplier = factories.SupplierFactory(
            name=f"Property venue {number}",
            slug=f"property-venue-{number}",
            commune=places[spec["commune"]],
            latitude=places[spec["commune"]].latitude + 0.01 * (number % 3),
            longitude=places[spec["commune"]].longitude,
            category=Category.HOTEL if spec["kind"] == "venue" else Category.TEAM_BUILDING,
            status=Status.PUBLISHED if spec["published"] else Status.DRAFT,
            bedrooms=spec["bedrooms"],
        )
        for room in spec["rooms"]:
            factories.MeetingRoomFactory(supplier=supplier, **room)
        suppliers.append(Supplier.objects.get(pk=supplier.pk))
    return suppliers


def _request(spec: dict):
    places = factories.normandy()
    kind, value = spec["place"]
    fields = {"departments": [], "commune": None, "radius_km": None}
    if kind == "departments":
        fields["departments"] = sorted(value)
    elif kind == "radius":
        fields["commune"], fields["radius_km"] = places[value[0]], value[1]
    return quote_request_make(
        participants=spec["participants"],
        layout=spec["layout"],
        bedrooms=spec["bedrooms"],
        services=spec["services"],
        step_free_access=spec["step_free_access"],
        **fields,
    )


def _distance(supplier: Supplier, quote_request) -> float | None:
    """Distance as the search index computes it (equirectangular, in km)."""
    origin = quote_request.commune
    if origin is None or supplier.latitude is None:
        return None
    dlat = (supplier.latitude - origin.latitude) * KM_PER_DEGREE
    dlon = (
        (supplier.longitude - origin.longitude)
        * KM_PER_DEGREE
        * math.cos(math.radians(origin.latitude))
    )
    return math.hypot(dlat, dlon)


def _meets_everything(supplier: Supplier, quote_request) -> bool:
    """The hard constraints, written again from the request's own fields."""
    if supplier.status != Status.PUBLISHED or supplier.kind != "venue":
        return False
    rooms = list(supplier.rooms.all())
    if quote_request.layout:
        capacity = max((room.capacity(quote_request.layout) or 0 for room in rooms), default=0)
    else:
        capacity = max((max(room.capacities.values(), default=0) for room in rooms), default=0)
    if capacity < quote_request.participants:
        return False
    if supplier.bedrooms < quote_request.bedrooms:
        return False
    wanted = set()
    for service in quote_request.services:
        wanted |= {"av": {"projector", "screen", "sound"}}.get(service, {service} - {"transport"})
    if quote_request.step_free_access:
        wanted.add("step_free")
    offered = set()
    for room in rooms:
        offered |= set(EQUIPMENT.codes_in(room.equipment_mask))
    if not wanted <= offered:
        return False
    if quote_request.commune is not None:
        distance = _distance(supplier, quote_request)
        return distance is not None and distance <= quote_request.radius_km + 1e-9
    if quote_request.departments:
        return supplier.department_code in quote_request.departments
    return True


def _edges(directory: list[dict], layout: str) -> tuple[list[int], list[int]]:
    """Attendances and bedroom counts equal to the directory's own figures: the edges of the
    constraints, where a `>` written for a `>=` shows."""
    column = f"capacity_{layout}" if layout else None
    capacities = [
        room[column] if column else max((v or 0) for k, v in room.items() if k.startswith("cap"))
        for spec in directory
        for room in spec["rooms"]
    ]
    return [c for c in capacities if c], [
        spec["bedrooms"] for spec in directory if spec["bedrooms"]
    ]


@pytest.mark.django_db
class MatchPropertiesTestCase:
    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        directory=st.lists(supplier_strategy, min_size=1, max_size=8),
        request_spec=request_strategy,
        data=st.data(),
    )
    def test_every_eligible_match_meets_every_hard_constraint(
        self, communes, directory, request_spec, data
    ):
        attendances, bedrooms = _edges(directory, request_spec["layout"])
        if attendances and data.draw(st.booleans()):
            request_spec["participants"] = data.draw(st.sampled_from(attendances))
        if bedrooms and data.draw(st.booleans()):
            request_spec["bedrooms"] = data.draw(st.sampled_from(bedrooms))
        with transaction.atomic():
            suppliers = {s.pk: s for s in _store_directory(directory)}
            quote_request = _request(request_spec)
            matches = quote_request_match(quote_request=quote_request)
            criteria = criteria_of(quote_request)
            for match in matches:
                if match.eligible:
                    supplier = suppliers[match.supplier_id]
                    assert _meets_everything(supplier, quote_request), match.reasons
                    _met, failed = supplier_check(
                        supplier, criteria, _distance(supplier, quote_request)
                    )
                    assert not failed
            qualified = {pk for pk, s in suppliers.items() if _meets_everything(s, quote_request)}
            event(f"qualified {min(len(qualified), 3)}")
            # Distances on the very edge of the radius may round either way.
            edge = {
                pk
                for pk, s in suppliers.items()
                if quote_request.commune is not None
                and abs((_distance(s, quote_request) or 0) - quote_request.radius_km) < 1e-6
            }
            for found in (
                set(eligible_ids(matches)),
                set(suppliers_meeting(quote_request=quote_request)),
            ):
                assert found - edge <= qualified
                assert qualified - edge <= found
            transaction.set_rollback(True)
