"""API keys: only a hash is stored, a key acts as its user until revoked."""

from __future__ import annotations

from micedesk.accounts.models import ApiKey
from micedesk.accounts.services import api_key_authenticate, api_key_create, api_key_revoke


class ApiKeyTestCase:
    def test_it_authenticates_its_user(self, people):
        _key, secret = api_key_create(user=people.supplier, label="CRM")
        assert api_key_authenticate(secret=secret) == people.supplier

    def test_it_stores_only_a_hash(self, people):
        key, secret = api_key_create(user=people.supplier)
        stored = ApiKey.objects.get(pk=key.pk)
        assert secret not in (stored.hashed_key, stored.prefix) and stored.prefix in secret

    def test_it_refuses_a_revoked_key(self, people):
        key, secret = api_key_create(user=people.staff)
        api_key_revoke(key=key)
        assert api_key_authenticate(secret=secret) is None

    def test_it_refuses_a_forged_or_malformed_key(self, people):
        _key, secret = api_key_create(user=people.staff)
        assert api_key_authenticate(secret=secret[:-2] + "xx") is None
        for garbage in ("", "mk_", "mk__", "Bearer", "mk_zzzz_secret", "x" * 500):
            assert api_key_authenticate(secret=garbage) is None

    def test_it_refuses_the_key_of_a_deactivated_user(self, people):
        _key, secret = api_key_create(user=people.partner)
        people.partner.is_active = False
        people.partner.save()
        assert api_key_authenticate(secret=secret) is None
