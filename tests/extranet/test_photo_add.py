"""Adding a photo to a listing: only real JPEG, PNG or WebP images, re-encoded, up to 5 MB."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from PIL import Image

from micedesk.directory.models import SupplierPhoto
from micedesk.directory.services import PHOTOS_PER_SUPPLIER_MAX, supplier_photo_add
from micedesk.extranet.forms import PHOTO_MAX_BYTES
from tests.extranet.helpers import image_bytes, upload


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def url(supplier) -> str:
    return reverse("extranet:photo_add", kwargs={"pk": supplier.pk})


def photo_errors(response) -> set[str]:
    form = response.context["photo_form"]
    return {error.code for errors in form.errors.as_data().values() for error in errors}


class PhotoAddTestCase:
    @pytest.mark.parametrize(
        ("image_format", "name", "content_type"),
        [
            ("JPEG", "facade.jpg", "image/jpeg"),
            ("PNG", "salle.png", "image/png"),
            ("WEBP", "terrasse.webp", "image/webp"),
        ],
    )
    def test_the_member_adds_a_photo(self, client, people, image_format, name, content_type):
        client.force_login(people.supplier)
        photo_file = upload(name, image_bytes(image_format), content_type)
        response = client.post(url(people.hotel), {"image": photo_file, "caption": "La façade"})
        assert response.status_code == 302
        photo = people.hotel.photos.get()
        assert photo.caption == "La façade"
        with Image.open(photo.image.path) as stored:
            assert stored.format == image_format and stored.size == (64, 48)
        assert not photo.image.name.endswith(name)  # a name the server chose

    def test_it_stores_a_re_encoded_image_without_its_metadata(self, client, people):
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"  # Make
        content = image_bytes("JPEG", exif=exif.tobytes())
        client.force_login(people.supplier)
        client.post(url(people.hotel), {"image": upload("a.jpg", content, "image/jpeg")})
        photo = people.hotel.photos.get()
        with open(photo.image.path, "rb") as stored:
            stored_bytes = stored.read()
        assert stored_bytes != content
        assert not Image.open(io.BytesIO(stored_bytes)).getexif()

    def test_it_refuses_a_text_file_renamed_jpg(self, client, people):
        client.force_login(people.supplier)
        fake = upload("photo.jpg", b"This is not a picture at all.\n" * 10, "image/jpeg")
        response = client.post(url(people.hotel), {"image": fake})
        assert response.status_code == 400
        assert photo_errors(response) == {"photo_not_an_image"}
        assert not SupplierPhoto.objects.exists()

    def test_it_refuses_a_truncated_image(self, client, people):
        client.force_login(people.supplier)
        content = image_bytes("PNG", size=(400, 300))[:200]
        response = client.post(
            url(people.hotel), {"image": upload("cut.png", content, "image/png")}
        )
        assert photo_errors(response) == {"photo_not_an_image"}
        assert not SupplierPhoto.objects.exists()

    def test_it_refuses_a_file_over_5_mb(self, client, people):
        client.force_login(people.supplier)
        content = image_bytes("JPEG")
        content += b"\0" * (PHOTO_MAX_BYTES + 1 - len(content))
        response = client.post(
            url(people.hotel), {"image": upload("big.jpg", content, "image/jpeg")}
        )
        assert response.status_code == 400
        assert photo_errors(response) == {"photo_too_big"}
        assert not SupplierPhoto.objects.exists()

    def test_it_refuses_a_type_other_than_jpeg_png_or_webp(self, client, people):
        client.force_login(people.supplier)
        gif = upload("anim.gif", image_bytes("GIF"), "image/gif")
        response = client.post(url(people.hotel), {"image": gif})
        assert response.status_code == 400
        assert photo_errors(response) == {"photo_wrong_type"}
        assert not SupplierPhoto.objects.exists()

    def test_it_refuses_a_gif_renamed_jpg(self, client, people):
        client.force_login(people.supplier)
        gif = upload("anim.jpg", image_bytes("GIF"), "image/jpeg")
        response = client.post(url(people.hotel), {"image": gif})
        assert photo_errors(response) == {"photo_wrong_type"}
        assert not SupplierPhoto.objects.exists()

    def test_it_refuses_a_post_without_a_file(self, client, people):
        client.force_login(people.supplier)
        response = client.post(url(people.hotel), {"caption": "No file"})
        assert photo_errors(response) == {"required"}

    def test_it_refuses_more_photos_than_a_listing_holds(self, client, people):
        for index in range(PHOTOS_PER_SUPPLIER_MAX):
            image = ContentFile(image_bytes("PNG"), name=f"{index}.png")
            supplier_photo_add(supplier=people.hotel, image=image)
        client.force_login(people.supplier)
        extra = upload("b.png", image_bytes("PNG"), "image/png")
        response = client.post(url(people.hotel), {"image": extra})
        assert response.status_code == 400
        assert people.hotel.photos.count() == PHOTOS_PER_SUPPLIER_MAX

    def test_it_hides_another_suppliers_listing(self, client, people):
        client.force_login(people.other_supplier)
        image = upload("a.png", image_bytes("PNG"), "image/png")
        assert client.post(url(people.hotel), {"image": image}).status_code == 404
        assert not SupplierPhoto.objects.exists()

    @pytest.mark.parametrize("who", ["partner", "outsider"])
    def test_it_refuses_users_who_are_not_supplier_members(self, client, people, who):
        client.force_login(getattr(people, who))
        image = upload("a.png", image_bytes("PNG"), "image/png")
        assert client.post(url(people.hotel), {"image": image}).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        image = upload("a.png", image_bytes("PNG"), "image/png")
        assert client.post(url(people.hotel), {"image": image}).status_code == 302
        assert not SupplierPhoto.objects.exists()
