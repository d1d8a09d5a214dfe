"""Schemathesis over the events endpoints, with a staff key and a database of events with returns:
generated valid and invalid requests never get a server error, and every answer conforms."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from schemathesis import GenerationMode

from tests.api.test_events import events_build, won_workshop_build
from tests.api.test_schemathesis import CHECKS, CONFORMANCE, run_examples

PATHS = ("/api/v1/events", "/api/v1/events/{id}/returns")


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
def events(people):
    return events_build(people)


@pytest.fixture
def won_workshop(people):
    return won_workshop_build(people)


class EventsApiConformanceTestCase:
    @pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    def test_the_events_endpoints_conform_for_a_staff_key(
        self, api_schema, keys, events, won_workshop, mode
    ):
        """Invalid parameters with a staff key get a documented refusal, never a server error.
        (The negative-data check is left out: the fixed header makes every request look like
        one whose missing `Authorization` should have been refused.)"""
        headers = {"Authorization": f"Bearer {keys.staff}"}
        for path in PATHS:
            strategy = api_schema[path]["GET"].as_strategy(generation_mode=mode)
            run_examples(strategy, CONFORMANCE, headers=headers)

    @pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    def test_the_events_endpoints_conform_for_the_public(self, api_schema, events, mode):
        for path in PATHS:
            strategy = api_schema[path]["GET"].as_strategy(generation_mode=mode)
            run_examples(strategy, CHECKS[mode])

    def test_the_returns_of_existing_events_conform(self, api_schema, keys, events, won_workshop):
        """Generated ids rarely exist: the events of the database are checked one by one."""
        operation = api_schema["/api/v1/events/{id}/returns"]["GET"]
        for event in [*events.values(), won_workshop]:
            case = operation.Case(path_parameters={"id": event.pk})
            response = case.call_and_validate(
                headers={"Authorization": f"Bearer {keys.staff}"}, checks=CONFORMANCE
            )
            assert response.status_code == 200

    @pytest.mark.parametrize("caller", ["supplier", "partner", "outsider"])
    def test_other_keys_get_documented_refusals(self, api_schema, keys, won_workshop, caller):
        operation = api_schema["/api/v1/events/{id}/returns"]["GET"]
        case = operation.Case(path_parameters={"id": won_workshop.pk})
        response = case.call_and_validate(
            headers={"Authorization": f"Bearer {getattr(keys, caller)}"}, checks=CONFORMANCE
        )
        assert response.status_code == 403
