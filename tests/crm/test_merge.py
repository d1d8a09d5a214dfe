"""Merging two contacts: every history item follows the survivor, nothing is lost."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from micedesk.crm import services
from micedesk.crm.models import AuditAction, AuditEntry, Consent, Contact, Interaction
from tests.crm import builders
from tests.leads.builders import quote_request

pytestmark = pytest.mark.django_db
BASE = timezone.make_aware(datetime.datetime(2024, 1, 1, 9, 0))


def at(days: int) -> datetime.datetime:
    return BASE + datetime.timedelta(days=days)


class ContactMergeTestCase:
    def test_history_consents_topics_and_audit_follow_the_survivor(self, people):
        seminar, sea = builders.topic("seminaires"), builders.topic("mer", "Mer")
        survivor = builders.contact(topics=[seminar])
        duplicate = builders.contact(topics=[sea], phone="02 31 00 00 00")
        builders.interaction(survivor, occurred_at=at(10))
        kept = [builders.interaction(duplicate, "call", occurred_at=at(n)) for n in (1, 2)]
        consent = builders.consent(duplicate)
        services.audit_record(
            actor=people.staff,
            action=AuditAction.VIEW,
            object_type="contact",
            object_id=duplicate.pk,
        )
        merged = services.contact_merge(survivor=survivor, duplicate=duplicate, user=people.staff)
        assert not Contact.objects.filter(pk=duplicate.pk).exists()
        assert {item.pk for item in kept} <= set(merged.interactions.values_list("pk", flat=True))
        assert Consent.objects.get(pk=consent.pk).contact == merged
        assert set(merged.topics.all()) == {seminar, sea}
        assert merged.phone == "02 31 00 00 00"  # an empty field is filled
        assert not AuditEntry.objects.filter(object_type="contact", object_id=duplicate.pk).exists()
        entry = AuditEntry.objects.get(action=AuditAction.MERGE)
        assert entry.object_id == merged.pk and entry.details["merged"] == duplicate.pk
        assert "02 31" not in str(entry.details)

    def test_fields_taken_come_from_the_duplicate_including_the_address(self, people):
        survivor = builders.contact(email="old@corp.example", job_title="Assistant")
        duplicate = builders.contact(email="new@corp.example", job_title="Director")
        merged = services.contact_merge(
            survivor=survivor, duplicate=duplicate, user=people.staff, take=["email", "job_title"]
        )
        assert (merged.email, merged.job_title) == ("new@corp.example", "Director")

    def test_the_survivor_keeps_its_values_unless_taken(self, people):
        survivor = builders.contact(job_title="Assistant")
        duplicate = builders.contact(job_title="Director")
        merged = services.contact_merge(survivor=survivor, duplicate=duplicate, user=people.staff)
        assert merged.job_title == "Assistant"

    def test_source_is_the_earliest_first_touch_and_last_interaction_the_latest(self, people):
        early, late = builders.bureau_action("Heavent"), builders.bureau_action("IBTM")
        survivor = builders.contact(source_action=late, last_interaction_at=at(300))
        duplicate = builders.contact(source_action=early, last_interaction_at=at(400))
        builders.interaction(survivor, action=late, occurred_at=at(200))
        builders.interaction(duplicate, action=early, occurred_at=at(100))
        merged = services.contact_merge(survivor=survivor, duplicate=duplicate, user=people.staff)
        assert merged.source_action == early
        assert merged.last_interaction_at == max(at(400), duplicate.last_interaction_at)

    def test_one_request_on_both_timelines_stays_once(self, people):
        request = quote_request()
        survivor, duplicate = builders.contact(), builders.contact()
        for contact in (survivor, duplicate):
            builders.interaction(contact, "quote_request", quote_request=request)
        merged = services.contact_merge(survivor=survivor, duplicate=duplicate, user=people.staff)
        assert merged.interactions.filter(quote_request=request).count() == 1

    def test_it_refuses_to_merge_a_contact_with_itself(self, people):
        contact = builders.contact()
        with pytest.raises(ValidationError):
            services.contact_merge(survivor=contact, duplicate=contact, user=people.staff)

    def test_it_refuses_an_unknown_field_to_take_and_changes_nothing(self, people):
        survivor, duplicate = builders.contact(), builders.contact()
        builders.interaction(duplicate)
        with pytest.raises(ValidationError):
            services.contact_merge(
                survivor=survivor, duplicate=duplicate, user=people.staff, take=["is_demo"]
            )
        assert Contact.objects.filter(pk=duplicate.pk).exists()
        assert duplicate.interactions.count() == 1


class ContactMergePropertyTestCase:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        items=st.lists(
            st.tuples(
                st.booleans(),
                st.sampled_from(["met", "call", "note", "mailing"]),
                st.integers(0, 900),
                st.booleans(),
            ),
            max_size=12,
        ),
        consents=st.lists(st.tuples(st.booleans(), st.booleans()), max_size=6),
    )
    def test_merging_keeps_every_history_item(self, people, items, consents):
        survivor, duplicate = builders.contact(), builders.contact()
        actions = [builders.bureau_action(), builders.bureau_action()]
        for on_duplicate, kind, days, with_action in items:
            builders.interaction(
                duplicate if on_duplicate else survivor,
                kind,
                occurred_at=at(days),
                action=actions[days % 2] if with_action else None,
            )
        for on_duplicate, granted in consents:
            builders.consent(duplicate if on_duplicate else survivor, granted=granted)
        before = set(
            Interaction.objects.filter(contact__in=[survivor, duplicate]).values_list(
                "pk", flat=True
            )
        )
        consent_ids = set(
            Consent.objects.filter(contact__in=[survivor, duplicate]).values_list("pk", flat=True)
        )
        merged = services.contact_merge(survivor=survivor, duplicate=duplicate, user=people.staff)
        assert set(merged.interactions.values_list("pk", flat=True)) == before
        assert set(merged.consents.values_list("pk", flat=True)) == consent_ids
        touches = [(days, kind) for _dup, kind, days, with_action in items if with_action]
        if touches:
            first = merged.interactions.filter(action__isnull=False).order_by("occurred_at", "pk")[
                0
            ]
            assert merged.source_action_id == first.action_id
