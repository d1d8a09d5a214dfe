"""The qualification figures in the back-office: qualified offer, overdue evaluations, criteria
most often missed, their charts' data and the XLSX workbook."""

from __future__ import annotations

import datetime
import io
import json
import re

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.qualification.models import Evaluation
from tests.factories import SupplierFactory
from tests.qualification import builders

URL = reverse("backoffice:qualification_figures")
EXPORT_URL = reverse("backoffice:qualification_figures_export")


@pytest.fixture
def history(people, communes):
    """The hotel published with wifi too slow; a Bayeux venue assigned and overdue."""
    builders.grid_version("venue")
    builders.evaluation_published(
        supplier=people.hotel,
        evaluator=people.partner,
        staff=people.staff,
        answers={**builders.ALL_MET, "wifi_mbps": "10"},
    )
    late = SupplierFactory(name="Manoir de Bayeux", slug="manoir-bayeux", commune=communes["14047"])
    evaluation = builders.evaluation_assigned(
        supplier=late, evaluator=people.partner, staff=people.staff
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=3)
    Evaluation.objects.filter(pk=evaluation.pk).update(due_on=yesterday)
    return late


def chart_data(text: str, name: str) -> dict:
    match = re.search(
        rf'<script id="chart-{name}" type="application/json">(.*?)</script>', text, re.S
    )
    assert match, f"no chart data for {name}"
    return json.loads(match.group(1))


class FiguresPageTestCase:
    def test_it_shows_the_three_figures(self, client, people, history):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        tables = response.context["tables"]
        offer = tables["qualified_offer"].rows
        assert any(row[-1] == 1 and "(14)" in row[0] for row in offer)
        overdue = tables["evaluations_overdue"].rows
        assert [(row[0], row[-1]) for row in overdue] == [("Manoir de Bayeux", 3)]
        missed = tables["criteria_missed"].rows
        assert [(row[0], row[3], row[4]) for row in missed] == [("wifi_mbps", 1, 1)]

    def test_it_passes_the_charts_data(self, client, people, history):
        client.force_login(people.staff)
        text = client.get(URL).text
        offer = chart_data(text, "qualified_offer")
        assert sum(sum(dataset["data"]) for dataset in offer["datasets"]) == 1
        assert 'data-chart="bar-horizontal" data-chart-source="chart-criteria_missed"' in text
        missed = chart_data(text, "criteria_missed")
        assert missed["datasets"][0]["data"] == [100.0]
        assert "js/qualification.js" in text and "js/charts.js" in text

    def test_it_says_when_there_is_nothing_yet(self, client, people):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        assert 'data-testid="table-criteria_missed-empty"' in response.text
        assert 'data-chart-source="chart-criteria_missed"' not in response.text


class FiguresExportTestCase:
    def test_the_workbook_has_one_sheet_per_figure(self, client, people, history):
        client.force_login(people.staff)
        response = client.get(EXPORT_URL)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert "attachment" in response["Content-Disposition"]
        workbook = openpyxl.load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["qualified_offer", "evaluations_overdue", "criteria_missed"]
        overdue = list(workbook["evaluations_overdue"].values)
        assert overdue[1][0] == "Manoir de Bayeux" and overdue[1][-1] == 3
        missed = list(workbook["criteria_missed"].values)
        assert missed[1][0] == "wifi_mbps"
        offer = list(workbook["qualified_offer"].values)
        assert len(offer) >= 2
