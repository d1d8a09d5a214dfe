"""Segments: saved, explainable filters over contacts, the two built-in kinds, and invitations.

A segment's `rules` (JSON) hold its parameters. Evaluating it runs a pipeline of steps; each step
is a queryset filter with a sentence saying what it keeps and how many contacts it left out, so that
a staff member can check the list before sending anything. Anonymised contacts are never included.

Two decisions a newcomer may question, also stated in the explanation of each segment:

- Place of a workshop: contacts are matched on their region of origin (or department, or anywhere,
  as chosen), because the plan's complaint is about guests "not relevant for the destination where
  the event is held"; the platform records where contacts come from, not which places they like.
- Legal basis: a contact has a basis for a purpose when the latest recorded row for that purpose is
  granted (consent, or legitimate interest recorded with its proof). For an e-mailing by topic,
  B2B clients (a company and at least one quote request or event held) with no row at all may also
  be mailed on legitimate interest (CNIL: professional prospecting on a topic related to their job,
  with a way to object in each mail). A withdrawal, the latest row being "not granted", always
  excludes. Invitations need a recorded basis.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from micedesk.crm.models import (
    ActionKind,
    AuditAction,
    BureauAction,
    CompanyKind,
    Consent,
    Contact,
    ContactKind,
    Interaction,
    InteractionKind,
    Purpose,
    Segment,
    SegmentKind,
    Topic,
)
from micedesk.crm.services import audit_record, interaction_add

DEFAULT_K = 2
DEFAULT_M = 3
MAX_M = 50
MAX_LIMIT = 100_000
PLACE_MODES = ("region", "department", "none")
# A client, for legitimate interest: someone who asked for a quote or held an event here.
CLIENT_KINDS = (InteractionKind.QUOTE_REQUEST, InteractionKind.EVENT_HELD)
MET_KINDS = (InteractionKind.MET, InteractionKind.ATTENDED)
NAF_PREFIX = re.compile(r"^\d{1,2}(\.\d{0,2}[A-Z]?)?$")
DEPARTMENT_CODE = re.compile(r"^(\d{2}|2A|2B|97\d)$")
COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
LANGUAGE_CODE = re.compile(r"^[a-z]{2}$")

# INSEE regions (2016) and their departments. The geo app holds only the destination's region,
# while workshops also take place elsewhere (Île-de-France) and guests come from everywhere.
REGION_DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "11": ("75", "77", "78", "91", "92", "93", "94", "95"),
    "24": ("18", "28", "36", "37", "41", "45"),
    "27": ("21", "25", "39", "58", "70", "71", "89", "90"),
    "28": ("14", "27", "50", "61", "76"),
    "32": ("02", "59", "60", "62", "80"),
    "44": ("08", "10", "51", "52", "54", "55", "57", "67", "68", "88"),
    "52": ("44", "49", "53", "72", "85"),
    "53": ("22", "29", "35", "56"),
    "75": ("16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"),
    "76": ("09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"),
    "84": ("01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"),
    "93": ("04", "05", "06", "13", "83", "84"),
    "94": ("2A", "2B"),
    "01": ("971",),
    "02": ("972",),
    "03": ("973",),
    "04": ("974",),
    "06": ("976",),
}


@dataclass(frozen=True)
class Step:
    """One rule of a segment: what it keeps, how many it left out, how many remain after it."""

    code: str
    sentence: str
    excluded: int
    remaining: int


@dataclass
class SegmentResult:
    contacts: QuerySet[Contact]
    steps: list[Step]
    notes: list[str] = field(default_factory=list)
    workshop: BureauAction | None = None

    @property
    def count(self) -> int:
        return self.steps[-1].remaining if self.steps else 0

    @property
    def explanation(self) -> list[str]:
        return [step.sentence for step in self.steps] + self.notes

    @property
    def excluded(self) -> dict[str, int]:
        return {step.code: step.excluded for step in self.steps}


# A filter step before it runs: (code, sentence, queryset -> queryset).
Filter = tuple[str, str, Callable[[QuerySet[Contact]], QuerySet[Contact]]]


# ---------------------------------------------------------------- value parsing


def _as_list(value: object, label: str) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str | int):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise ValidationError(_("%(rule)s: give a value or a list of values.") % {"rule": label})


def _texts(
    value: object,
    label: str,
    pattern: re.Pattern | None = None,
    *,
    upper: bool = False,
    lower: bool = False,
) -> list[str]:
    """The distinct non-empty texts of `value`, case-normalised and matching `pattern`."""
    items = []
    for item in _as_list(value, label):
        text = str(item).strip()
        text = text.upper() if upper else text.lower() if lower else text
        if not text:
            continue
        if pattern is not None and not pattern.match(text):
            raise ValidationError(
                _("%(rule)s: “%(value)s” is not a valid value.") % {"rule": label, "value": text}
            )
        if text not in items:
            items.append(text)
    return items


def _choices(value: object, label: str, choices: type) -> list[str]:
    items = _texts(value, label)
    unknown = [item for item in items if item not in choices.values]
    if unknown:
        raise ValidationError(
            _("%(rule)s: unknown value “%(value)s”.") % {"rule": label, "value": unknown[0]}
        )
    return items


def _topic_codes(value: object, label: str) -> list[str]:
    codes = _texts(value, label)
    known = set(Topic.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [code for code in codes if code not in known]
    if unknown:
        raise ValidationError(_("Unknown topic: “%(code)s”.") % {"code": unknown[0]})
    return codes


def _action_ids(value: object, label: str) -> list[int]:
    try:
        ids = sorted({int(item) for item in _as_list(value, label)})
    except (TypeError, ValueError):
        raise ValidationError(
            _("%(rule)s: give bureau actions by number.") % {"rule": label}
        ) from None
    known = set(BureauAction.objects.filter(pk__in=ids).values_list("pk", flat=True))
    unknown = [pk for pk in ids if pk not in known]
    if unknown:
        raise ValidationError(_("No bureau action has the number %(pk)s.") % {"pk": unknown[0]})
    return ids


def _date(value: object, label: str) -> str | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise ValidationError(_("%(rule)s: give a date as YYYY-MM-DD.") % {"rule": label}) from None


def _whole(value: object, label: str, *, default: int | None, low: int, high: int) -> int | None:
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        raise ValidationError(_("%(rule)s must be a whole number.") % {"rule": label})
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(rule)s must be a whole number.") % {"rule": label}) from None
    if str(number) != str(value).strip() and not isinstance(value, int):
        raise ValidationError(_("%(rule)s must be a whole number.") % {"rule": label})
    if not low <= number <= high:
        raise ValidationError(
            _("%(rule)s must be between %(low)s and %(high)s.")
            % {"rule": label, "low": low, "high": high}
        )
    return number


def _flag(value: object, label: str, *, default: bool) -> bool:
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationError(_("%(rule)s must be true or false.") % {"rule": label})
    return value


# ---------------------------------------------------------------- shared filters


def latest_granted(purpose: str) -> Subquery:
    """Whether the latest row of `purpose` is granted (None when there is no row)."""
    rows = Consent.objects.filter(contact=OuterRef("pk"), purpose=purpose)
    return Subquery(rows.order_by("-recorded_at", "-pk").values("granted")[:1])


def with_basis(contacts: QuerySet[Contact], purpose: str) -> QuerySet[Contact]:
    """Contacts whose latest recorded row for `purpose` is granted."""
    return contacts.alias(basis_in_force=latest_granted(purpose)).filter(basis_in_force=True)


def with_topics(contacts: QuerySet[Contact], codes: Iterable[str]) -> QuerySet[Contact]:
    links = Contact.topics.through.objects.filter(
        contact_id=OuterRef("pk"), topic__code__in=list(codes)
    )
    return contacts.filter(Exists(links))


def _names(model: type, field_name: str, values: Iterable[object]) -> str:
    rows = model.objects.filter(**{f"{field_name}__in": list(values)})
    return ", ".join(str(row) for row in rows)


def _labels(choices: type, values: Iterable[str]) -> str:
    return ", ".join(str(choices(value).label) for value in values)


def _department_codes(place: str, department: str) -> tuple[str, ...]:
    if place == "department":
        return (department,)
    for codes in REGION_DEPARTMENTS.values():
        if department in codes:
            return codes
    return (department,)


# ---------------------------------------------------------------- custom rules


@dataclass(frozen=True)
class Rule:
    """A filter of the custom segment: how to read its value, apply it and say it."""

    label: Callable[[], str]
    parse: Callable[[object, str], object]
    apply: Callable[[QuerySet[Contact], Any], QuerySet[Contact]]
    sentence: Callable[[Any], str]


def _met_at(contacts: QuerySet[Contact], ids: list[int]) -> QuerySet[Contact]:
    met = Interaction.objects.filter(
        contact_id=OuterRef("pk"), action_id__in=ids, kind__in=MET_KINDS
    )
    return contacts.filter(Exists(met))


def _naf(contacts: QuerySet[Contact], prefixes: list[str]) -> QuerySet[Contact]:
    condition = Q()
    for prefix in prefixes:
        condition |= Q(company__naf_code__startswith=prefix)
    return contacts.filter(condition)


def _since(value: str) -> datetime.datetime:
    day = datetime.date.fromisoformat(value)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _regions(contacts: QuerySet[Contact], regions: list[str]) -> QuerySet[Contact]:
    condition = Q()
    for region in regions:
        condition |= Q(region__iexact=region)
    return contacts.filter(condition)


RULES: dict[str, Rule] = {
    "kinds": Rule(
        lambda: _("Kind of contact"),
        lambda value, label: _choices(value, label, ContactKind),
        lambda qs, value: qs.filter(kind__in=value),
        lambda value: (
            _("Kind of contact is one of: %(values)s.") % {"values": _labels(ContactKind, value)}
        ),
    ),
    "departments": Rule(
        lambda: _("Department of origin"),
        lambda value, label: _texts(value, label, DEPARTMENT_CODE, upper=True),
        lambda qs, value: qs.filter(department_code__in=value),
        lambda value: (
            _("Comes from one of these departments: %(values)s.") % {"values": ", ".join(value)}
        ),
    ),
    "regions": Rule(
        lambda: _("Region of origin"),
        lambda value, label: _texts(value, label),
        _regions,
        lambda value: (
            _("Comes from one of these regions: %(values)s.") % {"values": ", ".join(value)}
        ),
    ),
    "countries": Rule(
        lambda: _("Country"),
        lambda value, label: _texts(value, label, COUNTRY_CODE, upper=True),
        lambda qs, value: qs.filter(country__in=value),
        lambda value: (
            _("Comes from one of these countries: %(values)s.") % {"values": ", ".join(value)}
        ),
    ),
    "company_kinds": Rule(
        lambda: _("Kind of organisation"),
        lambda value, label: _choices(value, label, CompanyKind),
        lambda qs, value: qs.filter(company__kind__in=value),
        lambda value: (
            _("Works for an organisation of kind: %(values)s.")
            % {"values": _labels(CompanyKind, value)}
        ),
    ),
    "naf_prefixes": Rule(
        lambda: _("Sector (start of the NAF code)"),
        lambda value, label: _texts(value, label, NAF_PREFIX, upper=True),
        _naf,
        lambda value: (
            _("The organisation's sector (NAF code) starts with: %(values)s.")
            % {"values": ", ".join(value)}
        ),
    ),
    "topics": Rule(
        lambda: _("Topics of interest"),
        _topic_codes,
        with_topics,
        lambda value: (
            _("Interested in at least one of: %(values)s.")
            % {"values": _names(Topic, "code", value)}
        ),
    ),
    "source_actions": Rule(
        lambda: _("First touch"),
        _action_ids,
        lambda qs, value: qs.filter(source_action_id__in=value),
        lambda value: (
            _("Came to know the bureau through: %(values)s.")
            % {"values": _names(BureauAction, "pk", value)}
        ),
    ),
    "met_at": Rule(
        lambda: _("Met at"),
        _action_ids,
        _met_at,
        lambda value: (
            _("Was met at, or attended, one of: %(values)s.")
            % {"values": _names(BureauAction, "pk", value)}
        ),
    ),
    "languages": Rule(
        lambda: _("Language"),
        lambda value, label: _texts(value, label, LANGUAGE_CODE, lower=True),
        lambda qs, value: qs.filter(language__in=value),
        lambda value: _("Speaks one of: %(values)s.") % {"values": ", ".join(value)},
    ),
    "last_interaction_since": Rule(
        lambda: _("Last interaction since"),
        _date,
        lambda qs, value: qs.filter(last_interaction_at__gte=_since(value)),
        lambda value: (
            _("Had an interaction with the bureau on or after %(date)s.")
            % {"date": date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")}
        ),
    ),
    "consent_purpose": Rule(
        lambda: _("Legal basis for"),
        lambda value, label: (_choices(value, label, Purpose) or [None])[0],
        with_basis,
        lambda value: (
            _(
                "Has a legal basis in force for “%(purpose)s” (the latest recorded consent or "
                "legitimate interest is granted, not withdrawn)."
            )
            % {"purpose": Purpose(value).label}
        ),
    ),
}


def custom_rules(rules: dict) -> dict:
    """`rules` of a custom segment, checked and normalised; ValidationError saying what is wrong."""
    if not isinstance(rules, dict):
        raise ValidationError(_("The rules of a segment are a set of named filters."))
    unknown = sorted(set(rules) - set(RULES))
    if unknown:
        raise ValidationError(_("Unknown rule: “%(rule)s”.") % {"rule": unknown[0]})
    clean: dict[str, object] = {}
    for code, rule in RULES.items():
        value = rule.parse(rules.get(code), str(rule.label()))
        if value not in (None, [], ""):
            clean[code] = value
    return clean


def _custom_filters(rules: dict) -> list[Filter]:
    filters: list[Filter] = []
    for code, value in rules.items():
        rule = RULES[code]
        filters.append((code, rule.sentence(value), lambda qs, r=rule, v=value: r.apply(qs, v)))
    return filters


# ---------------------------------------------------------------- topic mailing


def topic_mailing_rules(*, topics: Iterable[str], legitimate_interest_clients: bool = True) -> dict:
    """The rules of an e-mailing on `topics` (codes), checked; ValidationError saying why not."""
    codes = _topic_codes(list(topics), _("Topics"))
    if not codes:
        raise ValidationError(_("An e-mailing by topic needs at least one topic."))
    flag = _flag(legitimate_interest_clients, _("Clients on legitimate interest"), default=True)
    return {"topics": codes, "legitimate_interest_clients": flag}


def _mailing_filters(rules: dict) -> list[Filter]:
    clients = rules["legitimate_interest_clients"]
    is_client = Exists(Interaction.objects.filter(contact_id=OuterRef("pk"), kind__in=CLIENT_KINDS))

    def withdrawn(qs: QuerySet[Contact]) -> QuerySet[Contact]:
        # Not exclude(... False): a NULL (nothing recorded) must stay in, on every database.
        qs = qs.alias(mailing_withdrawn=latest_granted(Purpose.MAILING))
        return qs.filter(Q(mailing_withdrawn=True) | Q(mailing_withdrawn__isnull=True))

    def basis(qs: QuerySet[Contact]) -> QuerySet[Contact]:
        qs = qs.alias(mailing_basis=latest_granted(Purpose.MAILING), is_client=is_client)
        condition = Q(mailing_basis=True)
        if clients:
            condition |= Q(mailing_basis__isnull=True, company__isnull=False, is_client=True)
        return qs.filter(condition)

    if clients:
        basis_sentence = _(
            "Has a legal basis for e-mailings: a consent or legitimate interest recorded and in "
            "force, or, with nothing recorded, is a B2B client (an organisation and at least one "
            "quote request or event held) mailed on legitimate interest: the topic relates to "
            "their work and every mailing carries an unsubscribe link (CNIL)."
        )
    else:
        basis_sentence = _(
            "Has a legal basis for e-mailings recorded and in force (consent or legitimate "
            "interest with its proof)."
        )
    return [
        *_custom_filters({"topics": rules["topics"]}),
        (
            "withdrawn",
            _("Anyone who withdrew from e-mailings is left out, whatever else is recorded."),
            withdrawn,
        ),
        ("basis", basis_sentence, basis),
    ]


# ---------------------------------------------------------------- workshop invitations


def _workshop(value: object) -> BureauAction | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValidationError(_("Give the workshop by its number."))
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("Give the workshop by its number.")) from None
    workshop = BureauAction.objects.filter(pk=pk).first()
    if workshop is None:
        raise ValidationError(_("No bureau action has the number %(pk)s.") % {"pk": pk})
    if workshop.kind != ActionKind.WORKSHOP:
        raise ValidationError(_("“%(name)s” is not a workshop.") % {"name": workshop.name})
    return workshop


def _workshop_department(workshop: BureauAction | None) -> str:
    if workshop is None:
        return ""
    if workshop.department_code:
        return workshop.department_code
    return workshop.commune.department_id if workshop.commune_id else ""


def workshop_invitation_rules(
    *,
    workshop: BureauAction | int | None = None,
    topics: Iterable[str] = (),
    department: str = "",
    place: str = "region",
    k: object = DEFAULT_K,
    m: object = DEFAULT_M,
    limit: object = None,
) -> dict:
    """The rules of a workshop invitation list, checked; ValidationError saying why not.

    Theme and place come from `workshop` unless given by hand. Contacts invited to at least `k` of
    the last `m` workshops are left out; `limit` caps the list."""
    if isinstance(workshop, BureauAction):
        workshop = workshop.pk
    action = _workshop(workshop)
    codes = _topic_codes(list(topics), _("Themes"))
    if not codes and action is not None:
        codes = list(action.topics.values_list("code", flat=True))
    if not codes:
        raise ValidationError(
            _("A workshop invitation needs a theme: choose one (the workshop has none).")
        )
    if place not in PLACE_MODES:
        raise ValidationError(_("Unknown place rule: “%(place)s”.") % {"place": place})
    department = (department or "").strip().upper() or _workshop_department(action)
    if department and not DEPARTMENT_CODE.match(department):
        raise ValidationError(_("“%(code)s” is not a department code.") % {"code": department})
    if place != "none" and not department:
        raise ValidationError(
            _("Give the place of the workshop (a department), or take contacts from anywhere.")
        )
    k_value = _whole(k, "k", default=DEFAULT_K, low=1, high=MAX_M)
    m_value = _whole(m, "m", default=DEFAULT_M, low=1, high=MAX_M)
    if k_value > m_value:
        raise ValidationError(
            _(
                "k (%(k)s) cannot be more than m (%(m)s): nobody can be invited to more workshops "
                "than were held."
            )
            % {"k": k_value, "m": m_value}
        )
    return {
        "workshop": action.pk if action else None,
        "topics": codes,
        "department": department,
        "place": place,
        "k": k_value,
        "m": m_value,
        "limit": _whole(limit, _("Size of the list"), default=None, low=1, high=MAX_LIMIT),
    }


def earlier_workshops(*, workshop: BureauAction | None, m: int) -> list[BureauAction]:
    """The last `m` dated workshops held before `workshop` (before tomorrow without one)."""
    before = workshop.starts_on if workshop and workshop.starts_on else None
    before = before or timezone.localdate() + datetime.timedelta(days=1)
    workshops = BureauAction.objects.filter(kind=ActionKind.WORKSHOP, starts_on__lt=before)
    if workshop is not None:
        workshops = workshops.exclude(pk=workshop.pk)
    return list(workshops.order_by("-starts_on", "-pk")[:m])


def _place_filter(rules: dict) -> Filter | None:
    place, department = rules["place"], rules["department"]
    if place == "none":
        return None
    codes = _department_codes(place, department)
    if place == "department":
        sentence = _(
            "Comes from the workshop's department (%(department)s): the place is matched on "
            "where contacts come from, so that guests can easily attend."
        ) % {"department": department}
    else:
        sentence = _(
            "Comes from the workshop's region (departments %(departments)s): the place is "
            "matched on where contacts come from, so that guests can easily attend."
        ) % {"departments": ", ".join(codes)}
    return ("place", sentence, lambda qs: qs.filter(department_code__in=codes))


def _renewal_filter(rules: dict, workshop: BureauAction | None) -> Filter:
    k, m = rules["k"], rules["m"]
    earlier = earlier_workshops(workshop=workshop, m=m)
    ids = [action.pk for action in earlier]
    invited_enough = (
        Interaction.objects.filter(kind=InteractionKind.INVITED, action_id__in=ids)
        .values("contact_id")
        .annotate(workshops=Count("action_id", distinct=True))
        .filter(workshops__gte=k)
        .values("contact_id")
    )
    if earlier:
        sentence = ngettext(
            "Renewal: invited to at least %(k)s of the last %(m)s workshops (%(names)s) are "
            "left out, so that others get their turn.",
            "Renewal: invited to at least %(k)s of the last %(m)s workshops (%(names)s) are "
            "left out, so that others get their turn.",
            m,
        ) % {"k": k, "m": m, "names": ", ".join(action.name for action in earlier)}
    else:
        sentence = _("Renewal: no earlier workshop, so nobody is left out for having been invited.")
    return ("renewal", sentence, lambda qs: qs.exclude(pk__in=invited_enough))


def _invitation_order(contacts: QuerySet[Contact], workshop: BureauAction | None) -> QuerySet:
    """Never invited to a workshop first, then the least recently invited; `last_invited_at`
    says when."""
    workshops = BureauAction.objects.filter(kind=ActionKind.WORKSHOP)
    if workshop is not None:
        # Recording this workshop's invitations must not reorder its own list.
        workshops = workshops.exclude(pk=workshop.pk)
    # The ids, not a join: the subquery then walks one contact's timeline by date.
    ids = list(workshops.values_list("pk", flat=True))
    by_name = ("last_name", "first_name", "pk")
    if not ids:
        # Nobody was ever invited (and `action_id__in=[]` would empty the whole list).
        none = Value(None, output_field=DateTimeField())
        return contacts.annotate(last_invited_at=none).order_by(*by_name)
    invitations = Interaction.objects.filter(
        contact_id=OuterRef("pk"), kind=InteractionKind.INVITED, action_id__in=ids
    )
    last = Subquery(invitations.order_by("-occurred_at").values("occurred_at")[:1])
    return contacts.annotate(last_invited_at=last).order_by(
        F("last_invited_at").asc(nulls_first=True), *by_name
    )


def _workshop_filters(rules: dict, workshop: BureauAction | None) -> list[Filter]:
    filters = _custom_filters({"topics": rules["topics"]})
    place = _place_filter(rules)
    if place is not None:
        filters.append(place)
    basis = _(
        "Has a legal basis in force for invitations (the latest recorded consent or legitimate "
        "interest is granted, not withdrawn)."
    )
    filters.append(("basis", basis, lambda qs: with_basis(qs, Purpose.INVITATIONS)))
    filters.append(_renewal_filter(rules, workshop))
    return filters


# ---------------------------------------------------------------- evaluation


def rules_clean(*, kind: str, rules: object) -> dict:
    """`rules` for a segment of `kind`, checked and normalised; ValidationError saying why not."""
    if not isinstance(rules, dict):
        raise ValidationError(_("The rules of a segment are a set of named filters."))
    if kind == SegmentKind.CUSTOM:
        return custom_rules(rules)
    known = {
        SegmentKind.WORKSHOP_INVITATION: {
            "workshop",
            "topics",
            "department",
            "place",
            "k",
            "m",
            "limit",
        },
        SegmentKind.TOPIC_MAILING: {"topics", "legitimate_interest_clients"},
    }
    if kind not in known:
        raise ValidationError(_("Unknown kind of segment: “%(kind)s”.") % {"kind": kind})
    unknown = sorted(set(rules) - known[kind])
    if unknown:
        raise ValidationError(_("Unknown rule: “%(rule)s”.") % {"rule": unknown[0]})
    if kind == SegmentKind.TOPIC_MAILING:
        return topic_mailing_rules(
            topics=_as_list(rules.get("topics"), _("Topics")),
            legitimate_interest_clients=rules.get("legitimate_interest_clients"),
        )
    return workshop_invitation_rules(
        workshop=rules.get("workshop"),
        topics=_as_list(rules.get("topics"), _("Themes")),
        department=str(rules.get("department") or ""),
        place=rules.get("place") or "region",
        k=rules.get("k"),
        m=rules.get("m"),
        limit=rules.get("limit"),
    )


def _run(filters: list[Filter]) -> tuple[QuerySet[Contact], list[Step]]:
    contacts = Contact.objects.all()
    remaining = contacts.count()
    anonymised: Filter = (
        "anonymised",
        _("Anonymised contacts are never included."),
        lambda qs: qs.filter(anonymised_at__isnull=True),
    )
    steps = []
    for code, sentence, apply in [anonymised, *filters]:
        contacts = apply(contacts)
        count = contacts.count()
        steps.append(Step(code, sentence, remaining - count, count))
        remaining = count
    return contacts, steps


def rules_evaluate(*, kind: str, rules: object, user: object) -> SegmentResult:
    """The contacts `rules` select, with the explanation; staff only (PermissionDenied)."""
    if not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied
    rules = rules_clean(kind=kind, rules=rules)
    if kind == SegmentKind.WORKSHOP_INVITATION:
        return _evaluate_workshop(rules)
    filters = (
        _mailing_filters(rules) if kind == SegmentKind.TOPIC_MAILING else _custom_filters(rules)
    )
    contacts, steps = _run(filters)
    contacts = contacts.select_related("company").order_by("last_name", "first_name", "pk")
    return SegmentResult(contacts=contacts, steps=steps)


def _evaluate_workshop(rules: dict) -> SegmentResult:
    workshop = _workshop(rules["workshop"])
    contacts, steps = _run(_workshop_filters(rules, workshop))
    contacts = _invitation_order(contacts.select_related("company"), workshop)
    limit = rules["limit"]
    if limit is not None:
        remaining = steps[-1].remaining
        kept = min(limit, remaining)
        sentence = ngettext(
            "The list is capped at %(limit)s contact: those further down were left out.",
            "The list is capped at %(limit)s contacts: those further down were left out.",
            limit,
        ) % {"limit": limit}
        steps.append(Step("limit", sentence, remaining - kept, kept))
        contacts = contacts[:limit]
    notes = [
        _(
            "Order: contacts never invited to a workshop come first, then those invited least "
            "recently."
        )
    ]
    return SegmentResult(contacts=contacts, steps=steps, notes=notes, workshop=workshop)


def segment_evaluate(*, segment: Segment, user: object) -> SegmentResult:
    """The contacts of `segment` now, with what each rule kept and left out; staff only."""
    return rules_evaluate(kind=segment.kind, rules=segment.rules, user=user)


# ---------------------------------------------------------------- writes


def _staff_only(user: object) -> None:
    if not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied


def segment_create(*, name: str, kind: str, rules: object, user: object) -> Segment:
    """A new saved segment; ValidationError when its name or rules are not valid."""
    _staff_only(user)
    segment = Segment(name=name.strip(), kind=kind, created_by=user)
    segment.rules = rules_clean(kind=kind, rules=rules)
    segment.full_clean()
    segment.save()
    return segment


def segment_update(*, segment: Segment, name: str, rules: object, user: object) -> Segment:
    """`segment` with a new name and rules; its kind does not change."""
    _staff_only(user)
    segment.name = name.strip()
    segment.rules = rules_clean(kind=segment.kind, rules=rules)
    segment.full_clean()
    segment.save()
    return segment


def segment_delete(*, segment: Segment, user: object) -> None:
    _staff_only(user)
    segment.delete()


def segment_invite(*, segment: Segment, action: BureauAction, user: object) -> int:
    """Record an invitation to `action` on the timeline of each contact of a workshop segment, so
    that the renewal rule sees it; contacts already invited to `action` are skipped. Returns the
    number of invitations added."""
    _staff_only(user)
    if segment.kind != SegmentKind.WORKSHOP_INVITATION:
        raise ValidationError(_("Only a workshop invitation list records invitations."))
    result = segment_evaluate(segment=segment, user=user)
    already = set(
        Interaction.objects.filter(action=action, kind=InteractionKind.INVITED).values_list(
            "contact_id", flat=True
        )
    )
    added = 0
    with transaction.atomic():
        for contact in result.contacts:
            if contact.pk in already:
                continue
            interaction_add(
                contact=contact,
                kind=InteractionKind.INVITED,
                user=user,
                action=action,
                summary=_("Invited to %(action)s") % {"action": action.name},
                details={"segment": segment.pk},
            )
            added += 1
        audit_record(
            actor=user,
            action=AuditAction.CHANGE,
            object_type="segment",
            object_id=segment.pk,
            details={"invited": added, "bureau_action": action.pk},
        )
    return added
