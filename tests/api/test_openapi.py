"""The OpenAPI document at /api/openapi.json: operations, codes, security and error shapes."""

from __future__ import annotations

import pytest

from micedesk.directory.vocab import EQUIPMENT, LABELS, LAYOUTS, THEMES


@pytest.fixture
def document(client, communes) -> dict:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.json()


def parameters(document: dict, path: str) -> dict[str, dict]:
    operation = document["paths"][path]["get"]
    return {parameter["name"]: parameter for parameter in operation["parameters"]}


def resolve(document: dict, schema: dict) -> dict:
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


class OpenApiDocumentTestCase:
    def test_it_describes_every_operation(self, document):
        assert document["openapi"].startswith("3.")
        assert document["info"]["title"] and document["info"]["description"]
        assert set(document["paths"]) == {
            "/api/v1/suppliers", "/api/v1/suppliers/{id}", "/api/v1/quote-requests",
            "/api/v1/quote-requests/{id}", "/api/v1/quote-requests/{id}/dispatches",
            "/api/v1/dispatches/{id}/response", "/api/v1/events", "/api/v1/events/{id}/returns",
            "/api/v1/plan/actions", "/api/v1/plan/synthesis",
        }  # fmt: skip
        for path in document["paths"].values():
            for operation in path.values():
                assert operation["summary"] and operation["description"]

    def test_it_lists_every_search_parameter(self, document):
        assert set(parameters(document, "/api/v1/suppliers")) == {
            "q", "department", "kind", "layout", "min_capacity", "min_bedrooms", "equipment",
            "label", "theme", "level", "commune", "radius_km", "sort", "page", "page_size",
        }  # fmt: skip

    def test_it_gives_the_codes_each_parameter_accepts(self, document):
        search = parameters(document, "/api/v1/suppliers")
        assert resolve(document, search["layout"]["schema"])["enum"] == LAYOUTS
        assert search["equipment"]["schema"]["items"]["enum"] == EQUIPMENT.codes
        assert search["label"]["schema"]["items"]["enum"] == LABELS.codes
        assert search["theme"]["schema"]["items"]["enum"] == THEMES.codes
        assert search["department"]["schema"]["items"]["enum"] == ["14", "27", "50", "61", "76"]
        assert search["page_size"]["schema"]["maximum"] == 100

    def test_it_never_offers_null_for_a_query_parameter(self, document):
        for parameter in parameters(document, "/api/v1/suppliers").values():
            assert "anyOf" not in parameter["schema"], parameter["name"]

    def test_it_declares_the_optional_bearer_key(self, document):
        [(name, scheme)] = document["components"]["securitySchemes"].items()
        assert scheme["type"] == "http" and scheme["scheme"] == "bearer"
        for path in ("/api/v1/suppliers", "/api/v1/suppliers/{id}"):
            assert document["paths"][path]["get"]["security"] == [{name: []}, {}]

    def test_it_requires_a_key_for_quote_requests_and_dispatches(self, document):
        [name] = document["components"]["securitySchemes"]
        for path, operations in document["paths"].items():
            if path.startswith("/api/v1/suppliers"):
                continue
            for operation in operations.values():
                assert operation["security"] == [{name: []}]

    def test_it_documents_the_error_answers(self, document):
        search = document["paths"]["/api/v1/suppliers"]["get"]["responses"]
        detail = document["paths"]["/api/v1/suppliers/{id}"]["get"]["responses"]
        assert set(search) == {"200", "401", "422"}
        assert set(detail) == {"200", "401", "404", "422"}
        error = document["components"]["schemas"]["ErrorOut"]
        assert error["properties"]["detail"]["type"] == "array"

    def test_it_serves_the_interactive_documentation(self, client, db):
        response = client.get("/api/docs")
        assert response.status_code == 200
        assert b"/api/openapi.json" in response.content
