"""Signed unsubscribe links and the withdrawal they record."""

from __future__ import annotations

import pytest

from micedesk.crm.links import (
    BadUnsubscribeToken,
    unsubscribe_token,
    unsubscribe_token_read,
    unsubscribe_url,
)
from micedesk.crm.models import AuditAction, AuditEntry, ConsentMethod, Purpose
from micedesk.crm.selectors import consents_in_force, contact_has_basis
from micedesk.crm.services import contact_unsubscribe
from tests.crm import builders

pytestmark = pytest.mark.django_db


class UnsubscribeTokenTestCase:
    def test_a_token_names_its_contact_and_purpose(self):
        contact = builders.contact()
        token = unsubscribe_token(contact=contact, purpose=Purpose.MAILING)
        assert unsubscribe_token_read(token) == (contact, Purpose.MAILING)

    def test_a_contact_and_purpose_always_give_the_same_token(self):
        contact = builders.contact()
        first = unsubscribe_token(contact=contact, purpose=Purpose.MAILING)
        assert unsubscribe_token(contact=contact, purpose=Purpose.MAILING) == first
        assert unsubscribe_token(contact=contact, purpose=Purpose.INVITATIONS) != first

    def test_a_token_signed_for_another_use_is_refused(self):
        from django.core import signing

        forged = signing.Signer(salt="another.salt").sign_object({"c": 1, "p": "mailing"})
        with pytest.raises(BadUnsubscribeToken):
            unsubscribe_token_read(forged)

    def test_the_token_holds_no_address(self):
        contact = builders.contact(email="secret.person@corp.example")
        assert "secret" not in unsubscribe_token(contact=contact, purpose=Purpose.MAILING)

    @pytest.mark.parametrize("position", [0, 5, -1, -6])
    def test_a_tampered_token_is_refused(self, position):
        token = unsubscribe_token(contact=builders.contact(), purpose=Purpose.INVITATIONS)
        index = position % len(token)
        changed = "A" if token[index] != "A" else "B"
        with pytest.raises(BadUnsubscribeToken):
            unsubscribe_token_read(token[:index] + changed + token[index + 1 :])

    @pytest.mark.parametrize("token", ["", "garbage", "a:b:c"])
    def test_garbage_is_refused(self, token):
        with pytest.raises(BadUnsubscribeToken):
            unsubscribe_token_read(token)

    def test_a_token_of_an_erased_contact_is_refused(self):
        contact = builders.contact()
        token = unsubscribe_token(contact=contact, purpose=Purpose.MAILING)
        contact.delete()
        with pytest.raises(BadUnsubscribeToken):
            unsubscribe_token_read(token)

    def test_an_unknown_purpose_is_refused_when_signing(self):
        with pytest.raises(ValueError):
            unsubscribe_token(contact=builders.contact(), purpose="spam")

    def test_the_url_is_absolute_and_carries_the_token(self, settings):
        contact = builders.contact()
        url = unsubscribe_url(contact=contact, purpose=Purpose.MAILING)
        assert url.startswith(settings.SITE_URL)
        assert unsubscribe_token(contact=contact, purpose=Purpose.MAILING) in url


class ContactUnsubscribeTestCase:
    def test_it_records_a_withdrawal_and_keeps_the_history(self):
        contact = builders.contact()
        granted = builders.consent(contact, Purpose.MAILING)
        withdrawal = contact_unsubscribe(contact=contact, purpose=Purpose.MAILING)
        assert withdrawal.pk != granted.pk
        assert (withdrawal.granted, withdrawal.method) == (False, ConsentMethod.UNSUBSCRIBE)
        assert withdrawal.basis == granted.basis
        assert consents_in_force(contact=contact)[Purpose.MAILING] == withdrawal
        assert not contact_has_basis(contact=contact, purpose=Purpose.MAILING)
        assert contact.consents.count() == 2
        assert AuditEntry.objects.filter(action=AuditAction.UNSUBSCRIBE).count() == 1

    def test_unsubscribing_twice_records_once(self):
        contact = builders.contact()
        first = contact_unsubscribe(contact=contact, purpose=Purpose.INVITATIONS)
        second = contact_unsubscribe(contact=contact, purpose=Purpose.INVITATIONS)
        assert first.pk == second.pk

    def test_other_purposes_stay_in_force(self):
        contact = builders.contact()
        builders.consent(contact, Purpose.INVITATIONS)
        contact_unsubscribe(contact=contact, purpose=Purpose.MAILING)
        assert contact_has_basis(contact=contact, purpose=Purpose.INVITATIONS)
