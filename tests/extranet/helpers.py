"""Helpers for the extranet tests: the POST data of a listing form, test images."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from micedesk.directory.models import Supplier
from micedesk.extranet.forms import RoomFormSet, SupplierForm


def _put(data: dict, name: str, value: object) -> None:
    """Write a field's value the way a browser would submit it."""
    if isinstance(value, bool):
        if value:
            data[name] = "on"
    elif value is None:
        data[name] = ""
    elif isinstance(value, list | tuple):
        data[name] = [str(item) for item in value]
    elif isinstance(value, Decimal | int | float):
        data[name] = str(value)
    else:
        data[name] = value


def listing_data(supplier: Supplier, **changes: object) -> dict:
    """What the edit page submits unchanged (with its one empty room), then `changes` on top."""
    supplier.refresh_from_db()
    data: dict = {}
    form = SupplierForm(instance=supplier)
    for name in form.fields:
        _put(data, name, form[name].value())
    rooms = RoomFormSet(instance=supplier, prefix="rooms")
    for name in rooms.management_form.fields:
        _put(data, rooms.management_form.add_prefix(name), rooms.management_form[name].value())
    for room in rooms.forms:
        for name in room.fields:
            _put(data, room.add_prefix(name), room[name].value())
    for name, value in changes.items():
        if value is False:
            data.pop(name, None)
        else:
            _put(data, name, value)
    return data


def image_bytes(image_format: str = "JPEG", size: tuple[int, int] = (64, 48), **options) -> bytes:
    buffer = io.BytesIO()
    mode = "RGB" if image_format in ("JPEG", "GIF") else "RGBA"
    Image.new(mode, size, (200, 120, 40)).save(buffer, format=image_format, **options)
    return buffer.getvalue()


def upload(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def error_codes(response) -> set[tuple[str, str]]:
    """(field, code) of every error the edit page shows; rooms' fields carry their prefix.

    Codes rather than words: the page is French by default and its words will be translated.
    """
    codes = set()
    form = response.context["form"]
    for field, errors in form.errors.as_data().items():
        codes.update((field, error.code) for error in errors)
    rooms = response.context["rooms"]
    for room in rooms.forms:
        for field, errors in room.errors.as_data().items():
            codes.update((room.add_prefix(field), error.code) for error in errors)
    codes.update(("rooms", error.code) for error in rooms.non_form_errors().as_data())
    return codes
