"""A small directory for the portal's tests: a château, a seaside hotel, a caterer and a draft."""

from __future__ import annotations

from decimal import Decimal

import pytest

from micedesk.directory.models import Status
from micedesk.directory.vocab import LABELS, THEMES
from tests.factories import MeetingRoomFactory, SupplierFactory


@pytest.fixture
def directory(communes):
    chateau = SupplierFactory(
        name="Château de Brécourt",
        slug="chateau-de-brecourt",
        category="unusual_venue",
        commune=communes["27229"],
        address="Route de Pacy",
        postal_code="27000",
        bedrooms=30,
        beds=45,
        restaurant_covers=80,
        parking_spaces=60,
        station_distance_km=Decimal("6.5"),
        paris_travel_minutes=75,
        day_delegate_price_min=Decimal("65"),
        day_delegate_price_max=Decimal("95.50"),
        theme_mask=THEMES.mask(["chateau", "au_vert"]),
        label_mask=LABELS.mask(["clef_verte"]),
        email="events@brecourt.example",
        phone="02 32 00 00 00",
        website="https://brecourt.example/",
        description_fr="Demeure historique, séminaires au vert.",
        description_en="Historic manor for seminars in the countryside.",
    )
    MeetingRoomFactory(
        supplier=chateau,
        name="Salle des Gardes",
        area_m2=150,
        ceiling_height_m=Decimal("4.20"),
        natural_light=True,
        capacity_theatre=120,
        capacity_classroom=None,
        capacity_u_shape=40,
        blackout=True,
        power_outlets=12,
    )
    MeetingRoomFactory(
        supplier=chateau,
        name="Bibliothèque",
        area_m2=45,
        capacity_theatre=30,
        capacity_classroom=20,
        capacity_u_shape=16,
        capacity_boardroom=14,
    )
    hotel = SupplierFactory(
        name="Hôtel Barrière",
        slug="hotel-barriere",
        commune=communes["14220"],
        bedrooms=200,
        external_id="demo-000001",
        theme_mask=THEMES.mask(["bord_de_mer"]),
        description_fr="Face à la mer, salles de réunion.",
        description_en="",
    )
    MeetingRoomFactory(
        supplier=hotel, name="Salon Mer", capacity_theatre=400, capacity_u_shape=None
    )
    caterer = SupplierFactory(
        name="Traiteur Normand",
        slug="traiteur-normand",
        category="caterer",
        kind="service",
        commune=communes["14118"],
        bedrooms=0,
        description_fr="Buffets et cocktails.",
        description_en="Buffets.",
    )
    draft = SupplierFactory(
        name="Hôtel Brouillon",
        slug="hotel-brouillon",
        status=Status.DRAFT,
        commune=communes["14118"],
    )
    return {"chateau": chateau, "hotel": hotel, "caterer": caterer, "draft": draft}


def _page(chromium, live_server, **options):
    context = chromium.new_context(base_url=live_server.url, **options)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    return context, page


@pytest.fixture
def nojs_page(chromium, live_server):
    """A page with JavaScript turned off: everything must still work."""
    context, page = _page(chromium, live_server, locale="fr-FR", java_script_enabled=False)
    yield page
    context.close()


@pytest.fixture
def axe_page(chromium, live_server):
    """A page that lets the accessibility checker be injected: CSP bypassed, for these tests only."""
    context, page = _page(chromium, live_server, locale="fr-FR", bypass_csp=True)
    yield page
    context.close()


@pytest.fixture
def many_suppliers(communes):
    """45 published suppliers, three pages of results."""
    return [
        SupplierFactory(name=f"Salle {number:02d}", slug=f"salle-{number:02d}", bedrooms=0)
        for number in range(45)
    ]


@pytest.fixture
def new_page(chromium, live_server):
    """Opens pages in browser contexts of their own (each a new visitor: no cookie, no history) on
    one live server: for a test that goes through several scenarios over the same data, paying the
    live server's setup and the database's flush once."""
    contexts = []

    def open_page(**options):
        context, page = _page(chromium, live_server, **{"locale": "fr-FR", **options})
        contexts.append(context)
        return page

    yield open_page
    for context in contexts:
        context.close()
