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
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from whitenoise.middleware import WhiteNoiseMiddleware

from micedesk.accounts.models import Role, User
from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from tests import factories

PASSWORD = "password-for-tests"
T = TypeVar("T")


PEOPLE = [
    ("staff@bureau.example", Role.STAFF, "Bureau staff member"),
    ("admin@bureau.example", Role.ADMIN, "Bureau administrator"),
    ("sales@hotel.example", Role.SUPPLIER, "Hotel sales manager"),
    ("sales@other.example", Role.SUPPLIER, "Competitor sales manager"),
    ("cb@caen.example", Role.PARTNER, "Convention bureau officer"),
    ("nobody@example.org", Role.NONE, "Outsider"),
]


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


def _scanned_once(method):
    """Wrap a WhiteNoise method that scans static files so that the scan runs once a session.

    Every test client builds the middleware chain anew, and WhiteNoise then stats and reads every
    static file (Django admin's included): about 0.05 s per test that makes a request, a good
    share of the suite. The files don't change while the tests run, so each scan's result (the
    URL → static file entries it adds) is kept and handed to later instances as is. A test that
    overrides STATICFILES_DIRS or the finders would see the first scan: none does."""
    scans: dict[tuple, dict] = {}

    def scan(self, *args, **kwargs):
        key = (args, tuple(sorted(kwargs.items())))
        if key not in scans:
            before = dict(self.files)
            method(self, *args, **kwargs)
            scans[key] = {url: f for url, f in self.files.items() if before.get(url) is not f}
        self.files.update(scans[key])

    return scan


@pytest.fixture(autouse=True, scope="session")
def static_files_scanned_once():
    patch = pytest.MonkeyPatch()
    for name in ("add_files", "add_files_from_finders"):
        patch.setattr(
            WhiteNoiseMiddleware, name, _scanned_once(getattr(WhiteNoiseMiddleware, name))
        )
    yield
    patch.undo()


def shared_data(django_db_blocker, build: Callable[[], T]) -> Iterator[T]:
    """Data built once for a whole class or module of tests, in a transaction rolled back at the
    end: each test still runs in its own savepoint inside it (pytest-django's `db`), so what a test
    writes is undone after it, as with Django's `TestCase.setUpTestData`. For data that is long to
    build (demo generators, reference data) and that many tests only read. Not for transactional
    tests (live server, `transaction=True`): they would flush it.

    Usage, in a class- or module-scoped fixture that asks for `django_db_setup`:
        yield from shared_data(django_db_blocker, build_it)
    """
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            data = build()
        except BaseException:
            atomic.__exit__(*sys.exc_info())
            raise
    try:
        yield data
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True, scope="session")
def fast_password_hasher():
    """Tests create many users: hash their passwords cheaply (never in production). Once for the
    session, so that data shared by a class of tests (see `shared_data`) is hashed cheaply too."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


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
    return make_people(communes)


def make_people(communes: dict) -> People:
    """The people of the `people` fixture, for fixtures of a wider scope (see `shared_data`)."""
    # One insert for the six (no signal listens to users): most tests start from this fixture.
    staff, admin, supplier, other, partner_user, outsider = User.objects.bulk_create(
        [
            factories.UserFactory.build(email=email, role=role, full_name=name)
            for email, role, name in PEOPLE
        ]
    )
    # Refreshed once, by its room's factory (the supplier's own refresh would be undone by it).
    hotel = factories.SupplierFactory(
        name="Hôtel de la Plage",
        slug="hotel-de-la-plage-caen",
        commune=communes["14118"],
        refresh=False,
    )
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
