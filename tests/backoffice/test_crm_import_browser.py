"""In Chromium: a staff member imports a file, changes a column, merges a duplicate, reads the report."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from micedesk.crm.models import Contact
from tests.backoffice.test_dashboard_browser import log_in
from tests.crm import builders
from tests.crm.test_imports import GOOD_FILE


@pytest.mark.browser
class CrmImportBrowserTestCase:
    def test_staff_import_a_file_from_upload_to_report(self, page, client, people):
        builders.topic("seminaires", "Séminaires")
        builders.topic("incentive", "Incentive")
        claire = builders.contact("Claire", "Dubois", email="", job_title="")
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on(
            "console",
            lambda message: (
                problems.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )
        log_in(page, client, people.staff)
        page.goto(reverse("backoffice:crm_import_new"))
        page.locator("input[type=file]").set_input_files(str(GOOD_FILE))
        page.locator("[data-testid=import-upload-form] button[type=submit]").click()

        # The NAF column left out: line 5, refused for its NAF code, becomes a new contact.
        line_5 = page.locator('#mapping-preview tr[data-line="5"]')
        expect(line_5).to_have_attribute("data-status", "refused")
        # htmx binds the form's change trigger once the page has loaded: a change before is lost.
        page.wait_for_load_state("load")
        page.wait_for_function("() => window.htmx !== undefined")
        page.locator('select[name="column_13"]').select_option("")
        expect(line_5).to_have_attribute("data-status", "new", timeout=15_000)
        page.get_by_test_id("mapping-save").click()

        possible = page.locator('[data-testid=preview-rows] tr[data-line="9"]')
        expect(possible).to_have_attribute("data-status", "possible")
        page.locator('select[name="line_9"]').select_option("merge")
        page.get_by_test_id("import-confirm").click()

        expect(page.get_by_test_id("import-status")).to_have_attribute("data-status", "imported")
        expect(page.locator('[data-count="created"] dd')).to_have_text("3")
        expect(page.locator('[data-count="merged"] dd')).to_have_text("1")
        expect(page.locator('[data-testid=refused-rows] tr[data-line="4"]')).to_be_visible()
        claire.refresh_from_db()
        assert claire.job_title == "Présidente"
        assert Contact.objects.filter(last_name="Dubois").count() == 1
        assert problems == []
