"""`python bench/roi.py [--quick] [sqlite|postgresql]`: the returns of the bureau's actions at scale.

For each engine (SQLite always; PostgreSQL when 127.0.0.1:5432 answers) in its own fresh database
under var/bench (`roi_bench.sqlite3`, `micedesk_roi_bench`), it generates in bulk five years of
bureau events (BENCH_ROI_EVENTS_PER_YEAR, default 60) with their costs, participants, guests and
appointments, BENCH_ROI_CONTACTS contacts (default 100,000) and BENCH_ROI_INTERACTIONS timeline
items (default 1,000,000; the CRM benchmark's generator fills what the events do not), and the
later quote requests of a share of the contacts met, most of them won in the region. Then it
measures, 20 runs each (`BENCH_ROI_RUNS`):

- `year_returns` of the latest year (the computation the year dashboard reads once);
- the year dashboard page (`backoffice:returns_year`, Django test client, a staff member logged
  in) when that URL exists: `dashboard_p50_ms`, `dashboard_p95_ms` (target p95 under 1 s);
- one event's returns through the API (`GET /api/v1/events/{id}/returns`, a staff key).

`--quick` is a smoke run with small sizes, written to bench/results/roi-quick.json; the full run
writes bench/results/roi.json, with the sizes, the commit and the machine's cores.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
WORKDIR = ROOT / "var" / "bench"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "micedesk_roi_bench"
QUICK = "--quick" in sys.argv
SIZES = {
    "years": 5,
    "events_per_year": int(os.environ.get("BENCH_ROI_EVENTS_PER_YEAR", "60")),
    "contacts": int(os.environ.get("BENCH_ROI_CONTACTS", "5000" if QUICK else "100000")),
    "interactions": int(os.environ.get("BENCH_ROI_INTERACTIONS", "50000" if QUICK else "1000000")),
    # Per event: contacts invited, and contacts met or attending (a share of them later ask).
    "invited_per_event": 40 if QUICK else 300,
    "met_per_event": 25 if QUICK else 120,
    "suppliers": 200 if QUICK else 2000,
    "runs": int(os.environ.get("BENCH_ROI_RUNS", "5" if QUICK else "20")),
}
SEED = 6
BATCH = 5000
# A share of the contacts met ask for a quote later; most of those requests are won in the region.
ASKING = 0.12
WON = 0.6
# How the ~60 events of a year divide among the kinds (the plan's mix: many webinars and
# workshops, a few trade shows and éductours, one annual meeting).
KIND_MIX = {
    "trade_show": 8,
    "workshop": 12,
    "eductour": 5,
    "webinar": 16,
    "partners_meeting": 1,
    "working_group": 8,
    "round_table": 4,
    "job_dating": 2,
    "campaign": 4,
}
COSTS = {
    "trade_show": (25000, 60000),
    "workshop": (8000, 25000),
    "eductour": (6000, 12000),
    "webinar": (300, 1500),
    "partners_meeting": (10000, 20000),
    "working_group": (200, 800),
    "round_table": (500, 2000),
    "job_dating": (1500, 4000),
    "campaign": (10000, 40000),
}
REQUEST_KINDS = ("seminaire", "congres", "convention", "incentive", "soiree", "journee_etude")


def log(message: str) -> None:
    print(f"[bench roi] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
        "runs": len(values_ms),
        "p50_ms": round(statistics.median(values_ms), 1),
        "p95_ms": round(percentile(values_ms, 0.95), 1),
    }


def pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        return True
    except OSError:
        return False


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


def database_url(engine: str) -> str:
    if engine == "sqlite":
        path = WORKDIR / "roi_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    for statement in (
        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
        f"CREATE DATABASE {DATABASE}",
    ):
        subprocess.run(["psql", f"{PG_BASE}/postgres", "-qc", statement], check=True)
    return f"{PG_BASE}/{DATABASE}"


# --- Inside one engine's process ------------------------------------------------------------


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def bulk(model: type, rows: list, bar=None) -> list:
    made = []
    for start in range(0, len(rows), BATCH):
        made += model.objects.bulk_create(rows[start : start + BATCH])
        if bar is not None:
            bar.update(len(rows[start : start + BATCH]))
    return made


def event_days(rng: random.Random, years: list[int]) -> list[tuple[str, datetime.date]]:
    """(kind, start) of every event: each year has the plan's mix of kinds, spread over its days
    (the current year's later events are still ahead)."""
    kinds = [kind for kind, share in KIND_MIX.items() for _ in range(share)]
    count = SIZES["events_per_year"]
    return [
        (
            kinds[number * len(kinds) // count],
            datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randint(0, 363)),
        )
        for year in years
        for number in range(count)
    ]


def events_generate(rng: random.Random) -> list:
    """The events with their CRM actions, cost lines and participants (suppliers of the region)."""
    from tqdm import tqdm

    from micedesk.crm.models import BureauAction
    from micedesk.directory.models import Supplier
    from micedesk.operations.models import (
        BureauEvent,
        CostCategory,
        CostLine,
        EventParticipant,
        EventStatus,
        ParticipantRole,
    )

    today = datetime.date.today()
    years = list(range(today.year - SIZES["years"] + 1, today.year + 1))
    supplier_ids = list(Supplier.objects.values_list("pk", flat=True))
    planned = event_days(rng, years)
    actions = bulk(
        BureauAction,
        [
            BureauAction(
                name=f"Bench {kind} {number}",
                kind=kind,
                starts_on=start,
                ends_on=start + datetime.timedelta(days=1),
                department_code=rng.choice(("14", "27", "50", "61", "76", "75")),
                is_demo=True,
            )
            for number, (kind, start) in enumerate(planned)
        ],
    )
    events = [
        BureauEvent(
            action=action,
            name=action.name,
            kind=action.kind,
            status=EventStatus.CLOSED if action.ends_on < today else EventStatus.PLANNED,
            starts_on=action.starts_on,
            ends_on=action.ends_on,
            department_code=action.department_code,
            is_demo=True,
        )
        for action in actions
    ]
    # Both engines give the primary keys back from a bulk insert (SQLite 3.35 and later).
    events = bulk(BureauEvent, events)
    costs, parts = [], []
    with tqdm(total=len(events), desc="events", unit="event") as bar:
        for event in events:
            low, high = COSTS[event.kind]
            total = Decimal(rng.randint(low, high))
            for category, share in (
                (CostCategory.STAND, Decimal("0.4")),
                (CostCategory.TRANSPORT, Decimal("0.2")),
                (CostCategory.CATERING, Decimal("0.2")),
                (CostCategory.OTHER, Decimal("0.1")),
            ):
                amount = (total * share).quantize(Decimal("0.01"))
                costs.append(CostLine(event=event, category=category, budget=amount, actual=amount))
            costs.append(
                CostLine(
                    event=event,
                    category=CostCategory.STAFF,
                    hours=Decimal(rng.randint(10, 120)),
                    hourly_rate=Decimal("45.00"),
                    budget=Decimal("0"),
                )
            )
            for supplier_id in rng.sample(supplier_ids, min(4, len(supplier_ids))):
                parts.append(
                    EventParticipant(
                        event=event,
                        supplier_id=supplier_id,
                        role=ParticipantRole.EXHIBITOR,
                        cost_share=Decimal(rng.randint(0, 2000)),
                    )
                )
            bar.update(1)
    bulk(CostLine, costs)
    bulk(EventParticipant, parts)
    return events


def guests_generate(rng: random.Random, events: list, contact_ids: list[int]) -> dict:
    """Invitations and contacts met at each held event, on the CRM timeline against its action;
    appointments for some; then the later requests of a share of those met, most of them won."""
    from django.utils import timezone
    from tqdm import tqdm

    from micedesk.crm.models import Contact, Interaction, InteractionKind
    from micedesk.directory.models import Supplier
    from micedesk.leads.models import QuoteRequest, RequestStatus
    from micedesk.operations.models import (
        Appointment,
        AppointmentStatus,
        Attendance,
        EventGuest,
        EventParticipant,
    )

    now = timezone.now()
    # Every contact of this database is the benchmark's: no id list (SQLite caps its variables).
    emails = dict(Contact.objects.values_list("pk", "email"))
    supplier_ids = list(Supplier.objects.values_list("pk", flat=True))
    first_part = {
        row["event_id"]: row["pk"]
        for row in EventParticipant.objects.order_by("-pk").values("event_id", "pk")
    }
    held = [event for event in events if event.ends_on < now.date()]
    timeline, guests, appointments, requests, asked = [], [], [], [], []
    with tqdm(total=len(held), desc="guests and requests", unit="event") as bar:
        for event in held:
            at = timezone.make_aware(datetime.datetime.combine(event.starts_on, datetime.time(10)))
            count = SIZES["invited_per_event"] + SIZES["met_per_event"]
            chosen = rng.sample(contact_ids, min(count, len(contact_ids)))
            met = chosen[: SIZES["met_per_event"]]
            for contact_id in chosen:
                is_met = contact_id in met
                timeline.append(
                    Interaction(
                        contact_id=contact_id,
                        kind=InteractionKind.INVITED,
                        occurred_at=at - datetime.timedelta(days=30),
                        action_id=event.action_id,
                        summary="Bench invitation",
                    )
                )
                if is_met:
                    kind = rng.choice((InteractionKind.MET, InteractionKind.ATTENDED))
                    timeline.append(
                        Interaction(
                            contact_id=contact_id,
                            kind=kind,
                            occurred_at=at,
                            action_id=event.action_id,
                            summary="Bench contact met",
                        )
                    )
                guests.append(
                    EventGuest(
                        event=event,
                        contact_id=contact_id,
                        attendance=Attendance.ATTENDED if is_met else Attendance.INVITED,
                        met_on_site=is_met,
                        invited_at=at - datetime.timedelta(days=30),
                    )
                )
            for contact_id in met[:5]:
                appointments.append(
                    Appointment(
                        event=event,
                        participant_id=first_part[event.pk],
                        contact_id=contact_id,
                        status=AppointmentStatus.HELD,
                        starts_at=at,
                    )
                )
            for contact_id in met:
                if rng.random() < ASKING:
                    asked.append((event, contact_id))
            bar.update(1)
    bulk(Interaction, timeline)
    bulk(EventGuest, guests)
    bulk(Appointment, appointments)
    for number, (event, contact_id) in enumerate(asked):
        created = timezone.make_aware(
            datetime.datetime.combine(event.starts_on, datetime.time(9))
        ) + datetime.timedelta(days=rng.randint(15, 1000))
        created = min(created, now - datetime.timedelta(hours=1))
        won = rng.random() < WON
        participants, days = rng.randint(15, 400), rng.randint(1, 3)
        requests.append(
            QuoteRequest(
                reference=f"RB{number:08d}",
                channel="portal",
                status=RequestStatus.WON if won else RequestStatus.LOST,
                created_at=created,
                contact_name="Bench planner",
                organisation="Bench company",
                organisation_kind="company",
                email=emails[contact_id] or f"bench{contact_id}@roi-bench.example",
                event_kind=rng.choice(REQUEST_KINDS),
                participants=participants,
                days=days,
                departments=["14"],
                won_by_id=rng.choice(supplier_ids) if won else None,
                outcome_participants=participants if won else None,
                outcome_days=days if won else None,
                outcome_budget=Decimal(participants * days * rng.randint(90, 250)) if won else None,
            )
        )
    requests = bulk(QuoteRequest, requests)
    links = [
        Interaction(
            contact_id=contact_id,
            kind=InteractionKind.QUOTE_REQUEST,
            occurred_at=request.created_at,
            quote_request_id=request.pk,
            summary="Bench quote request",
        )
        for (_event, contact_id), request in zip(asked, requests, strict=True)
    ]
    bulk(Interaction, links)
    return {
        "event_timeline_items": len(timeline) + len(links),
        "guests": len(guests),
        "requests": len(requests),
        "won_requests": sum(1 for request in requests if request.status == RequestStatus.WON),
    }


def data_generate(rng: random.Random) -> dict:
    """Events first (their timeline items count towards the total), then the CRM benchmark's
    generator fills the base up to the wanted number of contacts and timeline items."""
    from django.db import connection

    from bench import crm as crm_bench

    events = events_generate(rng)
    # Each guest's invitation, a MET or ATTENDED item per contact met, a request for some of them.
    per_event = SIZES["invited_per_event"] + SIZES["met_per_event"] * (2 + ASKING)
    held = sum(1 for event in events if event.ends_on < datetime.date.today())
    crm_bench.SIZES["contacts"] = SIZES["contacts"]
    crm_bench.SIZES["interactions"] = max(0, SIZES["interactions"] - int(held * per_event))
    generated = crm_bench.contacts_generate(rng)
    figures = guests_generate(rng, events, generated["contact_ids"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"events": len(events), **figures}


def timed(run, runs: int) -> list[float]:
    run()  # warm-up: imports, templates, caches
    timings = []
    for _number in range(runs):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) * 1000)
    return timings


def measure(year: int) -> dict:
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    from bench import crm as crm_bench
    from micedesk.accounts.services import api_key_create
    from micedesk.operations.models import BureauEvent, EventStatus
    from micedesk.operations.returns import year_returns

    runs = SIZES["runs"]
    figures: dict = {"year": year}
    computation = summary(timed(lambda: year_returns(year=year), runs))
    figures["year_returns"] = computation
    staff = crm_bench.staff_user()
    client = Client()
    client.force_login(staff)
    try:
        url = reverse("backoffice:returns_year")
    except NoReverseMatch:
        url = None
    if url is not None:

        def page() -> None:
            response = client.get(url, {"year": year})
            if response.status_code != 200:
                raise SystemExit(f"year dashboard answered {response.status_code}")

        figures["dashboard_page"] = summary(timed(page, runs))
    # The figures to read: the page when it exists, else the computation it reads once.
    shown = figures.get("dashboard_page", computation)
    figures["dashboard_measured"] = "page" if url is not None else "year_returns"
    figures["dashboard_p50_ms"] = shown["p50_ms"]
    figures["dashboard_p95_ms"] = shown["p95_ms"]
    event = BureauEvent.objects.filter(status=EventStatus.CLOSED).order_by("-starts_on").first()
    if event is not None:
        key = api_key_create(user=staff, label="bench")[1]
        path = f"/api/v1/events/{event.pk}/returns"

        def api_call() -> None:
            response = client.get(path, headers={"authorization": f"Bearer {key}"})
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}")

        figures["api_event_returns"] = summary(timed(api_call, runs))
    result = year_returns(year=year)
    figures["year_events"] = len(result.events)
    figures["year_useful_contacts"] = str(
        sum((item.useful_contacts for item in result.events), Decimal(0))
    )
    return figures


def engine_main() -> None:
    django_setup()
    from micedesk.crm.models import Contact, Interaction

    rng = random.Random(SEED)
    start = time.perf_counter()
    generated = data_generate(rng)
    figures: dict = {
        "contacts": Contact.objects.count(),
        "interactions": Interaction.objects.count(),
        **generated,
        "generate_seconds": round(time.perf_counter() - start, 1),
    }
    log("year dashboard")
    figures.update(measure(datetime.date.today().year))
    print(json.dumps(figures))


# --- The driver -----------------------------------------------------------------------------


def run_engine(engine: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(engine),
        "DEBUG": "False",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["load_reference_data"],
        ["load_crm_reference"],
        ["load_operations_reference"],
        ["generate_demo", "--suppliers", str(SIZES["suppliers"]), "--seed", str(SEED)],
    ):
        subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True)
    log(f"{engine}: {SIZES['contacts']} contacts, {SIZES['interactions']} timeline items")
    output = subprocess.run(
        [PYTHON, __file__, "--engine", *(["--quick"] if QUICK else [])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS / ("roi-quick.json" if QUICK else "roi.json")
    results: dict = {
        "sizes": SIZES,
        "quick": QUICK,
        "commit": commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
        "target_p95_ms": 1000,
    }
    engines = ["sqlite"] + (["postgresql"] if pg_reachable() else [])
    wanted = [arg for arg in sys.argv[1:] if not arg.startswith("--")] or engines
    for engine in [engine for engine in engines if engine in wanted]:
        results[engine] = run_engine(engine)
        path.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if "--engine" in sys.argv:
        engine_main()
    else:
        main()
