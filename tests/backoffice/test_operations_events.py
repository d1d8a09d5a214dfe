"""The bureau's events in the back-office: the list (filters, upcoming first), the year's
calendar and its iCalendar file, creating and editing an event (its CRM action follows), closing
and cancelling with a confirmation."""

from __future__ import annotations

import datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.crm.models import BureauAction
from micedesk.operations.models import BureauEvent, EventStatus
from tests.backoffice.test_operations_access import make_event
from tests.crm import builders

EVENTS = reverse("backoffice:events")
NEW = reverse("backoffice:event_new")
TODAY = timezone.localdate()


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


class EventListTestCase:
    def test_it_lists_upcoming_events_first_then_past_ones(self, staff_client, people):
        past = make_event(people.staff, name="Past", starts_on=days(-90), ends_on=days(-89))
        later = make_event(people.staff, name="Later", starts_on=days(60), ends_on=days(60))
        soon = make_event(people.staff, name="Soon", starts_on=days(5), ends_on=days(6))
        response = staff_client.get(EVENTS)
        assert response.status_code == 200
        assert [event.pk for event in response.context["events"]] == [soon.pk, later.pk, past.pk]

    def test_it_filters_by_year_kind_and_status(self, staff_client, people):
        make_event(people.staff, name="Workshop")
        webinar = make_event(people.staff, name="Webinar", kind="webinar")
        make_event(people.staff, name="Old", starts_on=days(-800), ends_on=days(-800))
        response = staff_client.get(EVENTS, {"kind": "webinar", "year": webinar.year})
        assert [event.pk for event in response.context["events"]] == [webinar.pk]
        response = staff_client.get(EVENTS, {"status": "cancelled"})
        assert response.context["events"] == []

    def test_it_refuses_a_bad_filter(self, staff_client):
        assert staff_client.get(EVENTS, {"kind": "party"}).status_code == 400


class CalendarTestCase:
    def test_it_lists_the_year_month_by_month_without_cancelled_events(self, staff_client, people):
        year = TODAY.year + 1
        march = make_event(
            people.staff, starts_on=datetime.date(year, 3, 10), ends_on=datetime.date(year, 3, 10)
        )
        june = make_event(
            people.staff, starts_on=datetime.date(year, 6, 2), ends_on=datetime.date(year, 6, 3)
        )
        cancelled = make_event(
            people.staff, starts_on=datetime.date(year, 6, 9), ends_on=datetime.date(year, 6, 9)
        )
        cancelled.status = EventStatus.CANCELLED
        cancelled.save()
        response = staff_client.get(reverse("backoffice:event_calendar", args=[year]))
        months = [
            (month.month, [e.pk for e in events]) for month, events in response.context["months"]
        ]
        assert months == [(3, [march.pk]), (6, [june.pk])]

    def test_it_downloads_the_year_as_icalendar(self, staff_client, people):
        year = TODAY.year + 1
        make_event(
            people.staff,
            name="A",
            starts_on=datetime.date(year, 3, 10),
            ends_on=datetime.date(year, 3, 10),
        )
        make_event(
            people.staff,
            name="B",
            starts_on=datetime.date(year, 9, 1),
            ends_on=datetime.date(year, 9, 2),
        )
        response = staff_client.get(reverse("backoffice:event_calendar_ics", args=[year]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar = icalendar.Calendar.from_ical(response.content)
        names = sorted(str(item["summary"]) for item in calendar.walk("VEVENT"))
        assert names == ["A", "B"]

    def test_it_refuses_an_absurd_year(self, staff_client):
        assert (
            staff_client.get(reverse("backoffice:event_calendar", args=[3000])).status_code == 404
        )

    def test_it_downloads_one_event_as_icalendar(self, staff_client, people):
        event = make_event(people.staff, name="Workshop Caen")
        response = staff_client.get(reverse("backoffice:event_ics", args=[event.pk]))
        assert response.status_code == 200
        assert 'filename="workshop-caen.ics"' in response["Content-Disposition"]
        item = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
        assert str(item["summary"]) == "Workshop Caen"
        assert item["dtstart"].dt == event.starts_on


class EventFormTestCase:
    def data(self, **fields: object) -> dict:
        values = {
            "name": "Workshop Caen",
            "kind": "workshop",
            "status": "planned",
            "starts_on": days(40).isoformat(),
            "ends_on": days(41).isoformat(),
            "place": "Centre de congrès",
            "commune_code": "14118",
            "country": "FR",
        }
        values.update(fields)
        return values

    def test_it_creates_an_event_and_its_crm_action(self, staff_client, communes):
        seminars = builders.topic()
        assert staff_client.get(NEW).status_code == 200
        response = staff_client.post(NEW, self.data(topics=[seminars.pk]))
        event = BureauEvent.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("backoffice:event", args=[event.pk])
        assert event.commune_id == "14118" and event.department_code == "14"
        assert event.action.name == "Workshop Caen" and event.action.kind == "workshop"
        assert list(event.action.topics.all()) == [seminars]
        assert event.campaign_slug is None

    def test_it_creates_a_campaign_with_its_page(self, staff_client, communes):
        data = self.data(
            kind="campaign",
            name="Séminaires au vert",
            campaign_slug="seminaires-au-vert",
            campaign_title="Au vert",
        )
        assert staff_client.post(NEW, data).status_code == 302
        assert BureauEvent.objects.get().campaign_slug == "seminaires-au-vert"

    def test_it_ignores_campaign_fields_of_another_kind(self, staff_client, communes):
        staff_client.post(NEW, self.data(campaign_slug="not-a-campaign", campaign_title="x"))
        event = BureauEvent.objects.get()
        assert event.campaign_slug is None and event.campaign_title == ""

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"ends_on": days(10).isoformat()}, "ends_on"),
            ({"commune_code": "99999"}, "commune_code"),
            ({"kind": "mailing"}, "kind"),
            ({"name": ""}, "name"),
            ({"starts_on": "tomorrow"}, "starts_on"),
            ({"status": "closed"}, "status"),
            ({"kind": "campaign", "campaign_slug": ""}, "campaign_slug"),
            ({"department_code": "Calvados"}, "department_code"),
        ],
    )
    def test_it_refuses_bad_input_and_saves_nothing(self, staff_client, communes, fields, field):
        response = staff_client.post(NEW, self.data(**fields))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not BureauEvent.objects.exists() and not BureauAction.objects.exists()

    def test_it_edits_an_event_and_keeps_its_action_in_step(self, staff_client, people, communes):
        event = make_event(people.staff)
        url = reverse("backoffice:event_edit", args=[event.pk])
        assert staff_client.get(url).status_code == 200
        data = self.data(name="Workshop Rouen", commune_code="76540", status="confirmed")
        assert staff_client.post(url, data).status_code == 302
        event.refresh_from_db()
        assert event.name == "Workshop Rouen" and event.status == "confirmed"
        assert event.action.name == "Workshop Rouen" and event.action.department_code == "76"

    def test_it_refuses_marking_an_event_held_before_it_starts(self, staff_client, people):
        event = make_event(people.staff)
        url = reverse("backoffice:event_edit", args=[event.pk])
        response = staff_client.post(url, self.data(status="held", commune_code=""))
        assert response.status_code == 400
        event.refresh_from_db()
        assert event.status == "planned"


class CloseAndCancelTestCase:
    def test_it_closes_a_held_event_after_confirmation(self, staff_client, people):
        event = make_event(people.staff, starts_on=days(-3), ends_on=days(-2), status="held")
        url = reverse("backoffice:event_close", args=[event.pk])
        assert staff_client.get(url).status_code == 200
        assert staff_client.post(url).status_code == 302
        event.refresh_from_db()
        assert event.status == "closed" and event.closed_at is not None

    def test_it_refuses_closing_before_the_end(self, staff_client, people):
        event = make_event(people.staff, starts_on=days(-1), ends_on=days(2), status="held")
        response = staff_client.post(reverse("backoffice:event_close", args=[event.pk]))
        assert response.status_code == 400
        assert response.context["refusal"]
        event.refresh_from_db()
        assert event.status == "held" and event.closed_at is None

    def test_it_cancels_a_planned_event(self, staff_client, people):
        event = make_event(people.staff)
        assert (
            staff_client.post(reverse("backoffice:event_cancel", args=[event.pk])).status_code
            == 302
        )
        event.refresh_from_db()
        assert event.status == "cancelled"

    def test_it_refuses_cancelling_an_event_that_was_held(self, staff_client, people):
        event = make_event(people.staff, starts_on=days(-3), ends_on=days(-2), status="held")
        response = staff_client.post(reverse("backoffice:event_cancel", args=[event.pk]))
        assert response.status_code == 400
        event.refresh_from_db()
        assert event.status == "held"
