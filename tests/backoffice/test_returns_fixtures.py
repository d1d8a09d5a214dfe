"""Builders shared by the returns screens' tests (no test here): an event held in 2024 with costs
and a partner's share, a contact met there who later won a seminar in the region, and the spend
figure of that year."""

from __future__ import annotations

import datetime
from decimal import Decimal

from micedesk.operations.models import BureauEvent, ReturnsSettings, SpendParameter
from tests.operations import builders

YEAR = 2024


def settings_row(*, rule: str = "first_touch", window: int = 36, minimum: int = 3) -> None:
    ReturnsSettings.objects.update_or_create(
        pk=1, defaults={"rule": rule, "window_months": window, "min_useful_contacts": minimum}
    )


def event_with_a_win(**fields: object) -> BureauEvent:
    """A workshop on 14 March 2024: budget 1,000 €, actual 1,200 €, a 200 € contribution (net
    cost 1,000 €); one contact met, who won a seminar of 40 people × 2 days in June 2024
    (80 delegate-days × 200 € = 16,000 € of impact); another contact met who won nothing."""
    SpendParameter.objects.get_or_create(
        event_kind="",
        year=YEAR,
        defaults={"spend_per_delegate_day": Decimal("200"), "source": "Seminar spend study"},
    )
    fields.setdefault("name", "Workshop Paris 2024")
    event = builders.event(**fields)
    builders.cost_line(event, budget=Decimal("1000"), actual=Decimal("1200"))
    builders.participant(event, cost_share=Decimal("200"))
    winner = builders.contact(first_name="Camille", last_name="Exampleton")
    builders.met(event, winner)
    builders.met(event, builders.contact(first_name="Dominique", last_name="Nowinner"))
    builders.won_request(
        winner,
        created_at=builders.aware(datetime.date(YEAR, 6, 3)),
        event_kind="seminaire",
        outcome_budget=Decimal("30000"),
    )
    return event
