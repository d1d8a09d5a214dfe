"""Background work of the bureau's events: the partner surveys of the events closed yesterday
(queued daily by the scheduler; `surveys_send` never mails a participant twice, so a second run
is harmless)."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from micedesk.operations.models import BureauEvent, EventStatus
from micedesk.operations.services import surveys_send


def _day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


@task()
def surveys_send_closed_yesterday(today: str | None = None) -> dict:
    """Send the surveys of the events closed yesterday (Paris time). Plain values in and out."""
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    start, end = _day_bounds(day - datetime.timedelta(days=1))
    events = BureauEvent.objects.filter(
        status=EventStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    sent = 0
    count = 0
    for event in events:
        count += 1
        sent += surveys_send(event=event, user=None)
    return {"events": count, "sent": sent}
