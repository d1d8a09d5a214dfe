"""Intake: every refusal, completeness, the honeypot, rate limits, spam heuristics and quarantine,
duplicates across channels, two identical submissions at once, merge and split."""

from __future__ import annotations

import datetime
import os
import sqlite3
import tempfile
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, connections
from django.utils import timezone

from micedesk.directory.models import Status
from micedesk.leads import intake
from micedesk.leads.intake import (
    RATE_LIMIT_PER_API_KEY,
    TooManyRequests,
    quote_request_merge,
    quote_request_missing,
    quote_request_reject_spam,
    quote_request_release,
    quote_request_split,
    quote_request_submit,
    spam_assess,
    spam_explanation,
)
from micedesk.leads.models import Dispatch, QuoteRequest, RequestStatus, RoutingLogEntry
from tests import factories

TODAY = timezone.localdate()
START = TODAY + datetime.timedelta(days=60)


def payload(**changes: object) -> dict:
    """A complete request from the portal: a two-day seminar for 40 in Calvados."""
    data = {
        "contact_name": "Event planner",
        "organisation": "Planner Company",
        "organisation_kind": "company",
        "email": "planner@company.example",
        "phone": "02 31 00 00 00",
        "event_kind": "seminaire",
        "start_date": START.isoformat(),
        "end_date": (START + datetime.timedelta(days=1)).isoformat(),
        "participants": 40,
        "layout": "theatre",
        "bedrooms": 0,
        "departments": ["14"],
        "consent_share": True,
        "message": "A two-day seminar for our sales team, with a dinner on the first evening.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not ...}


def date(days: int) -> str:
    return (START + datetime.timedelta(days=days)).isoformat()


def events(quote_request: QuoteRequest) -> list[str]:
    return list(
        RoutingLogEntry.objects.filter(quote_request=quote_request).values_list("event", flat=True)
    )


def dispatched_to(quote_request: QuoteRequest) -> list[int]:
    return sorted(
        Dispatch.objects.filter(quote_request=quote_request, supplier__isnull=False).values_list(
            "supplier_id", flat=True
        )
    )


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    """Submit as a view would, running what waits for the commit (routing) as a commit would."""

    def run(data: dict | None = None, channel: str = "portal", **kwargs: object) -> QuoteRequest:
        with django_capture_on_commit_callbacks(execute=True):
            quote_request = quote_request_submit(
                data=payload() if data is None else data, channel=channel, **kwargs
            )
        quote_request.refresh_from_db()
        return quote_request

    return run


@pytest.mark.django_db
class QuoteRequestSubmitTestCase:
    def test_it_stores_a_complete_request_and_routes_it(self, people, submit):
        quote_request = submit(client_key="192.0.2.10")
        assert quote_request.status == RequestStatus.ROUTED
        assert quote_request.duplicate_of is None
        assert quote_request.spam_score == 0
        assert quote_request.client_key == "192.0.2.10"
        assert quote_request.start_date == START
        assert quote_request.days == 2
        assert quote_request.consent_at is not None
        assert people.hotel.pk in dispatched_to(quote_request)
        assert events(quote_request)[0] == "received"

    def test_the_reference_is_short_and_readable(self, communes):
        quote_request = quote_request_submit(data=payload(), channel="portal")
        prefix, year, token = quote_request.reference.split("-")
        assert (prefix, year) == ("DV", str(timezone.localdate().year))
        assert len(token) == 5 and set(token) <= set(intake.REFERENCE_ALPHABET)

    def test_a_reference_already_taken_is_drawn_again(self, communes, monkeypatch):
        first = quote_request_submit(data=payload(), channel="portal")
        taken = first.reference.rsplit("-", 1)[1]
        draws = iter([taken, taken, "ZZZZZ"])
        monkeypatch.setattr(intake, "_reference_token", lambda: next(draws))
        second = quote_request_submit(data=payload(email="other@company.example"), channel="api")
        assert second.reference.endswith("-ZZZZZ")

    def test_it_normalises_the_email_and_the_phone(self, communes):
        quote_request = quote_request_submit(
            data=payload(email=" Planner@Company.EXAMPLE ", phone="0033 (0)2.31-00 00 00"),
            channel="portal",
        )
        assert quote_request.email == "planner@company.example"
        assert quote_request.phone == "+330231000000"

    def test_the_end_date_and_days_follow_from_the_start(self, communes):
        quote_request = quote_request_submit(data=payload(end_date=..., days=3), channel="portal")
        assert quote_request.end_date == START + datetime.timedelta(days=2)
        assert quote_request.days == 3

    def test_flexible_dates_need_no_dates(self, communes):
        data = payload(start_date=..., end_date=..., flexible_dates=True)
        quote_request = quote_request_submit(data=data, channel="portal")
        assert quote_request.flexible_dates and quote_request.start_date is None

    def test_a_supplier_asked_by_name_is_enough_to_say_where(self, people, submit):
        data = payload(departments=..., supplier_ids=[people.other_hotel.pk])
        quote_request = submit(data)
        assert list(quote_request.requested_suppliers.all()) == [people.other_hotel]
        assert people.other_hotel.pk in dispatched_to(quote_request)

    def test_refusing_to_share_details_is_an_answer(self, communes):
        quote_request = quote_request_submit(data=payload(consent_share=False), channel="portal")
        assert quote_request.consent_share is False and quote_request.consent_at is None

    def test_it_stores_needs_place_and_budget(self, communes):
        data = payload(
            sessions=[{"layout": "u_shape", "attendance": 20}, {"attendance": 40}],
            services=["av", "transport"],
            themes=["bord_de_mer", "golf"],
            commune="14220",
            radius_km=20,
            budget_min="12 000,50",
            budget_max=20000,
            catering=True,
            step_free_access=True,
        )
        quote_request = quote_request_submit(data=data, channel="api")
        assert quote_request.sessions == [
            {"layout": "u_shape", "attendance": 20},
            {"layout": "", "attendance": 40},
        ]
        assert quote_request.services == ["av", "transport"]
        assert quote_request.theme_mask != 0
        assert quote_request.commune_id == "14220" and quote_request.radius_km == 20
        assert quote_request.budget_min == Decimal("12000.50")
        assert quote_request.budget_max == Decimal("20000.00")

    def test_staff_enter_a_request_received_by_phone(self, people, submit):
        quote_request = submit(channel="staff", submitted_by=people.staff)
        assert quote_request.channel == "staff" and quote_request.submitted_by == people.staff
        assert quote_request.status == RequestStatus.ROUTED

    def test_only_staff_enter_requests_for_the_staff_channel(self, people):
        with pytest.raises(PermissionDenied):
            quote_request_submit(data=payload(), channel="staff", submitted_by=people.partner)
        with pytest.raises(PermissionDenied):
            quote_request_submit(data=payload(), channel="staff")
        assert not QuoteRequest.objects.exists()

    def test_it_refuses_an_unknown_channel(self, communes):
        with pytest.raises(ValueError):
            quote_request_submit(data=payload(), channel="fax")


BAD_FIELDS = [
    ("contact_name", 123),
    ("contact_name", "x" * 151),
    ("organisation", "x" * 201),
    ("organisation", ["Planner Company"]),
    ("organisation_kind", "family"),
    ("sector", "x" * 151),
    ("email", "planner-at-company.example"),
    ("email", "planner@"),
    ("email", 42),
    ("phone", "call me at noon"),
    ("phone", "12"),
    ("language", "de"),
    ("consent_share", "yes"),
    ("consent_share", 1),
    ("event_kind", "wedding"),
    ("event_kind", 3),
    ("start_date", "2027-02-30"),
    ("start_date", "01/12/2027"),
    ("start_date", (TODAY - datetime.timedelta(days=1)).isoformat()),
    ("start_date", date(365 * 11)),
    ("start_date", 20271201),
    ("end_date", (START - datetime.timedelta(days=1)).isoformat()),
    ("end_date", "tomorrow"),
    ("flexible_dates", "yes"),
    ("alternative_dates", "x" * 201),
    ("participants", 0),
    ("participants", 100001),
    ("participants", -5),
    ("participants", "many"),
    ("participants", 12.5),
    ("participants", True),
    ("days", 0),
    ("days", 61),
    ("days", 3),  # the dates span two days
    ("layout", "circle"),
    ("sessions", "theatre for 40"),
    ("sessions", [{"layout": "theatre", "attendance": 0}]),
    ("sessions", [{"layout": "round", "attendance": 10}]),
    ("sessions", [{"layout": "theatre", "attendance": "ten"}]),
    ("sessions", [{"layout": "theatre", "attendance": 10}] * 51),
    ("sub_rooms", -1),
    ("sub_rooms", 101),
    ("bedrooms", -1),
    ("bedrooms", "lots"),
    ("catering", "on"),
    ("team_building", 1),
    ("step_free_access", "true"),
    ("near_station", "no"),
    ("services", ["spa"]),
    ("services", "av"),
    ("themes", ["moon"]),
    ("departments", ["75"]),
    ("departments", "14"),
    ("departments", [{"code": "14"}]),
    ("commune", "75056"),
    ("commune", "Caen"),
    ("commune", 14118),
    ("radius_km", 0),
    ("radius_km", 301),
    ("radius_km", 20),  # without a commune
    ("budget_min", "-5"),
    ("budget_min", "a lot"),
    ("budget_min", "1.234"),
    ("budget_min", "NaN"),
    ("budget_max", "100000000"),
    ("budget_max", True),
    ("message", "Hello\x00"),
    ("message", "x" * 5001),
    ("accessibility_needs", "x" * 2001),
    ("heard_from", "x" * 151),
    ("supplier_ids", [999999]),
    ("supplier_ids", ["12"]),
    ("supplier_ids", 12),
    ("supplier_ids", [True]),
    ("supplier_ids", list(range(1, 22))),
]


@pytest.mark.django_db
class QuoteRequestRefusalTestCase:
    @pytest.mark.parametrize(("field", "value"), BAD_FIELDS)
    def test_it_refuses_a_bad_value_naming_the_field_and_stores_nothing(
        self, communes, field, value
    ):
        with pytest.raises(ValidationError) as refused:
            quote_request_submit(data=payload(**{field: value}), channel="api")
        assert field in refused.value.message_dict
        assert all(message for message in refused.value.message_dict[field])
        assert not QuoteRequest.objects.exists()

    def test_it_refuses_a_budget_upside_down(self, communes):
        with pytest.raises(ValidationError) as refused:
            quote_request_submit(data=payload(budget_min=5000, budget_max=1000), channel="api")
        assert list(refused.value.message_dict) == ["budget_max"]

    def test_it_refuses_a_draft_supplier_asked_by_name(self, communes):
        draft = factories.SupplierFactory(status=Status.DRAFT)
        with pytest.raises(ValidationError) as refused:
            quote_request_submit(data=payload(supplier_ids=[draft.pk]), channel="api")
        assert str(draft.pk) in refused.value.message_dict["supplier_ids"][0]

    def test_it_refuses_data_that_is_not_an_object(self, communes):
        with pytest.raises(ValidationError):
            quote_request_submit(data=["not", "a", "dict"], channel="api")

    def test_it_names_every_bad_field_at_once(self, communes):
        data = payload(email="nope", participants=0, layout="circle", departments=["75"])
        with pytest.raises(ValidationError) as refused:
            quote_request_submit(data=data, channel="api")
        assert set(refused.value.message_dict) == {"email", "participants", "layout", "departments"}


@pytest.mark.django_db
class QuoteRequestMissingTestCase:
    def test_it_lists_what_an_empty_request_lacks(self, communes):
        assert [field for field, _message in quote_request_missing(data={})] == [
            "contact_name",
            "organisation",
            "email",
            "event_kind",
            "participants",
            "start_date",
            "departments",
            "consent_share",
        ]

    def test_a_complete_request_lacks_nothing(self, communes):
        assert quote_request_missing(data=payload()) == []

    def test_blank_text_counts_as_missing(self, communes):
        missing = quote_request_missing(data=payload(contact_name="   ", departments=[]))
        assert [field for field, _message in missing] == ["contact_name", "departments"]

    def test_flexible_dates_or_a_commune_or_a_supplier_fill_the_gaps(self, communes):
        data = payload(start_date=..., end_date=..., flexible_dates=True, departments=...)
        assert [field for field, _m in quote_request_missing(data=data)] == ["departments"]
        assert quote_request_missing(data={**data, "commune": "14118"}) == []
        assert quote_request_missing(data={**data, "supplier_ids": [1]}) == []

    def test_each_missing_field_has_a_message(self, communes):
        for field, message in quote_request_missing(data={}):
            assert isinstance(message, str) and len(message) > 10, field

    def test_submitting_an_incomplete_request_names_every_missing_field(self, communes):
        data = payload(email=..., participants=..., consent_share=...)
        with pytest.raises(ValidationError) as refused:
            quote_request_submit(data=data, channel="portal")
        assert set(refused.value.message_dict) == {"email", "participants", "consent_share"}
        assert not QuoteRequest.objects.exists()

    def test_an_end_date_without_a_start_asks_for_the_start(self, communes):
        with pytest.raises(ValidationError) as refused:
            quote_request_submit(data=payload(start_date=..., flexible_dates=True), channel="api")
        assert list(refused.value.message_dict) == ["start_date"]


@pytest.mark.django_db
class HoneypotTestCase:
    def test_a_filled_honeypot_is_quarantined_not_routed(self, people, submit):
        quote_request = submit(payload(website_url="https://seo.example"))
        assert quote_request.status == RequestStatus.QUARANTINED
        assert quote_request.spam_score == 100
        assert {"code": "honeypot", "params": {}} in quote_request.spam_reasons
        assert events(quote_request) == ["received", "quarantined"]
        assert dispatched_to(quote_request) == []

    def test_an_empty_honeypot_is_fine(self, people, submit):
        assert submit(payload(website_url="")).status == RequestStatus.ROUTED


def stored_rows(count: int, *, minutes_ago: float = 0.5, **fields: object) -> None:
    """Requests already received, written straight to the table (the limits count rows)."""
    created_at = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    values = {
        "channel": "portal",
        "contact_name": "Someone",
        "organisation": "Somewhere",
        "email": "someone@example.org",
        "event_kind": "seminaire",
        "participants": 10,
        "status": RequestStatus.ROUTED,
        "created_at": created_at,
    }
    values.update(fields)
    start = QuoteRequest.objects.count()
    QuoteRequest.objects.bulk_create(
        QuoteRequest(reference=f"RL{start + number:06d}", **values) for number in range(count)
    )


@pytest.mark.django_db
class RateLimitTestCase:
    def test_a_sixth_request_in_an_hour_from_one_email_is_refused(self, communes):
        for number in range(5):
            quote_request_submit(
                data=payload(participants=40 + 20 * number),
                channel="portal",
                client_key=f"192.0.2.{number}",
            )
        with pytest.raises(TooManyRequests) as refused:
            quote_request_submit(data=payload(), channel="api", client_key="192.0.2.99")
        assert "__all__" in refused.value.message_dict
        assert refused.value.error_dict["__all__"][0].code == "rate_limited"
        assert 0 < refused.value.retry_after <= 3600
        assert QuoteRequest.objects.count() == 5

    def test_the_email_limit_ignores_case(self, communes):
        stored_rows(5, email="planner@company.example")
        with pytest.raises(TooManyRequests):
            quote_request_submit(data=payload(email="PLANNER@company.example"), channel="portal")

    def test_an_eleventh_request_in_an_hour_from_one_address_is_refused(self, communes):
        stored_rows(10, client_key="198.51.100.7")
        with pytest.raises(TooManyRequests):
            quote_request_submit(data=payload(), channel="portal", client_key="198.51.100.7")
        quote_request_submit(data=payload(), channel="portal", client_key="198.51.100.8")
        assert QuoteRequest.objects.filter(client_key="198.51.100.8").count() == 1

    def test_requests_older_than_the_window_do_not_count(self, communes):
        stored_rows(10, client_key="198.51.100.7", minutes_ago=61)
        stored_rows(5, email="planner@company.example", minutes_ago=61)
        quote_request_submit(data=payload(), channel="portal", client_key="198.51.100.7")

    def test_quarantined_requests_count_too(self, communes):
        for number in range(10):
            quote_request_submit(
                data=payload(email=f"bot{number}@spam.example", website_url="x"),
                channel="portal",
                client_key="203.0.113.5",
            )
        with pytest.raises(TooManyRequests):
            quote_request_submit(data=payload(), channel="portal", client_key="203.0.113.5")

    def test_an_api_key_sends_sixty_requests_a_minute(self, communes):
        for number in range(60):
            quote_request_submit(
                data=payload(
                    email=f"planner{number % 3}@company.example", participants=10 + number
                ),
                channel="api",
                client_key="apikey:7",
            )
        assert QuoteRequest.objects.filter(client_key="apikey:7").count() == 60

    def test_an_api_key_has_its_own_limit(self, communes):
        stored_rows(RATE_LIMIT_PER_API_KEY.count - 1, client_key="apikey:7", channel="api")
        quote_request_submit(data=payload(), channel="api", client_key="apikey:7")
        with pytest.raises(TooManyRequests) as refused:
            quote_request_submit(data=payload(), channel="api", client_key="apikey:7")
        assert refused.value.retry_after <= 60
        quote_request_submit(data=payload(), channel="api", client_key="apikey:8")

    def test_staff_entries_are_not_limited(self, people):
        stored_rows(5, email="planner@company.example")
        quote_request_submit(data=payload(), channel="staff", submitted_by=people.staff)


@pytest.mark.django_db
class SpamHeuristicsTestCase:
    def assess(self, **changes: object) -> tuple[int, list[str]]:
        cleaned = intake.quote_request_clean(data=payload(**changes))
        score, reasons = spam_assess(cleaned=cleaned)
        return score, [reason["code"] for reason in reasons]

    def test_an_ordinary_request_scores_nothing(self, communes):
        assert self.assess() == (0, [])
        assert self.assess(
            contact_name="Mlle Anne-Sophie O'Neill",
            organisation="SNCF Voyageurs",
            message="Notre site : https://www.example.fr. Séminaire au casino de Deauville ?",
        ) == (10, ["links"])

    def test_many_links_are_suspect(self, communes):
        message = " ".join(f"https://shop{number}.example/offer" for number in range(3))
        assert self.assess(message=message)[1] == ["many_links"]

    def test_a_url_shortener_is_suspect(self, communes):
        score, codes = self.assess(message="Our brief: bit.ly/3xYz12 thanks")
        assert codes == ["url_shortener"] and score >= intake.SPAM_THRESHOLD

    def test_capitals_and_spam_words_are_suspect(self, communes):
        score, codes = self.assess(message="BUY NOW CHEAP VIAGRA AND BITCOIN FOR YOUR EVENT")
        assert codes == ["spam_words", "all_caps"] and score == 70

    def test_text_in_another_script_is_suspect(self, communes):
        assert self.assess(message="Лучшие цены на продвижение сайтов")[1] == ["foreign_script"]

    def test_a_disposable_email_and_a_made_up_name_are_suspect(self, communes):
        score, codes = self.assess(email="qx@yopmail.com", contact_name="Xkcdqwrtz")
        assert codes == ["disposable_email", "nonsense_name"] and score == 55

    @pytest.mark.parametrize("name", ["asdfgh Smith", "Jean 2", "JbFqRkTs", "Mmmmarie", "Brrrnk"])
    def test_names_no_one_is_called(self, communes, name):
        assert "nonsense_name" in self.assess(contact_name=name)[1]

    @pytest.mark.parametrize(
        "name", ["Mme Zoé Lefèvre", "Sean McDonald", "DUPONT Jean", "Nguyễn Thị Lan", "Li Wu"]
    )
    def test_real_names_pass(self, communes, name):
        assert "nonsense_name" not in self.assess(contact_name=name)[1]

    def test_a_suspect_request_is_quarantined_and_kept(self, people, submit):
        data = payload(
            message="CHEAP SEO BACKLINKS: bit.ly/abc https://x.example https://y.example"
        )
        quote_request = submit(data)
        assert quote_request.status == RequestStatus.QUARANTINED
        assert quote_request.spam_score >= intake.SPAM_THRESHOLD
        assert dispatched_to(quote_request) == []
        entry = RoutingLogEntry.objects.get(quote_request=quote_request, event="quarantined")
        assert entry.details["score"] == quote_request.spam_score

    def test_staff_entries_skip_the_heuristics(self, people, submit):
        data = payload(message="CALL ME BACK ABOUT THE SEMINAR, URGENT, THANK YOU VERY MUCH")
        quote_request = submit(data, channel="staff", submitted_by=people.staff)
        assert quote_request.spam_score == 0 and quote_request.status == RequestStatus.ROUTED

    def test_the_reasons_read_as_words(self, communes):
        reasons = [
            {"code": "many_links", "params": {"count": 4}},
            {"code": "spam_words", "params": {"words": ["viagra"]}},
        ]
        assert spam_explanation(reasons=reasons, language="en") == "4 links; spam words: viagra"


@pytest.mark.django_db
class QuarantineTestCase:
    def quarantined(self, submit) -> QuoteRequest:
        quote_request = submit(payload(website_url="filled"))
        assert quote_request.status == RequestStatus.QUARANTINED
        return quote_request

    def test_staff_release_a_request_that_is_then_routed(
        self, people, submit, django_capture_on_commit_callbacks
    ):
        quote_request = self.quarantined(submit)
        with django_capture_on_commit_callbacks(execute=True):
            released = quote_request_release(quote_request=quote_request, actor=people.staff)
        released.refresh_from_db()
        assert released.status == RequestStatus.ROUTED
        assert people.hotel.pk in dispatched_to(released)
        assert events(released)[:3] == ["received", "quarantined", "released"]

    def test_a_released_duplicate_is_linked_not_routed(
        self, people, submit, django_capture_on_commit_callbacks
    ):
        quote_request = self.quarantined(submit)
        original = submit()
        with django_capture_on_commit_callbacks(execute=True):
            released = quote_request_release(quote_request=quote_request, actor=people.staff)
        assert released.status == RequestStatus.DUPLICATE
        assert released.duplicate_of == original
        assert dispatched_to(released) == []

    def test_staff_reject_spam_which_is_kept(self, people, submit):
        quote_request = self.quarantined(submit)
        rejected = quote_request_reject_spam(quote_request=quote_request, actor=people.staff)
        assert rejected.status == RequestStatus.REJECTED
        assert events(rejected)[-1] == "rejected_spam"
        assert QuoteRequest.objects.filter(pk=quote_request.pk).exists()

    def test_only_a_quarantined_request_is_released_or_rejected(self, people, submit):
        quote_request = submit()
        with pytest.raises(ValidationError):
            quote_request_release(quote_request=quote_request, actor=people.staff)
        with pytest.raises(ValidationError):
            quote_request_reject_spam(quote_request=quote_request, actor=people.staff)

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_only_staff_decide(self, people, submit, role):
        quote_request = self.quarantined(submit)
        with pytest.raises(PermissionDenied):
            quote_request_release(quote_request=quote_request, actor=getattr(people, role))
        with pytest.raises(PermissionDenied):
            quote_request_reject_spam(quote_request=quote_request, actor=getattr(people, role))
        quote_request.refresh_from_db()
        assert quote_request.status == RequestStatus.QUARANTINED


@pytest.mark.django_db
class DuplicateTestCase:
    def test_the_same_request_through_another_channel_is_linked_to_the_first(self, people, submit):
        first = submit()
        again = submit(
            payload(), channel="api", via_partner=people.partner_org, client_key="apikey:1"
        )
        by_staff = submit(payload(), channel="staff", submitted_by=people.staff)
        for duplicate in (again, by_staff):
            assert duplicate.status == RequestStatus.DUPLICATE
            assert duplicate.duplicate_of == first
            assert dispatched_to(duplicate) == []
            assert events(duplicate) == ["received", "duplicate"]
        assert events(first).count("duplicate_linked") == 2
        assert first.status == RequestStatus.ROUTED

    def test_the_same_organisation_and_phone_with_another_email_is_the_same_planner(
        self, people, submit
    ):
        first = submit()
        again = submit(
            payload(
                email="assistant@company.example",
                organisation="  PLANNER COMPANY ",
                phone="+33 2 31 00 00 00",
            )
        )
        assert again.duplicate_of == first

    def test_the_same_organisation_with_another_phone_is_another_planner(self, people, submit):
        submit()
        other = submit(payload(email="assistant@company.example", phone="02 35 00 00 00"))
        assert other.status == RequestStatus.ROUTED

    def test_dates_three_days_apart_are_the_same_event(self, people, submit):
        first = submit()
        assert submit(payload(start_date=date(4), end_date=date(5))).duplicate_of == first
        assert submit(payload(start_date=date(-3), end_date=date(-3))).duplicate_of == first

    def test_dates_further_apart_are_another_event(self, people, submit):
        submit()
        later = submit(payload(start_date=date(5), end_date=date(6)))
        assert later.status == RequestStatus.ROUTED and later.duplicate_of is None

    def test_a_size_within_thirty_percent_is_the_same_event(self, people, submit):
        first = submit()
        assert submit(payload(participants=52)).duplicate_of == first

    def test_a_size_further_off_is_another_event(self, people, submit):
        submit()
        assert submit(payload(participants=53)).status == RequestStatus.ROUTED

    def test_two_flexible_requests_without_dates_are_the_same_event(self, people, submit):
        flexible = payload(start_date=..., end_date=..., flexible_dates=True)
        first = submit(flexible)
        assert submit(flexible).duplicate_of == first
        assert submit().status == RequestStatus.ROUTED

    def test_a_request_after_the_window_is_new(self, people, submit, settings):
        settings.LEADS_DUPLICATE_WINDOW_DAYS = 30
        first = submit()
        QuoteRequest.objects.filter(pk=first.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=31)
        )
        assert submit().status == RequestStatus.ROUTED

    def test_a_quarantined_request_is_no_original(self, people, submit):
        submit(payload(website_url="x"))
        assert submit().status == RequestStatus.ROUTED

    def test_suppliers_named_in_a_duplicate_join_the_routed_original(self, people, submit):
        first = submit()
        assert people.other_hotel.pk not in dispatched_to(first)
        again = submit(payload(supplier_ids=[people.other_hotel.pk, people.hotel.pk]))
        assert again.status == RequestStatus.DUPLICATE
        assert dispatched_to(again) == []
        assert set(first.requested_suppliers.all()) == {people.other_hotel, people.hotel}
        assert dispatched_to(first).count(people.other_hotel.pk) == 1
        assert dispatched_to(first).count(people.hotel.pk) == 1
        assert "suppliers_added" in events(first)

    def test_suppliers_named_in_a_duplicate_wait_for_an_original_in_review(self, people, submit):
        first = submit()
        QuoteRequest.objects.filter(pk=first.pk).update(status=RequestStatus.REVIEW)
        submit(payload(supplier_ids=[people.other_hotel.pk]))
        assert list(first.requested_suppliers.all()) == [people.other_hotel]
        assert people.other_hotel.pk not in dispatched_to(first)


@pytest.mark.django_db
class MergeSplitTestCase:
    def test_staff_merge_a_request_into_the_one_it_repeats(self, people, submit):
        keep = submit()
        other = submit(payload(email="assistant@company.example", participants=80))
        follower = submit(payload(email="assistant@company.example", participants=85))
        assert follower.duplicate_of == other
        merged = quote_request_merge(keep=keep, duplicate=other, actor=people.staff)
        assert merged.status == RequestStatus.DUPLICATE and merged.duplicate_of == keep
        follower.refresh_from_db()
        assert follower.duplicate_of == keep
        assert "merged" in events(merged)
        assert {"duplicate_linked", "duplicates_moved"} <= set(events(keep))

    def test_merging_twice_changes_nothing(self, people, submit):
        keep = submit()
        other = submit(payload(participants=80))
        quote_request_merge(keep=keep, duplicate=other, actor=people.staff)
        count = RoutingLogEntry.objects.count()
        quote_request_merge(keep=keep, duplicate=other, actor=people.staff)
        assert RoutingLogEntry.objects.count() == count

    def test_it_refuses_to_merge_a_request_into_itself_or_into_a_duplicate(self, people, submit):
        keep = submit()
        duplicate = submit()
        other = submit(payload(participants=80))
        with pytest.raises(ValidationError):
            quote_request_merge(keep=keep, duplicate=keep, actor=people.staff)
        with pytest.raises(ValidationError):
            quote_request_merge(keep=duplicate, duplicate=other, actor=people.staff)

    def test_it_refuses_to_merge_a_request_with_an_outcome(self, people, submit):
        keep = submit()
        won = submit(payload(participants=80))
        QuoteRequest.objects.filter(pk=won.pk).update(status=RequestStatus.WON)
        with pytest.raises(ValidationError):
            quote_request_merge(keep=keep, duplicate=won, actor=people.staff)

    def test_staff_split_a_request_wrongly_marked_duplicate_which_is_routed(
        self, people, submit, django_capture_on_commit_callbacks
    ):
        first = submit()
        duplicate = submit(payload(event_kind="soiree"))
        assert duplicate.duplicate_of == first
        with django_capture_on_commit_callbacks(execute=True):
            split = quote_request_split(quote_request=duplicate, actor=people.staff)
        split.refresh_from_db()
        assert split.status == RequestStatus.ROUTED and split.duplicate_of is None
        assert people.hotel.pk in dispatched_to(split)
        assert "split" in events(split) and "split_off" in events(first)

    def test_only_a_duplicate_can_be_split(self, people, submit):
        with pytest.raises(ValidationError):
            quote_request_split(quote_request=submit(), actor=people.staff)

    @pytest.mark.parametrize("role", ["supplier", "partner", "outsider"])
    def test_only_staff_merge_and_split(self, people, submit, role):
        keep, duplicate = submit(), submit()
        other = submit(payload(participants=80))
        actor = getattr(people, role)
        with pytest.raises(PermissionDenied):
            quote_request_merge(keep=keep, duplicate=other, actor=actor)
        with pytest.raises(PermissionDenied):
            quote_request_split(quote_request=duplicate, actor=actor)


@pytest.fixture
def threads_database(transactional_db):
    """A database that threads share as a server's processes do. PostgreSQL's is. SQLite's test
    database lives in memory in shared-cache mode, where a second writer fails at once ("database
    table is locked") instead of waiting for the lock as on a file: for the test, every connection
    uses a file copy (WAL, BEGIN IMMEDIATE, busy timeout), as in production."""
    if connection.vendor != "sqlite" or not connection.is_in_memory_db():
        yield
        return
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "threads.sqlite3")
        connection.ensure_connection()
        memory = connection.connection
        copy = sqlite3.connect(path)
        memory.backup(copy)
        copy.close()
        memory_name = connection.settings_dict["NAME"]
        connection.settings_dict["NAME"] = path
        connection.connection = None
        try:
            yield
        finally:
            connection.close()
            connection.settings_dict["NAME"] = memory_name
            connection.connection = memory


def at_once(*work) -> list:
    """Run the callables in threads released together; re-raise the first error."""
    barrier = threading.Barrier(len(work))
    results: list = [None] * len(work)
    errors: list[BaseException] = []

    def run(position: int, function) -> None:
        try:
            barrier.wait()
            results[position] = function()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


class ConcurrentSubmissionTestCase:
    def test_identical_submissions_at_the_same_moment_are_routed_once(
        self, people, threads_database
    ):
        def send(channel: str, **kwargs: object):
            return lambda: quote_request_submit(data=payload(), channel=channel, **kwargs).pk

        ids = at_once(
            send("portal", client_key="192.0.2.1"),
            send("portal", client_key="192.0.2.2"),
            send("api", client_key="apikey:1", via_partner=people.partner_org),
            send("staff", submitted_by=people.staff),
        )
        requests = list(QuoteRequest.objects.filter(pk__in=ids).order_by("created_at", "pk"))
        routed = [item for item in requests if item.status == RequestStatus.ROUTED]
        assert len(requests) == 4 and len(routed) == 1
        duplicates = [item for item in requests if item != routed[0]]
        assert all(item.status == RequestStatus.DUPLICATE for item in duplicates)
        assert all(item.duplicate_of_id == routed[0].pk for item in duplicates)
        assert all(dispatched_to(item) == [] for item in duplicates)
        assert Dispatch.objects.filter(supplier=people.hotel).count() == 1
