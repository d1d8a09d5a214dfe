"""The directory export of the back-office: CSV and XLSX downloads, filtered."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from micedesk.directory.models import Status
from tests.factories import SupplierFactory

URL = reverse("backoffice:export")


@pytest.fixture
def directory(people, communes):
    SupplierFactory(name="Brouillon de Caen", slug="brouillon", status=Status.DRAFT)
    SupplierFactory(
        name="Traiteur de Rouen",
        slug="traiteur",
        category="caterer",
        kind="service",
        commune=communes["76540"],
    )


def download(response) -> bytes:
    return b"".join(response.streaming_content)


def csv_names(response) -> list[str]:
    text = download(response).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    return sorted(row["name"] for row in rows if row["name"])


def xlsx_names(response) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(download(response)), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    header = list(rows[0])
    column = header.index("name")
    return sorted(row[column] for row in rows[1:] if row[column])


class ExportTestCase:
    def test_staff_get_the_filter_form(self, client, people):
        client.force_login(people.staff)
        response = client.get(URL)
        assert response.status_code == 200
        assert 'data-testid="export-form"' in response.text

    def test_it_downloads_the_whole_directory_as_csv(self, client, people, directory):
        client.force_login(people.staff)
        response = client.get(URL, {"format": "csv"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
        assert ".csv" in response["Content-Disposition"]
        assert csv_names(response) == [
            "Brouillon de Caen",
            "Château de la Forêt",
            "Hôtel de la Plage",
            "Traiteur de Rouen",
        ]

    def test_it_downloads_a_workbook_that_opens(self, client, people, directory):
        client.force_login(people.staff)
        response = client.get(URL, {"format": "xlsx"})
        assert response.status_code == 200
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert len(xlsx_names(response)) == 4

    def test_it_filters_by_status(self, client, people, directory):
        client.force_login(people.staff)
        response = client.get(URL, {"format": "csv", "status": "draft"})
        assert csv_names(response) == ["Brouillon de Caen"]

    def test_it_filters_by_department_and_kind(self, client, people, directory):
        client.force_login(people.staff)
        response = client.get(URL, {"format": "xlsx", "department": "76", "kind": "service"})
        assert xlsx_names(response) == ["Traiteur de Rouen"]

    @pytest.mark.parametrize(
        "params",
        [{"format": "pdf"}, {"format": "csv", "status": "archived"}, {"department": "99"}],
    )
    def test_it_refuses_unknown_filters(self, client, people, params):
        client.force_login(people.staff)
        response = client.get(URL, params)
        assert response.status_code == 400
        assert response.context["form"].errors

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_it_refuses_everyone_but_staff(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL, {"format": "csv"}).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        assert client.get(URL, {"format": "csv"}).status_code == 302
