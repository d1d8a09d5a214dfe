"""iCalendar files of the bureau's events: one event, or a year's calendar (all-day events, a
stable UID per event so that a calendar that subscribes updates rather than duplicates)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, Event

from micedesk.operations.models import BureauEvent, EventStatus

PRODID = "-//micedesk//bureau events//FR"


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "micedesk.localhost"


def event_uid(event: BureauEvent) -> str:
    return f"event-{event.pk}@{_host()}"


def default_url(event: BureauEvent) -> str:
    """The campaign page for a campaign, else the event's extranet page, else the site."""
    if event.campaign_slug:
        try:
            return settings.SITE_URL + reverse("portal:campaign", args=[event.campaign_slug])
        except NoReverseMatch:
            return f"{settings.SITE_URL}/campagnes/{event.campaign_slug}/"
    try:
        return settings.SITE_URL + reverse("extranet:my_event", args=[event.pk])
    except NoReverseMatch:
        return settings.SITE_URL + "/"


def _schedule(event: BureauEvent) -> list[str]:
    """Presentations of a webinar and visits of an éductour, in order."""
    lines = []
    for participant in event.participants.select_related("supplier", "partner").order_by(
        "position", "starts_at", "pk"
    ):
        if participant.starts_at is None and not participant.minutes:
            continue
        when = (
            timezone.localtime(participant.starts_at).strftime("%H:%M")
            if participant.starts_at
            else "--:--"
        )
        length = f" ({participant.minutes} min)" if participant.minutes else ""
        lines.append(f"{when} {participant.supplier or participant.partner}{length}")
    return lines


def _description(event: BureauEvent) -> str:
    parts = [part for part in (event.theme, event.description) if part]
    schedule = _schedule(event)
    if schedule:
        parts.append(gettext("Programme:") + "\n" + "\n".join(schedule))
    return "\n\n".join(parts)


def _vevent(event: BureauEvent, url: str) -> Event:
    item = Event()
    item.add("uid", event_uid(event))
    item.add("dtstamp", timezone.now())
    item.add("summary", event.name)
    item.add("dtstart", event.starts_on)
    # All-day: DTEND is the day after the last day (RFC 5545, exclusive end).
    item.add("dtend", event.ends_on + datetime.timedelta(days=1))
    location = event.place or (event.commune.name if event.commune_id else "")
    if event.online and not location:
        location = gettext("Online")
    if location:
        item.add("location", location)
    description = _description(event)
    if description:
        item.add("description", description)
    item.add("url", url)
    item.add("status", "CANCELLED" if event.status == EventStatus.CANCELLED else "CONFIRMED")
    item.add("transp", "TRANSPARENT")
    return item


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    return calendar


def event_ics(*, event: BureauEvent, url: str | None = None) -> bytes:
    calendar = _calendar(event.name)
    calendar.add_component(_vevent(event, url or default_url(event)))
    return calendar.to_ical()


def calendar_ics(
    *,
    events: Iterable[BureauEvent],
    name: str,
    url_for: Callable[[BureauEvent], str] | None = None,
) -> bytes:
    calendar = _calendar(name)
    for event in events:
        calendar.add_component(_vevent(event, (url_for or default_url)(event)))
    return calendar.to_ical()
