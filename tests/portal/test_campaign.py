"""A campaign's page on the portal: what it shows, visits counted without personal data (bots
left out), 404 for anything that is not a campaign, and the campaign carried into the request."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from micedesk.directory.models import Status
from micedesk.directory.vocab import THEMES
from micedesk.leads.models import QuoteRequest
from micedesk.operations import services
from micedesk.operations.models import CampaignVisit
from micedesk.portal.request_views import DRAFT_KEY
from tests.factories import SupplierFactory
from tests.portal.test_request_form import SEND, fill, step_url

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
TODAY = timezone.localdate()


def campaign(staff, **changes):
    data = {
        "name": "Seminars in the green 2026",
        "kind": "campaign",
        "starts_on": TODAY - datetime.timedelta(days=10),
        "ends_on": TODAY + datetime.timedelta(days=50),
        "theme": "au_vert",
        "campaign_slug": "seminaires-au-vert",
        "campaign_title": "Seminars in the green",
        "campaign_text": "Meet in the Norman countryside.",
    }
    data.update(changes)
    return services.event_create(data=data, user=staff)


def visits(event) -> int:
    return sum(CampaignVisit.objects.filter(event=event).values_list("count", flat=True))


@pytest.mark.django_db
class CampaignPageTestCase:
    def test_it_shows_the_campaign_and_its_suppliers(self, client, people, communes):
        event = campaign(people.staff)
        green = SupplierFactory(
            name="Manoir au vert", status=Status.PUBLISHED, theme_mask=THEMES.mask(["au_vert"])
        )
        seaside = SupplierFactory(
            name="Hôtel de la mer",
            status=Status.PUBLISHED,
            theme_mask=THEMES.mask(["bord_de_mer"]),
        )
        draft = SupplierFactory(
            name="Brouillon au vert", status=Status.DRAFT, theme_mask=THEMES.mask(["au_vert"])
        )
        response = client.get("/campagnes/seminaires-au-vert/", HTTP_USER_AGENT=BROWSER)
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-campaign="seminaires-au-vert"' in html
        assert "Seminars in the green" in html
        assert "Meet in the Norman countryside." in html
        assert f'data-supplier-id="{green.pk}"' in html
        assert f'data-supplier-id="{seaside.pk}"' not in html
        assert f'data-supplier-id="{draft.pk}"' not in html
        assert "/demandes/nouvelle/?campagne=seminaires-au-vert" in html
        assert event.pk

    def test_it_falls_back_to_the_department_without_a_known_theme(self, client, people):
        campaign(people.staff, theme="", department_code="14")
        caen = SupplierFactory(status=Status.PUBLISHED)
        html = client.get("/campagnes/seminaires-au-vert/", HTTP_USER_AGENT=BROWSER).content
        assert f'data-supplier-id="{caen.pk}"'.encode() in html
        assert f'data-supplier-id="{people.other_hotel.pk}"'.encode() not in html

    def test_it_opens_under_english_too(self, client, people):
        campaign(people.staff)
        assert client.get("/en/campagnes/seminaires-au-vert/").status_code == 200

    def test_each_visit_is_counted_for_the_day(self, client, people):
        event = campaign(people.staff)
        for _ in range(3):
            client.get("/campagnes/seminaires-au-vert/", HTTP_USER_AGENT=BROWSER)
        row = CampaignVisit.objects.get(event=event)
        assert (row.day, row.count) == (TODAY, 3)
        assert not client.cookies.get("sessionid")

    @pytest.mark.parametrize(
        "agent",
        [
            "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
            "Mozilla/5.0 (compatible; bingbot/2.0)",
            "facebookexternalhit/1.1",
            "curl/8.5.0",
            "python-requests/2.31",
            "",
        ],
    )
    def test_robots_are_not_counted(self, client, people, agent):
        event = campaign(people.staff)
        response = client.get("/campagnes/seminaires-au-vert/", HTTP_USER_AGENT=agent)
        assert response.status_code == 200
        assert visits(event) == 0

    def test_a_head_request_is_not_counted(self, client, people):
        event = campaign(people.staff)
        assert (
            client.head("/campagnes/seminaires-au-vert/", HTTP_USER_AGENT=BROWSER).status_code
            == 200
        )
        assert visits(event) == 0

    def test_it_refuses_to_be_posted_to(self, client, people):
        campaign(people.staff)
        assert client.post("/campagnes/seminaires-au-vert/").status_code == 405

    def test_an_unknown_campaign_is_not_found(self, client, communes):
        assert client.get("/campagnes/nowhere/", HTTP_USER_AGENT=BROWSER).status_code == 404

    def test_an_event_that_is_not_a_campaign_is_not_found(self, client, people):
        event = campaign(people.staff, kind="trade_show", campaign_slug="salon")
        assert client.get("/campagnes/salon/", HTTP_USER_AGENT=BROWSER).status_code == 404
        assert visits(event) == 0

    def test_a_cancelled_campaign_is_not_found(self, client, people):
        event = campaign(people.staff)
        services.event_cancel(event=event, user=people.staff)
        assert client.get("/campagnes/seminaires-au-vert/").status_code == 404


@pytest.mark.django_db
class CampaignRequestTestCase:
    def test_the_request_sent_from_a_campaign_carries_it(self, client, people):
        campaign(people.staff)
        response = client.get("/en/demandes/nouvelle/?campagne=seminaires-au-vert")
        assert response.status_code == 302
        assert client.session[DRAFT_KEY]["campaign"] == "seminaires-au-vert"
        fill(client)
        response = client.post(step_url("send"), SEND)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert QuoteRequest.objects.get().campaign == "seminaires-au-vert"

    def test_the_campaign_survives_a_supplier_chosen_afterwards(self, client, people):
        campaign(people.staff)
        client.get("/en/demandes/nouvelle/?campagne=seminaires-au-vert")
        client.get(f"/en/demandes/nouvelle/?supplier={people.hotel.pk}")
        assert client.session[DRAFT_KEY]["campaign"] == "seminaires-au-vert"

    @pytest.mark.parametrize("slug", ["unknown-campaign", "x" * 200, "<b>"])
    def test_an_unknown_campaign_is_ignored_and_the_request_still_sent(self, client, people, slug):
        campaign(people.staff)
        response = client.get("/en/demandes/nouvelle/", {"campagne": slug})
        assert response.status_code == 302
        assert "campaign" not in client.session.get(DRAFT_KEY, {})
        fill(client)
        assert client.post(step_url("send"), SEND).status_code == 302
        assert QuoteRequest.objects.get().campaign == ""
