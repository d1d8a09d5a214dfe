"""The extranet dashboard: a supplier member's listings, a partner member's territory."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.directory.models import Status
from tests.factories import SupplierFactory

URL = reverse("extranet:dashboard")


class ExtranetDashboardAccessTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        response = client.get(URL)
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("who", ["outsider", "staff", "admin"])
    def test_it_refuses_users_who_are_not_members(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL).status_code == 403

    def test_it_treats_a_deactivated_member_as_logged_out(self, client, people):
        people.supplier.is_active = False
        people.supplier.save()
        client.force_login(people.supplier)
        assert client.get(URL).status_code == 302


class SupplierDashboardTestCase:
    def test_it_lists_the_members_own_listings_only(self, client, people):
        client.force_login(people.supplier)
        response = client.get(URL)
        assert response.status_code == 200
        listings = [supplier for supplier, _hints in response.context["listings"]]
        assert listings == [people.hotel]
        assert "Château de la Forêt" not in response.text
        assert reverse("extranet:supplier_edit", kwargs={"pk": people.hotel.pk}) in response.text

    def test_it_shows_what_a_listing_lacks(self, client, people):
        people.hotel.description_en = ""
        people.hotel.save()
        client.force_login(people.supplier)
        hints = dict(client.get(URL).context["listings"])[people.hotel]
        assert [str(hint) for hint in hints] == ["Pas de description en anglais", "Aucune photo"]

    def test_it_flags_a_venue_without_rooms(self, client, people):
        bare = SupplierFactory(name="Manoir sans salle", slug="manoir-sans-salle")
        bare.members.add(people.supplier)
        client.force_login(people.supplier)
        hints = dict(client.get(URL).context["listings"])[bare]
        assert "Aucune salle de réunion" in [str(hint) for hint in hints]


class PartnerDashboardTestCase:
    @pytest.fixture
    def territory(self, people, communes):
        """A draft in Bayeux (in the territory) and a supplier in Deauville (outside it)."""
        SupplierFactory(
            name="Auberge du Bessin", slug="auberge", commune=communes["14047"], status=Status.DRAFT
        )
        SupplierFactory(name="Villa Côte Fleurie", slug="villa", commune=communes["14220"])

    def test_it_counts_published_and_draft_suppliers_of_its_territory(
        self, client, people, territory
    ):
        client.force_login(people.partner)
        response = client.get(URL)
        assert response.status_code == 200
        [(partner, counts)] = response.context["partners"]
        assert partner == people.partner_org
        assert counts == {"published": 1, "draft": 1}

    def test_it_lists_only_the_suppliers_of_its_territory(self, client, people, territory):
        client.force_login(people.partner)
        response = client.get(URL)
        names = [supplier.name for supplier in response.context["page"].object_list]
        assert names == ["Auberge du Bessin", "Hôtel de la Plage"]
        assert "Villa Côte Fleurie" not in response.text
        assert "Château de la Forêt" not in response.text

    def test_it_searches_the_territory_by_name(self, client, people, territory):
        client.force_login(people.partner)
        response = client.get(URL, {"q": "auberge"})
        assert [s.name for s in response.context["page"].object_list] == ["Auberge du Bessin"]
        response = client.get(URL, {"q": "villa"})
        assert list(response.context["page"].object_list) == []

    def test_it_shows_nothing_to_a_partner_member_without_a_partner(self, client, people):
        people.partner_org.members.clear()
        client.force_login(people.partner)
        response = client.get(URL)
        assert response.status_code == 200
        assert response.context["partners"] == []
        assert response.context["page"].paginator.count == 0

    def test_it_gives_partners_no_way_to_edit(self, client, people):
        client.force_login(people.partner)
        response = client.get(URL)
        assert "/modifier/" not in response.text
