"""The planner's private page: who answered, the outcome declared after the event, and the clear
refusals of forged, expired and dead links."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from micedesk.leads.links import quote_request_link
from micedesk.leads.models import DispatchStatus, RequestStatus
from tests.leads.builders import dispatch, quote_request
from tests.leads.test_links import old_token


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture
def finished(directory):
    """A routed request whose event is over: sent to the château (which answered) and the hotel,
    and asked of the caterer by name."""
    request = quote_request(
        start_date=days_ago(5), end_date=days_ago(4), requested_suppliers=[directory["caterer"]]
    )
    dispatch(
        request,
        supplier=directory["chateau"],
        status=DispatchStatus.PROPOSAL,
        first_answer_at=timezone.now(),
        explanation="internal matching explanation",
    )
    dispatch(request, supplier=directory["hotel"])
    return request


def follow_url(request, *, language: str = "") -> str:
    return f"/{language}" * bool(language) + quote_request_link(quote_request=request)


WON = {"participants": "38", "days": "2", "budget": "9500.50"}


@pytest.mark.django_db
class RequestFollowTestCase:
    def test_the_planner_sees_who_answered(self, client, finished, directory):
        response = client.get(follow_url(finished))
        assert response.status_code == 200
        html = response.content.decode()
        assert finished.reference in html
        assert f'data-supplier-id="{directory["chateau"].pk}"' in html
        assert 'data-status="proposal"' in html
        assert 'data-status="sent"' in html
        assert "internal matching explanation" not in html
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"

    def test_it_works_under_the_english_prefix(self, client, finished):
        response = client.get(follow_url(finished, language="en"))
        assert response.status_code == 200
        assert "Who answered" in response.content.decode()

    def test_it_refuses_a_forged_token(self, client, finished):
        url = follow_url(finished)
        forged = url[:-2] + ("A" if url[-2] != "A" else "B") + "/"
        response = client.get(forged)
        assert response.status_code == 403
        assert 'data-testid="request-link-invalid"' in response.content.decode()

    def test_it_refuses_a_made_up_token(self, client, finished):
        assert client.get("/demandes/suivi/not-a-token/").status_code == 403

    def test_it_refuses_an_expired_token(self, client, finished):
        response = client.get(f"/demandes/suivi/{old_token(finished, 181)}/")
        assert response.status_code == 410
        assert 'data-testid="request-link-invalid"' in response.content.decode()

    def test_it_refuses_the_link_of_a_deleted_request(self, client, finished):
        url = follow_url(finished)
        finished.delete()
        assert client.get(url).status_code == 404

    def test_a_forged_token_cannot_declare_an_outcome(self, client, finished, directory):
        url = follow_url(finished)
        forged = url[:-2] + ("A" if url[-2] != "A" else "B") + "/"
        response = client.post(forged, {"supplier": directory["chateau"].pk, **WON})
        assert response.status_code == 403
        finished.refresh_from_db()
        assert finished.outcome_declared_at is None

    def test_it_asks_for_the_outcome_once_the_event_is_over(self, client, finished, directory):
        html = client.get(follow_url(finished)).content.decode()
        assert 'data-testid="outcome-submit"' in html
        for supplier in ("chateau", "hotel", "caterer"):
            assert f'value="{directory[supplier].pk}"' in html

    def test_it_does_not_ask_before_the_event_ends(self, client, directory):
        request = quote_request(start_date=days_ago(-10), end_date=days_ago(-11))
        dispatch(request, supplier=directory["chateau"])
        html = client.get(follow_url(request)).content.decode()
        assert 'data-testid="outcome-submit"' not in html

    def test_it_refuses_an_outcome_before_the_event_ends(self, client, directory):
        request = quote_request(start_date=days_ago(-10), end_date=days_ago(-11))
        dispatch(request, supplier=directory["chateau"])
        response = client.post(follow_url(request), {"supplier": directory["chateau"].pk, **WON})
        assert response.status_code == 409
        request.refresh_from_db()
        assert request.status == RequestStatus.ROUTED

    def test_a_request_in_quarantine_asks_no_outcome(self, client, directory):
        request = quote_request(
            status=RequestStatus.QUARANTINED, start_date=days_ago(5), end_date=days_ago(4)
        )
        assert (
            'data-testid="outcome-submit"' not in client.get(follow_url(request)).content.decode()
        )

    def test_the_planner_declares_the_supplier_chosen(self, client, finished, directory):
        chateau = directory["chateau"]
        url = follow_url(finished)
        response = client.post(url, {"supplier": chateau.pk, **WON})
        assert response.status_code == 302
        assert response["Location"] == url
        finished.refresh_from_db()
        assert finished.status == RequestStatus.WON
        assert finished.won_by == chateau
        assert finished.outcome_declared_by == "planner"
        assert (finished.outcome_participants, finished.outcome_days) == (38, 2)
        assert str(finished.outcome_budget) == "9500.50"
        statuses = dict(finished.dispatches.values_list("supplier__slug", "status"))
        assert statuses == {"chateau-de-brecourt": "won", "hotel-barriere": "lost"}
        html = client.get(url).content.decode()
        assert 'data-testid="request-outcome"' in html
        assert 'data-testid="outcome-submit"' not in html

    def test_a_supplier_asked_by_name_may_be_the_one_chosen(self, client, finished, directory):
        client.post(follow_url(finished), {"supplier": directory["caterer"].pk, **WON})
        finished.refresh_from_db()
        assert finished.won_by == directory["caterer"]

    def test_the_planner_declares_that_none_was_chosen(self, client, finished):
        response = client.post(follow_url(finished), {"supplier": "none"})
        assert response.status_code == 302
        finished.refresh_from_db()
        assert finished.status == RequestStatus.LOST
        assert finished.won_by is None

    def test_it_refuses_a_supplier_that_was_neither_sent_nor_asked(
        self, client, finished, directory
    ):
        response = client.post(follow_url(finished), {"supplier": directory["draft"].pk, **WON})
        assert response.status_code == 400
        assert 'data-field="supplier"' in response.content.decode()
        finished.refresh_from_db()
        assert finished.outcome_declared_at is None

    @pytest.mark.parametrize(
        ("changes", "field"),
        [
            ({"participants": ""}, "participants"),
            ({"days": ""}, "days"),
            ({"budget": ""}, "budget"),
            ({"participants": "0"}, "participants"),
            ({"days": "61"}, "days"),
            ({"budget": "-5"}, "budget"),
            ({"budget": "a lot"}, "budget"),
        ],
    )
    def test_it_refuses_bad_figures(self, client, finished, directory, changes, field):
        data = {"supplier": directory["chateau"].pk, **WON, **changes}
        response = client.post(follow_url(finished), data)
        assert response.status_code == 400
        assert f'data-field="{field}"' in response.content.decode()
        finished.refresh_from_db()
        assert finished.outcome_declared_at is None

    def test_it_refuses_a_missing_choice(self, client, finished):
        response = client.post(follow_url(finished), WON)
        assert response.status_code == 400
        assert 'data-field="supplier"' in response.content.decode()
