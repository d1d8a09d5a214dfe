"""Companies in the back-office: list and search, a company's page with its contacts and
requests, creating and editing one (bad NAF codes refused)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.crm.models import Company, InteractionKind
from tests.crm import builders
from tests.leads import builders as lead_builders

COMPANIES = reverse("backoffice:companies")
NEW = reverse("backoffice:company_new")


@pytest.fixture
def staff_client(client, people):
    client.force_login(people.staff)
    return client


class CompanyListTestCase:
    def test_it_finds_companies_by_name_without_legal_form_or_accents(self, staff_client):
        found = builders.company("Société Générale SA")
        builders.company("Agence Horizon")
        builders.contact(company=found)
        builders.contact(company=found)
        response = staff_client.get(COMPANIES, {"q": "societe generale"})
        assert response.status_code == 200
        assert [company.pk for company in response.context["window"].items] == [found.pk]
        assert response.context["window"].items[0].contact_count == 2


class CompanyPageTestCase:
    def test_it_shows_its_contacts_and_their_requests(self, staff_client):
        company = builders.company("Agence Horizon")
        contact = builders.contact(company=company)
        request = lead_builders.quote_request(email=contact.email)
        builders.interaction(contact, InteractionKind.QUOTE_REQUEST, quote_request=request)
        response = staff_client.get(reverse("backoffice:company", kwargs={"pk": company.pk}))
        assert response.status_code == 200
        assert list(response.context["contacts"]) == [contact]
        assert list(response.context["requests"]) == [request]

    def test_it_answers_404_for_an_unknown_company(self, staff_client):
        response = staff_client.get(reverse("backoffice:company", kwargs={"pk": 999999}))
        assert response.status_code == 404


class CompanyFormTestCase:
    def data(self, **fields: object) -> dict:
        values = {"name": "Agence Horizon", "kind": "agency", "naf_code": "70.22z", "country": "FR"}
        values.update(fields)
        return values

    def test_it_creates_a_company(self, staff_client):
        assert staff_client.get(NEW).status_code == 200
        response = staff_client.post(NEW, self.data(size="10-49"))
        company = Company.objects.get()
        assert response.status_code == 302
        assert (company.naf_code, company.size, company.name_key) == (
            "70.22Z",
            "10-49",
            "agence horizon",
        )

    @pytest.mark.parametrize(
        "field, value",
        [
            ("naf_code", "7022Z"),
            ("naf_code", "70.22"),
            ("name", ""),
            ("website", "not a site"),
            ("country", ""),
            ("size", "huge"),
        ],
    )
    def test_it_refuses_bad_input_and_saves_nothing(self, staff_client, field, value):
        response = staff_client.post(NEW, self.data(**{field: value}))
        assert response.status_code == 400
        assert field in response.context["form"].errors
        assert not Company.objects.exists()

    def test_it_edits_a_company(self, staff_client):
        company = builders.company("Agence Horizon")
        url = reverse("backoffice:company_edit", kwargs={"pk": company.pk})
        assert staff_client.get(url).status_code == 200
        response = staff_client.post(url, self.data(name="Agence Horizon Normandie"))
        assert response.status_code == 302
        company.refresh_from_db()
        assert company.name_key == "agence horizon normandie"

    def test_it_refuses_a_bad_naf_code_on_edit(self, staff_client):
        company = builders.company("Agence Horizon")
        url = reverse("backoffice:company_edit", kwargs={"pk": company.pk})
        response = staff_client.post(url, self.data(naf_code="ABC"))
        assert response.status_code == 400
        company.refresh_from_db()
        assert company.naf_code == ""
