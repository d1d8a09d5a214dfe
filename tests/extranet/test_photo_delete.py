"""Deleting a photo of a listing: the row, then the file once the deletion is committed."""

from __future__ import annotations

import os

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from micedesk.directory.models import SupplierPhoto
from micedesk.directory.services import supplier_photo_add
from tests.extranet.helpers import image_bytes


@pytest.fixture
def photo(people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return supplier_photo_add(
        supplier=people.hotel, image=ContentFile(image_bytes("PNG"), name="a.png")
    )


def url(photo: SupplierPhoto) -> str:
    return reverse("extranet:photo_delete", kwargs={"pk": photo.supplier_id, "photo_pk": photo.pk})


class PhotoDeleteTestCase:
    def test_the_member_deletes_a_photo_and_its_file(
        self, client, people, photo, django_capture_on_commit_callbacks
    ):
        path = photo.image.path
        client.force_login(people.supplier)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url(photo))
        assert response.status_code == 302
        assert not SupplierPhoto.objects.filter(pk=photo.pk).exists()
        assert not os.path.exists(path)

    def test_it_hides_another_suppliers_photo(self, client, people, photo):
        client.force_login(people.other_supplier)
        assert client.post(url(photo)).status_code == 404
        assert SupplierPhoto.objects.filter(pk=photo.pk).exists()

    def test_it_hides_a_photo_through_another_listing(self, client, people, photo):
        """The other member's own listing in the URL does not reach this listing's photo."""
        client.force_login(people.other_supplier)
        wrong = reverse(
            "extranet:photo_delete", kwargs={"pk": people.other_hotel.pk, "photo_pk": photo.pk}
        )
        assert client.post(wrong).status_code == 404
        assert SupplierPhoto.objects.filter(pk=photo.pk).exists()

    def test_it_refuses_partner_members(self, client, people, photo):
        client.force_login(people.partner)
        assert client.post(url(photo)).status_code == 403
        assert SupplierPhoto.objects.filter(pk=photo.pk).exists()

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people, photo):
        assert client.post(url(photo)).status_code == 302
        assert SupplierPhoto.objects.filter(pk=photo.pk).exists()

    def test_it_is_a_post_only_action(self, client, people, photo):
        client.force_login(people.supplier)
        assert client.get(url(photo)).status_code == 405
