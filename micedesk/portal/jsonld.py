"""schema.org JSON-LD of a supplier page: EventVenue or LodgingBusiness with its meeting rooms."""

from __future__ import annotations

import json
from decimal import Decimal

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe

from micedesk.directory.models import MeetingRoom, Supplier
from micedesk.directory.vocab import Category, Kind

# Characters that could close the <script> element or open markup are escaped inside the JSON.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def schema_type(supplier: Supplier) -> str:
    if supplier.category == Category.HOTEL:
        return "LodgingBusiness"
    if supplier.kind == Kind.VENUE:
        return "EventVenue"
    return "LocalBusiness"


def supplier_json_ld(
    supplier: Supplier, *, rooms: list[MeetingRoom], request: HttpRequest
) -> SafeString:
    """The JSON-LD document, escaped for a <script type="application/ld+json"> element."""
    data = supplier_schema(supplier, rooms=rooms, request=request)
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_ESCAPES))


def supplier_schema(supplier: Supplier, *, rooms: list[MeetingRoom], request: HttpRequest) -> dict:
    kind = schema_type(supplier)
    data: dict = {
        "@context": "https://schema.org",
        "@type": kind,
        "@id": request.build_absolute_uri(supplier.get_absolute_url()),
        "url": request.build_absolute_uri(supplier.get_absolute_url()),
        "name": supplier.name,
        "address": _address(supplier),
    }
    optional = {
        "description": supplier.description,
        "telephone": supplier.phone,
        "email": supplier.email,
        "sameAs": supplier.website,
    }
    data.update({key: value for key, value in optional.items() if value})
    if supplier.latitude is not None and supplier.longitude is not None:
        data["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": supplier.latitude,
            "longitude": supplier.longitude,
        }
    photos = [request.build_absolute_uri(photo.image.url) for photo in supplier.photos.all()]
    if photos:
        data["image"] = photos
    if kind == "LodgingBusiness" and supplier.bedrooms:
        data["numberOfRooms"] = supplier.bedrooms
    if kind != "EventVenue" and supplier.day_delegate_price_min is not None:
        data["priceRange"] = _price_range(supplier)
    if supplier.max_capacity:
        data["maximumAttendeeCapacity"] = supplier.max_capacity
    if rooms:
        data["containsPlace"] = [_room(room) for room in rooms]
    return data


def _address(supplier: Supplier) -> dict:
    commune = supplier.commune
    address = {
        "@type": "PostalAddress",
        "addressLocality": commune.name,
        "addressRegion": commune.department.name,
        "addressCountry": "FR",
    }
    postal_code = supplier.postal_code or (commune.postal_codes or [""])[0]
    if supplier.address:
        address["streetAddress"] = supplier.address
    if postal_code:
        address["postalCode"] = postal_code
    return address


def _room(room: MeetingRoom) -> dict:
    item: dict = {"@type": "MeetingRoom", "name": room.name}
    capacities = room.capacities
    if capacities:
        item["maximumAttendeeCapacity"] = max(capacities.values())
    if room.area_m2 is not None:
        item["floorSize"] = {
            "@type": "QuantitativeValue",
            "value": float(room.area_m2),
            "unitCode": "MTK",
        }
    return item


def _price_range(supplier: Supplier) -> str:
    low, high = supplier.day_delegate_price_min, supplier.day_delegate_price_max
    if high is None or high == low:
        return f"{_euros(low)} EUR"
    return f"{_euros(low)}-{_euros(high)} EUR"


def _euros(amount: Decimal) -> str:
    return format(amount.normalize(), "f") if amount == amount.to_integral() else f"{amount:.2f}"
