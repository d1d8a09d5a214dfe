"""Intake of quote requests: validation and completeness, spam defence, rate limits, duplicates, and
the staff's decisions on them (release or reject a quarantined request, merge, split)."""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from micedesk.core.text import fold
from micedesk.directory.models import Status, Supplier
from micedesk.directory.vocab import EQUIPMENT, THEMES, Layout
from micedesk.geo.selectors import commune_of_region, departments_of_region
from micedesk.leads import signals
from micedesk.leads.models import (
    Channel,
    EventKind,
    OrganisationKind,
    QuoteRequest,
    RequestStatus,
    RoutingLogEntry,
)

if TYPE_CHECKING:
    from micedesk.accounts.models import User
    from micedesk.geo.models import Partner

logger = logging.getLogger(__name__)

# What a planner may ask besides rooms and bedrooms. "av" and the equipment codes are what a venue
# provides in its rooms (matching filters venues on them); the others come from other suppliers.
REQUEST_SERVICES: dict[str, Any] = {
    "av": _("Audiovisual equipment"),
    **{flag.code: flag.label for flag in EQUIPMENT},
    "transport": _("Transport"),
    "agency": _("Event agency"),
    "hosts": _("Hosts and hostesses"),
    "security": _("Security"),
    "decoration": _("Decoration"),
}

TEXT_MAX_LENGTHS = {
    "contact_name": 150,
    "organisation": 200,
    "sector": 150,
    "alternative_dates": 200,
    "accessibility_needs": 2000,
    "message": 5000,
    "heard_from": 150,
}
BOOLEAN_FIELDS = ("flexible_dates", "catering", "team_building", "step_free_access", "near_station")
PARTICIPANTS_MAX = 100_000
DAYS_MAX = 60
SUB_ROOMS_MAX = 100
RADIUS_KM_MAX = 300
SESSIONS_MAX = 50
SUPPLIERS_ASKED_MAX = 20
BUDGET_MAX = Decimal("99999999.99")
# Congresses are booked years ahead; further than this is a typing mistake in the year.
BOOKING_HORIZON_YEARS = 10
HONEYPOT_FIELD = "website_url"


@dataclass(frozen=True)
class RateLimit:
    count: int
    window: datetime.timedelta


RATE_LIMIT_PER_EMAIL = RateLimit(5, datetime.timedelta(hours=1))
RATE_LIMIT_PER_ADDRESS = RateLimit(10, datetime.timedelta(hours=1))
# A partner's web site sends its visitors' requests with its key: its own, generous limit.
RATE_LIMIT_PER_API_KEY = RateLimit(120, datetime.timedelta(minutes=1))
API_KEY_CLIENT_PREFIX = "apikey:"

SPAM_THRESHOLD = 50
SPAM_SCORE_MAX = 100
DUPLICATE_DATE_MARGIN = datetime.timedelta(days=3)
DUPLICATE_SIZE_RATIO = 1.3
# Requests that cannot be the original of a duplicate: suspected or rejected spam, and duplicates
# themselves (a duplicate points at the first request, never at another duplicate).
NOT_ORIGINALS = (RequestStatus.QUARANTINED, RequestStatus.DUPLICATE, RequestStatus.REJECTED)
CLOSED = (RequestStatus.WON, RequestStatus.LOST)

# Crockford's base32: no I, L, O or U, so a reference read over the phone is not misheard.
REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
REFERENCE_TOKEN_LENGTH = 5
REFERENCE_ATTEMPTS = 8


class TooManyRequests(ValidationError):
    """Refused by a rate limit, nothing stored: the API answers 429, a form asks to try later.
    `retry_after` is the number of seconds until one more request is accepted."""

    retry_after: int = 0


# --- Validation -----------------------------------------------------------------------------


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, (list, tuple, set, dict)):
        return not value
    return False


def quote_request_missing(*, data: dict) -> list[tuple[str, str]]:
    """What a request still needs to be usable, as (field, message) in the planner's language:
    who to answer, what event, how many, when (or flexible), where (or which supplier), and a
    yes or no to sharing their details. A form shows this before the planner submits."""
    missing = []
    for field, message in (
        ("contact_name", _("Give the name of the person to contact.")),
        ("organisation", _("Give the name of your organisation.")),
        ("email", _("Give an e-mail address to receive the answers.")),
        ("event_kind", _("Say what kind of event it is.")),
        ("participants", _("Say how many participants are expected.")),
    ):
        if _blank(data.get(field)):
            missing.append((field, str(message)))
    if _blank(data.get("start_date")) and data.get("flexible_dates") is not True:
        missing.append(
            ("start_date", gettext("Give the dates of the event, or say that they are flexible."))
        )
    if all(_blank(data.get(field)) for field in ("departments", "commune", "supplier_ids")):
        missing.append(
            (
                "departments",
                gettext("Say where: a department, a commune, or a supplier you want to ask."),
            )
        )
    if data.get("consent_share") is None:
        missing.append(
            (
                "consent_share",
                gettext(
                    "Say whether your details may be shared with the suppliers who will receive "
                    "the request."
                ),
            )
        )
    return missing


class _Cleaner:
    """Reads one submitted dict field by field, collecting every error before raising."""

    def __init__(self, data: dict) -> None:
        self.data = data
        self.errors: dict[str, list[ValidationError]] = {}

    def error(self, field: str, message: str, code: str = "invalid") -> None:
        self.errors.setdefault(field, []).append(ValidationError(message, code=code))

    def present(self, field: str) -> bool:
        return not _blank(self.data.get(field))

    def text(self, field: str, max_length: int) -> str:
        value = self.data.get(field)
        if value is None:
            return ""
        if not isinstance(value, str):
            self.error(field, gettext("Enter text."))
            return ""
        value = value.strip()
        if "\x00" in value:
            self.error(field, gettext("This text contains a character that is not allowed."))
            return ""
        if len(value) > max_length:
            self.error(
                field,
                gettext("Use at most %(limit)d characters (this text has %(length)d).")
                % {"limit": max_length, "length": len(value)},
                code="max_length",
            )
        return value

    def boolean(self, field: str) -> bool:
        value = self.data.get(field)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.error(field, gettext("Answer yes or no (true or false)."))
            return False
        return value

    def integer(self, field: str, minimum: int, maximum: int) -> int | None:
        value = self.data.get(field)
        if _blank(value):
            return None
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(field, gettext("Enter a whole number."))
            return None
        if not minimum <= value <= maximum:
            self.error(
                field,
                gettext("Enter a number from %(minimum)d to %(maximum)d.")
                % {"minimum": minimum, "maximum": maximum},
                code="out_of_range",
            )
            return None
        return value

    def choice(self, field: str, choices: Iterable[str]) -> str:
        value = self.data.get(field)
        if _blank(value):
            return ""
        if not isinstance(value, str) or value.strip() not in choices:
            self.error(
                field,
                gettext("Unknown value %(value)s: choose one of %(choices)s.")
                % {"value": _quoted(value), "choices": ", ".join(choices)},
                code="invalid_choice",
            )
            return ""
        return value.strip()

    def date(self, field: str) -> datetime.date | None:
        value = self.data.get(field)
        if _blank(value):
            return None
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
            try:
                return datetime.date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.error(field, gettext("Enter a real date as YYYY-MM-DD."))
        return None

    def amount(self, field: str) -> Decimal | None:
        value = self.data.get(field)
        if _blank(value):
            return None
        if isinstance(value, str):
            value = value.strip().replace(" ", "").replace("\u202f", "").replace(",", ".")
        if isinstance(value, float):
            value = str(value)
        try:
            amount = Decimal(value) if not isinstance(value, bool) else None
        except (InvalidOperation, TypeError, ValueError):
            amount = None
        if amount is None or not amount.is_finite():
            self.error(field, gettext("Enter an amount in euros, such as 12500 or 12500.50."))
            return None
        if amount < 0 or amount > BUDGET_MAX or amount != amount.quantize(Decimal("0.01")):
            self.error(
                field,
                gettext("Enter an amount from 0 to %(maximum)s euros, to the cent.")
                % {"maximum": "99,999,999.99"},
                code="out_of_range",
            )
            return None
        return amount.quantize(Decimal("0.01"))

    def code_list(self, field: str, allowed: Iterable[str]) -> list[str]:
        value = self.data.get(field)
        if value is None:
            return []
        if not isinstance(value, (list, tuple)) or not all(
            isinstance(item, (str, int)) and not isinstance(item, bool) for item in value
        ):
            self.error(field, gettext("Give a list of codes."))
            return []
        codes = list(dict.fromkeys(str(item).strip() for item in value))
        allowed = list(allowed)
        unknown = [code for code in codes if code not in allowed]
        if unknown:
            self.error(
                field,
                gettext("Unknown codes: %(codes)s. Choose among %(choices)s.")
                % {"codes": ", ".join(unknown), "choices": ", ".join(allowed)},
                code="invalid_choice",
            )
            return []
        return codes


def _quoted(value: object) -> str:
    text = str(value)
    return f"“{text[:40]}…”" if len(text) > 40 else f"“{text}”"


def normalise_phone(phone: str) -> str:
    """A phone number without separators, "00" as "+": '02 31 27 14 14' -> '0231271414'."""
    compact = re.sub(r"[\s.\-/()\u00a0\u202f]", "", phone)
    return "+" + compact[2:] if compact.startswith("00") else compact


def _phone_key(phone: str) -> str:
    """The last nine digits: the same number written nationally (02…) or internationally (+33 2…)."""
    digits = re.sub(r"\D", "", phone)
    return digits[-9:] if len(digits) >= 9 else ""


def normalise_organisation(name: str) -> str:
    """An organisation's name for comparison: 'Société Générale, S.A.' -> 'societe generale s a'."""
    return " ".join(re.findall(r"[0-9a-z]+", fold(name)))


def quote_request_clean(*, data: dict) -> dict[str, Any]:
    """The submitted data checked and converted to the model's values; raises ValidationError with
    every missing or invalid field, each message in the active language."""
    if not isinstance(data, dict):
        raise ValidationError({NON_FIELD_ERRORS: [gettext("Send the request as an object.")]})
    cleaner = _Cleaner(data)
    for field, message in quote_request_missing(data=data):
        cleaner.error(field, message, code="required")
    cleaned: dict[str, Any] = {
        field: cleaner.text(field, max_length) for field, max_length in TEXT_MAX_LENGTHS.items()
    }
    cleaned.update({field: cleaner.boolean(field) for field in BOOLEAN_FIELDS})
    cleaned.update(_clean_contact(cleaner))
    cleaned.update(_clean_event(cleaner, flexible=cleaned["flexible_dates"]))
    cleaned.update(_clean_needs(cleaner))
    cleaned.update(_clean_place(cleaner))
    cleaned.update(_clean_budget(cleaner))
    cleaned["campaign"] = _clean_campaign(data.get("campaign"))
    if cleaner.errors:
        raise ValidationError(cleaner.errors)
    return cleaned


CAMPAIGN_MAX_LENGTH = 80
CAMPAIGN_SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def _clean_campaign(value: object) -> str:
    """The slug of the campaign page the planner came from. It only measures a campaign, so a
    value that is not a slug is dropped silently: it never costs the planner their request."""
    if not isinstance(value, str):
        return ""
    value = value.strip()
    if len(value) > CAMPAIGN_MAX_LENGTH or not CAMPAIGN_SLUG.fullmatch(value):
        return ""
    return value


def _clean_contact(cleaner: _Cleaner) -> dict[str, Any]:
    email = cleaner.text("email", 254).lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            cleaner.error("email", gettext("Enter a valid e-mail address."))
    phone = normalise_phone(cleaner.text("phone", 30))
    if phone and not re.fullmatch(r"\+?\d{6,15}", phone):
        cleaner.error("phone", gettext("Enter a phone number: digits, spaces and a leading +."))
    consent = cleaner.data.get("consent_share")
    if consent is not None and not isinstance(consent, bool):
        cleaner.error("consent_share", gettext("Answer yes or no (true or false)."))
    languages = [code for code, _label in settings.LANGUAGES]
    language = cleaner.choice("language", languages) or _active_language(languages)
    return {
        "email": email,
        "phone": phone,
        "consent_share": consent is True,
        "language": language,
        "organisation_kind": cleaner.choice("organisation_kind", OrganisationKind.values)
        or OrganisationKind.COMPANY,
    }


def _active_language(languages: list[str]) -> str:
    language = (translation.get_language() or "").split("-")[0]
    return language if language in languages else settings.LANGUAGE_CODE


def _clean_event(cleaner: _Cleaner, *, flexible: bool) -> dict[str, Any]:
    event_kind = cleaner.choice("event_kind", EventKind.values)
    participants = cleaner.integer("participants", 1, PARTICIPANTS_MAX)
    days = cleaner.integer("days", 1, DAYS_MAX)
    start, end = cleaner.date("start_date"), cleaner.date("end_date")
    today = timezone.localdate()
    if start is not None and start < today:
        cleaner.error("start_date", gettext("The event cannot start in the past."), code="past")
    elif start is not None and start.year > today.year + BOOKING_HORIZON_YEARS:
        cleaner.error(
            "start_date",
            gettext("Check the year: the event starts more than %(years)d years from now.")
            % {"years": BOOKING_HORIZON_YEARS},
        )
    if end is not None and start is None and "start_date" not in cleaner.errors:
        cleaner.error("start_date", gettext("Give the start date too."), code="required")
    if start is not None and end is not None and end < start:
        cleaner.error("end_date", gettext("The event cannot end before it starts."))
    elif start is not None:
        end = end or start + datetime.timedelta(days=(days or 1) - 1)
        span = (end - start).days + 1
        if days is not None and days > span:
            cleaner.error(
                "days",
                gettext("The event lasts %(days)d days but the dates span %(span)d.")
                % {"days": days, "span": span},
            )
        days = days or min(span, DAYS_MAX)
    return {
        "event_kind": event_kind,
        "participants": participants,
        "days": days or 1,
        "start_date": start,
        "end_date": end if start is not None else None,
    }


def _clean_needs(cleaner: _Cleaner) -> dict[str, Any]:
    return {
        "layout": cleaner.choice("layout", Layout.values),
        "sessions": _clean_sessions(cleaner),
        "sub_rooms": cleaner.integer("sub_rooms", 0, SUB_ROOMS_MAX) or 0,
        "bedrooms": cleaner.integer("bedrooms", 0, PARTICIPANTS_MAX) or 0,
        "services": cleaner.code_list("services", REQUEST_SERVICES),
        "theme_mask": THEMES.mask(cleaner.code_list("themes", THEMES.codes)),
    }


def _clean_sessions(cleaner: _Cleaner) -> list[dict]:
    sessions = cleaner.data.get("sessions")
    if sessions is None:
        return []
    message = gettext(
        "Give at most %(count)d sessions, each with a layout (or none) and an attendance "
        "from 1 to %(maximum)d."
    ) % {"count": SESSIONS_MAX, "maximum": PARTICIPANTS_MAX}
    if not isinstance(sessions, (list, tuple)) or len(sessions) > SESSIONS_MAX:
        cleaner.error("sessions", message)
        return []
    cleaned = []
    for session in sessions:
        layout = session.get("layout") or "" if isinstance(session, dict) else None
        attendance = session.get("attendance") if isinstance(session, dict) else None
        if (
            layout not in ("", *Layout.values)
            or isinstance(attendance, bool)
            or not isinstance(attendance, int)
            or not 1 <= attendance <= PARTICIPANTS_MAX
        ):
            cleaner.error("sessions", message)
            return []
        cleaned.append({"layout": layout, "attendance": attendance})
    return cleaned


def _clean_place(cleaner: _Cleaner) -> dict[str, Any]:
    departments = cleaner.code_list(
        "departments", departments_of_region().values_list("code", flat=True)
    )
    commune = None
    code = cleaner.data.get("commune")
    if not _blank(code):
        commune = commune_of_region(insee_code=code.strip()) if isinstance(code, str) else None
        if commune is None:
            cleaner.error(
                "commune",
                gettext("No commune of the region has the INSEE code %(code)s.")
                % {"code": _quoted(code)},
            )
    radius_km = cleaner.integer("radius_km", 1, RADIUS_KM_MAX)
    if radius_km is not None and _blank(code):
        cleaner.error("radius_km", gettext("A radius needs a commune to measure from."))
    return {
        "departments": departments,
        "commune": commune,
        "radius_km": radius_km,
        "suppliers": _clean_suppliers(cleaner),
    }


def _clean_suppliers(cleaner: _Cleaner) -> list[Supplier]:
    ids = cleaner.data.get("supplier_ids")
    if ids is None:
        return []
    if (
        not isinstance(ids, (list, tuple))
        or len(ids) > SUPPLIERS_ASKED_MAX
        or not all(isinstance(item, int) and not isinstance(item, bool) for item in ids)
    ):
        cleaner.error(
            "supplier_ids",
            gettext("Give a list of at most %(count)d supplier numbers.")
            % {"count": SUPPLIERS_ASKED_MAX},
        )
        return []
    suppliers = list(Supplier.objects.published().filter(pk__in=ids).order_by("pk"))
    unknown = sorted(set(ids) - {supplier.pk for supplier in suppliers})
    if unknown:
        cleaner.error(
            "supplier_ids",
            gettext("No published supplier has the number %(ids)s.")
            % {"ids": ", ".join(str(pk) for pk in unknown)},
            code="invalid_choice",
        )
        return []
    return suppliers


def _clean_budget(cleaner: _Cleaner) -> dict[str, Any]:
    budget_min, budget_max = cleaner.amount("budget_min"), cleaner.amount("budget_max")
    if budget_min is not None and budget_max is not None and budget_min > budget_max:
        cleaner.error("budget_max", gettext("The budget's upper bound is below its lower bound."))
    return {"budget_min": budget_min, "budget_max": budget_max}


# --- Spam -----------------------------------------------------------------------------------

LINK = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']+")
URL_SHORTENERS = frozenset(
    """bit.ly tinyurl.com goo.gl t.co ow.ly is.gd buff.ly cutt.ly rebrand.ly shorturl.at t.ly
    tiny.cc rb.gy s.id v.gd bl.ink short.io lnkd.in""".split()
)
SHORTENER_MENTION = re.compile(
    r"(?i)(?<![\w.])(" + "|".join(re.escape(domain) for domain in URL_SHORTENERS) + r")/\S+"
)
# Folded (lower case, no accents); matched as whole words. No word a real event could use
# ("casino": Deauville's casinos host seminars).
SPAM_WORDS = (
    "viagra cialis levitra bitcoin cryptocurrency crypto forex porn porno xxx escort escorts "
    "sex dating payday loan loans replica betting seo backlink backlinks referencement"
).split() + [
    "binary options",
    "weight loss",
    "guest post",
    "link building",
    "click here",
    "buy now",
    "make money",
    "earn money",
    "work from home",
    "first page of google",
    "gagner de l'argent",
]
SPAM_WORD = re.compile(r"\b(" + "|".join(re.escape(word) for word in SPAM_WORDS) + r")\b")
DISPOSABLE_DOMAINS = frozenset(
    """mailinator.com yopmail.com yopmail.fr yopmail.net guerrillamail.com guerrillamail.net
    sharklasers.com grr.la 10minutemail.com 10minutemail.net temp-mail.org tempmail.com
    tempmail.net tempmailo.com trashmail.com trashmail.de trashmail.net getnada.com nada.email
    dispostable.com maildrop.cc throwawaymail.com fakeinbox.com mailnesia.com mintemail.com
    mohmal.com emailondeck.com spamgourmet.com jetable.org mail-temporaire.fr mailcatch.com
    mytemp.email tempr.email discard.email moakt.com burnermail.io""".split()
)
DISPOSABLE_HINTS = (
    "tempmail",
    "temp-mail",
    "trashmail",
    "throwaway",
    "disposable",
    "minutemail",
    "guerrillamail",
    "yopmail",
    "jetable",
    "fakemail",
    "spambox",
)
VOWELS = frozenset("aeiouy")
NAME_TITLES = frozenset({"mlle", "mme", "mr", "mrs", "ms", "dr", "pr", "st", "ste"})
KEYBOARD_RUNS = ("qwert", "asdf", "azert", "qsdf", "zxcv", "wxcv", "hjkl", "uiop", "sdfg", "dfgh")

SPAM_POINTS = {
    "honeypot": 100,
    "url_shortener": 50,
    "many_links": 40,
    "links": 10,
    "foreign_script": 40,
    "spam_words": 25,  # per word, up to two
    "disposable_email": 30,
    "all_caps": 20,
    "nonsense_name": 25,
}
SPAM_TEXT_FIELDS = (
    "message",
    "accessibility_needs",
    "alternative_dates",
    "heard_from",
    "sector",
    "organisation",
    "contact_name",
)


def _reason(code: str, **params: object) -> dict:
    return {"code": code, "params": params}


def spam_assess(*, cleaned: dict, honeypot: object = None) -> tuple[int, list[dict]]:
    """A spam score (0 to 100) and its reasons [{code, params}], from the honeypot and the content.
    At SPAM_THRESHOLD or more the request waits in the staff's quarantine."""
    text = "\n".join(cleaned.get(field) or "" for field in SPAM_TEXT_FIELDS)
    reasons = []
    if not _blank(honeypot):
        reasons.append(_reason("honeypot"))
    reasons += _link_reasons(text)
    reasons += _script_reasons(text)
    reasons += _word_reasons(text)
    reasons += _email_reasons(cleaned.get("email") or "")
    reasons += _caps_reasons(cleaned.get("message") or "")
    for field in ("contact_name", "organisation"):
        if _nonsense(cleaned.get(field) or "", digits_allowed=field == "organisation"):
            reasons.append(_reason("nonsense_name", field=field))
    score = sum(_points(reason) for reason in reasons)
    return min(score, SPAM_SCORE_MAX), reasons


def _points(reason: dict) -> int:
    if reason["code"] == "spam_words":
        return SPAM_POINTS["spam_words"] * min(len(reason["params"]["words"]), 2)
    return SPAM_POINTS[reason["code"]]


def _link_reasons(text: str) -> list[dict]:
    links = LINK.findall(text)
    shorteners = sorted(
        {_host(link) for link in links if _host(link) in URL_SHORTENERS}
        | {match.lower() for match in SHORTENER_MENTION.findall(text)}
    )
    reasons = [_reason("url_shortener", domains=shorteners)] if shorteners else []
    if len(links) >= 3:
        reasons.append(_reason("many_links", count=len(links)))
    elif links:
        reasons.append(_reason("links", count=len(links)))
    return reasons


def _host(link: str) -> str:
    host = re.sub(r"(?i)^https?://", "", link).split("/")[0].split("?")[0].lower()
    return host.removeprefix("www.")


def _script_reasons(text: str) -> list[dict]:
    letters = [char for char in text if char.isalpha()]
    scripts = [unicodedata.name(char, "UNKNOWN").split(" ")[0] for char in letters]
    foreign = [script for script in scripts if script != "LATIN"]
    if len(foreign) >= 5 and len(foreign) > 0.3 * len(letters):
        return [_reason("foreign_script", scripts=sorted(set(foreign)))]
    return []


def _word_reasons(text: str) -> list[dict]:
    words = sorted(set(SPAM_WORD.findall(fold(text))))
    return [_reason("spam_words", words=words)] if words else []


def _email_reasons(email: str) -> list[dict]:
    domain = email.rpartition("@")[2]
    if domain in DISPOSABLE_DOMAINS or any(hint in domain for hint in DISPOSABLE_HINTS):
        return [_reason("disposable_email", domain=domain)]
    return []


def _caps_reasons(message: str) -> list[dict]:
    letters = [char for char in message if char.isalpha()]
    if len(letters) >= 20 and sum(char.isupper() for char in letters) >= 0.8 * len(letters):
        return [_reason("all_caps")]
    return []


def _nonsense(name: str, *, digits_allowed: bool) -> bool:
    """A name no one is called: digits in a person's name, a word without vowels (acronyms aside),
    six consonants in a row, a letter four times over, keyboard runs, or caSe nOIse."""
    if not digits_allowed and any(char.isdigit() for char in name):
        return True
    for word in re.findall(r"[^\W\d_]+", name):
        folded = fold(word)
        if folded in NAME_TITLES or not folded.isascii():
            continue
        acronym = word.isupper() and len(word) <= 6
        if len(folded) >= 4 and not acronym and not VOWELS & set(folded):
            return True
        if re.search(r"[^aeiouy]{6}", folded) or re.search(r"(.)\1\1\1", folded):
            return True
        if any(run in folded for run in KEYBOARD_RUNS):
            return True
        if len(re.findall(r"[a-z][A-Z]", word)) >= 3:
            return True
    return False


SPAM_REASON_TEXTS: dict[str, Callable[[dict], str]] = {
    "honeypot": lambda p: gettext("filled in the field hidden from people"),
    "url_shortener": lambda p: (
        gettext("shortened links (%(domains)s)") % {"domains": ", ".join(p.get("domains", []))}
    ),
    "many_links": lambda p: gettext("%(count)s links") % {"count": p.get("count")},
    "links": lambda p: gettext("%(count)s link(s)") % {"count": p.get("count")},
    "foreign_script": lambda p: (
        gettext("text in another script (%(scripts)s)")
        % {"scripts": ", ".join(script.lower() for script in p.get("scripts", []))}
    ),
    "spam_words": lambda p: (
        gettext("spam words: %(words)s") % {"words": ", ".join(p.get("words", []))}
    ),
    "disposable_email": lambda p: (
        gettext("disposable e-mail address (%(domain)s)") % {"domain": p.get("domain", "")}
    ),
    "all_caps": lambda p: gettext("message in capitals"),
    "nonsense_name": lambda p: (
        gettext("name that looks made up (%(field)s)")
        % {
            "field": gettext("organisation")
            if p.get("field") == "organisation"
            else gettext("contact")
        }
    ),
}


def spam_explanation(*, reasons: list[dict], language: str) -> str:
    """Why a request looks like spam, in one line for staff: "3 links; spam words: viagra"."""
    with translation.override(language):
        separator = pgettext("separator between reasons", "; ")
        texts = []
        for reason in reasons:
            render = SPAM_REASON_TEXTS.get(reason.get("code", ""))
            texts.append(render(reason.get("params") or {}) if render else reason.get("code", ""))
        return separator.join(texts)


# --- Rate limits ----------------------------------------------------------------------------


def _check_rate_limit(requests: Any, limit: RateLimit, message: str) -> None:
    """Refuse when `limit.count` requests already arrived within the window; counted in the
    database, so that every process and server shares the same count."""
    now = timezone.now()
    recent = list(
        requests.filter(created_at__gt=now - limit.window)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[: limit.count]
    )
    if len(recent) < limit.count:
        return
    error = TooManyRequests({NON_FIELD_ERRORS: [ValidationError(message, code="rate_limited")]})
    # One more is accepted when the oldest of the counted requests leaves the window.
    error.retry_after = max(1, int((recent[-1] + limit.window - now).total_seconds()) + 1)
    raise error


def _check_rate_limits(*, email: str, client_key: str) -> None:
    later = gettext("Too many requests have been sent from here: please try again later.")
    if client_key.startswith(API_KEY_CLIENT_PREFIX):
        _check_rate_limit(
            QuoteRequest.objects.filter(client_key=client_key), RATE_LIMIT_PER_API_KEY, later
        )
        return
    if client_key:
        _check_rate_limit(
            QuoteRequest.objects.filter(client_key=client_key), RATE_LIMIT_PER_ADDRESS, later
        )
    _check_rate_limit(
        QuoteRequest.objects.filter(email=email).exclude(channel=Channel.STAFF),
        RATE_LIMIT_PER_EMAIL,
        gettext(
            "Too many requests have been sent with this e-mail address: please try again later."
        ),
    )


# --- Locks, references, log -----------------------------------------------------------------


def _lock_keys(*, email: str, phone: str, client_key: str) -> list[str]:
    keys = [f"email:{email}"]
    if _phone_key(phone):
        keys.append(f"phone:{_phone_key(phone)}")
    if client_key:
        keys.append(f"client:{client_key}")
    return keys


def _lock(keys: list[str]) -> None:
    """Serialise the submissions that could be duplicates of each other (or share a rate limit)
    until the transaction ends. There may be no row to lock yet, so PostgreSQL takes advisory
    locks on the keys (in one order: no deadlock); SQLite's write transactions begin IMMEDIATE
    (settings), which already serialises every writer."""
    if connection.vendor != "postgresql":
        return
    ids = sorted(
        {
            int.from_bytes(
                hashlib.blake2b(f"leads.intake:{key}".encode(), digest_size=8).digest(),
                "big",
                signed=True,
            )
            for key in keys
        }
    )
    with connection.cursor() as cursor:
        for lock_id in ids:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def _reference_token() -> str:
    return "".join(
        secrets.choice(REFERENCE_ALPHABET) for _position in range(REFERENCE_TOKEN_LENGTH)
    )


def _save_with_reference(quote_request: QuoteRequest) -> None:
    """Save with a new reference such as "DV-2026-7K3QX"; a reference already taken (the unique
    constraint says so) is drawn again."""
    year = timezone.localtime(quote_request.created_at).year
    for _attempt in range(REFERENCE_ATTEMPTS):
        quote_request.reference = f"DV-{year}-{_reference_token()}"
        if QuoteRequest.objects.filter(reference=quote_request.reference).exists():
            continue
        try:
            with transaction.atomic():
                quote_request.save(force_insert=True)
            return
        except IntegrityError:
            if not QuoteRequest.objects.filter(reference=quote_request.reference).exists():
                raise
    raise IntegrityError("No free quote request reference after several draws.")


def _actor(actor: User | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _log(quote_request: QuoteRequest, event: str, actor: User | None, **details: object) -> None:
    RoutingLogEntry.objects.create(
        quote_request=quote_request, event=event, actor=_actor(actor), details=details
    )


def _require_staff(actor: User | None) -> None:
    if _actor(actor) is None or not actor.is_bureau_staff:
        raise PermissionDenied(gettext("Only the bureau's staff can do this."))


# --- Submission -----------------------------------------------------------------------------


def quote_request_submit(
    *,
    data: dict,
    channel: str,
    submitted_by: User | None = None,
    via_partner: Partner | None = None,
    client_key: str = "",
) -> QuoteRequest:
    """Store a planner's request and qualify it: suspected spam waits in quarantine, a duplicate
    is linked to the first request, anything else is routed once the transaction commits.

    Raises ValidationError (field -> messages) when incomplete or invalid, and TooManyRequests
    (a ValidationError) over a rate limit; nothing is stored then. `client_key` is the client's
    address, or "apikey:<id>" for the API. Requests entered by staff skip the spam checks and
    the rate limits."""
    if channel not in Channel.values:
        raise ValueError(f"Unknown channel {channel!r}")
    if channel == Channel.STAFF:
        _require_staff(submitted_by)
    cleaned = quote_request_clean(data=data)
    trusted = channel == Channel.STAFF
    client_key = client_key[:64]
    with transaction.atomic():
        _lock(_lock_keys(email=cleaned["email"], phone=cleaned["phone"], client_key=client_key))
        if not trusted:
            _check_rate_limits(email=cleaned["email"], client_key=client_key)
        score, reasons = (
            (0, []) if trusted else spam_assess(cleaned=cleaned, honeypot=data.get(HONEYPOT_FIELD))
        )
        quote_request = _build(cleaned, channel, submitted_by, via_partner, client_key)
        quote_request.spam_score, quote_request.spam_reasons = score, reasons
        _save_with_reference(quote_request)
        quote_request.requested_suppliers.set(cleaned["suppliers"])
        _log(
            quote_request,
            "received",
            submitted_by,
            channel=channel,
            via_partner=via_partner.pk if via_partner is not None else None,
        )
        _qualify(quote_request, submitted_by)
        transaction.on_commit(partial(_announce, quote_request))
    quote_request.refresh_from_db(fields=["status"])
    return quote_request


def _build(
    cleaned: dict,
    channel: str,
    submitted_by: User | None,
    via_partner: Partner | None,
    client_key: str,
) -> QuoteRequest:
    fields = {key: value for key, value in cleaned.items() if key != "suppliers"}
    now = timezone.now()
    quote_request = QuoteRequest(
        channel=channel,
        submitted_by=_actor(submitted_by),
        via_partner=via_partner,
        client_key=client_key,
        created_at=now,
        consent_at=now if cleaned["consent_share"] else None,
        **fields,
    )
    # The reference is drawn on saving, against the unique constraint.
    quote_request.full_clean(exclude=["reference"], validate_unique=False)
    return quote_request


def _announce(quote_request: QuoteRequest) -> None:
    """Tell the apps above (the CRM) that a request was stored, or released from quarantine."""
    signals.quote_request_received.send(sender=None, quote_request=quote_request)


def _qualify(quote_request: QuoteRequest, actor: User | None) -> None:
    if quote_request.spam_score >= SPAM_THRESHOLD:
        quote_request.status = RequestStatus.QUARANTINED
        quote_request.save(update_fields=["status"])
        _log(
            quote_request,
            "quarantined",
            actor,
            score=quote_request.spam_score,
            reasons=quote_request.spam_reasons,
        )
        return
    original = _duplicate_original(quote_request)
    if original is not None:
        _mark_duplicate(quote_request, original, actor, event="duplicate")
        return
    transaction.on_commit(partial(_route, quote_request.pk, actor))


def _route(quote_request_id: int, actor: User | None) -> None:
    """Route a qualified request, after its transaction committed. The request is stored whatever
    happens here: a failure is logged for staff to route it by hand, and the planner is not told
    that the submission failed (which would make them send it again)."""
    from micedesk.leads.routing import quote_request_route

    quote_request = QuoteRequest.objects.get(pk=quote_request_id)
    try:
        quote_request_route(quote_request=quote_request, actor=_actor(actor))
    except Exception as error:
        logger.exception("Routing quote request %s failed", quote_request.reference)
        _log(quote_request, "routing_failed", actor, error=str(error)[:500])


# --- Duplicates -----------------------------------------------------------------------------


def duplicate_window_days() -> int:
    return settings.LEADS_DUPLICATE_WINDOW_DAYS


def same_planner(first: QuoteRequest, second: QuoteRequest) -> bool:
    """The same e-mail address, or the same organisation with the same phone number."""
    if first.email == second.email:
        return True
    phone = _phone_key(first.phone)
    return (
        bool(phone)
        and phone == _phone_key(second.phone)
        and normalise_organisation(first.organisation)
        == normalise_organisation(second.organisation)
    )


def same_event(first: QuoteRequest, second: QuoteRequest) -> bool:
    """Dates that overlap give or take three days (or both flexible without dates), and a size
    within 30 % of each other."""
    low, high = sorted((first.participants, second.participants))
    if high > low * DUPLICATE_SIZE_RATIO:
        return False
    if first.start_date is not None and second.start_date is not None:
        first_end = first.end_date or first.start_date
        second_end = second.end_date or second.start_date
        return (
            first.start_date - DUPLICATE_DATE_MARGIN <= second_end
            and second.start_date <= first_end + DUPLICATE_DATE_MARGIN
        )
    undated = first.start_date is None and second.start_date is None
    return undated and first.flexible_dates and second.flexible_dates


def _duplicate_original(quote_request: QuoteRequest) -> QuoteRequest | None:
    """The first request, within the window, of the same planner for the same event."""
    window = datetime.timedelta(days=duplicate_window_days())
    planner = Q(email=quote_request.email)
    if _phone_key(quote_request.phone):
        planner |= Q(phone__endswith=_phone_key(quote_request.phone))
    candidates = (
        QuoteRequest.objects.filter(
            planner,
            created_at__gte=quote_request.created_at - window,
            created_at__lte=quote_request.created_at + window,
        )
        .exclude(pk=quote_request.pk)
        .exclude(status__in=NOT_ORIGINALS)
        .order_by("created_at", "pk")
    )
    for candidate in candidates:
        if same_planner(candidate, quote_request) and same_event(candidate, quote_request):
            return candidate
    return None


def _mark_duplicate(
    duplicate: QuoteRequest, original: QuoteRequest, actor: User | None, *, event: str
) -> None:
    duplicate.status = RequestStatus.DUPLICATE
    duplicate.duplicate_of = original
    duplicate.save(update_fields=["status", "duplicate_of"])
    _log(duplicate, event, actor, of=original.pk, reference=original.reference)
    _log(
        original,
        "duplicate_linked",
        actor,
        duplicate=duplicate.pk,
        reference=duplicate.reference,
        by=event,
    )
    _forward_named_suppliers(duplicate, original, actor)


def _forward_named_suppliers(
    duplicate: QuoteRequest, original: QuoteRequest, actor: User | None
) -> None:
    """Suppliers the planner asked for by name in the duplicate and not in the original join the
    original: sending it again is often how a planner adds a supplier. Routing the duplicate would
    send the same event twice to every other supplier, so the original carries them (and, once
    routed, sends to them at once); a supplier the duplicate already went to is not sent it again."""
    # Locked, and read again after the lock: the original's routing may be running right now.
    original = QuoteRequest.objects.select_for_update().get(pk=original.pk)
    already = set(original.requested_suppliers.values_list("pk", flat=True)) | set(
        duplicate.dispatches.filter(supplier__isnull=False).values_list("supplier_id", flat=True)
    )
    added = list(
        duplicate.requested_suppliers.filter(status=Status.PUBLISHED)
        .exclude(pk__in=already)
        .order_by("pk")
    )
    if not added:
        return
    original.requested_suppliers.add(*added)
    _log(
        original,
        "suppliers_added",
        actor,
        suppliers=[supplier.pk for supplier in added],
        from_request=duplicate.pk,
    )
    # Not yet routed (received, held for review): routing reads the suppliers asked by name then.
    if original.status != RequestStatus.ROUTED:
        return
    from micedesk.leads.routing import dispatch_create

    for supplier in added:
        dispatch_create(
            quote_request=original,
            supplier=supplier,
            explanation=[_reason("asked_by_name")],
            actor=_actor(actor),
        )


# --- Staff decisions ------------------------------------------------------------------------


def _pk(quote_request: QuoteRequest) -> int:
    return quote_request.pk


def _locked(quote_request: QuoteRequest) -> QuoteRequest:
    return QuoteRequest.objects.select_for_update().get(pk=quote_request.pk)


def _refuse(message: str) -> ValidationError:
    return ValidationError({"status": [ValidationError(message, code="invalid_status")]})


def quote_request_release(*, quote_request: QuoteRequest, actor: User) -> QuoteRequest:
    """Staff found a quarantined request genuine: it is qualified again without the spam checks
    (a duplicate is still linked to its first request) and routed."""
    _require_staff(actor)
    with transaction.atomic():
        _lock(_lock_keys(email=quote_request.email, phone=quote_request.phone, client_key=""))
        quote_request = _locked(quote_request)
        if quote_request.status != RequestStatus.QUARANTINED:
            raise _refuse(gettext("Only a request in quarantine can be released."))
        quote_request.status = RequestStatus.RECEIVED
        quote_request.save(update_fields=["status"])
        _log(quote_request, "released", actor, score=quote_request.spam_score)
        original = _duplicate_original(quote_request)
        if original is not None:
            _mark_duplicate(quote_request, original, actor, event="duplicate")
        else:
            transaction.on_commit(partial(_route, quote_request.pk, actor))
        transaction.on_commit(partial(_announce, quote_request))
    quote_request.refresh_from_db()
    return quote_request


def quote_request_reject_spam(*, quote_request: QuoteRequest, actor: User) -> QuoteRequest:
    """Staff confirm a quarantined request is spam: it leaves the queue and is kept, never
    routed (and still counts for the rate limits)."""
    _require_staff(actor)
    with transaction.atomic():
        quote_request = _locked(quote_request)
        if quote_request.status != RequestStatus.QUARANTINED:
            raise _refuse(gettext("Only a request in quarantine can be rejected as spam."))
        quote_request.status = RequestStatus.REJECTED
        quote_request.save(update_fields=["status"])
        _log(quote_request, "rejected_spam", actor, score=quote_request.spam_score)
    return quote_request


def quote_request_merge(
    *, keep: QuoteRequest, duplicate: QuoteRequest, actor: User
) -> QuoteRequest:
    """Staff link a request to the one it repeats. The duplicate's own duplicates follow it; the
    dispatches it already had stay (those suppliers have it and may have answered); suppliers it
    asked for by name that `keep` lacks are added to `keep`."""
    _require_staff(actor)
    if keep.pk == duplicate.pk:
        raise ValidationError(
            {"duplicate": [gettext("A request cannot be a duplicate of itself.")]}
        )
    with transaction.atomic():
        # Both rows locked, in one order: two staff merging the same pair cannot deadlock.
        locked = {item.pk: _locked(item) for item in sorted((keep, duplicate), key=_pk)}
        keep, duplicate = locked[keep.pk], locked[duplicate.pk]
        if keep.status in NOT_ORIGINALS:
            raise ValidationError(
                {
                    "keep": [
                        gettext("The request to keep is %(status)s: keep a qualified request.")
                        % {"status": keep.get_status_display().lower()}
                    ]
                }
            )
        if duplicate.status in CLOSED or duplicate.status == RequestStatus.REJECTED:
            raise ValidationError(
                {
                    "duplicate": [
                        gettext("A request that is %(status)s cannot be merged.")
                        % {"status": duplicate.get_status_display().lower()}
                    ]
                }
            )
        if duplicate.duplicate_of_id == keep.pk and duplicate.status == RequestStatus.DUPLICATE:
            return duplicate
        followers = list(
            QuoteRequest.objects.filter(duplicate_of=duplicate).values_list("pk", flat=True)
        )
        QuoteRequest.objects.filter(pk__in=followers).update(duplicate_of=keep)
        _mark_duplicate(duplicate, keep, actor, event="merged")
        if followers:
            _log(keep, "duplicates_moved", actor, duplicates=followers, from_request=duplicate.pk)
    return duplicate


def quote_request_split(*, quote_request: QuoteRequest, actor: User) -> QuoteRequest:
    """Staff found that a request marked duplicate is another event: it becomes independent and
    is routed."""
    _require_staff(actor)
    with transaction.atomic():
        quote_request = _locked(quote_request)
        if quote_request.status != RequestStatus.DUPLICATE:
            raise _refuse(gettext("Only a request marked duplicate can be split off."))
        original = quote_request.duplicate_of
        quote_request.status = RequestStatus.RECEIVED
        quote_request.duplicate_of = None
        quote_request.save(update_fields=["status", "duplicate_of"])
        _log(
            quote_request,
            "split",
            actor,
            **({"from_request": original.pk, "reference": original.reference} if original else {}),
        )
        if original is not None:
            _log(original, "split_off", actor, request=quote_request.pk)
        transaction.on_commit(partial(_route, quote_request.pk, actor))
    quote_request.refresh_from_db()
    return quote_request
