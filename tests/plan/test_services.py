"""Writes on the plan: only staff; bad values refused with a message and nothing half-written;
years added and copied; the spend of a year read from the bureau's events."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from micedesk.operations.models import EventStatus
from micedesk.plan import selectors, services
from micedesk.plan.models import Action, ActionStatus, ActionYear, CostItem, ItemQuantity, Kpi
from tests.operations import builders as ops

pytestmark = pytest.mark.django_db


def _year(plan, code: str, year: int) -> ActionYear:
    return ActionYear.objects.get(action__plan=plan, action__code=code, year=year)


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


# --- Who may write ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
def test_only_staff_write(plan, people, who):
    user = getattr(people, who)
    action = Action.objects.get(plan=plan, code="eductours")
    with pytest.raises(PermissionDenied):
        services.action_save(plan=plan, user=user, data={"title": "X"}, action=action)
    with pytest.raises(PermissionDenied):
        services.plan_year_add(plan=plan, user=user)
    with pytest.raises(PermissionDenied):
        services.action_year_update(
            action_year=_year(plan, "eductours", 2023), user=user, data={"priority": 5}
        )
    with pytest.raises(PermissionDenied):
        selectors.year_follow_up(user=user, plan=plan, year=2023, with_kpis=False)
    with pytest.raises(PermissionDenied):
        selectors.plan_synthesis(user=user, plan=plan)


# --- Cost estimates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"amount_low": "-10", "amount_high": "100"}, "cannot be negative"),
        ({"amount_low": "9000", "amount_high": "5000"}, "is above the high estimate"),
        ({"amount_low": "9000", "amount_high": ""}, "or neither"),
        ({"amount_low": "abc", "amount_high": "5000"}, "is not an amount"),
        ({"amount_low": "NaN", "amount_high": "5000"}, "is not an amount"),
        ({"amount_low": "1", "amount_high": "2", "for_quantity": "0"}, "at least one unit"),
        ({"amount_low": "1", "amount_high": "2", "for_quantity": "deux"}, "whole number"),
    ],
)
def test_bad_cost_estimates_are_refused(plan, people, data, message):
    item = CostItem.objects.get(action__code="eductours")
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.cost_item_save(action=item.action, user=people.staff, data=data, item=item)
    assert message in _message(caught.value)
    item.refresh_from_db()
    assert (item.amount_low, item.amount_high, item.for_quantity) == (
        Decimal("10000.00"),
        Decimal("10000.00"),
        1,
    )


def test_a_cost_estimate_is_saved_and_a_new_one_joins_every_year(plan, people):
    action = Action.objects.get(plan=plan, code="salons-workshops-nationaux")
    item = services.cost_item_save(
        action=action,
        user=people.staff,
        data={
            "label": "Salon SBE Lyon",
            "amount_low": "8 000",
            "amount_high": "12000,50",
            "unit": "salon",
        },
    )
    assert (item.amount_low, item.amount_high) == (Decimal("8000.00"), Decimal("12000.50"))
    assert ItemQuantity.objects.filter(item=item, quantity=0).count() == 3
    unknown = services.cost_item_save(
        action=action,
        user=people.staff,
        data={"label": "Autre salon", "amount_low": "", "amount_high": ""},
    )
    assert unknown.is_unknown


# --- Actions ----------------------------------------------------------------------------------


def test_a_new_action_is_followed_from_its_start(plan, people):
    objective = plan.objectives.get(number=3)
    action = services.action_save(
        plan=plan,
        user=people.staff,
        data={"objective": objective, "title": "Salon CSE", "timing": "start", "start_year": 2024},
    )
    assert action.code == "salon-cse"
    assert sorted(action.years.values_list("year", flat=True)) == [2024, 2025]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"timing": "start", "start_year": None}, "needs that year"),
        ({"timing": "start", "start_year": 2030}, "runs from 2023 to 2025"),
        ({"timing": "progressive", "event_kind": "party"}, "Unknown kind"),
        ({"timing": "progressive", "title": ""}, "This field cannot be blank"),
    ],
)
def test_bad_actions_are_refused(plan, people, data, message):
    action = Action.objects.get(plan=plan, code="eductours")
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            services.action_save(plan=plan, user=people.staff, data=data, action=action)
        assert message in _message(caught.value)
    action.refresh_from_db()
    assert action.title.startswith("Organiser des éductours")


# --- Years ------------------------------------------------------------------------------------


def test_a_year_is_added_then_copied(plan, people):
    assert services.plan_year_add(plan=plan, user=people.staff) == 2026
    plan.refresh_from_db()
    assert plan.years == [2023, 2024, 2025, 2026]
    source = _year(plan, "eductours", 2025)
    services.action_year_update(
        action_year=source,
        user=people.staff,
        data={"status": "done", "priority": 5, "actual_amount": "18000"},
    )
    kpi = source.kpis.first()
    services.kpi_save(action_year=source, user=people.staff, data={"target": "12"}, kpi=kpi)
    dropped = _year(plan, "campagnes-thematiques", 2025)
    services.action_year_update(action_year=dropped, user=people.staff, data={"status": "dropped"})

    created = services.plan_year_copy(plan=plan, year=2025, user=people.staff)
    copied = _year(plan, "eductours", 2026)
    assert copied in created
    assert (copied.status, copied.priority, copied.actual_amount) == (
        ActionStatus.PROPOSED,
        5,
        Decimal("0"),
    )
    assert copied.quantities.get().quantity == 2
    assert copied.kpis.get(name=kpi.name).target == Decimal("12")
    assert not ActionYear.objects.filter(action__code="campagnes-thematiques", year=2026).exists()
    # Copying again adds nothing; copying the new last year extends the plan.
    assert services.plan_year_copy(plan=plan, year=2025, user=people.staff) == []
    services.plan_year_copy(plan=plan, year=2026, user=people.staff)
    plan.refresh_from_db()
    assert plan.last_year == 2027


def test_copying_an_empty_or_foreign_year_is_refused(plan, people):
    services.plan_year_add(plan=plan, user=people.staff)
    with translation.override("en"), pytest.raises(ValidationError, match="no action to copy"):
        services.plan_year_copy(plan=plan, year=2026, user=people.staff)
    with translation.override("en"), pytest.raises(ValidationError, match="runs from"):
        services.plan_year_copy(plan=plan, year=2019, user=people.staff)


def test_an_action_is_followed_in_one_more_year(plan, people):
    action = Action.objects.get(plan=plan, code="table-ronde")
    added = services.action_year_add(action=action, year=2025, user=people.staff)
    assert added.quantities.get().quantity == 1
    with translation.override("en"), pytest.raises(ValidationError, match="already followed"):
        services.action_year_add(action=action, year=2025, user=people.staff)


# --- A year of an action ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "quantities", "message"),
    [
        ({"priority": 7}, None, "from 0 to 5"),
        ({"priority": "high"}, None, "from 0 to 5"),
        ({"status": "maybe"}, None, "Unknown status"),
        ({"committed_amount": "-1"}, None, "cannot be negative"),
        ({"planned_amount": "beaucoup"}, None, "is not an amount"),
        ({}, "over", "more than the 3 at most"),
        ({}, "negative", "cannot be negative"),
    ],
)
def test_bad_values_of_a_year_are_refused(plan, people, data, quantities, message):
    action_year = _year(plan, "eductours", 2024)
    item = action_year.quantities.get().item
    given = {"over": {item.pk: (4, 3)}, "negative": {item.pk: (-1, 3)}}.get(quantities)
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.action_year_update(
            action_year=action_year, user=people.staff, data=data, quantities=given
        )
    assert message in _message(caught.value)
    action_year.refresh_from_db()
    assert (action_year.priority, action_year.status) == (3, ActionStatus.PROPOSED)
    assert action_year.quantities.get().quantity == 2


def test_a_lump_sum_is_planned_once_or_not(plan, people):
    action_year = _year(plan, "table-ronde", 2023)
    item = action_year.quantities.get().item
    with translation.override("en"), pytest.raises(ValidationError, match="lump sum"):
        services.action_year_update(
            action_year=action_year, user=people.staff, data={}, quantities={item.pk: (2, 2)}
        )


# --- Indicators -------------------------------------------------------------------------------


def test_indicators_measured_or_by_hand(plan, people):
    action_year = _year(plan, "job-dating", 2024)
    hires = action_year.kpis.get(measure="")
    services.kpi_save(
        action_year=action_year,
        user=people.staff,
        data={"manual_value": "7", "manual_source": "Pôle emploi", "target": "10"},
        kpi=hires,
    )
    hires.refresh_from_db()
    assert (hires.manual_value, hires.target) == (Decimal("7"), Decimal("10"))
    assert hires.manual_by == people.staff and hires.manual_at is not None
    entered_at = hires.manual_at
    services.kpi_save(action_year=action_year, user=people.admin, data={"target": "12"}, kpi=hires)
    hires.refresh_from_db()
    assert (hires.manual_by, hires.manual_at) == (people.staff, entered_at)
    measured = action_year.kpis.exclude(measure="").first()
    with translation.override("en"), pytest.raises(ValidationError, match="measured by micedesk"):
        services.kpi_save(
            action_year=action_year, user=people.staff, data={"manual_value": "3"}, kpi=measured
        )
    with translation.override("en"), pytest.raises(ValidationError, match="Unknown measure"):
        services.kpi_save(
            action_year=action_year, user=people.staff, data={"name": "X", "measure": "made.up"}
        )
    with translation.override("en"), pytest.raises(ValidationError, match="is not a number"):
        services.kpi_save(
            action_year=action_year, user=people.staff, data={"name": "X", "target": "dix"}
        )
    assert Kpi.objects.filter(action_year=action_year, name="X").count() == 0


# --- Spend ------------------------------------------------------------------------------------


def test_spend_reads_the_events_of_the_year(plan, people):
    for day, status, budget, actual in [
        (datetime.date(2024, 5, 6), EventStatus.CLOSED, "9000", "9500"),
        (datetime.date(2024, 9, 12), EventStatus.CONFIRMED, "11000", None),
        (datetime.date(2024, 10, 1), EventStatus.CANCELLED, "8000", None),
        (datetime.date(2025, 3, 1), EventStatus.HELD, "7000", "7000"),
    ]:
        event = ops.event(kind="eductour", starts_on=day, status=status)
        ops.cost_line(event, budget=Decimal(budget), actual=actual and Decimal(actual))
    ops.cost_line(ops.event(kind="workshop", starts_on=datetime.date(2024, 6, 1)))
    action_year = _year(plan, "eductours", 2024)
    services.action_year_update(
        action_year=action_year,
        user=people.staff,
        data={"committed_amount": "500", "actual_amount": "250"},
    )
    follow = selectors.year_follow_up(user=people.staff, plan=plan, year=2024, with_kpis=False)
    row = next(r for r in follow.rows if r.action.code == "eductours")
    spend = row.spend
    assert len(spend.events) == 2
    assert (spend.planned_low, spend.planned_high) == (Decimal("20000.00"), Decimal("20000.00"))
    assert (spend.committed_events, spend.committed) == (Decimal("20000"), Decimal("20500"))
    assert (spend.actual_events, spend.actual) == (Decimal("9500"), Decimal("9750"))
    assert follow.committed >= Decimal("20500")


def test_planned_spend_totals_and_unknowns(plan, people):
    follow = selectors.year_follow_up(user=people.staff, plan=plan, year=2023, with_kpis=False)
    rows = {row.action.code: row.spend for row in follow.rows}
    assert (
        rows["recenser-qualifier-offres"].planned_low,
        rows["recenser-qualifier-offres"].planned_high,
    ) == (
        Decimal("9000.00"),
        Decimal("11000.00"),
    )
    assert rows["programme-accompagnement"].planned_high == Decimal("327500.00")
    assert rows["super-ambassadeurs"].planned_unknown
    assert [a.code for a in follow.unknowns] == ["super-ambassadeurs"]
    assert follow.planned_low == sum(s.planned_low for s in rows.values())
    assert rows["base-clients-tourinsoft"].staff_months == Decimal("2")
    # An entered budget replaces the estimate; a dropped action leaves the totals.
    services.action_year_update(
        action_year=_year(plan, "site-web", 2023),
        user=people.staff,
        data={"planned_amount": "4500"},
    )
    services.action_year_update(
        action_year=_year(plan, "programme-accompagnement", 2023),
        user=people.staff,
        data={"status": "dropped"},
    )
    again = selectors.year_follow_up(user=people.staff, plan=plan, year=2023, with_kpis=False)
    site = next(r.spend for r in again.rows if r.action.code == "site-web")
    assert site.planned_entered and site.planned_low == site.planned_high == Decimal("4500.00")
    assert again.planned_high == follow.planned_high - Decimal("327500") - Decimal(
        "6000"
    ) + Decimal("4500")
