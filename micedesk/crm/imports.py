"""Import of the existing contact base (Tourinsoft-style CSV or XLSX): mapping, preview, duplicates.

The flow: `import_batch_create` keeps the uploaded file and guesses the mapping of its columns,
`import_mapping_save` records the mapping the staff member chose, `import_preview` says what each
line would become (new, duplicate of a contact by e-mail, possible duplicate by name, refused and
why), and `import_batch_run` imports the whole file in one transaction with the merge rules.
The format is described in docs/crm-import-format.md.

Large files stream: lines are read one at a time, written in chunks with bulk queries, and the
duplicate lookups use dictionaries of keys loaded once, not a query per line.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import difflib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import URLValidator, validate_email
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from micedesk.core.text import fold
from micedesk.crm.keys import company_key, email_key, person_key
from micedesk.crm.models import (
    AuditAction,
    BureauAction,
    Company,
    CompanyKind,
    CompanySize,
    Consent,
    ConsentMethod,
    Contact,
    ContactKind,
    ImportBatch,
    ImportStatus,
    Interaction,
    InteractionKind,
    LegalBasis,
    Purpose,
    Topic,
)
from micedesk.crm.services import audit_record
from micedesk.geo.models import Department

CHUNK_SIZE = 1000
PREVIEW_ROWS = 50
DECISION_ROWS = 200
MAPPING_PREVIEW_ROWS = 10
FUZZY_THRESHOLD = 0.88
FUZZY_BLOCK_CAP = 50
EXTENSIONS = (".csv", ".txt", ".xlsx")
ENCODINGS = ("utf-8-sig", "cp1252")

# What a line may become, and what the staff member may choose for a duplicate.
NEW, DUPLICATE, POSSIBLE, REFUSED = "new", "duplicate", "possible", "refused"
UPDATE, OVERWRITE, SKIP, CREATE, MERGE = "update", "overwrite", "skip", "create", "merge"
ON_DUPLICATE = (UPDATE, OVERWRITE, SKIP)
ON_POSSIBLE = (CREATE, MERGE, SKIP)
DEFAULT_RULES = {"on_duplicate": UPDATE, "on_possible": CREATE}

ISO_COUNTRIES = frozenset(
    """AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
    BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC
    EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK
    HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB
    LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
    NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU
    RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN
    TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW""".split()
)
# Country names as exports write them, folded; any ISO 3166 code is accepted as well.
COUNTRY_NAMES = {
    "france": "FR", "belgique": "BE", "belgium": "BE", "suisse": "CH", "switzerland": "CH",
    "luxembourg": "LU", "allemagne": "DE", "germany": "DE", "royaume-uni": "GB",
    "royaume uni": "GB", "united kingdom": "GB", "angleterre": "GB", "england": "GB",
    "grande-bretagne": "GB", "irlande": "IE", "ireland": "IE", "espagne": "ES", "spain": "ES",
    "italie": "IT", "italy": "IT", "pays-bas": "NL", "pays bas": "NL", "netherlands": "NL",
    "portugal": "PT", "autriche": "AT", "austria": "AT", "danemark": "DK", "denmark": "DK",
    "suede": "SE", "sweden": "SE", "norvege": "NO", "norway": "NO", "finlande": "FI",
    "finland": "FI", "pologne": "PL", "poland": "PL", "etats-unis": "US", "etats unis": "US",
    "usa": "US", "united states": "US", "canada": "CA", "japon": "JP", "japan": "JP",
    "chine": "CN", "china": "CN", "monaco": "MC", "maroc": "MA", "morocco": "MA",
    "tunisie": "TN", "algerie": "DZ", "grece": "GR", "greece": "GR", "tchequie": "CZ",
    "republique tcheque": "CZ", "hongrie": "HU", "roumanie": "RO", "bresil": "BR",
    "australie": "AU", "inde": "IN", "israel": "IL", "uk": "GB",
}  # fmt: skip
LANGUAGES = {
    "fr": "fr", "francais": "fr", "french": "fr", "en": "en", "anglais": "en", "english": "en",
    "de": "de", "allemand": "de", "german": "de", "es": "es", "espagnol": "es", "spanish": "es",
    "it": "it", "italien": "it", "italian": "it", "nl": "nl", "neerlandais": "nl", "dutch": "nl",
    "pt": "pt", "portugais": "pt", "portuguese": "pt",
}  # fmt: skip
CONTACT_KINDS = {
    "organisateur": ContactKind.PLANNER, "organisatrice": ContactKind.PLANNER,
    "client": ContactKind.PLANNER, "prospect": ContactKind.PLANNER,
    "prescripteur": ContactKind.PRESCRIBER, "prescriptrice": ContactKind.PRESCRIBER,
    "ambassadeur": ContactKind.AMBASSADOR, "ambassadrice": ContactKind.AMBASSADOR,
    "super ambassadeur": ContactKind.AMBASSADOR, "journaliste": ContactKind.JOURNALIST,
    "presse": ContactKind.JOURNALIST, "autre": ContactKind.OTHER,
}  # fmt: skip
COMPANY_KINDS = {
    "entreprise": CompanyKind.COMPANY, "societe": CompanyKind.COMPANY,
    "agence": CompanyKind.AGENCY, "agence evenementielle": CompanyKind.AGENCY,
    "agence d'evenementiel": CompanyKind.AGENCY, "association": CompanyKind.ASSOCIATION,
    "federation": CompanyKind.ASSOCIATION, "collectivite": CompanyKind.PUBLIC_BODY,
    "administration": CompanyKind.PUBLIC_BODY, "institution": CompanyKind.PUBLIC_BODY,
    "organisme public": CompanyKind.PUBLIC_BODY, "media": CompanyKind.MEDIA,
    "presse": CompanyKind.MEDIA, "autre": CompanyKind.OTHER,
}  # fmt: skip
TRUE_WORDS = frozenset({"1", "oui", "o", "yes", "y", "true", "vrai", "x", "optin", "opt-in"})
FALSE_WORDS = frozenset({"0", "non", "n", "no", "false", "faux", "optout", "opt-out"})
NAF = re.compile(r"^(\d{2})\.?(\d{2})([a-z])$")
DEPARTMENT = re.compile(r"^(\d{2}|2[ab]|97\d)\b")
LIST_SEPARATORS = re.compile(r"\s*[,;|/]\s*")
DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y")
# A text starting with one of these runs as a formula in a spreadsheet: exports put an apostrophe
# before it, so the import takes it away.
FORMULA_STARTS = ("=", "+", "-", "@")


# The fields a column may fill ------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """A field a column of the file can fill, and the header names that map to it by themselves."""

    code: str
    label: Any
    headers: tuple[str, ...] = ()


TARGETS: tuple[Target, ...] = (
    Target(
        "last_name",
        gettext_lazy("Last name"),
        ("nom", "nom de famille", "last name", "surname", "nom du contact"),
    ),
    Target("first_name", gettext_lazy("First name"), ("prenom", "first name", "firstname")),
    Target(
        "email",
        gettext_lazy("E-mail"),
        ("mel", "email", "courriel", "adresse email", "adresse mail", "mail", "adresse mel"),
    ),
    Target(
        "phone", gettext_lazy("Phone"), ("telephone", "tel", "phone", "telephone fixe", "tel fixe")
    ),
    Target(
        "mobile",
        gettext_lazy("Mobile phone (used when there is no phone)"),
        ("portable", "mobile", "telephone portable", "tel portable"),
    ),
    Target("job_title", gettext_lazy("Job title"), ("fonction", "poste", "job title")),
    Target(
        "kind",
        gettext_lazy("Kind of contact"),
        ("type de contact", "categorie", "categorie de contact", "type"),
    ),
    Target(
        "company",
        gettext_lazy("Organisation"),
        (
            "raison sociale",
            "societe",
            "organisation",
            "structure",
            "entreprise",
            "company",
            "nom de la structure",
            "organisme",
        ),
    ),
    Target(
        "company_kind",
        gettext_lazy("Kind of organisation"),
        ("type de structure", "type structure", "type d'organisme", "type d'organisation"),
    ),
    Target(
        "naf_code",
        gettext_lazy("Sector (NAF code)"),
        ("code naf", "naf", "code ape", "ape", "secteur d'activite", "code naf/ape"),
    ),
    Target(
        "company_size",
        gettext_lazy("Size (staff)"),
        ("effectif", "taille", "tranche d'effectif", "effectifs"),
    ),
    Target("website", gettext_lazy("Website"), ("site web", "site internet", "website", "url")),
    Target("postal_code", gettext_lazy("Postal code"), ("code postal", "cp", "postal code")),
    Target("city", gettext_lazy("City"), ("commune", "ville", "city")),
    Target("department", gettext_lazy("Department"), ("departement", "dept")),
    Target("region", gettext_lazy("Region"), ("region",)),
    Target("country", gettext_lazy("Country"), ("pays", "country", "code pays")),
    Target("language", gettext_lazy("Language"), ("langue", "language", "langue parlee")),
    Target(
        "topics",
        gettext_lazy("Topics of interest"),
        ("centres d'interet", "centre d'interet", "thematiques", "interets", "topics"),
    ),
    Target(
        "origin",
        gettext_lazy("Origin (bureau action or how they came)"),
        ("origine du contact", "origine", "source", "provenance"),
    ),
    Target(
        "created_at",
        gettext_lazy("Creation date"),
        ("date de creation", "date creation", "cree le"),
    ),
    Target(
        "last_contact_at",
        gettext_lazy("Date of last contact"),
        (
            "date de dernier contact",
            "dernier contact",
            "date de modification",
            "date de mise a jour",
        ),
    ),
    Target(
        "notes",
        gettext_lazy("Notes"),
        ("commentaire", "commentaires", "observations", "remarques", "notes"),
    ),
    Target(
        "consent_mailing",
        gettext_lazy("Consent to e-mailings (yes/no)"),
        (
            "accord e-mailing",
            "accord emailing",
            "optin",
            "opt-in",
            "consentement",
            "consentement e-mailing",
            "accepte les e-mailings",
            "newsletter",
        ),
    ),
    Target(
        "consent_invitations",
        gettext_lazy("Consent to invitations (yes/no)"),
        ("accord invitations", "consentement invitations", "accepte les invitations"),
    ),
    Target(
        "consent_date",
        gettext_lazy("Date of the consent"),
        ("date du consentement", "date consentement", "date optin", "date opt-in"),
    ),
)
TARGET_CODES = frozenset(target.code for target in TARGETS)
REQUIRED_TARGETS = ("last_name",)
# Contact fields a line fills directly, and which the merge rules may update.
CONTACT_TEXT_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "job_title",
    "kind",
    "language",
    "postal_code",
    "city",
    "department_code",
    "region",
    "country",
    "source_detail",
    "notes",
)
COMPANY_FIELDS = ("kind", "naf_code", "size", "website")


def header_key(name: str) -> str:
    """A header as compared: 'Centres d’intérêt ' -> "centres d'interet"."""
    text = fold(name).replace("’", "'").replace("_", " ")
    return re.sub(r"\s+", " ", text).strip()


HEADER_TARGETS = {header_key(alias): t.code for t in TARGETS for alias in t.headers}


def mapping_guess(header: list[str]) -> dict[str, str]:
    """The target of each column whose header is a known Tourinsoft-style name, once per target."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for index, name in enumerate(header):
        target = HEADER_TARGETS.get(header_key(name))
        if target and target not in taken:
            mapping[str(index)] = target
            taken.add(target)
    return mapping


def mapping_check(*, mapping: dict[str, str], columns: list[str]) -> dict[str, str]:
    """The mapping without ignored columns; refuses unknown targets, twice-used targets and a
    mapping without a last name, with messages keyed by column index."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    used: dict[str, str] = {}
    for index, target in mapping.items():
        if not target:
            continue
        if not index.isdigit() or int(index) >= len(columns):
            errors.setdefault("__all__", []).append(_("The file has no column %s.") % index)
        elif target not in TARGET_CODES:
            errors.setdefault(index, []).append(_("Unknown field “%s”.") % target)
        elif target in used:
            errors.setdefault(index, []).append(
                _("Column “%(other)s” already fills this field.")
                % {"other": columns[int(used[target])]}
            )
        else:
            used[target] = index
            cleaned[index] = target
    if not errors and not all(target in used for target in REQUIRED_TARGETS):
        errors.setdefault("__all__", []).append(
            _("Choose the column that holds the last name: a contact needs one.")
        )
    if errors:
        raise ValidationError(errors)
    return cleaned


# Reading the file ------------------------------------------------------------------------------


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, type, encoding, no header): nothing is imported."""


@dataclass
class Source:
    """An opened file: its format, header, numbered lines (the header is line 1) and, for a CSV,
    encoding and delimiter."""

    format: str
    header: list[str]
    rows: Iterator[tuple[int, list[object]]]
    total: int
    encoding: str = ""
    delimiter: str = ""


def cell_text(value: object) -> str:
    """The text of a cell: 12.0 reads '12', a date reads 'YYYY-MM-DD', None reads ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def source_open(binary: IO[bytes]) -> Source:
    """The file's lines, whatever it is: XLSX by its signature, otherwise a CSV."""
    head = binary.read(8)
    binary.seek(0)
    if not head:
        raise ImportFileError(_("The file is empty."))
    if head.startswith(b"PK\x03\x04"):
        return xlsx_open(binary)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("Old Excel .xls files cannot be read: save the file as .xlsx or as CSV.")
        )
    return csv_open(binary)


def xlsx_open(binary: IO[bytes]) -> Source:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        rows = enumerate(sheet.iter_rows(values_only=True), start=1)
        first = next(rows, None)
    except Exception as error:  # openpyxl raises many types for a damaged file
        raise ImportFileError(
            _(
                "This XLSX file cannot be read (%(error)s): open it in a spreadsheet and save it again."
            )
            % {"error": error}
        ) from error
    if first is None:
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    header = [cell_text(value) for value in first[1]]
    while header and not header[-1]:
        header.pop()
    return Source(format="xlsx", header=header, rows=rows, total=max((sheet.max_row or 1) - 1, 0))


def csv_encoding(binary: IO[bytes]) -> tuple[str, int]:
    """UTF-8 (with or without byte-order mark) when the whole file decodes as such, else
    Windows-1252, the encoding of Tourinsoft's and Excel's French exports; and the number of lines."""
    for encoding in ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        binary.seek(0)
        lines = 0
        try:
            while chunk := binary.read(1024 * 1024):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        binary.seek(0)
        return encoding, lines
    raise ImportFileError(
        _("The text of this file is neither UTF-8 nor Windows-1252: save it as CSV UTF-8.")
    )


def csv_delimiter(sample: str) -> str:
    """`;`, `,` or a tab, by csv.Sniffer on the first lines, or by counting in the header."""
    lines = sample.splitlines()[:20]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=";,\t").delimiter
    except csv.Error:
        header = lines[0] if lines else ""
        return max(";,\t", key=header.count)


def csv_rows(reader: Iterable[list[str]]) -> Iterator[list[object]]:
    try:
        yield from reader
    except csv.Error as error:
        raise ImportFileError(_("The CSV file is damaged: %(error)s") % {"error": error}) from error


def csv_open(binary: IO[bytes]) -> Source:
    encoding, lines = csv_encoding(binary)
    sample = binary.read(64 * 1024).decode(encoding, errors="replace")
    binary.seek(0)
    if "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    delimiter = csv_delimiter(sample)
    text = io.TextIOWrapper(binary, encoding=encoding, newline="")
    rows = enumerate(csv_rows(csv.reader(text, delimiter=delimiter)), start=1)
    first = next(rows, None)
    if first is None or not any(str(value).strip() for value in first[1]):
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    header = [str(value).strip() for value in first[1]]
    return Source(
        format="csv",
        header=header,
        rows=rows,
        total=max(lines - 1, 0),
        encoding=encoding,
        delimiter=delimiter,
    )


def batch_source(batch: ImportBatch) -> tuple[IO[bytes], Source]:
    """The kept file of a batch, opened; the caller closes the first item."""
    binary = batch.file.open("rb")
    try:
        return binary, source_open(binary)
    except BaseException:
        binary.close()
        raise


# Reading cells ---------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that does not hold what its field expects; the message says what to write."""


def text_of(raw: str, *, limit: int) -> str:
    text = raw[1:] if raw[:1] == "'" and raw[1:2] in FORMULA_STARTS else raw
    if len(text) > limit:
        raise CellError(_("Too long: at most %(limit)d characters.") % {"limit": limit})
    return text


def parse_email(raw: str) -> str:
    address = raw.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise CellError(_("“%(value)s” is not a valid e-mail address.") % {"value": raw}) from None
    if len(address) > 254:
        raise CellError(_("Too long: at most %(limit)d characters.") % {"limit": 254})
    return address


def parse_word(raw: str, words: dict[str, str], allowed: Iterable[str]) -> str:
    word = fold(raw).strip()
    codes = set(allowed)
    if word in codes:
        return word
    if word in words:
        return str(words[word])
    raise CellError(
        _("Unknown value “%(value)s”. Write one of: %(allowed)s.")
        % {"value": raw, "allowed": ", ".join(sorted(set(words) | codes))}
    )


def parse_country(raw: str) -> str:
    code = raw.strip().upper()
    if code in ISO_COUNTRIES:
        return code
    named = COUNTRY_NAMES.get(fold(raw).strip())
    if named:
        return named
    raise CellError(
        _("Unknown country code “%(value)s”: write a two-letter ISO code (FR, BE, GB…).")
        % {"value": raw}
    )


def parse_naf(raw: str) -> str:
    match = NAF.match(fold(raw).replace(" ", ""))
    if not match:
        raise CellError(
            _("“%(value)s” is not a NAF code: it reads like 70.22Z (two digits, a dot, two "
              "digits, a letter).") % {"value": raw}
        )  # fmt: skip
    return f"{match[1]}.{match[2]}{match[3].upper()}"


def parse_size(raw: str) -> str:
    bands = {choice: choice for choice in CompanySize.values}
    if raw.strip() in bands:
        return raw.strip()
    number = re.match(r"^\D*(\d[\d\s]*)", raw)
    if not number:
        raise CellError(
            _("Unknown size “%(value)s”: write a number of employees or one of %(allowed)s.")
            % {"value": raw, "allowed": ", ".join(CompanySize.values)}
        )
    staff = int(re.sub(r"\s", "", number[1]))
    for limit, band in ((9, "1-9"), (49, "10-49"), (249, "50-249"), (4999, "250-4999")):
        if staff <= limit:
            return band
    return "5000+"


def parse_bool(raw: str) -> bool:
    word = fold(raw).strip()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write yes or no (or leave the cell empty)."))


def parse_date(raw: str) -> datetime.datetime:
    text = raw.strip().split(" ")[0].split("T")[0]
    for pattern in DATE_FORMATS:
        try:
            day = datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    raise CellError(_("“%(value)s” is not a date: write it as 31/12/2024.") % {"value": raw})


def parse_website(raw: str) -> str:
    address = raw.strip()
    if not re.match(r"^https?://", address, re.IGNORECASE):
        address = f"https://{address}"
    try:
        URLValidator()(address)
    except ValidationError:
        raise CellError(_("“%(value)s” is not a web address.") % {"value": raw}) from None
    return address[:200]


def department_of(postal_code: str) -> str:
    """The department of a French postal code: 14000 -> 14, 97400 -> 974, 20000 -> 2A."""
    if not re.match(r"^\d{5}$", postal_code):
        return ""
    if postal_code.startswith("97"):
        return postal_code[:3]
    if postal_code.startswith("20"):
        return "2A" if postal_code < "20200" else "2B"
    return postal_code[:2]


# What a line becomes ---------------------------------------------------------------------------


@dataclass
class RowError:
    line: int
    column: str
    reason: str


@dataclass
class Row:
    """One line of the file read through the mapping: its values per field, or its errors, and
    what it would become against the base."""

    line: int
    cells: list[str]
    values: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    status: str = NEW
    match_id: int | None = None
    match_label: str = ""
    reasons: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return f"{self.values.get('first_name', '')} {self.values.get('last_name', '')}".strip()

    @property
    def choices(self) -> tuple[str, ...]:
        return {DUPLICATE: ON_DUPLICATE, POSSIBLE: ON_POSSIBLE}.get(self.status, ())


@dataclass
class Known:
    """An existing contact as duplicate detection needs it."""

    pk: int
    label: str
    email: str
    company: str
    initial: str = ""


def blocks_of(first_name: str, last_name: str) -> tuple[str, str]:
    """The two blocks a name is compared within: its whole last name; its first name with the
    first two letters of its last name."""
    last, first = person_key("", last_name), person_key(first_name, "")
    return f"l:{last}", f"f:{first}:{last[:2]}"


class Base:
    """The keys of the contacts, companies, actions and topics already in the database, loaded once
    per preview or import, so that checking a line costs no query."""

    def __init__(self) -> None:
        self.by_email: dict[str, int] = {}
        self.by_name: dict[str, list[Known]] = {}
        # Fuzzy matching compares a line with the names that share its last name (a first name
        # spelt differently) or its first name and last name's first letters (a typo in the last
        # name), not with the whole base.
        self.blocks: dict[str, list[str]] = {}
        rows = Contact.objects.filter(anonymised_at__isnull=True).values_list(
            "pk", "first_name", "last_name", "email", "name_key", "company__name_key"
        )
        for pk, first, last, email, name_key, company in rows.iterator(chunk_size=5000):
            known = Known(
                pk, f"{first} {last}".strip(), email_key(email), company or "", fold(first)[:1]
            )
            if known.email:
                self.by_email[known.email] = pk
            key = name_key or person_key(first, last)
            if key not in self.by_name:
                for block in blocks_of(first, last):
                    self.blocks.setdefault(block, []).append(key)
            self.by_name.setdefault(key, []).append(known)
        self.companies: dict[str, int] = {}
        for pk, key in Company.objects.values_list("pk", "name_key").iterator(chunk_size=5000):
            self.companies.setdefault(key, pk)
        self.actions = {fold(action.name).strip(): action for action in BureauAction.objects.all()}
        self.topics: dict[str, Topic] = {}
        for topic in Topic.objects.all():
            for name in (topic.code, topic.name_fr, topic.name_en):
                if name:
                    self.topics[fold(name).strip()] = topic
        self.regions = dict(Department.objects.values_list("code", "region__name"))

    def similar(self, first_name: str, last_name: str) -> list[tuple[str, float]]:
        """Name keys of the base close to this name, best first; the same name first of all."""
        key = person_key(first_name, last_name)
        if not key:
            return []
        if key in self.by_name:
            return [(key, 1.0)]
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        found = []
        candidates = {
            other
            for block in blocks_of(first_name, last_name)
            for other in self.blocks.get(block, ())[:FUZZY_BLOCK_CAP]
        }
        for other in candidates:
            matcher.set_seq1(other)
            if (
                matcher.real_quick_ratio() >= FUZZY_THRESHOLD
                and matcher.quick_ratio() >= FUZZY_THRESHOLD
                and (ratio := matcher.ratio()) >= FUZZY_THRESHOLD
            ):
                found.append((other, ratio))
        return sorted(found, key=lambda item: -item[1])


class Reader:
    """Reads the lines of a file through a mapping and says what each would become."""

    def __init__(self, *, columns: list[str], mapping: dict[str, str], base: Base) -> None:
        self.columns = columns
        self.fields = {target: int(index) for index, target in mapping.items() if target}
        self.base = base
        self.seen_emails: dict[str, int] = {}

    def rows(self, lines: Iterable[tuple[int, list[object]]]) -> Iterator[Row]:
        for number, cells in lines:
            texts = [cell_text(value) for value in cells]
            if not any(texts):
                continue
            yield self.row(number, texts)

    def row(self, number: int, cells: list[str]) -> Row:
        row = Row(line=number, cells=cells)
        for target, index in self.fields.items():
            raw = cells[index] if index < len(cells) else ""
            if not raw:
                continue
            try:
                row.values[target] = self.parse(target, raw)
            except CellError as error:
                row.errors.append(RowError(number, self.columns[index], str(error)))
        self.complete(row)
        if not row.errors:
            self.model_check(row)
        if row.errors:
            row.status = REFUSED
        else:
            self.classify(row)
        return row

    def model_check(self, row: Row) -> None:
        """The model's own validation of the contact the line would create (`full_clean` without
        the queries: keys and uniqueness are checked against the loaded base instead)."""
        fields = {
            name: row.values[target] for target, name in CONTACT_SOURCES if target in row.values
        }
        try:
            Contact(**fields).full_clean(
                exclude=["company", "source_action", "created_by", "name_key"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as error:
            for name, messages in error.message_dict.items():
                target = next((t for t, n in CONTACT_SOURCES if n == name), name)
                for message in messages:
                    row.errors.append(RowError(row.line, self.column_of(target), message))

    def column_of(self, target: str) -> str:
        index = self.fields.get(target)
        return self.columns[index] if index is not None else ""

    def parse(self, target: str, raw: str) -> object:
        parser = PARSERS.get(target)
        if parser is not None:
            return parser(raw)
        if target == "topics":
            return self.topics_of(raw)
        if target == "origin":
            return self.base.actions.get(fold(raw).strip()) or text_of(raw, limit=200)
        return text_of(raw, limit=TEXT_LIMITS.get(target, 200))

    def topics_of(self, raw: str) -> list[Topic]:
        topics = []
        for name in LIST_SEPARATORS.split(raw.strip()):
            if not name:
                continue
            topic = self.base.topics.get(fold(name).strip())
            if topic is None:
                raise CellError(
                    _("Unknown topic “%(value)s”: add it to the topics first, or leave this "
                      "column out.") % {"value": name}
                )  # fmt: skip
            topics.append(topic)
        return topics

    def complete(self, row: Row) -> None:
        """Rules across cells: a last name, one phone, a department and region from the postal
        code, an e-mail used once in the file."""
        values = row.values
        if not values.get("last_name") and "last_name" not in {e.column for e in row.errors}:
            row.errors.append(
                RowError(row.line, self.column_of("last_name"), _("The last name is missing."))
            )
        if "mobile" in values:
            values.setdefault("phone", values.pop("mobile"))
        if values.get("postal_code") and values.get("country", "FR") == "FR":
            values.setdefault("department", department_of(values["postal_code"]))
        if values.get("department") and not values.get("region"):
            region = self.base.regions.get(values["department"])
            if region:
                values["region"] = region
        address = email_key(values.get("email", ""))
        if address:
            if address in self.seen_emails:
                row.errors.append(
                    RowError(
                        row.line,
                        self.column_of("email"),
                        _("Duplicate inside the file: the same e-mail is on line %(line)d.")
                        % {"line": self.seen_emails[address]},
                    )
                )
            else:
                self.seen_emails[address] = row.line

    def classify(self, row: Row) -> None:
        """A duplicate by e-mail is sure; one by a close name is possible, with its reasons."""
        base = self.base
        address = email_key(row.values.get("email", ""))
        if address and address in base.by_email:
            row.status, row.match_id = DUPLICATE, base.by_email[address]
            row.reasons = [_("same e-mail")]
            row.match_label = address
            return
        organisation = company_key(row.values.get("company", ""))
        for other, ratio in base.similar(row.values.get("first_name", ""), row.values["last_name"]):
            for known in base.by_name[other]:
                other_address = address and known.email and known.email != address
                if other_address and (not organisation or known.company != organisation):
                    continue  # two addresses, two organisations: two people of that name
                reasons = [
                    _("same name")
                    if ratio == 1
                    else _("similar name (%(percent)d%%)") % {"percent": int(ratio * 100)}
                ]
                if organisation and known.company == organisation:
                    reasons.append(_("same organisation"))
                row.status, row.match_id, row.match_label = POSSIBLE, known.pk, known.label
                row.reasons = reasons
                return
        if organisation:
            self.classify_by_initial(row, organisation)

    def classify_by_initial(self, row: Row, organisation: str) -> None:
        """'J. Dupont' and 'Jean Dupont' of the same organisation: a possible duplicate too."""
        first, last = row.values.get("first_name", ""), row.values["last_name"]
        initial = fold(first)[:1]
        for other in self.base.blocks.get(blocks_of(first, last)[0], ())[:FUZZY_BLOCK_CAP]:
            for known in self.base.by_name[other]:
                if known.company == organisation and (not initial or known.initial == initial):
                    row.status, row.match_id, row.match_label = POSSIBLE, known.pk, known.label
                    row.reasons = [_("same last name and initial"), _("same organisation")]
                    return


def _kind(raw: str) -> str:
    return parse_word(raw, CONTACT_KINDS, ContactKind.values)


def _company_kind(raw: str) -> str:
    return parse_word(raw, COMPANY_KINDS, CompanyKind.values)


def _language(raw: str) -> str:
    return parse_word(raw, LANGUAGES, ())


def _department(raw: str) -> str:
    match = DEPARTMENT.match(fold(raw).strip())
    if not match:
        raise CellError(
            _("“%(value)s” is not a department number (14, 2A, 974…).") % {"value": raw}
        )
    return match[1].upper()


PARSERS: dict[str, Callable[[str], object]] = {
    "email": parse_email,
    "kind": _kind,
    "company_kind": _company_kind,
    "language": _language,
    "country": parse_country,
    "naf_code": parse_naf,
    "company_size": parse_size,
    "website": parse_website,
    "department": _department,
    "created_at": parse_date,
    "last_contact_at": parse_date,
    "consent_date": parse_date,
    "consent_mailing": parse_bool,
    "consent_invitations": parse_bool,
}
TEXT_LIMITS = {
    "first_name": 100,
    "last_name": 100,
    "phone": 30,
    "mobile": 30,
    "job_title": 150,
    "company": 200,
    "postal_code": 10,
    "city": 100,
    "region": 100,
    "notes": 5000,
}


# Rules -----------------------------------------------------------------------------------------


@dataclass
class Rules:
    """What to do with duplicates: one rule per kind for the whole run, and a choice per line."""

    on_duplicate: str = UPDATE
    on_possible: str = CREATE
    choices: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, data: dict | None) -> Rules:
        data = data or {}
        choices = {int(line): choice for line, choice in (data.get("choices") or {}).items()}
        rules = cls(
            on_duplicate=data.get("on_duplicate") or UPDATE,
            on_possible=data.get("on_possible") or CREATE,
            choices=choices,
        )
        rules.check()
        return rules

    def check(self) -> None:
        if self.on_duplicate not in ON_DUPLICATE:
            raise ValidationError({"on_duplicate": _("Choose update, overwrite or skip.")})
        if self.on_possible not in ON_POSSIBLE:
            raise ValidationError({"on_possible": _("Choose create, merge or skip.")})
        bad = [
            line
            for line, choice in self.choices.items()
            if choice not in ON_DUPLICATE + ON_POSSIBLE
        ]
        if bad:
            raise ValidationError(_("Unknown choice on line %(line)d.") % {"line": bad[0]})

    def as_json(self) -> dict:
        return {
            "on_duplicate": self.on_duplicate,
            "on_possible": self.on_possible,
            "choices": {str(line): choice for line, choice in self.choices.items()},
        }

    def decision(self, row: Row) -> str:
        """What happens to a line: create, skip, or one of the ways to write into its match."""
        if row.status == REFUSED:
            return SKIP
        if row.status == NEW:
            return CREATE
        chosen = self.choices.get(row.line)
        if chosen in row.choices:
            return chosen
        return self.on_duplicate if row.status == DUPLICATE else self.on_possible


# Selectors -------------------------------------------------------------------------------------


def import_batches_for(*, user) -> QuerySet[ImportBatch]:
    if not getattr(user, "is_bureau_staff", False):
        raise PermissionDenied
    return ImportBatch.objects.select_related("uploaded_by", "source_action")


def import_batch_for(*, user, pk: int) -> ImportBatch:
    return import_batches_for(user=user).get(pk=pk)


# Creating a batch and its mapping --------------------------------------------------------------


def import_batch_create(
    *,
    upload: File,
    user,
    source_action: BureauAction | None = None,
    max_bytes: int | None = None,
) -> ImportBatch:
    """Keeps the uploaded file and reads its header; refuses a file too big, of the wrong type,
    empty or unreadable, keeping nothing of it."""
    cap = settings.CRM_IMPORT_MAX_BYTES if max_bytes is None else max_bytes
    name = PurePath(upload.name or "").name
    if PurePath(name).suffix.lower() not in EXTENSIONS:
        raise ImportFileError(_("Send a CSV or XLSX file (.csv or .xlsx)."))
    if cap and upload.size > cap:
        raise ImportFileError(
            _("The file is too big: %(size)d MB at most.") % {"size": max(cap // (1024 * 1024), 1)}
        )
    if not upload.size:
        raise ImportFileError(_("The file is empty."))
    upload.seek(0)
    source = source_open(upload)
    if not any(source.header):
        raise ImportFileError(_("The file is empty: the first line must name the columns."))
    upload.seek(0)
    batch = ImportBatch(
        original_name=name[:255],
        uploaded_by=user,
        source_action=source_action,
        columns=source.header,
        mapping=mapping_guess(source.header),
        rules=dict(DEFAULT_RULES),
        row_count=source.total,
        report={
            "format": source.format,
            "encoding": source.encoding,
            "delimiter": source.delimiter,
        },
    )
    batch.file.save(name, upload, save=False)
    batch.full_clean()
    batch.save()
    return batch


def import_mapping_save(*, batch: ImportBatch, mapping: dict[str, str], user) -> ImportBatch:
    """Records the columns → fields mapping the staff member chose (ValidationError if unusable)."""
    if batch.status == ImportStatus.IMPORTED:
        raise ValidationError(_("This file is already imported."))
    batch.mapping = mapping_check(mapping=mapping, columns=batch.columns)
    batch.status = ImportStatus.MAPPED
    batch.full_clean()
    batch.save(update_fields=["mapping", "status"])
    return batch


# Preview ---------------------------------------------------------------------------------------


@dataclass
class Preview:
    """What the import would do: the first lines, the lines needing a decision, counts."""

    rows: list[Row]
    decisions: list[Row]
    counts: Counter
    total: int


def import_preview(
    *,
    batch: ImportBatch,
    mapping: dict[str, str] | None = None,
    limit: int = PREVIEW_ROWS,
    whole_file: bool = True,
) -> Preview:
    """Reads the file with `mapping` (default: the batch's) and says what each line would become,
    writing nothing. Without `whole_file`, only the first `limit` lines are read."""
    mapping = batch.mapping if mapping is None else mapping
    binary, source = batch_source(batch)
    with binary:
        reader = Reader(columns=batch.columns, mapping=mapping, base=Base())
        shown: list[Row] = []
        decisions: list[Row] = []
        counts: Counter = Counter()
        for row in reader.rows(source.rows):
            counts[row.status] += 1
            if len(shown) < limit:
                shown.append(row)
            elif row.status in (DUPLICATE, POSSIBLE) and len(decisions) < DECISION_ROWS:
                decisions.append(row)
            if not whole_file and len(shown) >= limit:
                break
    return Preview(rows=shown, decisions=decisions, counts=counts, total=sum(counts.values()))


# Import ----------------------------------------------------------------------------------------


class ImportAborted(Exception):
    """The import stopped part-way: the transaction rolled back and nothing of the file is kept."""


@dataclass
class Pending:
    """A line accepted and decided, waiting for its chunk to be written."""

    row: Row
    decision: str


class Writer:
    """Writes accepted lines in chunks: companies, contacts, topics, timeline items, consents."""

    def __init__(self, *, batch: ImportBatch, user, base: Base) -> None:
        self.batch = batch
        self.user = user
        self.base = base
        self.now = timezone.now()
        self.counts: Counter = Counter()

    # Companies

    def company_id(self, row: Row, new_companies: dict[str, Company]) -> int | None:
        name = row.values.get("company", "")
        key = company_key(name)
        if not key:
            return None
        if key in self.base.companies:
            return self.base.companies[key]
        if key not in new_companies:
            company = Company(name=name, name_key=key)
            for target, attribute in COMPANY_SOURCES:
                if target in row.values:
                    setattr(company, attribute, row.values[target])
            if "country" in row.values:
                company.country = row.values["country"]
            company.full_clean(validate_unique=False, validate_constraints=False)
            new_companies[key] = company
        return None

    def companies_create(self, chunk: list[Pending]) -> None:
        new: dict[str, Company] = {}
        for pending in chunk:
            self.company_id(pending.row, new)
        if new:
            Company.objects.bulk_create(new.values(), batch_size=CHUNK_SIZE)
            for key, company in new.items():
                self.base.companies[key] = company.pk
            self.counts["companies"] += len(new)

    # Contacts

    def contact_values(self, row: Row) -> dict[str, Any]:
        values = row.values
        fields = {name: values[target] for target, name in CONTACT_SOURCES if target in values}
        origin = values.get("origin")
        if isinstance(origin, str):
            fields["source_detail"] = origin
        return fields

    def action_of(self, row: Row) -> BureauAction | None:
        origin = row.values.get("origin")
        return origin if isinstance(origin, BureauAction) else self.batch.source_action

    def contact_new(self, row: Row) -> Contact:
        values = self.contact_values(row)
        contact = Contact(
            **values,
            name_key=person_key(values.get("first_name", ""), values["last_name"]),
            company_id=self.base.companies.get(company_key(row.values.get("company", ""))),
            source_action=self.action_of(row),
            created_by=self.user,
            last_interaction_at=row.values.get("last_contact_at") or self.now,
        )
        if row.values.get("created_at"):
            contact.created_at = row.values["created_at"]
        # Validated when the line was read (Reader.model_check): a failure here would abort the file.
        return contact

    def contact_apply(self, contact: Contact, row: Row, decision: str) -> list[str]:
        """Writes a line into an existing contact: empty fields only, or every field the line fills
        (overwrite); the e-mail of a contact is never replaced by an import. Returns fields changed."""
        changed = []
        for name, value in self.contact_values(row).items():
            current = getattr(contact, name)
            if name == "email" and current:
                continue
            if value and value != current and (decision == OVERWRITE or not current):
                setattr(contact, name, value)
                changed.append(name)
        if {"first_name", "last_name"} & set(changed):
            contact.name_key = person_key(contact.first_name, contact.last_name)
            changed.append("name_key")
        company_id = self.base.companies.get(company_key(row.values.get("company", "")))
        if company_id and (decision == OVERWRITE or not contact.company_id):
            contact.company_id = company_id
            changed.append("company")
        action = self.action_of(row)
        if action and first_touch_earlier(action, contact.source_action):
            contact.source_action = action
            changed.append("source_action")
        return changed

    def write(self, chunk: list[Pending]) -> None:
        self.companies_create(chunk)
        creating = [p for p in chunk if p.decision == CREATE]
        updating = [p for p in chunk if p.decision in (UPDATE, OVERWRITE, MERGE)]
        contacts: list[tuple[Row, Contact]] = [(p.row, self.contact_new(p.row)) for p in creating]
        Contact.objects.bulk_create([contact for _row, contact in contacts], batch_size=CHUNK_SIZE)
        self.counts["created"] += len(contacts)
        existing = Contact.objects.in_bulk([p.row.match_id for p in updating])
        changed_fields: set[str] = set()
        for pending in updating:
            contact = existing[pending.row.match_id]
            changed_fields.update(self.contact_apply(contact, pending.row, pending.decision))
            contacts.append((pending.row, contact))
            self.counts["merged" if pending.decision == MERGE else "updated"] += 1
        if changed_fields and existing:
            Contact.objects.bulk_update(
                existing.values(), [*sorted(changed_fields), "updated_at"], batch_size=CHUNK_SIZE
            )
        self.links_create(contacts)

    def links_create(self, contacts: list[tuple[Row, Contact]]) -> None:
        """Topics, the IMPORT item of each timeline, and consents when the file has them."""
        through = Contact.topics.through
        topic_links = [
            through(contact_id=contact.pk, topic_id=topic.pk)
            for row, contact in contacts
            for topic in row.values.get("topics", ())
        ]
        through.objects.bulk_create(topic_links, batch_size=CHUNK_SIZE, ignore_conflicts=True)
        Interaction.objects.bulk_create(
            [self.interaction(row, contact) for row, contact in contacts], batch_size=CHUNK_SIZE
        )
        consents = [c for row, contact in contacts for c in self.consents(row, contact)]
        Consent.objects.bulk_create(consents, batch_size=CHUNK_SIZE)
        self.counts["consents"] += len(consents)

    def interaction(self, row: Row, contact: Contact) -> Interaction:
        return Interaction(
            contact_id=contact.pk,
            kind=InteractionKind.IMPORT,
            occurred_at=self.now,
            author=self.user,
            action=self.action_of(row),
            summary=_("Imported from %(file)s, line %(line)d")
            % {"file": self.batch.original_name, "line": row.line},
            details={"batch": self.batch.pk, "line": row.line},
        )

    def consents(self, row: Row, contact: Contact) -> Iterator[Consent]:
        for target, purpose in (
            ("consent_mailing", Purpose.MAILING),
            ("consent_invitations", Purpose.INVITATIONS),
        ):
            if target in row.values:
                yield Consent(
                    contact_id=contact.pk,
                    purpose=purpose,
                    basis=LegalBasis.CONSENT,
                    granted=row.values[target],
                    recorded_at=row.values.get("consent_date") or self.now,
                    method=ConsentMethod.IMPORT,
                    proof=(
                        _("%(file)s, line %(line)d")
                        % {"file": self.batch.original_name, "line": row.line}
                    )[:250],
                    recorded_by=self.user,
                )


CONTACT_SOURCES = (
    ("first_name", "first_name"),
    ("last_name", "last_name"),
    ("email", "email"),
    ("phone", "phone"),
    ("job_title", "job_title"),
    ("kind", "kind"),
    ("language", "language"),
    ("postal_code", "postal_code"),
    ("city", "city"),
    ("department", "department_code"),
    ("region", "region"),
    ("country", "country"),
    ("notes", "notes"),
)
COMPANY_SOURCES = (
    ("company_kind", "kind"),
    ("naf_code", "naf_code"),
    ("company_size", "size"),
    ("website", "website"),
    ("city", "city"),
    ("postal_code", "postal_code"),
    ("department", "department_code"),
    ("region", "region"),
)


def first_touch_earlier(action: BureauAction, current: BureauAction | None) -> bool:
    """Whether `action` should become the first touch: none yet, or it took place earlier."""
    if current is None:
        return True
    if action.pk == current.pk or action.starts_on is None or current.starts_on is None:
        return False
    return action.starts_on < current.starts_on


def import_batch_run(
    *,
    batch: ImportBatch,
    user,
    rules: Rules | dict | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportBatch:
    """Imports the whole file in one transaction: accepted lines are written, refused lines are
    reported with line, column and reason. If anything fails, nothing of the file is kept and the
    batch is marked failed with the reason."""
    rules = rules if isinstance(rules, Rules) else Rules.of(rules or batch.rules)
    if batch.status == ImportStatus.IMPORTED:
        raise ValidationError(_("This file is already imported."))
    mapping_check(mapping=batch.mapping, columns=batch.columns)
    try:
        with transaction.atomic():
            locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
            if locked.status == ImportStatus.IMPORTED:
                raise ValidationError(_("This file is already imported."))
            result = _run(batch=batch, user=user, rules=rules, progress=progress)
    except (ValidationError, ImportFileError):
        raise
    except Exception as error:
        batch.status = ImportStatus.FAILED
        batch.report = {**batch.report, "error": f"{type(error).__name__}: {error}"[:500]}
        batch.finished_at = timezone.now()
        batch.save(update_fields=["status", "report", "finished_at"])
        raise ImportAborted(
            _("The import stopped and nothing of the file was imported: %(error)s")
            % {"error": error}
        ) from error
    _statistics_refresh()
    return result


def _statistics_refresh() -> None:
    """After a bulk load PostgreSQL's planner still believes the CRM tables are small until
    autovacuum passes, and segments then pick plans a hundred times slower: analyse them now."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE crm_contact, crm_company, crm_interaction, crm_consent, crm_contact_topics"
        )


def _run(
    *, batch: ImportBatch, user, rules: Rules, progress: Callable[[int], None] | None
) -> ImportBatch:
    base = Base()
    reader = Reader(columns=batch.columns, mapping=batch.mapping, base=base)
    writer = Writer(batch=batch, user=user, base=base)
    refused: list[list[object]] = []
    chunk: list[Pending] = []
    read = 0
    binary, source = batch_source(batch)
    with binary:
        for row in reader.rows(source.rows):
            read += 1
            decision = rules.decision(row)
            if row.status == REFUSED:
                refused.extend([error.line, error.column, error.reason] for error in row.errors)
                writer.counts["refused"] += 1
            elif decision == SKIP:
                writer.counts["skipped"] += 1
            else:
                chunk.append(Pending(row, decision))
            if len(chunk) >= CHUNK_SIZE:
                writer.write(chunk)
                chunk = []
            if progress and read % 100 == 0:
                progress(100)
        writer.write(chunk)
    if progress and read % 100:
        progress(read % 100)
    counts = writer.counts
    batch.status = ImportStatus.IMPORTED
    batch.rules = rules.as_json()
    batch.row_count = read
    batch.created_count = counts["created"]
    batch.updated_count = counts["updated"]
    batch.merged_count = counts["merged"]
    batch.refused_count = counts["refused"]
    batch.report = {
        **batch.report,
        "refused": refused,
        "skipped": counts["skipped"],
        "companies": counts["companies"],
        "consents": counts["consents"],
    }
    batch.finished_at = timezone.now()
    batch.save()
    audit_record(
        actor=user,
        action=AuditAction.IMPORT,
        object_type="import_batch",
        object_id=batch.pk,
        details={
            "rows": read,
            "created": batch.created_count,
            "updated": batch.updated_count,
            "merged": batch.merged_count,
            "refused": batch.refused_count,
            "skipped": counts["skipped"],
        },
    )
    return batch


# Refused lines ---------------------------------------------------------------------------------


def import_file_open(*, batch: ImportBatch, user) -> IO[bytes]:
    """The kept file, opened for download; the export of personal data goes to the audit log."""
    audit_record(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="import_batch",
        object_id=batch.pk,
        details={"file": "original"},
    )
    return batch.file.open("rb")


def import_rejects_csv(*, batch: ImportBatch, stream: IO[bytes], user=None) -> None:
    """The refused lines as they were in the file, with line, column and reason first: fix them in
    a spreadsheet, remove the three first columns and import them again. UTF-8 with BOM, `;`.
    With `user`, the export goes to the audit log."""
    if user is not None:
        audit_record(
            actor=user,
            action=AuditAction.EXPORT,
            object_type="import_batch",
            object_id=batch.pk,
            details={"file": "refused", "lines": batch.refused_count},
        )
    reasons: dict[int, list[tuple[str, str]]] = {}
    for line, column, reason in batch.report.get("refused", []):
        reasons.setdefault(int(line), []).append((column, reason))
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, delimiter=";")
    writer.writerow([_("line"), _("column"), _("reason"), *map(neutralised, batch.columns)])
    binary, source = batch_source(batch)
    with binary:
        for number, cells in source.rows:
            if number in reasons:
                texts = [neutralised(cell_text(value)) for value in cells]
                columns = "; ".join(column for column, _reason in reasons[number])
                why = "; ".join(reason for _column, reason in reasons[number])
                writer.writerow([number, neutralised(columns), why, *texts])
    text.detach()


def neutralised(text: str) -> str:
    """A cell a spreadsheet would run as a formula gets an apostrophe in front."""
    return f"'{text}" if text[:1] in FORMULA_STARTS else text
