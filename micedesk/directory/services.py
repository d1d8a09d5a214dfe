"""Writes on the directory. Every change of a supplier or its rooms goes through here, so that the
summary columns and the search document stay true."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import override

from micedesk.core.text import document
from micedesk.directory.models import MeetingRoom, Status, Supplier
from micedesk.directory.vocab import CATEGORY_KIND, LABELS, LAYOUTS, THEMES, Category, Kind


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
