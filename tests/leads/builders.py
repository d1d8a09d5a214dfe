"""Builders of the tests of answers, outcomes, links, scoped reads and figures: quote requests and
dispatches stored as they would be after intake and routing (the SMTP server is in conftest)."""

from __future__ import annotations

import datetime
import itertools

from django.utils import timezone

from micedesk.directory.models import Supplier
from micedesk.geo.models import Partner
from micedesk.leads.models import Dispatch, DispatchStatus, QuoteRequest, RequestStatus

_references = itertools.count(1)


def quote_request(**fields: object) -> QuoteRequest:
    """A request as intake stores it, routed unless `status` says otherwise."""
    requested = fields.pop("requested_suppliers", [])
    values: dict[str, object] = {
        "channel": "portal",
        "status": RequestStatus.ROUTED,
        "contact_name": "Event planner",
        "organisation": "Planner company",
        "organisation_kind": "company",
        "sector": "Pharmaceuticals",
        "email": "planner@company.example",
        "phone": "+33 2 31 00 00 00",
        "event_kind": "seminaire",
        "participants": 40,
        "days": 2,
        "departments": ["14"],
    }
    values.update(fields)
    request = QuoteRequest.objects.create(reference=f"DT{next(_references):08d}", **values)
    if requested:
        request.requested_suppliers.set(requested)
    return request


def dispatch(
    request: QuoteRequest,
    *,
    supplier: Supplier | None = None,
    partner: Partner | None = None,
    status: str = DispatchStatus.SENT,
    sent_at: datetime.datetime | None = None,
    **fields: object,
) -> Dispatch:
    """A dispatch as the outbox leaves it: sent an hour ago unless told otherwise."""
    if status != DispatchStatus.PENDING and sent_at is None:
        sent_at = timezone.now() - datetime.timedelta(hours=1)
    return Dispatch.objects.create(
        quote_request=request,
        supplier=supplier,
        partner=partner,
        status=status,
        sent_at=sent_at,
        **fields,
    )
