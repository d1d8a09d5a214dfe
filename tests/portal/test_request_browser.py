"""The quote request form in Chromium, in English: from a supplier's page through every step to the
confirmation, with and without JavaScript, and without any Content-Security-Policy violation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from micedesk.leads.links import quote_request_link
from micedesk.leads.models import QuoteRequest
from tests.leads import builders
from tests.portal.conftest import _page
from tests.portal.test_accessibility import violations

pytestmark = pytest.mark.browser


def future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def fill_request(page, *, department: str = "") -> None:
    page.locator("#id_contact_name").fill("Event planner")
    page.locator("#id_organisation").fill("Planner company")
    page.locator("#id_organisation_kind").select_option("association")
    page.locator("#id_email").fill("planner@company.example")
    page.locator("#id_phone").fill("02 31 00 00 00")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name=re.compile("Step 2 of 5"))).to_be_visible()
    page.locator("#id_event_kind").select_option("seminaire")
    page.locator("#id_start_date").fill(future(60))
    page.locator("#id_end_date").fill(future(61))
    page.locator("#id_participants").fill("40")
    page.locator("#id_days").fill("2")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name=re.compile("Step 3 of 5"))).to_be_visible()
    page.locator("#id_layout").select_option("theatre")
    page.locator("#id_bedrooms").fill("20")
    page.locator("#id_catering").check()
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name=re.compile("Step 4 of 5"))).to_be_visible()
    if department:
        page.locator(f"input[name=departments][value='{department}']").check()
    page.locator("#id_budget_max").fill("12000")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name=re.compile("Step 5 of 5"))).to_be_visible()
    expect(page.get_by_test_id("request-summary")).to_contain_text("Planner company")
    page.get_by_label("How did you hear of us?").fill("A trade show")
    page.locator("#id_consent_share").check()
    page.get_by_role("button", name="Send the request").click()


class RequestBrowserTestCase:
    def test_a_planner_asks_a_supplier_for_a_quote(self, page, directory):
        errors: list[str] = []
        page.on("console", lambda message: message.type == "error" and errors.append(message.text))
        page.goto("/en/prestataires/chateau-de-brecourt/")
        page.get_by_role("link", name="Ask this supplier for a quote").click()
        expect(page.get_by_test_id("asked-suppliers")).to_contain_text("Château de Brécourt")
        expect(page.locator("#id_website_url")).not_to_be_in_viewport()
        fill_request(page)
        expect(page.get_by_test_id("request-sent")).to_be_visible()
        quote_request = QuoteRequest.objects.get()
        expect(page.get_by_test_id("request-reference")).to_have_text(quote_request.reference)
        assert quote_request.organisation_kind == "association"
        assert quote_request.heard_from == "A trade show"
        assert quote_request.consent_share is True
        assert [s.slug for s in quote_request.requested_suppliers.all()] == ["chateau-de-brecourt"]
        assert errors == []

    def test_the_form_works_without_javascript(self, nojs_page, directory):
        nojs_page.goto("/en/demandes/nouvelle/")
        nojs_page.get_by_role("button", name="Continue").click()
        expect(nojs_page.get_by_test_id("request-errors")).to_be_visible()
        fill_request(nojs_page, department="14")
        expect(nojs_page.get_by_test_id("request-sent")).to_be_visible()
        assert QuoteRequest.objects.get().departments == ["14"]


class RequestAccessibilityTestCase:
    def test_axe_finds_no_serious_violation_on_each_step_with_its_errors(
        self, chromium, live_server, directory
    ):
        """The five steps in one test (one live server and directory), each in a browser context of
        its own, so that each step starts from a new session as a planner arriving there would."""
        found = {}
        for step in ("who", "event", "needs", "where", "send"):
            context, page = _page(chromium, live_server, locale="fr-FR", bypass_csp=True)
            try:
                page.goto(f"/en/demandes/nouvelle/?supplier={directory['chateau'].pk}")
                page.goto(f"/en/demandes/nouvelle/{step}/")
                found[step] = violations(page)
                page.locator("[data-testid=request-next]").click()
                found[f"{step} with errors"] = violations(page)
            finally:
                context.close()
        assert found == {key: [] for key in found}


class RequestFollowBrowserTestCase:
    def test_the_planner_declares_the_outcome_on_the_private_page(self, axe_page, directory):
        over = timezone.localdate() - datetime.timedelta(days=3)
        request = builders.quote_request(start_date=over, end_date=over)
        builders.dispatch(request, supplier=directory["chateau"], status="proposal")
        axe_page.goto("/en" + quote_request_link(quote_request=request))
        expect(axe_page.get_by_test_id("request-dispatches")).to_contain_text("Château de Brécourt")
        assert violations(axe_page) == []
        axe_page.locator("#id_supplier").select_option(str(directory["chateau"].pk))
        axe_page.locator("#id_participants").fill("35")
        axe_page.locator("#id_days").fill("1")
        axe_page.locator("#id_budget").fill("4200")
        axe_page.get_by_test_id("outcome-submit").click()
        expect(axe_page.get_by_test_id("request-outcome")).to_be_visible()
        request.refresh_from_db()
        assert (request.status, request.won_by) == ("won", directory["chateau"])
