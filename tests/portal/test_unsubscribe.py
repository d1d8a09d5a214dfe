"""The signed unsubscribe link: a confirmation page on GET (mail scanners follow links), the
withdrawal on POST, no login needed, a clear 400 for an altered link, no personal data shown
beyond a masked address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.crm.links import unsubscribe_token, unsubscribe_url
from micedesk.crm.models import AuditEntry, Consent, Purpose
from micedesk.portal.crm_views import masked_email
from tests.crm import builders


@pytest.fixture
def subscribed(db):
    contact = builders.contact("Claire", "Moreau", email="claire.moreau@agency.example")
    builders.consent(contact, Purpose.MAILING)
    return contact


def link(contact, purpose: str = Purpose.MAILING) -> str:
    return reverse("portal:unsubscribe", args=[unsubscribe_token(contact=contact, purpose=purpose)])


def in_force(contact, purpose: str = Purpose.MAILING) -> Consent:
    return Consent.objects.filter(contact=contact, purpose=purpose).order_by("-recorded_at", "-pk")[
        0
    ]


class UnsubscribeTestCase:
    def test_the_mailed_url_leads_to_this_page(self, subscribed):
        assert unsubscribe_url(contact=subscribed, purpose=Purpose.MAILING).endswith(
            link(subscribed)
        )

    def test_get_asks_for_a_confirmation_and_changes_nothing(self, client, subscribed):
        response = client.get(link(subscribed))
        assert response.status_code == 200
        assert 'data-testid="unsubscribe-confirm"' in response.text
        assert in_force(subscribed).granted is True
        assert response["X-Robots-Tag"] == "noindex, nofollow"
        assert response["Referrer-Policy"] == "same-origin"

    def test_it_shows_only_a_masked_address(self, client, subscribed):
        text = client.get(link(subscribed)).text
        assert "c•••@agency.example" in text
        assert "claire.moreau" not in text.lower()
        assert "Moreau" not in text

    def test_post_withdraws_without_logging_in(self, client, subscribed):
        response = client.post(link(subscribed))
        assert response.status_code == 200
        assert 'data-testid="unsubscribe-done"' in response.text
        withdrawal = in_force(subscribed)
        assert (withdrawal.granted, withdrawal.method) == (False, "unsubscribe")
        assert AuditEntry.objects.filter(action="unsubscribe", object_id=subscribed.pk).exists()

    def test_it_works_with_csrf_checks_on(self, subscribed):
        from django.test import Client

        response = Client(enforce_csrf_checks=True).post(link(subscribed))
        assert response.status_code == 200
        assert in_force(subscribed).granted is False

    def test_posting_twice_records_one_withdrawal(self, client, subscribed):
        client.post(link(subscribed))
        client.post(link(subscribed))
        assert Consent.objects.filter(contact=subscribed, granted=False).count() == 1
        assert 'data-testid="unsubscribe-already"' in client.get(link(subscribed)).text

    def test_it_withdraws_only_the_purpose_of_the_link(self, client, subscribed):
        builders.consent(subscribed, Purpose.INVITATIONS)
        client.post(link(subscribed, Purpose.INVITATIONS))
        assert in_force(subscribed, Purpose.INVITATIONS).granted is False
        assert in_force(subscribed, Purpose.MAILING).granted is True

    def test_it_is_served_in_english_under_en(self, client, subscribed):
        response = client.get("/en" + link(subscribed))
        assert response.status_code == 200
        assert "Unsubscribe" in response.text

    @pytest.mark.parametrize("method", ["get", "post"])
    def test_it_refuses_an_altered_token_with_a_clear_page(self, client, subscribed, method):
        token = unsubscribe_token(contact=subscribed, purpose=Purpose.MAILING)
        altered = token[:-1] + ("A" if token[-1] != "A" else "B")
        for bad in (altered, "nonsense", token[:10]):
            url = reverse("portal:unsubscribe", args=[bad])
            response = getattr(client, method)(url)
            assert response.status_code == 400
            assert 'data-testid="unsubscribe-invalid"' in response.text
        assert in_force(subscribed).granted is True

    def test_it_refuses_the_link_of_an_erased_contact(self, client, subscribed):
        url = link(subscribed)
        subscribed.anonymised_at = subscribed.created_at
        subscribed.save()
        assert client.get(url).status_code == 400

    def test_it_refuses_other_methods(self, client, subscribed):
        assert client.put(link(subscribed)).status_code == 405


class MaskedEmailTestCase:
    @pytest.mark.parametrize(
        "email, masked",
        [("claire@agency.example", "c•••@agency.example"), ("", ""), ("broken", "")],
    )
    def test_it_masks_the_local_part(self, email, masked):
        assert masked_email(email) == masked
