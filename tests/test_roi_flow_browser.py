"""The returns loop end to end in Chromium, under the strict CSP: staff create a workshop, invite a
CRM segment, book an appointment, check a guest in and mark the appointment held on a phone, close
the workshop; once a later request of the planner met there is won, its dashboard shows one
useful contact, and the API gives the same figure."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from micedesk.accounts.services import api_key_create
from micedesk.crm.models import Segment, SegmentKind
from micedesk.operations.models import Appointment, BureauEvent, EventStatus
from micedesk.operations.services import participant_add
from tests.crm import builders as crm_builders
from tests.operations import builders


@pytest.fixture
def segment(db):
    """Three planners interested in seminars, and one who is not."""
    seminars = crm_builders.topic("seminaires", "Séminaires")
    for name in ("Able", "Baker", "Carter"):
        crm_builders.contact(name, "Guest", topics=[seminars])
    crm_builders.contact("Not", "Interested")
    return Segment.objects.create(
        name="Seminar planners", kind=SegmentKind.CUSTOM, rules={"topics": ["seminaires"]}
    )


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser."""
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


def watch(page) -> list[str]:
    """Script errors and CSP violations seen by the page."""
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return problems


def workshop_created(page, day: datetime.date) -> BureauEvent:
    """Through the back-office form: a workshop in Caen held a week ago."""
    page.goto(reverse("backoffice:events"))
    page.get_by_test_id("event-new-link").click()
    page.locator("#id_name").fill("Workshop Caen")
    page.locator("#id_kind").select_option("workshop")
    page.locator("#id_starts_on").fill(day.isoformat())
    page.locator("#id_ends_on").fill(day.isoformat())
    page.locator("#id_commune_code").fill("14118")
    page.locator("#id_status").select_option(EventStatus.HELD)
    page.get_by_test_id("event-save").click()
    expect(page.get_by_test_id("event-name")).to_have_text("Workshop Caen")
    return BureauEvent.objects.get()


def segment_invited(page, segment: Segment) -> None:
    page.get_by_test_id("invite-segment").click()
    page.locator("#id_segment").select_option(str(segment.pk))
    page.get_by_test_id("segment-show").click()
    expect(page.get_by_test_id("invite-count")).to_have_attribute("data-count", "3")
    page.get_by_test_id("invite-confirm").click()
    expect(page.get_by_test_id("guests").locator("tbody tr[data-guest]")).to_have_count(3)


def appointment_booked(page, event: BureauEvent, participant, contact) -> Appointment:
    form = page.get_by_test_id("appointment-form")
    form.locator("#id_participant").select_option(str(participant.pk))
    form.locator("#id_contact").select_option(str(contact.pk))
    page.get_by_test_id("appointment-add").click()
    expect(page.get_by_test_id("appointments").locator("tr[data-appointment]")).to_have_count(1)
    return Appointment.objects.get(event=event)


@pytest.mark.browser
class RoiFlowBrowserTestCase:
    def test_a_workshop_shows_its_useful_contact_once_a_later_request_is_won(
        self, page, phone_page, client, people, segment
    ):
        office_problems, phone_problems = watch(page), watch(phone_page)
        log_in(page, client, people.staff)
        log_in(phone_page, client, people.staff)

        # The office: the workshop, its invitations, an exhibitor and an appointment booked.
        event = workshop_created(page, timezone.localdate() - datetime.timedelta(days=7))
        segment_invited(page, segment)
        # The exhibitor is added by service: its search-and-pick screen has its own tests.
        exhibitor = participant_add(
            event=event, user=people.staff, role="exhibitor", supplier=people.hotel
        )
        page.reload()
        guest = event.guests.select_related("contact").order_by("pk").first()
        planner = guest.contact
        appointment = appointment_booked(page, event, exhibitor, planner)

        # On site, on a phone: the planner arrives, the appointment is held.
        phone_page.goto(reverse("backoffice:field_event", args=[event.pk]))
        phone_page.get_by_test_id(f"guest-{guest.pk}-attended").click()
        expect(phone_page.locator(f"#field-guest-{guest.pk}")).to_have_attribute(
            "data-attendance", "attended"
        )
        phone_page.get_by_test_id(f"appointment-{appointment.pk}-held").click()
        expect(phone_page.locator(f"#field-appointment-{appointment.pk}")).to_have_attribute(
            "data-status", "held"
        )

        # Back at the office, the workshop is closed.
        page.goto(reverse("backoffice:event", args=[event.pk]))
        page.get_by_test_id("event-close").click()
        page.get_by_test_id("confirm").click()
        expect(page.get_by_test_id("event-summary")).to_have_attribute("data-status", "closed")

        # Months later in real life, today in the test: the planner's request is won in Caen.
        builders.won_request(planner, created_at=timezone.now(), participants=60, days=2)

        page.get_by_test_id("event-returns").click()
        figures = page.get_by_test_id("returns-figures")
        expect(figures.locator("[data-figure=contacts_met]")).to_have_text("1")
        expect(figures.locator("[data-figure=useful_contacts]")).to_have_text("1")
        expect(figures.locator("[data-figure=events_won]")).to_have_text("1")
        expect(page.get_by_test_id("useful-contacts").locator("tr[data-contact]")).to_have_count(1)
        expect(
            page.get_by_test_id("useful-contacts").locator(f"tr[data-contact='{planner.pk}']")
        ).to_be_visible()

        # The API reads the same returns.
        key = api_key_create(user=people.staff, label="tests")[1]
        body = client.get(
            f"/api/v1/events/{event.pk}/returns", headers={"authorization": f"Bearer {key}"}
        ).json()
        assert body["event"]["status"] == "closed"
        assert body["contacts_met"] == 1 and float(body["useful_contacts"]) == 1
        assert float(body["delegate_days"]) == 120
        assert office_problems == [] and phone_problems == []
