"""GET /api/v1/events and /api/v1/events/{id}/returns: staff read the bureau's events and what each
brought back; other keys are refused, the public is asked for a key, bad parameters are named."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from micedesk.crm.services import contact_create, quote_request_link
from micedesk.leads.models import RequestStatus
from micedesk.operations.models import (
    AttributionRule,
    BureauEvent,
    CostCategory,
    EventStatus,
    ReturnsSettings,
    SpendParameter,
)
from micedesk.operations.returns import event_returns
from micedesk.operations.services import (
    cost_line_save,
    event_create,
    event_status_set,
    guest_add,
    guest_attendance_set,
)
from tests.api.conftest import error_locations
from tests.leads import builders as lead_builders

LIST = "/api/v1/events"


def get(client, path: str, data: dict | None = None, *, key: str | None = None, **headers):
    if key is not None:
        headers["authorization"] = f"Bearer {key}"
    return client.get(path, data or {}, headers=headers)


def returns_path(event: BureauEvent) -> str:
    return f"/api/v1/events/{event.pk}/returns"


def event_made(staff, *, name: str, kind: str, starts_on: datetime.date, days: int = 1):
    data = {
        "name": name,
        "kind": kind,
        "starts_on": starts_on,
        "ends_on": starts_on + datetime.timedelta(days=days - 1),
        "place": "Paris",
        "department_code": "75",
    }
    return event_create(data=data, user=staff)


def events_build(people) -> dict[str, BureauEvent]:
    """Two events of 2025 (one cancelled) and one of 2026, none with any returns."""
    made = {
        "workshop_2025": event_made(
            people.staff,
            name="Workshop Paris",
            kind="workshop",
            starts_on=datetime.date(2025, 3, 4),
        ),
        "show_2025": event_made(
            people.staff, name="Trade show", kind="trade_show", starts_on=datetime.date(2025, 9, 9)
        ),
        "webinar_2026": event_made(
            people.staff, name="Webinar Manche", kind="webinar", starts_on=datetime.date(2026, 2, 5)
        ),
    }
    event_status_set(event=made["show_2025"], status=EventStatus.CANCELLED, user=people.staff)
    return made


def won_workshop_build(people) -> BureauEvent:
    """A workshop held a year ago where a planner was met, whose request ten months later was won
    by a supplier of the region: one useful contact, one event won, 40 × 2 delegate-days."""
    start = timezone.localdate() - datetime.timedelta(days=365)
    event = event_made(people.staff, name="Workshop Lyon", kind="workshop", starts_on=start)
    cost_line_save(
        event=event,
        user=people.staff,
        data={"category": CostCategory.VENUE, "label": "Room", "budget": Decimal("8000.00"),
              "actual": Decimal("8000.00")},
    )  # fmt: skip
    contact = contact_create(
        data={"first_name": "Demo", "last_name": "Metcontact", "email": "met@planner.example"},
        user=people.staff,
    )
    guest = guest_add(event=event, contact=contact, user=people.staff)
    guest_attendance_set(guest=guest, attendance="attended", user=people.staff)
    event_status_set(event=event, status=EventStatus.HELD, user=people.staff)
    created = timezone.now() - datetime.timedelta(days=60)
    won = lead_builders.quote_request(
        email=contact.email,
        created_at=created,
        status=RequestStatus.WON,
        won_by=people.hotel,
        outcome_participants=40,
        outcome_days=2,
        outcome_budget=Decimal("12000.00"),
    )
    quote_request_link(quote_request=won)
    return event


@pytest.fixture
def events(people) -> dict[str, BureauEvent]:
    return events_build(people)


@pytest.fixture
def won_workshop(people) -> BureauEvent:
    return won_workshop_build(people)


class EventListTestCase:
    def test_staff_read_every_event_latest_first(self, client, keys, events):
        response = get(client, LIST, key=keys.staff)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == 3
        assert [item["name"] for item in body["results"]] == [
            "Webinar Manche", "Trade show", "Workshop Paris",
        ]  # fmt: skip
        webinar = body["results"][0]
        assert webinar["kind"] == "webinar" and webinar["status"] == "planned"
        assert webinar["starts_on"] == "2026-02-05" and webinar["department"] == "75"
        assert webinar["organiser_partner"] is None and webinar["commune"] is None
        assert webinar["returns_url"] == returns_path(events["webinar_2026"])

    @pytest.mark.parametrize(
        ("query", "names"),
        [
            ({"year": 2025}, ["Trade show", "Workshop Paris"]),
            ({"kind": "workshop"}, ["Workshop Paris"]),
            ({"status": "cancelled"}, ["Trade show"]),
            ({"year": 2025, "status": "planned"}, ["Workshop Paris"]),
            ({"year": 2030}, []),
        ],
    )
    def test_it_filters_by_year_kind_and_status(self, client, keys, events, query, names):
        response = get(client, LIST, query, key=keys.staff)
        assert response.status_code == 200, response.content
        assert [item["name"] for item in response.json()["results"]] == names

    def test_it_pages(self, client, keys, events):
        second = get(client, LIST, {"page": 2, "page_size": 1}, key=keys.staff).json()
        assert second["count"] == 3
        assert [item["name"] for item in second["results"]] == ["Trade show"]
        beyond = get(client, LIST, {"page": 9, "page_size": 1}, key=keys.staff).json()
        assert beyond == {"count": 3, "results": []}

    @pytest.mark.parametrize("caller", ["supplier", "other_supplier", "partner", "outsider"])
    def test_keys_of_other_roles_are_refused(self, client, keys, events, caller):
        response = get(client, LIST, key=getattr(keys, caller))
        assert response.status_code == 403
        assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]

    def test_it_answers_in_the_callers_language(self, client, keys, events):
        french = get(client, LIST, key=keys.supplier).json()["detail"][0]["msg"]
        english = get(client, LIST, key=keys.supplier, accept_language="en").json()
        assert english["detail"][0]["msg"] == "This API key's role may not do this."
        assert french != english["detail"][0]["msg"]

    def test_the_public_is_asked_for_a_key(self, client, events):
        response = get(client, LIST)
        assert response.status_code == 401
        assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]

    def test_an_invalid_key_is_refused(self, client, events):
        assert get(client, LIST, key="mk_0000_nothing").status_code == 401

    @pytest.mark.parametrize(
        ("query", "parameter"),
        [
            ({"year": 1999}, "year"),
            ({"year": 2101}, "year"),
            ({"year": "last"}, "year"),
            ({"kind": "mailing"}, "kind"),
            ({"kind": "picnic"}, "kind"),
            ({"status": "done"}, "status"),
            ({"page": 0}, "page"),
            ({"page_size": 101}, "page_size"),
        ],
    )
    def test_it_refuses_a_bad_parameter_naming_it(self, client, keys, events, query, parameter):
        response = get(client, LIST, query, key=keys.staff)
        assert error_locations(response) == [["query", parameter]]


class EventReturnsTestCase:
    def test_staff_read_what_an_event_brought_back(self, client, keys, won_workshop):
        response = get(client, returns_path(won_workshop), key=keys.staff)
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["event"]["id"] == won_workshop.pk
        assert body["rule"] == AttributionRule.FIRST_TOUCH and body["window_months"] == 36
        assert body["contacts_met"] == 1
        assert Decimal(body["useful_contacts"]) == 1 and Decimal(body["events_won"]) == 1
        assert [Decimal(item["weight"]) for item in body["won_requests"]] == [1]
        assert Decimal(body["delegate_days"]) == 80
        assert Decimal(body["cost"]["budget"]) >= Decimal("8000.00")
        assert body["recommendation"]["code"] in {"keep", "review", "drop", "too_early"}
        assert body["recommendation"]["reasons"]
        assert set(body["ratios"]) == {
            "cost_per_useful_contact", "cost_per_event_won", "cost_per_delegate_day",
            "impact_per_euro",
        }  # fmt: skip
        assert Decimal(body["ratios"]["cost_per_useful_contact"]) > 0

    def test_it_gives_the_figures_the_domain_computes(self, client, keys, won_workshop):
        body = get(client, returns_path(won_workshop), key=keys.staff).json()
        computed = event_returns(event=won_workshop)
        assert Decimal(body["useful_contacts"]) == computed.useful_contacts
        assert Decimal(body["economic_impact"]) == computed.economic_impact
        assert Decimal(body["cost"]["net_cost"]) == computed.cost.net_cost
        assert body["recommendation"]["code"] == computed.recommendation.code
        assert body["too_small"] == computed.too_small
        parameter = computed.spend_parameter
        if parameter is not None:
            assert body["spend_parameter"]["source"] == parameter.source
            expected = computed.delegate_days * parameter.spend_per_delegate_day
            assert Decimal(body["economic_impact"]) == expected

    def test_it_uses_the_settings_staff_chose(self, client, keys, won_workshop):
        ReturnsSettings.objects.update_or_create(
            pk=1, defaults={"rule": AttributionRule.SHARED, "window_months": 6}
        )
        body = get(client, returns_path(won_workshop), key=keys.staff).json()
        assert body["rule"] == "shared" and body["window_months"] == 6
        # The request came ten months after the workshop: outside a six-month window.
        assert Decimal(body["useful_contacts"]) == 0 and body["won_requests"] == []

    def test_ratios_are_null_when_nothing_came_back(self, client, keys, events):
        body = get(client, returns_path(events["workshop_2025"]), key=keys.staff).json()
        assert body["contacts_met"] == 0 and Decimal(body["useful_contacts"]) == 0
        assert body["ratios"]["cost_per_useful_contact"] is None
        assert body["ratios"]["cost_per_event_won"] is None
        assert body["ratios"]["cost_per_delegate_day"] is None

    def test_decimals_travel_as_exact_strings(self, client, keys, won_workshop):
        SpendParameter.objects.update_or_create(
            event_kind="",
            year=timezone.localdate().year,
            defaults={"spend_per_delegate_day": Decimal("212.35"), "source": "Test figure"},
        )
        body = get(client, returns_path(won_workshop), key=keys.staff).json()
        for name in ("useful_contacts", "delegate_days", "economic_impact", "budget_total"):
            assert isinstance(body[name], str) and "e" not in body[name].lower()
        money = {name: value for name, value in body["cost"].items() if name != "by_category"}
        assert all(
            isinstance(value, str) for name, value in money.items() if name != "actual_complete"
        )

    @pytest.mark.parametrize("caller", ["supplier", "other_supplier", "partner", "outsider"])
    def test_keys_of_other_roles_are_refused(self, client, keys, won_workshop, caller):
        response = get(client, returns_path(won_workshop), key=getattr(keys, caller))
        assert response.status_code == 403

    def test_the_public_is_asked_for_a_key(self, client, won_workshop):
        response = get(client, returns_path(won_workshop))
        assert response.status_code == 401
        assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]

    def test_an_unknown_id_is_not_found(self, client, keys, events):
        missing = max(event.pk for event in events.values()) + 1
        response = get(client, f"/api/v1/events/{missing}/returns", key=keys.staff)
        assert response.status_code == 404
        assert response.json()["detail"][0]["loc"] == ["path", "id"]

    @pytest.mark.parametrize("id", ["0", "-3", "abc", str(2**63)])
    def test_a_bad_id_is_refused_naming_it(self, client, keys, events, id):
        response = get(client, f"/api/v1/events/{id}/returns", key=keys.staff)
        assert error_locations(response) == [["path", "id"]]

    def test_it_gives_no_contact_identity(self, client, keys, won_workshop):
        content = get(client, returns_path(won_workshop), key=keys.staff).content.decode()
        assert "met@planner.example" not in content and "Metcontact" not in content


class EventsOpenApiTestCase:
    @pytest.fixture
    def document(self, client, communes) -> dict:
        return client.get("/api/openapi.json").json()

    def test_it_describes_the_events_endpoints(self, document):
        [name] = document["components"]["securitySchemes"]
        for path in ("/api/v1/events", "/api/v1/events/{id}/returns"):
            operation = document["paths"][path]["get"]
            assert operation["summary"] and operation["description"]
            assert operation["security"] == [{name: []}]
            assert set(operation["responses"]) == {"200", "401", "403", "404", "422"}

    def test_it_lists_the_filters_and_their_codes(self, document):
        operation = document["paths"]["/api/v1/events"]["get"]
        parameters = {item["name"]: item for item in operation["parameters"]}
        assert set(parameters) == {"year", "kind", "status", "page", "page_size"}
        assert parameters["year"]["schema"]["minimum"] == 2000
        assert parameters["year"]["schema"]["maximum"] == 2100
        assert all("anyOf" not in item["schema"] for item in parameters.values())
        for name in ("kind", "status"):
            schema = parameters[name]["schema"]
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
            assert "mailing" not in schema["enum"]
        kinds = document["components"]["schemas"]["BureauEventKindCode"]["enum"]
        assert "workshop" in kinds and "campaign" in kinds
        assert set(document["components"]["schemas"]["BureauEventStatusCode"]["enum"]) == set(
            EventStatus.values
        )
