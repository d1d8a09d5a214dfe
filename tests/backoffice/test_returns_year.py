"""The returns dashboard of a year: totals, kinds, year on year, the ranking with its
recommendations, the charts' data; the year is read once."""

from __future__ import annotations

import datetime
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from micedesk.operations import returns
from micedesk.operations.models import EventStatus
from tests.backoffice.test_returns_fixtures import YEAR, event_with_a_win, settings_row
from tests.operations import builders

URL = reverse("backoffice:returns_year")


def chart(text: str, chart_id: str) -> dict:
    match = re.search(
        rf'<script id="{chart_id}" type="application/json">(.*?)</script>', text, re.S
    )
    assert match, f"no chart data {chart_id}"
    return json.loads(match.group(1))


@pytest.fixture
def year(people):
    """2024: the workshop with a win and a trade show that brought nothing; 2023: a webinar."""
    settings_row()
    won = event_with_a_win()
    empty = builders.event(
        name="Trade show 2024", kind="trade_show", starts_on=datetime.date(YEAR, 9, 1)
    )
    builders.cost_line(empty, budget=Decimal("5000"))
    builders.cost_line(
        builders.event(
            name="Webinar 2023", kind="webinar", starts_on=datetime.date(YEAR - 1, 5, 2)
        ),
        budget=Decimal("300"),
    )
    builders.event(
        name="Cancelled 2024", status=EventStatus.CANCELLED, starts_on=datetime.date(YEAR, 2, 1)
    )
    return won, empty


class YearReturnsPageTestCase:
    def test_it_shows_the_totals_of_the_year(self, client, people, year):
        client.force_login(people.staff)
        response = client.get(URL, {"year": YEAR})
        assert response.status_code == 200
        totals = response.context["result"].totals
        assert totals.events == 2
        assert totals.net_cost == Decimal("6000.00")
        assert totals.useful_contacts == Decimal("1")
        assert 'data-figure="events">2<' in response.text
        assert 'data-testid="by-kind"' in response.text
        assert 'data-kind="workshop"' in response.text and 'data-kind="trade_show"' in response.text

    def test_it_ranks_the_actions_with_their_recommendation(self, client, people, year):
        won, empty = year
        client.force_login(people.staff)
        text = client.get(URL, {"year": YEAR}).text
        ranking = re.search(r'data-testid="ranking">(.*?)</table>', text, re.S).group(1)
        rows = re.findall(r'data-event="(\d+)"', ranking)
        assert rows == [str(won.pk), str(empty.pk)]
        assert reverse("backoffice:event_returns", args=[won.pk]) in ranking
        assert ranking.count("data-recommendation=") == 2
        assert "Cancelled 2024" not in text

    def test_it_compares_with_the_year_before(self, client, people, year):
        client.force_login(people.staff)
        response = client.get(URL, {"year": YEAR})
        assert response.context["result"].previous.events == 1
        comparison = chart(response.text, "returns-chart-year-on-year")
        assert [d["label"] for d in comparison["datasets"]] == [str(YEAR - 1), str(YEAR)]
        assert comparison["datasets"][0]["data"][0] == 300.0
        assert comparison["datasets"][1]["data"] == [6000.0, 16000.0]

    def test_it_charts_cost_and_impact_per_event_and_cost_per_contact_per_kind(
        self, client, people, year
    ):
        client.force_login(people.staff)
        text = client.get(URL, {"year": YEAR}).text
        per_event = chart(text, "returns-chart-cost-impact")
        assert per_event["labels"] == ["Workshop Paris 2024", "Trade show 2024"]
        assert per_event["datasets"][1]["data"] == [16000.0, 0.0]
        per_kind = chart(text, "returns-chart-kind-cost")
        assert len(per_kind["labels"]) == 2  # trade show, then workshop
        # The trade show met no useful contact: no ratio, left out rather than drawn as zero.
        assert per_kind["datasets"][0]["data"] == [None, 1000.0]

    def test_it_reads_the_year_once(self, client, people, year, monkeypatch):
        calls = []
        original = returns.year_returns

        def counting(**kwargs):
            calls.append(kwargs)
            return original(**kwargs)

        monkeypatch.setattr(returns, "year_returns", counting)
        client.force_login(people.staff)
        assert client.get(URL, {"year": YEAR}).status_code == 200
        assert calls == [{"year": YEAR}]

    def test_it_shows_this_year_by_default(self, client, people):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        this_year = timezone.localdate().year
        assert response.context["result"].year == this_year
        assert 'data-testid="ranking"' in response.text
        assert f'href="?year={this_year - 1}" rel="prev"' in response.text

    @pytest.mark.parametrize("bad", ["abc", "1999", "2101", "20.5"])
    def test_it_refuses_a_bad_year(self, client, people, bad):
        client.force_login(people.staff)
        response = client.get(URL, {"year": bad})
        assert response.status_code == 400
        assert 'data-testid="form-errors"' in response.text
        assert "result" not in response.context


class YearReturnsQueriesTestCase:
    def test_the_page_does_not_query_per_event(self, client, people, year):
        client.force_login(people.staff)
        with CaptureQueriesContext(connection) as few:
            client.get(URL, {"year": YEAR})
        for number in range(3):
            more = event_with_a_win(name=f"Workshop {number}")
            builders.cost_line(more, category="transport", budget=Decimal("10"))
        with CaptureQueriesContext(connection) as many:
            client.get(URL, {"year": YEAR})
        assert len(many) == len(few)
