"""No supplier or partner user can list, search, view or export contacts through any URL of the
site, nor through the API (GDPR: no file of planners shared across partners).

The URL map is walked: every route whose name speaks of contacts, companies, segments, bureau
actions, GDPR or the audit log is asked for, on GET and POST, by each role that must not get in.
A route added later under such a name is covered without changing this test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from micedesk.crm.models import ImportBatch, Segment
from tests.crm import builders

PREFIXES = ("contact", "crm", "segment", "gdpr", "audit", "compan", "bureau_action", "import")
REFUSED = ["supplier", "partner"]
SECRET_EMAIL = "secret.planner@confidential.example"


def routes(patterns: list, namespace: str = "", converters: dict | None = None) -> Iterator:
    """(full name, namespace, name, converters) of every named route, resolvers included."""
    for pattern in patterns:
        found = {**(converters or {}), **getattr(pattern.pattern, "converters", {})}
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, inner, found)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", namespace, pattern.name, found


def crm_routes() -> list[tuple[str, str, dict]]:
    seen: dict[str, tuple[str, str, dict]] = {}
    for full_name, namespace, name, converters in routes(get_resolver().url_patterns):
        if name.startswith(PREFIXES) and name != "unsubscribe":
            seen.setdefault(full_name, (full_name, namespace, converters))
    return sorted(seen.values())


CRM_ROUTES = crm_routes()


@pytest.fixture
def objects(db):
    contact = builders.contact("Secret", "Planner", email=SECRET_EMAIL)
    segment = Segment.objects.create(name="Everyone", kind="custom", rules={})
    batch = ImportBatch.objects.create(file="crm/imports/base.csv", original_name="base.csv")
    return {
        "contact": contact.pk,
        "company": builders.company("Confidential company").pk,
        "bureau_action": builders.bureau_action().pk,
        "segment": segment.pk,
        "import": batch.pk,
    }


def value_for(full_name: str, argument: str, objects: dict) -> object:
    if argument == "file_format":
        return "csv"
    for key in ("segment", "import", "compan", "bureau_action"):
        if key in full_name:
            return objects["company" if key == "compan" else key]
    if argument in ("pk", "object_id", "id"):
        return objects["contact"]
    return "x"


def url_of(full_name: str, converters: dict, objects: dict) -> str:
    kwargs = {name: value_for(full_name, name, objects) for name in converters}
    return reverse(full_name, kwargs=kwargs)


class ScopingTestCase:
    def test_it_finds_the_crm_routes(self):
        names = {full_name for full_name, _ns, _conv in CRM_ROUTES}
        for expected in ("backoffice:contacts", "backoffice:contact", "backoffice:gdpr_export"):
            assert expected in names
        assert len(names) > 20

    @pytest.mark.parametrize("who", REFUSED)
    @pytest.mark.parametrize(
        "full_name, namespace, converters", CRM_ROUTES, ids=[r[0] for r in CRM_ROUTES]
    )
    def test_no_supplier_or_partner_reaches_a_crm_route(
        self, client, people, objects, who, full_name, namespace, converters
    ):
        client.force_login(getattr(people, who))
        url = url_of(full_name, converters, objects)
        data = {"email": SECRET_EMAIL, "q": "secret", "other": objects["contact"]}
        for method in (client.get, client.post):
            response = method(url, data)
            if namespace == "admin:":
                # The administration sends anyone who is not staff to its own login page.
                assert response.status_code == 302
                assert response.url.startswith(reverse("admin:login"))
            else:
                assert response.status_code in (403, 404)
            assert SECRET_EMAIL not in response.content.decode(errors="replace")


class ApiScopingTestCase:
    def test_the_api_has_no_contact_endpoint(self, client, db):
        document = client.get("/api/openapi.json").json()
        paths = " ".join(document["paths"]).lower()
        for word in ("contact", "crm", "segment", "gdpr", "audit", "compan", "consent"):
            assert word not in paths

    @pytest.mark.parametrize("path", ["/api/v1/contacts", "/api/v1/crm/contacts", "/api/contacts"])
    def test_guessed_contact_endpoints_do_not_exist(self, client, people, path):
        client.force_login(people.partner)
        assert client.get(path).status_code == 404
