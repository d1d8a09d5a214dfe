"""The geo pages of the Django admin: bureau staff get in, everyone else is refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.geo.models import Commune, Partner

CHANGELISTS = ["region", "department", "commune", "partner"]


def changelist(model: str) -> str:
    return reverse(f"admin:geo_{model}_changelist")


@pytest.mark.django_db
class GeoAdminTestCase:
    @pytest.mark.parametrize("model", CHANGELISTS)
    def test_bureau_staff_and_admins_see_the_lists(self, client, people, model):
        for user in (people.staff, people.admin):
            client.force_login(user)
            assert client.get(changelist(model)).status_code == 200, (user, model)

    @pytest.mark.parametrize("model", CHANGELISTS)
    def test_an_outsider_is_sent_to_the_login_page(self, client, people, model):
        client.force_login(people.outsider)
        response = client.get(changelist(model))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))

    @pytest.mark.parametrize("role", ["supplier", "partner"])
    def test_supplier_and_partner_members_are_refused(self, client, people, role):
        client.force_login(getattr(people, role))
        assert client.get(changelist("partner")).status_code == 302
        assert client.get(changelist("commune")).status_code == 302

    def test_an_anonymous_visitor_is_sent_to_the_login_page(self, client, communes):
        assert client.get(changelist("commune")).status_code == 302

    def test_the_commune_search_ignores_accents(self, client, people, reference_data):
        client.force_login(people.staff)
        response = client.get(changelist("commune"), {"q": "evreux"})
        found = {c.name for c in response.context["cl"].result_list}
        assert found == {"Évreux", "Le Vieil-Évreux"}
        response = client.get(changelist("commune"), {"q": "14118"})
        assert [c.pk for c in response.context["cl"].result_list] == ["14118"]

    def test_the_commune_list_filters_by_department(self, client, people):
        client.force_login(people.staff)
        response = client.get(changelist("commune"), {"department__code__exact": "76"})
        assert {c.department_id for c in response.context["cl"].result_list} == {"76"}

    def test_staff_read_but_do_not_change_a_commune(self, client, people):
        client.force_login(people.staff)
        url = reverse("admin:geo_commune_change", args=["14118"])
        assert client.get(url).status_code == 200
        response = client.post(url, {"name": "Renamed", "department": "14"})
        assert response.status_code == 403
        assert Commune.objects.get(pk="14118").name == "Caen"

    def test_staff_manage_a_partner_and_its_territory(self, client, people):
        client.force_login(people.staff)
        partner = people.partner_org
        url = reverse("admin:geo_partner_change", args=[partner.pk])
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "name": partner.name,
                "slug": partner.slug,
                "kind": partner.kind,
                "department": "14",
                "email": "bureau@caen.example",
                "phone": "",
                "website": "",
                "communes": ["14118", "14220"],
                "members": [people.partner.pk],
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        partner.refresh_from_db()
        assert partner.email == "bureau@caen.example"
        assert set(partner.communes.values_list("pk", flat=True)) == {"14118", "14220"}

    def test_the_territory_picker_finds_communes_for_staff_only(self, client, people):
        url = reverse("admin:autocomplete")
        query = {"app_label": "geo", "model_name": "partner", "field_name": "communes"}
        client.force_login(people.staff)
        response = client.get(url, {**query, "term": "deauv"})
        assert [item["id"] for item in response.json()["results"]] == ["14220"]
        client.force_login(people.outsider)
        assert client.get(url, {**query, "term": "deauv"}).status_code == 302

    def test_an_outsider_cannot_change_a_partner(self, client, people):
        client.force_login(people.outsider)
        url = reverse("admin:geo_partner_change", args=[people.partner_org.pk])
        response = client.post(url, {"name": "Taken over"})
        assert response.status_code == 302
        assert Partner.objects.get(pk=people.partner_org.pk).name != "Taken over"
