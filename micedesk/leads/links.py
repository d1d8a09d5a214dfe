"""The planner's private link to follow a request: a signed, expiring token, and the acknowledgement
mail that carries it."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from micedesk.leads.models import QuoteRequest

SALT = "leads.quote-request"
# The portal serves this path (French URLs are the default; the token carries no language).
PLANNER_LINK_PATH = "/demandes/suivi/{token}/"
LINK_MAX_AGE_DAYS_DEFAULT = 180


class InvalidLink(Exception):
    """A private link that does not open a request; `str()` says why, for the planner."""


class ForgedLink(InvalidLink):
    """The token was not signed by this site, or was altered."""


class ExpiredLink(InvalidLink):
    """The token was signed by this site but is older than LEADS_LINK_MAX_AGE_DAYS."""


def link_max_age() -> datetime.timedelta:
    return datetime.timedelta(
        days=getattr(settings, "LEADS_LINK_MAX_AGE_DAYS", LINK_MAX_AGE_DAYS_DEFAULT)
    )


def quote_request_token(*, quote_request: QuoteRequest) -> str:
    """A signed token naming the request by id and reference: a token cannot be reused for another
    request that later gets the same id (a restored database, for instance)."""
    return signing.dumps([quote_request.pk, quote_request.reference], salt=SALT, compress=True)


def quote_request_link(*, quote_request: QuoteRequest) -> str:
    """The path of the planner's private page for this request (signed, expiring)."""
    return PLANNER_LINK_PATH.format(token=quote_request_token(quote_request=quote_request))


def quote_request_absolute_link(*, quote_request: QuoteRequest) -> str:
    return settings.SITE_URL + quote_request_link(quote_request=quote_request)


def quote_request_from_token(*, token: str) -> QuoteRequest:
    """The request a token opens; ExpiredLink, ForgedLink or InvalidLink otherwise."""
    try:
        pk, reference = signing.loads(token, salt=SALT, max_age=link_max_age())
    except signing.SignatureExpired:
        raise ExpiredLink(
            _(
                "This link has expired. Write to us with the reference of your request and we "
                "will send you a new one."
            )
        ) from None
    except (signing.BadSignature, TypeError, ValueError):
        raise ForgedLink(
            _("This link is not valid. Check that it was copied whole from our e-mail.")
        ) from None
    quote_request = QuoteRequest.objects.filter(pk=pk, reference=reference).first()
    if quote_request is None:
        raise InvalidLink(_("This request no longer exists."))
    return quote_request


def quote_request_acknowledge(*, quote_request: QuoteRequest) -> None:
    """Send the planner the acknowledgement of a request, with its private link, in the language
    the planner used. A mail server failure raises: the caller (a task) retries."""
    with translation.override(quote_request.language or settings.LANGUAGE_CODE):
        context = {
            "quote_request": quote_request,
            "link": quote_request_absolute_link(quote_request=quote_request),
            "brand": settings.MICEDESK_BRAND,
            "max_age_days": link_max_age().days,
        }
        subject = _("Your quote request %(reference)s") % {"reference": quote_request.reference}
        body = render_to_string("leads/mail_acknowledgement.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [quote_request.email])
