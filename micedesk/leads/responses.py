"""What recipients do with a dispatch (view, answer, forward), the request's outcome, and the
reminders of dispatches left unanswered.

Every status change is a conditional update on the status it comes from, so two members answering
at the same moment, or an answer racing a reminder, cannot both apply: one wins, the other is told
that the dispatch has moved on.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import DateTimeField, F, QuerySet, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from micedesk.directory.models import Status, Supplier
from micedesk.leads import signals
from micedesk.leads.models import (
    Dispatch,
    DispatchStatus,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
)
from micedesk.leads.outbox import dispatch_link, dispatch_recipients
from micedesk.leads.routing import dispatch_create
from micedesk.leads.selectors import AWAITING_ANSWER, REMIND_AFTER, dispatch_is_recipient

if TYPE_CHECKING:
    from micedesk.accounts.models import User

logger = logging.getLogger(__name__)

S = DispatchStatus
NOT_ANSWERED = (S.PENDING, S.SENT, S.VIEWED)
# For each status a recipient may set, the statuses it may come from.
SUPPLIER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.VIEWED: (S.PENDING, S.SENT),
    S.INTERESTED: NOT_ANSWERED,
    S.DECLINED: (*NOT_ANSWERED, S.INTERESTED),
    # A proposal may be revised: proposal -> proposal with the new amount.
    S.PROPOSAL: (S.INTERESTED, S.PROPOSAL),
    S.WON: (S.PROPOSAL,),
    S.LOST: (S.INTERESTED, S.PROPOSAL),
}
PARTNER_TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.VIEWED: (S.PENDING, S.SENT),
    S.DECLINED: NOT_ANSWERED,
    # A partner may forward again, to more suppliers.
    S.FORWARDED: (*NOT_ANSWERED, S.FORWARDED),
}
ANSWERS = (S.INTERESTED, S.DECLINED, S.PROPOSAL, S.WON, S.LOST)
DECLARED_BY = ("planner", "staff", "supplier")
AMOUNT_MAX = Decimal("9999999999.99")
PARTICIPANTS_MAX = 100_000
DAYS_MAX = 60
TEXT_MAX = 2000
LOST_TO_MAX = 200


def _check_recipient(dispatch: Dispatch, user: User) -> None:
    if not dispatch_is_recipient(dispatch=dispatch, user=user):
        raise PermissionDenied(_("Only a member of the recipient may act on this dispatch."))


def _log(quote_request_id: int, event: str, actor: User | None, **details: object) -> None:
    RoutingLogEntry.objects.create(
        quote_request_id=quote_request_id,
        event=event,
        actor=actor if actor is not None and actor.is_authenticated else None,
        details=details,
    )


def _first(field: str, now: datetime.datetime) -> Coalesce:
    """The column's value if set, else `now`: a first time is never overwritten."""
    return Coalesce(F(field), Value(now, output_field=DateTimeField()))


def _move(dispatch: Dispatch, *, to: str, sources: Iterable[str], **changes: object) -> Dispatch:
    """Move the dispatch to `to` if its status (in the database) is one of `sources`."""
    moved = Dispatch.objects.filter(pk=dispatch.pk, status__in=list(sources)).update(
        status=to, **changes
    )
    dispatch.refresh_from_db()
    if not moved:
        raise ValidationError(
            {
                "status": _("This dispatch is “%(current)s”: it cannot become “%(new)s”.")
                % {"current": dispatch.get_status_display(), "new": S(to).label}
            }
        )
    return dispatch


def dispatch_mark_viewed(*, dispatch: Dispatch, user: User) -> Dispatch:
    """A member of the recipient opened the dispatch: the first view is timed, and a new or sent
    dispatch becomes viewed. Viewing again changes nothing."""
    _check_recipient(dispatch, user)
    now = timezone.now()
    Dispatch.objects.filter(pk=dispatch.pk, viewed_at__isnull=True).update(viewed_at=now)
    Dispatch.objects.filter(pk=dispatch.pk, status__in=[S.PENDING, S.SENT]).update(status=S.VIEWED)
    dispatch.refresh_from_db()
    return dispatch


def parse_amount(value: object) -> Decimal:
    """An amount in euros: a Decimal, a whole number or a decimal text (not a float, whose binary
    rounding has no place in money), 0 or more; ValidationError otherwise."""
    if isinstance(value, (bool, float)):
        raise ValidationError(_("Give the amount as a decimal number of euros."))
    try:
        amount = Decimal(str(value).strip().replace(",", ".")) if value is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite():
        raise ValidationError(_("Give the amount as a decimal number of euros."))
    if amount < 0 or amount > AMOUNT_MAX:
        raise ValidationError(_("The amount must be between 0 and 9,999,999,999.99 euros."))
    return amount.quantize(Decimal("0.01"))


def _answer_changes(
    status: str, *, reason: str, amount: object, lost_to: str, lost_reason: str
) -> dict[str, object]:
    """The columns an answer sets; ValidationError naming each missing or misplaced value."""
    errors: dict[str, str] = {}
    reason, lost_to, lost_reason = reason.strip(), lost_to.strip(), lost_reason.strip()
    changes: dict[str, object] = {}
    if status == S.DECLINED:
        if not reason:
            errors["reason"] = _("Say why you decline: the bureau uses it to send better requests.")
        changes["decline_reason"] = reason
    elif reason and status != S.LOST:
        errors["reason"] = _("A reason goes with a refusal or a loss only.")
    if status == S.PROPOSAL:
        try:
            changes["proposal_amount"] = parse_amount(amount)
        except ValidationError as error:
            errors["amount"] = error.messages[0]
    elif amount is not None:
        errors["amount"] = _("An amount goes with a proposal only.")
    if status == S.LOST:
        changes["lost_to"] = lost_to
        changes["lost_reason"] = lost_reason or reason
    elif lost_to or lost_reason:
        errors["lost_to" if lost_to else "lost_reason"] = _("To whom and why go with a loss only.")
    for field, text, limit in (
        ("reason", reason, TEXT_MAX),
        ("lost_reason", lost_reason, TEXT_MAX),
        ("lost_to", lost_to, LOST_TO_MAX),
    ):
        if len(text) > limit:
            errors[field] = _("At most %(limit)d characters.") % {"limit": limit}
    if errors:
        raise ValidationError(errors)
    return changes


@transaction.atomic
def dispatch_answer(
    *,
    dispatch: Dispatch,
    user: User,
    status: str,
    reason: str = "",
    amount: object = None,
    lost_to: str = "",
    lost_reason: str = "",
) -> Dispatch:
    """A member of the recipient answers: interested, declined (with a reason), proposal (with an
    amount), then won or lost (to whom, why). The first answer is timed. A partner dispatch may
    only be declined here (it is forwarded with `dispatch_forward`)."""
    _check_recipient(dispatch, user)
    transitions = SUPPLIER_TRANSITIONS if dispatch.supplier_id else PARTNER_TRANSITIONS
    if status not in ANSWERS:
        raise ValidationError({"status": _("Not an answer: %(status)s") % {"status": status}})
    if status not in transitions:
        raise ValidationError({"status": _("A partner forwards a request or declines it.")})
    changes = _answer_changes(
        status, reason=reason, amount=amount, lost_to=lost_to, lost_reason=lost_reason
    )
    now = timezone.now()
    dispatch = _move(
        dispatch,
        to=status,
        sources=transitions[status],
        viewed_at=_first("viewed_at", now),
        first_answer_at=_first("first_answer_at", now),
        **changes,
    )
    _log(dispatch.quote_request_id, "dispatch_answered", user, dispatch=dispatch.pk, status=status)
    return dispatch


def _forward_targets(supplier_ids: Iterable[object]) -> list[Supplier]:
    try:
        wanted = sorted({int(pk) for pk in supplier_ids})
    except (TypeError, ValueError):
        raise ValidationError({"supplier_ids": _("Give suppliers by their numbers.")}) from None
    if not wanted:
        raise ValidationError({"supplier_ids": _("Pick at least one supplier.")})
    suppliers = list(Supplier.objects.filter(pk__in=wanted, status=Status.PUBLISHED))
    unknown = sorted(set(wanted) - {supplier.pk for supplier in suppliers})
    if unknown:
        raise ValidationError(
            {
                "supplier_ids": _("No published supplier has the number %(numbers)s.")
                % {"numbers": ", ".join(str(pk) for pk in unknown)}
            }
        )
    return suppliers


@transaction.atomic
def dispatch_forward(
    *, dispatch: Dispatch, user: User, supplier_ids: Iterable[object]
) -> list[Dispatch]:
    """A member of the partner that received the request forwards it to the suppliers it picks:
    one dispatch each, created exactly once (forwarding again to a supplier adds nothing)."""
    _check_recipient(dispatch, user)
    if dispatch.partner_id is None:
        raise ValidationError({"status": _("Only a request sent to a partner is forwarded.")})
    suppliers = _forward_targets(supplier_ids)
    now = timezone.now()
    dispatch = _move(
        dispatch,
        to=S.FORWARDED,
        sources=PARTNER_TRANSITIONS[S.FORWARDED],
        viewed_at=_first("viewed_at", now),
        first_answer_at=_first("first_answer_at", now),
    )
    forwarded = [
        dispatch_create(
            quote_request=dispatch.quote_request,
            supplier=supplier,
            forwarded_by=dispatch.partner,
            actor=user,
        )[0]
        for supplier in suppliers
    ]
    _log(
        dispatch.quote_request_id,
        "dispatch_forwarded",
        user,
        partner=dispatch.partner_id,
        suppliers=[supplier.pk for supplier in suppliers],
    )
    return forwarded


def _positive_whole(value: object, *, maximum: int) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    if not isinstance(value, str) and number != value:
        return None  # 2.5 people: refused, not rounded down
    return number if 1 <= number <= maximum else None


def _outcome_values(
    *, supplier: Supplier | None, participants: object, days: object, budget: object
) -> dict[str, object]:
    """The outcome columns; a winner needs all three figures, a loss takes them if given."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {
        "outcome_participants": None,
        "outcome_days": None,
        "outcome_budget": None,
    }
    for field, value, maximum, message in (
        ("participants", participants, PARTICIPANTS_MAX, _("A number of participants, 1 or more.")),
        ("days", days, DAYS_MAX, _("A number of days between 1 and 60.")),
    ):
        if value is None or value == "":
            if supplier is not None:
                errors[field] = message
            continue
        number = _positive_whole(value, maximum=maximum)
        if number is None:
            errors[field] = message
        values[f"outcome_{field}"] = number
    if budget is None or budget == "":
        if supplier is not None:
            errors["budget"] = _("The final budget, in euros.")
    else:
        try:
            values["outcome_budget"] = parse_amount(budget)
        except ValidationError as error:
            errors["budget"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return values


def _check_winner(quote_request: QuoteRequest, supplier: Supplier | None) -> None:
    if supplier is None:
        return
    dispatched = quote_request.dispatches.filter(supplier=supplier).exists()
    if not dispatched and not quote_request.requested_suppliers.filter(pk=supplier.pk).exists():
        raise ValidationError(
            {"supplier": _("This supplier neither received the request nor was asked by name.")}
        )


@transaction.atomic
def quote_request_declare_outcome(
    *,
    quote_request: QuoteRequest,
    supplier: Supplier | None,
    participants: object = None,
    days: object = None,
    budget: object = None,
    declared_by: str,
    actor: User | None = None,
) -> QuoteRequest:
    """Record how a request ended: won by `supplier` (one that received it or was asked by name),
    with the final participants, days and budget; or, with no supplier, lost (no event, or it went
    elsewhere). The winner's dispatch becomes won, the other suppliers' lost (a refusal stays a
    refusal). Declaring again replaces the previous outcome."""
    if declared_by not in DECLARED_BY:
        raise ValidationError({"declared_by": _("Declared by the planner, staff or a supplier.")})
    # One declaration at a time per request (a row lock on PostgreSQL; SQLite's write
    # transactions are serialised already): the last one wins whole, never half of each.
    quote_request = QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)
    if quote_request.status in (RequestStatus.QUARANTINED, RequestStatus.DUPLICATE):
        raise ValidationError(
            {NON_FIELD_ERRORS: _("A request in quarantine or a duplicate has no outcome.")}
        )
    _check_winner(quote_request, supplier)
    values = _outcome_values(supplier=supplier, participants=participants, days=days, budget=budget)
    now = timezone.now()
    status = RequestStatus.WON if supplier is not None else RequestStatus.LOST
    QuoteRequest.objects.filter(pk=quote_request.pk).update(
        status=status,
        won_by=supplier,
        outcome_declared_at=now,
        outcome_declared_by=declared_by,
        **values,
    )
    _close_dispatches(quote_request, winner=supplier)
    _log(
        quote_request.pk,
        "outcome_declared",
        actor,
        status=status,
        supplier=supplier.pk if supplier else None,
        declared_by=declared_by,
    )
    quote_request.refresh_from_db()
    transaction.on_commit(
        lambda: signals.quote_request_outcome_declared.send(
            sender=None, quote_request=quote_request
        )
    )
    return quote_request


def _close_dispatches(quote_request: QuoteRequest, *, winner: Supplier | None) -> None:
    to_suppliers = Dispatch.objects.filter(quote_request=quote_request, supplier__isnull=False)
    if winner is not None:
        to_suppliers.filter(supplier=winner).update(status=S.WON)
    losers = to_suppliers.exclude(status=S.DECLINED)
    if winner is not None:
        losers = losers.exclude(supplier=winner)
    losers.update(status=S.LOST)


def dispatches_due_reminder(*, now: datetime.datetime | None = None) -> QuerySet[Dispatch]:
    """Dispatches sent REMIND_AFTER ago or more, still unanswered and never reminded."""
    now = now or timezone.now()
    return Dispatch.objects.filter(
        status__in=AWAITING_ANSWER,
        first_answer_at__isnull=True,
        reminded_at__isnull=True,
        sent_at__lte=now - REMIND_AFTER,
    )


def _send_reminder(dispatch: Dispatch, addresses: list[str]) -> None:
    """The reminder goes to the same recipients, with the same link, as the dispatch's own mail."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "dispatch": dispatch,
            "quote_request": dispatch.quote_request,
            "recipient": dispatch.supplier or dispatch.partner,
            "link": dispatch_link(dispatch),
            "brand": settings.MICEDESK_BRAND,
        }
        subject = _("Reminder: quote request %(reference)s waits for your answer") % {
            "reference": dispatch.quote_request.reference
        }
        body = render_to_string("leads/mail_reminder.txt", context)
    EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=addresses,
        headers={
            "X-Micedesk-Reminder": str(dispatch.pk),
            "X-Micedesk-Request": dispatch.quote_request.reference,
        },
    ).send()


def dispatches_remind(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Send one reminder for each dispatch unanswered REMIND_AFTER after it was sent; returns how
    many went out. Each dispatch is claimed (reminded_at set) before its mail, so two runs never
    remind twice; if the mail server fails, the claim is released and the next run tries again."""
    now = now or timezone.now()
    due = dispatches_due_reminder(now=now).order_by("sent_at", "pk")
    sent = 0
    for dispatch in due.select_related("quote_request", "supplier", "partner")[:limit]:
        claimed = Dispatch.objects.filter(pk=dispatch.pk, reminded_at__isnull=True).update(
            reminded_at=now
        )
        if not claimed:
            continue
        addresses = dispatch_recipients(dispatch)
        if not addresses:
            continue  # no address: the extranet shows the dispatch as late, which is the reminder
        try:
            _send_reminder(dispatch, addresses)
        except (smtplib.SMTPException, OSError) as error:
            Dispatch.objects.filter(pk=dispatch.pk, reminded_at=now).update(reminded_at=None)
            logger.warning("Reminders stopped, the mail server failed: %s", error)
            break
        sent += 1
    return sent
