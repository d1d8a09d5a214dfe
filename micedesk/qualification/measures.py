"""The platform's measures: figures read from data micedesk holds, for the measured criteria.

Each measure returns a value (or None: not enough data) and details saying what was counted, so
that an evaluator and the supplier can check where a figure comes from.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.directory.models import Supplier
from micedesk.directory.vocab import Kind
from micedesk.leads.models import Dispatch

MEASURE_PERIOD_DAYS = 365
MIN_ANSWERED_DISPATCHES = 3
MIN_SENT_DISPATCHES = 3
CENT = Decimal("0.01")
DISPATCH_TIMES_ATTRIBUTE = "_qualification_dispatch_times"
ALL_KINDS = tuple(Kind.values)


@dataclass(frozen=True)
class Measured:
    value: Decimal | None  # None: not enough data
    details: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    unit: str
    kinds: tuple[str, ...]
    function: Callable[[Supplier], Measured]


MEASURES: dict[str, Measure] = {}


def measure(
    *, code: str, label: str, unit: str, kinds: tuple[str, ...] = ALL_KINDS
) -> Callable[[Callable[[Supplier], Measured]], Callable[[Supplier], Measured]]:
    """Register a function as the measure `code`."""

    def register(function: Callable[[Supplier], Measured]) -> Callable[[Supplier], Measured]:
        MEASURES[code] = Measure(code=code, label=label, unit=unit, kinds=kinds, function=function)
        return function

    return register


def measure_read(*, code: str, supplier: Supplier) -> Measured:
    """The value of measure `code` for `supplier`; an unknown code raises KeyError."""
    return MEASURES[code].function(supplier)


def measure_choices() -> list[tuple[str, str]]:
    return [(m.code, str(m.label)) for m in MEASURES.values()]


def _decimal(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _recent_dispatches(supplier: Supplier):
    since = timezone.now() - timedelta(days=MEASURE_PERIOD_DAYS)
    return Dispatch.objects.filter(supplier=supplier, sent_at__gte=since)


def _dispatch_times(supplier: Supplier) -> list[tuple[datetime, datetime | None]]:
    """(sent_at, first_answer_at) of the supplier's dispatches sent over the period."""
    prefetched = getattr(supplier, DISPATCH_TIMES_ATTRIBUTE, None)
    if prefetched is not None:
        return prefetched
    return list(_recent_dispatches(supplier).values_list("sent_at", "first_answer_at"))


def dispatch_times_prefetch(suppliers: Iterable[Supplier]) -> None:
    """Read the recent dispatches of many suppliers in one query, for the measures read next
    (the demo, a simulation): each supplier keeps its own list."""
    by_pk = {supplier.pk: supplier for supplier in suppliers}
    times: dict[int, list] = {pk: [] for pk in by_pk}
    since = timezone.now() - timedelta(days=MEASURE_PERIOD_DAYS)
    rows = Dispatch.objects.filter(supplier_id__in=list(by_pk), sent_at__gte=since).values_list(
        "supplier_id", "sent_at", "first_answer_at"
    )
    for supplier_id, sent_at, first_answer_at in rows.iterator():
        times[supplier_id].append((sent_at, first_answer_at))
    for pk, supplier in by_pk.items():
        setattr(supplier, DISPATCH_TIMES_ATTRIBUTE, times[pk])


@measure(
    code="median_first_answer_hours",
    label=_("Median time to first answer to quote requests"),
    unit="h",
)
def median_first_answer_hours(supplier: Supplier) -> Measured:
    delays = [
        (answered - sent).total_seconds() / 3600
        for sent, answered in _dispatch_times(supplier)
        if answered is not None
    ]
    details = {
        "answered_dispatches": len(delays),
        "period_days": MEASURE_PERIOD_DAYS,
        "minimum": MIN_ANSWERED_DISPATCHES,
    }
    if len(delays) < MIN_ANSWERED_DISPATCHES:
        return Measured(None, details)
    return Measured(_decimal(max(statistics.median(delays), 0)), details)


@measure(code="answer_rate", label=_("Share of quote requests answered"), unit="%")
def answer_rate(supplier: Supplier) -> Measured:
    times = _dispatch_times(supplier)
    sent = len(times)
    answered = sum(1 for _sent, first_answer_at in times if first_answer_at is not None)
    details = {
        "sent_dispatches": sent,
        "answered_dispatches": answered,
        "period_days": MEASURE_PERIOD_DAYS,
        "minimum": MIN_SENT_DISPATCHES,
    }
    if sent < MIN_SENT_DISPATCHES:
        return Measured(None, details)
    return Measured(_decimal(Decimal(answered) * 100 / Decimal(sent)), details)


@measure(
    code="seats_per_outlet",
    label=_("Seats per power outlet in the worst-equipped room"),
    unit=_("seats"),
    kinds=(Kind.VENUE,),
)
def seats_per_outlet(supplier: Supplier) -> Measured:
    """Per room, its largest capacity ÷ its outlets (a room without outlet counts its capacity as
    the seats of one outlet); the value is the worst room's."""
    rooms = []
    for room in supplier.rooms.all():
        seats = max(room.capacities.values(), default=0)
        if seats:
            rooms.append((room.name, seats, room.power_outlets))
    details = {
        "rooms": [
            {"room": name, "seats": seats, "outlets": outlets} for name, seats, outlets in rooms
        ]
    }
    if not rooms:
        return Measured(None, details)
    worst = max(Decimal(seats) / Decimal(max(outlets, 1)) for _name, seats, outlets in rooms)
    return Measured(_decimal(worst), details)


@measure(
    code="blackout_rooms_share",
    label=_("Share of meeting rooms that can be fully blacked out"),
    unit="%",
    kinds=(Kind.VENUE,),
)
def blackout_rooms_share(supplier: Supplier) -> Measured:
    rooms = [room.blackout for room in supplier.rooms.all()]  # .all(): a prefetch serves it
    details = {"rooms": len(rooms), "blackout_rooms": sum(1 for b in rooms if b)}
    if not rooms:
        return Measured(None, details)
    return Measured(
        _decimal(Decimal(details["blackout_rooms"]) * 100 / Decimal(len(rooms))), details
    )
