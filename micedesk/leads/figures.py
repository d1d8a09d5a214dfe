"""The conversion figures of quote requests over a period, for bureau staff: the funnel, conversion
by channel, department, kind of supplier, kind and size of event, time to first answer; and their
CSV and XLSX exports.

Counts are aggregated by the database (one query per table); only the medians of answer times are
taken in Python, from one column of durations, as SQLite has no median aggregate.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import (
    Case,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from micedesk.directory.exports import csv_safe, text_cell
from micedesk.directory.vocab import Category
from micedesk.geo.models import Department
from micedesk.leads.models import Channel, Dispatch, EventKind, QuoteRequest, RequestStatus
from micedesk.leads.selectors import in_department, with_departments_text

if TYPE_CHECKING:
    from micedesk.accounts.models import User

NOT_QUALIFIED = (RequestStatus.QUARANTINED, RequestStatus.REJECTED, RequestStatus.DUPLICATE)
# Bands of participants: (code, label, lowest, highest or None).
SIZE_BANDS = [
    ("lt20", _("Under 20"), 1, 19),
    ("20_49", _("20 to 49"), 20, 49),
    ("50_99", _("50 to 99"), 50, 99),
    ("100_249", _("100 to 249"), 100, 249),
    ("250_plus", _("250 and more"), 250, None),
]
CSV_DELIMITER = ";"


@dataclass
class Table:
    """One table of figures: `name` is its code (the sheet's name in XLSX), `title` its caption."""

    name: str
    title: str
    columns: list[str]
    rows: list[list[object]] = field(default_factory=list)


@dataclass
class LeadFigures:
    start: datetime.date
    end: datetime.date
    funnel: Table
    by_channel: Table
    by_department: Table
    by_category: Table
    winners_by_event_kind: Table
    by_event_kind: Table
    by_size: Table
    answer_time_by_supplier: Table
    answer_time_by_category: Table

    @property
    def tables(self) -> list[Table]:
        return [
            self.funnel,
            self.by_channel,
            self.by_department,
            self.by_category,
            self.winners_by_event_kind,
            self.by_event_kind,
            self.by_size,
            self.answer_time_by_supplier,
            self.answer_time_by_category,
        ]


def rate(part: int, whole: int) -> float | None:
    """`part` of `whole` in percent, one decimal; None when there is nothing to divide."""
    return round(100 * part / whole, 1) if whole else None


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, ...]:
    """The first instant of `start` and of the day after `end`, in the site's time zone."""
    zone = timezone.get_current_timezone()
    first = datetime.datetime.combine(start, datetime.time.min, tzinfo=zone)
    after = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, zone)
    return first, after


def requests_of_period(start: datetime.date, end: datetime.date) -> QuerySet[QuoteRequest]:
    """The requests received from `start` to `end`, both days included."""
    first, after = period_bounds(start, end)
    return QuoteRequest.objects.filter(created_at__gte=first, created_at__lt=after)


def figures_for_period(
    *, user: User | None, start: datetime.date, end: datetime.date
) -> LeadFigures:
    """Every table for requests received from `start` to `end`; bureau staff only."""
    if user is None or not user.is_authenticated or not user.is_bureau_staff:
        raise PermissionDenied(_("The figures are for the bureau's staff."))
    if start > end:
        raise ValidationError({"end": _("The period ends before it starts.")})
    received = requests_of_period(start, end)
    qualified = received.exclude(status__in=NOT_QUALIFIED)
    waits = answer_waits(qualified)
    return LeadFigures(
        start=start,
        end=end,
        funnel=funnel(received),
        by_channel=conversion_by(
            qualified, "channel", Channel, _("Conversion by channel"), _("Channel")
        ),
        by_department=conversion_by_department(qualified),
        by_category=conversion_by_category(qualified),
        winners_by_event_kind=winners_by_event_kind(qualified),
        by_event_kind=conversion_by(
            qualified, "event_kind", EventKind, _("Conversion by kind of event"), _("Kind of event")
        ),
        by_size=conversion_by_size(qualified),
        answer_time_by_supplier=answer_time_by_supplier(qualified, waits),
        answer_time_by_category=answer_time_by_category(qualified, waits),
    )


def funnel(received: QuerySet[QuoteRequest]) -> Table:
    """Received → qualified → dispatched → answered → proposal → won, in one query."""
    to_suppliers = Dispatch.objects.filter(quote_request=OuterRef("pk"), supplier__isnull=False)
    counts = received.annotate(
        was_sent=Exists(
            Dispatch.objects.filter(quote_request=OuterRef("pk"), sent_at__isnull=False)
        ),
        was_answered=Exists(to_suppliers.filter(first_answer_at__isnull=False)),
        had_proposal=Exists(to_suppliers.filter(proposal_amount__isnull=False)),
    ).aggregate(
        received=Count("pk"),
        qualified=Count("pk", filter=~Q(status__in=NOT_QUALIFIED)),
        dispatched=Count("pk", filter=Q(was_sent=True)),
        answered=Count("pk", filter=Q(was_answered=True)),
        proposal=Count("pk", filter=Q(had_proposal=True)),
        won=Count("pk", filter=Q(status=RequestStatus.WON)),
    )
    steps = [
        ("received", _("Received")),
        ("qualified", _("Qualified (not spam, not a duplicate)")),
        ("dispatched", _("Sent to at least one recipient")),
        ("answered", _("Answered by at least one supplier")),
        ("proposal", _("At least one proposal")),
        ("won", _("Won")),
    ]
    table = Table(
        "funnel", str(_("Funnel")), [str(_("Step")), str(_("Requests")), str(_("Of received (%)"))]
    )
    for code, label in steps:
        table.rows.append([str(label), counts[code], rate(counts[code], counts["received"])])
    return table


def _conversion_columns(key_title: object) -> list[str]:
    return [str(key_title), str(_("Qualified requests")), str(_("Won")), str(_("Conversion (%)"))]


def conversion_by(
    qualified: QuerySet[QuoteRequest], column: str, choices: type, title: object, key_title: object
) -> Table:
    """Qualified and won requests per value of `column`, in the order of its choices."""
    counts = {
        row[column]: row
        for row in qualified.order_by()
        .values(column)
        .annotate(total=Count("pk"), won=Count("pk", filter=Q(status=RequestStatus.WON)))
    }
    table = Table(f"by_{column}", str(title), _conversion_columns(key_title))
    for value, label in choices.choices:
        row = counts.get(value)
        if row:
            table.rows.append(
                [str(label), row["total"], row["won"], rate(row["won"], row["total"])]
            )
    return table


def conversion_by_size(qualified: QuerySet[QuoteRequest]) -> Table:
    """Qualified and won requests per band of participants."""
    band = Case(
        *[
            When(participants__gte=low, participants__lte=high, then=Value(index))
            if high is not None
            else When(participants__gte=low, then=Value(index))
            for index, (_code, _label, low, high) in enumerate(SIZE_BANDS)
        ],
        output_field=IntegerField(),
    )
    counts = {
        row["band"]: row
        for row in qualified.order_by()
        .annotate(band=band)
        .values("band")
        .annotate(total=Count("pk"), won=Count("pk", filter=Q(status=RequestStatus.WON)))
    }
    table = Table(
        "by_size", str(_("Conversion by size of event")), _conversion_columns(_("Participants"))
    )
    for index, (_code, label, _low, _high) in enumerate(SIZE_BANDS):
        row = counts.get(index, {"total": 0, "won": 0})
        table.rows.append([str(label), row["total"], row["won"], rate(row["won"], row["total"])])
    return table


def conversion_by_department(qualified: QuerySet[QuoteRequest]) -> Table:
    """Qualified and won requests per department wanted (a request naming two departments counts
    in both), in one query of two filtered counts per department."""
    departments = list(Department.objects.order_by("code").values_list("code", "name"))
    won = Q(status=RequestStatus.WON)
    aggregates = {}
    for code, _name in departments:
        aggregates[f"total_{code}"] = Count("pk", filter=in_department(code))
        aggregates[f"won_{code}"] = Count("pk", filter=in_department(code) & won)
    counts = (
        with_departments_text(qualified.order_by()).aggregate(**aggregates) if aggregates else {}
    )
    table = Table(
        "by_department", str(_("Conversion by department")), _conversion_columns(_("Department"))
    )
    for code, name in departments:
        total, won_count = counts[f"total_{code}"], counts[f"won_{code}"]
        if total:
            table.rows.append([f"{name} ({code})", total, won_count, rate(won_count, total)])
    return table


def conversion_by_category(qualified: QuerySet[QuoteRequest]) -> Table:
    """Per category of supplier: dispatches received, requests won, and the share won."""
    dispatched = dict(
        Dispatch.objects.filter(quote_request__in=qualified.values("pk"), supplier__isnull=False)
        .order_by()
        .values("supplier__category")
        .annotate(total=Count("pk"))
        .values_list("supplier__category", "total")
    )
    won = dict(
        qualified.filter(status=RequestStatus.WON, won_by__isnull=False)
        .order_by()
        .values("won_by__category")
        .annotate(total=Count("pk"))
        .values_list("won_by__category", "total")
    )
    table = Table(
        "by_category",
        str(_("Conversion by kind of supplier")),
        [
            str(_("Kind of supplier")),
            str(_("Requests received")),
            str(_("Won")),
            str(_("Conversion (%)")),
        ],
    )
    for value, label in Category.choices:
        total, won_count = dispatched.get(value, 0), won.get(value, 0)
        if total or won_count:
            table.rows.append([str(label), total, won_count, rate(won_count, total)])
    return table


def winners_by_event_kind(qualified: QuerySet[QuoteRequest]) -> Table:
    """Which kind of supplier wins which kind of event: won requests, event kind × category."""
    counts = defaultdict(int)
    for kind, category, total in (
        qualified.filter(status=RequestStatus.WON, won_by__isnull=False)
        .order_by()
        .values("event_kind", "won_by__category")
        .annotate(total=Count("pk"))
        .values_list("event_kind", "won_by__category", "total")
    ):
        counts[kind, category] = total
    categories = [(v, label) for v, label in Category.choices if any(c == v for _k, c in counts)]
    table = Table(
        "winners_by_event_kind",
        str(_("Kind of supplier retained per kind of event")),
        [str(_("Kind of event")), *[str(label) for _v, label in categories], str(_("Total"))],
    )
    for kind, label in EventKind.choices:
        cells = [counts.get((kind, category), 0) for category, _label in categories]
        if sum(cells):
            table.rows.append([str(label), *cells, sum(cells)])
    return table


def _sent_to_suppliers(qualified: QuerySet[QuoteRequest]) -> QuerySet[Dispatch]:
    return Dispatch.objects.filter(
        quote_request__in=qualified.values("pk"), supplier__isnull=False, sent_at__isnull=False
    ).order_by()


def hours(durations: Iterable[datetime.timedelta]) -> float | None:
    """The median of `durations` in hours, one decimal; None for none."""
    values = [duration.total_seconds() / 3600 for duration in durations]
    return round(statistics.median(values), 1) if values else None


@dataclass
class AnswerWaits:
    """The times from sending to first answer, per supplier and per category, read in one pass."""

    by_supplier: dict[int, list[datetime.timedelta]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_category: dict[str, list[datetime.timedelta]] = field(
        default_factory=lambda: defaultdict(list)
    )


def answer_waits(qualified: QuerySet[QuoteRequest]) -> AnswerWaits:
    wait = ExpressionWrapper(F("first_answer_at") - F("sent_at"), output_field=DurationField())
    rows = (
        _sent_to_suppliers(qualified)
        .filter(first_answer_at__isnull=False)
        .annotate(wait=wait)
        .values_list("supplier_id", "supplier__category", "wait")
        .iterator(chunk_size=5000)
    )
    waits = AnswerWaits()
    for supplier_id, category, duration in rows:
        waits.by_supplier[supplier_id].append(duration)
        waits.by_category[category].append(duration)
    return waits


def _answer_columns(key_title: object) -> list[str]:
    return [
        str(key_title),
        str(_("Requests received")),
        str(_("Answered")),
        str(_("Answered (%)")),
        str(_("Median time to first answer (hours)")),
    ]


def answer_time_by_supplier(
    qualified: QuerySet[QuoteRequest], waits: AnswerWaits | None = None
) -> Table:
    """Per supplier: dispatches sent, answered, and the median time to the first answer."""
    waits = waits or answer_waits(qualified)
    counts = (
        _sent_to_suppliers(qualified)
        .values("supplier_id", "supplier__name", "supplier__category")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(first_answer_at__isnull=False)))
        .order_by("supplier__name", "supplier_id")
    )
    labels = dict(Category.choices)
    table = Table(
        "answer_time_by_supplier",
        str(_("Time to first answer per supplier")),
        [str(_("Supplier")), str(_("Kind of supplier")), *_answer_columns("")[1:]],
    )
    for row in counts:
        table.rows.append(
            [
                row["supplier__name"],
                str(labels.get(row["supplier__category"], row["supplier__category"])),
                row["total"],
                row["answered"],
                rate(row["answered"], row["total"]),
                hours(waits.by_supplier.get(row["supplier_id"], [])),
            ]
        )
    return table


def answer_time_by_category(
    qualified: QuerySet[QuoteRequest], waits: AnswerWaits | None = None
) -> Table:
    """Per category of supplier: dispatches sent, answered, and the median time to first answer."""
    waits = waits or answer_waits(qualified)
    counts = {
        row["supplier__category"]: row
        for row in _sent_to_suppliers(qualified)
        .values("supplier__category")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(first_answer_at__isnull=False)))
    }
    table = Table(
        "answer_time_by_category",
        str(_("Time to first answer per kind of supplier")),
        _answer_columns(_("Kind of supplier")),
    )
    for value, label in Category.choices:
        row = counts.get(value)
        if row:
            table.rows.append(
                [
                    str(label),
                    row["total"],
                    row["answered"],
                    rate(row["answered"], row["total"]),
                    hours(waits.by_category.get(value, [])),
                ]
            )
    return table


def _cell(value: object) -> object:
    return "" if value is None else value


def figures_export_csv(*, tables: Iterable[Table], stream: IO[bytes]) -> int:
    """Write the tables one after the other as CSV (UTF-8 with BOM, `;`): each opens with its title
    and column names and ends with an empty line. Returns the number of tables written."""
    stream.write(codecs.BOM_UTF8)
    text = codecs.getwriter("utf-8")(stream)
    writer = csv.writer(text, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    count = 0
    for table in tables:
        writer.writerow([csv_safe(table.title)])
        writer.writerow([csv_safe(column) for column in table.columns])
        for row in table.rows:
            writer.writerow([csv_safe(_cell(value)) for value in row])
        writer.writerow([])
        count += 1
    return count


def figures_export_xlsx(*, tables: Iterable[Table], stream: IO[bytes]) -> int:
    """Write an XLSX workbook, one sheet per table named after it: column names in the first row.
    Returns the number of tables written."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    count = 0
    for table in tables:
        sheet = workbook.create_sheet(table.name[:31])
        sheet.append([text_cell(sheet, column) for column in table.columns])
        for row in table.rows:
            sheet.append([text_cell(sheet, _cell(value)) for value in row])
        count += 1
    workbook.save(stream)
    return count
