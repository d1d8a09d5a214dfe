"""Reads of the CRM: staff only, search and filters, attribution, consents in force, duplicates,
the quality report."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from micedesk.crm import selectors
from micedesk.crm.models import AuditAction, AuditEntry, Purpose
from tests.crm import builders

pytestmark = pytest.mark.django_db
BASE = timezone.make_aware(datetime.datetime(2025, 1, 6, 10, 0))

STAFF_ONLY = [
    lambda user: selectors.contacts_for(user=user),
    lambda user: selectors.contact_search(user=user, q="x"),
    lambda user: selectors.contact_for(user=user, pk=1),
    lambda user: selectors.contact_timeline(user=user, contact=builders.contact()),
    lambda user: selectors.quality_report(user=user),
    lambda user: selectors.companies_for(user=user),
    lambda user: selectors.bureau_actions_for(user=user),
    lambda user: selectors.audit_entries_for(user=user),
]


class StaffOnlyTestCase:
    @pytest.mark.parametrize("role", ["supplier", "other_supplier", "partner", "outsider"])
    @pytest.mark.parametrize("read", range(len(STAFF_ONLY)))
    def test_it_refuses_everyone_but_staff(self, people, role, read):
        with pytest.raises(PermissionDenied):
            STAFF_ONLY[read](getattr(people, role))

    def test_it_refuses_an_anonymous_user(self, people):
        from django.contrib.auth.models import AnonymousUser

        with pytest.raises(PermissionDenied):
            selectors.contacts_for(user=AnonymousUser())

    def test_it_refuses_an_inactive_staff_member(self, people):
        people.staff.is_active = False
        with pytest.raises(PermissionDenied):
            selectors.contacts_for(user=people.staff)

    @pytest.mark.parametrize("role", ["staff", "admin"])
    def test_staff_and_admins_read(self, people, role):
        builders.contact()
        assert selectors.contacts_for(user=getattr(people, role)).count() == 1


class ContactSearchTestCase:
    def test_it_finds_by_name_without_accents_or_case(self, people):
        found = builders.contact("Hélène", "Lefèvre")
        builders.contact("Other", "Person")
        assert list(selectors.contact_search(user=people.staff, q="helene LEFEVRE")) == [found]

    def test_it_finds_by_email_and_company(self, people):
        acme = builders.company("Acmé Industries SAS")
        by_company = builders.contact(company=acme, email="a@x.example")
        by_email = builders.contact(email="unique.address@y.example")
        assert list(selectors.contact_search(user=people.staff, q="acme")) == [by_company]
        assert list(selectors.contact_search(user=people.staff, q="unique.address")) == [by_email]

    def test_it_filters(self, people):
        seminar = builders.topic()
        action = builders.bureau_action()
        wanted = builders.contact(
            kind="prescriber", department_code="14", country="FR", topics=[seminar],
            source_action=action,
        )  # fmt: skip
        builders.consent(wanted, Purpose.MAILING)
        builders.contact(kind="prescriber", department_code="14")
        builders.contact(department_code="75")
        filters = {
            "kind": "prescriber",
            "department": "14",
            "country": "FR",
            "topic": seminar.code,
            "source_action": action.pk,
            "consent": Purpose.MAILING,
        }
        assert list(selectors.contact_search(user=people.staff, filters=filters)) == [wanted]
        assert list(
            selectors.contact_search(user=people.staff, filters={"topic": str(seminar.pk)})
        ) == [wanted]

    def test_a_withdrawn_consent_does_not_count(self, people):
        contact = builders.contact()
        builders.consent(contact, Purpose.MAILING, recorded_at=BASE)
        builders.consent(
            contact, Purpose.MAILING, granted=False, recorded_at=BASE + datetime.timedelta(1)
        )
        found = selectors.contact_search(user=people.staff, filters={"consent": Purpose.MAILING})
        assert not found.exists()

    def test_anonymised_contacts_are_left_out_unless_asked(self, people):
        gone = builders.contact(anonymised_at=BASE)
        assert not selectors.contact_search(user=people.staff).exists()
        assert list(selectors.contact_search(user=people.staff, filters={"anonymised": True})) == [
            gone
        ]

    def test_empty_filters_are_ignored(self, people):
        builders.contact()
        assert selectors.contact_search(user=people.staff, filters={"kind": ""}).count() == 1


class ContactForTestCase:
    def test_viewing_is_audited(self, people):
        contact = builders.contact()
        assert selectors.contact_for(user=people.staff, pk=contact.pk) == contact
        entry = AuditEntry.objects.get(action=AuditAction.VIEW)
        assert (entry.actor, entry.object_id) == (people.staff, contact.pk)

    def test_an_unknown_contact_is_404(self, people):
        with pytest.raises(Http404):
            selectors.contact_for(user=people.staff, pk=999999)


class AttributionTestCase:
    def test_the_first_touch_is_the_earliest_with_an_action(self, people):
        contact = builders.contact()
        first, second = builders.bureau_action(), builders.bureau_action()
        builders.interaction(contact, "call", occurred_at=BASE - datetime.timedelta(days=99))
        later = builders.interaction(
            contact, action=second, occurred_at=BASE + datetime.timedelta(5)
        )
        earliest = builders.interaction(contact, action=first, occurred_at=BASE)
        attribution = selectors.contact_attribution(contact=contact)
        assert attribution.first_touch == earliest
        assert attribution.touches == [earliest, later]

    def test_no_touch_no_first_touch(self, people):
        attribution = selectors.contact_attribution(contact=builders.contact())
        assert attribution.first_touch is None and attribution.touches == []

    def test_the_timeline_is_newest_first(self, people):
        contact = builders.contact()
        old = builders.interaction(contact, occurred_at=BASE)
        new = builders.interaction(contact, occurred_at=BASE + datetime.timedelta(1))
        assert selectors.contact_timeline(user=people.staff, contact=contact) == [new, old]


class ConsentsInForceTestCase:
    def test_the_latest_row_per_purpose_is_in_force(self, people):
        contact = builders.contact()
        builders.consent(contact, Purpose.MAILING, recorded_at=BASE + datetime.timedelta(2))
        builders.consent(contact, Purpose.MAILING, granted=False, recorded_at=BASE)
        in_force = selectors.consents_in_force(contact=contact)
        assert in_force[Purpose.MAILING].granted
        assert in_force[Purpose.INVITATIONS] is None
        assert selectors.contact_has_basis(contact=contact, purpose=Purpose.MAILING)
        assert not selectors.contact_has_basis(contact=contact, purpose=Purpose.FOLLOW_UP)


class DuplicateCandidatesTestCase:
    def test_it_finds_same_name_and_same_initial_in_a_company(self, people):
        acme = builders.company("Acme")
        a = builders.contact("Jean", "Dupont", email="")
        b = builders.contact("JEAN", "Dupont", email="")
        c = builders.contact("Jeanne", "Martin", company=acme)
        d = builders.contact("J.", "Martin", company=acme)
        builders.contact("Paul", "Martin", company=acme)
        pairs = {(pair.a.pk, pair.b.pk): pair.reasons for pair in selectors.duplicate_candidates()}
        assert pairs[(a.pk, b.pk)] == [selectors.SAME_NAME]
        assert pairs[(c.pk, d.pk)] == [selectors.SAME_INITIAL_AND_COMPANY]
        assert len(pairs) == 2

    def test_it_finds_addresses_differing_only_by_spaces(self, people):
        a = builders.contact(email="jane@corp.example")
        b = builders.contact(email="jane@corp.example ")
        pairs = selectors.duplicate_candidates(contact=a)
        assert [(p.a, p.b, p.reasons) for p in pairs] == [(a, b, [selectors.SAME_EMAIL])]
        assert pairs[0].reason_labels

    def test_with_a_contact_only_its_pairs(self, people):
        a, b = builders.contact("Jean", "Dupont"), builders.contact("Jean", "Dupont")
        builders.contact("Anne", "Roux"), builders.contact("Anne", "Roux")
        assert [(p.a, p.b) for p in selectors.duplicate_candidates(contact=b)] == [(a, b)]


class QualityReportTestCase:
    def test_it_measures_completeness_and_lists_what_to_fix(self, people):
        action = builders.bureau_action()
        builders.contact(phone="01", source_action=action)
        lacking = builders.contact(department_code="", country="")
        report = selectors.quality_report(user=people.staff)
        assert report.total == 2
        by_field = {item.field: item for item in report.completeness}
        assert by_field["phone"].filled == 1 and by_field["phone"].percent == 50
        assert by_field["source_action"].filled == 1
        assert (report.without_origin, report.without_source) == (1, 1)
        assert report.work_list == [lacking]
