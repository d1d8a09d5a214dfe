"""Writes on contacts, companies and the timeline: validation, audit entries, first touch."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from micedesk.crm import services
from micedesk.crm.models import (
    ActionKind,
    AuditAction,
    AuditEntry,
    Company,
    Contact,
    Interaction,
    InteractionKind,
)
from tests.crm import builders

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def at(year: int, month: int, day: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(year, month, day, 10, 0))


class ContactCreateTestCase:
    def test_it_stores_the_keys_and_audits_without_values(self, people):
        contact = services.contact_create(
            data={"first_name": "Élise", "last_name": "Martin", "email": " Elise@Corp.example "},
            user=people.staff,
        )
        assert contact.name_key == "martin elise"
        assert contact.email == "Elise@Corp.example"
        entry = AuditEntry.objects.get(object_type="contact", object_id=contact.pk)
        assert entry.action == AuditAction.CREATE and entry.actor == people.staff
        assert "Martin" not in str(entry.details) and "Elise" not in str(entry.details)

    def test_it_refuses_an_address_already_used_whatever_the_case(self, people):
        builders.contact(email="jane@corp.example")
        with pytest.raises(ValidationError):
            services.contact_create(
                data={"last_name": "Doe", "email": "JANE@corp.example"}, user=people.staff
            )
        assert Contact.objects.count() == 1
        assert not AuditEntry.objects.exists()

    def test_it_refuses_a_bad_address_and_a_missing_last_name(self, people):
        with pytest.raises(ValidationError) as error:
            services.contact_create(data={"first_name": "A", "email": "nope"}, user=people.staff)
        assert {"email", "last_name"} <= set(error.value.message_dict)
        assert not Contact.objects.exists()

    def test_it_sets_topics(self, people):
        topic = builders.topic()
        contact = services.contact_create(
            data={"last_name": "Doe", "topics": [topic]}, user=people.staff
        )
        assert list(contact.topics.all()) == [topic]


class ContactUpdateTestCase:
    def test_it_audits_the_names_of_the_changed_fields_only(self, people):
        contact = builders.contact(phone="01")
        services.contact_update(
            contact=contact, data={"phone": "02 31 00 00 00", "city": ""}, user=people.staff
        )
        entry = AuditEntry.objects.get(action=AuditAction.CHANGE)
        assert entry.details == {"fields": ["phone"]}
        assert "02 31" not in str(entry.details)

    def test_it_records_nothing_when_nothing_changed(self, people):
        contact = builders.contact(phone="01")
        services.contact_update(contact=contact, data={"phone": "01"}, user=people.staff)
        assert not AuditEntry.objects.exists()

    def test_it_refuses_a_bad_department_length(self, people):
        contact = builders.contact()
        with pytest.raises(ValidationError):
            services.contact_update(
                contact=contact, data={"department_code": "1234"}, user=people.staff
            )


class CompanyTestCase:
    def test_it_keys_the_name(self, people):
        company = services.company_create(data={"name": "Les Pommiers SARL"}, user=people.staff)
        assert company.name_key == "les pommiers"

    def test_it_refuses_a_bad_naf_code(self, people):
        with pytest.raises(ValidationError) as error:
            services.company_create(data={"name": "X", "naf_code": "7022"}, user=people.staff)
        assert "naf_code" in error.value.message_dict
        assert not Company.objects.exists()

    def test_find_or_create_matches_by_key(self, people):
        existing = builders.company("Dupont SAS")
        assert services.company_find_or_create(name="DUPONT") == existing
        created = services.company_find_or_create(name="Other", kind="nonsense")
        assert created.kind == "other"


class InteractionAddTestCase:
    def test_it_moves_the_last_interaction_forward_only(self):
        contact = builders.contact(last_interaction_at=at(2025, 5, 1))
        services.interaction_add(
            contact=contact, kind=InteractionKind.CALL, occurred_at=at(2025, 1, 1)
        )
        contact.refresh_from_db()
        assert contact.last_interaction_at == at(2025, 5, 1)
        services.interaction_add(
            contact=contact, kind=InteractionKind.CALL, occurred_at=at(2025, 6, 1)
        )
        contact.refresh_from_db()
        assert contact.last_interaction_at == at(2025, 6, 1)

    def test_an_earlier_touch_becomes_the_source(self):
        contact = builders.contact()
        later = builders.bureau_action("IBTM", kind=ActionKind.TRADE_SHOW)
        earlier = builders.bureau_action("Heavent")
        services.interaction_add(
            contact=contact, kind="met", action=later, occurred_at=at(2025, 3, 1)
        )
        assert contact.source_action == later
        services.interaction_add(
            contact=contact, kind="attended", action=earlier, occurred_at=at(2024, 3, 1)
        )
        services.interaction_add(
            contact=contact, kind="attended", action=later, occurred_at=at(2025, 9, 1)
        )
        contact.refresh_from_db()
        assert contact.source_action == earlier

    def test_an_invitation_or_a_mailing_is_never_the_source(self):
        contact = builders.contact()
        met_at = builders.bureau_action("IBTM", kind=ActionKind.TRADE_SHOW)
        invited_to = builders.bureau_action("Workshop", kind=ActionKind.WORKSHOP)
        services.interaction_add(
            contact=contact, kind="invited", action=invited_to, occurred_at=at(2024, 3, 1)
        )
        services.interaction_add(
            contact=contact, kind="mailing", action=invited_to, occurred_at=at(2024, 4, 1)
        )
        contact.refresh_from_db()
        assert contact.source_action is None
        services.interaction_add(
            contact=contact, kind="met", action=met_at, occurred_at=at(2025, 3, 1)
        )
        contact.refresh_from_db()
        assert contact.source_action == met_at

    def test_a_source_given_at_creation_is_kept_against_later_touches(self, people):
        imported_from = builders.bureau_action("Salon")
        contact = services.contact_create(
            data={"last_name": "Doe"}, user=people.staff, source_action=imported_from
        )
        services.interaction_add(
            contact=contact,
            kind="met",
            action=builders.bureau_action(),
            occurred_at=timezone.now() + DAY,
        )
        contact.refresh_from_db()
        assert contact.source_action == imported_from

    def test_it_links_a_request_once(self):
        from tests.leads.builders import quote_request

        contact = builders.contact()
        request = quote_request()
        first = services.interaction_add(
            contact=contact, kind=InteractionKind.QUOTE_REQUEST, quote_request=request
        )
        second = services.interaction_add(
            contact=contact, kind=InteractionKind.QUOTE_REQUEST, quote_request=request
        )
        assert first.pk == second.pk
        assert Interaction.objects.count() == 1

    def test_it_refuses_an_unknown_kind(self):
        with pytest.raises(ValidationError):
            services.interaction_add(contact=builders.contact(), kind="telepathy")
        assert not Interaction.objects.exists()


class BureauActionTestCase:
    def test_it_creates_and_updates_with_topics(self, people):
        topic = builders.topic()
        action = services.bureau_action_create(
            data={"name": "Workshop Paris", "kind": "workshop", "topics": [topic]},
            user=people.staff,
        )
        services.bureau_action_update(action=action, data={"place": "Paris"}, user=people.staff)
        action.refresh_from_db()
        assert action.place == "Paris" and list(action.topics.all()) == [topic]

    def test_it_refuses_dates_in_the_wrong_order(self, people):
        with pytest.raises(ValidationError):
            services.bureau_action_create(
                data={
                    "name": "W",
                    "kind": "workshop",
                    "starts_on": datetime.date(2025, 5, 2),
                    "ends_on": datetime.date(2025, 5, 1),
                },
                user=people.staff,
            )
