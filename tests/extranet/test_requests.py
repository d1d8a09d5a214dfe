"""The quote requests in the extranet: a supplier member's dispatches and answers, a partner
member's territory and forwarding."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.leads.models import Dispatch, DispatchStatus, Match
from tests.factories import SupplierFactory
from tests.leads import builders

LIST = reverse("extranet:requests")
S = DispatchStatus


def dispatch_url(dispatch: Dispatch, name: str = "extranet:dispatch") -> str:
    return reverse(name, kwargs={"pk": dispatch.pk})


@pytest.fixture
def sent(people, communes):
    """A request for Caen sent to the hotel, and one for Rouen sent to the competitor."""
    caen = builders.quote_request(commune=communes["14118"], consent_share=True)
    rouen = builders.quote_request(
        commune=communes["76540"], departments=["76"], email="other@planner.example"
    )
    return {
        "hotel": builders.dispatch(caen, supplier=people.hotel),
        "other": builders.dispatch(rouen, supplier=people.other_hotel),
    }


@pytest.fixture
def to_partner(people, communes):
    """A request for Bayeux sent to the partner, with two ranked matches."""
    request = builders.quote_request(commune=communes["14047"], email="bayeux@planner.example")
    for rank, supplier in enumerate((people.hotel, people.other_hotel), start=1):
        Match.objects.create(
            quote_request=request,
            supplier=supplier,
            eligible=True,
            rank=rank,
            score=1 / rank,
            reasons=[{"code": "bedrooms", "params": {"count": 40, "wanted": 20}}],
        )
    return builders.dispatch(request, partner=people.partner_org)


class RequestsListTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        response = client.get(LIST)
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize("who", ["outsider", "staff", "admin"])
    def test_it_refuses_users_who_are_not_members(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(LIST).status_code == 403

    def test_a_supplier_sees_the_dispatches_to_its_listings_only(self, client, people, sent):
        client.force_login(people.supplier)
        response = client.get(LIST)
        assert response.status_code == 200
        assert list(response.context["dispatches"]) == [sent["hotel"]]
        assert f'data-dispatch="{sent["other"].pk}"' not in response.text
        assert "territory" not in response.context

    def test_it_flags_a_dispatch_unanswered_after_72_hours(self, client, people, sent):
        sent["hotel"].sent_at = timezone.now() - datetime.timedelta(hours=73)
        sent["hotel"].save()
        client.force_login(people.supplier)
        response = client.get(LIST)
        assert response.context["dispatches"][0].is_late
        assert 'data-testid="late"' in response.text

    def test_it_does_not_flag_a_recent_dispatch(self, client, people, sent):
        client.force_login(people.supplier)
        response = client.get(LIST)
        assert not response.context["dispatches"][0].is_late
        assert 'data-testid="late"' not in response.text

    def test_a_partner_sees_its_territory_and_its_own_dispatches(
        self, client, people, sent, to_partner
    ):
        client.force_login(people.partner)
        response = client.get(LIST)
        assert response.status_code == 200
        assert list(response.context["dispatches"]) == [to_partner]
        territory = {request.pk for request in response.context["territory"]}
        assert territory == {sent["hotel"].quote_request_id, to_partner.quote_request_id}
        assert sent["other"].quote_request_id not in territory


class DispatchDetailTestCase:
    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people, sent):
        response = client.get(dispatch_url(sent["hotel"]))
        assert response.status_code == 302

    @pytest.mark.parametrize("who", ["outsider", "staff"])
    def test_it_refuses_users_who_are_not_members(self, client, people, sent, who):
        client.force_login(getattr(people, who))
        assert client.get(dispatch_url(sent["hotel"])).status_code == 403

    def test_the_recipient_opens_it_and_it_becomes_viewed(self, client, people, sent):
        client.force_login(people.supplier)
        response = client.get(dispatch_url(sent["hotel"]))
        assert response.status_code == 200
        sent["hotel"].refresh_from_db()
        assert sent["hotel"].status == S.VIEWED and sent["hotel"].viewed_at is not None
        assert 'data-testid="answer-form"' in response.text

    def test_it_stays_late_once_viewed_until_answered(self, client, people, sent):
        sent["hotel"].sent_at = timezone.now() - datetime.timedelta(hours=80)
        sent["hotel"].save()
        client.force_login(people.supplier)
        response = client.get(dispatch_url(sent["hotel"]))
        assert 'data-testid="late"' in response.text

    def test_another_suppliers_dispatch_is_not_found(self, client, people, sent):
        client.force_login(people.other_supplier)
        assert client.get(dispatch_url(sent["hotel"])).status_code == 404
        sent["hotel"].refresh_from_db()
        assert sent["hotel"].status == S.SENT

    def test_it_shows_the_planner_who_consented(self, client, people, sent):
        client.force_login(people.supplier)
        response = client.get(dispatch_url(sent["hotel"]))
        assert response.context["planner"].shared
        assert "planner@company.example" in response.text

    def test_it_hides_the_planner_who_did_not_consent(self, client, people, sent):
        request = sent["hotel"].quote_request
        request.consent_share = False
        request.save()
        client.force_login(people.supplier)
        response = client.get(dispatch_url(sent["hotel"]))
        assert not response.context["planner"].shared
        assert "planner@company.example" not in response.text
        assert "+33 2 31 00 00 00" not in response.text
        assert 'data-testid="planner-private"' in response.text

    def test_a_partner_reads_a_supplier_dispatch_of_its_territory_without_acting(
        self, client, people, sent
    ):
        client.force_login(people.partner)
        response = client.get(dispatch_url(sent["hotel"]))
        assert response.status_code == 200
        assert not response.context["planner"].shared
        assert "planner@company.example" not in response.text
        assert 'data-testid="answer-form"' not in response.text
        sent["hotel"].refresh_from_db()
        assert sent["hotel"].status == S.SENT and sent["hotel"].viewed_at is None

    def test_a_partner_is_refused_outside_its_territory(self, client, people, sent):
        client.force_login(people.partner)
        assert client.get(dispatch_url(sent["other"])).status_code == 404

    def test_the_partner_opens_its_dispatch_with_the_ranked_matches(
        self, client, people, to_partner
    ):
        client.force_login(people.partner)
        response = client.get(dispatch_url(to_partner))
        assert response.status_code == 200
        matches = response.context["matches"]
        assert [match.supplier for match in matches] == [people.hotel, people.other_hotel]
        assert all(match.explanation_text for match in matches)
        assert 'data-testid="forward-form"' in response.text
        to_partner.refresh_from_db()
        assert to_partner.status == S.VIEWED


class DispatchAnswerTestCase:
    def answer(self, client, dispatch, **data):
        return client.post(dispatch_url(dispatch, "extranet:dispatch_answer"), data)

    def test_the_answer_flow_from_viewed_to_won(self, client, people, sent):
        dispatch = sent["hotel"]
        client.force_login(people.supplier)
        assert client.get(dispatch_url(dispatch)).status_code == 200
        response = self.answer(client, dispatch, status="interested")
        assert response.status_code == 302 and response.url == dispatch_url(dispatch)
        dispatch.refresh_from_db()
        assert dispatch.status == S.INTERESTED and dispatch.first_answer_at is not None
        first_answer = dispatch.first_answer_at
        assert self.answer(client, dispatch, status="proposal", amount="4250,50").status_code == 302
        dispatch.refresh_from_db()
        assert dispatch.status == S.PROPOSAL and dispatch.proposal_amount == Decimal("4250.50")
        assert self.answer(client, dispatch, status="won").status_code == 302
        dispatch.refresh_from_db()
        assert dispatch.status == S.WON and dispatch.first_answer_at == first_answer
        page = client.get(dispatch_url(dispatch))
        assert 'data-status="won"' in page.text

    def test_a_loss_records_to_whom_and_why(self, client, people, sent):
        dispatch = sent["hotel"]
        client.force_login(people.supplier)
        self.answer(client, dispatch, status="interested")
        response = self.answer(
            client, dispatch, status="lost", lost_to="A competitor", lost_reason="Price"
        )
        assert response.status_code == 302
        dispatch.refresh_from_db()
        assert (dispatch.status, dispatch.lost_to, dispatch.lost_reason) == (
            S.LOST,
            "A competitor",
            "Price",
        )

    def test_a_refusal_with_its_reason_is_shown(self, client, people, sent):
        dispatch = sent["hotel"]
        client.force_login(people.supplier)
        response = self.answer(client, dispatch, status="declined", reason="Fully booked")
        assert response.status_code == 302
        dispatch.refresh_from_db()
        assert dispatch.status == S.DECLINED and dispatch.decline_reason == "Fully booked"
        page = client.get(dispatch_url(dispatch))
        assert 'data-testid="refusal"' in page.text and "Fully booked" in page.text

    @pytest.mark.parametrize(
        ("data", "field"),
        [
            ({"status": "declined"}, "reason"),
            ({"status": "interested", "amount": "100"}, "amount"),
            ({"status": "maybe"}, "status"),
            ({}, "status"),
            ({"status": "won"}, "status"),
            ({"status": "interested", "lost_to": "A competitor"}, "lost_to"),
            ({"status": "interested", "reason": "No reason"}, "reason"),
        ],
    )
    def test_it_refuses_a_bad_answer(self, client, people, sent, data, field):
        dispatch = sent["hotel"]
        client.force_login(people.supplier)
        response = self.answer(client, dispatch, **data)
        assert response.status_code == 400
        assert field in response.context["answer_form"].errors
        dispatch.refresh_from_db()
        assert dispatch.status == S.SENT and dispatch.first_answer_at is None

    @pytest.mark.parametrize("amount", ["abc", "-5", "99999999999"])
    def test_it_refuses_a_bad_amount(self, client, people, sent, amount):
        dispatch = sent["hotel"]
        client.force_login(people.supplier)
        self.answer(client, dispatch, status="interested")
        response = self.answer(client, dispatch, status="proposal", amount=amount)
        assert response.status_code == 400
        assert "amount" in response.context["answer_form"].errors
        dispatch.refresh_from_db()
        assert dispatch.status == S.INTERESTED and dispatch.proposal_amount is None

    def test_a_proposal_needs_an_amount(self, client, people, sent):
        dispatch = sent["hotel"]
        client.force_login(people.supplier)
        self.answer(client, dispatch, status="interested")
        response = self.answer(client, dispatch, status="proposal")
        assert response.status_code == 400
        assert "amount" in response.context["answer_form"].errors

    def test_another_supplier_cannot_answer(self, client, people, sent):
        client.force_login(people.other_supplier)
        response = self.answer(client, sent["hotel"], status="interested")
        assert response.status_code == 404
        sent["hotel"].refresh_from_db()
        assert sent["hotel"].status == S.SENT

    def test_a_partner_cannot_answer_for_a_supplier(self, client, people, sent):
        client.force_login(people.partner)
        assert self.answer(client, sent["hotel"], status="interested").status_code == 404

    def test_an_outsider_is_refused(self, client, people, sent):
        client.force_login(people.outsider)
        assert self.answer(client, sent["hotel"], status="interested").status_code == 403

    def test_it_answers_only_to_post(self, client, people, sent):
        client.force_login(people.supplier)
        response = client.get(dispatch_url(sent["hotel"], "extranet:dispatch_answer"))
        assert response.status_code == 405

    def test_the_partner_declines_with_a_reason(self, client, people, to_partner):
        client.force_login(people.partner)
        response = self.answer(client, to_partner, status="declined", reason="Not our area")
        assert response.status_code == 302
        to_partner.refresh_from_db()
        assert to_partner.status == S.DECLINED

    def test_the_partner_cannot_say_interested(self, client, people, to_partner):
        client.force_login(people.partner)
        response = self.answer(client, to_partner, status="interested")
        assert response.status_code == 400
        assert "status" in response.context["answer_form"].errors
        to_partner.refresh_from_db()
        assert to_partner.status == S.SENT


class DispatchForwardTestCase:
    def forward(self, client, dispatch, ids):
        url = dispatch_url(dispatch, "extranet:dispatch_forward")
        return client.post(url, {"supplier_ids": [str(pk) for pk in ids]})

    def test_the_partner_forwards_to_the_suppliers_it_picks(self, client, people, to_partner):
        client.force_login(people.partner)
        response = self.forward(client, to_partner, [people.hotel.pk])
        assert response.status_code == 302
        to_partner.refresh_from_db()
        assert to_partner.status == S.FORWARDED
        forwarded = Dispatch.objects.get(
            quote_request=to_partner.quote_request, supplier=people.hotel
        )
        assert forwarded.forwarded_by == people.partner_org
        assert not Dispatch.objects.filter(
            quote_request=to_partner.quote_request, supplier=people.other_hotel
        ).exists()

    def test_forwarding_again_adds_only_the_new_suppliers(self, client, people, to_partner):
        client.force_login(people.partner)
        self.forward(client, to_partner, [people.hotel.pk])
        assert (
            self.forward(client, to_partner, [people.hotel.pk, people.other_hotel.pk]).status_code
            == 302
        )
        suppliers = Dispatch.objects.filter(
            quote_request=to_partner.quote_request, supplier__isnull=False
        ).values_list("supplier_id", flat=True)
        assert sorted(suppliers) == sorted([people.hotel.pk, people.other_hotel.pk])

    def test_the_forwarded_supplier_then_answers(self, client, people, to_partner):
        client.force_login(people.partner)
        self.forward(client, to_partner, [people.hotel.pk])
        forwarded = Dispatch.objects.get(
            quote_request=to_partner.quote_request, supplier=people.hotel
        )
        client.force_login(people.supplier)
        assert client.get(dispatch_url(forwarded)).status_code == 200
        url = dispatch_url(forwarded, "extranet:dispatch_answer")
        assert client.post(url, {"status": "interested"}).status_code == 302
        forwarded.refresh_from_db()
        assert forwarded.status == S.INTERESTED

    def test_it_refuses_an_empty_choice(self, client, people, to_partner):
        client.force_login(people.partner)
        response = self.forward(client, to_partner, [])
        assert response.status_code == 400
        assert "supplier_ids" in response.context["forward_form"].errors
        to_partner.refresh_from_db()
        assert to_partner.status == S.SENT

    def test_it_refuses_a_supplier_outside_the_matches(self, client, people, to_partner):
        stranger = SupplierFactory()
        client.force_login(people.partner)
        response = self.forward(client, to_partner, [stranger.pk])
        assert response.status_code == 400
        assert not Dispatch.objects.filter(supplier=stranger).exists()

    def test_it_refuses_a_number_that_is_no_number(self, client, people, to_partner):
        client.force_login(people.partner)
        response = client.post(
            dispatch_url(to_partner, "extranet:dispatch_forward"), {"supplier_ids": ["x"]}
        )
        assert response.status_code == 400

    def test_a_supplier_dispatch_is_not_forwarded(self, client, people, sent):
        client.force_login(people.supplier)
        assert self.forward(client, sent["hotel"], [people.hotel.pk]).status_code == 404

    def test_a_supplier_member_cannot_forward_a_partner_dispatch(self, client, people, to_partner):
        client.force_login(people.supplier)
        assert self.forward(client, to_partner, [people.hotel.pk]).status_code == 404
        to_partner.refresh_from_db()
        assert to_partner.status == S.SENT

    def test_an_outsider_is_refused(self, client, people, to_partner):
        client.force_login(people.outsider)
        assert self.forward(client, to_partner, [people.hotel.pk]).status_code == 403
