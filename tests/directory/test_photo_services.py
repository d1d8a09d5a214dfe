"""Photo services: what is stored is an image Pillow wrote, within the limits; and the application
serves the stored file at its URL, never a file outside MEDIA_ROOT."""

from __future__ import annotations

import importlib
import io
import os

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import clear_url_caches
from PIL import ExifTags, Image, PngImagePlugin

from micedesk.directory.models import SupplierPhoto
from micedesk.directory.services import (
    PHOTO_MAX_EDGE,
    PHOTOS_PER_SUPPLIER_MAX,
    supplier_photo_add,
    supplier_photo_delete,
)
from tests.extranet.helpers import image_bytes


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def add(supplier, content: bytes, name: str = "photo.png", caption: str = "") -> SupplierPhoto:
    return supplier_photo_add(
        supplier=supplier, image=ContentFile(content, name=name), caption=caption
    )


def refusal(error: ValidationError) -> dict[str, list[str]]:
    """The codes of a refusal by field ("__all__" when the refusal has no field)."""
    if not hasattr(error, "error_dict"):
        return {"__all__": [item.code for item in error.error_list]}
    return {field: [item.code for item in items] for field, items in error.error_dict.items()}


def stored(photo: SupplierPhoto) -> Image.Image:
    with open(photo.image.path, "rb") as file:
        return Image.open(io.BytesIO(file.read()))


def exif_with_gps() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Camera maker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (49.0, 11.0, 0.0)
    return exif


def files_under(root) -> list[str]:
    return [name for _dirpath, _dirs, names in os.walk(root) for name in names]


class SupplierPhotoAddTestCase:
    @pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
    def test_it_stores_a_photo_under_a_name_the_server_chose(
        self, people, media_root, image_format
    ):
        photo = add(
            people.hotel, image_bytes(image_format), name="../../façade.jpg", caption="Façade"
        )
        assert photo.caption == "Façade" and photo.position == 1
        assert photo.image.name.startswith(f"suppliers/{people.hotel.pk}/")
        assert "façade" not in photo.image.name and ".." not in photo.image.name
        assert stored(photo).format == image_format and stored(photo).size == (64, 48)

    def test_it_puts_each_new_photo_last(self, people, media_root):
        positions = [add(people.hotel, image_bytes("PNG")).position for _ in range(3)]
        assert positions == [1, 2, 3]

    @pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP"])
    def test_it_drops_metadata_including_the_gps_position(self, people, media_root, image_format):
        content = image_bytes(image_format, exif=exif_with_gps().tobytes())
        assert Image.open(io.BytesIO(content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
        photo = add(people.hotel, content)
        picture = stored(photo)
        assert not picture.getexif() and "exif" not in picture.info

    def test_it_drops_png_text_chunks(self, people, media_root):
        text = PngImagePlugin.PngInfo()
        text.add_text("Comment", "Taken at the owner's home")
        photo = add(people.hotel, image_bytes("PNG", pnginfo=text))
        assert "Comment" not in stored(photo).info

    def test_it_turns_the_picture_as_its_metadata_said(self, people, media_root):
        exif = Image.Exif()
        exif[ExifTags.Base.Orientation] = 6  # taken sideways: turn 90° clockwise
        photo = add(people.hotel, image_bytes("JPEG", exif=exif.tobytes()), name="a.jpg")
        assert stored(photo).size == (48, 64)

    def test_it_caps_the_longest_side(self, people, media_root):
        photo = add(people.hotel, image_bytes("PNG", size=(PHOTO_MAX_EDGE * 2, 300)))
        assert stored(photo).size == (PHOTO_MAX_EDGE, 150)

    def test_it_writes_a_cmyk_jpeg_as_rgb(self, people, media_root):
        buffer = io.BytesIO()
        Image.new("CMYK", (64, 48), (0, 60, 80, 10)).save(buffer, format="JPEG")
        photo = add(people.hotel, buffer.getvalue(), name="print.jpg")
        assert stored(photo).mode == "RGB"

    def test_it_refuses_a_file_that_is_not_an_image(self, people, media_root):
        with pytest.raises(ValidationError) as refused:
            add(people.hotel, b"This is not a picture at all.\n" * 10, name="photo.jpg")
        assert refusal(refused.value) == {"image": ["photo_not_an_image"]}
        assert not SupplierPhoto.objects.exists()

    def test_it_refuses_a_truncated_image(self, people, media_root):
        with pytest.raises(ValidationError) as refused:
            add(people.hotel, image_bytes("PNG", size=(400, 300))[:200])
        assert refusal(refused.value) == {"image": ["photo_not_an_image"]}

    def test_it_refuses_a_format_other_than_jpeg_png_or_webp(self, people, media_root):
        with pytest.raises(ValidationError) as refused:
            add(people.hotel, image_bytes("GIF"), name="anim.jpg")
        assert refusal(refused.value) == {"image": ["photo_wrong_type"]}

    def test_it_refuses_a_picture_with_too_many_pixels(self, people, media_root):
        buffer = io.BytesIO()
        Image.new("1", (8000, 5001)).save(buffer, format="PNG")  # 40,008,000 pixels, a few kB
        with pytest.raises(ValidationError) as refused:
            add(people.hotel, buffer.getvalue())
        assert refusal(refused.value) == {"image": ["photo_too_many_pixels"]}

    def test_it_refuses_more_photos_than_a_listing_holds(self, people, media_root):
        for _ in range(PHOTOS_PER_SUPPLIER_MAX):
            add(people.hotel, image_bytes("PNG"))
        with pytest.raises(ValidationError) as refused:
            add(people.hotel, image_bytes("PNG"))
        assert refusal(refused.value) == {"__all__": ["photo_limit"]}
        assert people.hotel.photos.count() == PHOTOS_PER_SUPPLIER_MAX
        assert len(files_under(media_root)) == PHOTOS_PER_SUPPLIER_MAX

    def test_the_limit_is_per_listing(self, people, media_root):
        for _ in range(PHOTOS_PER_SUPPLIER_MAX):
            add(people.hotel, image_bytes("PNG"))
        assert add(people.other_hotel, image_bytes("PNG")).position == 1

    def test_it_leaves_no_file_behind_when_the_row_is_refused(self, people, media_root):
        with pytest.raises(ValidationError) as refused:
            add(people.hotel, image_bytes("PNG"), caption="x" * 201)
        assert "caption" in refusal(refused.value)
        assert not SupplierPhoto.objects.exists()
        assert files_under(media_root) == []


class SupplierPhotoDeleteTestCase:
    def test_it_deletes_the_row_then_the_file_once_committed(
        self, people, media_root, django_capture_on_commit_callbacks
    ):
        photo = add(people.hotel, image_bytes("PNG"))
        path = photo.image.path
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            supplier_photo_delete(photo=photo)
        assert not SupplierPhoto.objects.exists()
        assert os.path.exists(path)  # not yet: the deletion is not committed
        for callback in callbacks:
            callback()
        assert not os.path.exists(path)

    def test_it_keeps_the_file_when_the_deletion_is_rolled_back(
        self, people, media_root, django_capture_on_commit_callbacks
    ):
        photo = add(people.hotel, image_bytes("PNG"))
        pk, path = photo.pk, photo.image.path
        with (
            django_capture_on_commit_callbacks(execute=True),
            pytest.raises(RuntimeError),
            transaction.atomic(),
        ):
            supplier_photo_delete(photo=photo)
            raise RuntimeError("a later step fails")
        assert SupplierPhoto.objects.filter(pk=pk).exists()
        assert os.path.exists(path)


def reload_urls() -> None:
    import micedesk.urls

    importlib.reload(micedesk.urls)
    clear_url_caches()


class MediaServingTestCase:
    @pytest.fixture
    def photo(self, people, media_root) -> SupplierPhoto:
        return add(people.hotel, image_bytes("PNG"))

    def test_an_uploaded_photo_answers_at_its_url(self, client, photo):
        assert photo.image.url.startswith("/media/suppliers/")
        response = client.get(photo.image.url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        with open(photo.image.path, "rb") as file:
            assert b"".join(response.streaming_content) == file.read()

    def test_it_answers_404_for_a_missing_file_or_a_directory(self, client, photo):
        assert client.get("/media/suppliers/0/missing.png").status_code == 404
        assert client.get(f"/media/suppliers/{photo.supplier_id}/").status_code == 404

    @pytest.mark.parametrize(
        "path",
        [
            "/media/../secret.txt",
            "/media/suppliers/../../secret.txt",
            "/media/%2e%2e/secret.txt",
            "/media/..%2fsecret.txt",
        ],
    )
    def test_it_refuses_a_path_leading_out_of_media_root(self, client, media_root, photo, path):
        (media_root.parent / "secret.txt").write_text("not for visitors")
        response = client.get(path)
        assert response.status_code == 400
        assert b"not for visitors" not in response.content

    def test_it_does_not_read_an_absolute_path(self, client, media_root, photo):
        (media_root.parent / "secret.txt").write_text("not for visitors")
        response = client.get(f"/media/{media_root.parent / 'secret.txt'}")
        assert response.status_code == 404

    def test_it_leaves_media_to_the_proxy_when_serve_media_is_false(self, client, settings, photo):
        served = settings.SERVE_MEDIA
        settings.SERVE_MEDIA = False
        reload_urls()
        try:
            assert client.get(photo.image.url).status_code == 404
        finally:
            settings.SERVE_MEDIA = served
            reload_urls()
