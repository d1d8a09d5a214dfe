"""Scoped reads: staff see all events; a supplier's or partner's members see the events they take
part in and the aggregates of closed ones, never contacts; outsiders see nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from micedesk.operations import selectors
from micedesk.operations.models import EventStatus
from tests.operations import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(people):
    hotel_event = builders.event(name="Hotel's workshop", status=EventStatus.CLOSED)
    builders.participant(hotel_event, supplier=people.hotel)
    partner_event = builders.event(name="Partner's webinar", kind="webinar")
    builders.participant(partner_event, partner=people.partner_org, role="presenter")
    organised = builders.event(name="Organised by the partner")
    organised.organiser_partner = people.partner_org
    organised.save()
    other_event = builders.event(name="Competitor's show", kind="trade_show")
    builders.participant(other_event, supplier=people.other_hotel)
    return hotel_event, partner_event, organised, other_event


class EventsForTestCase:
    def test_staff_see_every_event(self, people, events):
        assert selectors.events_for(user=people.staff).count() == 4
        assert selectors.events_for(user=people.admin).count() == 4

    def test_a_supplier_member_sees_their_own_events(self, people, events):
        assert list(selectors.events_for(user=people.supplier)) == [events[0]]
        assert list(selectors.events_for(user=people.other_supplier)) == [events[3]]

    def test_a_partner_member_sees_those_they_take_part_in_or_organise(self, people, events):
        assert set(selectors.events_for(user=people.partner)) == {events[1], events[2]}

    def test_an_outsider_sees_nothing(self, people, events):
        assert not selectors.events_for(user=people.outsider).exists()

    def test_event_for_member_hides_the_others(self, people, events):
        assert selectors.event_for_member(user=people.supplier, pk=events[0].pk) == events[0]
        with pytest.raises(Http404):
            selectors.event_for_member(user=people.supplier, pk=events[3].pk)


class EventForStaffTestCase:
    def test_it_refuses_non_staff_and_missing_events(self, people, events):
        assert selectors.event_for_staff(user=people.staff, pk=events[0].pk) == events[0]
        for user in (people.supplier, people.partner, people.outsider):
            with pytest.raises(PermissionDenied):
                selectors.event_for_staff(user=user, pk=events[0].pk)
        with pytest.raises(Http404):
            selectors.event_for_staff(user=people.staff, pk=999999)


class ParticipationsForTestCase:
    def test_it_lists_only_the_users_own(self, people, events):
        assert [p.event for p in selectors.participations_for(user=people.supplier)] == [events[0]]
        assert [p.event for p in selectors.participations_for(user=people.partner)] == [events[1]]
        assert not selectors.participations_for(user=people.outsider).exists()
        assert not selectors.participations_for(user=people.staff).exists()


class PublishedResultsTestCase:
    def test_a_participant_sees_aggregates_of_a_closed_event_without_identities(
        self, people, events
    ):
        hotel_event = events[0]
        planner = builders.contact(last_name="Secretname")
        builders.met(hotel_event, planner)
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 6, 1)))
        results = selectors.published_results_for(user=people.supplier, event=hotel_event)
        assert results["available"] is True
        assert results["contacts_met"] == 1 and results["useful_contacts"] == 1
        assert "Secretname" not in repr(results)
        assert all(not hasattr(value, "pk") for value in results.values())

    def test_it_says_not_yet_before_closing(self, people, events):
        results = selectors.published_results_for(user=people.partner, event=events[1])
        assert results == {"available": False}

    def test_it_refuses_those_who_did_not_take_part(self, people, events):
        for user in (people.other_supplier, people.partner, people.outsider):
            with pytest.raises(Http404):
                selectors.published_results_for(user=user, event=events[0])


class CalendarTestCase:
    def test_it_lists_the_year_in_order_without_cancelled_events(self, people):
        late = builders.event(starts_on=datetime.date(2024, 11, 5))
        early = builders.event(starts_on=datetime.date(2024, 2, 5))
        builders.event(starts_on=datetime.date(2024, 5, 5), status=EventStatus.CANCELLED)
        builders.event(starts_on=datetime.date(2023, 5, 5))
        assert list(selectors.year_calendar(year=2024)) == [early, late]

    def test_guests_and_appointments_of_an_event(self, people):
        event = builders.event()
        contact = builders.contact()
        builders.guest(event, contact)
        part = builders.participant(event, supplier=people.hotel)
        from micedesk.operations.models import Appointment

        Appointment.objects.create(event=event, participant=part, contact=contact)
        assert [g.contact for g in selectors.event_guests(event=event)] == [contact]
        assert [a.contact for a in selectors.event_appointments(event=event)] == [contact]
        assert list(selectors.event_participants(event=event)) == [part]
