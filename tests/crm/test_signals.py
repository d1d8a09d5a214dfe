"""Every new quote request and every outcome reaches the CRM through the leads signals."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from micedesk.crm.models import (
    Consent,
    ConsentMethod,
    Contact,
    Interaction,
    InteractionKind,
    LegalBasis,
    Purpose,
)
from micedesk.crm.services import quote_request_link, quote_request_outcome_link
from micedesk.leads.intake import quote_request_release, quote_request_submit
from micedesk.leads.models import RequestStatus
from micedesk.leads.responses import quote_request_declare_outcome
from tests.crm import builders
from tests.leads.builders import dispatch, quote_request
from tests.leads.test_intake import payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(django_capture_on_commit_callbacks):
    def run(**changes: object):
        with django_capture_on_commit_callbacks(execute=True):
            request = quote_request_submit(data=payload(**changes), channel="portal")
        request.refresh_from_db()
        return request

    return run


@pytest.fixture
def declare(django_capture_on_commit_callbacks):
    def run(request, supplier, **values: object):
        if supplier is not None:
            values = {"participants": 40, "days": 2, "budget": "9000", **values}
        with django_capture_on_commit_callbacks(execute=True):
            return quote_request_declare_outcome(
                quote_request=request, supplier=supplier, declared_by="staff", **values
            )

    return run


class QuoteRequestReceivedTestCase:
    def test_a_new_request_creates_the_contact_company_item_and_basis(self, people, submit):
        request = submit(contact_name="Camille Durand-Leroy", organisation="Acme SAS")
        contact = Contact.objects.get(email="planner@company.example")
        assert (contact.first_name, contact.last_name) == ("Camille", "Durand-Leroy")
        assert contact.company.name == "Acme SAS" and contact.company.name_key == "acme"
        item = contact.interactions.get()
        assert item.kind == InteractionKind.QUOTE_REQUEST and item.quote_request == request
        assert item.occurred_at == request.created_at
        consent = Consent.objects.get(contact=contact)
        assert (consent.purpose, consent.basis, consent.method, consent.proof) == (
            Purpose.FOLLOW_UP,
            LegalBasis.LEGITIMATE_INTEREST,
            ConsentMethod.QUOTE_REQUEST,
            request.reference,
        )

    def test_a_second_request_of_the_same_address_joins_the_same_contact(self, people, submit):
        existing = builders.contact(email="Planner@Company.example", first_name="Known")
        submit()
        submit(event_kind="congres", participants=300, message="Our annual congress, 300 people.")
        assert Contact.objects.count() == 1
        assert existing.interactions.filter(kind=InteractionKind.QUOTE_REQUEST).count() == 2

    def test_the_company_is_found_by_its_key(self, people, submit):
        company = builders.company("PLANNER COMPANY S.A.")
        submit()
        assert Contact.objects.get().company == company

    def test_linking_twice_changes_nothing(self, people, submit):
        request = submit()
        quote_request_link(quote_request=request)
        assert Interaction.objects.count() == 1 and Consent.objects.count() == 1

    def test_spam_in_quarantine_is_left_out_until_released(
        self, people, submit, django_capture_on_commit_callbacks
    ):
        request = submit(website_url="https://seo.example")
        assert request.status == RequestStatus.QUARANTINED
        assert not Contact.objects.exists()
        with django_capture_on_commit_callbacks(execute=True):
            quote_request_release(quote_request=request, actor=people.staff)
        assert Contact.objects.get().interactions.get().quote_request == request

    def test_an_action_named_in_how_they_heard_of_us_is_the_touch(self, people, submit):
        heavent = builders.bureau_action(
            "Heavent Cannes 2025", starts_on=timezone.localdate() - datetime.timedelta(days=30)
        )
        submit(heard_from="We met you at Heavent Cannes 2025, great stand")
        contact = Contact.objects.get()
        assert contact.interactions.get().action == heavent
        assert contact.source_action == heavent

    def test_a_vague_mention_is_not_attributed(self, people, submit):
        builders.bureau_action("Heavent Cannes 2025")
        builders.bureau_action("Heavent Paris 2025")
        submit(heard_from="a trade show")
        contact = Contact.objects.get()
        assert contact.source_action is None
        assert contact.source_detail == "a trade show"

    def test_a_crm_failure_never_fails_the_request(self, people, submit, monkeypatch):
        def broken(**kwargs):
            raise RuntimeError("CRM down")

        monkeypatch.setattr("micedesk.crm.services.quote_request_link", broken)
        request = submit()
        assert request.status == RequestStatus.ROUTED
        assert not Contact.objects.exists()


class QuoteRequestOutcomeTestCase:
    def test_a_won_request_becomes_an_event_held_with_the_supplier_and_scope(self, people, declare):
        request = quote_request(
            start_date=datetime.date(2026, 9, 1), end_date=datetime.date(2026, 9, 2)
        )
        dispatch(request, supplier=people.hotel)
        declare(request, people.hotel, participants=45, days=2, budget="18000")
        contact = Contact.objects.get(email="planner@company.example")
        held = contact.interactions.get(kind=InteractionKind.EVENT_HELD)
        assert held.supplier == people.hotel and held.quote_request == request
        assert held.details["participants"] == 45 and held.details["days"] == 2
        assert Decimal(held.details["budget"]) == Decimal("18000")
        assert contact.interactions.filter(kind=InteractionKind.QUOTE_REQUEST).count() == 1

    def test_a_lost_request_adds_nothing(self, people, declare):
        request = quote_request()
        dispatch(request, supplier=people.hotel)
        declare(request, None)
        assert not Interaction.objects.filter(kind=InteractionKind.EVENT_HELD).exists()

    def test_declaring_again_updates_or_withdraws_the_event(self, people, declare):
        request = quote_request()
        dispatch(request, supplier=people.hotel)
        dispatch(request, supplier=people.other_hotel)
        declare(request, people.hotel)
        declare(request, people.other_hotel)
        held = Interaction.objects.get(kind=InteractionKind.EVENT_HELD)
        assert held.supplier == people.other_hotel
        declare(request, None)
        assert not Interaction.objects.filter(kind=InteractionKind.EVENT_HELD).exists()

    def test_linking_an_outcome_twice_keeps_one_item(self, people, declare):
        request = quote_request()
        dispatch(request, supplier=people.hotel)
        declare(request, people.hotel)
        quote_request_outcome_link(quote_request=request)
        assert Interaction.objects.filter(kind=InteractionKind.EVENT_HELD).count() == 1
