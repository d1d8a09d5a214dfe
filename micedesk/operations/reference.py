"""Reference data of the returns computation: spend per delegate-day by kind of event, each with
its source and how sure it is, and the settings row. Loading is idempotent: existing rows (which
staff may have corrected) are left as they are."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from micedesk.operations.models import ReturnsSettings, SpendParameter

REFERENCE_YEAR = 2023
_CHECK = (
    "Order of magnitude to be checked by staff against the latest published study before "
    "using the figures outside the bureau."
)
_CONGRESS_SOURCE = (
    "France Congrès et Événements / UNIMEV, studies of the economic impact of congresses "
    "(delegates' spending per day in the host destination, order of 250–320 €)"
)
_SEMINAR_SOURCE = (
    "Atout France / business tourism studies: spending of seminar participants in the "
    "destination, order of 200 € per day"
)
# (kind of request, € per delegate-day, source, notes). The kind "" is the default.
SPEND_PER_DELEGATE_DAY: tuple[tuple[str, Decimal, str, str], ...] = (
    (
        "",
        Decimal("200"),
        _SEMINAR_SOURCE,
        "Default for kinds without their own figure: the seminar order of magnitude, the most "
        "frequent request. " + _CHECK,
    ),
    (
        "congres",
        Decimal("280"),
        _CONGRESS_SOURCE,
        "Middle of the published 250–320 € range for congress delegates (accommodation, meals, "
        "transport on site, leisure; registration fees excluded). " + _CHECK,
    ),
    (
        "convention",
        Decimal("250"),
        _CONGRESS_SOURCE,
        "Corporate conventions taken at the low end of the congress range. " + _CHECK,
    ),
    (
        "seminaire",
        Decimal("200"),
        _SEMINAR_SOURCE,
        "Residential seminar, accommodation and meals included. " + _CHECK,
    ),
    (
        "incentive",
        Decimal("300"),
        _SEMINAR_SOURCE,
        "Incentive trips spend more on activities and meals than seminars: an estimate of the "
        "bureau, not a published figure. " + _CHECK,
    ),
    (
        "journee_etude",
        Decimal("120"),
        _SEMINAR_SOURCE,
        "A day without accommodation: an estimate of the bureau (meals, room, transport), not "
        "a published figure. " + _CHECK,
    ),
)


def reference_load() -> dict[str, int]:
    """Create the missing reference rows; returns how many were created."""
    created = 0
    with transaction.atomic():
        for kind, amount, source, notes in SPEND_PER_DELEGATE_DAY:
            _row, made = SpendParameter.objects.get_or_create(
                event_kind=kind,
                year=REFERENCE_YEAR,
                defaults={"spend_per_delegate_day": amount, "source": source, "notes": notes},
            )
            created += made
        _settings, made_settings = ReturnsSettings.objects.get_or_create(pk=1)
    return {"spend_parameters": created, "settings": int(made_settings)}
