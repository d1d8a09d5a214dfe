"""Photo writes the extranet needs that belong in micedesk.directory.services; kept here until moved.

The image reaching these services has already been checked and re-encoded (see extranet.forms), so
what is stored is a clean file that Pillow wrote, never the bytes a visitor sent.
"""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from micedesk.directory.models import Supplier, SupplierPhoto

PHOTOS_PER_SUPPLIER_MAX = 20


@transaction.atomic
def supplier_photo_add(
    *, supplier: Supplier, image: ContentFile, caption: str = ""
) -> SupplierPhoto:
    """Store a photo at the end of the supplier's photos."""
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


def supplier_photo_delete(*, photo: SupplierPhoto) -> None:
    """Delete the row, then its file once the deletion is committed."""
    storage, name = photo.image.storage, photo.image.name
    with transaction.atomic():
        photo.delete()
        transaction.on_commit(lambda: storage.delete(name))
