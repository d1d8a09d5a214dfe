"""Property-based run of schemathesis against the OpenAPI document, over a database with suppliers.

For every operation, generated valid and invalid requests must never get a server error, and every
answer must have a documented status code, content type and schema. Invalid requests must be
refused. Hypothesis is derandomised and bounded, so the run is the same every time.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

CONFORMANCE = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CHECKS = {
    GenerationMode.POSITIVE: CONFORMANCE,
    GenerationMode.NEGATIVE: [*CONFORMANCE, negative_data_rejection],
}
EXAMPLES = 50


@pytest.fixture
def api_schema(directory):
    """The document as served, calling Django's WSGI application in this process and transaction."""
    # Django closes the connection around each request; inside a test's transaction that would
    # end the transaction (the test client disconnects these signals in the same way).
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


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


class OpenApiConformanceTestCase:
    @pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    def test_every_operation_conforms_for_the_public(self, api_schema, mode):
        operations = [result.ok() for result in api_schema.get_all_operations()]
        assert len(operations) == 11
        for operation in operations:
            run_examples(operation.as_strategy(generation_mode=mode), CHECKS[mode])

    def test_every_operation_conforms_for_a_staff_key(self, api_schema, keys):
        headers = {"Authorization": f"Bearer {keys.staff}"}
        for result in api_schema.get_all_operations():
            strategy = result.ok().as_strategy(generation_mode=GenerationMode.POSITIVE)
            run_examples(strategy, CONFORMANCE, headers=headers)

    def test_existing_listings_conform(self, api_schema, directory, keys):
        """Generated ids rarely exist: the listings of the database are checked one by one."""
        operation = api_schema["/api/v1/suppliers/{id}"]["GET"]
        for supplier in (directory.hotel, directory.chateau, directory.hotel_draft):
            case = operation.Case(path_parameters={"id": supplier.pk})
            case.call_and_validate(
                headers={"Authorization": f"Bearer {keys.staff}"}, checks=CONFORMANCE
            )
