"""GET /api/v1/plan/actions and /api/v1/plan/synthesis: staff read the action plan, its estimates,
years, spend and KPIs, and its synthesis; other keys are refused, bad parameters are named."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from micedesk.operations.models import CostCategory
from micedesk.operations.services import cost_line_save, event_create
from micedesk.plan.models import Action, ActionYear, Kpi, Plan
from micedesk.plan.reference import DEFAULT_PLAN_FILE, load_plan
from micedesk.plan.selectors import action_estimate, plan_synthesis
from tests.api.conftest import error_locations

ACTIONS = "/api/v1/plan/actions"
SYNTHESIS = "/api/v1/plan/synthesis"
CODE = "normandie-2023-2025"


@pytest.fixture
def plan(db) -> Plan:
    """The Normandy 2023–2025 plan, as `make run` loads it (as in tests/plan/conftest.py)."""
    return load_plan(DEFAULT_PLAN_FILE).plan


def get(client, path: str, data: dict | None = None, *, key: str | None = None):
    headers = {"authorization": f"Bearer {key}"} if key is not None else {}
    return client.get(path, data or {}, headers=headers)


def by_code(body: dict) -> dict[str, dict]:
    return {item["code"]: item for item in body["results"]}


def every_action(client, key: str, **query) -> dict:
    response = get(client, ACTIONS, {"plan": CODE, "page_size": 100, **query}, key=key)
    assert response.status_code == 200, response.content
    return response.json()


class PlanApiAccessTestCase:
    @pytest.mark.parametrize("path", [ACTIONS, SYNTHESIS])
    def test_the_public_is_asked_for_a_key(self, client, db, path):
        response = get(client, path)
        assert response.status_code == 401
        assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]

    @pytest.mark.parametrize("path", [ACTIONS, SYNTHESIS])
    @pytest.mark.parametrize("caller", ["supplier", "partner", "outsider"])
    def test_other_roles_are_refused(self, client, keys, path, caller):
        response = get(client, path, key=getattr(keys, caller))
        assert response.status_code == 403
        assert response.json()["detail"][0]["msg"]


class PlanActionListTestCase:
    def test_staff_read_every_action_with_the_plans_estimate(self, client, keys, plan):
        body = every_action(client, keys.staff)
        assert body["plan"] == {
            "code": CODE,
            "title": plan.title,
            "first_year": 2023,
            "last_year": 2025,
        }
        assert body["year"] is None
        assert body["count"] == Action.objects.filter(plan=plan).count() == len(body["results"])
        for action in Action.objects.filter(plan=plan).prefetch_related("costs"):
            item = by_code(body)[action.code]
            costs = list(action.costs.all())
            low, high, unknown = action_estimate(costs)
            if any(not cost.is_unknown for cost in costs):
                assert (item["cost_low"], item["cost_high"]) == (str(low), str(high))
            assert item["cost_unknown"] is unknown
            assert len(item["costs"]) == len(costs)
            assert [year["year"] for year in item["years"]] == sorted(
                action.years.values_list("year", flat=True)
            )

    def test_an_action_carries_the_issues_short_names(self, client, keys, plan):
        eductours = by_code(every_action(client, keys.staff))["eductours"]
        assert eductours["objective"] == {"number": 2, "title": eductours["objective"]["title"]}
        assert eductours["also_objectives"] == [3]
        assert eductours["title"] == "Organiser des éductours en partenariat avec des destinations"
        assert eductours["timing"] == "progressive" and eductours["event_kind"] == "eductour"
        assert (eductours["cost_low"], eductours["cost_high"]) == ("10000.00", "10000.00")
        assert eductours["cost_unit"] == "éductour" and eductours["quantity"] == 2
        assert [kpi["measure"] for kpi in eductours["kpis"]] == [
            "events.eductour.useful_contacts",
            "events.eductour.impact_per_euro",
        ]
        first = eductours["years"][0]
        assert first["year"] == 2023 and first["status"] in {"proposed", "planned"}
        assert first["quantities"] == [
            {"label": "Éductour", "cost_unit": "éductour", "quantity": 2, "max_quantity": 3}
        ]
        assert first["spend"]["planned_low"] == "20000.00"
        assert first["kpis"][0]["measured"] is True and first["kpis"][0]["source"]

    def test_an_action_without_a_figure_says_so(self, client, keys, plan):
        ambassadors = by_code(every_action(client, keys.staff))["super-ambassadeurs"]
        assert ambassadors["cost_low"] is None and ambassadors["cost_high"] is None
        assert ambassadors["cost_unknown"] is True
        assert ambassadors["costs"][0]["cost_low"] is None

    def test_one_year_shows_its_spend_from_the_bureaus_events(self, client, keys, plan, people):
        event = event_create(
            data={
                "name": "Éductour Cotentin",
                "kind": "eductour",
                "starts_on": datetime.date(2024, 5, 14),
                "ends_on": datetime.date(2024, 5, 15),
                "place": "Cherbourg",
                "department_code": "50",
            },
            user=people.staff,
        )
        cost_line_save(
            event=event,
            user=people.staff,
            data={
                "category": CostCategory.TRANSPORT,
                "label": "Coach",
                "budget": Decimal("3000.00"),
                "actual": Decimal("2800.00"),
            },
        )
        body = every_action(client, keys.staff, year=2024)
        assert body["year"] == 2024
        eductours = by_code(body)["eductours"]
        assert [year["year"] for year in eductours["years"]] == [2024]
        spend = eductours["years"][0]["spend"]
        assert spend["committed_events"] == "3000.00" and spend["actual_events"] == "2800.00"
        assert spend["events"] == 1

    def test_a_kpi_entered_by_hand_says_who_entered_it(self, client, keys, plan):
        action_year = ActionYear.objects.get(action__plan=plan, action__code="eductours", year=2025)
        Kpi.objects.create(
            action_year=action_year,
            position=9,
            name="Articles de presse",
            target=Decimal("4"),
            manual_value=Decimal("5"),
            manual_source="Revue de presse du CRT",
        )
        eductours = by_code(every_action(client, keys.staff, year=2025))["eductours"]
        entered = eductours["kpis"][-1]
        assert entered == {
            "name": "Articles de presse",
            "measure": None,
            "unit": "",
            "target": "4.00",
            "value": "5.00",
            "measured": False,
            "source": "Revue de presse du CRT",
        }

    def test_an_objective_keeps_the_actions_its_synthesis_lists(self, client, keys, plan):
        body = every_action(client, keys.staff, objective=3)
        codes = set(by_code(body))
        assert "eductours" in codes and "super-ambassadeurs" in codes
        assert "qualifier-demandes-devis" not in codes
        assert body["count"] == len(codes)

    def test_it_pages_the_actions(self, client, keys, plan):
        total = Action.objects.filter(plan=plan).count()
        first = get(client, ACTIONS, {"page_size": 2}, key=keys.staff).json()
        assert first["count"] == total and len(first["results"]) == 2
        beyond = get(client, ACTIONS, {"page": 1000, "page_size": 2}, key=keys.staff).json()
        assert beyond["count"] == total and beyond["results"] == []

    def test_it_reads_the_current_plan_by_default(self, client, keys, plan):
        newer = Plan.objects.create(code="plan-2026-2028", title="Plan 2026", first_year=2026,
                                    last_year=2028)  # fmt: skip
        body = get(client, ACTIONS, key=keys.staff).json()
        today = timezone.localdate().year
        expected = newer if newer.first_year <= today <= newer.last_year else plan
        assert body["plan"]["code"] == expected.code

    def test_its_queries_do_not_grow_with_the_actions(
        self, client, keys, plan, django_assert_max_num_queries
    ):
        # One computation of the measures per year of the plan, a fixed number of reads besides.
        with django_assert_max_num_queries(110):
            every_action(client, keys.staff)
        with django_assert_max_num_queries(45):
            every_action(client, keys.staff, year=2024)


class PlanActionListRefusalTestCase:
    def test_an_unknown_plan_is_not_found(self, client, keys, plan):
        response = get(client, ACTIONS, {"plan": "plan-inconnu"}, key=keys.staff)
        assert response.status_code == 404
        assert response.json()["detail"][0]["loc"] == ["query", "plan"]

    def test_no_plan_at_all_is_not_found(self, client, keys, db):
        for path in (ACTIONS, SYNTHESIS):
            response = get(client, path, key=keys.staff)
            assert response.status_code == 404
            assert response.json()["detail"][0]["loc"] == ["query", "plan"]

    @pytest.mark.parametrize(
        ("query", "location"),
        [
            ({"year": 2026}, ["query", "year"]),
            ({"year": 1999}, ["query", "year"]),
            ({"year": "next"}, ["query", "year"]),
            ({"objective": 4}, ["query", "objective"]),
            ({"objective": 0}, ["query", "objective"]),
            ({"plan": "not a code!"}, ["query", "plan"]),
            ({"page": 0}, ["query", "page"]),
            ({"page_size": 101}, ["query", "page_size"]),
        ],
    )
    def test_a_bad_parameter_is_named(self, client, keys, plan, query, location):
        response = get(client, ACTIONS, query, key=keys.staff)
        assert error_locations(response) == [location]

    def test_every_bad_parameter_is_named_at_once(self, client, keys, plan):
        response = get(client, ACTIONS, {"year": 2030, "objective": 7}, key=keys.staff)
        assert error_locations(response) == [["query", "year"], ["query", "objective"]]
        assert "2023" in response.json()["detail"][0]["msg"]


class PlanSynthesisTestCase:
    def test_staff_read_the_plans_synthesis(self, client, keys, plan, people):
        response = get(client, SYNTHESIS, {"plan": CODE}, key=keys.staff)
        assert response.status_code == 200, response.content
        body = response.json()
        expected = plan_synthesis(user=people.staff, plan=plan)
        assert body["plan"]["code"] == CODE
        assert Decimal(body["plan"]["stated_min_budget"]) == Decimal("130000")
        assert (body["total_low"], body["total_high"]) == (str(expected.low), str(expected.high))
        assert [part["number"] for part in body["objectives"]] == [1, 2, 3]
        for part, objective in zip(body["objectives"], expected.objectives, strict=True):
            assert part["total_low"] == str(objective.low)
            assert part["total_high"] == str(objective.high)
        assert "Poursuivre le programme des « Super Ambassadeurs »" in body["unknowns"]
        third = body["objectives"][2]
        shared = [row for row in third["actions"] if row["code"] == "eductours"]
        assert shared and shared[0]["shared"] is True

    def test_it_reads_the_current_plan_by_default(self, client, keys, plan):
        response = get(client, SYNTHESIS, key=keys.staff)
        assert response.status_code == 200 and response.json()["plan"]["code"] == CODE

    @pytest.mark.parametrize(
        ("query", "status", "location"),
        [
            ({"plan": "plan-inconnu"}, 404, ["query", "plan"]),
            ({"plan": "x" * 61}, 422, ["query", "plan"]),
        ],
    )
    def test_a_bad_plan_is_named(self, client, keys, plan, query, status, location):
        response = get(client, SYNTHESIS, query, key=keys.staff)
        assert response.status_code == status
        assert response.json()["detail"][0]["loc"] == location
