"""In Chromium, under the strict CSP: staff create a workshop, invite a CRM segment after seeing
who is in it, see the guests and register one of them through htmx."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from micedesk.crm.models import Segment, SegmentKind
from micedesk.operations.models import BureauEvent
from tests.conftest import browser_login
from tests.crm import builders


@pytest.fixture
def segment(db):
    seminars = builders.topic("seminaires", "Séminaires")
    for name in ("Able", "Baker", "Carter"):
        builders.contact(name, "Guest", topics=[seminars])
    builders.contact("Not", "Interested")
    return Segment.objects.create(
        name="Seminar planners", kind=SegmentKind.CUSTOM, rules={"topics": ["seminaires"]}
    )


def watch_for_problems(page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return problems


@pytest.mark.browser
class EventBrowserTestCase:
    def test_staff_create_a_workshop_invite_a_segment_and_see_the_guests(
        self, page, people, segment
    ):
        problems = watch_for_problems(page)
        browser_login(page, people.staff)
        page.goto(reverse("backoffice:events"))
        page.get_by_test_id("event-new-link").click()

        day = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
        page.locator("#id_name").fill("Workshop Caen")
        page.locator("#id_kind").select_option("workshop")
        expect(page.locator("[data-campaign-fields]")).to_be_hidden()
        page.locator("#id_starts_on").fill(day)
        page.locator("#id_ends_on").fill(day)
        page.locator("#id_commune_code").fill("14118")
        page.get_by_test_id("event-save").click()
        expect(page.get_by_test_id("event-name")).to_have_text("Workshop Caen")
        event = BureauEvent.objects.get()

        page.get_by_test_id("invite-segment").click()
        page.locator("#id_segment").select_option(str(segment.pk))
        page.get_by_test_id("segment-show").click()
        expect(page.get_by_test_id("invite-count")).to_have_attribute("data-count", "3")
        page.get_by_test_id("invite-confirm").click()

        rows = page.get_by_test_id("guests").locator("tbody tr[data-guest]")
        expect(rows).to_have_count(3)
        guest = event.guests.order_by("pk").first()
        page.get_by_test_id(f"attendance-{guest.pk}").select_option("registered")
        expect(page.locator(f"#guest-{guest.pk}")).to_have_attribute(
            "data-attendance", "registered"
        )
        guest.refresh_from_db()
        assert guest.attendance == "registered"
        assert problems == []
