"""The whole path of a quote request in Chromium: a planner asks a supplier, the request is
dispatched by the outbox to a real SMTP server, the supplier answers in the extranet, the planner
declares the outcome on the private page, and the back-office counts the conversion."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from micedesk.leads.links import quote_request_link
from micedesk.leads.models import Dispatch, QuoteRequest, RequestStatus
from micedesk.leads.outbox import dispatches_send_due
from tests.leads.conftest import smtp_server  # noqa: F401  (a real SMTP server on loopback)
from tests.portal.test_request_browser import fill_request

pytestmark = pytest.mark.browser


def log_in(page, client, user) -> None:
    """Hand a test-client session to the browser (the login form has its own tests)."""
    client.logout()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": page.base_url}]
    )


class QuoteRequestJourneyTestCase:
    def test_a_request_goes_from_the_planner_to_a_won_event_in_the_figures(
        self,
        page,
        client,
        directory,
        people,
        smtp_server,  # noqa: F811
    ):
        chateau = directory["chateau"]
        chateau.members.add(people.supplier)

        # The planner asks the château for a quote on the portal.
        page.goto(f"/en/prestataires/{chateau.slug}/")
        page.get_by_role("link", name="Ask this supplier for a quote").click()
        fill_request(page)
        expect(page.get_by_test_id("request-sent")).to_be_visible()
        quote_request = QuoteRequest.objects.get()
        dispatch = Dispatch.objects.get(quote_request=quote_request, supplier=chateau)

        # The outbox sends it: the château's address receives it once.
        assert dispatches_send_due() >= 1
        received = [recipient for mail in smtp_server.messages for recipient in mail.recipients]
        assert received.count(chateau.email) == 1

        # The supplier says it is interested, then sends a proposal, in the extranet.
        log_in(page, client, people.supplier)
        page.goto(f"/extranet/demandes/envois/{dispatch.pk}/")
        page.locator("input[name=status][value=interested]").check()
        page.get_by_test_id("answer-form").locator("button[type=submit]").click()
        expect(page.get_by_test_id("dispatch-status")).to_have_attribute(
            "data-status", "interested"
        )
        page.locator("input[name=status][value=proposal]").check()
        page.locator("#id_amount").fill("4200")
        page.get_by_test_id("answer-form").locator("button[type=submit]").click()
        expect(page.get_by_test_id("dispatch-status")).to_have_attribute("data-status", "proposal")

        # The event takes place; afterwards the planner declares it won by the château.
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        QuoteRequest.objects.filter(pk=quote_request.pk).update(
            start_date=yesterday, end_date=yesterday
        )
        page.context.clear_cookies()
        page.goto("/en" + quote_request_link(quote_request=quote_request))
        page.locator("#id_supplier").select_option(str(chateau.pk))
        page.locator("#id_participants").fill("38")
        page.locator("#id_days").fill("1")
        page.locator("#id_budget").fill("4100")
        page.get_by_test_id("outcome-submit").click()
        expect(page.get_by_test_id("request-status")).to_have_attribute(
            "data-status", RequestStatus.WON
        )

        # The back-office counts it: one request received, one won.
        log_in(page, client, people.staff)
        page.goto("/backoffice/chiffres/")
        funnel = page.get_by_test_id("table-funnel")
        expect(funnel.locator("tbody tr").first.locator("td").first).to_have_text("1")
        expect(funnel.locator("tbody tr").last.locator("td").first).to_have_text("1")
        quote_request.refresh_from_db()
        assert quote_request.won_by == chateau and quote_request.outcome_declared_by == "planner"
