"""In Chromium, under the strict CSP: a staff member adds a call to a contact's timeline without
leaving the page (htmx), a refused entry shows its error in place; a planner unsubscribes from
the signed link."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from micedesk.crm.links import unsubscribe_token
from micedesk.crm.models import Consent, Interaction, Purpose
from tests.crm import builders


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


@pytest.mark.browser
class CrmBrowserTestCase:
    def test_staff_add_a_call_to_the_timeline_in_place(self, page, client, people):
        contact = builders.contact("Claire", "Moreau")
        problems = watch(page)
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:contact", kwargs={"pk": contact.pk}))
        page.evaluate("window.__same_page = true")
        form = page.get_by_test_id("interaction-form")
        form.locator("select[name=kind]").select_option("met")  # met, but at which action?
        form.locator("textarea").fill("Met at a show")
        form.get_by_role("button").click()
        expect(page.get_by_test_id("interaction-errors")).to_be_visible()
        assert not Interaction.objects.exists()
        page.get_by_test_id("interaction-form").locator("select[name=kind]").select_option("call")
        page.get_by_test_id("interaction-form").locator("textarea").fill("Called about May")
        page.get_by_test_id("interaction-form").get_by_role("button").click()
        expect(page.get_by_test_id("interaction-added")).to_be_visible()
        expect(page.get_by_test_id("timeline-items").locator("tbody tr")).to_have_count(1)
        assert page.evaluate("window.__same_page") is True  # no full reload
        assert Interaction.objects.get().summary == "Called about May"
        assert problems == []

    def test_a_planner_unsubscribes_from_the_link(self, page, db):
        contact = builders.contact("Claire", "Moreau")
        builders.consent(contact, Purpose.MAILING)
        problems = watch(page)
        token = unsubscribe_token(contact=contact, purpose=Purpose.MAILING)
        page.goto(reverse("portal:unsubscribe", args=[token]))
        page.get_by_test_id("unsubscribe-confirm").click()
        expect(page.get_by_test_id("unsubscribe-done")).to_be_visible()
        latest = Consent.objects.filter(contact=contact).order_by("-recorded_at", "-pk").first()
        assert latest.granted is False
        assert problems == []
