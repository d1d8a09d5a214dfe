"""Publishing and withdrawing a listing from the extranet."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.directory.models import Status, Supplier


def url(name: str, supplier: Supplier) -> str:
    return reverse(f"extranet:{name}", kwargs={"pk": supplier.pk})


def status_of(supplier: Supplier) -> str:
    return Supplier.objects.values_list("status", flat=True).get(pk=supplier.pk)


@pytest.fixture
def draft_hotel(people):
    Supplier.objects.filter(pk=people.hotel.pk).update(status=Status.DRAFT)
    return people.hotel


class SupplierPublishTestCase:
    def test_the_member_publishes_its_draft(self, client, people, draft_hotel):
        client.force_login(people.supplier)
        response = client.post(url("supplier_publish", draft_hotel))
        assert response.status_code == 302
        assert response.url == url("supplier_edit", draft_hotel)
        assert status_of(draft_hotel) == Status.PUBLISHED
        assert Supplier.objects.get(pk=draft_hotel.pk).published_at is not None

    def test_it_is_a_post_only_action(self, client, people, draft_hotel):
        client.force_login(people.supplier)
        assert client.get(url("supplier_publish", draft_hotel)).status_code == 405
        assert status_of(draft_hotel) == Status.DRAFT

    def test_it_hides_another_suppliers_listing(self, client, people, draft_hotel):
        client.force_login(people.other_supplier)
        assert client.post(url("supplier_publish", draft_hotel)).status_code == 404
        assert status_of(draft_hotel) == Status.DRAFT

    @pytest.mark.parametrize("who", ["partner", "outsider", "staff"])
    def test_it_refuses_users_who_are_not_supplier_members(self, client, people, draft_hotel, who):
        client.force_login(getattr(people, who))
        assert client.post(url("supplier_publish", draft_hotel)).status_code == 403
        assert status_of(draft_hotel) == Status.DRAFT

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people, draft_hotel):
        response = client.post(url("supplier_publish", draft_hotel))
        assert response.status_code == 302
        assert status_of(draft_hotel) == Status.DRAFT


class SupplierUnpublishTestCase:
    def test_the_member_withdraws_its_listing(self, client, people):
        client.force_login(people.supplier)
        response = client.post(url("supplier_unpublish", people.hotel))
        assert response.status_code == 302
        assert status_of(people.hotel) == Status.DRAFT

    def test_it_hides_another_suppliers_listing(self, client, people):
        client.force_login(people.other_supplier)
        assert client.post(url("supplier_unpublish", people.hotel)).status_code == 404
        assert status_of(people.hotel) == Status.PUBLISHED

    def test_it_refuses_partner_members(self, client, people):
        client.force_login(people.partner)
        assert client.post(url("supplier_unpublish", people.hotel)).status_code == 403
        assert status_of(people.hotel) == Status.PUBLISHED

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        assert client.post(url("supplier_unpublish", people.hotel)).status_code == 302
        assert status_of(people.hotel) == Status.PUBLISHED
