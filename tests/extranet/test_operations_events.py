"""A member's own events in the extranet: scoping (anonymous, outsider, staff, another supplier),
only their own appointments' contacts (name and company), the published results of a closed
event, and the .ics file."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from micedesk.crm.services import company_find_or_create, contact_create
from micedesk.operations import services
from micedesk.operations.models import BureauEvent, EventStatus

TODAY = timezone.localdate()


def make_event(staff, **changes) -> BureauEvent:
    data = {
        "name": "Workshop of the Norman venues",
        "kind": "webinar",
        "starts_on": TODAY + datetime.timedelta(days=10),
        "ends_on": TODAY + datetime.timedelta(days=10),
        "online": True,
    }
    data.update(changes)
    return services.event_create(data=data, user=staff)


def client_contact(staff, last_name: str, company: str, email: str):
    return contact_create(
        data={"first_name": "Demo", "last_name": last_name, "email": email, "phone": "0600"},
        user=staff,
        company=company_find_or_create(name=company, user=staff),
    )


@pytest.fixture
def world(people):
    """An event where the hotel and its competitor both take part, each with one appointment,
    and an event the hotel does not take part in."""
    event = make_event(people.staff)
    slot = timezone.make_aware(datetime.datetime.combine(event.starts_on, datetime.time(10)))
    mine = services.participant_add(
        event=event,
        user=people.staff,
        role="presenter",
        supplier=people.hotel,
        cost_share=Decimal("450.00"),
        starts_at=slot,
        minutes=15,
    )
    theirs = services.participant_add(
        event=event, user=people.staff, role="presenter", supplier=people.other_hotel
    )
    my_client = client_contact(people.staff, "Mineclient", "Mine Corp", "mine@corp.example")
    their_client = client_contact(people.staff, "Theirclient", "Their Corp", "their@corp.example")
    services.appointment_save(
        event=event, participant=mine, contact=my_client, user=people.staff, status="planned"
    )
    services.appointment_save(
        event=event, participant=theirs, contact=their_client, user=people.staff, status="planned"
    )
    elsewhere = make_event(people.staff, name="Competitor's éductour", kind="eductour")
    services.participant_add(
        event=elsewhere, user=people.staff, role="visited", supplier=people.other_hotel
    )
    return event, elsewhere


LIST = "/extranet/evenements/"


def detail(event) -> str:
    return f"{LIST}{event.pk}/"


def ics(event) -> str:
    return f"{LIST}{event.pk}/calendrier.ics"


@pytest.mark.django_db
class MyEventsAccessTestCase:
    def test_anonymous_visitors_are_sent_to_login(self, client, world):
        event, _elsewhere = world
        for url in (LIST, detail(event), ics(event)):
            response = client.get(url)
            assert response.status_code == 302
            assert "/connexion/" in response["Location"]

    @pytest.mark.parametrize("who", ["outsider", "staff"])
    def test_users_without_a_member_role_are_refused(self, client, people, world, who):
        event, _elsewhere = world
        client.force_login(getattr(people, who))
        for url in (LIST, detail(event), ics(event)):
            assert client.get(url).status_code == 403

    def test_an_event_the_member_does_not_take_part_in_is_not_found(self, client, people, world):
        _event, elsewhere = world
        client.force_login(people.supplier)
        assert client.get(detail(elsewhere)).status_code == 404
        assert client.get(ics(elsewhere)).status_code == 404
        assert client.get(f"{LIST}999999/").status_code == 404

    def test_a_partner_not_taking_part_sees_nothing(self, client, people, world):
        event, _elsewhere = world
        client.force_login(people.partner)
        html = client.get(LIST).content.decode()
        assert f'data-event="{event.pk}"' not in html
        assert client.get(detail(event)).status_code == 404

    def test_it_only_answers_reads(self, client, people, world):
        event, _elsewhere = world
        client.force_login(people.supplier)
        assert client.post(detail(event)).status_code == 405


@pytest.mark.django_db
class MyEventsTestCase:
    def test_the_list_shows_the_members_own_events(self, client, people, world):
        event, elsewhere = world
        client.force_login(people.supplier)
        response = client.get(LIST)
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-event="{event.pk}"' in html
        assert f'data-event="{elsewhere.pk}"' not in html
        assert "450" in html

    def test_the_event_shows_the_slot_and_only_the_members_appointments(
        self, client, people, world
    ):
        event, _elsewhere = world
        client.force_login(people.supplier)
        response = client.get(detail(event))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="slot"' in html
        assert "Mineclient" in html and "Mine Corp" in html
        assert "mine@corp.example" not in html and "0600" not in html
        assert "Theirclient" not in html and "Their Corp" not in html
        assert people.other_hotel.name not in html

    def test_the_competitor_sees_its_own_appointment_only(self, client, people, world):
        event, _elsewhere = world
        client.force_login(people.other_supplier)
        html = client.get(detail(event)).content.decode()
        assert "Theirclient" in html
        assert "Mineclient" not in html

    def test_a_partner_taking_part_sees_the_event(self, client, people, world):
        event, _elsewhere = world
        services.participant_add(
            event=event, user=people.staff, role="host", partner=people.partner_org
        )
        client.force_login(people.partner)
        assert f'data-event="{event.pk}"' in client.get(LIST).content.decode()
        html = client.get(detail(event)).content.decode()
        assert "Mineclient" not in html and "Theirclient" not in html

    def test_results_are_not_shown_before_the_event_is_closed(self, client, people, world):
        event, _elsewhere = world
        client.force_login(people.supplier)
        assert 'data-testid="published-results"' not in client.get(detail(event)).content.decode()

    def test_a_closed_event_shows_the_published_results(self, client, people, world):
        event, _elsewhere = world
        BureauEvent.objects.filter(pk=event.pk).update(
            status=EventStatus.CLOSED,
            starts_on=TODAY - datetime.timedelta(days=30),
            ends_on=TODAY - datetime.timedelta(days=30),
        )
        client.force_login(people.supplier)
        html = client.get(detail(event)).content.decode()
        assert 'data-testid="published-results"' in html
        assert "Theirclient" not in html

    def test_the_ics_file_of_an_own_event(self, client, people, world):
        event, _elsewhere = world
        client.force_login(people.supplier)
        response = client.get(ics(event))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "attachment" in response["Content-Disposition"]
        body = response.content.decode()
        assert body.startswith("BEGIN:VCALENDAR")
        assert "Workshop of the Norman venues" in body
