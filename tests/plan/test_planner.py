"""The budget planner: CP-SAT against brute force on small problems, the values and returns
factors, the Normandy plan's 2023 with the plan's own caps, what it refuses, and applying a
selection to the year."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from micedesk.operations.models import SpendParameter
from micedesk.plan import planner
from micedesk.plan.models import ActionStatus, ActionYear, ItemQuantity
from micedesk.plan.planner import Option, Problem, solve, solve_exhaustively
from tests.operations import builders

BUDGET, FTE = Decimal("130000"), Decimal("2")


def option(key: str, cost: int, value: int, most: int = 1, least: int = 0, staff: int = 0):
    return Option(
        key, key, cost, staff, planner.unit_values(1, Decimal(value) / 1000, most), least, most
    )


def action_year(plan, code: str, year: int = 2023) -> ActionYear:
    return ActionYear.objects.get(action__plan=plan, action__code=code, year=year)


def answer(plan, user, **caps):
    caps.setdefault("year", 2023)
    caps.setdefault("budget", BUDGET)
    caps.setdefault("fte", FTE)
    return planner.plan_budget(user=user, plan=plan, **caps)


def chosen(result) -> dict[str, dict[str, int]]:
    return {
        choice.action.code: {line.item.label: line.quantity for line in choice.lines if line.option}
        for choice in result.chosen
    }


# --- The core ---------------------------------------------------------------------------------

options_strategy = st.lists(
    st.tuples(
        st.integers(0, 4000),  # unit cost
        st.integers(0, 300),  # unit staff
        st.integers(0, 5000),  # first unit's value
        st.integers(0, 3),  # at most
        st.booleans(),  # committed
    ),
    max_size=5,
)


class SolverTestCase:
    @settings(max_examples=60, deadline=None)
    @given(options_strategy, st.integers(0, 12000), st.integers(0, 600))
    def test_it_finds_the_brute_force_optimum(self, raw, budget, staff):
        options = tuple(
            Option(
                f"o{index}",
                "",
                cost,
                unit_staff,
                tuple(value // k for k in range(1, most + 1)),
                most if committed else 0,
                most,
            )
            for index, (cost, unit_staff, value, most, committed) in enumerate(raw)
        )
        problem = Problem(options, budget, staff)
        found, reference = solve(problem), solve_exhaustively(problem)
        assert found.status == reference.status
        assert (found.value, found.cost) == (reference.value, reference.cost)
        if found.feasible:
            assert found.optimal
            assert found.cost <= budget and found.staff <= staff
            for item in options:
                assert item.min_q <= found.quantities[item.key] <= item.max_q

    def test_it_keeps_committed_units_even_of_no_value(self):
        problem = Problem((option("a", 500, 0, most=2, least=2), option("b", 500, 9000)), 1200, 0)
        assert solve(problem).quantities == {"a": 2, "b": 0}

    def test_it_says_when_committed_units_exceed_the_caps(self):
        problem = Problem((option("a", 500, 10, least=1),), 400, 0)
        assert solve(problem).status == "infeasible"

    def test_a_cap_change_changes_the_selection(self):
        options = (
            option("fair", 5000, 4000),
            option("video", 1000, 1000),
            option("tour", 3000, 2000),
        )
        assert solve(Problem(options, 6000, 0)).quantities == {"fair": 1, "video": 1, "tour": 0}
        assert solve(Problem(options, 4000, 0)).quantities == {"fair": 0, "video": 1, "tour": 1}

    def test_staff_time_is_a_cap_too(self):
        options = (option("a", 0, 1000, staff=200), option("b", 0, 900, staff=150))
        assert solve(Problem(options, 0, 300)).quantities == {"a": 1, "b": 0}

    def test_of_equal_value_it_takes_the_cheaper(self):
        options = (option("dear", 900, 1000), option("cheap", 100, 1000))
        assert solve(Problem(options, 950, 0)).quantities == {"dear": 0, "cheap": 1}

    def test_each_unit_is_worth_less_than_the_one_before(self):
        assert planner.unit_values(3, Decimal("1.5"), 3) == (4500, 2250, 1500)
        assert planner.unit_values(0, Decimal("2"), 2) == (0, 0)

    def test_it_refuses_duplicate_keys(self):
        with pytest.raises(ValueError):
            solve(Problem((option("a", 1, 1), option("a", 1, 1)), 10, 0))

    def test_nothing_to_choose_is_an_empty_selection(self):
        assert solve(Problem((option("a", 10, 10, most=0),), 0, 0)).quantities == {"a": 0}


# --- Returns factors ------------------------------------------------------------------------


class FactorTestCase:
    def test_it_divides_by_the_median_and_clamps(self):
        factors = planner.factors_from_ratios(
            {
                "trade_show": (Decimal("6"), 2),
                "workshop": (Decimal("2"), 3),
                "eductour": (Decimal("0.5"), 1),
                "webinar": (None, 4),
            },
            (2022, 2022),
        )
        assert factors["workshop"].value == Decimal("1.00")
        assert factors["trade_show"].value == Decimal("2")  # 3, clamped
        assert factors["eductour"].value == Decimal("0.5")  # 0.25, clamped
        assert factors["webinar"].value == 1 and not factors["webinar"].measured

    def test_it_reads_the_returns_of_past_events(self, db, communes):
        SpendParameter.objects.create(
            event_kind="", year=2022, spend_per_delegate_day=Decimal("200"), source="test"
        )
        day = datetime.date(2022, 3, 14)
        show = builders.event(kind="trade_show", starts_on=day)
        builders.cost_line(show, budget=Decimal("8000"))
        planner_contact = builders.contact()
        builders.met(show, planner_contact)
        builders.won_request(
            planner_contact, created_at=builders.aware(datetime.date(2022, 9, 1)), participants=50
        )
        workshop = builders.event(kind="workshop", starts_on=day)
        builders.cost_line(workshop, budget=Decimal("1000"))
        factors = planner.returns_factors(year=2023)
        # 20 000 € of impact for 8 000 €: 2.5 a euro; the workshop measured nothing.
        assert factors["trade_show"].ratio == Decimal("2.50")
        assert factors["workshop"].ratio == Decimal("0.00")
        assert factors["trade_show"].value == Decimal("2")
        assert factors["workshop"].value == Decimal("0.5")
        with translation.override("en"):
            assert "2.50 €" in factors["trade_show"].explanation
        assert planner.returns_factors(year=2022) == {}


# --- The Normandy plan ----------------------------------------------------------------------


@pytest.mark.django_db
class NormandyPlanTestCase:
    def test_it_fills_the_plans_own_budget_and_explains(self, plan, people):
        result = answer(plan, people.staff)
        assert result.solution.optimal
        assert result.cost <= BUDGET and result.staff_months <= 24
        assert result.cost == Decimal("127666.67")
        # Every option not at its maximum says why; the item without a figure is apart.
        assert all(line.why for _choice, line in result.left)
        assert {c.action.code for c, _line in result.unknown} == {"super-ambassadeurs"}
        assert "super-ambassadeurs" not in chosen(result)
        assert {line.reason for _c, line in result.left} <= {
            planner.WORTH_LESS,
            planner.DOES_NOT_FIT,
            planner.TOO_DEAR,
        }

    def test_the_answer_is_the_same_each_time(self, plan, people):
        first, second = answer(plan, people.staff), answer(plan, people.staff)
        assert first.solution.quantities == second.solution.quantities

    def test_committed_actions_stay_in(self, plan, people):
        heavent = action_year(plan, "salons-workshops-nationaux")
        heavent.status, heavent.priority = ActionStatus.COMMITTED, 1
        heavent.save()
        result = answer(plan, people.staff)
        assert chosen(result)["salons-workshops-nationaux"] == {
            "Participation au salon Heavent Cannes": 1
        }
        assert result.committed_cost == Decimal("52000.00")

    def test_a_lower_cap_leaves_actions_out(self, plan, people):
        full = chosen(answer(plan, people.staff))
        tight = chosen(answer(plan, people.staff, budget=Decimal("60000")))
        assert set(tight) < set(full)

    def test_measured_returns_weigh_in(self, plan, people, monkeypatch):
        # Only the trade show (52 000 €) and the annual meeting (50 000 €) wanted, room for one.
        ActionYear.objects.filter(action__plan=plan, year=2023).exclude(
            action__code__in=["salons-workshops-nationaux", "temps-fort-annuel"]
        ).update(priority=0)
        alike = answer(plan, people.staff, budget=Decimal("60000"))
        assert set(chosen(alike)) == {"temps-fort-annuel"}  # same value: the cheaper
        factor = planner.Factor(
            Decimal("2"), "trade_show", Decimal("6"), Decimal("3"), 4, (2020, 2022)
        )
        monkeypatch.setattr(planner, "returns_factors", lambda year: {"trade_show": factor})
        result = answer(plan, people.staff, budget=Decimal("60000"))
        assert set(chosen(result)) == {"salons-workshops-nationaux"}
        heavent = result.chosen[0]
        assert heavent.factor.value == 2 and heavent.value == 6000
        reasons = {c.action.code: line.reason for c, line in result.left}
        assert reasons["temps-fort-annuel"] == planner.WORTH_LESS

    def test_not_wanted_and_dropped_are_out_with_their_reason(self, plan, people):
        tours = action_year(plan, "eductours")
        tours.priority = 0
        tours.save()
        site = action_year(plan, "site-web")
        site.status = ActionStatus.DROPPED
        site.save()
        reasons = {c.action.code: line.reason for c, line in answer(plan, people.staff).left}
        assert reasons["eductours"] == planner.NOT_WANTED
        assert reasons["site-web"] == planner.DROPPED

    def test_the_next_10k_says_what_it_buys(self, plan, people):
        step = answer(plan, people.staff).next_step
        assert step.budget == Decimal("140000")
        assert step.changes and step.value > 0
        assert step.cost <= Decimal("10000") + Decimal("2333.33")

    def test_with_everything_in_the_next_10k_buys_nothing(self, plan, people):
        step = answer(plan, people.staff, budget=Decimal("2000000")).next_step
        assert step.changes == [] and step.cheapest is None

    def test_staff_time_can_leave_actions_out(self, plan, people):
        result = answer(plan, people.staff, fte=Decimal("0.1"))
        assert result.staff_months <= Decimal("1.2")
        reasons = {c.action.code: line.reason for c, line in result.left}
        assert reasons["base-clients-tourinsoft"] == planner.STAFF
        assert result.no_staff_time  # most of the plan's costs give no staff time


@pytest.mark.django_db
class RefusalTestCase:
    def refused(self, plan, user, **caps) -> dict:
        with translation.override("en"), pytest.raises(ValidationError) as caught:
            answer(plan, user, **caps)
        return caught.value.message_dict

    def test_a_negative_budget(self, plan, people):
        assert "budget" in self.refused(plan, people.staff, budget=Decimal("-1"))

    def test_a_budget_that_is_not_a_number(self, plan, people):
        assert (
            "“lots” is not a number." in self.refused(plan, people.staff, budget="lots")["budget"]
        )

    def test_a_negative_or_infinite_fte(self, plan, people):
        assert "fte" in self.refused(plan, people.staff, fte="-2")
        assert "fte" in self.refused(plan, people.staff, fte="Infinity")

    def test_a_budget_below_what_is_committed(self, plan, people):
        heavent = action_year(plan, "salons-workshops-nationaux")
        heavent.status = ActionStatus.COMMITTED
        heavent.save()
        message = self.refused(plan, people.staff, budget=Decimal("40000"))["budget"][0]
        assert message.startswith("The budget (40,000 €) is below the 52,000 € already committed")
        assert "Assurer une participation à des salons" in message

    def test_staff_time_below_what_is_committed(self, plan, people):
        base = action_year(plan, "base-clients-tourinsoft")
        base.status = ActionStatus.DONE
        base.save()
        message = self.refused(plan, people.staff, fte=Decimal("0.1"))["fte"][0]
        assert "(0.10 full-time equivalents, 1.20 months) is below the 2 months already" in message

    def test_a_year_outside_the_plan(self, plan, people):
        assert "year" in self.refused(plan, people.staff, year=2026)

    def test_an_unknown_basis(self, plan, people):
        assert "basis" in self.refused(plan, people.staff, basis="median")

    def test_someone_not_staff(self, plan, people):
        for user in (people.supplier, people.partner, people.outsider):
            with pytest.raises(PermissionDenied):
                answer(plan, user)


# --- Applying ---------------------------------------------------------------------------------


@pytest.mark.django_db
class ApplyTestCase:
    def test_it_writes_the_chosen_quantities_and_keeps_the_actions(self, plan, people):
        committed = action_year(plan, "table-ronde")
        committed.status = ActionStatus.COMMITTED
        committed.save()
        result = answer(plan, people.staff, budget=Decimal("60000"))
        changed = planner.budget_apply(user=people.staff, plan=plan, year=2023, answer=result)
        assert changed > 0
        for choice in result.choices:
            ay = ActionYear.objects.get(pk=choice.action_year.pk)
            if choice.committed:
                assert ay.status == ActionStatus.COMMITTED
            elif any(line.option for line in choice.lines):
                expected = ActionStatus.PLANNED if choice.chosen else ActionStatus.PROPOSED
                assert ay.status == expected
        for pk, quantity in result.quantities.items():
            assert ItemQuantity.objects.get(pk=pk).quantity == quantity
        # Super Ambassadeurs has no figure: left as planned.
        assert action_year(plan, "super-ambassadeurs").status == ActionStatus.PROPOSED
        # Applying the same answer again changes nothing.
        again = answer(plan, people.staff, budget=Decimal("60000"))
        assert planner.budget_apply(user=people.staff, plan=plan, year=2023, answer=again) == 0

    def test_it_refuses_a_selection_the_year_has_moved_on_from(self, plan, people):
        result = answer(plan, people.staff)
        ActionYear.objects.filter(pk=action_year(plan, "eductours").pk).update(priority=5)
        before = list(ItemQuantity.objects.order_by("pk").values_list("quantity", flat=True))
        with pytest.raises(ValidationError):
            planner.budget_apply(user=people.staff, plan=plan, year=2023, answer=result)
        after = list(ItemQuantity.objects.order_by("pk").values_list("quantity", flat=True))
        assert before == after

    def test_it_refuses_another_year_and_non_staff(self, plan, people):
        result = answer(plan, people.staff)
        with pytest.raises(ValidationError):
            planner.budget_apply(user=people.staff, plan=plan, year=2024, answer=result)
        with pytest.raises(PermissionDenied):
            planner.budget_apply(user=people.outsider, plan=plan, year=2023, answer=result)
