"""Signed unsubscribe links: they work without logging in and never expire (a mailing is read
months later); a token altered by one character is refused."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from micedesk.crm.models import Contact, Purpose

SALT = "micedesk.crm.unsubscribe"


class BadUnsubscribeToken(Exception):
    """The token was altered, truncated, or names a contact or purpose that no longer exists."""


def unsubscribe_token(*, contact: Contact, purpose: str) -> str:
    if purpose not in Purpose.values:
        raise ValueError(f"Unknown purpose {purpose!r}")
    # No timestamp: the link never expires, and one contact and purpose always give one token.
    return signing.Signer(salt=SALT).sign_object({"c": contact.pk, "p": purpose}, compress=True)


def unsubscribe_url(*, contact: Contact, purpose: str) -> str:
    """The absolute link for a message to that contact, in their language."""
    token = unsubscribe_token(contact=contact, purpose=purpose)
    language = contact.language if contact.language in dict(settings.LANGUAGES) else None
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            path = reverse("portal:unsubscribe", args=[token])
        except NoReverseMatch:
            path = f"/contacts/desinscription/{token}/"
    return f"{settings.SITE_URL}{path}"


def unsubscribe_token_read(token: str) -> tuple[Contact, str]:
    """The contact and purpose a token names; BadUnsubscribeToken otherwise."""
    try:
        payload = signing.Signer(salt=SALT).unsign_object(token)
    except signing.BadSignature as error:
        raise BadUnsubscribeToken("bad signature") from error
    if not isinstance(payload, dict) or payload.get("p") not in Purpose.values:
        raise BadUnsubscribeToken("bad payload")
    contact = Contact.objects.filter(pk=payload.get("c"), anonymised_at__isnull=True).first()
    if contact is None:
        raise BadUnsubscribeToken("no such contact")
    return contact, payload["p"]
