"""Template filters of the public portal: demo listings, capacities, labels and map links."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import ngettext

from micedesk.directory.models import MeetingRoom, Supplier
from micedesk.directory.vocab import EQUIPMENT, LABELS, THEMES, Layout

register = template.Library()

DEMO_PREFIX = "demo-"
ROOM_EQUIPMENT = ("projector", "screen", "sound", "videoconference", "wifi")


@register.filter
def get_item(mapping: dict, key: object) -> object:
    return mapping.get(key)


@register.filter
def is_demo(supplier: Supplier) -> bool:
    """Generated demo listings must never pass as real suppliers."""
    return bool(supplier.external_id and supplier.external_id.startswith(DEMO_PREFIX))


@register.filter
def capacity_for(supplier: Supplier | MeetingRoom, layout: str | None) -> int | None:
    """The capacity in `layout`, or the best capacity of any layout when none is chosen."""
    if layout:
        return supplier.capacity(layout) or None
    if isinstance(supplier, MeetingRoom):
        return max(supplier.capacities.values(), default=None)
    return supplier.max_capacity or None


@register.filter
def layout_label(code: str) -> str:
    return str(Layout(code).label)


@register.filter
def label_names(supplier: Supplier) -> list[str]:
    return [str(label) for label in LABELS.labels_in(supplier.label_mask)]


@register.filter
def theme_names(supplier: Supplier) -> list[str]:
    return [str(label) for label in THEMES.labels_in(supplier.theme_mask)]


@register.filter
def equipment_names(supplier: Supplier) -> list[str]:
    return [str(label) for label in EQUIPMENT.labels_in(supplier.equipment_mask)]


@register.filter
def room_equipment(room: MeetingRoom) -> list[str]:
    """The equipment of one room, in words, with the number of power outlets."""
    names = [str(EQUIPMENT.by_code[code].label) for code in ROOM_EQUIPMENT if getattr(room, code)]
    if room.power_outlets:
        count = room.power_outlets
        names.append(
            ngettext("%(count)s power outlet", "%(count)s power outlets", count) % {"count": count}
        )
    return names


@register.filter
def osm_url(supplier: Supplier) -> str:
    lat, lon = f"{supplier.latitude:.5f}", f"{supplier.longitude:.5f}"
    return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=15/{lat}/{lon}"


@register.simple_tag(takes_context=True)
def language_alternates(context: template.Context) -> list[tuple[str, str]]:
    """This page's address in each language, for hreflang links."""
    request = context.get("request")
    if request is None or request.resolver_match is None:
        return []
    path = request.get_full_path()
    return [
        (code, request.build_absolute_uri(translate_url(path, code)))
        for code, _name in settings.LANGUAGES
    ]


@register.simple_tag(takes_context=True)
def language_switch_next(context: template.Context) -> str:
    """This page's address in the default language, the one `set_language` can translate.

    Django's set_language view runs outside i18n_patterns, where the default language is active,
    so it can only translate an address without a language prefix.
    """
    request = context.get("request")
    if request is None:
        return "/"
    return translate_url(request.get_full_path(), settings.LANGUAGE_CODE)


@register.simple_tag
def contact_email() -> str:
    return settings.MICEDESK_CONTACT_EMAIL
