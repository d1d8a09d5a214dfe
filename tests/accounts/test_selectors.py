"""The API key list: every key for bureau staff, none for anyone else."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from micedesk.accounts.models import ApiKey
from micedesk.accounts.selectors import api_keys_for
from micedesk.accounts.services import api_key_create


@pytest.fixture
def keys(people) -> list[ApiKey]:
    """A key of the supplier member issued by staff, then a newer key of the partner member."""
    older, _secret = api_key_create(user=people.supplier, label="CRM", created_by=people.staff)
    newer, _secret = api_key_create(user=people.partner, label="Partner site")
    ApiKey.objects.filter(pk=older.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=1)
    )
    return [older, newer]


class ApiKeysForTestCase:
    @pytest.mark.parametrize("who", ["staff", "admin"])
    def test_staff_get_every_key_newest_first(self, people, keys, who):
        assert list(api_keys_for(user=getattr(people, who))) == [keys[1], keys[0]]

    def test_it_reads_owner_and_issuer_with_the_keys(self, people, keys, django_assert_num_queries):
        with django_assert_num_queries(1):
            rows = [(key.user.email, key.created_by) for key in api_keys_for(user=people.staff)]
        assert rows[1] == (people.supplier.email, people.staff)

    @pytest.mark.parametrize("who", ["supplier", "other_supplier", "partner", "outsider"])
    def test_it_gives_nothing_to_anyone_but_staff(self, people, keys, who):
        """Not even the user's own keys: keys are issued and listed by the bureau."""
        assert list(api_keys_for(user=getattr(people, who))) == []

    def test_it_gives_nothing_to_an_anonymous_visitor(self, people, keys):
        assert list(api_keys_for(user=AnonymousUser())) == []

    def test_it_gives_nothing_to_a_deactivated_staff_member(self, people, keys):
        people.staff.is_active = False
        people.staff.save()
        assert list(api_keys_for(user=people.staff)) == []
