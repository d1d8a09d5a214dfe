"""The returns of an event: attribution rules, the window and its boundary days, shared weights,
costs, the impact with the spend parameter fallback, ratios and the recommendation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from micedesk.crm.models import InteractionKind
from micedesk.operations.models import (
    Appointment,
    AppointmentStatus,
    AttributionRule,
    ReturnsSettings,
    SpendParameter,
)
from micedesk.operations.returns import (
    add_months,
    cost_summary,
    event_returns,
    returns_settings,
    year_returns,
)
from tests import factories
from tests.operations import builders

pytestmark = pytest.mark.django_db
AS_OF = datetime.date(2025, 6, 1)


@pytest.fixture
def ground(communes):
    SpendParameter.objects.create(
        event_kind="", year=2023, spend_per_delegate_day=Decimal("200"), source="test"
    )
    return communes


def rule(name: str, window: int = 36, minimum: int = 3) -> None:
    ReturnsSettings.objects.update_or_create(
        pk=1, defaults={"rule": name, "window_months": window, "min_useful_contacts": minimum}
    )


class AddMonthsTestCase:
    def test_it_keeps_the_day_or_takes_the_month_end(self):
        assert add_months(datetime.date(2024, 3, 14), 36) == datetime.date(2027, 3, 14)
        assert add_months(datetime.date(2024, 1, 31), 1) == datetime.date(2024, 2, 29)


class CostSummaryTestCase:
    def test_it_sums_budgets_actuals_staff_time_and_contributions(self, ground):
        event = builders.event()
        builders.cost_line(event, budget=Decimal("1000.10"), actual=Decimal("900.05"))
        builders.cost_line(event, category="transport", budget=Decimal("500"))
        builders.cost_line(
            event,
            category="staff",
            budget=Decimal("350"),
            actual=Decimal("350"),
            hours=Decimal("10"),
            hourly_rate=Decimal("35"),
        )
        builders.participant(event, cost_share=Decimal("400.15"))
        summary = cost_summary(event=event)
        assert summary.budget == Decimal("1850.10")
        assert summary.actual == Decimal("1250.05")
        assert summary.actual_complete is False
        assert summary.staff_time == Decimal("350.00")
        assert summary.full_cost == Decimal("1750.05")
        assert summary.contributions == Decimal("400.15")
        assert summary.net_cost == Decimal("1349.90")
        assert [row.category for row in summary.by_category] == ["staff", "stand", "transport"]

    def test_it_is_zero_without_lines(self, ground):
        summary = cost_summary(event=builders.event())
        assert summary.full_cost == Decimal("0") and summary.actual_complete is True


class AttributionTestCase:
    def test_it_counts_a_met_contact_whose_later_request_was_won(self, ground):
        event = builders.event()
        builders.cost_line(event, budget=Decimal("8000"))
        planner = builders.contact()
        builders.met(event, planner)
        request = builders.won_request(
            planner, created_at=builders.aware(datetime.date(2024, 9, 1)), participants=50, days=2
        )
        result = event_returns(event=event, as_of=AS_OF)
        assert result.contacts_met == 1
        assert result.useful_contacts == Decimal("1.00")
        assert result.useful[0].contact == planner
        assert result.useful[0].requests == [request]
        assert result.events_won == Decimal("1.00")
        assert result.won_requests == [(request, Decimal("1.0000"))]
        assert result.delegate_days == Decimal("100.00")
        assert result.economic_impact == Decimal("20000.00")
        assert result.impact_per_euro == Decimal("2.50")
        assert result.cost_per_useful_contact == Decimal("8000.00")
        assert result.cost_per_delegate_day == Decimal("80.00")
        assert result.by_kind == {"seminaire": Decimal("1.00")}
        assert result.by_origin == {"75": Decimal("1.00")}

    def test_it_ignores_a_request_before_the_event(self, ground):
        event = builders.event()
        planner = builders.contact()
        builders.met(event, planner)
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 3, 13)))
        assert event_returns(event=event, as_of=AS_OF).useful_contacts == 0

    def test_it_counts_a_request_on_the_first_day(self, ground):
        event = builders.event()
        planner = builders.contact()
        builders.met(event, planner)
        builders.won_request(planner, created_at=builders.aware(builders.DAY, hour=8))
        assert event_returns(event=event, as_of=AS_OF).events_won == Decimal("1.00")

    def test_it_stops_counting_on_the_day_the_window_ends(self, ground):
        rule(AttributionRule.FIRST_TOUCH, window=12)
        event = builders.event()
        inside, outside = builders.contact(), builders.contact()
        builders.met(event, inside)
        builders.met(event, outside)
        builders.won_request(inside, created_at=builders.aware(datetime.date(2025, 3, 13), 23))
        builders.won_request(outside, created_at=builders.aware(datetime.date(2025, 3, 14), 0))
        result = event_returns(event=event, as_of=AS_OF)
        assert [item.contact for item in result.useful] == [inside]
        assert result.window_ends_on == datetime.date(2025, 3, 14)
        assert result.window_over is True

    def test_it_ignores_requests_lost_or_won_outside_the_region(self, ground):
        event = builders.event()
        lost, elsewhere = builders.contact(), builders.contact()
        builders.met(event, lost)
        builders.met(event, elsewhere)
        request = builders.won_request(lost, created_at=builders.aware(datetime.date(2024, 5, 1)))
        request.status = "lost"
        request.save()
        factories.normandy()
        from micedesk.geo.models import Commune, Department, Region

        other_region = Region.objects.create(code="11", name="Île-de-France")
        Department.objects.create(code="75", name="Paris", region=other_region)
        paris = Commune.objects.create(
            insee_code="75056", name="Paris", slug="paris", department_id="75", postal_codes=[]
        )
        builders.won_request(
            elsewhere,
            created_at=builders.aware(datetime.date(2024, 5, 1)),
            supplier=factories.SupplierFactory(commune=paris),
        )
        assert event_returns(event=event, as_of=AS_OF).useful_contacts == 0

    def test_it_matches_by_email_when_the_request_is_not_linked(self, ground):
        event = builders.event()
        planner = builders.contact(email="Planner.Case@company.example")
        builders.met(event, planner)
        builders.won_request(
            planner, created_at=builders.aware(datetime.date(2024, 5, 1)), link=False
        )
        from micedesk.leads.models import QuoteRequest

        QuoteRequest.objects.update(email="planner.case@company.example")
        assert event_returns(event=event, as_of=AS_OF).useful_contacts == Decimal("1.00")

    def test_it_counts_a_contact_once_with_two_requests(self, ground):
        event = builders.event()
        planner = builders.contact()
        builders.met(event, planner)
        builders.met(event, planner, kind=InteractionKind.ATTENDED)
        for month in (5, 8):
            builders.won_request(planner, created_at=builders.aware(datetime.date(2024, month, 1)))
        result = event_returns(event=event, as_of=AS_OF)
        assert result.contacts_met == 1
        assert result.useful_contacts == Decimal("1.00")
        assert result.events_won == Decimal("2.00")
        assert len(result.useful[0].requests) == 2

    def test_it_counts_a_held_appointment_as_met(self, ground):
        event = builders.event()
        planner = builders.contact()
        part = builders.participant(event)
        Appointment.objects.create(
            event=event, participant=part, contact=planner, status=AppointmentStatus.HELD
        )
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 5, 1)))
        result = event_returns(event=event, as_of=AS_OF)
        assert result.contacts_met == 1 and result.useful_contacts == Decimal("1.00")

    def test_invitations_are_not_touches(self, ground):
        event = builders.event()
        planner = builders.contact()
        builders.met(event, planner, kind=InteractionKind.INVITED)
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 5, 1)))
        assert event_returns(event=event, as_of=AS_OF).contacts_met == 0


class RulesTestCase:
    def _two_events(self):
        first = builders.event(starts_on=datetime.date(2024, 2, 1))
        second = builders.event(starts_on=datetime.date(2024, 4, 1))
        third = builders.event(starts_on=datetime.date(2024, 6, 1))
        planner = builders.contact()
        builders.met(first, planner)
        builders.met(second, planner)
        builders.met(third, planner)
        # Met at the third only after the request: it never counts.
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 5, 1)))
        return first, second, third

    def _won(self, *events):
        return [event_returns(event=event, as_of=AS_OF).events_won for event in events]

    def test_first_touch_gives_it_to_the_earliest(self, ground):
        rule(AttributionRule.FIRST_TOUCH)
        assert self._won(*self._two_events()) == [Decimal("1.00"), 0, 0]

    def test_last_touch_gives_it_to_the_latest_before_the_request(self, ground):
        rule(AttributionRule.LAST_TOUCH)
        assert self._won(*self._two_events()) == [0, Decimal("1.00"), 0]

    def test_shared_splits_it(self, ground):
        rule(AttributionRule.SHARED)
        first, second, third = self._two_events()
        assert self._won(first, second, third) == [Decimal("0.50"), Decimal("0.50"), 0]
        assert event_returns(event=first, as_of=AS_OF).useful_contacts == Decimal("0.50")

    def test_shared_thirds_sum_to_one_in_the_year(self, ground):
        rule(AttributionRule.SHARED)
        planner = builders.contact()
        for month in (1, 2, 3):
            builders.met(builders.event(starts_on=datetime.date(2024, month, 10)), planner)
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 5, 1)))
        year = year_returns(year=2024, as_of=AS_OF)
        assert [item.events_won for item in year.events] == [Decimal("0.33")] * 3
        assert year.totals.events_won == Decimal("0.99")


class ImpactTestCase:
    def test_it_uses_the_kind_and_year_then_the_default_then_earlier_years(self, ground):
        SpendParameter.objects.create(
            event_kind="congres", year=2022, spend_per_delegate_day=Decimal("300"), source="t"
        )
        event = builders.event()
        seminar, congress = builders.contact(), builders.contact()
        builders.met(event, seminar)
        builders.met(event, congress)
        at = builders.aware(datetime.date(2024, 5, 1))
        builders.won_request(seminar, created_at=at, participants=10, days=1)
        builders.won_request(congress, created_at=at, participants=10, days=1, event_kind="congres")
        # seminar 2024: no row for it nor for the default in 2024 → default 2023 (200);
        # congress 2024: none in 2024, default none in 2024 → congress 2022 (300).
        assert event_returns(event=event, as_of=AS_OF).economic_impact == Decimal("5000.00")
        SpendParameter.objects.create(
            event_kind="", year=2024, spend_per_delegate_day=Decimal("100"), source="t"
        )
        assert event_returns(event=event, as_of=AS_OF).economic_impact == Decimal("2000.00")

    def test_it_counts_no_impact_without_any_parameter(self, communes):
        event = builders.event()
        planner = builders.contact()
        builders.met(event, planner)
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 5, 1)))
        result = event_returns(event=event, as_of=AS_OF)
        assert result.economic_impact == 0 and result.missing_spend == 1

    def test_ratios_are_none_when_dividing_by_zero(self, ground):
        result = event_returns(event=builders.event(), as_of=AS_OF)
        assert result.cost_per_useful_contact is None
        assert result.cost_per_event_won is None
        assert result.impact_per_euro is None


class RecommendationTestCase:
    def _event_with(self, useful: int, cost: str, *, participants: int = 50):
        event = builders.event()
        builders.cost_line(event, budget=Decimal(cost))
        for _ in range(useful):
            planner = builders.contact()
            builders.met(event, planner)
            builders.won_request(
                planner,
                created_at=builders.aware(datetime.date(2024, 5, 1)),
                participants=participants,
                days=1,
            )
        return event

    def test_it_is_too_early_with_few_contacts_inside_the_window(self, ground):
        result = event_returns(event=self._event_with(1, "100"), as_of=AS_OF)
        assert result.recommendation.code == "too_early"
        assert result.too_small is True

    def test_it_is_too_early_before_the_event(self, ground):
        event = builders.event(starts_on=datetime.date(2026, 1, 1), status="planned")
        assert event_returns(event=event, as_of=AS_OF).recommendation.code == "too_early"

    def test_it_keeps_an_event_that_brings_more_than_it_costs(self, ground):
        # 3 × 50 delegate-days × 200 € = 30,000 € for 10,000 €: 3 € per euro.
        result = event_returns(event=self._event_with(3, "10000"), as_of=AS_OF)
        assert result.impact_per_euro == Decimal("3.00")
        assert result.recommendation.code == "keep"
        assert "3,00" in result.recommendation.reasons[0]

    def test_it_reviews_an_event_in_between(self, ground):
        # 30,000 € for 60,000 €: 0.50 € per euro.
        result = event_returns(event=self._event_with(3, "60000"), as_of=AS_OF)
        assert result.recommendation.code == "review"

    def test_it_drops_an_event_with_nothing_once_the_window_is_over(self, ground):
        rule(AttributionRule.FIRST_TOUCH, window=6)
        result = event_returns(event=self._event_with(0, "5000"), as_of=AS_OF)
        assert result.window_over is True
        assert result.recommendation.code == "drop"

    def test_it_drops_an_event_under_twenty_cents_per_euro_once_the_window_is_over(self, ground):
        rule(AttributionRule.FIRST_TOUCH, window=12, minimum=1)
        # 3 × 10 × 200 = 6,000 € for 60,000 €: 0.10 € per euro.
        event = self._event_with(3, "60000", participants=10)
        assert event_returns(event=event, as_of=AS_OF).recommendation.code == "drop"

    def test_it_serialises_to_json(self, ground):
        import json

        data = event_returns(event=self._event_with(3, "10000"), as_of=AS_OF).as_json()
        assert json.loads(json.dumps(data))["impact_per_euro"] == "3.00"


class YearReturnsTestCase:
    def test_it_aggregates_by_kind_compares_with_last_year_and_ranks(self, ground):
        good = builders.event(kind="workshop", starts_on=datetime.date(2024, 2, 1))
        poor = builders.event(kind="trade_show", starts_on=datetime.date(2024, 3, 1))
        cancelled = builders.event(starts_on=datetime.date(2024, 4, 1), status="cancelled")
        last_year = builders.event(starts_on=datetime.date(2023, 4, 1))
        builders.cost_line(good, budget=Decimal("1000"))
        builders.cost_line(poor, budget=Decimal("50000"))
        builders.cost_line(last_year, budget=Decimal("700"))
        planner = builders.contact()
        builders.met(good, planner)
        builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 2, 10)))
        year = year_returns(year=2024, as_of=AS_OF)
        assert [item.event for item in year.events] == [good, poor]
        assert cancelled not in [item.event for item in year.ranking]
        assert [item.event for item in year.ranking] == [good, poor]
        assert year.totals.full_cost == Decimal("51000")
        assert year.previous.full_cost == Decimal("700")
        assert [row.kind for row in year.by_kind] == ["trade_show", "workshop"]
        assert year.as_json()["totals"]["events"] == 2

    def test_it_runs_a_fixed_number_of_queries(self, ground):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                year_returns(year=2024, as_of=AS_OF)
            return len(captured)

        for month in (1, 2):
            event = builders.event(starts_on=datetime.date(2024, month, 5))
            builders.cost_line(event)
            planner = builders.contact()
            builders.met(event, planner)
            builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 5, 1)))
        before = queries()
        for month in (3, 4, 5, 6):
            event = builders.event(starts_on=datetime.date(2024, month, 5))
            builders.cost_line(event)
            for _ in range(3):
                planner = builders.contact()
                builders.met(event, planner)
                builders.won_request(planner, created_at=builders.aware(datetime.date(2024, 9, 1)))
        assert queries() == before


class SettingsTestCase:
    def test_it_has_defaults_before_the_row_exists(self, db):
        config = returns_settings()
        assert (config.window_months, config.rule, config.min_useful_contacts) == (
            36,
            "first_touch",
            3,
        )


class CampaignTestCase:
    def test_a_request_sent_from_the_campaign_page_counts_for_the_campaign(self, ground):
        campaign = builders.event(
            kind="campaign",
            campaign_slug="seminaires-au-vert",
            starts_on=datetime.date(2024, 3, 1),
            ends_on=datetime.date(2024, 6, 30),
        )
        planner, other = builders.contact(), builders.contact()
        builders.won_request(
            planner,
            created_at=builders.aware(datetime.date(2024, 4, 2)),
            campaign="seminaires-au-vert",
        )
        builders.won_request(other, created_at=builders.aware(datetime.date(2024, 4, 2)))
        result = event_returns(event=campaign, as_of=AS_OF)
        assert result.contacts_met == 1
        assert [item.contact for item in result.useful] == [planner]
        assert result.events_won == Decimal("1.00")
