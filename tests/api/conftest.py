"""Fixtures of the API tests: a small directory with drafts, and one API key per kind of caller."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client

from micedesk.accounts.services import api_key_create
from micedesk.directory.models import Status, Supplier
from micedesk.directory.vocab import LABELS, THEMES
from tests.factories import MeetingRoomFactory, SupplierFactory


@dataclass
class Directory:
    hotel: Supplier  # published, Caen; `people.supplier` is its member
    other_hotel: Supplier  # published, Rouen; `people.other_supplier` is its member
    chateau: Supplier  # published, Évreux, labels and themes, a room with blackout
    seaside: Supplier  # published, Deauville, many bedrooms, a large theatre room
    caterer: Supplier  # published service provider in Caen, no rooms
    hotel_draft: Supplier  # draft of `people.supplier`
    other_draft: Supplier  # draft of `people.other_supplier`


@pytest.fixture
def directory(people, communes) -> Directory:
    people.hotel.day_delegate_price_min = Decimal("85.00")
    people.hotel.day_delegate_price_max = Decimal("120.50")
    people.hotel.station_distance_km = Decimal("1.2")
    people.hotel.save()
    chateau = SupplierFactory(
        name="Château de Brécourt",
        slug="chateau-de-brecourt",
        category="unusual_venue",
        commune=communes["27229"],
        bedrooms=30,
        theme_mask=THEMES.mask(["chateau", "au_vert"]),
        label_mask=LABELS.mask(["clef_verte", "iso_20121"]),
        description_fr="Demeure historique pour séminaires au vert.",
    )
    MeetingRoomFactory(
        supplier=chateau,
        name="Salle des Gardes",
        capacity_theatre=120,
        capacity_u_shape=40,
        capacity_banquet=90,
        blackout=True,
    )
    seaside = SupplierFactory(
        name="Grand Hôtel de la Mer",
        slug="grand-hotel-de-la-mer",
        commune=communes["14220"],
        bedrooms=200,
        theme_mask=THEMES.mask(["bord_de_mer"]),
        description_fr="Face à la mer, salles de réunion.",
    )
    MeetingRoomFactory(
        supplier=seaside,
        name="Salon Océan",
        capacity_theatre=400,
        capacity_u_shape=None,
        videoconference=True,
    )
    caterer = SupplierFactory(
        name="Traiteur Normand",
        slug="traiteur-normand",
        category="caterer",
        kind="service",
        commune=communes["14118"],
        bedrooms=0,
        description_fr="Buffets et cocktails.",
    )
    hotel_draft = SupplierFactory(
        name="Annexe Brouillon", slug="annexe-brouillon", status=Status.DRAFT
    )
    hotel_draft.members.add(people.supplier)
    other_draft = SupplierFactory(
        name="Pavillon Secret",
        slug="pavillon-secret",
        status=Status.DRAFT,
        commune=communes["76540"],
    )
    other_draft.members.add(people.other_supplier)
    return Directory(
        people.hotel, people.other_hotel, chateau, seaside, caterer, hotel_draft, other_draft
    )


@dataclass
class Keys:
    staff: str
    supplier: str
    other_supplier: str
    partner: str
    outsider: str


@pytest.fixture
def keys(people) -> Keys:
    return Keys(
        *(
            api_key_create(user=getattr(people, name), label="tests")[1]
            for name in ("staff", "supplier", "other_supplier", "partner", "outsider")
        )
    )


class ApiClient:
    """Django's test client, sending the API key (if any) as a bearer token."""

    def __init__(self, client: Client) -> None:
        self.client = client

    def get(self, path: str, data: dict | None = None, *, key: str | None = None, **headers):
        if key is not None:
            headers["authorization"] = f"Bearer {key}"
        return self.client.get(path, data or {}, headers=headers)


@pytest.fixture
def api(client) -> ApiClient:
    return ApiClient(client)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(result["name"] for result in response.json()["results"])


def error_locations(response) -> list[list]:
    """The `loc` of every error, after checking the status and the error shape."""
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    assert all(set(item) == {"loc", "msg", "type"} and item["msg"] for item in detail)
    return [item["loc"] for item in detail]
