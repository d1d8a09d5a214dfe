"""The signed unsubscribe link of the CRM's mailings: it works without logging in, asks for a
confirmation (mail scanners follow links: a GET never unsubscribes) and shows no personal data
beyond a masked e-mail address."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from micedesk.crm.links import BadUnsubscribeToken, unsubscribe_token_read
from micedesk.crm.models import Purpose
from micedesk.crm.selectors import consents_in_force
from micedesk.crm.services import contact_unsubscribe


def masked_email(email: str) -> str:
    """'c•••@example.org' for 'claire.martin@example.org': enough to recognise one's address."""
    local, _at, domain = email.partition("@")
    if not local or not domain:
        return ""
    return f"{local[0]}•••@{domain}"


def _private(response: HttpResponse) -> HttpResponse:
    # The token must not leak through the Referer header nor be indexed.
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Cache-Control"] = "no-store"
    return response


# The signed token is the credential here, not a session: a forged request cannot unsubscribe
# anyone without it. Exempt, so that a mail client's one-click unsubscribe (RFC 8058) works too.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        contact, purpose = unsubscribe_token_read(token)
    except BadUnsubscribeToken:
        response = render(request, "portal/unsubscribe_invalid.html", status=400)
        return _private(response)
    current = consents_in_force(contact=contact).get(purpose)
    context = {
        "purpose": Purpose(purpose),
        "email": masked_email(contact.email),
        "already": current is not None and not current.granted,
    }
    if request.method == "POST":
        contact_unsubscribe(contact=contact, purpose=purpose)
        return _private(render(request, "portal/unsubscribe_done.html", context))
    return _private(render(request, "portal/unsubscribe.html", context))
