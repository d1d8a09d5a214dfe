"""The returns dashboard of one event: costs, contacts met, useful contacts with their won
requests, scope, impact with its parameter, ratios, recommendation, the settings banner."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from tests.backoffice.test_returns_fixtures import event_with_a_win, settings_row
from tests.operations import builders


def url(event) -> str:
    return reverse("backoffice:event_returns", args=[event.pk])


def chart(text: str, chart_id: str) -> dict:
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', text, re.S
    )
    assert match, f"no chart data {chart_id}"
    return json.loads(match.group(1))


def figure(text: str, name: str) -> str:
    match = re.search(rf'data-(?:figure|ratio)="{name}">([^<]*)<', text)
    assert match, f"no figure {name}"
    return match.group(1).replace("\xa0", " ").replace("\u202f", " ").strip()


@pytest.fixture
def event(people):
    settings_row()
    return event_with_a_win()


class EventReturnsPageTestCase:
    def test_it_shows_the_figures_computed_from_the_timeline(self, client, people, event):
        client.force_login(people.staff)
        response = client.get(url(event))
        assert response.status_code == 200
        result = response.context["result"]
        assert result.contacts_met == 2
        assert result.useful_contacts == Decimal("1")
        assert result.economic_impact == Decimal("16000.00")
        text = response.text
        assert figure(text, "contacts_met") == "2"
        assert figure(text, "useful_contacts") == "1"
        assert figure(text, "events_won") == "1"
        assert figure(text, "delegate_days") == "80"
        assert figure(text, "net_cost").startswith("1 000,00")
        assert figure(text, "economic_impact").startswith("16 000,00")
        assert figure(text, "contributions").startswith("200,00")
        assert figure(text, "cost_per_useful_contact").startswith("1 000,00")
        assert figure(text, "cost_per_delegate_day").startswith("12,50")
        assert figure(text, "impact_per_euro").startswith("16,00")

    def test_it_lists_useful_contacts_with_their_won_requests(self, client, people, event):
        client.force_login(people.staff)
        response = client.get(url(event))
        useful = response.context["result"].useful
        assert len(useful) == 1
        contact, request = useful[0].contact, useful[0].requests[0]
        assert reverse("backoffice:contact", args=[contact.pk]) in response.text
        assert reverse("backoffice:request", args=[request.pk]) in response.text
        assert "Exampleton" in response.text
        assert "Nowinner" not in response.text

    def test_it_passes_the_charts_their_data(self, client, people, event):
        client.force_login(people.staff)
        text = client.get(url(event)).text
        costs = chart(text, "returns-chart-costs")
        assert costs["datasets"][0]["data"] == [1000.0]
        assert costs["datasets"][1]["data"] == [1200.0]
        assert chart(text, "returns-chart-kinds")["datasets"][0]["data"] == [1.0]
        assert chart(text, "returns-chart-origins")["labels"] == ["75"]
        assert 'data-chart="bar-stacked" data-chart-source="returns-chart-costs"' in text

    def test_it_says_which_rule_and_window_are_used(self, client, people, event):
        settings_row(rule="shared", window=24)
        client.force_login(people.staff)
        client.cookies["django_language"] = "en"
        response = client.get(url(event))
        banner = re.search(r'data-testid="returns-banner">(.*?)</div>', response.text, re.S)
        assert banner and "24 months" in banner.group(1)
        assert "Shared" in banner.group(1)
        assert reverse("backoffice:returns_settings") in banner.group(1)

    def test_it_flags_figures_too_small_to_conclude(self, client, people, event):
        client.force_login(people.staff)
        response = client.get(url(event))
        assert response.context["result"].too_small
        assert 'data-testid="too-small"' in response.text
        assert 'data-recommendation="too_early"' in response.text

    def test_it_recommends_keeping_an_event_that_brings_enough(self, client, people, event):
        settings_row(minimum=1)
        client.force_login(people.staff)
        response = client.get(url(event))
        assert 'data-testid="too-small"' not in response.text
        assert 'data-recommendation="keep"' in response.text
        assert response.context["result"].recommendation.reasons

    def test_it_shows_the_spend_parameter_and_its_source(self, client, people, event):
        client.force_login(people.staff)
        text = client.get(url(event)).text
        assert "Seminar spend study" in text

    def test_an_event_without_costs_or_contacts_has_no_ratio(self, client, people):
        client.force_login(people.staff)
        response = client.get(url(builders.event()))
        assert response.status_code == 200
        assert figure(response.text, "cost_per_useful_contact") == "–"
        assert 'data-chart-source="returns-chart-costs"' not in response.text

    def test_it_refuses_a_post(self, client, people, event):
        client.force_login(people.staff)
        assert client.post(url(event)).status_code == 405


class CampaignFiguresTestCase:
    def test_a_campaign_shows_its_visits_and_the_requests_sent_from_its_pages(self, client, people):
        from micedesk.operations.services import campaign_visit_count, event_create

        event = event_create(
            data={
                "name": "Séminaires au vert",
                "kind": "campaign",
                "starts_on": datetime.date(2025, 3, 1),
                "ends_on": datetime.date(2025, 6, 30),
                "campaign_slug": "seminaires-au-vert",
                "campaign_title": "Séminaires au vert",
            },
            user=people.staff,
        )
        campaign_visit_count(event=event, day=datetime.date(2025, 3, 2))
        campaign_visit_count(event=event, day=datetime.date(2025, 3, 2))
        client.force_login(people.staff)
        response = client.get(reverse("backoffice:event_returns", args=[event.pk]))
        assert response.status_code == 200
        assert response.context["campaign"] == {"visits": 2, "requests": 0, "won": 0}
