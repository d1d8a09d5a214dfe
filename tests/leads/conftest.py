"""Fixtures of the leads tests: a real SMTP server on loopback (`smtp_server`), quote requests and
venues as intake and the directory store them, and a way to run code in threads at once."""

from __future__ import annotations

import email
import itertools
import os
import socket
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from django.db import connection
from django.utils import translation

from micedesk.directory.models import Supplier
from micedesk.directory.services import supplier_refresh
from micedesk.directory.vocab import LAYOUTS
from micedesk.geo.models import Commune
from micedesk.leads.models import QuoteRequest, RequestStatus
from tests import factories


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(make_header(decode_header(self.message["Subject"])))

    @property
    def body(self) -> str:
        payload = self.message.get_payload(decode=True)
        return payload.decode(self.message.get_content_charset() or "utf-8")

    def header(self, name: str) -> str:
        return self.message[name] or ""


class LoopbackSmtpServer:
    """An aiosmtpd server on a free loopback port keeping every message it accepts; it can be
    stopped and started again on the same port to play a mail server outage."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.messages: list[ReceivedMail] = []
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope) -> str:
        mail = ReceivedMail(
            envelope.mail_from, list(envelope.rcpt_tos), email.message_from_bytes(envelope.content)
        )
        with self._lock:
            self.messages.append(mail)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        if self._controller is None:
            self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
            self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def per_dispatch(self) -> Counter:
        """How many mails each dispatch produced, by the dispatch id the outbox puts in a header."""
        with self._lock:
            return Counter(int(m.header("X-Micedesk-Dispatch")) for m in self.messages)

    def per_recipient(self) -> Counter:
        with self._lock:
            return Counter(address for m in self.messages for address in m.recipients)


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on loopback that the project's mail settings point at."""
    server = LoopbackSmtpServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    yield server
    server.stop()


_references = itertools.count(1)


def quote_request_make(**fields: object) -> QuoteRequest:
    """A request as intake leaves it before routing: a seminar for 40 in Calvados, theatre."""
    requested = fields.pop("requested_suppliers", [])
    values: dict[str, object] = {
        "channel": "portal",
        "status": RequestStatus.RECEIVED,
        "contact_name": "Event planner",
        "organisation": "Planner company",
        "email": "planner@company.example",
        "phone": "+33 2 31 00 00 00",
        "event_kind": "seminaire",
        "participants": 40,
        "layout": "theatre",
        "departments": ["14"],
    }
    values.update(fields)
    quote_request = QuoteRequest.objects.create(reference=f"MT{next(_references):08d}", **values)
    if requested:
        quote_request.requested_suppliers.set(requested)
    return quote_request


_venues = itertools.count(1)


def venue_make(
    *,
    commune: Commune | str = "14118",
    capacities: dict[str, int] | None = None,
    bedrooms: int = 0,
    step_free: bool = False,
    projector: bool = True,
    wifi: bool = True,
    **fields: object,
) -> Supplier:
    """A published venue with one meeting room of the given capacities (theatre 100 by default)."""
    number = next(_venues)
    if isinstance(commune, str):
        commune = factories.normandy()[commune]
    values = {
        "name": f"Venue {number:04d}",
        "slug": f"venue-{number:04d}",
        "commune": commune,
        "bedrooms": bedrooms,
        "email": f"sales@venue-{number:04d}.example",
    }
    values.update(fields)
    supplier = factories.SupplierFactory(**values)
    room = {f"capacity_{layout}": None for layout in LAYOUTS}
    for layout, capacity in (capacities or {"theatre": 100}).items():
        room[f"capacity_{layout}"] = capacity
    factories.MeetingRoomFactory(
        supplier=supplier, step_free_access=step_free, projector=projector, wifi=wifi, **room
    )
    supplier.refresh_from_db()
    return supplier


def supplier_reload(supplier: Supplier) -> Supplier:
    return supplier_refresh(supplier=Supplier.objects.get(pk=supplier.pk))


@pytest.fixture
def concurrent_db(transactional_db):
    """Committed data that several threads share, each with its own connection.

    SQLite's in-memory test database (a shared cache) answers a second writer with "table is
    locked" at once instead of waiting as a file database does: threads need a file, which
    SQLITE_TEST_NAME names (`make test-sqlite` sets it). Elsewhere the test is skipped, and in CI
    it fails, so that the concurrency tests never go missing silently."""
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        message = "Concurrency tests on SQLite need a file test database: set SQLITE_TEST_NAME."
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)


def together(*work: Callable[[], object], timeout: float = 60) -> list[object]:
    """Run callables in threads released at the same moment; returns their results in order and
    raises the first error one of them met. Each thread closes its database connection."""
    barrier = threading.Barrier(len(work))
    results: list[object] = [None] * len(work)
    errors: list[BaseException] = []

    def run(position: int, function: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout)
            results[position] = function()
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(position, function))
        for position, function in enumerate(work)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if errors:
        raise errors[0]
    return results


@pytest.fixture(autouse=True)
def english_messages():
    """The domain tests read messages in the English source wording; the site's default is French."""
    with translation.override("en"):
        yield
