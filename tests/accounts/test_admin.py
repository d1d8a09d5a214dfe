"""Django admin of users (e-mail login, role) and of API keys (read-only, revoke action)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from micedesk.accounts.models import ApiKey, Role, User
from micedesk.accounts.services import api_key_authenticate, api_key_create


@pytest.fixture
def admin_client(client, people):
    client.force_login(people.admin)
    return client


class UserAdminTestCase:
    def test_it_lists_users_by_email_and_role(self, admin_client, people):
        response = admin_client.get(reverse("admin:accounts_user_changelist"), {"role": "supplier"})
        assert response.status_code == 200
        assert people.supplier.email.encode() in response.content
        assert people.staff.email.encode() not in response.content

    def test_it_creates_a_user_by_email_with_a_role(self, admin_client):
        response = admin_client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": "New.Officer@Bureau.example",
                "full_name": "New bureau officer",
                "role": Role.STAFF,
                "usable_password": "true",
                "password1": "a-long-enough-passphrase-2026",
                "password2": "a-long-enough-passphrase-2026",
            },
        )
        assert response.status_code == 302, response.content
        user = User.objects.get(email="new.officer@bureau.example")
        assert user.role == Role.STAFF and user.is_staff and not user.is_superuser
        assert user.check_password("a-long-enough-passphrase-2026")

    def test_it_refuses_an_address_that_differs_only_by_case(self, admin_client, people):
        response = admin_client.post(
            reverse("admin:accounts_user_add"),
            {
                "email": people.supplier.email.upper(),
                "role": Role.SUPPLIER,
                "usable_password": "false",
            },
        )
        assert response.status_code == 200
        assert User.objects.filter(email__iexact=people.supplier.email).count() == 1

    def test_changing_the_role_changes_admin_access(self, admin_client, people):
        user = people.staff
        url = reverse("admin:accounts_user_change", args=[user.pk])
        form = admin_client.get(url).context["adminform"].form
        data = {name: value for name, value in form.initial.items() if value is not None}
        data.update(role=Role.SUPPLIER, groups=[], date_joined_0="2026-01-01",
                    date_joined_1="10:00:00")  # fmt: skip
        data.pop("last_login", None)
        data.pop("password", None)
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        user.refresh_from_db()
        assert user.role == Role.SUPPLIER and not user.is_staff

    def test_a_supplier_member_cannot_open_the_admin(self, client, people):
        client.force_login(people.supplier)
        response = client.get(reverse("admin:accounts_user_changelist"))
        assert response.status_code == 302


class ApiKeyAdminTestCase:
    def test_it_lists_keys_without_their_secret(self, admin_client, people):
        key, secret = api_key_create(user=people.supplier, label="CRM sync")
        response = admin_client.get(reverse("admin:accounts_apikey_changelist"))
        assert response.status_code == 200
        assert key.prefix.encode() in response.content and b"CRM sync" in response.content
        assert secret.encode() not in response.content
        assert key.hashed_key.encode() not in response.content

    def test_it_cannot_add_change_or_delete_a_key(self, admin_client, people):
        key, _secret = api_key_create(user=people.supplier)
        assert admin_client.get(reverse("admin:accounts_apikey_add")).status_code == 403
        detail = admin_client.get(reverse("admin:accounts_apikey_change", args=[key.pk]))
        assert detail.status_code == 200 and b'name="label"' not in detail.content
        delete = admin_client.post(reverse("admin:accounts_apikey_delete", args=[key.pk]))
        assert delete.status_code == 403 and ApiKey.objects.filter(pk=key.pk).exists()

    def test_it_revokes_the_selected_keys(self, admin_client, people):
        revoked, revoked_secret = api_key_create(user=people.supplier)
        kept, kept_secret = api_key_create(user=people.partner)
        response = admin_client.post(
            reverse("admin:accounts_apikey_changelist"),
            {"action": "revoke", "_selected_action": [revoked.pk]},
        )
        assert response.status_code == 302
        assert api_key_authenticate(secret=revoked_secret) is None
        assert api_key_authenticate(secret=kept_secret) == people.partner

    def test_staff_without_the_permission_cannot_revoke(self, client, people):
        key, secret = api_key_create(user=people.supplier)
        client.force_login(people.staff)  # bureau staff: admin access, no permission granted
        response = client.post(
            reverse("admin:accounts_apikey_changelist"),
            {"action": "revoke", "_selected_action": [key.pk]},
        )
        assert response.status_code == 403
        assert api_key_authenticate(secret=secret) == people.supplier
