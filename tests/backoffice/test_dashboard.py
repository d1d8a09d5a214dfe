"""The back-office dashboard: directory figures by department and kind, latest listings."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from micedesk.directory.models import Status
from tests.factories import SupplierFactory

URL = reverse("backoffice:dashboard")


@pytest.fixture
def directory(people, communes):
    """Beyond the people's two hotels: a draft venue in Caen and a published caterer in Rouen."""
    SupplierFactory(name="Brouillon de Caen", slug="brouillon", status=Status.DRAFT)
    SupplierFactory(
        name="Traiteur de Rouen",
        slug="traiteur",
        category="caterer",
        kind="service",
        commune=communes["76540"],
    )


class BackofficeDashboardTestCase:
    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_bureau_staff_get_in(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL).status_code == 200

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "partner", "outsider"])
    def test_it_refuses_everyone_else(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        response = client.get(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    def test_it_counts_suppliers_by_department_kind_and_status(self, client, people, directory):
        client.force_login(people.staff)
        response = client.get(URL)
        rows = {row.code: row for row in response.context["figures"]}
        assert set(rows) == {"14", "76"}
        assert rows["14"].published == {"venue": 1} and rows["14"].draft == {"venue": 1}
        assert rows["76"].published == {"venue": 1, "service": 1} and rows["76"].draft == {}
        totals = response.context["totals"]
        assert (totals["published"], totals["draft"]) == (3, 1)

    def test_it_passes_the_chart_data_as_json_beside_a_table(self, client, people, directory):
        client.force_login(people.staff)
        text = client.get(URL).text
        match = re.search(
            r'<script id="figures-chart-data" type="application/json">(.*?)</script>', text
        )
        chart = json.loads(match.group(1))
        assert chart["labels"] == ["Calvados", "Seine-Maritime"]
        stacks = {dataset["stack"] for dataset in chart["datasets"]}
        assert stacks == {"published", "draft"}
        assert sum(sum(dataset["data"]) for dataset in chart["datasets"]) == 4
        assert 'data-testid="figures-table"' in text
        assert "<script>" not in text  # the CSP allows no inline script

    def test_it_lists_the_latest_updated_listings_first(self, client, people, directory):
        people.other_hotel.save()
        client.force_login(people.staff)
        latest = list(client.get(URL).context["latest"])
        assert latest[0] == people.other_hotel and len(latest) == 4

    def test_it_links_to_the_administration(self, client, people):
        client.force_login(people.staff)
        assert 'href="/admin/"' in client.get(URL).text
