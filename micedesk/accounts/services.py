"""Writes on users and API keys."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from micedesk.accounts.models import ApiKey, Role, User

API_KEY_PREFIX_LENGTH = 8


def _hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def user_create(
    *, email: str, password: str | None, role: str = Role.NONE, full_name: str = ""
) -> User:
    user = User(email=email.strip().lower(), role=role, full_name=full_name)
    user.is_staff = role in (Role.STAFF, Role.ADMIN)
    user.is_superuser = role == Role.ADMIN
    user.set_password(password) if password else user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def api_key_create(
    *, user: User, label: str = "", created_by: User | None = None
) -> tuple[ApiKey, str]:
    """Create a key for `user`; returns the stored row and the secret, which is never stored."""
    prefix = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)
    secret = f"mk_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        user=user, label=label, prefix=prefix, hashed_key=_hash_key(secret), created_by=created_by
    )
    key.full_clean()
    key.save()
    return key, secret


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=timezone.now())
    key.refresh_from_db()
    return key


def api_key_authenticate(*, secret: str) -> User | None:
    """The active user behind a secret, or None. Compares hashes in constant time."""
    parts = secret.split("_")
    if len(parts) < 3 or parts[0] != "mk":
        return None
    key = ApiKey.objects.select_related("user").filter(prefix=parts[1], revoked_at=None).first()
    if key is None or not secrets.compare_digest(key.hashed_key, _hash_key(secret)):
        return None
    if not key.user.is_active:
        return None
    now = timezone.now()
    if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.user
