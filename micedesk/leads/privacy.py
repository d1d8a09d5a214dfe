"""Erasure of a planner's personal data from a quote request, its dispatches and its log, keeping
what the figures need: kind of event, participants, days, budget, dates, place, outcome, supplier."""

from __future__ import annotations

import re

from django.db import transaction

from micedesk.leads.models import Dispatch, QuoteRequest, RoutingLogEntry

ANONYMISED_NAME = "Anonymised"
ERASED = "[erased]"
# Free text a supplier or the outbox wrote about a dispatch: it may quote the planner.
DISPATCH_FREE_TEXT = ("decline_reason", "lost_reason", "last_error")


def erased_address(quote_request: QuoteRequest) -> str:
    """A syntactically valid address that can never be delivered (RFC 2606's .invalid)."""
    return f"erased-{quote_request.pk}@erased.invalid"


def _tokens(quote_request: QuoteRequest) -> list[str]:
    """What identifies the planner, lower-cased, to find it inside structured details."""
    tokens = [quote_request.email.lower(), quote_request.contact_name.lower()]
    tokens += [word.lower() for word in quote_request.contact_name.split() if len(word) > 2]
    digits = re.sub(r"\D", "", quote_request.phone)
    if len(digits) >= 6:
        tokens.append(digits[-6:])
    return [token for token in tokens if token]


def _names_them(text: str, tokens: list[str]) -> bool:
    lowered = text.lower()
    digits = re.sub(r"\D", "", text)
    return any(token in lowered or (token.isdigit() and token in digits) for token in tokens)


def scrub(value: object, tokens: list[str]) -> object:
    """A copy of a JSON value where every string that names the planner is replaced."""
    if isinstance(value, dict):
        return {key: scrub(item, tokens) for key, item in value.items()}
    if isinstance(value, list):
        return [scrub(item, tokens) for item in value]
    if isinstance(value, str) and _names_them(value, tokens):
        return ERASED
    return value


def _spam_reasons(reasons: list) -> list:
    """Spam reasons keep their codes; their parameters quote the message, so they go."""
    return [{"code": reason.get("code", ""), "params": {}} for reason in reasons or []]


@transaction.atomic
def quote_request_anonymise(*, quote_request: QuoteRequest) -> QuoteRequest:
    quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
    tokens = _tokens(quote_request)
    for entry in RoutingLogEntry.objects.filter(quote_request=quote_request):
        details = scrub(entry.details, tokens)
        if isinstance(details, dict) and "reasons" in details:
            details["reasons"] = _spam_reasons(details["reasons"])
        entry.details = details
        entry.save(update_fields=["details"])
    Dispatch.objects.filter(quote_request=quote_request).update(
        **{name: "" for name in DISPATCH_FREE_TEXT}
    )
    for dispatch in Dispatch.objects.filter(quote_request=quote_request):
        dispatch.explanation = scrub(dispatch.explanation, tokens)
        dispatch.save(update_fields=["explanation"])
    quote_request.contact_name = ANONYMISED_NAME
    quote_request.email = erased_address(quote_request)
    quote_request.phone = ""
    quote_request.message = ""
    quote_request.accessibility_needs = ""
    quote_request.alternative_dates = ""
    quote_request.heard_from = ""
    quote_request.client_key = ""
    quote_request.spam_reasons = _spam_reasons(quote_request.spam_reasons)
    quote_request.save()
    return quote_request
