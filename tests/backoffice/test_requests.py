"""The quote requests in the back-office: the inbox, a request's page and the staff's actions."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse

from micedesk.leads.models import (
    Dispatch,
    DispatchStatus,
    Match,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
)
from tests.factories import SupplierFactory
from tests.leads import builders

INBOX = reverse("backoffice:requests")
NOT_STAFF = ["supplier", "other_supplier", "partner", "outsider"]
ACTIONS = ["merge", "split", "release", "reject", "reroute", "outcome"]
_emails = itertools.count(1)


def planner_request(**fields: object) -> QuoteRequest:
    """A request of its own planner: never a duplicate of another test request."""
    fields.setdefault("email", f"planner{next(_emails)}@company.example")
    return builders.quote_request(**fields)


def url(name: str, request: QuoteRequest) -> str:
    return reverse(f"backoffice:{name}", kwargs={"pk": request.pk})


@pytest.fixture
def routed(people, communes):
    """A routed request for Caen, matched to both hotels and sent to the first."""
    request = planner_request(
        commune=communes["14118"], organisation="Seminar makers", spam_score=12
    )
    Match.objects.create(
        quote_request=request,
        supplier=people.hotel,
        eligible=True,
        rank=1,
        score=0.9,
        reasons=[{"code": "bedrooms", "params": {"bedrooms": 40, "wanted": 20}}],
    )
    Match.objects.create(
        quote_request=request,
        supplier=people.other_hotel,
        eligible=True,
        rank=2,
        score=0.5,
        reasons=[{"code": "bedrooms", "params": {"bedrooms": 30, "wanted": 20}}],
    )
    RoutingLogEntry.objects.create(quote_request=request, event="routed")
    builders.dispatch(request, supplier=people.hotel)
    return request


class InboxTestCase:
    def test_staff_get_in(self, client, people, routed):
        client.force_login(people.staff)
        response = client.get(INBOX)
        assert response.status_code == 200
        assert [item.pk for item in response.context["page"]] == [routed.pk]
        assert url("request", routed) in response.text

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_everyone_else(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(INBOX).status_code == 403

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people):
        response = client.get(INBOX)
        assert response.status_code == 302
        assert response.url.startswith(reverse("portal:login"))

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ({"status": "quarantined"}, {"spam"}),
            ({"channel": "api"}, {"api"}),
            ({"department": "76"}, {"rouen"}),
            ({"q": "seminar makers"}, {"caen"}),
            ({"status": "routed", "department": "14"}, {"caen"}),
            ({}, {"caen", "rouen", "spam", "api"}),
        ],
    )
    def test_it_filters(self, client, people, communes, routed, query, expected):
        made = {
            "caen": routed,
            "rouen": planner_request(commune=communes["76540"], departments=["76"]),
            "spam": planner_request(status=RequestStatus.QUARANTINED, departments=["27"]),
            "api": planner_request(channel="api", departments=["50"]),
        }
        client.force_login(people.staff)
        response = client.get(INBOX, query)
        assert response.status_code == 200
        shown = {item.pk for item in response.context["page"]}
        assert shown == {made[name].pk for name in expected}

    @pytest.mark.parametrize(
        "query", [{"status": "lost-in-space"}, {"channel": "fax"}, {"department": "99"}]
    )
    def test_it_refuses_a_bad_filter(self, client, people, routed, query):
        client.force_login(people.staff)
        response = client.get(INBOX, query)
        assert response.status_code == 400
        assert response.context["page"] is None


class RequestDetailTestCase:
    def test_staff_see_qualification_matching_log_and_dispatches(self, client, people, routed):
        client.force_login(people.staff)
        response = client.get(url("request", routed))
        assert response.status_code == 200
        assert 'data-testid="spam-score">12<' in response.text
        explanations = [match.explanation_text for match in response.context["matches"]]
        assert len(explanations) == 2 and all(explanations)
        assert [d.supplier for d in response.context["dispatches"]] == [people.hotel]
        assert 'data-event="routed"' in response.text

    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_everyone_else(self, client, people, routed, who):
        client.force_login(getattr(people, who))
        assert client.get(url("request", routed)).status_code == 403

    def test_an_unknown_request_is_not_found(self, client, people):
        client.force_login(people.staff)
        assert client.get(reverse("backoffice:request", kwargs={"pk": 999999})).status_code == 404

    def test_it_links_a_duplicate_to_its_first_request(self, client, people, routed):
        copy = planner_request(status=RequestStatus.DUPLICATE, duplicate_of=routed)
        client.force_login(people.staff)
        response = client.get(url("request", copy))
        assert 'data-testid="duplicate-of"' in response.text
        assert url("request", routed) in response.text
        assert 'data-testid="split"' in response.text


class ActionAccessTestCase:
    @pytest.mark.parametrize("action", ACTIONS)
    @pytest.mark.parametrize("who", NOT_STAFF)
    def test_it_refuses_everyone_but_staff(self, client, people, routed, action, who):
        client.force_login(getattr(people, who))
        assert client.post(url(f"request_{action}", routed)).status_code == 403
        assert QuoteRequest.objects.get(pk=routed.pk).status == RequestStatus.ROUTED

    @pytest.mark.parametrize("action", ACTIONS)
    def test_it_answers_only_to_post(self, client, people, routed, action):
        client.force_login(people.staff)
        assert client.get(url(f"request_{action}", routed)).status_code == 405


class QuarantineTestCase:
    def test_staff_release_a_genuine_request(self, client, people):
        request = planner_request(status=RequestStatus.QUARANTINED, spam_score=70)
        client.force_login(people.staff)
        response = client.post(url("request_release", request))
        assert response.status_code == 302
        request.refresh_from_db()
        assert request.status == RequestStatus.RECEIVED
        assert request.log.filter(event="released", actor=people.staff).exists()

    def test_staff_reject_spam(self, client, people):
        request = planner_request(status=RequestStatus.QUARANTINED, spam_score=90)
        client.force_login(people.staff)
        assert client.post(url("request_reject", request)).status_code == 302
        request.refresh_from_db()
        assert request.status == RequestStatus.REJECTED

    @pytest.mark.parametrize("action", ["release", "reject"])
    def test_it_refuses_a_request_not_in_quarantine(self, client, people, routed, action):
        client.force_login(people.staff)
        response = client.post(url(f"request_{action}", routed))
        assert response.status_code == 400
        assert response.context["forms"][action].non_field_errors()
        routed.refresh_from_db()
        assert routed.status == RequestStatus.ROUTED


class MergeSplitTestCase:
    def test_staff_merge_a_request_into_the_one_it_repeats(self, client, people, routed):
        copy = planner_request()
        client.force_login(people.staff)
        response = client.post(url("request_merge", copy), {"keep": routed.reference})
        assert response.status_code == 302
        copy.refresh_from_db()
        assert copy.status == RequestStatus.DUPLICATE and copy.duplicate_of == routed

    @pytest.mark.parametrize("keep", ["", "NO-SUCH-REF", "self"])
    def test_it_refuses_a_bad_request_to_keep(self, client, people, routed, keep):
        copy = planner_request()
        client.force_login(people.staff)
        reference = copy.reference if keep == "self" else keep
        response = client.post(url("request_merge", copy), {"keep": reference})
        assert response.status_code == 400
        assert response.context["forms"]["merge"].errors
        copy.refresh_from_db()
        assert copy.status == RequestStatus.ROUTED and copy.duplicate_of is None

    def test_it_refuses_to_keep_a_quarantined_request(self, client, people, routed):
        spam = planner_request(status=RequestStatus.QUARANTINED)
        client.force_login(people.staff)
        response = client.post(url("request_merge", routed), {"keep": spam.reference})
        assert response.status_code == 400
        routed.refresh_from_db()
        assert routed.status == RequestStatus.ROUTED

    def test_staff_split_off_a_duplicate(self, client, people, routed):
        copy = planner_request(status=RequestStatus.DUPLICATE, duplicate_of=routed)
        client.force_login(people.staff)
        assert client.post(url("request_split", copy)).status_code == 302
        copy.refresh_from_db()
        assert copy.status == RequestStatus.RECEIVED and copy.duplicate_of is None

    def test_it_refuses_to_split_a_request_that_is_no_duplicate(self, client, people, routed):
        client.force_login(people.staff)
        response = client.post(url("request_split", routed))
        assert response.status_code == 400
        assert response.context["forms"]["split"].non_field_errors()


class RerouteTestCase:
    def test_staff_send_it_to_a_matching_supplier(self, client, people, routed):
        client.force_login(people.staff)
        data = {"supplier_ids": [str(people.other_hotel.pk)]}
        assert client.post(url("request_reroute", routed), data).status_code == 302
        assert routed.dispatches.filter(supplier=people.other_hotel).exists()
        assert routed.log.filter(event="rerouted").exists()

    def test_each_supplier_receives_it_once(self, client, people, routed):
        client.force_login(people.staff)
        for _ in range(2):
            data = {"supplier_ids": [str(people.hotel.pk)], "other_ids": str(people.hotel.pk)}
            assert client.post(url("request_reroute", routed), data).status_code == 302
        assert Dispatch.objects.filter(quote_request=routed, supplier=people.hotel).count() == 1

    def test_staff_send_it_to_a_supplier_by_number(self, client, people, routed):
        extra = SupplierFactory()
        client.force_login(people.staff)
        data = {"other_ids": f" {extra.pk} "}
        assert client.post(url("request_reroute", routed), data).status_code == 302
        assert routed.dispatches.filter(supplier=extra).exists()

    @pytest.mark.parametrize(
        "data",
        [{}, {"other_ids": "one, two"}, {"other_ids": "999999"}, {"supplier_ids": ["999999"]}],
    )
    def test_it_refuses_a_bad_choice(self, client, people, routed, data):
        client.force_login(people.staff)
        response = client.post(url("request_reroute", routed), data)
        assert response.status_code == 400
        assert response.context["forms"]["reroute"].errors
        assert routed.dispatches.count() == 1


class OutcomeTestCase:
    def test_staff_record_a_win(self, client, people, routed):
        client.force_login(people.staff)
        data = {"supplier": people.hotel.pk, "participants": 38, "days": 2, "budget": "12000"}
        assert client.post(url("request_outcome", routed), data).status_code == 302
        routed.refresh_from_db()
        assert routed.status == RequestStatus.WON and routed.won_by == people.hotel
        assert routed.outcome_declared_by == "staff"
        dispatch = routed.dispatches.get(supplier=people.hotel)
        assert dispatch.status == DispatchStatus.WON

    def test_staff_record_a_loss(self, client, people, routed):
        client.force_login(people.staff)
        assert client.post(url("request_outcome", routed), {"supplier": ""}).status_code == 302
        routed.refresh_from_db()
        assert routed.status == RequestStatus.LOST and routed.won_by is None

    @pytest.mark.parametrize(
        "data",
        [
            {"supplier": "hotel"},
            {"supplier": "other_hotel", "participants": 38, "days": 2, "budget": "100"},
            {"supplier": "hotel", "participants": 0, "days": 2, "budget": "100"},
            {"supplier": "hotel", "participants": 38, "days": 99, "budget": "100"},
            {"supplier": "hotel", "participants": 38, "days": 2, "budget": "-1"},
            {"supplier": "nope"},
        ],
    )
    def test_it_refuses_a_bad_outcome(self, client, people, routed, data):
        data = dict(data)
        if data["supplier"] in ("hotel", "other_hotel"):
            data["supplier"] = getattr(people, data["supplier"]).pk
        client.force_login(people.staff)
        response = client.post(url("request_outcome", routed), data)
        assert response.status_code == 400
        assert response.context["forms"]["outcome"].errors
        routed.refresh_from_db()
        assert routed.status == RequestStatus.ROUTED and routed.outcome_declared_at is None

    def test_it_refuses_an_outcome_for_a_quarantined_request(self, client, people):
        spam = planner_request(status=RequestStatus.QUARANTINED)
        client.force_login(people.staff)
        response = client.post(url("request_outcome", spam), {"supplier": ""})
        assert response.status_code == 400
        spam.refresh_from_db()
        assert spam.status == RequestStatus.QUARANTINED
