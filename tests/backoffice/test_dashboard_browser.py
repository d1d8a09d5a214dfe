"""In Chromium: the back-office dashboard draws its chart under the strict CSP, beside its table."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from micedesk.directory.models import Status
from tests.factories import SupplierFactory


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser."""
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


@pytest.mark.browser
class DashboardBrowserTestCase:
    def test_staff_see_the_chart_drawn_without_a_policy_violation(self, page, client, people):
        SupplierFactory(name="Brouillon", slug="brouillon", status=Status.DRAFT)
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:dashboard"))
        figure = page.locator("figure.ws-chart")
        expect(figure).to_have_class("ws-chart ws-chart-drawn")
        box = page.locator("canvas[data-chart]").bounding_box()
        assert box is not None and box["width"] > 100 and box["height"] > 100
        expect(page.get_by_test_id("figures-table")).to_be_visible()
        assert problems == []

    def test_without_javascript_only_the_table_is_shown(
        self, chromium, live_server, client, people
    ):
        context = chromium.new_context(java_script_enabled=False, base_url=live_server.url)
        page = context.new_page()
        page.base_url = live_server.url
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:dashboard"))
        expect(page.locator("figure.ws-chart")).to_be_hidden()
        expect(page.get_by_test_id("figures-table")).to_be_visible()
        context.close()
