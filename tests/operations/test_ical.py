"""iCalendar output, parsed back with icalendar: all-day dates, stable UID, place, description
with a webinar's schedule, and a year's calendar."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from icalendar import Calendar

from micedesk.operations.ical import calendar_ics, event_ics
from micedesk.operations.models import EventStatus
from tests import factories
from tests.operations import builders

pytestmark = pytest.mark.django_db


def vevents(data: bytes) -> list:
    return [item for item in Calendar.from_ical(data).walk() if item.name == "VEVENT"]


class EventIcsTestCase:
    def test_it_writes_an_all_day_event_with_a_stable_uid(self, communes, settings):
        settings.SITE_URL = "https://meetings.example"
        event = builders.event(
            name="Salon Heavent Cannes",
            kind="trade_show",
            starts_on=datetime.date(2024, 11, 19),
            ends_on=datetime.date(2024, 11, 21),
            place="Palais des Festivals, Cannes",
            theme="Événementiel",
        )
        (item,) = vevents(event_ics(event=event))
        assert str(item["uid"]) == f"event-{event.pk}@meetings.example"
        assert item.decoded("dtstart") == datetime.date(2024, 11, 19)
        assert item.decoded("dtend") == datetime.date(2024, 11, 22)
        assert str(item["location"]) == "Palais des Festivals, Cannes"
        assert str(item["summary"]) == "Salon Heavent Cannes"
        assert str(item["url"]).startswith("https://meetings.example/")
        assert "Événementiel" in str(item["description"])
        assert vevents(event_ics(event=event))[0]["uid"] == item["uid"]

    def test_a_webinar_lists_its_presentations_in_order(self, communes):
        event = builders.event(kind="webinar", place="", online=True)
        first, second = (
            factories.SupplierFactory(name="Manoir A"),
            factories.SupplierFactory(name="Domaine B"),
        )
        start = timezone.make_aware(datetime.datetime(2024, 3, 14, 11, 0))
        builders.participant(
            event, supplier=second, role="presenter", position=2, starts_at=start, minutes=10
        )
        builders.participant(
            event,
            supplier=first,
            role="presenter",
            position=1,
            starts_at=start - datetime.timedelta(minutes=10),
            minutes=10,
        )
        (item,) = vevents(event_ics(event=event))
        description = str(item["description"])
        assert description.index("10:50 Manoir A (10 min)") < description.index("11:00 Domaine B")
        assert str(item["location"])

    def test_a_campaign_links_its_page(self, communes, settings):
        settings.SITE_URL = "https://meetings.example"
        event = builders.event(kind="campaign", campaign_slug="seminaires-au-vert")
        (item,) = vevents(event_ics(event=event))
        assert "seminaires-au-vert" in str(item["url"])


class CalendarIcsTestCase:
    def test_it_holds_every_event_given(self, communes):
        events = [builders.event(starts_on=datetime.date(2024, month, 1)) for month in (1, 5, 9)]
        cancelled = builders.event(status=EventStatus.CANCELLED)
        data = calendar_ics(events=[*events, cancelled], name="Bureau 2024")
        parsed = Calendar.from_ical(data)
        assert str(parsed["x-wr-calname"]) == "Bureau 2024"
        items = vevents(data)
        assert len(items) == 4
        assert str(items[-1]["status"]) == "CANCELLED"
