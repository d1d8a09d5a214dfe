"""The conversion figures page of the back-office, its charts' data and its CSV / XLSX downloads."""

from __future__ import annotations

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.leads.models import DispatchStatus, RequestStatus
from tests.leads import builders

URL = reverse("backoffice:figures")
NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]


def export_url(file_format: str) -> str:
    return reverse("backoffice:figures_export", kwargs={"file_format": file_format})


def period() -> dict[str, str]:
    today = timezone.localdate()
    return {"start": (today - datetime.timedelta(days=30)).isoformat(), "end": today.isoformat()}


@pytest.fixture
def history(people):
    """Two requests this month: one won by the hotel after a proposal, one lost."""
    won = builders.quote_request(status=RequestStatus.WON, won_by=people.hotel)
    builders.dispatch(
        won,
        supplier=people.hotel,
        status=DispatchStatus.WON,
        first_answer_at=timezone.now(),
        proposal_amount=5000,
    )
    lost = builders.quote_request(status=RequestStatus.LOST, email="second@planner.example")
    builders.dispatch(lost, supplier=people.other_hotel, status=DispatchStatus.LOST)
    return won, lost


def chart_data(text: str, name: str) -> dict:
    match = re.search(
        rf'<script id="chart-{name}" type="application/json">(.*?)</script>', text, re.S
    )
    assert match, f"no chart data for {name}"
    return json.loads(match.group(1))


class FiguresPageTestCase:
    def test_staff_get_the_funnel_and_the_tables(self, client, people, history):
        client.force_login(people.staff)
        response = client.get(URL, period())
        assert response.status_code == 200
        funnel = response.context["figures"].funnel
        counts = [row[1] for row in funnel.rows]
        assert counts[0] == 2 and counts[-1] == 1
        assert 'data-testid="table-funnel"' in response.text
        assert 'data-testid="table-answer_time_by_category"' in response.text

    def test_it_shows_the_last_year_by_default(self, client, people, history):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        figures = response.context["figures"]
        assert figures.end == timezone.localdate()
        assert (figures.end - figures.start).days == 364

    def test_it_passes_chart_data_the_chart_script_reads(self, client, people, history):
        client.force_login(people.staff)
        text = client.get(URL, period()).text
        assert 'data-chart="bar-stacked" data-chart-source="chart-funnel"' in text
        funnel = chart_data(text, "funnel")
        assert funnel["datasets"][0]["data"][0] == 2
        channel = chart_data(text, "by_channel")
        won, not_won = channel["datasets"]
        assert (won["data"], not_won["data"]) == ([1], [1])
        assert won["stack"] == not_won["stack"]
        assert "chart.umd.min.js" in text and "js/charts.js" in text

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_everyone_else(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        response = client.get(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize(
        "query",
        [
            {"start": "2026-05-01", "end": "2026-04-01"},
            {"start": "not-a-date", "end": "2026-04-01"},
            {"start": "2026-04-01"},
            {"end": "2026-04-01"},
        ],
    )
    def test_it_refuses_a_bad_period(self, client, people, query):
        client.force_login(people.staff)
        response = client.get(URL, query)
        assert response.status_code == 400
        assert response.context["form"].errors
        assert "figures" not in response.context


class FiguresExportTestCase:
    def test_staff_download_the_tables_as_csv(self, client, people, history):
        client.force_login(people.staff)
        response = client.get(export_url("csv"), period())
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment" in response["Content-Disposition"]
        content = response.content
        assert content.startswith(b"\xef\xbb\xbf")
        rows = content.decode("utf-8-sig").splitlines()
        assert rows[1].count(";") == 2  # the funnel: step; requests; share

    def test_staff_download_the_tables_as_xlsx(self, client, people, history):
        client.force_login(people.staff)
        response = client.get(export_url("xlsx"), period())
        assert response.status_code == 200
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        assert "funnel" in workbook.sheetnames
        assert workbook["funnel"].cell(row=2, column=2).value == 2

    @pytest.mark.parametrize("file_format", ["csv", "xlsx"])
    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_everyone_else(self, client, people, file_format, who):
        client.force_login(getattr(people, who))
        assert client.get(export_url(file_format), period()).status_code == 403

    def test_it_refuses_an_unknown_format(self, client, people):
        client.force_login(people.staff)
        assert client.get(export_url("pdf"), period()).status_code == 400

    @pytest.mark.parametrize(
        "query", [{}, {"start": "2026-05-01", "end": "2026-04-01"}, {"start": "x", "end": "y"}]
    )
    def test_it_refuses_a_bad_period(self, client, people, query):
        client.force_login(people.staff)
        assert client.get(export_url("csv"), query).status_code == 400
