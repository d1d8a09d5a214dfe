"""On a phone, in Chromium under the strict CSP: the staff member records a contact met on site;
with the network down the next one waits on the phone, and is sent once the network is back.
What is typed survives a reload. Guests are checked in and appointments marked without leaving
the page."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from micedesk.crm.models import Contact, Interaction, InteractionKind
from micedesk.crm.services import contact_create
from micedesk.operations import services


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser."""
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


def watch(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return problems


def fill(page, first: str, last: str, email: str) -> None:
    form = page.get_by_test_id("field-form")
    form.locator("[name=first_name]").fill(first)
    form.locator("[name=last_name]").fill(last)
    form.locator("[name=email]").fill(email)
    form.locator("[name=brief]").fill("A seminar for 40 in the autumn.")


@pytest.mark.browser
class FieldPhoneBrowserTestCase:
    def test_staff_record_contacts_met_even_offline(self, phone_page, client, people):
        page = phone_page
        today = timezone.localdate()
        event = services.event_create(
            data={
                "name": "Salon des séminaires",
                "kind": "trade_show",
                "starts_on": today,
                "ends_on": today + datetime.timedelta(days=1),
            },
            user=people.staff,
        )
        problems = watch(page)
        log_in(page, client, people.staff)
        page.goto(f"/backoffice/terrain/{event.pk}/")
        met = page.get_by_test_id("field-met-list")

        fill(page, "Alice", "Online", "alice@agency.example")
        page.get_by_test_id("field-submit").click()
        expect(met).to_contain_text("Alice Online")
        expect(page.get_by_test_id("field-form").locator("[name=last_name]")).to_have_value("")

        # What is typed is kept on the phone: a reload does not lose it.
        page.get_by_test_id("field-form").locator("[name=last_name]").fill("Halfway")
        page.reload()
        last_name = page.get_by_test_id("field-form").locator("[name=last_name]")
        expect(last_name).to_have_value("Halfway")
        last_name.fill("")

        page.context.set_offline(True)
        fill(page, "Bob", "Offline", "bob@agency.example")
        page.get_by_test_id("field-submit").click()
        expect(page.get_by_test_id("field-queue")).to_be_visible()
        expect(page.get_by_test_id("field-queue-count")).to_have_text("1")
        assert not Contact.objects.filter(last_name="Offline").exists()

        page.context.set_offline(False)
        # The "online" event sends the queue by itself.
        expect(met).to_contain_text("Bob Offline")
        expect(page.get_by_test_id("field-queue")).to_be_hidden()
        assert Contact.objects.filter(last_name__in=["Online", "Offline"]).count() == 2
        assert Interaction.objects.filter(kind=InteractionKind.MET).count() == 2
        assert problems == []

    def test_staff_check_a_guest_in_and_mark_an_appointment_in_place(
        self, phone_page, client, people
    ):
        page = phone_page
        today = timezone.localdate()
        event = services.event_create(
            data={"name": "Workshop", "kind": "workshop", "starts_on": today, "ends_on": today},
            user=people.staff,
        )
        guest_contact = contact_create(data={"last_name": "Guest"}, user=people.staff)
        guest = services.guest_add(event=event, contact=guest_contact, user=people.staff)
        participant = services.participant_add(
            event=event, user=people.staff, role="exhibitor", supplier=people.hotel
        )
        client_contact = contact_create(data={"last_name": "Client"}, user=people.staff)
        appointment = services.appointment_save(
            event=event, participant=participant, contact=client_contact, user=people.staff
        )
        problems = watch(page)
        log_in(page, client, people.staff)
        page.goto(f"/backoffice/terrain/{event.pk}/")
        page.evaluate("window.__same_page = true")
        page.get_by_test_id(f"guest-{guest.pk}-attended").click()
        expect(page.locator(f"[data-guest='{guest.pk}']")).to_have_attribute(
            "data-attendance", "attended"
        )
        page.get_by_test_id(f"appointment-{appointment.pk}-held").click()
        expect(page.locator(f"[data-appointment='{appointment.pk}']")).to_have_attribute(
            "data-status", "held"
        )
        assert page.evaluate("window.__same_page") is True
        guest.refresh_from_db()
        appointment.refresh_from_db()
        assert (guest.attendance, appointment.status) == ("attended", "held")
        assert problems == []
