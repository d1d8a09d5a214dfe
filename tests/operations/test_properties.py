"""Properties of the returns computation, checked on generated cases: nothing outside the window
counts, a request's shares sum to one, a contact counts at most once per event, costs add up
exactly in Decimal."""

from __future__ import annotations

import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micedesk.operations.models import (
    AttributionRule,
    BureauEvent,
    CostLine,
    ReturnsSettings,
)
from micedesk.operations.returns import (
    add_months,
    cost_summary,
    returns_for_events,
    rule_weights,
)
from tests.operations import builders

RULES = [rule.value for rule in AttributionRule]
days = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2026, 12, 31))
touches = st.dictionaries(st.integers(1, 12), days, max_size=8)
DB_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class RuleWeightsPropertiesTestCase:
    @settings(max_examples=100, deadline=None)
    @given(
        touches=touches, request_day=days, rule=st.sampled_from(RULES), window=st.integers(1, 60)
    )
    def test_shares_sum_to_one_and_stay_in_the_window(self, touches, request_day, rule, window):
        weights = rule_weights(touches, request_day, rule=rule, window_months=window)
        eligible = {
            action
            for action, day in touches.items()
            if day <= request_day < add_months(day, window)
        }
        assert set(weights) <= eligible
        if eligible:
            assert sum(weights.values(), Fraction(0)) == 1
        else:
            assert weights == {}
        if rule != AttributionRule.SHARED:
            assert len(weights) <= 1
        assert all(weight > 0 for weight in weights.values())

    @settings(max_examples=100, deadline=None)
    @given(touches=touches.filter(bool), request_day=days, window=st.integers(1, 60))
    def test_first_touch_takes_the_earliest_and_last_the_latest(self, touches, request_day, window):
        first = rule_weights(touches, request_day, rule="first_touch", window_months=window)
        last = rule_weights(touches, request_day, rule="last_touch", window_months=window)
        if first:
            (earliest,) = first
            (latest,) = last
            assert touches[earliest] <= touches[latest]


amounts = st.decimals(
    min_value=Decimal("0"), max_value=Decimal("99999999.99"), places=2, allow_nan=False
)


@pytest.mark.django_db
class CostPropertiesTestCase:
    @DB_SETTINGS
    @given(lines=st.lists(st.tuples(amounts, st.none() | amounts), max_size=8))
    def test_costs_add_up_exactly(self, communes, lines):
        event = builders.event()
        try:
            for budget, actual in lines:
                CostLine.objects.create(event=event, category="other", budget=budget, actual=actual)
            summary = cost_summary(event=event)
            assert summary.budget == sum((budget for budget, _ in lines), Decimal(0))
            assert summary.actual == sum((a for _, a in lines if a is not None), Decimal(0))
            assert summary.full_cost == sum((b if a is None else a for b, a in lines), Decimal(0))
        finally:
            BureauEvent.objects.filter(pk=event.pk).delete()


# A case: for each contact, the events (0–2) it was met at and the month offsets of its requests.
contact_case = st.tuples(
    st.sets(st.integers(0, 2), max_size=3), st.lists(st.integers(-3, 40), max_size=3)
)


@pytest.mark.django_db
class AttributionPropertiesTestCase:
    @DB_SETTINGS
    @given(
        cases=st.lists(contact_case, min_size=1, max_size=4),
        rule=st.sampled_from(RULES),
        window=st.integers(1, 36),
    )
    def test_each_contact_counts_once_and_shares_sum_to_one(self, communes, cases, rule, window):
        ReturnsSettings.objects.update_or_create(
            pk=1, defaults={"rule": rule, "window_months": window}
        )
        starts = [datetime.date(2023, 1, 10), datetime.date(2023, 3, 10), datetime.date(2023, 6, 1)]
        events = [builders.event(starts_on=day) for day in starts]
        supplier = builders.regional_supplier()
        try:
            requests = []
            for met_at, offsets in cases:
                contact = builders.contact()
                for index in met_at:
                    builders.met(events[index], contact)
                for offset in offsets:
                    day = add_months(datetime.date(2023, 1, 10), offset)
                    requests.append(
                        builders.won_request(
                            contact, created_at=builders.aware(day), supplier=supplier
                        )
                    )
            results = returns_for_events(events, as_of=datetime.date(2026, 6, 1))
            for result in results:
                ids = [item.contact.pk for item in result.useful]
                assert len(ids) == len(set(ids))
                assert result.useful_contacts <= result.contacts_met
                for _request, weight in result.won_requests:
                    assert Decimal(0) < weight <= Decimal(1)
                window_end = add_months(result.event.starts_on, window)
                for request, _weight in result.won_requests:
                    day = request.created_at.date()
                    assert result.event.starts_on <= day < window_end
            for request in requests:
                total = sum(
                    (w for result in results for r, w in result.won_requests if r == request),
                    Decimal(0),
                )
                assert total <= Decimal("1.0001")
                if rule != AttributionRule.SHARED:
                    assert total in (Decimal(0), Decimal(1))
        finally:
            from micedesk.crm.models import BureauAction, Contact
            from micedesk.leads.models import QuoteRequest

            QuoteRequest.objects.all().delete()
            Contact.objects.all().delete()
            actions = [event.action_id for event in events]
            BureauEvent.objects.filter(pk__in=[event.pk for event in events]).delete()
            BureauAction.objects.filter(pk__in=actions).delete()
