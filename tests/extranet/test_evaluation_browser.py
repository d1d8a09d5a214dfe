"""In Chromium on a phone-sized screen: an evaluator opens its assigned evaluation, answers the
criteria (each saved at once, "saved at" shown), uploads a photo and submits."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import expect

from micedesk.qualification.models import Answer, EvaluationStatus, EvidenceFile
from tests.qualification import builders


def log_in(page, client, user) -> None:
    """Open a session with the test client and hand its cookie to the browser (the login form
    has its own tests)."""
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


def expect_saved(page, target: str) -> None:
    expect(page.get_by_test_id(f"status-{target}")).to_have_attribute("data-state", "saved")


@pytest.mark.browser
class EvaluationBrowserTestCase:
    def test_an_evaluator_fills_in_and_submits_on_a_phone(
        self, phone_page, client, people, tmp_path
    ):
        page = phone_page
        evaluation = builders.evaluation_assigned(
            supplier=people.hotel, evaluator=people.partner, staff=people.staff
        )
        log_in(page, client, people.partner)
        page.goto(reverse("extranet:evaluations"))
        page.locator(f'[data-evaluation="{evaluation.pk}"] a').click()
        expect(page.get_by_test_id("evaluation-form")).to_have_attribute("data-autosave-on", "true")

        page.locator('label[for="id_c-named_contact-value_0"]').click()
        expect_saved(page, "criterion-named_contact")
        number = page.locator("#id_c-wifi_mbps-value")
        number.fill("beaucoup")
        number.press("Tab")
        expect(page.get_by_test_id("status-criterion-wifi_mbps")).to_have_attribute(
            "data-state", "error"
        )
        expect(number).to_have_value("beaucoup")  # what was typed stays
        number.fill("45,5")
        number.press("Tab")
        expect_saved(page, "criterion-wifi_mbps")
        page.locator('label[for="id_c-breaks-value_1"]').click()
        expect_saved(page, "criterion-breaks")
        page.locator('label[for="id_c-daylight-value_0"]').click()
        expect_saved(page, "criterion-daylight")

        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        photo = tmp_path / "salle.jpg"
        photo.write_bytes(builders.image_bytes())
        page.locator("#id_e-daylight-file").set_input_files(str(photo))
        page.get_by_test_id("evidence-daylight").get_by_test_id("evidence-upload").click()
        expect(page.get_by_test_id("evidence-daylight").locator("[data-evidence]")).to_have_count(1)

        page.get_by_test_id("to-submit").click()
        expect(page.get_by_test_id("complete")).to_be_visible()
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_test_id("submit").click()
        expect(page.get_by_test_id("evaluations")).to_be_visible()

        evaluation.refresh_from_db()
        assert evaluation.status == EvaluationStatus.SUBMITTED
        assert (
            Answer.objects.get(evaluation=evaluation, criterion__code="wifi_mbps").value_number
            == 45.5
        )
        assert EvidenceFile.objects.filter(evaluation=evaluation).count() == 1
