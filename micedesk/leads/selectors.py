"""Reads of quote requests and dispatches, scoped to what the acting user may see: staff everything,
a supplier member its own dispatches, a partner member its territory; the planner through a link."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.directory.models import Supplier
from micedesk.directory.selectors import suppliers_of_member
from micedesk.geo.models import Commune, Partner
from micedesk.geo.selectors import partners_of_member
from micedesk.leads.links import quote_request_from_token
from micedesk.leads.models import (
    Channel,
    Dispatch,
    DispatchStatus,
    QuoteRequest,
    RequestStatus,
)

if TYPE_CHECKING:
    from micedesk.accounts.models import User

REMIND_AFTER = datetime.timedelta(hours=48)
LATE_AFTER = datetime.timedelta(hours=72)
# A dispatch in one of these statuses still waits for its recipient's first answer.
AWAITING_ANSWER = (DispatchStatus.SENT, DispatchStatus.VIEWED)
INBOX_PAGE_SIZE = 50
# With no dates given, the planner is asked for the outcome this long after the request.
OUTCOME_DUE_WITHOUT_DATES = datetime.timedelta(days=90)


def _is_staff(user: User | None) -> bool:
    return user is not None and user.is_authenticated and user.is_bureau_staff


def with_departments_text(queryset: QuerySet[QuoteRequest]) -> QuerySet[QuoteRequest]:
    """The departments list as JSON text, so that one code can be looked for on both engines."""
    return queryset.annotate(departments_text=Cast("departments", output_field=TextField()))


def in_department(code: str) -> Q:
    """Requests that name the department, or whose commune lies in it (on `with_departments_text`)."""
    return Q(departments_text__contains=f'"{code}"') | Q(commune__department_id=code)


def departments_covered(*, partners: QuerySet[Partner]) -> list[str]:
    """The departments whose every commune lies in the territory of one of `partners`: only then
    does a request naming the whole department fall in the territory."""
    through = Partner.communes.through
    held = dict(
        through.objects.filter(partner__in=partners)
        .values("commune__department_id")
        .annotate(held=Count("commune_id", distinct=True))
        .values_list("commune__department_id", "held")
    )
    totals = (
        Commune.objects.filter(department_id__in=list(held))
        .values("department_id")
        .annotate(total=Count("pk"))
        .values_list("department_id", "total")
    )
    return sorted(code for code, total in totals if held[code] >= total)


def _partner_requests(user: User) -> QuerySet[QuoteRequest]:
    partners = partners_of_member(user=user)
    territory = Partner.communes.through.objects.filter(partner__in=partners).values("commune_id")
    dispatched = Dispatch.objects.filter(quote_request=OuterRef("pk"), partner__in=partners)
    scope = Q(commune__in=territory) | Q(Exists(dispatched))
    for code in departments_covered(partners=partners):
        scope |= Q(departments_text__contains=f'"{code}"')
    requests = with_departments_text(QuoteRequest.objects.all())
    return requests.filter(scope).exclude(
        status__in=(RequestStatus.QUARANTINED, RequestStatus.REJECTED)
    )


def quote_requests_for(*, user: User | None) -> QuerySet[QuoteRequest]:
    """The requests `user` may read: staff all; a partner member those of its territory (the commune
    wanted is in it, or a department wanted lies wholly in it) or dispatched to its partner; a
    supplier member those dispatched to its suppliers; anyone else none."""
    if user is None or not user.is_authenticated:
        return QuoteRequest.objects.none()
    if user.is_bureau_staff:
        return QuoteRequest.objects.all()
    if user.is_partner_member:
        return _partner_requests(user)
    if user.is_supplier_member:
        dispatched = Dispatch.objects.filter(
            quote_request=OuterRef("pk"), supplier__in=suppliers_of_member(user=user)
        )
        return QuoteRequest.objects.filter(Exists(dispatched))
    return QuoteRequest.objects.none()


def late_condition(*, now: datetime.datetime | None = None) -> Q:
    """Dispatches sent LATE_AFTER ago or more that still have no answer."""
    now = now or timezone.now()
    return Q(
        status__in=AWAITING_ANSWER,
        first_answer_at__isnull=True,
        sent_at__lte=now - LATE_AFTER,
    )


def with_lateness(
    queryset: QuerySet[Dispatch], *, now: datetime.datetime | None = None
) -> QuerySet[Dispatch]:
    """Each dispatch gets `is_late`: sent 72 hours ago or more and still unanswered."""
    late = Case(
        When(late_condition(now=now), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    return queryset.annotate(is_late=late)


def dispatch_is_late(*, dispatch: Dispatch, now: datetime.datetime | None = None) -> bool:
    """The same rule as `with_lateness`, for one dispatch in hand."""
    now = now or timezone.now()
    return (
        dispatch.status in AWAITING_ANSWER
        and dispatch.first_answer_at is None
        and dispatch.sent_at is not None
        and dispatch.sent_at <= now - LATE_AFTER
    )


def dispatches_for(
    *, user: User | None, now: datetime.datetime | None = None
) -> QuerySet[Dispatch]:
    """The dispatches `user` may read, each with `is_late`: staff all; a supplier member those to
    its suppliers; a partner member those of the requests it may read; anyone else none."""
    dispatches = Dispatch.objects.select_related("quote_request", "supplier", "partner")
    if user is None or not user.is_authenticated:
        dispatches = dispatches.none()
    elif user.is_bureau_staff:
        pass
    elif user.is_supplier_member:
        dispatches = dispatches.filter(supplier__in=suppliers_of_member(user=user))
    elif user.is_partner_member:
        visible = quote_requests_for(user=user).values("pk")
        dispatches = dispatches.filter(quote_request__in=visible)
    else:
        dispatches = dispatches.none()
    return with_lateness(dispatches, now=now)


def dispatch_is_recipient(*, dispatch: Dispatch, user: User | None) -> bool:
    """True when `user` is an active member of the dispatch's supplier or partner."""
    if user is None or not user.is_authenticated:
        return False
    if dispatch.supplier_id is not None:
        through = Supplier.members.through
        return user.is_supplier_member and (
            through.objects.filter(supplier_id=dispatch.supplier_id, user_id=user.pk).exists()
        )
    through = Partner.members.through
    return user.is_partner_member and (
        through.objects.filter(partner_id=dispatch.partner_id, user_id=user.pk).exists()
    )


@dataclass(frozen=True)
class PlannerDetails:
    """What a reader of a dispatch may know of the planner. `shared` is False when the planner did
    not consent: name, organisation, e-mail and phone are then None."""

    shared: bool
    organisation_kind: str
    sector: str
    contact_name: str | None = None
    organisation: str | None = None
    email: str | None = None
    phone: str | None = None


def _planner_details(quote_request: QuoteRequest, *, shared: bool) -> PlannerDetails:
    limited = PlannerDetails(
        shared=False,
        organisation_kind=str(quote_request.get_organisation_kind_display()),
        sector=quote_request.sector,
    )
    if not shared:
        return limited
    return PlannerDetails(
        shared=True,
        organisation_kind=limited.organisation_kind,
        sector=limited.sector,
        contact_name=quote_request.contact_name,
        organisation=quote_request.organisation,
        email=quote_request.email,
        phone=quote_request.phone,
    )


def planner_details_for(*, dispatch: Dispatch, user: User | None) -> PlannerDetails:
    """The planner as `user` may see it on `dispatch`: staff in full; the recipient in full only if
    the planner consented to share; a partner member reading its territory without the personal
    details; anyone else is refused (PermissionDenied)."""
    quote_request = dispatch.quote_request
    if _is_staff(user):
        return _planner_details(quote_request, shared=True)
    if dispatch_is_recipient(dispatch=dispatch, user=user):
        return _planner_details(quote_request, shared=quote_request.consent_share)
    # A partner member reads the requests of its territory, without the planner's personal details.
    partner_reads = user is not None and user.is_authenticated and user.is_partner_member
    if partner_reads and dispatches_for(user=user).filter(pk=dispatch.pk).exists():
        return _planner_details(quote_request, shared=False)
    raise PermissionDenied(_("You may not read this request."))


def quote_request_for_planner(*, token: str) -> QuoteRequest:
    """The request a planner's private link opens, with `supplier_dispatches` (who it was sent to,
    who answered). Raises links.InvalidLink (ExpiredLink, ForgedLink) on a bad token."""
    quote_request = quote_request_from_token(token=token)
    supplier_dispatches = Prefetch(
        "dispatches",
        queryset=Dispatch.objects.filter(supplier__isnull=False)
        .select_related("supplier")
        .order_by("supplier__name", "pk"),
        to_attr="supplier_dispatches",
    )
    return (
        QuoteRequest.objects.select_related("commune", "won_by")
        .prefetch_related(supplier_dispatches)
        .get(pk=quote_request.pk)
    )


def quote_request_outcome_due(
    *, quote_request: QuoteRequest, today: datetime.date | None = None
) -> bool:
    """True when the planner should be asked for the outcome: the request was routed, no outcome
    is declared yet and the event is over (or, without dates, long enough ago)."""
    if quote_request.status != RequestStatus.ROUTED or quote_request.outcome_declared_at:
        return False
    today = today or timezone.localdate()
    last_day = quote_request.end_date or quote_request.start_date
    if last_day is not None:
        return last_day < today
    received = timezone.localdate(quote_request.created_at)
    return received + OUTCOME_DUE_WITHOUT_DATES <= today


def quote_requests_inbox(
    *,
    user: User | None,
    status: str | None = None,
    channel: str | None = None,
    department: str | None = None,
    q: str = "",
    page: int | str = 1,
) -> Page:
    """A page of the requests `user` may read, newest first, filtered; each with `dispatch_count`
    and `answered_count`. An unknown status or channel is refused (ValidationError)."""
    if status and status not in RequestStatus.values:
        raise ValidationError({"status": _("Unknown status: %(value)s") % {"value": status}})
    if channel and channel not in Channel.values:
        raise ValidationError({"channel": _("Unknown channel: %(value)s") % {"value": channel}})
    requests = with_departments_text(quote_requests_for(user=user))
    if status:
        requests = requests.filter(status=status)
    if channel:
        requests = requests.filter(channel=channel)
    if department:
        requests = requests.filter(in_department(department))
    text = q.strip()
    if text:
        requests = requests.filter(
            Q(reference__icontains=text)
            | Q(organisation__icontains=text)
            | Q(contact_name__icontains=text)
            | Q(email__icontains=text)
        )
    requests = (
        requests.select_related("commune")
        .annotate(
            dispatch_count=Count("dispatches", distinct=True),
            answered_count=Count(
                "dispatches", filter=Q(dispatches__first_answer_at__isnull=False), distinct=True
            ),
        )
        .order_by("-created_at", "-pk")
    )
    return Paginator(requests, INBOX_PAGE_SIZE).get_page(page)
