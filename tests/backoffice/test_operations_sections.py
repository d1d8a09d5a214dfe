"""The sections of an event's page: participants (search, webinar schedule, éductour programme),
guests (a CRM segment invited after seeing who is in it, a contact added, attendance by htmx),
appointments (the workshop figures), costs (lines, totals, CSV import all or nothing) and the
partner surveys."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from micedesk.crm.models import Interaction, InteractionKind, Segment, SegmentKind
from micedesk.operations import services
from micedesk.operations.models import (
    Appointment,
    CostLine,
    EventGuest,
    EventParticipant,
    PartnerSurvey,
)
from tests.backoffice.test_operations_access import make_event
from tests.crm import builders

TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


def days(count: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=count)


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


@pytest.fixture
def event(people):
    return make_event(people.staff)


@pytest.fixture
def held_event(people):
    return make_event(people.staff, starts_on=days(-2), ends_on=days(-1), status="held")


def page(client, event, **query: str):
    return client.get(reverse("backoffice:event", args=[event.pk]), query)


class ParticipantsTestCase:
    def test_it_finds_suppliers_and_partners_by_name(self, staff_client, people, event):
        response = page(staff_client, event, party_q="plage")
        assert [(kind, item.pk) for kind, item in response.context["parties"]] == [
            ("supplier", people.hotel.pk)
        ]
        response = page(staff_client, event, party_q=people.partner_org.name[:5])
        assert ("partner", people.partner_org.pk) in [
            (kind, item.pk) for kind, item in response.context["parties"]
        ]

    def test_it_adds_a_supplier_with_its_role_and_contribution(self, staff_client, people, event):
        url = reverse("backoffice:event_participant_add", args=[event.pk])
        data = {
            "party": f"supplier:{people.hotel.pk}",
            "role": "exhibitor",
            "cost_share": "750.50",
            "position": "0",
        }
        assert staff_client.post(url, data).status_code == 302
        participant = EventParticipant.objects.get()
        assert participant.supplier == people.hotel and participant.cost_share == Decimal("750.50")

    def test_it_adds_a_partner_with_the_fields_a_workshop_shows(self, staff_client, people, event):
        url = reverse("backoffice:event_participant_add", args=[event.pk])
        data = {
            "party": f"partner:{people.partner_org.pk}",
            "role": "co_exhibitor",
            "cost_share": "0",
        }
        assert staff_client.post(url, data).status_code == 302
        participant = EventParticipant.objects.get()
        assert participant.partner == people.partner_org and participant.position == 0

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"party": "supplier:999999"}, None),
            ({"party": "hotel"}, "party"),
            ({"cost_share": "-10"}, "cost_share"),
            ({"role": "boss"}, "role"),
        ],
    )
    def test_it_refuses_bad_input(self, staff_client, people, event, fields, field):
        data = {
            "party": f"supplier:{people.hotel.pk}",
            "role": "exhibitor",
            "cost_share": "0",
            "position": "0",
        }
        data.update(fields)
        response = staff_client.post(
            reverse("backoffice:event_participant_add", args=[event.pk]), data
        )
        assert response.status_code == 400
        assert response.context["participant_form"].errors
        assert not EventParticipant.objects.exists()

    def test_it_refuses_the_same_supplier_twice(self, staff_client, people, event):
        services.participant_add(event=event, user=None, role="exhibitor", supplier=people.hotel)
        data = {
            "party": f"supplier:{people.hotel.pk}",
            "role": "exhibitor",
            "cost_share": "0",
            "position": "0",
        }
        response = staff_client.post(
            reverse("backoffice:event_participant_add", args=[event.pk]), data
        )
        assert response.status_code == 400
        assert EventParticipant.objects.count() == 1

    def test_it_edits_and_removes_a_participant(self, staff_client, people, event):
        participant = services.participant_add(
            event=event, user=None, role="exhibitor", supplier=people.hotel
        )
        url = reverse("backoffice:event_participant", args=[event.pk, participant.pk])
        assert staff_client.get(url).status_code == 200
        data = {"role": "host", "cost_share": "200", "position": "1", "notes": "Hosts lunch"}
        assert staff_client.post(url, data).status_code == 302
        participant.refresh_from_db()
        assert participant.role == "host" and participant.cost_share == Decimal("200")
        remove = reverse("backoffice:event_participant_remove", args=[event.pk, participant.pk])
        assert staff_client.post(remove).status_code == 302
        assert not EventParticipant.objects.exists()


class WebinarScheduleTestCase:
    @pytest.fixture
    def webinar(self, people):
        return make_event(people.staff, kind="webinar", online=True, place="")

    def add(self, client, webinar, party: str, starts: str, minutes: str):
        data = {
            "party": party,
            "role": "presenter",
            "cost_share": "0",
            "position": "0",
            "starts_at": starts,
            "minutes": minutes,
        }
        return client.post(reverse("backoffice:event_participant_add", args=[webinar.pk]), data)

    def test_it_builds_the_schedule_in_time_order(self, staff_client, people, webinar):
        day = webinar.starts_on.isoformat()
        assert (
            self.add(
                staff_client, webinar, f"supplier:{people.hotel.pk}", f"{day}T10:00", "10"
            ).status_code
            == 302
        )
        assert (
            self.add(
                staff_client, webinar, f"supplier:{people.other_hotel.pk}", f"{day}T10:10", "8"
            ).status_code
            == 302
        )
        response = page(staff_client, webinar)
        assert response.context["is_webinar"]
        assert [p.supplier_id for p in response.context["participants"]] == [
            people.hotel.pk,
            people.other_hotel.pk,
        ]
        assert b'data-testid="programme"' in response.content
        # Two presenters: the plan asks for 3 or 4, the page says so.
        assert response.context["presenters"] == 2
        assert b'data-testid="presenters-warning"' in response.content

    def test_it_refuses_a_slot_longer_than_ten_minutes(self, staff_client, people, webinar):
        day = webinar.starts_on.isoformat()
        response = self.add(
            staff_client, webinar, f"supplier:{people.hotel.pk}", f"{day}T10:00", "15"
        )
        assert response.status_code == 400
        assert "minutes" in response.context["participant_form"].errors
        assert not EventParticipant.objects.exists()

    def test_it_refuses_overlapping_slots(self, staff_client, people, webinar):
        day = webinar.starts_on.isoformat()
        self.add(staff_client, webinar, f"supplier:{people.hotel.pk}", f"{day}T10:00", "10")
        response = self.add(
            staff_client, webinar, f"supplier:{people.other_hotel.pk}", f"{day}T10:05", "5"
        )
        assert response.status_code == 400
        assert "starts_at" in response.context["participant_form"].errors
        assert EventParticipant.objects.count() == 1

    def test_it_refuses_an_edit_that_makes_slots_overlap(self, staff_client, people, webinar):
        first = services.participant_add(
            event=webinar,
            user=None,
            role="presenter",
            supplier=people.hotel,
            starts_at=at(webinar.starts_on, 10),
            minutes=10,
        )
        second = services.participant_add(
            event=webinar,
            user=None,
            role="presenter",
            supplier=people.other_hotel,
            starts_at=at(webinar.starts_on, 10, 10),
            minutes=10,
        )
        url = reverse("backoffice:event_participant", args=[webinar.pk, second.pk])
        data = {
            "role": "presenter",
            "cost_share": "0",
            "position": "1",
            "starts_at": f"{webinar.starts_on.isoformat()}T10:09",
            "minutes": "10",
        }
        assert staff_client.post(url, data).status_code == 400
        second.refresh_from_db()
        assert second.starts_at == at(webinar.starts_on, 10, 10)
        assert first.pk != second.pk


class EductourProgrammeTestCase:
    def test_it_shows_the_visits_in_their_order(self, staff_client, people):
        tour = make_event(people.staff, kind="eductour")
        services.participant_add(
            event=tour,
            user=None,
            role="visited",
            supplier=people.other_hotel,
            position=2,
            starts_at=at(tour.starts_on, 14),
        )
        services.participant_add(
            event=tour,
            user=None,
            role="visited",
            supplier=people.hotel,
            position=1,
            starts_at=at(tour.starts_on, 10),
        )
        response = page(staff_client, tour)
        assert response.context["is_eductour"]
        assert [p.supplier_id for p in response.context["participants"]] == [
            people.hotel.pk,
            people.other_hotel.pk,
        ]


@pytest.fixture
def seminar_segment(db):
    seminars = builders.topic()
    for name in ("Able", "Baker", "Carter"):
        builders.contact(name, "Guest", topics=[seminars])
    builders.contact("Other", "Topic")
    return Segment.objects.create(
        name="Seminars", kind=SegmentKind.CUSTOM, rules={"topics": ["seminaires"]}
    )


class GuestInviteTestCase:
    def test_it_shows_the_count_and_explanation_before_inviting(
        self, staff_client, event, seminar_segment
    ):
        url = reverse("backoffice:event_invite", args=[event.pk])
        assert staff_client.get(url).status_code == 200
        response = staff_client.get(url, {"segment": seminar_segment.pk})
        assert response.status_code == 200
        assert response.context["result"].count == 3
        assert b'data-testid="segment-explanation"' in response.content
        assert not EventGuest.objects.exists()

    def test_it_invites_the_segment_once_confirmed_and_only_once(
        self, staff_client, event, seminar_segment
    ):
        url = reverse("backoffice:event_invite", args=[event.pk])
        assert staff_client.post(url, {"segment": seminar_segment.pk}).status_code == 302
        assert staff_client.post(url, {"segment": seminar_segment.pk}).status_code == 302
        assert event.guests.count() == 3
        invited = Interaction.objects.filter(action=event.action, kind=InteractionKind.INVITED)
        assert invited.count() == 3

    def test_it_refuses_inviting_to_a_cancelled_event(
        self, staff_client, people, event, seminar_segment
    ):
        services.event_cancel(event=event, user=people.staff)
        response = staff_client.post(
            reverse("backoffice:event_invite", args=[event.pk]), {"segment": seminar_segment.pk}
        )
        assert response.status_code == 400
        assert response.context["refusal"]
        assert not EventGuest.objects.exists()

    def test_it_refuses_an_unknown_segment(self, staff_client, event):
        response = staff_client.post(
            reverse("backoffice:event_invite", args=[event.pk]), {"segment": "999999"}
        )
        assert response.status_code == 400
        assert not EventGuest.objects.exists()


class GuestsTestCase:
    def test_it_finds_a_contact_and_adds_it(self, staff_client, event):
        contact = builders.contact("Dana", "Fielding")
        response = page(staff_client, event, contact_q="field")
        assert response.context["found_contacts"] == [contact]
        add = reverse("backoffice:event_guest_add", args=[event.pk])
        assert (
            staff_client.post(add, {"contact": contact.pk, "attendance": "registered"}).status_code
            == 302
        )
        guest = EventGuest.objects.get()
        assert guest.contact == contact and guest.attendance == "registered"

    def test_it_refuses_adding_an_unknown_contact(self, staff_client, event):
        add = reverse("backoffice:event_guest_add", args=[event.pk])
        assert staff_client.post(add, {"contact": "999999"}).status_code == 302
        assert not EventGuest.objects.exists()

    def test_it_sets_attendance_by_htmx_and_records_it_on_the_timeline(
        self, staff_client, people, held_event
    ):
        guest = services.guest_add(event=held_event, contact=builders.contact(), user=people.staff)
        url = reverse("backoffice:event_guest_attendance", args=[held_event.pk, guest.pk])
        response = staff_client.post(url, {"attendance": "attended"}, **HTMX)
        assert response.status_code == 200
        assert b'data-attendance="attended"' in response.content
        assert b"<html" not in response.content
        guest.refresh_from_db()
        assert guest.attendance == "attended"
        assert (
            Interaction.objects.filter(
                contact=guest.contact, action=held_event.action, kind="attended"
            ).count()
            == 1
        )

    def test_it_refuses_attendance_before_the_event_and_says_why(self, staff_client, people, event):
        guest = services.guest_add(event=event, contact=builders.contact(), user=people.staff)
        url = reverse("backoffice:event_guest_attendance", args=[event.pk, guest.pk])
        response = staff_client.post(url, {"attendance": "attended"}, **HTMX)
        assert response.status_code == 400
        assert b'data-testid="attendance-error"' in response.content
        response = staff_client.post(url, {"attendance": "dancing"}, **HTMX)
        assert response.status_code == 400
        guest.refresh_from_db()
        assert guest.attendance == "invited"

    def test_it_filters_the_guests(self, staff_client, people, held_event):
        first = services.guest_add(
            event=held_event, contact=builders.contact("Ann", "Zed"), user=people.staff
        )
        services.guest_add(
            event=held_event,
            contact=builders.contact("Bob", "Yew"),
            user=people.staff,
            attendance="attended",
        )
        response = page(staff_client, held_event, attendance="invited")
        assert [guest.pk for guest in response.context["guests"]] == [first.pk]
        response = page(staff_client, held_event, q="yew")
        assert [guest.contact.last_name for guest in response.context["guests"]] == ["Yew"]


class AppointmentsTestCase:
    def test_it_records_appointments_and_counts_them_per_participant(
        self, staff_client, people, held_event
    ):
        participant = services.participant_add(
            event=held_event, user=None, role="exhibitor", supplier=people.hotel
        )
        guests = [
            services.guest_add(event=held_event, contact=builders.contact(), user=people.staff)
            for _ in range(2)
        ]
        add = reverse("backoffice:event_appointment_add", args=[held_event.pk])
        for guest in guests:
            data = {
                "participant": participant.pk,
                "contact": guest.contact_id,
                "status": "requested",
            }
            assert staff_client.post(add, data).status_code == 302
        appointment = Appointment.objects.first()
        url = reverse("backoffice:event_appointment_status", args=[held_event.pk, appointment.pk])
        response = staff_client.post(url, {"status": "held"}, **HTMX)
        assert response.status_code == 200
        assert b'data-status="held"' in response.content
        row = page(staff_client, held_event).context["participants"][0]
        assert (row.requested, row.planned, row.held) == (1, 0, 1)
        assert Interaction.objects.filter(action=held_event.action, kind="met").count() == 1

    def test_it_refuses_the_same_pair_twice(self, staff_client, people, held_event):
        participant = services.participant_add(
            event=held_event, user=None, role="exhibitor", supplier=people.hotel
        )
        guest = services.guest_add(event=held_event, contact=builders.contact(), user=people.staff)
        add = reverse("backoffice:event_appointment_add", args=[held_event.pk])
        data = {"participant": participant.pk, "contact": guest.contact_id, "status": "planned"}
        staff_client.post(add, data)
        assert staff_client.post(add, data).status_code == 400
        assert Appointment.objects.count() == 1

    def test_it_refuses_a_contact_who_is_not_a_guest(self, staff_client, people, event):
        participant = services.participant_add(
            event=event, user=None, role="exhibitor", supplier=people.hotel
        )
        add = reverse("backoffice:event_appointment_add", args=[event.pk])
        data = {
            "participant": participant.pk,
            "contact": builders.contact().pk,
            "status": "planned",
        }
        assert staff_client.post(add, data).status_code == 400
        assert not Appointment.objects.exists()


class CostsTestCase:
    def add(self, client, event, **fields: str):
        data = {
            "category": "stand",
            "label": "Stand",
            "budget": "1000",
            "actual": "",
            "hours": "",
            "hourly_rate": "",
        }
        data.update(fields)
        return client.post(reverse("backoffice:event_cost_add", args=[event.pk]), data)

    def test_it_adds_lines_and_shows_the_totals_in_decimal(self, staff_client, people, event):
        assert self.add(staff_client, event, budget="1000.10", actual="1200.20").status_code == 302
        assert (
            self.add(
                staff_client, event, category="staff", budget="", hours="10", hourly_rate="40.05"
            ).status_code
            == 302
        )
        services.participant_add(
            event=event,
            user=None,
            role="co_exhibitor",
            supplier=people.hotel,
            cost_share=Decimal("300"),
        )
        costs = page(staff_client, event).context["costs"]
        assert costs.budget == Decimal("1400.60")
        assert costs.staff_time == Decimal("400.50")
        assert costs.contributions == Decimal("300")
        assert isinstance(costs.net_cost, Decimal)

    @pytest.mark.parametrize(
        "fields, field",
        [
            ({"budget": "-5"}, "budget"),
            ({"actual": "-1"}, "actual"),
            ({"category": "party"}, "category"),
            ({"hours": "3"}, None),
            ({"budget": "abc"}, "budget"),
        ],
    )
    def test_it_refuses_bad_lines(self, staff_client, event, fields, field):
        response = self.add(staff_client, event, **fields)
        assert response.status_code == 400
        errors = response.context["cost_form"].errors
        assert (field in errors) if field else errors
        assert not CostLine.objects.exists()

    def test_it_edits_and_deletes_a_line(self, staff_client, event):
        self.add(staff_client, event)
        line = CostLine.objects.get()
        url = reverse("backoffice:event_cost", args=[event.pk, line.pk])
        assert staff_client.get(url).status_code == 200
        data = {"category": "stand", "label": "Stand 18 m²", "budget": "1000", "actual": "980"}
        assert staff_client.post(url, data).status_code == 302
        line.refresh_from_db()
        assert line.actual == Decimal("980")
        assert (
            staff_client.post(
                reverse("backoffice:event_cost_delete", args=[event.pk, line.pk])
            ).status_code
            == 302
        )
        assert not CostLine.objects.exists()

    def test_it_offers_a_template_the_import_reads(self, staff_client, event):
        response = staff_client.get(reverse("backoffice:event_costs_template"))
        assert response.content.startswith("\ufeff".encode())
        upload = SimpleUploadedFile("costs.csv", response.content, content_type="text/csv")
        url = reverse("backoffice:event_costs_import", args=[event.pk])
        assert staff_client.post(url, {"upload": upload}).status_code == 302
        assert event.costs.count() == 3

    def test_it_imports_nothing_when_a_line_is_refused(self, staff_client, event):
        text = "catégorie;libellé;budget;réel\nStand;Stand;1000;1 100,50\nTransport;Train;-20;\nparty;x;1;1\n"
        upload = SimpleUploadedFile("costs.csv", text.encode("utf-8"), content_type="text/csv")
        response = staff_client.post(
            reverse("backoffice:event_costs_import", args=[event.pk]), {"upload": upload}
        )
        assert response.status_code == 400
        assert [line for line, _reason in response.context["report"].errors] == [3, 4]
        assert b'data-testid="import-refused"' in response.content
        assert not CostLine.objects.exists()

    def test_it_refuses_a_missing_file(self, staff_client, event):
        response = staff_client.post(reverse("backoffice:event_costs_import", args=[event.pk]), {})
        assert response.status_code == 400
        assert "upload" in response.context["form"].errors


class SurveysTestCase:
    def test_it_refuses_sending_before_the_event_is_closed(self, staff_client, people, event):
        services.participant_add(event=event, user=None, role="exhibitor", supplier=people.hotel)
        assert (
            staff_client.post(reverse("backoffice:event_surveys_send", args=[event.pk])).status_code
            == 302
        )
        assert not PartnerSurvey.objects.exists() and not mail.outbox

    def test_it_sends_once_and_lists_the_answers_with_the_average(
        self, staff_client, people, held_event
    ):
        services.participant_add(
            event=held_event, user=None, role="exhibitor", supplier=people.hotel
        )
        services.participant_add(
            event=held_event, user=None, role="exhibitor", supplier=people.other_hotel
        )
        services.event_close(event=held_event, user=people.staff)
        url = reverse("backoffice:event_surveys_send", args=[held_event.pk])
        assert staff_client.post(url).status_code == 302
        assert staff_client.post(url).status_code == 302
        assert len(mail.outbox) == 2
        first, second = PartnerSurvey.objects.order_by("pk")
        services.survey_answer(survey=first, score=8, would_return=True, improve="More buyers")
        services.survey_answer(survey=second, score=5, would_return=False)
        context = page(staff_client, held_event).context
        assert context["answered"] == 2 and context["would_return"] == 1
        assert context["average"] == pytest.approx(6.5)
