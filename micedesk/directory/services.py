"""Writes on the directory. Every change of a supplier, its rooms or its photos goes through here, so
that the summary columns and the search document stay true and every stored photo is clean."""

from __future__ import annotations

import io
import uuid
import warnings
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override
from PIL import Image, ImageOps, UnidentifiedImageError

from micedesk.core.text import document
from micedesk.directory.models import MeetingRoom, Status, Supplier, SupplierPhoto
from micedesk.directory.vocab import CATEGORY_KIND, LABELS, LAYOUTS, THEMES, Category, Kind

PHOTOS_PER_SUPPLIER_MAX = 20
PHOTO_MAX_PIXELS = 40_000_000
PHOTO_MAX_EDGE = 2400
# Pillow format -> (file extension, content types a browser may declare for it)
PHOTO_FORMATS: dict[str, tuple[str, tuple[str, ...]]] = {
    "JPEG": ("jpg", ("image/jpeg", "image/pjpeg")),
    "PNG": ("png", ("image/png", "image/x-png")),
    "WEBP": ("webp", ("image/webp",)),
}


def supplier_unique_slug(*, name: str, commune_name: str, exclude_pk: int | None = None) -> str:
    base = slugify(f"{name} {commune_name}")[:200] or "prestataire"
    slug, counter = base, 2
    while Supplier.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, counter = f"{base}-{counter}", counter + 1
    return slug


@lru_cache(maxsize=4096)
def _vocabulary_document(kind: str, category: str, theme_mask: int, label_mask: int) -> str:
    """The search terms of a supplier's kind, category, themes and labels, in French and English."""
    words: list[str] = []
    for language in ("fr", "en"):
        with override(language):
            words += [str(Kind(kind).label), str(Category(category).label)]
            words += [str(label) for label in THEMES.labels_in(theme_mask)]
            words += [str(label) for label in LABELS.labels_in(label_mask)]
    return document(" ".join(words))


def supplier_search_document(supplier: Supplier) -> str:
    """Name, place, kind, themes, labels and descriptions, in both languages, as search terms."""
    commune = supplier.commune
    return " ".join(
        part
        for part in (
            document(
                supplier.name, supplier.name
            ),  # the name counts twice: a match there is worth more
            document(commune.name, commune.department.name),
            _vocabulary_document(
                supplier.kind, supplier.category, supplier.theme_mask, supplier.label_mask
            ),
            document(supplier.description_fr, supplier.description_en),
        )
        if part
    )


def supplier_rooms_summary(rooms: Iterable[MeetingRoom]) -> dict[str, int]:
    """The summary columns of a supplier from its rooms: best capacity per layout, equipment union."""
    summary = {f"capacity_{layout}": 0 for layout in LAYOUTS}
    summary.update(room_count=0, max_capacity=0, equipment_mask=0)
    for room in rooms:
        summary["room_count"] += 1
        summary["equipment_mask"] |= room.equipment_mask
        for layout in LAYOUTS:
            value = room.capacity(layout) or 0
            key = f"capacity_{layout}"
            summary[key] = max(summary[key], value)
            summary["max_capacity"] = max(summary["max_capacity"], value)
    return summary


def supplier_apply_derived(
    supplier: Supplier, *, rooms: Iterable[MeetingRoom] | None = None
) -> None:
    """Set the derived fields in memory (kind, department, coordinates, summary, document); no save."""
    supplier.kind = CATEGORY_KIND.get(supplier.category, supplier.kind)
    supplier.department_code = supplier.commune.department_id
    if supplier.latitude is None or supplier.longitude is None:
        supplier.latitude, supplier.longitude = (
            supplier.commune.latitude,
            supplier.commune.longitude,
        )
    if not supplier.slug:
        supplier.slug = supplier_unique_slug(name=supplier.name, commune_name=supplier.commune.name)
    if rooms is not None:
        for field, value in supplier_rooms_summary(rooms).items():
            setattr(supplier, field, value)
    if supplier.status == Status.PUBLISHED and supplier.published_at is None:
        supplier.published_at = timezone.now()
    supplier.search_document = supplier_search_document(supplier)


@transaction.atomic
def supplier_refresh(*, supplier: Supplier) -> Supplier:
    """Recompute the summary and search document of a saved supplier from the database."""
    supplier_apply_derived(supplier, rooms=list(supplier.rooms.all()))
    supplier.full_clean(exclude=["slug"])
    supplier.save()
    return supplier


@transaction.atomic
def supplier_save(*, supplier: Supplier, rooms: list[MeetingRoom] | None = None) -> Supplier:
    """Validate and save a supplier; with `rooms`, replace its rooms by these ones."""
    supplier_apply_derived(
        supplier,
        rooms=rooms if rooms is not None else (supplier.rooms.all() if supplier.pk else []),
    )
    supplier.full_clean()
    supplier.save()
    if rooms is not None:
        supplier.rooms.all().delete()
        for position, room in enumerate(rooms):
            room.pk = None
            room.supplier = supplier
            room.position = room.position or position
            room.full_clean()
        MeetingRoom.objects.bulk_create(rooms)
    return supplier


def supplier_publish(*, supplier: Supplier) -> Supplier:
    supplier.status = Status.PUBLISHED
    return supplier_refresh(supplier=supplier)


def supplier_unpublish(*, supplier: Supplier) -> Supplier:
    supplier.status = Status.DRAFT
    return supplier_refresh(supplier=supplier)


def suppliers_refresh_all(*, batch_size: int = 2000) -> int:
    """Recompute every supplier's derived fields (after a vocabulary or translation change)."""
    count = 0
    last = Supplier.objects.aggregate(last=Max("pk"))["last"] or 0
    for start in range(0, last + 1, batch_size):
        batch = list(
            Supplier.objects.filter(pk__gte=start, pk__lt=start + batch_size)
            .select_related("commune__department")
            .prefetch_related("rooms")
        )
        for supplier in batch:
            supplier_apply_derived(supplier, rooms=supplier.rooms.all())
        Supplier.objects.bulk_update(
            batch,
            [
                "kind",
                "department_code",
                "latitude",
                "longitude",
                "search_document",
                "room_count",
                "max_capacity",
                "equipment_mask",
                *[f"capacity_{layout}" for layout in LAYOUTS],
            ],
        )
        count += len(batch)
    return count


def supplier_photo_add(*, supplier: Supplier, image: File, caption: str = "") -> SupplierPhoto:
    """Decode `image`, write it anew with Pillow and store it at the end of the supplier's photos.

    What is stored is a file Pillow wrote (metadata dropped, at most PHOTO_MAX_EDGE pixels a side,
    a name the server chose), never the bytes received. Raises ValidationError keyed by `image`
    when the file is not an accepted picture, without a key when the listing is full.
    """
    _check_photo_room(supplier)  # before any decoding: a full listing costs no image work
    clean = _photo_reencoded(image)
    return _supplier_photo_store(supplier=supplier, image=clean, caption=caption)


def supplier_photo_delete(*, photo: SupplierPhoto) -> None:
    """Delete the row, then its file once the deletion is committed."""
    storage, name = photo.image.storage, photo.image.name
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name))


def _check_photo_room(supplier: Supplier) -> None:
    if supplier.photos.count() >= PHOTOS_PER_SUPPLIER_MAX:
        raise ValidationError(
            _("A listing holds at most %(max)s photos."),
            code="photo_limit",
            params={"max": PHOTOS_PER_SUPPLIER_MAX},
        )


@transaction.atomic
def _supplier_photo_store(*, supplier: Supplier, image: ContentFile, caption: str) -> SupplierPhoto:
    # The supplier's row is locked so that two uploads at once can neither pass the limit nor take
    # the same position (SQLite gets the same from its immediate transactions).
    Supplier.objects.select_for_update().only("pk").get(pk=supplier.pk)
    _check_photo_room(supplier)
    last = supplier.photos.aggregate(last=Max("position"))["last"]
    photo = SupplierPhoto(supplier=supplier, caption=caption, position=(last or 0) + 1)
    # The file is written before the row: if the row is refused, the file must not stay behind.
    photo.image.save(image.name, image, save=False)
    try:
        photo.full_clean()
        photo.save()
    except Exception:
        photo.image.delete(save=False)
        raise
    return photo


def _photo_reencoded(image: File) -> ContentFile:
    """Decode the image and write it anew: metadata (EXIF, with its GPS position) is dropped, the
    orientation it gave applied first, and the longest side capped at PHOTO_MAX_EDGE pixels."""
    picture = _photo_opened(image)
    image_format = picture.format
    picture = ImageOps.exif_transpose(picture)
    picture.thumbnail((PHOTO_MAX_EDGE, PHOTO_MAX_EDGE))
    if image_format == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    buffer = io.BytesIO()
    options = {"quality": 85} if image_format in ("JPEG", "WEBP") else {"optimize": True}
    picture.save(buffer, format=image_format, **options)
    extension = PHOTO_FORMATS[image_format][0]
    return ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}")


def _photo_opened(image: File) -> Image.Image:
    """The decoded image, or a ValidationError (keyed by `image`) saying why it is refused."""
    not_an_image = ValidationError(
        _(
            "This file is not a readable image: its name says “%(name)s” but its content is "
            "not a JPEG, PNG or WebP picture."
        ),
        code="photo_not_an_image",
        params={"name": image.name},
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.seek(0)
            with Image.open(image) as probe:
                probe.verify()  # checks the whole file, but leaves `probe` unusable
                _check_photo_format(probe)
            image.seek(0)
            picture = Image.open(image)
            picture.load()
    except ValidationError as error:
        raise ValidationError({"image": error}) from None
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ValidationError({"image": _too_many_pixels()}) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({"image": not_an_image}) from None
    return picture


def _check_photo_format(picture: Image.Image) -> None:
    if picture.format not in PHOTO_FORMATS:
        raise ValidationError(
            _("This picture is a %(format)s image; only JPEG, PNG and WebP are accepted."),
            code="photo_wrong_type",
            params={"format": picture.format or "?"},
        )
    width, height = picture.size
    if width * height > PHOTO_MAX_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("This picture has too many pixels; at most %(max)s million are accepted."),
        code="photo_too_many_pixels",
        params={"max": PHOTO_MAX_PIXELS // 1_000_000},
    )


def supplier_qualification_set(*, supplier: Supplier, level: int, valid_until: date | None) -> None:
    """Write the published qualification level (written by `qualification` only). A queryset
    update: nothing else of the listing changes, and no summary is recomputed."""
    Supplier.objects.filter(pk=supplier.pk).update(
        qualification_level=level, qualification_valid_until=valid_until
    )
    supplier.qualification_level = level
    supplier.qualification_valid_until = valid_until
