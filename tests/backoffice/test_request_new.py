"""Back-office: staff enter a quote request received by phone or e-mail; it is routed like the others."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from micedesk.leads.models import Channel, QuoteRequest

URL = reverse("backoffice:request_new")


def phoned_request(**changes) -> dict:
    start = timezone.localdate() + datetime.timedelta(days=90)
    data = {
        "contact_name": "Events office",
        "organisation": "Normandy manufacturer",
        "organisation_kind": "company",
        "email": "events@manufacturer.example",
        "phone": "02 31 00 00 00",
        "event_kind": "seminaire",
        "start_date": start.isoformat(),
        "end_date": (start + datetime.timedelta(days=1)).isoformat(),
        "participants": "30",
        "days": "2",
        "layout": "u_shape",
        "bedrooms": "15",
        "departments": ["14"],
        "consent_share": "on",
        "message": "Called on Monday.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class RequestNewTestCase:
    def test_staff_enter_a_request_that_is_qualified_and_routed(self, client, people):
        client.force_login(people.staff)
        assert client.get(URL).status_code == 200
        response = client.post(URL, phoned_request())
        quote_request = QuoteRequest.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse(
            "backoffice:request", kwargs={"pk": quote_request.pk}
        )
        assert quote_request.channel == Channel.STAFF and quote_request.submitted_by == people.staff
        assert quote_request.consent_share is True and quote_request.departments == ["14"]

    @pytest.mark.parametrize(
        "changes, field",
        [
            ({"email": "not-an-address"}, "email"),
            ({"participants": "0"}, "participants"),
            ({"event_kind": "picnic"}, "event_kind"),
            ({"start_date": "2001-01-01", "end_date": "2001-01-02"}, "start_date"),
            ({"departments": ["99"]}, "departments"),
            ({"contact_name": None}, "contact_name"),
        ],
    )
    def test_it_refuses_bad_input_and_stores_nothing(self, client, people, changes, field):
        client.force_login(people.staff)
        response = client.post(URL, phoned_request(**changes))
        assert response.status_code == 400
        errors = {name for _title, form in response.context["sections"] for name in form.errors}
        assert field in errors
        assert not QuoteRequest.objects.exists()

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "partner", "outsider"])
    def test_it_refuses_everyone_but_staff(self, client, people, who):
        client.force_login(getattr(people, who))
        assert client.get(URL).status_code == 403
        assert client.post(URL, phoned_request()).status_code == 403
        assert not QuoteRequest.objects.exists()

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, db):
        assert client.get(URL).status_code == 302
