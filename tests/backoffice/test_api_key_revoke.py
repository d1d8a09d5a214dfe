"""Revoking an API key from the back-office."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.accounts.models import ApiKey
from micedesk.accounts.services import api_key_authenticate, api_key_create


@pytest.fixture
def issued(people):
    return api_key_create(user=people.partner, label="Partner site")


def url(key: ApiKey) -> str:
    return reverse("backoffice:api_key_revoke", kwargs={"pk": key.pk})


class ApiKeyRevokeTestCase:
    def test_staff_revoke_a_key_and_it_stops_working(self, client, people, issued):
        key, secret = issued
        client.force_login(people.staff)
        response = client.post(url(key))
        assert response.status_code == 302
        assert response.url == reverse("backoffice:api_keys")
        key.refresh_from_db()
        assert key.revoked_at is not None
        assert api_key_authenticate(secret=secret) is None

    def test_revoking_twice_keeps_the_first_date(self, client, people, issued):
        key, _secret = issued
        client.force_login(people.staff)
        client.post(url(key))
        key.refresh_from_db()
        first = key.revoked_at
        assert client.post(url(key)).status_code == 302
        key.refresh_from_db()
        assert key.revoked_at == first

    def test_it_is_a_post_only_action(self, client, people, issued):
        key, _secret = issued
        client.force_login(people.staff)
        assert client.get(url(key)).status_code == 405
        key.refresh_from_db()
        assert key.is_active

    def test_it_answers_404_for_an_unknown_key(self, client, people):
        client.force_login(people.staff)
        assert (
            client.post(reverse("backoffice:api_key_revoke", kwargs={"pk": 999})).status_code == 404
        )

    @pytest.mark.parametrize("who", ["supplier", "partner", "outsider"])
    def test_it_refuses_everyone_but_staff(self, client, people, issued, who):
        key, _secret = issued
        client.force_login(getattr(people, who))
        assert client.post(url(key)).status_code == 403
        key.refresh_from_db()
        assert key.is_active

    def test_it_sends_anonymous_visitors_to_the_login_page(self, client, people, issued):
        key, _secret = issued
        assert client.post(url(key)).status_code == 302
        key.refresh_from_db()
        assert key.is_active
