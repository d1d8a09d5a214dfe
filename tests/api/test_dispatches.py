"""GET /api/v1/quote-requests/{id}/dispatches for staff, and POST /api/v1/dispatches/{id}/response
for suppliers that answer with their own sales tools."""

from __future__ import annotations

from decimal import Decimal

import pytest

from micedesk.leads.matching import match_explanation
from micedesk.leads.models import Dispatch, DispatchStatus
from tests.api.conftest import error_locations
from tests.leads import builders

REASONS = [
    {"code": "in_department", "params": {"department": "14"}},
    {"code": "asked_by_name", "params": {}},
]


def dispatches_url(quote_request) -> str:
    return f"/api/v1/quote-requests/{quote_request.pk}/dispatches"


def answer_url(dispatch) -> str:
    return f"/api/v1/dispatches/{dispatch.pk}/response"


def headers(key: str | None, **more: str) -> dict:
    return {**({"authorization": f"Bearer {key}"} if key is not None else {}), **more}


def answer(client, dispatch, data, *, key: str | None = None):
    return client.post(
        answer_url(dispatch), data, content_type="application/json", headers=headers(key)
    )


@pytest.fixture
def sent(people):
    """A request in French sent to the hotel, to the other hotel and to the partner."""
    quote_request = builders.quote_request(language="fr")
    return (
        quote_request,
        builders.dispatch(quote_request, supplier=people.hotel, explanation=REASONS),
        builders.dispatch(quote_request, supplier=people.other_hotel),
        builders.dispatch(quote_request, partner=people.partner_org, status=DispatchStatus.PENDING),
    )


class QuoteRequestDispatchesTestCase:
    def test_staff_read_each_recipient_with_its_explanation(self, client, people, keys, sent):
        quote_request, hotel, other, partner = sent
        response = client.get(
            dispatches_url(quote_request), headers=headers(keys.staff, accept_language="en")
        )
        assert response.status_code == 200, response.content
        items = response.json()
        assert [item["id"] for item in items] == [hotel.pk, other.pk, partner.pk]
        assert items[0]["recipient"] == {
            "kind": "supplier",
            "id": people.hotel.pk,
            "name": people.hotel.name,
        }
        assert items[2]["recipient"]["kind"] == "partner"
        assert items[2]["recipient"]["id"] == people.partner_org.pk
        assert items[0]["status"] == "sent" and items[0]["sent_at"]
        assert items[2]["sent_at"] is None and items[0]["first_answer_at"] is None
        assert items[0]["explanation"] == match_explanation(reasons=REASONS, language="en")

    def test_without_accept_language_it_explains_in_the_requests_language(self, client, keys, sent):
        quote_request = sent[0]
        items = client.get(dispatches_url(quote_request), headers=headers(keys.staff)).json()
        assert items[0]["explanation"] == match_explanation(reasons=REASONS, language="fr")

    @pytest.mark.parametrize("caller", ["supplier", "partner", "outsider"])
    def test_other_roles_are_refused(self, client, keys, sent, caller):
        response = client.get(dispatches_url(sent[0]), headers=headers(getattr(keys, caller)))
        assert response.status_code == 403

    def test_the_public_is_asked_for_a_key(self, client, sent):
        assert client.get(dispatches_url(sent[0])).status_code == 401

    def test_an_unknown_request_is_not_found(self, client, keys, sent):
        response = client.get(
            "/api/v1/quote-requests/999999/dispatches", headers=headers(keys.staff)
        )
        assert response.status_code == 404


class DispatchResponseTestCase:
    def test_a_supplier_says_it_is_interested(self, client, keys, sent):
        hotel = sent[1]
        response = answer(client, hotel, {"status": "interested"}, key=keys.supplier)
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "interested" and response.json()["first_answer_at"]
        hotel.refresh_from_db()
        assert hotel.status == DispatchStatus.INTERESTED and hotel.first_answer_at is not None

    def test_a_supplier_sends_a_proposal_then_wins(self, client, keys, sent):
        hotel = sent[1]
        answer(client, hotel, {"status": "interested"}, key=keys.supplier)
        proposal = answer(
            client, hotel, {"status": "proposal", "amount": "12500.50"}, key=keys.supplier
        )
        assert proposal.json()["proposal_amount"] == "12500.50"
        assert answer(client, hotel, {"status": "won"}, key=keys.supplier).status_code == 200
        hotel.refresh_from_db()
        assert hotel.status == DispatchStatus.WON
        assert hotel.proposal_amount == Decimal("12500.50")

    def test_a_supplier_declines_with_a_reason_or_loses_to_someone(self, client, keys, sent):
        hotel, other = sent[1], sent[2]
        declined = answer(
            client, hotel, {"status": "declined", "reason": "Fully booked"}, key=keys.supplier
        )
        assert declined.status_code == 200
        answer(client, other, {"status": "interested"}, key=keys.other_supplier)
        lost = answer(
            client, other, {"status": "lost", "lost_to": "A competitor"}, key=keys.other_supplier
        )
        assert lost.status_code == 200
        hotel.refresh_from_db()
        other.refresh_from_db()
        assert hotel.decline_reason == "Fully booked"
        assert (other.status, other.lost_to) == (DispatchStatus.LOST, "A competitor")

    def test_another_suppliers_dispatch_is_not_found(self, client, keys, sent):
        hotel, other = sent[1], sent[2]
        assert answer(client, other, {"status": "interested"}, key=keys.supplier).status_code == 404
        assert (
            answer(client, hotel, {"status": "interested"}, key=keys.other_supplier).status_code
            == 404
        )
        assert Dispatch.objects.get(pk=other.pk).status == DispatchStatus.SENT

    def test_a_partner_dispatch_is_not_answered_here(self, client, keys, sent):
        partner = sent[3]
        response = answer(
            client, partner, {"status": "declined", "reason": "No"}, key=keys.supplier
        )
        assert response.status_code == 404

    def test_an_unknown_dispatch_is_not_found(self, client, keys, sent):
        response = client.post(
            "/api/v1/dispatches/999999/response",
            {"status": "interested"},
            content_type="application/json",
            headers=headers(keys.supplier),
        )
        assert response.status_code == 404

    @pytest.mark.parametrize("caller", ["staff", "partner", "outsider"])
    def test_keys_of_other_roles_are_refused(self, client, keys, sent, caller):
        response = answer(client, sent[1], {"status": "interested"}, key=getattr(keys, caller))
        assert response.status_code == 403
        assert Dispatch.objects.get(pk=sent[1].pk).status == DispatchStatus.SENT

    def test_the_public_is_asked_for_a_key(self, client, sent):
        assert answer(client, sent[1], {"status": "interested"}).status_code == 401

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"status": "declined"}, "reason"),
            ({"status": "proposal"}, "amount"),
            ({"status": "interested", "amount": "100"}, "amount"),
            ({"status": "interested", "lost_to": "Someone"}, "lost_to"),
            ({"status": "won"}, "status"),
            ({"status": "forwarded"}, "status"),
            ({"status": "maybe"}, "status"),
            ({"status": "proposal", "amount": 100}, "amount"),
            ({"status": "proposal", "amount": "-5"}, "amount"),
            ({"status": "declined", "reason": "x" * 2001}, "reason"),
            ({}, "status"),
        ],
    )
    def test_it_refuses_a_bad_answer_naming_the_field(self, client, keys, sent, data, field):
        response = answer(client, sent[1], data, key=keys.supplier)
        assert [loc[:2] for loc in error_locations(response)] == [["body", field]]
        assert Dispatch.objects.get(pk=sent[1].pk).status == DispatchStatus.SENT
