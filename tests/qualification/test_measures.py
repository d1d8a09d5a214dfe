"""The platform's measures, read from dispatches and meeting rooms."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from micedesk.qualification.measures import MEASURES, measure_read
from tests import factories
from tests.leads import builders as leads


def _answered(supplier, hours: float, *, days_ago: int = 10) -> None:
    sent = timezone.now() - datetime.timedelta(days=days_ago)
    leads.dispatch(
        leads.quote_request(),
        supplier=supplier,
        sent_at=sent,
        first_answer_at=sent + datetime.timedelta(hours=hours),
    )


class MeasureRegistryTestCase:
    def test_it_registers_the_four_measures_of_the_contract(self):
        assert {
            "median_first_answer_hours",
            "answer_rate",
            "seats_per_outlet",
            "blackout_rooms_share",
        } <= set(MEASURES)


class MedianFirstAnswerTestCase:
    def test_it_gives_the_median_hours_to_first_answer(self, people):
        for hours in (2, 10, 100):
            _answered(people.hotel, hours)
        measured = measure_read(code="median_first_answer_hours", supplier=people.hotel)
        assert measured.value == Decimal("10.00")
        assert measured.details["answered_dispatches"] == 3

    def test_it_has_no_data_under_three_answers(self, people):
        _answered(people.hotel, 2)
        _answered(people.hotel, 4)
        measured = measure_read(code="median_first_answer_hours", supplier=people.hotel)
        assert measured.value is None
        assert measured.details["answered_dispatches"] == 2

    def test_it_ignores_dispatches_older_than_a_year(self, people):
        for hours in (2, 3, 4):
            _answered(people.hotel, hours, days_ago=400)
        assert measure_read(code="median_first_answer_hours", supplier=people.hotel).value is None

    def test_it_ignores_other_suppliers_dispatches(self, people):
        for hours in (2, 3, 4):
            _answered(people.other_hotel, hours)
        assert measure_read(code="median_first_answer_hours", supplier=people.hotel).value is None


class AnswerRateTestCase:
    def test_it_gives_the_share_of_dispatches_answered(self, people):
        for hours in (2, 3, 4):
            _answered(people.hotel, hours)
        leads.dispatch(leads.quote_request(), supplier=people.hotel)
        measured = measure_read(code="answer_rate", supplier=people.hotel)
        assert measured.value == Decimal("75.00")
        assert measured.details["sent_dispatches"] == 4

    def test_it_has_no_data_under_three_dispatches(self, people):
        leads.dispatch(leads.quote_request(), supplier=people.hotel)
        assert measure_read(code="answer_rate", supplier=people.hotel).value is None


class RoomMeasuresTestCase:
    def test_it_gives_the_worst_rooms_seats_per_outlet(self, people):
        supplier = factories.SupplierFactory()
        factories.MeetingRoomFactory(supplier=supplier, capacity_theatre=100, power_outlets=20)
        factories.MeetingRoomFactory(supplier=supplier, capacity_theatre=60, power_outlets=4)
        measured = measure_read(code="seats_per_outlet", supplier=supplier)
        assert measured.value == Decimal("15.00")
        assert len(measured.details["rooms"]) == 2

    def test_it_counts_a_room_without_outlet_as_one_outlet(self, people):
        supplier = factories.SupplierFactory()
        factories.MeetingRoomFactory(
            supplier=supplier, capacity_theatre=50, capacity_classroom=None, power_outlets=0
        )
        assert measure_read(code="seats_per_outlet", supplier=supplier).value == Decimal("50.00")

    def test_it_has_no_data_without_rooms(self, people):
        supplier = factories.SupplierFactory()
        assert measure_read(code="seats_per_outlet", supplier=supplier).value is None
        assert measure_read(code="blackout_rooms_share", supplier=supplier).value is None

    def test_it_gives_the_share_of_rooms_with_full_blackout(self, people):
        supplier = factories.SupplierFactory()
        factories.MeetingRoomFactory(supplier=supplier, blackout=True)
        factories.MeetingRoomFactory(supplier=supplier, blackout=False)
        measured = measure_read(code="blackout_rooms_share", supplier=supplier)
        assert measured.value == Decimal("50.00")
        assert measured.details == {"rooms": 2, "blackout_rooms": 1}
