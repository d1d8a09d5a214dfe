"""The quote request form in steps: each step's refusals, what is missing before sending, the
honeypot, the pre-fill from a supplier's page, the submission and its confirmation."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone

from micedesk.leads import intake
from micedesk.leads.models import QuoteRequest, RequestStatus
from micedesk.portal.request_views import DRAFT_KEY

START = "/en/demandes/nouvelle/"


def step_url(step: str) -> str:
    return f"{START}{step}/"


def future(days: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


WHO = {
    "contact_name": "Event planner",
    "organisation": "Planner company",
    "organisation_kind": "company",
    "sector": "Pharmaceuticals",
    "email": "planner@company.example",
    "phone": "02 31 00 00 00",
    "website_url": "",
}
NEEDS = {
    "layout": "theatre",
    "sub_rooms": "1",
    "bedrooms": "20",
    "catering": "on",
    "services": ["av"],
    "session_1_layout": "u_shape",
    "session_1_attendance": "20",
}
WHERE = {"departments": ["14"], "budget_min": "5000", "budget_max": "12000"}
SEND = {"message": "A two-day seminar.", "heard_from": "A colleague", "consent_share": "on"}


def event() -> dict:
    return {
        "event_kind": "seminaire",
        "start_date": future(60),
        "end_date": future(61),
        "participants": "40",
        "days": "2",
    }


def fill(client, *, who=None, skip=()) -> None:
    """Post every step but the last, each valid unless replaced."""
    for step, data in (
        ("who", who or WHO),
        ("event", event()),
        ("needs", NEEDS),
        ("where", WHERE),
    ):
        if step in skip:
            continue
        response = client.post(step_url(step), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])


def error_fields(response) -> set[str]:
    html = response.content.decode()
    section = html.split('data-testid="request-errors"', 1)[1].split("</div>", 1)[0]
    return set(re.findall(r'data-field="([a-z_0-9]+)"', section))


@pytest.mark.django_db
class RequestFormTestCase:
    def test_anyone_opens_the_first_step(self, client, communes):
        response = client.get(START)
        assert response.status_code == 302
        response = client.get(response["Location"])
        assert response.status_code == 200
        html = response.content.decode()
        assert 'data-testid="request-step-who"' in html
        assert 'name="contact_name"' in html

    def test_it_opens_under_the_french_paths_too(self, client, communes):
        assert client.get("/demandes/nouvelle/").status_code == 302
        assert client.get("/demandes/nouvelle/who/").status_code == 200

    def test_a_signed_in_member_opens_it_too(self, client, people):
        client.force_login(people.supplier)
        assert client.get(step_url("who")).status_code == 200

    def test_it_refuses_an_unknown_step(self, client, communes):
        assert client.get(step_url("nowhere")).status_code == 404

    def test_it_refuses_other_methods(self, client, communes):
        assert client.put(step_url("who")).status_code == 405

    def test_each_step_moves_to_the_next(self, client, communes):
        response = client.post(step_url("who"), WHO)
        assert response["Location"] == step_url("event")
        response = client.post(step_url("event"), event())
        assert response["Location"] == step_url("needs")
        response = client.post(step_url("needs"), NEEDS)
        assert response["Location"] == step_url("where")
        response = client.post(step_url("where"), WHERE)
        assert response["Location"] == step_url("send")
        draft = client.session[DRAFT_KEY]
        assert draft["contact_name"] == "Event planner"
        assert draft["participants"] == 40
        assert draft["sessions"] == [{"layout": "u_shape", "attendance": 20}]
        assert draft["departments"] == ["14"]

    def test_a_step_shows_what_was_given_before(self, client, communes):
        client.post(step_url("who"), WHO)
        html = client.get(step_url("who")).content.decode()
        assert 'value="Planner company"' in html

    def test_the_honeypot_is_hidden_by_a_class_not_an_inline_style(self, client, communes):
        html = client.get(step_url("who")).content.decode()
        before = html.split('name="website_url"', 1)[0]
        assert '<div class="visually-hidden" aria-hidden="true">' in before[-800:]
        assert "style=" not in html

    @pytest.mark.parametrize(
        ("changes", "fields"),
        [
            (
                {"contact_name": "", "organisation": "", "email": ""},
                {"contact_name", "organisation", "email"},
            ),
            ({"email": "not an address"}, {"email"}),
            ({"phone": "call me"}, {"phone"}),
            ({"organisation_kind": "guild"}, {"organisation_kind"}),
            ({"contact_name": "x" * 151}, {"contact_name"}),
        ],
    )
    def test_the_who_step_refuses_bad_input(self, client, communes, changes, fields):
        response = client.post(step_url("who"), {**WHO, **changes})
        assert response.status_code == 400
        assert error_fields(response) == fields
        assert DRAFT_KEY not in client.session

    @pytest.mark.parametrize(
        ("changes", "fields"),
        [
            ({"event_kind": "", "participants": ""}, {"event_kind", "participants"}),
            ({"event_kind": "party"}, {"event_kind"}),
            ({"participants": "0"}, {"participants"}),
            ({"participants": "many"}, {"participants"}),
            ({"days": "61"}, {"days"}),
            ({"start_date": "", "end_date": ""}, {"start_date"}),
            ({"start_date": "2026-02-30"}, {"start_date"}),
            ({"end_date": "2020-01-01"}, {"end_date"}),
            ({"start_date": ""}, {"start_date"}),
        ],
    )
    def test_the_event_step_refuses_bad_input(self, client, communes, changes, fields):
        response = client.post(step_url("event"), {**event(), **changes})
        assert response.status_code == 400
        assert error_fields(response) == fields

    def test_the_event_step_takes_flexible_dates_without_dates(self, client, communes):
        data = {**event(), "start_date": "", "end_date": "", "flexible_dates": "on"}
        assert client.post(step_url("event"), data).status_code == 302
        assert client.session[DRAFT_KEY]["flexible_dates"] is True

    @pytest.mark.parametrize(
        ("changes", "fields"),
        [
            ({"layout": "circus"}, {"layout"}),
            ({"bedrooms": "-1"}, {"bedrooms"}),
            ({"sub_rooms": "101"}, {"sub_rooms"}),
            ({"services": ["teleportation"]}, {"services"}),
            ({"session_1_attendance": ""}, {"session_1_attendance"}),
            (
                {"session_2_layout": "boardroom", "session_2_attendance": "0"},
                {"session_2_attendance"},
            ),
        ],
    )
    def test_the_needs_step_refuses_bad_input(self, client, communes, changes, fields):
        response = client.post(step_url("needs"), {**NEEDS, **changes})
        assert response.status_code == 400
        assert error_fields(response) == fields

    @pytest.mark.parametrize(
        ("changes", "fields"),
        [
            ({"departments": ["75"]}, {"departments"}),
            ({"radius_km": "20"}, {"radius_km"}),
            ({"commune": "14118", "radius_km": "301"}, {"radius_km"}),
            ({"themes": ["lunar"]}, {"themes"}),
            ({"budget_min": "12000", "budget_max": "5000"}, {"budget_max"}),
            ({"budget_min": "lots"}, {"budget_min"}),
        ],
    )
    def test_the_where_step_refuses_bad_input(self, client, communes, changes, fields):
        response = client.post(step_url("where"), {**WHERE, **changes})
        assert response.status_code == 400
        assert error_fields(response) == fields

    def test_the_send_step_refuses_a_message_too_long(self, client, communes):
        fill(client)
        response = client.post(step_url("send"), {**SEND, "message": "x" * 5001})
        assert response.status_code == 400
        assert error_fields(response) == {"message"}
        assert not QuoteRequest.objects.exists()

    def test_the_last_step_summarises_the_request(self, client, communes):
        fill(client)
        response = client.get(step_url("send"))
        html = response.content.decode()
        assert 'data-testid="request-summary"' in html
        assert "Planner company" in html
        assert 'data-testid="request-missing"' not in html

    def test_the_last_step_lists_what_is_missing(self, client, communes):
        fill(client, skip=("who", "event", "where"))
        html = client.get(step_url("send")).content.decode()
        section = html.split('data-testid="request-missing"', 1)[1].split("</div>", 1)[0]
        expected = {field for field, _message in intake.quote_request_missing(data={})}
        expected.discard("consent_share")
        for field in expected:
            assert f'data-field="{field}"' in section, field
        assert 'data-field="consent_share"' not in section

    def test_sending_an_incomplete_request_names_each_missing_field(self, client, communes):
        fill(client, skip=("who", "where"))
        response = client.post(step_url("send"), SEND)
        assert response.status_code == 400
        assert {"contact_name", "organisation", "email", "departments"} <= error_fields(response)
        assert not QuoteRequest.objects.exists()

    def test_it_stores_the_request_and_confirms_it_with_its_reference(
        self, client, communes, django_capture_on_commit_callbacks
    ):
        fill(client)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(step_url("send"), SEND, REMOTE_ADDR="192.0.2.7")
        assert response.status_code == 302
        quote_request = QuoteRequest.objects.get()
        assert quote_request.channel == "portal"
        assert quote_request.client_key == "192.0.2.7"
        assert quote_request.consent_share is True
        assert quote_request.heard_from == "A colleague"
        assert quote_request.language == "en"
        assert quote_request.sessions == [{"layout": "u_shape", "attendance": 20}]
        assert quote_request.budget_max == 12000
        assert DRAFT_KEY not in client.session
        html = client.get(response["Location"]).content.decode()
        assert f'data-testid="request-reference">{quote_request.reference}<' in html
        assert [
            message.to for message in mail.outbox if quote_request.reference in message.subject
        ] == [["planner@company.example"]]

    def test_without_consent_the_details_are_not_shared(self, client, communes):
        fill(client)
        client.post(step_url("send"), {**SEND, "consent_share": ""})
        assert QuoteRequest.objects.get().consent_share is False

    def test_the_confirmation_page_without_a_request_sends_back_to_the_form(self, client, communes):
        response = client.get("/en/demandes/envoyee/")
        assert response.status_code == 302
        assert response["Location"] == step_url("who")

    def test_a_mail_failure_is_logged_and_the_request_kept(
        self, client, communes, settings, caplog, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
        fill(client)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(step_url("send"), SEND)
        assert response.status_code == 302
        assert QuoteRequest.objects.count() == 1
        assert "Acknowledgement of quote request" in caplog.text

    def test_a_filled_honeypot_sends_the_request_to_quarantine(self, client, communes):
        fill(client, who={**WHO, "website_url": "https://spam.example/"})
        assert client.post(step_url("send"), SEND).status_code == 302
        quote_request = QuoteRequest.objects.get()
        assert quote_request.status == RequestStatus.QUARANTINED
        assert quote_request.spam_score >= intake.SPAM_THRESHOLD

    def test_too_many_requests_ask_to_try_later(self, client, communes):
        for number in range(intake.RATE_LIMIT_PER_EMAIL.count):
            intake.quote_request_submit(
                data={
                    **{key: value for key, value in WHO.items() if key != "website_url"},
                    "event_kind": "seminaire",
                    "participants": 10 + number * 50,
                    "start_date": future(100 + number * 30),
                    "departments": ["14"],
                    "consent_share": True,
                },
                channel="portal",
                client_key=f"198.51.100.{number}",
            )
        fill(client)
        response = client.post(step_url("send"), SEND)
        assert response.status_code == 429
        assert int(response["Retry-After"]) > 0
        assert 'data-testid="request-too-many"' in response.content.decode()
        assert client.session[DRAFT_KEY]["email"] == "planner@company.example"


@pytest.mark.django_db
class RequestFromSupplierTestCase:
    def test_the_supplier_page_links_to_the_form_with_the_supplier(self, client, directory):
        chateau = directory["chateau"]
        html = client.get("/en/prestataires/chateau-de-brecourt/").content.decode()
        assert (
            f'href="/en/demandes/nouvelle/?supplier={chateau.pk}" data-testid="ask-quote"' in html
        )

    def test_a_draft_listing_has_no_such_link(self, client, directory, people):
        client.force_login(people.staff)
        response = client.get("/en/prestataires/hotel-brouillon/")
        assert response.status_code == 200
        assert 'data-testid="ask-quote"' not in response.content.decode()

    def test_the_link_prefills_the_form_and_always_includes_the_supplier(self, client, directory):
        chateau = directory["chateau"]
        response = client.get(f"{START}?supplier={chateau.pk}")
        assert response["Location"] == step_url("who")
        draft = client.session[DRAFT_KEY]
        assert draft["supplier_ids"] == [chateau.pk]
        assert draft["departments"] == ["27"]
        html = client.get(step_url("who")).content.decode()
        assert f'data-supplier-id="{chateau.pk}"' in html
        fill(client)
        client.post(step_url("send"), SEND)
        quote_request = QuoteRequest.objects.get()
        assert list(quote_request.requested_suppliers.all()) == [chateau]

    @pytest.mark.parametrize("value", ["999999", "99999999999999999999999", "abc", "-1", ""])
    def test_it_refuses_an_unknown_supplier(self, client, directory, value):
        assert client.get(f"{START}?supplier={value}").status_code == 404
        assert DRAFT_KEY not in client.session

    def test_it_refuses_a_draft_supplier(self, client, directory):
        assert client.get(f"{START}?supplier={directory['draft'].pk}").status_code == 404
