"""The dispatch outbox: each dispatch is mailed to its recipient at least once and, short of a crash
in a window of milliseconds, exactly once, by any number of workers; a mail server outage delays
mail and loses none. See docs/decisions/006-dispatch-outbox.md."""

from __future__ import annotations

import enum
import logging
import smtplib
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from micedesk.directory.vocab import THEMES, Layout
from micedesk.geo.models import Department
from micedesk.leads.intake import REQUEST_SERVICES
from micedesk.leads.matching import match_explanation
from micedesk.leads.models import Dispatch, DispatchStatus, QuoteRequest, RoutingLogEntry

logger = logging.getLogger(__name__)

# A claim outlives the longest send (EMAIL_TIMEOUT per step of the SMTP dialogue), so that no
# second worker takes a dispatch that is still being sent; a crashed worker's claim lapses.
CLAIM = timedelta(minutes=2)
BACKOFF_MAX = timedelta(hours=1)
ERROR_MAX_LENGTH = 500
FRENCH = "fr"
ENGLISH = "en"


class Outcome(enum.Enum):
    SENT = "sent"
    NOT_CLAIMED = "not_claimed"  # sent already, or another worker holds it
    FAILED = "failed"  # refused for this message: retried later
    UNREACHABLE = "unreachable"  # no mail server: retried later, with the rest of the batch


class MailServerUnreachable(Exception):
    pass


def backoff(attempts: int) -> timedelta:
    """The wait before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at most 1 h."""
    minutes = 2 ** min(max(attempts - 1, 0), 10)
    return min(timedelta(minutes=minutes), BACKOFF_MAX)


def _claim_free(now) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def dispatches_due(*, now=None) -> QuerySet[Dispatch]:
    """Dispatches not sent yet whose time has come and that no worker holds, oldest first."""
    now = now or timezone.now()
    return (
        Dispatch.objects.filter(sent_at__isnull=True, next_attempt_at__lte=now)
        .filter(_claim_free(now))
        .order_by("next_attempt_at", "pk")
    )


def dispatches_send_due(*, limit: int = 100) -> int:
    """Send up to `limit` due dispatches over one SMTP connection; returns how many this call
    sent. When the mail server cannot be reached, the rest of the batch waits with the one tried."""
    ids = list(dispatches_due().values_list("pk", flat=True)[:limit])
    if not ids:
        return 0
    connection = get_connection()
    sent = 0
    try:
        for position, dispatch_id in enumerate(ids):
            outcome = _send(dispatch_id, connection)
            sent += outcome is Outcome.SENT
            if outcome is Outcome.UNREACHABLE:
                _defer_untried(ids[position + 1 :], dispatch_id)
                break
    finally:
        _close_quietly(connection)
    return sent


def dispatch_send(*, dispatch_id: int) -> bool:
    """Send one dispatch now (its wait after a failure is not awaited); True if this call sent it."""
    connection = get_connection()
    try:
        return _send(dispatch_id, connection) is Outcome.SENT
    finally:
        _close_quietly(connection)


def _send(dispatch_id: int, connection) -> Outcome:
    now = timezone.now()
    claimed_until = now + CLAIM
    claimed = (
        Dispatch.objects.filter(pk=dispatch_id, sent_at__isnull=True)
        .filter(_claim_free(now))
        .update(claimed_until=claimed_until)
    )
    if claimed != 1:
        return Outcome.NOT_CLAIMED
    dispatch = Dispatch.objects.select_related("quote_request__commune", "supplier", "partner").get(
        pk=dispatch_id
    )
    try:
        note = _deliver(dispatch, connection)
    except MailServerUnreachable as error:
        _record_failure(dispatch, claimed_until, error.__cause__ or error)
        return Outcome.UNREACHABLE
    except Exception as error:
        # A refused message, or a message that could not be written: the claim must not hang
        # until it lapses with no word of why. The dispatch waits, and its row says why.
        _close_quietly(connection)
        _record_failure(dispatch, claimed_until, error)
        return Outcome.FAILED
    _mark_sent(dispatch, note)
    return Outcome.SENT


def _deliver(dispatch: Dispatch, connection) -> str:
    """Mail the dispatch; returns a note for the row (empty when mailed). A recipient without an
    e-mail address still has the request in its extranet, which is the notification."""
    message = dispatch_message(dispatch=dispatch)
    if not message.to:
        return _("No e-mail address: shown in the extranet only.")
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        _close_quietly(connection)
        raise MailServerUnreachable(str(error)) from error
    connection.send_messages([message])
    return ""


def _mark_sent(dispatch: Dispatch, note: str) -> None:
    # The first write after the server accepted the message, by primary key: the window in which
    # a crash would make another worker send it again is this one statement.
    now = timezone.now()
    Dispatch.objects.filter(pk=dispatch.pk).update(
        sent_at=now,
        claimed_until=None,
        attempts=F("attempts") + 1,
        last_error=note,
        status=Case(
            When(status=DispatchStatus.PENDING, then=Value(DispatchStatus.SENT)),
            default=F("status"),
        ),
    )
    RoutingLogEntry.objects.create(
        quote_request_id=dispatch.quote_request_id,
        at=now,
        event="sent",
        details=_recipient_details(dispatch) | {"mailed": not note},
    )


def _record_failure(dispatch: Dispatch, claimed_until, error: BaseException) -> None:
    attempts = dispatch.attempts + 1
    text = f"{type(error).__name__}: {error}"[:ERROR_MAX_LENGTH]
    logger.warning(
        "Dispatch %s not sent (attempt %s): %s",
        dispatch.pk,
        attempts,
        text,
        exc_info=not isinstance(error, smtplib.SMTPException | OSError),  # a bug: its traceback
    )
    Dispatch.objects.filter(pk=dispatch.pk, claimed_until=claimed_until).update(
        attempts=attempts,
        next_attempt_at=timezone.now() + backoff(attempts),
        last_error=text,
        claimed_until=None,
    )


def _defer_untried(ids: list[int], tried_id: int) -> None:
    """The mail server is down: the rest of the batch waits as long as the dispatch just tried,
    without a try each (a try can take EMAIL_TIMEOUT seconds)."""
    if not ids:
        return
    tried = Dispatch.objects.filter(pk=tried_id).values("next_attempt_at", "last_error").first()
    if tried is None:
        return
    now = timezone.now()
    Dispatch.objects.filter(pk__in=ids, sent_at__isnull=True).filter(_claim_free(now)).update(
        next_attempt_at=tried["next_attempt_at"],
        last_error=_("Not tried: %(error)s") % {"error": tried["last_error"]},
    )


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except (OSError, smtplib.SMTPException):
        connection.connection = None


def _recipient_details(dispatch: Dispatch) -> dict:
    if dispatch.supplier_id is not None:
        return {"kind": "supplier", "id": dispatch.supplier_id}
    return {"kind": "partner", "id": dispatch.partner_id}


# The message.


def dispatch_recipients(dispatch: Dispatch) -> list[str]:
    """The recipient's e-mail address, else the addresses of its members."""
    recipient = dispatch.supplier or dispatch.partner
    if recipient.email:
        return [recipient.email]
    members = recipient.members.filter(is_active=True).exclude(email="").order_by("email")
    return list(members.values_list("email", flat=True))


def dispatch_link(dispatch: Dispatch) -> str:
    """Where the recipient reads and answers the request: its page in the extranet, or the
    extranet's home while that page does not exist."""
    try:
        path = reverse("extranet:dispatch", kwargs={"pk": dispatch.pk})
    except NoReverseMatch:
        path = reverse("extranet:dashboard")
    return settings.SITE_URL + path


def dispatch_message(*, dispatch: Dispatch) -> EmailMessage:
    """The mail of a dispatch: French, with the English version below when the planner wrote in
    English; the planner's contact details only if the planner agreed to share them."""
    quote_request = dispatch.quote_request
    languages = [FRENCH] if quote_request.language == FRENCH else [FRENCH, ENGLISH]
    with translation.override(FRENCH):
        subject = render_to_string(
            "leads/mail_dispatch_subject.txt", {"quote_request": quote_request}
        )
    versions = [_body(dispatch, language) for language in languages]
    body = render_to_string(
        "leads/mail_dispatch_bilingual.txt",
        {"french": versions[0], "english": versions[1] if len(versions) > 1 else ""},
    )
    share = quote_request.consent_share
    reply_to = quote_request.email if share else settings.MICEDESK_CONTACT_EMAIL
    return EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=dispatch_recipients(dispatch),
        reply_to=[reply_to],
        headers={
            # The same id on every try: a duplicate from the crash window can be recognised.
            "Message-ID": _message_id(dispatch),
            "X-Micedesk-Dispatch": str(dispatch.pk),
            "X-Micedesk-Request": quote_request.reference,
        },
    )


def _message_id(dispatch: Dispatch) -> str:
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"<dispatch-{dispatch.pk}.{dispatch.quote_request.reference}@{host}>"


def _body(dispatch: Dispatch, language: str) -> str:
    with translation.override(language):
        context = {
            "dispatch": dispatch,
            "quote_request": dispatch.quote_request,
            "recipient": dispatch.supplier or dispatch.partner,
            "share": dispatch.quote_request.consent_share,
            "link": dispatch_link(dispatch),
            "brand": settings.MICEDESK_BRAND,
            "needs": request_needs(dispatch.quote_request),
            "why": match_explanation(reasons=_own_reasons(dispatch), language=language),
            "matches": _ranked_matches(dispatch, language),
        }
        template = "leads/mail_dispatch_supplier.txt"
        if dispatch.partner_id is not None:
            template = "leads/mail_dispatch_partner.txt"
        return render_to_string(template, context)


# What a recipient is told about why it received a request: the constraints it meets and the
# wishes it fulfils; the ranking's inner figures (its rank, its measured answers, the requests it
# received lately) are for staff and partners.
NOT_FOR_RECIPIENT = frozenset(
    {
        "ranked_matches",
        "routed_direct",
        "recent_requests",
        "response_time",
        "conversion",
        "oversized",
    }
)


def _own_reasons(dispatch: Dispatch) -> list[dict]:
    return [r for r in dispatch.explanation or [] if r.get("code") not in NOT_FOR_RECIPIENT]


def _ranked_matches(dispatch: Dispatch, language: str) -> list[dict]:
    for reason in dispatch.explanation or []:
        if reason.get("code") == "ranked_matches":
            return [
                {
                    "rank": match.get("rank"),
                    "name": match.get("name", ""),
                    "why": match_explanation(reasons=match.get("reasons", []), language=language),
                }
                for match in reason.get("params", {}).get("matches", [])
            ]
    return []


def request_needs(quote_request: QuoteRequest) -> dict[str, list[str]]:
    """The request's lists in words of the active language: services, themes, sessions."""
    services = [str(REQUEST_SERVICES.get(code, code)) for code in quote_request.services or ()]
    sessions = []
    for session in quote_request.sessions or ():
        if isinstance(session, dict) and session.get("attendance"):
            layout = session.get("layout") or ""
            label = _layout_label(layout)
            sessions.append(
                f"{label} × {session['attendance']}" if label else str(session["attendance"])
            )
    departments = Department.objects.filter(pk__in=quote_request.departments or [])
    return {
        "departments": [str(department) for department in departments.order_by("code")],
        "services": services,
        "themes": [str(label) for label in THEMES.labels_in(quote_request.theme_mask or 0)],
        "sessions": sessions,
    }


def _layout_label(layout: str) -> str:
    return str(Layout(layout).label) if layout in Layout.values else ""
