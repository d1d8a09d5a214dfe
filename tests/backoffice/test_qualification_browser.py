"""In Chromium: staff open a submitted evaluation and publish it; the qualification figures draw
their charts under the strict CSP."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from micedesk.qualification import services
from micedesk.qualification.models import EvaluationStatus
from tests.qualification import builders


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


@pytest.fixture
def submitted(people):
    evaluation = builders.evaluation_assigned(
        supplier=people.hotel, evaluator=people.partner, staff=people.staff
    )
    builders.evaluation_filled(evaluation, answers={**builders.ALL_MET, "wifi_mbps": "10"})
    return services.evaluation_submit(evaluation=evaluation, user=people.partner)


@pytest.mark.browser
class QualificationBrowserTestCase:
    def test_staff_open_a_submitted_evaluation_and_publish_it(
        self, page, client, people, submitted
    ):
        problems = watch(page)
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:qualification"))
        page.get_by_test_id("review-link").click()
        page.locator(f'tr[data-evaluation="{submitted.pk}"] a').click()
        expect(page.get_by_test_id("evaluation-status")).to_have_attribute(
            "data-status", "submitted"
        )
        expect(page.locator('[data-check="wifi_mbps"]')).to_be_visible()
        page.get_by_test_id("publish-form").locator("textarea").fill("Bienvenue dans le réseau.")
        page.get_by_test_id("publish").click()
        expect(page.get_by_test_id("evaluation-status")).to_have_attribute(
            "data-status", "published"
        )
        submitted.refresh_from_db()
        people.hotel.refresh_from_db()
        assert submitted.status == EvaluationStatus.PUBLISHED
        assert people.hotel.qualification_level == submitted.level
        assert submitted.valid_until > datetime.date.today()
        assert problems == []

    def test_the_figures_draw_their_charts(self, page, client, people, submitted):
        services.evaluation_publish(evaluation=submitted, user=people.staff)
        problems = watch(page)
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:qualification_figures"))
        for source in ("chart-qualified_offer", "chart-criteria_missed"):
            figure = page.locator(f'figure:has(canvas[data-chart-source="{source}"])')
            expect(figure).to_have_class(re.compile("ws-chart-drawn"))
            box = figure.locator("canvas").bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100
        assert problems == []
