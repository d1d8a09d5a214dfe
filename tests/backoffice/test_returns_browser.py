"""In Chromium: the year's returns dashboard draws its charts under the strict CSP."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from tests.backoffice.test_returns_fixtures import YEAR, event_with_a_win, settings_row
from tests.operations import builders


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser."""
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


@pytest.mark.browser
class ReturnsYearBrowserTestCase:
    def test_staff_see_the_year_charts_drawn_without_a_policy_violation(self, page, client, people):
        settings_row()
        event_with_a_win()
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        log_in(page, client, people.staff)
        page.goto(f"{reverse('backoffice:returns_year')}?year={YEAR}")
        figures = page.locator("figure.ws-chart")
        expect(figures).to_have_count(3)
        for index in range(3):
            expect(figures.nth(index)).to_have_class("ws-chart ws-chart-drawn")
            box = figures.nth(index).locator("canvas").bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
        expect(page.get_by_test_id("ranking")).to_be_visible()
        assert problems == []


@pytest.mark.browser
class EventSummaryPrintTestCase:
    def test_the_summary_prints_on_one_a4_page(self, page, client, people):
        settings_row()
        event = event_with_a_win()
        # Clients from twelve departments: the summary groups the smallest origins.
        for number in range(12):
            planner = builders.contact(department_code=f"{20 + number}")
            builders.met(event, planner)
            day = datetime.date(YEAR, 7, 1 + number)
            builders.won_request(planner, created_at=builders.aware(day), event_kind="congres")
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:event_summary", args=[event.pk]))
        expect(page.get_by_test_id("event-summary")).to_be_visible()
        page.emulate_media(media="print")
        expect(page.locator(".site-header")).to_be_hidden()
        expect(page.get_by_test_id("summary-origins").locator("tbody tr")).to_have_count(8)
        pdf = page.pdf(prefer_css_page_size=True)
        pages = re.findall(rb"/Type\s*/Page[^s]", pdf)
        assert len(pages) == 1
