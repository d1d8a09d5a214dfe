"""POST and GET /api/v1/quote-requests: partner web sites and staff send requests, each role reads
the requests it may see; every bad payload is refused naming its fields."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from micedesk.accounts.models import ApiKey
from micedesk.leads.intake import RATE_LIMIT_PER_API_KEY
from micedesk.leads.models import Channel, QuoteRequest, RequestStatus
from tests.api.conftest import error_locations
from tests.leads import builders

URL = "/api/v1/quote-requests"


def post(client, data, *, key: str | None = None):
    headers = {"authorization": f"Bearer {key}"} if key is not None else {}
    return client.post(URL, data, content_type="application/json", headers=headers)


def get(client, path: str, data: dict | None = None, *, key: str | None = None):
    headers = {"authorization": f"Bearer {key}"} if key is not None else {}
    return client.get(path, data or {}, headers=headers)


@pytest.fixture
def payload() -> dict:
    start = timezone.localdate() + datetime.timedelta(days=60)
    return {
        "contact_name": "Event planner",
        "organisation": "Planner company",
        "email": "planner@company.example",
        "phone": "+33 2 31 00 00 00",
        "event_kind": "seminaire",
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=1)).isoformat(),
        "participants": 40,
        "layout": "theatre",
        "bedrooms": 20,
        "departments": ["14"],
        "consent_share": True,
        "message": "Two days of seminar for our sales team.",
    }


def key_id(user) -> int:
    return ApiKey.objects.get(user=user).pk


class QuoteRequestCreateTestCase:
    def test_a_partner_members_key_sends_a_request_through_its_partner(
        self, client, people, keys, payload
    ):
        response = post(client, payload, key=keys.partner)
        assert response.status_code == 201, response.content
        body = response.json()
        assert set(body) == {"id", "status", "duplicate_of"} and body["duplicate_of"] is None
        stored = QuoteRequest.objects.get(pk=body["id"])
        assert stored.status == body["status"]
        assert stored.channel == Channel.API
        assert stored.via_partner == people.partner_org
        assert stored.submitted_by == people.partner
        assert stored.client_key == f"apikey:{key_id(people.partner)}"
        assert (stored.participants, stored.bedrooms, stored.layout) == (40, 20, "theatre")

    def test_a_staff_key_sends_a_request_of_its_own(self, client, people, keys, payload):
        response = post(client, {**payload, "supplier_ids": [people.hotel.pk]}, key=keys.staff)
        assert response.status_code == 201, response.content
        stored = QuoteRequest.objects.get(pk=response.json()["id"])
        assert stored.via_partner is None and stored.channel == Channel.API
        assert list(stored.requested_suppliers.all()) == [people.hotel]

    def test_it_takes_the_optional_fields_of_the_intake(self, client, keys, payload):
        extra = {
            "organisation_kind": "association",
            "sector": "Health",
            "language": "en",
            "days": 2,
            "sessions": [{"layout": "u_shape", "attendance": 20}],
            "services": ["transport"],
            "commune": "14118",
            "radius_km": 30,
            "budget_min": "8000",
            "budget_max": "12000.50",
        }
        response = post(client, {**payload, **extra}, key=keys.partner)
        assert response.status_code == 201, response.content
        stored = QuoteRequest.objects.get(pk=response.json()["id"])
        assert stored.language == "en" and stored.commune_id == "14118"
        assert stored.sessions == [{"layout": "u_shape", "attendance": 20}]
        assert str(stored.budget_max) == "12000.50"

    def test_it_records_the_campaign_the_planner_came_from(self, client, keys, payload):
        response = post(client, {**payload, "campaign": "seminaires-au-vert"}, key=keys.partner)
        assert response.status_code == 201, response.content
        assert QuoteRequest.objects.get(pk=response.json()["id"]).campaign == "seminaires-au-vert"

    def test_the_same_event_sent_again_is_linked_to_the_first(self, client, keys, payload):
        first = post(client, payload, key=keys.partner).json()
        again = post(client, payload, key=keys.staff)
        assert again.status_code == 201
        assert again.json()["status"] == RequestStatus.DUPLICATE
        assert again.json()["duplicate_of"] == first["id"]

    @pytest.mark.parametrize("caller", ["supplier", "outsider"])
    def test_keys_of_other_roles_are_refused(self, client, keys, payload, caller):
        response = post(client, payload, key=getattr(keys, caller))
        assert response.status_code == 403
        assert QuoteRequest.objects.count() == 0

    def test_the_public_is_asked_for_a_key(self, client, people, payload):
        response = post(client, payload)
        assert response.status_code == 401
        assert response.json()["detail"][0]["loc"] == ["header", "Authorization"]
        assert QuoteRequest.objects.count() == 0

    def test_an_invalid_key_is_refused(self, client, people, payload):
        assert post(client, payload, key="mk_0000_nothing").status_code == 401

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"contact_name": None}, "contact_name"),
            ({"participants": "40"}, "participants"),
            ({"participants": 0}, "participants"),
            ({"event_kind": "party"}, "event_kind"),
            ({"layout": "circle"}, "layout"),
            ({"bedrooms": -1}, "bedrooms"),
            ({"consent_share": "yes"}, "consent_share"),
            ({"start_date": "2030-02-30"}, "start_date"),
            ({"start_date": "26/11/2030"}, "start_date"),
            ({"start_date": "2001-01-01", "end_date": "2001-01-02"}, "start_date"),
            ({"end_date": "2000-01-01"}, "end_date"),
            ({"email": "not an address"}, "email"),
            ({"departments": ["75"]}, "departments"),
            ({"departments": ["x"]}, "departments"),
            ({"supplier_ids": [999999]}, "supplier_ids"),
            ({"supplier_ids": ["one"]}, "supplier_ids"),
            ({"commune": "75056"}, "commune"),
            ({"message": "x" * 5001}, "message"),
            ({"budget_min": "100", "budget_max": "50"}, "budget_max"),
        ],
    )
    def test_it_refuses_a_bad_field_naming_it(self, client, keys, payload, changes, field):
        response = post(client, {**payload, **changes}, key=keys.partner)
        assert [loc[:2] for loc in error_locations(response)] == [["body", field]]
        assert QuoteRequest.objects.count() == 0

    def test_it_names_every_missing_field(self, client, keys):
        response = post(client, {"consent_share": False}, key=keys.partner)
        fields = {tuple(loc[:2]) for loc in error_locations(response)}
        assert {("body", name) for name in ("contact_name", "email", "participants")} <= fields

    def test_it_refuses_what_the_intake_finds_incomplete(self, client, keys, payload):
        del payload["departments"]
        response = post(client, payload, key=keys.partner)
        assert error_locations(response) == [["body", "departments"]]

    def test_it_refuses_a_body_that_is_no_object(self, client, keys):
        response = client.post(
            URL,
            "[1, 2]",
            content_type="application/json",
            headers={"authorization": f"Bearer {keys.partner}"},
        )
        assert response.status_code == 422

    def test_it_refuses_a_body_that_is_no_json(self, client, keys):
        response = client.post(
            URL,
            "{not json",
            content_type="application/json",
            headers={"authorization": f"Bearer {keys.partner}"},
        )
        assert response.status_code == 400
        assert set(response.json()["detail"][0]) == {"loc", "msg", "type"}

    def test_a_key_over_its_rate_limit_is_told_when_to_come_back(
        self, client, people, keys, payload
    ):
        client_key = f"apikey:{key_id(people.partner)}"
        for number in range(RATE_LIMIT_PER_API_KEY.count):
            builders.quote_request(client_key=client_key, email=f"planner{number}@example.org")
        response = post(client, payload, key=keys.partner)
        assert response.status_code == 429
        assert int(response["Retry-After"]) >= 1
        assert response.json()["detail"][0]["type"] == "rate_limited"
        assert QuoteRequest.objects.count() == RATE_LIMIT_PER_API_KEY.count

    def test_another_keys_requests_do_not_count_against_it(self, client, people, keys, payload):
        client_key = f"apikey:{key_id(people.partner)}"
        for number in range(RATE_LIMIT_PER_API_KEY.count):
            builders.quote_request(client_key=client_key, email=f"planner{number}@example.org")
        assert post(client, payload, key=keys.staff).status_code == 201


@pytest.fixture
def requests(people, communes):
    """In the partner's territory and sent to the hotel; in Rouen, sent to the other hotel."""
    caen = builders.quote_request(commune=communes["14118"], consent_share=False)
    builders.dispatch(caen, supplier=people.hotel)
    rouen = builders.quote_request(departments=["76"], consent_share=True, email="b@example.org")
    builders.dispatch(rouen, supplier=people.other_hotel)
    return caen, rouen


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return sorted(item["id"] for item in response.json()["results"])


class QuoteRequestReadTestCase:
    def test_staff_read_every_request_with_the_planners_details(self, client, keys, requests):
        caen, rouen = requests
        response = get(client, URL, key=keys.staff)
        assert ids(response) == sorted([caen.pk, rouen.pk])
        assert response.json()["count"] == 2
        planner = get(client, f"{URL}/{caen.pk}", key=keys.staff).json()["planner"]
        assert planner["shared"] and planner["email"] == caen.email

    def test_a_partner_reads_its_territory_only(self, client, keys, requests):
        caen, rouen = requests
        assert ids(get(client, URL, key=keys.partner)) == [caen.pk]
        assert get(client, f"{URL}/{rouen.pk}", key=keys.partner).status_code == 404
        planner = get(client, f"{URL}/{caen.pk}", key=keys.partner).json()["planner"]
        assert not planner["shared"] and planner["email"] is None

    def test_a_supplier_reads_the_requests_sent_to_it(self, client, keys, requests):
        caen, rouen = requests
        assert ids(get(client, URL, key=keys.supplier)) == [caen.pk]
        assert ids(get(client, URL, key=keys.other_supplier)) == [rouen.pk]
        assert get(client, f"{URL}/{rouen.pk}", key=keys.supplier).status_code == 404

    def test_a_supplier_reads_the_planner_only_with_consent(self, client, keys, requests):
        caen, rouen = requests
        hidden = get(client, f"{URL}/{caen.pk}", key=keys.supplier).json()["planner"]
        assert not hidden["shared"]
        assert {hidden[name] for name in ("contact_name", "organisation", "email", "phone")} == {
            None
        }
        shown = get(client, f"{URL}/{rouen.pk}", key=keys.other_supplier).json()["planner"]
        assert shown["shared"] and shown["email"] == rouen.email

    def test_an_outsider_reads_nothing(self, client, keys, requests):
        assert ids(get(client, URL, key=keys.outsider)) == []
        assert get(client, f"{URL}/{requests[0].pk}", key=keys.outsider).status_code == 404

    def test_the_public_is_asked_for_a_key(self, client, requests):
        assert get(client, URL).status_code == 401
        assert get(client, f"{URL}/{requests[0].pk}").status_code == 401

    def test_it_pages_newest_first(self, client, keys, requests):
        caen, rouen = requests
        first = get(client, URL, {"page_size": 1}, key=keys.staff).json()
        second = get(client, URL, {"page_size": 1, "page": 2}, key=keys.staff).json()
        assert first["count"] == 2
        assert [first["results"][0]["id"], second["results"][0]["id"]] == [rouen.pk, caen.pk]
        assert get(client, URL, {"page": 9}, key=keys.staff).json()["results"] == []

    @pytest.mark.parametrize("query", [{"page": 0}, {"page_size": 101}, {"page": "one"}])
    def test_it_refuses_bad_paging(self, client, keys, requests, query):
        (loc,) = error_locations(get(client, URL, query, key=keys.staff))
        assert loc[:2] == ["query", next(iter(query))]

    def test_an_unknown_id_is_not_found(self, client, keys, requests):
        assert get(client, f"{URL}/999999", key=keys.staff).status_code == 404
        assert get(client, f"{URL}/0", key=keys.staff).status_code == 422
