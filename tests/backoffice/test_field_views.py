"""The staff's phone on site: who may enter, the chooser, recording a contact met (refusals,
idempotent resend), guests' check-in and appointments marked held or cancelled."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone

from micedesk.crm.models import Contact, Interaction, InteractionKind, Topic
from micedesk.crm.services import contact_create
from micedesk.operations import services
from micedesk.operations.models import Appointment, EventGuest

TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_event(staff, **changes):
    data = {
        "name": "Salon des séminaires",
        "kind": "trade_show",
        "starts_on": TODAY,
        "ends_on": TODAY + datetime.timedelta(days=1),
        "place": "Paris, Porte de Versailles",
    }
    data.update(changes)
    return services.event_create(data=data, user=staff)


def met_form(**changes) -> dict:
    data = {
        "first_name": "Claire",
        "last_name": "Planner",
        "email": "claire@agency.example",
        "phone": "06 00 00 00 00",
        "company": "Demo Agency",
        "job_title": "Event manager",
        "brief": "A 120-person convention in June, near the sea.",
        "client_ref": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


@pytest.fixture
def event(people):
    return make_event(people.staff)


def page(event) -> str:
    return f"/backoffice/terrain/{event.pk}/"


@pytest.mark.django_db
class FieldAccessTestCase:
    def test_anonymous_visitors_are_sent_to_login(self, client, event):
        for url in ("/backoffice/terrain/", page(event)):
            response = client.get(url)
            assert response.status_code == 302
            assert "/connexion/" in response["Location"]
        response = client.post(page(event), met_form())
        assert response.status_code == 302
        assert not Contact.objects.exists()

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_others_than_staff_are_refused(self, client, people, event, who):
        client.force_login(getattr(people, who))
        assert client.get("/backoffice/terrain/").status_code == 403
        assert client.get(page(event)).status_code == 403
        assert client.post(page(event), met_form()).status_code == 403
        assert not Contact.objects.exists()

    def test_an_unknown_event_is_not_found(self, client, people):
        client.force_login(people.staff)
        assert client.get("/backoffice/terrain/999999/").status_code == 404


@pytest.mark.django_db
class FieldChooserTestCase:
    def test_it_lists_todays_and_upcoming_events_only(self, client, people, event):
        later = make_event(
            people.staff,
            name="Workshop",
            kind="workshop",
            starts_on=TODAY + datetime.timedelta(days=30),
            ends_on=TODAY + datetime.timedelta(days=30),
        )
        past = make_event(
            people.staff,
            name="Past show",
            starts_on=TODAY - datetime.timedelta(days=30),
            ends_on=TODAY - datetime.timedelta(days=29),
        )
        cancelled = make_event(people.staff, name="Cancelled")
        services.event_cancel(event=cancelled, user=people.staff)
        client.force_login(people.staff)
        html = client.get("/backoffice/terrain/").content.decode()
        assert f'data-event="{event.pk}"' in html
        assert f'data-event="{later.pk}"' in html
        assert html.index(f'data-event="{event.pk}"') < html.index(f'data-event="{later.pk}"')
        assert f'data-event="{past.pk}"' not in html
        assert f'data-event="{cancelled.pk}"' not in html


@pytest.mark.django_db
class FieldMetFormTestCase:
    def test_the_page_shows_a_one_column_form_with_a_reference(self, client, people, event):
        client.force_login(people.staff)
        response = client.get(page(event))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="field-form"' in html
        assert 'name="client_ref"' in html
        assert "js/field.js" in html
        assert "<script>" not in html and 'style="' not in html

    def test_staff_record_a_contact_met(self, client, people, event):
        topic, _created = Topic.objects.get_or_create(
            code="seaside", defaults={"name_fr": "Bord de mer", "name_en": "Seaside"}
        )
        client.force_login(people.staff)
        response = client.post(page(event), met_form(topics=[topic.pk]))
        assert response.status_code == 302
        contact = Contact.objects.get(email="claire@agency.example")
        assert contact.company.name == "Demo Agency"
        assert list(contact.topics.all()) == [topic]
        guest = EventGuest.objects.get(event=event, contact=contact)
        assert guest.met_on_site and guest.met_by == people.staff
        assert "convention" in guest.brief
        assert Interaction.objects.filter(
            contact=contact, action=event.action, kind=InteractionKind.MET
        ).exists()
        html = client.get(page(event)).content.decode()
        assert f'data-contact="{contact.pk}"' in html

    def test_an_htmx_post_returns_the_list_of_contacts_met(self, client, people, event):
        client.force_login(people.staff)
        response = client.post(page(event), met_form(), **HTMX)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="field-met-list"' in html
        assert f'data-contact="{Contact.objects.get().pk}"' in html

    def test_a_form_sent_twice_records_once(self, client, people, event):
        client.force_login(people.staff)
        data = met_form()
        assert client.post(page(event), data, **HTMX).status_code == 200
        assert client.post(page(event), data, **HTMX).status_code == 200
        assert client.post(page(event), data).status_code == 302
        assert Contact.objects.count() == 1
        assert Interaction.objects.filter(kind=InteractionKind.MET).count() == 1
        assert EventGuest.objects.filter(event=event).count() == 1

    def test_a_known_email_finds_the_contact(self, client, people, event):
        known = contact_create(
            data={"last_name": "Planner", "email": "claire@agency.example"}, user=people.staff
        )
        client.force_login(people.staff)
        client.post(page(event), met_form())
        assert Contact.objects.get() == known

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"email": "not an address"}, "email"),
            ({"last_name": ""}, "last_name"),
            ({"last_name": "   "}, "last_name"),
            ({"email": "", "phone": ""}, "email"),
            ({"client_ref": "not-a-uuid"}, "client_ref"),
            ({"topics": ["999999"]}, "topics"),
            ({"first_name": "x" * 101}, "first_name"),
        ],
    )
    def test_a_bad_entry_is_refused_and_nothing_written(
        self, client, people, event, changes, field
    ):
        # The form offers topics only once some exist (a browser test may have flushed them).
        Topic.objects.get_or_create(code="seaside", defaults={"name_fr": "Bord de mer"})
        client.force_login(people.staff)
        for extra in ({}, HTMX):
            response = client.post(page(event), met_form(**changes), **extra)
            assert response.status_code == 400
            html = response.content.decode()
            assert 'data-testid="form-errors"' in html
            if field != "topics":  # a group of checkboxes has no single id to point at
                assert f'href="#id_{field}"' in html
        assert not Contact.objects.exists()
        assert not EventGuest.objects.exists()
        assert not Interaction.objects.filter(kind=InteractionKind.MET).exists()

    def test_a_cancelled_event_refuses_new_contacts(self, client, people, event):
        services.event_cancel(event=event, user=people.staff)
        client.force_login(people.staff)
        assert client.post(page(event), met_form()).status_code == 400
        assert not Contact.objects.exists()


@pytest.fixture
def guest(people, event):
    contact = contact_create(
        data={"first_name": "Invited", "last_name": "Guest", "email": "guest@corp.example"},
        user=people.staff,
    )
    return services.guest_add(event=event, contact=contact, user=people.staff)


def attendance_url(event, guest) -> str:
    return f"/backoffice/terrain/{event.pk}/invites/{guest.pk}/presence/"


@pytest.mark.django_db
class FieldCheckInTestCase:
    def test_staff_check_a_guest_in_with_htmx(self, client, people, event, guest):
        client.force_login(people.staff)
        html = client.get(page(event)).content.decode()
        assert f'data-guest="{guest.pk}"' in html
        response = client.post(attendance_url(event, guest), {"attendance": "attended"}, **HTMX)
        assert response.status_code == 200
        assert 'data-attendance="attended"' in response.content.decode()
        guest.refresh_from_db()
        assert guest.attendance == "attended"
        assert Interaction.objects.filter(
            contact=guest.contact, action=event.action, kind=InteractionKind.ATTENDED
        ).exists()

    def test_without_js_the_page_comes_back(self, client, people, event, guest):
        client.force_login(people.staff)
        response = client.post(attendance_url(event, guest), {"attendance": "no_show"})
        assert response.status_code == 302
        guest.refresh_from_db()
        assert guest.attendance == "no_show"

    @pytest.mark.parametrize("value", ["", "declined", "invited", "everything"])
    def test_other_values_are_refused(self, client, people, event, guest, value):
        client.force_login(people.staff)
        response = client.post(attendance_url(event, guest), {"attendance": value}, **HTMX)
        assert response.status_code == 400
        guest.refresh_from_db()
        assert guest.attendance == "invited"

    def test_a_guest_of_another_event_is_not_found(self, client, people, guest):
        other = make_event(people.staff, name="Other show")
        client.force_login(people.staff)
        response = client.post(attendance_url(other, guest), {"attendance": "attended"})
        assert response.status_code == 404

    def test_before_the_event_the_check_in_is_refused(self, client, people):
        later = make_event(
            people.staff,
            starts_on=TODAY + datetime.timedelta(days=3),
            ends_on=TODAY + datetime.timedelta(days=3),
        )
        contact = contact_create(data={"last_name": "Early"}, user=people.staff)
        early = services.guest_add(event=later, contact=contact, user=people.staff)
        client.force_login(people.staff)
        response = client.post(attendance_url(later, early), {"attendance": "attended"}, **HTMX)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        early.refresh_from_db()
        assert early.attendance == "invited"

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_others_than_staff_are_refused(self, client, people, event, guest, who):
        client.force_login(getattr(people, who))
        response = client.post(attendance_url(event, guest), {"attendance": "attended"})
        assert response.status_code == 403
        guest.refresh_from_db()
        assert guest.attendance == "invited"

    def test_it_only_takes_posts(self, client, people, event, guest):
        client.force_login(people.staff)
        assert client.get(attendance_url(event, guest)).status_code == 405


@pytest.fixture
def appointment(people, event):
    participant = services.participant_add(
        event=event, user=people.staff, role="co_exhibitor", supplier=people.hotel
    )
    contact = contact_create(data={"last_name": "Client"}, user=people.staff)
    return services.appointment_save(
        event=event,
        participant=participant,
        contact=contact,
        user=people.staff,
        status="planned",
        notes="Bring the brochure.",
    )


def appointment_url(event, appointment) -> str:
    return f"/backoffice/terrain/{event.pk}/rendez-vous/{appointment.pk}/statut/"


@pytest.mark.django_db
class FieldAppointmentTestCase:
    @pytest.mark.parametrize("status", ["held", "cancelled"])
    def test_staff_mark_an_appointment(self, client, people, event, appointment, status):
        client.force_login(people.staff)
        assert f'data-appointment="{appointment.pk}"' in client.get(page(event)).content.decode()
        response = client.post(appointment_url(event, appointment), {"status": status}, **HTMX)
        assert response.status_code == 200
        assert f'data-status="{status}"' in response.content.decode()
        appointment.refresh_from_db()
        assert appointment.status == status
        assert appointment.notes == "Bring the brochure."

    def test_held_adds_a_met_item_on_the_timeline(self, client, people, event, appointment):
        client.force_login(people.staff)
        client.post(appointment_url(event, appointment), {"status": "held"})
        assert Interaction.objects.filter(
            contact=appointment.contact, action=event.action, kind=InteractionKind.MET
        ).exists()

    @pytest.mark.parametrize("status", ["", "requested", "planned", "won"])
    def test_other_statuses_are_refused(self, client, people, event, appointment, status):
        client.force_login(people.staff)
        response = client.post(appointment_url(event, appointment), {"status": status}, **HTMX)
        assert response.status_code == 400
        appointment.refresh_from_db()
        assert appointment.status == "planned"

    def test_an_appointment_of_another_event_is_not_found(self, client, people, appointment):
        other = make_event(people.staff, name="Other show")
        client.force_login(people.staff)
        response = client.post(appointment_url(other, appointment), {"status": "held"})
        assert response.status_code == 404
        assert Appointment.objects.get().status == "planned"

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_others_than_staff_are_refused(self, client, people, event, appointment, who):
        client.force_login(getattr(people, who))
        response = client.post(appointment_url(event, appointment), {"status": "held"})
        assert response.status_code == 403
        appointment.refresh_from_db()
        assert appointment.status == "planned"
