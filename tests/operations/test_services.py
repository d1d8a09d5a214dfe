"""Writes on events: the CRM action kept in step, statuses, participants, guests and contacts met,
appointments, costs, returns parameters and campaign visits; each refusal leaves nothing."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from micedesk.crm.models import Contact, Interaction, InteractionKind, Segment, SegmentKind
from micedesk.crm.segments import topic_mailing_rules
from micedesk.operations import services
from micedesk.operations.models import (
    Appointment,
    Attendance,
    BureauEvent,
    CampaignVisit,
    CostLine,
    EventGuest,
    EventParticipant,
    EventStatus,
    ReturnsSettings,
    SpendParameter,
)
from micedesk.operations.reference import reference_load
from tests.crm import builders as crm_builders
from tests.operations import builders

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def event_data(**fields: object) -> dict:
    data = {
        "name": "Workshop Île-de-France",
        "kind": "workshop",
        "starts_on": datetime.date(2024, 10, 3),
        "ends_on": datetime.date(2024, 10, 3),
        "place": "Paris, Pavillon Ledoyen",
        "department_code": "75",
        "country": "FR",
    }
    data.update(fields)
    return data


class EventCreateTestCase:
    def test_it_creates_the_event_and_its_crm_action(self, people):
        topic = crm_builders.topic()
        event = services.event_create(
            data=event_data(commune=people.hotel.commune, topics=[topic]), user=people.staff
        )
        action = event.action
        assert (action.name, action.kind, action.starts_on, action.place) == (
            "Workshop Île-de-France",
            "workshop",
            datetime.date(2024, 10, 3),
            "Paris, Pavillon Ledoyen",
        )
        assert list(action.topics.all()) == [topic]
        assert event.owner == people.staff and event.campaign_slug is None

    def test_it_takes_the_department_from_the_commune(self, people):
        event = services.event_create(
            data=event_data(department_code="", commune=people.hotel.commune), user=people.staff
        )
        assert event.department_code == "14" == event.action.department_code

    def test_it_refuses_dates_in_the_wrong_order(self, people):
        with pytest.raises(ValidationError) as error:
            services.event_create(
                data=event_data(ends_on=datetime.date(2024, 10, 1)), user=people.staff
            )
        assert "ends_on" in error.value.message_dict
        assert not BureauEvent.objects.exists()

    def test_it_refuses_an_unknown_kind_or_a_missing_name(self, people):
        for bad in ({"kind": "mailing"}, {"name": ""}):
            with pytest.raises(ValidationError):
                services.event_create(data=event_data(**bad), user=people.staff)
        from micedesk.crm.models import BureauAction

        assert not BureauAction.objects.exists()

    def test_it_refuses_a_campaign_address_in_use(self, people):
        services.event_create(
            data=event_data(kind="campaign", campaign_slug="seminaires-au-vert"),
            user=people.staff,
        )
        with pytest.raises(ValidationError):
            services.event_create(
                data=event_data(kind="campaign", campaign_slug="seminaires-au-vert"),
                user=people.staff,
            )
        assert BureauEvent.objects.count() == 1

    def test_it_refuses_anyone_but_staff(self, people):
        for user in (people.supplier, people.partner, people.outsider):
            with pytest.raises(PermissionDenied):
                services.event_create(data=event_data(), user=user)

    def test_it_refuses_a_new_event_closed_cancelled_or_held_before_its_start(self, people):
        future = TODAY + datetime.timedelta(days=10)
        for bad in (
            {"status": EventStatus.CLOSED},
            {"status": EventStatus.CANCELLED},
            {"status": EventStatus.HELD, "starts_on": future, "ends_on": future},
        ):
            with pytest.raises(ValidationError):
                services.event_create(data=event_data(**bad), user=people.staff)
        assert not BureauEvent.objects.exists()
        held = services.event_create(data=event_data(status="held"), user=people.staff)
        assert held.status == EventStatus.HELD


class EventUpdateTestCase:
    def test_it_keeps_the_action_in_step(self, people):
        event = services.event_create(data=event_data(), user=people.staff)
        services.event_update(
            event=event,
            data={"name": "Workshop Paris", "starts_on": datetime.date(2024, 10, 2)},
            user=people.staff,
        )
        event.action.refresh_from_db()
        assert event.action.name == "Workshop Paris"
        assert event.action.starts_on == datetime.date(2024, 10, 2)

    def test_a_refused_change_leaves_the_action_as_it_was(self, people):
        event = services.event_create(data=event_data(), user=people.staff)
        with pytest.raises(ValidationError):
            services.event_update(
                event=event,
                data={"name": "Late", "ends_on": datetime.date(2020, 1, 1)},
                user=people.staff,
            )
        event.action.refresh_from_db()
        assert event.action.name == "Workshop Île-de-France"


class EventStatusTestCase:
    def test_it_closes_a_held_event_after_its_end(self, people):
        event = builders.event(status=EventStatus.HELD)
        services.event_close(event=event, user=people.staff)
        event.refresh_from_db()
        assert event.status == EventStatus.CLOSED and event.closed_at is not None

    def test_it_refuses_to_close_before_the_end_date_or_unheld(self, people):
        future = builders.event(
            starts_on=TODAY, ends_on=TODAY + datetime.timedelta(days=2), status=EventStatus.HELD
        )
        with pytest.raises(ValidationError):
            services.event_close(event=future, user=people.staff)
        planned = builders.event(status=EventStatus.PLANNED)
        with pytest.raises(ValidationError):
            services.event_close(event=planned, user=people.staff)
        assert not BureauEvent.objects.filter(status=EventStatus.CLOSED).exists()

    def test_it_moves_along_and_refuses_held_before_the_start(self, people):
        event = builders.event(starts_on=TODAY + datetime.timedelta(days=5), status="planned")
        services.event_status_set(event=event, status=EventStatus.CONFIRMED, user=people.staff)
        assert event.status == EventStatus.CONFIRMED
        with pytest.raises(ValidationError):
            services.event_status_set(event=event, status=EventStatus.HELD, user=people.staff)
        with pytest.raises(ValidationError):
            services.event_status_set(event=event, status="done", user=people.staff)
        services.event_status_set(event=event, status=EventStatus.CANCELLED, user=people.staff)
        event.refresh_from_db()
        assert event.status == EventStatus.CANCELLED

    def test_it_refuses_to_cancel_a_held_event_or_reopen_a_closed_one(self, people):
        held = builders.event(status=EventStatus.HELD)
        with pytest.raises(ValidationError):
            services.event_cancel(event=held, user=people.staff)
        closed = builders.event(status=EventStatus.CLOSED)
        with pytest.raises(ValidationError):
            services.event_status_set(event=closed, status=EventStatus.HELD, user=people.staff)

    def test_it_refuses_anyone_but_staff(self, people):
        event = builders.event()
        with pytest.raises(PermissionDenied):
            services.event_close(event=event, user=people.partner)


class ParticipantTestCase:
    def test_it_adds_updates_and_removes(self, people):
        event = builders.event()
        part = services.participant_add(
            event=event,
            user=people.staff,
            role="exhibitor",
            supplier=people.hotel,
            cost_share=Decimal("1500.50"),
        )
        assert part.cost_share == Decimal("1500.50")
        services.participant_update(
            participant=part, user=people.staff, data={"cost_share": Decimal("1200")}
        )
        part.refresh_from_db()
        assert part.cost_share == Decimal("1200.00")
        services.participant_remove(participant=part, user=people.staff)
        assert not EventParticipant.objects.exists()

    def test_it_refuses_both_or_neither_party_a_twice_added_one_and_bad_values(self, people):
        event = builders.event()
        with pytest.raises(ValidationError):
            services.participant_add(event=event, user=people.staff, role="exhibitor")
        with pytest.raises(ValidationError):
            services.participant_add(
                event=event,
                user=people.staff,
                role="exhibitor",
                supplier=people.hotel,
                partner=people.partner_org,
            )
        with pytest.raises(ValidationError):
            services.participant_add(
                event=event, user=people.staff, role="dancer", supplier=people.hotel
            )
        with pytest.raises(ValidationError):
            services.participant_add(
                event=event,
                user=people.staff,
                role="exhibitor",
                supplier=people.hotel,
                cost_share=-1,
            )
        services.participant_add(
            event=event, user=people.staff, role="exhibitor", partner=people.partner_org
        )
        with pytest.raises(ValidationError):
            services.participant_add(
                event=event, user=people.staff, role="host", partner=people.partner_org
            )
        assert EventParticipant.objects.count() == 1

    def test_it_refuses_to_remove_one_who_held_appointments(self, people):
        event = builders.event()
        part = builders.participant(event, supplier=people.hotel)
        services.appointment_save(
            event=event,
            participant=part,
            contact=builders.contact(),
            user=people.staff,
            status="held",
        )
        with pytest.raises(ValidationError):
            services.participant_remove(participant=part, user=people.staff)

    def test_it_refuses_members(self, people):
        with pytest.raises(PermissionDenied):
            services.participant_add(
                event=builders.event(),
                user=people.supplier,
                role="exhibitor",
                supplier=people.hotel,
            )


class GuestTestCase:
    def test_it_invites_once_and_records_attendance_on_the_timeline(self, people):
        event = builders.event()
        contact = builders.contact()
        guest = services.guest_add(event=event, contact=contact, user=people.staff)
        assert services.guest_add(event=event, contact=contact, user=people.staff) == guest
        assert Interaction.objects.filter(action=event.action, kind="invited").count() == 1
        services.guest_attendance_set(guest=guest, attendance="attended", user=people.staff)
        services.guest_attendance_set(guest=guest, attendance="attended", user=people.staff)
        attended = Interaction.objects.filter(action=event.action, kind="attended")
        assert attended.count() == 1
        assert timezone.localtime(attended.get().occurred_at).date() == event.starts_on

    def test_it_refuses_attendance_before_the_event_and_unknown_values(self, people):
        event = builders.event(starts_on=TODAY + datetime.timedelta(days=3), status="planned")
        guest = services.guest_add(event=event, contact=builders.contact(), user=people.staff)
        with pytest.raises(ValidationError):
            services.guest_attendance_set(guest=guest, attendance="attended", user=people.staff)
        with pytest.raises(ValidationError):
            services.guest_attendance_set(guest=guest, attendance="maybe", user=people.staff)
        guest.refresh_from_db()
        assert guest.attendance == Attendance.INVITED
        assert not Interaction.objects.filter(kind="attended").exists()

    def test_it_invites_a_segment_idempotently(self, people):
        topic = crm_builders.topic()
        for _ in range(3):
            contact = builders.contact(topics=[topic])
            crm_builders.consent(contact, purpose="mailing")
        segment = Segment.objects.create(
            name="Seminars",
            kind=SegmentKind.TOPIC_MAILING,
            rules=topic_mailing_rules(topics=[topic.code]),
        )
        event = builders.event(starts_on=TODAY + datetime.timedelta(days=20), status="planned")
        added = services.guests_invite_segment(event=event, segment=segment, user=people.staff)
        assert added == 3
        assert services.guests_invite_segment(event=event, segment=segment, user=people.staff) == 0
        assert EventGuest.objects.filter(event=event, attendance="invited").count() == 3
        assert Interaction.objects.filter(action=event.action, kind="invited").count() == 3

    def test_it_refuses_a_segment_invitation_by_a_member(self, people):
        segment = Segment.objects.create(name="All", kind=SegmentKind.CUSTOM, rules={})
        with pytest.raises(PermissionDenied):
            services.guests_invite_segment(
                event=builders.event(), segment=segment, user=people.partner
            )


class GuestMetRecordTestCase:
    def data(self, **fields: object) -> dict:
        values = {
            "first_name": "Camille",
            "last_name": "Demo",
            "email": "camille.demo@agency.example",
            "phone": "+33 6 00 00 00 00",
            "company": "Agence Demo Events",
            "job_title": "Chef de projet",
            "brief": "Seminar for 80 in June, by the sea.",
            "client_ref": str(uuid.uuid4()),
        }
        values.update(fields)
        return values

    def test_it_creates_the_contact_the_guest_and_a_met_item(self, people):
        event = builders.event()
        topic = crm_builders.topic()
        guest = services.guest_met_record(
            event=event, user=people.staff, data=self.data(topics=[topic.code])
        )
        assert guest.met_on_site and guest.attendance == Attendance.ATTENDED
        assert guest.met_by == people.staff
        contact = guest.contact
        assert contact.company.name == "Agence Demo Events"
        assert list(contact.topics.all()) == [topic]
        met = Interaction.objects.get(contact=contact, kind=InteractionKind.MET)
        assert met.action == event.action and "by the sea" in met.summary
        assert contact.source_action == event.action

    def test_it_is_idempotent_for_one_form(self, people):
        event = builders.event()
        data = self.data()
        first = services.guest_met_record(event=event, user=people.staff, data=data)
        second = services.guest_met_record(event=event, user=people.staff, data=data)
        assert first.pk == second.pk
        assert Interaction.objects.filter(kind=InteractionKind.MET).count() == 1

    def test_it_finds_a_known_contact_by_email_and_keeps_what_the_crm_holds(self, people):
        known = builders.contact(email="Known@Agency.example", job_title="Directrice")
        event = builders.event()
        guest = services.guest_met_record(
            event=event, user=people.staff, data=self.data(email="known@agency.example")
        )
        assert guest.contact == known
        known.refresh_from_db()
        assert known.job_title == "Directrice"
        assert Contact.objects.count() == 1

    def test_it_refuses_bad_input_with_errors_by_field_and_writes_nothing(self, people):
        event = builders.event()
        cases = [
            ({"last_name": ""}, "last_name"),
            ({"email": "not-an-address"}, "email"),
            ({"email": "", "phone": ""}, "email"),
            ({"client_ref": "abc"}, "client_ref"),
            ({"topics": ["no-such-topic"]}, "topics"),
        ]
        for bad, field in cases:
            with pytest.raises(ValidationError) as error:
                services.guest_met_record(event=event, user=people.staff, data=self.data(**bad))
            assert field in error.value.message_dict
        assert not Contact.objects.exists() and not EventGuest.objects.exists()

    def test_it_refuses_members(self, people):
        with pytest.raises(PermissionDenied):
            services.guest_met_record(event=builders.event(), user=people.partner, data=self.data())


class AppointmentTestCase:
    def test_it_plans_then_holds_and_records_a_met_item_once(self, people):
        event = builders.event()
        part = builders.participant(event, supplier=people.hotel)
        contact = builders.contact()
        appointment = services.appointment_save(
            event=event, participant=part, contact=contact, user=people.staff, status="planned"
        )
        services.appointment_save(
            event=event,
            participant=part,
            contact=contact,
            user=people.staff,
            status="held",
            appointment=appointment,
        )
        assert Appointment.objects.get().status == "held"
        assert Interaction.objects.filter(kind="met", action=event.action).count() == 1

    def test_it_refuses_a_participant_of_another_event_a_pair_twice_and_bad_status(self, people):
        event, other = builders.event(), builders.event()
        contact = builders.contact()
        part = builders.participant(event, supplier=people.hotel)
        with pytest.raises(ValidationError):
            services.appointment_save(
                event=other, participant=part, contact=contact, user=people.staff
            )
        services.appointment_save(event=event, participant=part, contact=contact, user=people.staff)
        with pytest.raises(ValidationError):
            services.appointment_save(
                event=event, participant=part, contact=contact, user=people.staff
            )
        with pytest.raises(ValidationError):
            services.appointment_save(
                event=event,
                participant=builders.participant(event),
                contact=contact,
                user=people.staff,
                status="maybe",
            )
        assert Appointment.objects.count() == 1


class CostLineTestCase:
    def test_it_saves_prices_staff_time_and_deletes(self, people):
        event = builders.event()
        line = services.cost_line_save(
            event=event,
            user=people.staff,
            data={
                "category": "staff",
                "label": "Preparation",
                "hours": "12.5",
                "hourly_rate": "40",
            },
        )
        assert line.budget == Decimal("500.00") and line.actual is None
        services.cost_line_save(
            event=event, user=people.staff, data={"actual": Decimal("480")}, line=line
        )
        line.refresh_from_db()
        assert line.actual == Decimal("480.00")
        services.cost_line_delete(line=line, user=people.staff)
        assert not CostLine.objects.exists()

    def test_it_refuses_bad_lines(self, people):
        event, other = builders.event(), builders.event()
        bad = [
            {"category": "party", "budget": "10"},
            {"category": "stand", "budget": "-5"},
            {"category": "staff", "hours": "3"},
        ]
        for data in bad:
            with pytest.raises(ValidationError):
                services.cost_line_save(event=event, user=people.staff, data=data)
        line = builders.cost_line(other)
        with pytest.raises(ValidationError):
            services.cost_line_save(event=event, user=people.staff, data={}, line=line)
        assert CostLine.objects.count() == 1


class ParametersTestCase:
    def test_it_saves_spend_parameters_and_refuses_a_second_for_a_kind_and_year(self, people):
        data = {
            "event_kind": "congres",
            "year": 2024,
            "spend_per_delegate_day": "290",
            "source": "S",
        }
        services.spend_parameter_save(data=data, user=people.staff)
        with pytest.raises(ValidationError):
            services.spend_parameter_save(data=data, user=people.staff)
        with pytest.raises(ValidationError):
            services.spend_parameter_save(
                data={**data, "year": 2025, "spend_per_delegate_day": "-1"}, user=people.staff
            )
        assert SpendParameter.objects.count() == 1

    def test_it_saves_the_returns_settings_and_refuses_bad_ones(self, people):
        services.returns_settings_save(
            data={"window_months": 24, "rule": "shared"}, user=people.staff
        )
        assert ReturnsSettings.objects.get().rule == "shared"
        for bad in ({"window_months": 0}, {"window_months": 500}, {"rule": "random"}):
            with pytest.raises(ValidationError):
                services.returns_settings_save(data=bad, user=people.staff)
        assert ReturnsSettings.objects.get().window_months == 24
        with pytest.raises(PermissionDenied):
            services.returns_settings_save(data={"window_months": 12}, user=people.supplier)


class CampaignVisitTestCase:
    def test_it_counts_per_day(self, db, communes):
        event = builders.event(kind="campaign", campaign_slug="seminaires-au-vert")
        day = datetime.date(2024, 5, 2)
        for _ in range(3):
            services.campaign_visit_count(event=event, day=day)
        services.campaign_visit_count(event=event)
        assert CampaignVisit.objects.get(event=event, day=day).count == 3
        assert CampaignVisit.objects.filter(event=event).count() == 2


class ReferenceTestCase:
    def test_it_loads_once_with_sources(self, db):
        first = reference_load()
        services.operations_reference_load()
        assert first["spend_parameters"] == SpendParameter.objects.count() > 0
        assert all(row.source and row.notes for row in SpendParameter.objects.all())
        assert SpendParameter.objects.filter(event_kind="").exists()
        assert ReturnsSettings.objects.count() == 1

    def test_the_command_runs(self, db):
        from django.core.management import call_command

        call_command("load_operations_reference", verbosity=0)
        call_command("load_operations_reference", verbosity=0)
        assert ReturnsSettings.objects.count() == 1


class ClosedEventRefusalsTestCase:
    def test_it_refuses_invitations_to_a_closed_event_and_contacts_met_at_a_cancelled_one(
        self, people
    ):
        segment = Segment.objects.create(name="All", kind=SegmentKind.CUSTOM, rules={})
        closed = builders.event(status=EventStatus.CLOSED)
        with pytest.raises(ValidationError):
            services.guests_invite_segment(event=closed, segment=segment, user=people.staff)
        cancelled = builders.event(status=EventStatus.CANCELLED)
        with pytest.raises(ValidationError):
            services.guest_met_record(
                event=cancelled,
                user=people.staff,
                data={"last_name": "Demo", "email": "demo@agency.example"},
            )
        assert not EventGuest.objects.exists() and not Contact.objects.exists()
