"""Schemathesis over the action plan endpoints, with a staff key and the Normandy plan loaded:
generated valid and invalid requests never get a server error, and every answer conforms."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode

from micedesk.plan.reference import DEFAULT_PLAN_FILE, load_plan
from tests.api.test_schemathesis import CHECKS, CONFORMANCE

PATHS = ("/api/v1/plan/actions", "/api/v1/plan/synthesis")
# Each staff request reads the whole plan: fewer examples than the other endpoints keep it fast.
EXAMPLES = 25


@pytest.fixture
def api_schema(directory):
    """The document as served, called in this process and transaction (as in test_schemathesis)."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture
def plan(db):
    return load_plan(DEFAULT_PLAN_FILE).plan


def run_examples(strategy, checks, headers: dict | None = None) -> None:
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case) -> None:
        case.call_and_validate(headers=headers, checks=checks)

    run()


class PlanApiConformanceTestCase:
    @pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    def test_the_plan_endpoints_conform_for_a_staff_key(self, api_schema, keys, plan, mode):
        """Invalid parameters with a staff key get a documented refusal, never a server error.
        (The negative-data check is left out, as for the events: the fixed header makes every
        request look like one whose missing `Authorization` should have been refused.)"""
        headers = {"Authorization": f"Bearer {keys.staff}"}
        for path in PATHS:
            strategy = api_schema[path]["GET"].as_strategy(generation_mode=mode)
            run_examples(strategy, CONFORMANCE, headers=headers)

    @pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    def test_the_plan_endpoints_conform_for_the_public(self, api_schema, plan, mode):
        for path in PATHS:
            strategy = api_schema[path]["GET"].as_strategy(generation_mode=mode)
            run_examples(strategy, CHECKS[mode])

    def test_the_plan_and_each_of_its_years_conform(self, api_schema, keys, plan):
        """Generated codes and years rarely exist: the loaded plan is read whole and per year."""
        headers = {"Authorization": f"Bearer {keys.staff}"}
        actions = api_schema["/api/v1/plan/actions"]["GET"]
        for query in [{"plan": plan.code, "page_size": 100}] + [
            {"plan": plan.code, "year": year, "page_size": 100} for year in plan.years
        ]:
            response = actions.Case(query=query).call_and_validate(
                headers=headers, checks=CONFORMANCE
            )
            assert response.status_code == 200
        synthesis = api_schema["/api/v1/plan/synthesis"]["GET"]
        response = synthesis.Case(query={"plan": plan.code}).call_and_validate(
            headers=headers, checks=CONFORMANCE
        )
        assert response.status_code == 200

    @pytest.mark.parametrize("caller", ["supplier", "partner", "outsider"])
    def test_other_keys_get_documented_refusals(self, api_schema, keys, plan, caller):
        for path in PATHS:
            case = api_schema[path]["GET"].Case(query={"plan": plan.code})
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {getattr(keys, caller)}"}, checks=CONFORMANCE
            )
            assert response.status_code == 403
