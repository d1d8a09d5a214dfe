"""The shared test base: Normandy's ground, and one person per role plus outsiders.

- staff: bureau staff, sees and manages everything
- admin: the bureau's IT
- supplier: a member of `hotel` (Hôtel de la Plage, Caen)
- other_supplier: a member of `other_hotel` (a competitor): must never reach `hotel`'s data
- partner: a member of the Caen convention bureau (territory: Caen, Bayeux)
- outsider: a logged-in user with no role
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.utils import translation

from micedesk.accounts.models import Role, User
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from tests import factories

PASSWORD = "password-for-tests"


@dataclass
class People:
    staff: User
    admin: User
    supplier: User
    other_supplier: User
    partner: User
    outsider: User
    hotel: Supplier
    other_hotel: Supplier
    partner_org: Partner


@pytest.fixture(autouse=True)
def fast_password_hasher(settings):
    """Tests create many users: hash their passwords cheaply (never in production)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def default_language(settings):
    """Every test starts in the site's default language, whatever an earlier test activated."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Private files (evidence, imported files) go to the test's own directory."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.PRIVATE_MEDIA_ROOT


@pytest.fixture
def communes(db):
    return factories.normandy()


@pytest.fixture
def people(db, communes) -> People:
    staff = factories.UserFactory(
        email="staff@bureau.example", role=Role.STAFF, full_name="Bureau staff member"
    )
    admin = factories.UserFactory(
        email="admin@bureau.example", role=Role.ADMIN, full_name="Bureau administrator"
    )
    supplier = factories.UserFactory(
        email="sales@hotel.example", role=Role.SUPPLIER, full_name="Hotel sales manager"
    )
    other = factories.UserFactory(
        email="sales@other.example", role=Role.SUPPLIER, full_name="Competitor sales manager"
    )
    partner_user = factories.UserFactory(
        email="cb@caen.example", role=Role.PARTNER, full_name="Convention bureau officer"
    )
    outsider = factories.UserFactory(
        email="nobody@example.org", role=Role.NONE, full_name="Outsider"
    )
    hotel = factories.SupplierFactory(name="Hôtel de la Plage", slug="hotel-de-la-plage-caen")
    factories.MeetingRoomFactory(supplier=hotel, name="Salon Horizon")
    other_hotel = factories.SupplierFactory(
        name="Château de la Forêt",
        slug="chateau-de-la-foret-rouen",
        commune=communes["76540"],
        category="unusual_venue",
    )
    hotel.members.add(supplier)
    other_hotel.members.add(other)
    partner_org = factories.partner()
    partner_org.members.add(partner_user)
    return People(
        staff, admin, supplier, other, partner_user, outsider, hotel, other_hotel, partner_org
    )


# Browser tests: Debian's Chromium driven by Playwright, launched by path (no browser download here).
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is required in CI and missing at {CHROMIUM}")
        pytest.skip(f"Chromium is missing at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    """A fresh browser page in French; `page.base_url` is the live server's address."""
    context = chromium.new_context(locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


@pytest.fixture
def phone_page(chromium, live_server):
    """A page the size of a phone screen."""
    context = chromium.new_context(
        locale="fr-FR",
        base_url=live_server.url,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    yield page
    context.close()


def browser_login(page, user: User, password: str = PASSWORD) -> None:
    """Log `user` in through the login form."""
    page.goto("/connexion/")
    page.get_by_label("Adresse e-mail").fill(user.email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
