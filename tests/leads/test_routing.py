"""Tests of routing: the policy in force, the three modes, re-routing by staff, and the creation of
dispatches exactly once, also under concurrency (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from micedesk.geo.models import Partner, PartnerKind
from micedesk.leads.models import (
    Dispatch,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
    RoutingMode,
    RoutingPolicy,
)
from micedesk.leads.routing import (
    dispatch_create,
    partner_for,
    quote_request_reroute,
    quote_request_route,
    routing_policy_for,
)
from micedesk.leads.tasks import _enqueue
from tests import factories
from tests.leads.conftest import quote_request_make, together, venue_make


def supplier_ids(dispatches: list[Dispatch]) -> set[int]:
    return {dispatch.supplier_id for dispatch in dispatches if dispatch.supplier_id}


def events(quote_request: QuoteRequest) -> list[str]:
    return list(
        RoutingLogEntry.objects.filter(quote_request=quote_request).values_list("event", flat=True)
    )


def agency(department: str = "14", communes: tuple[str, ...] = ()) -> Partner:
    partner = Partner.objects.create(
        name=f"Attractiveness agency {department}",
        slug=f"agency-{department}",
        kind=PartnerKind.ATTRACTIVENESS_AGENCY,
        department_id=department,
        email=f"mice@agency-{department}.example",
    )
    partner.communes.set(communes)
    return partner


@pytest.mark.django_db
class RoutingPolicyForTestCase:
    def test_it_routes_direct_to_the_five_best_while_staff_set_nothing(self, communes):
        decision = routing_policy_for(quote_request=quote_request_make())
        assert (decision.mode, decision.best_count, decision.source) == ("direct", 5, "default")

    def test_it_takes_the_policy_of_the_department(self, communes):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.PARTNER, best_count=3)
        decision = routing_policy_for(quote_request=quote_request_make(departments=["14", "50"]))
        assert (decision.mode, decision.best_count, decision.source) == ("partner", 3, "department")

    def test_a_policy_for_the_kind_of_event_comes_before_the_department_wide_one(self, communes):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.PARTNER)
        RoutingPolicy.objects.create(
            department_id="14", event_kind="congres", mode=RoutingMode.REVIEW
        )
        congress = routing_policy_for(quote_request=quote_request_make(event_kind="congres"))
        seminar = routing_policy_for(quote_request=quote_request_make(event_kind="seminaire"))
        assert (congress.mode, congress.source) == ("review", "kind")
        assert (seminar.mode, seminar.source) == ("partner", "department")

    def test_it_reads_the_department_of_the_commune_when_none_is_asked(self, communes):
        RoutingPolicy.objects.create(department_id="76", mode=RoutingMode.REVIEW)
        quote_request = quote_request_make(departments=[], commune=communes["76540"])
        assert routing_policy_for(quote_request=quote_request).mode == "review"

    def test_another_department_keeps_the_default(self, communes):
        RoutingPolicy.objects.create(department_id="76", mode=RoutingMode.REVIEW)
        assert routing_policy_for(quote_request=quote_request_make()).mode == "direct"


@pytest.mark.django_db
class QuoteRequestRouteTestCase:
    def test_it_dispatches_to_the_best_matches(self, communes):
        RoutingPolicy.objects.create(department_id="14", best_count=2)
        best = [venue_make(capacities={"theatre": 50}) for _number in range(2)]
        venue_make(capacities={"theatre": 400})
        quote_request = quote_request_make()
        dispatches = quote_request_route(quote_request=quote_request)
        assert supplier_ids(dispatches) == {venue.pk for venue in best}
        assert all(dispatch.status == "pending" for dispatch in dispatches)
        assert dispatches[0].explanation[0]["code"] == "routed_direct"
        quote_request.refresh_from_db()
        assert quote_request.status == RequestStatus.ROUTED

    def test_it_sends_to_a_supplier_asked_by_name_even_when_it_fails_a_constraint(self, communes):
        fits = venue_make()
        small = venue_make(capacities={"theatre": 10})
        quote_request = quote_request_make(requested_suppliers=[small])
        dispatches = quote_request_route(quote_request=quote_request)
        assert supplier_ids(dispatches) == {fits.pk, small.pk}
        named = next(d for d in dispatches if d.supplier_id == small.pk)
        assert "no_room" in [reason["code"] for reason in named.explanation]

    def test_a_supplier_asked_by_name_that_left_the_directory_is_not_sent_it(self, communes):
        fits = venue_make()
        gone = venue_make(status="draft")
        quote_request = quote_request_make(requested_suppliers=[gone])
        assert supplier_ids(quote_request_route(quote_request=quote_request)) == {fits.pk}

    def test_it_keeps_the_callers_request_in_step(self, communes):
        quote_request = quote_request_make()
        quote_request_route(quote_request=quote_request)
        assert quote_request.status == RequestStatus.ROUTED

    def test_it_holds_a_request_for_review_without_dispatching(self, communes):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.REVIEW)
        venue_make()
        quote_request = quote_request_make()
        assert quote_request_route(quote_request=quote_request) == []
        quote_request.refresh_from_db()
        assert quote_request.status == RequestStatus.REVIEW
        assert not Dispatch.objects.exists()
        assert events(quote_request) == ["held_for_review"]

    def test_staff_send_on_a_request_held_for_review_in_the_mode_they_choose(
        self, communes, people
    ):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.REVIEW)
        venue = venue_make()
        quote_request = quote_request_make()
        quote_request_route(quote_request=quote_request)
        dispatches = quote_request_route(
            quote_request=quote_request, actor=people.staff, force_mode=RoutingMode.DIRECT
        )
        assert supplier_ids(dispatches) == {venue.pk, people.hotel.pk}
        entry = RoutingLogEntry.objects.get(quote_request=quote_request, event="routed")
        assert (entry.actor, entry.details["forced"]) == (people.staff, True)

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_it_refuses_a_chosen_mode_from_anyone_but_staff(self, communes, people, role):
        quote_request = quote_request_make()
        with pytest.raises(PermissionDenied):
            quote_request_route(
                quote_request=quote_request, actor=getattr(people, role), force_mode="direct"
            )
        with pytest.raises(PermissionDenied):
            quote_request_route(quote_request=quote_request, force_mode="direct")

    def test_it_refuses_an_unknown_mode(self, communes, people):
        with pytest.raises(ValidationError):
            quote_request_route(
                quote_request=quote_request_make(), actor=people.staff, force_mode="pigeon"
            )

    @pytest.mark.parametrize(
        "status", [RequestStatus.QUARANTINED, RequestStatus.DUPLICATE, RequestStatus.WON]
    )
    def test_it_refuses_to_route_a_request_set_aside_or_closed(self, communes, status):
        venue_make()
        with pytest.raises(ValidationError):
            quote_request_route(quote_request=quote_request_make(status=status))
        assert not Dispatch.objects.exists()

    def test_routing_again_sends_to_no_one_twice(self, communes):
        venue_make()
        quote_request = quote_request_make()
        first = quote_request_route(quote_request=quote_request)
        second = quote_request_route(quote_request=quote_request)
        assert [d.pk for d in first] == [d.pk for d in second]
        assert Dispatch.objects.count() == 1
        assert events(quote_request).count("dispatched") == 1

    def test_it_logs_matching_routing_and_each_dispatch(self, communes):
        venue_make()
        venue_make()
        quote_request = quote_request_make()
        quote_request_route(quote_request=quote_request)
        assert events(quote_request) == ["matched", "dispatched", "dispatched", "routed"]
        routed = RoutingLogEntry.objects.get(quote_request=quote_request, event="routed")
        assert routed.details["mode"] == "direct"
        assert routed.details["policy"] == "default"
        assert len(routed.details["recipients"]) == 2

    def test_a_request_with_no_match_is_routed_to_no_one_and_says_so(self, communes):
        quote_request = quote_request_make()
        assert quote_request_route(quote_request=quote_request) == []
        routed = RoutingLogEntry.objects.get(quote_request=quote_request, event="routed")
        assert routed.details["recipients"] == []


@pytest.mark.django_db
class PartnerRoutingTestCase:
    def test_it_sends_to_the_convention_bureau_covering_the_commune(self, communes, people):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.PARTNER)
        agency("14", communes=tuple(factories.COMMUNES)[:3])
        venue = venue_make()
        quote_request = quote_request_make(departments=[], commune=communes["14047"])
        [dispatch] = quote_request_route(quote_request=quote_request)
        assert dispatch.partner == people.partner_org  # the Caen bureau covers Bayeux
        codes = [reason["code"] for reason in dispatch.explanation]
        assert codes == ["partner_territory", "ranked_matches"]
        ranked = dispatch.explanation[1]["params"]["matches"]
        assert {match["supplier_id"] for match in ranked} == {venue.pk, people.hotel.pk}

    def test_it_falls_back_to_the_attractiveness_agency_of_the_department(self, communes, people):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.PARTNER)
        calvados = agency("14")
        quote_request = quote_request_make(departments=[], commune=communes["14220"])
        assert partner_for(quote_request=quote_request) == calvados
        assert partner_for(quote_request=quote_request_make(departments=["14"])) == calvados

    def test_a_covering_agency_comes_before_another_of_the_department(self, communes):
        covering = agency("14", communes=("14220",))
        Partner.objects.create(
            name="A second agency",
            slug="second-agency",
            kind=PartnerKind.ATTRACTIVENESS_AGENCY,
            department_id="14",
        )
        quote_request = quote_request_make(departments=[], commune=communes["14220"])
        assert partner_for(quote_request=quote_request) == covering

    def test_it_routes_direct_when_no_partner_covers_the_place(self, communes):
        RoutingPolicy.objects.create(department_id="50", mode=RoutingMode.PARTNER)
        venue = venue_make(commune="50129")
        quote_request = quote_request_make(departments=["50"])
        assert supplier_ids(quote_request_route(quote_request=quote_request)) == {venue.pk}
        assert "partner_missing" in events(quote_request)

    def test_a_supplier_asked_by_name_receives_it_directly_too(self, communes, people):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.PARTNER)
        named = venue_make()
        quote_request = quote_request_make(
            departments=[], commune=communes["14118"], requested_suppliers=[named]
        )
        dispatches = quote_request_route(quote_request=quote_request)
        assert {(d.partner_id, d.supplier_id) for d in dispatches} == {
            (people.partner_org.pk, None),
            (None, named.pk),
        }

    def test_the_partner_forwards_exactly_once(self, communes, people):
        venue = venue_make()
        quote_request = quote_request_make()
        first, created = dispatch_create(
            quote_request=quote_request, supplier=venue, forwarded_by=people.partner_org
        )
        again, created_again = dispatch_create(
            quote_request=quote_request, supplier=venue, forwarded_by=people.partner_org
        )
        assert (created, created_again, first.pk) == (True, False, again.pk)
        assert first.forwarded_by == people.partner_org


@pytest.mark.django_db
class QuoteRequestRerouteTestCase:
    def test_staff_add_suppliers_and_none_receives_it_twice(self, communes, people):
        first = venue_make()
        added = venue_make(commune="76540")
        quote_request = quote_request_make()
        quote_request_route(quote_request=quote_request)
        dispatches = quote_request_reroute(
            quote_request=quote_request, supplier_ids=[first.pk, added.pk], actor=people.staff
        )
        assert supplier_ids(dispatches) == {first.pk, added.pk}
        assert Dispatch.objects.filter(quote_request=quote_request).count() == 3  # and the hotel
        entry = RoutingLogEntry.objects.get(quote_request=quote_request, event="rerouted")
        assert (entry.details["added"], entry.details["already"]) == ([added.pk], [first.pk])
        new = Dispatch.objects.get(supplier=added)
        assert new.explanation[0]["code"] == "rerouted_by_staff"

    def test_it_sends_on_a_request_held_for_review(self, communes, people):
        RoutingPolicy.objects.create(department_id="14", mode=RoutingMode.REVIEW)
        venue = venue_make()
        quote_request = quote_request_make()
        quote_request_route(quote_request=quote_request)
        quote_request_reroute(
            quote_request=quote_request, supplier_ids=[venue.pk], actor=people.staff
        )
        quote_request.refresh_from_db()
        assert quote_request.status == RequestStatus.ROUTED

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_it_refuses_anyone_but_staff(self, communes, people, role):
        venue = venue_make()
        with pytest.raises(PermissionDenied):
            quote_request_reroute(
                quote_request=quote_request_make(),
                supplier_ids=[venue.pk],
                actor=getattr(people, role),
            )
        assert not Dispatch.objects.exists()

    def test_it_refuses_unknown_suppliers(self, communes, people):
        with pytest.raises(ValidationError) as refused:
            quote_request_reroute(
                quote_request=quote_request_make(), supplier_ids=[987654], actor=people.staff
            )
        assert "supplier_ids" in refused.value.message_dict


@pytest.mark.django_db
class DispatchCreateTestCase:
    def test_it_creates_a_dispatch_once_per_recipient(self, communes):
        venue = venue_make()
        quote_request = quote_request_make()
        first = dispatch_create(quote_request=quote_request, supplier=venue)
        second = dispatch_create(quote_request=quote_request, supplier=venue)
        assert (first[1], second[1], first[0].pk) == (True, False, second[0].pk)

    def test_it_refuses_a_dispatch_to_no_one_or_to_two_recipients(self, communes, people):
        quote_request = quote_request_make()
        with pytest.raises(ValueError):
            dispatch_create(quote_request=quote_request)
        with pytest.raises(ValueError):
            dispatch_create(
                quote_request=quote_request, supplier=people.hotel, partner=people.partner_org
            )

    def test_it_queues_one_sending_task_per_transaction(
        self, communes, django_capture_on_commit_callbacks
    ):
        venues = [venue_make() for _number in range(3)]
        quote_request = quote_request_make()
        with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
            for venue in venues:
                dispatch_create(quote_request=quote_request, supplier=venue)
        assert callbacks == [_enqueue]


@pytest.mark.usefixtures("concurrent_db")
class DispatchCreateConcurrencyTestCase:
    def test_two_creators_at_once_make_one_row(self, communes):
        venue = venue_make()
        quote_request = quote_request_make()

        def create() -> tuple[int, bool]:
            with transaction.atomic():
                dispatch, created = dispatch_create(quote_request=quote_request, supplier=venue)
            return dispatch.pk, created

        for _round in range(5):
            Dispatch.objects.all().delete()
            results = together(create, create, create)
            assert len({pk for pk, _created in results}) == 1
            assert sorted(created for _pk, created in results) == [False, False, True]
            assert Dispatch.objects.count() == 1

    def test_a_request_routed_twice_at_the_same_moment_reaches_each_supplier_once(self, communes):
        venues = [venue_make() for _number in range(4)]
        quote_request = quote_request_make()
        together(
            lambda: quote_request_route(quote_request=quote_request),
            lambda: quote_request_route(quote_request=quote_request),
        )
        rows = Dispatch.objects.filter(quote_request=quote_request)
        assert sorted(rows.values_list("supplier_id", flat=True)) == [v.pk for v in venues]
        assert events(quote_request).count("dispatched") == 4
