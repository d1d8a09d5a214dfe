"""`python bench/leads.py`: times matching and routing on the search benchmark's databases, then
routes a backlog of requests end to end through the outbox to a local SMTP server.

Runs on the databases `bench/run.py` built (SQLite always; PostgreSQL when 127.0.0.1:5432 answers),
each engine in its own process with DATABASE_URL, and merges the figures into
bench/results/leads.json. BENCH_BACKLOG sets the backlog size (default 10000). Every request it
creates carries a reference starting with BENCH_PREFIX and is deleted at the end (with its matches,
dispatches and log), so the databases stay as the search benchmark left them.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BACKLOG = int(os.environ.get("BENCH_BACKLOG", "10000"))
ROUTE_REQUESTS = 200
WORKERS = 2
WORKER_BATCH = 100
BENCH_PREFIX = "BL"
BENCH_DOMAIN = "leads-bench.example"
DEPARTMENTS = ("14", "27", "50", "61", "76")
EVENT_KINDS = ("seminaire", "congres", "convention", "incentive", "soiree", "formation")


def log(message: str) -> None:
    print(f"[bench leads] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "micedesk.settings")
    django.setup()


def cleanup() -> int:
    """Delete every request this benchmark made (matches, dispatches and log go with them)."""
    from micedesk.leads.models import QuoteRequest

    mine = QuoteRequest.objects.filter(reference__startswith=BENCH_PREFIX)
    deleted = 0
    # In slices: SQLite caps the variables of one statement, and the cascade lists them.
    while ids := list(mine.values_list("pk", flat=True)[:500]):
        QuoteRequest.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
    return deleted


def request_values(number: int, communes: list) -> dict:
    """A varied, deterministic request: kind, size, layout, bedrooms, place and services."""
    from micedesk.directory.vocab import EQUIPMENT, Layout
    from micedesk.leads.models import Channel, RequestStatus

    layouts = [layout for layout in Layout.values]
    participants = (10, 20, 30, 45, 60, 80, 120, 200, 350)[number % 9]
    values = {
        "reference": f"{BENCH_PREFIX}{number:08d}",
        "channel": Channel.STAFF,
        "status": RequestStatus.RECEIVED,
        "contact_name": "Event planner",
        "organisation": f"Planner company {number}",
        "organisation_kind": "company",
        "email": f"planner{number}@{BENCH_DOMAIN}",
        "phone": "+33 2 31 00 00 00",
        "language": "en" if number % 4 == 0 else "fr",
        "consent_share": number % 3 != 0,
        "event_kind": EVENT_KINDS[number % len(EVENT_KINDS)],
        "participants": participants,
        "days": 1 + number % 3,
        "layout": layouts[number % len(layouts)],
        "bedrooms": 0 if number % 2 else participants // 2,
        "catering": number % 5 == 0,
        "step_free_access": number % 7 == 0,
        "services": list(EQUIPMENT.codes[: number % 3]),
        "near_station": number % 11 == 0,
    }
    if number % 3 == 0 and communes:
        values["commune"] = communes[number % len(communes)]
        values["radius_km"] = (10, 20, 30, 50)[number % 4]
    else:
        values["departments"] = [
            DEPARTMENTS[number % 5],
            *([DEPARTMENTS[(number + 2) % 5]] if number % 4 == 1 else []),
        ]
    return values


def requests_create(first: int, count: int) -> list:
    from micedesk.geo.models import Commune
    from micedesk.leads.models import QuoteRequest

    communes = list(
        Commune.objects.filter(latitude__isnull=False, department_id__in=DEPARTMENTS).order_by(
            "pk"
        )[::97]
    )
    created = []
    for start in range(first, first + count, 500):
        batch = [
            QuoteRequest(**request_values(number, communes))
            for number in range(start, min(start + 500, first + count))
        ]
        created += QuoteRequest.objects.bulk_create(batch)
    if not created or created[0].pk is None:  # SQLite before returning ids: read them back
        created = list(
            QuoteRequest.objects.filter(
                reference__gte=f"{BENCH_PREFIX}{first:08d}",
                reference__lt=f"{BENCH_PREFIX}{first + count:08d}",
            ).order_by("pk")
        )
    return created


def measure_route() -> dict:
    """Match and route ROUTE_REQUESTS requests one by one, timed each (after a warm-up request that
    builds the in-process supplier index)."""
    from micedesk.leads.matching import quote_request_match
    from micedesk.leads.routing import quote_request_route

    warmup, *requests = requests_create(0, ROUTE_REQUESTS + 1)
    start = time.perf_counter()
    quote_request_route(quote_request=warmup)
    warmup_seconds = time.perf_counter() - start
    route_ms, match_ms, dispatches = [], [], 0
    for quote_request in requests:
        start = time.perf_counter()
        dispatches += len(quote_request_route(quote_request=quote_request))
        route_ms.append((time.perf_counter() - start) * 1000)
    # Matching alone, on the same requests (it replaces the Match rows routing stored).
    for quote_request in requests:
        start = time.perf_counter()
        quote_request_match(quote_request=quote_request)
        match_ms.append((time.perf_counter() - start) * 1000)
    return {
        "route_requests": len(requests),
        "route_p50_ms": round(statistics.median(route_ms), 1),
        "route_p95_ms": round(percentile(route_ms, 0.95), 1),
        "match_p50_ms": round(statistics.median(match_ms), 1),
        "match_p95_ms": round(percentile(match_ms, 0.95), 1),
        "route_dispatches_per_request": round(dispatches / len(requests), 2),
        "first_route_with_index_build_seconds": round(warmup_seconds, 2),
    }


class Mailbox:
    """What the SMTP server received: every envelope recipient of every message, with its ids."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[str, str, tuple[str, ...]]] = []

    # aiosmtpd calls this hook by this name.
    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes

        message = message_from_bytes(envelope.content)
        with self.lock:
            self.messages.append(
                (
                    message.get("Message-ID", ""),
                    message.get("X-Micedesk-Request", ""),
                    tuple(sorted(envelope.rcpt_tos)),
                )
            )
        return "250 OK"


def pending_dispatches() -> int:
    from micedesk.leads.models import Dispatch

    return Dispatch.objects.filter(
        quote_request__reference__startswith=BENCH_PREFIX, sent_at__isnull=True
    ).count()


def worker(stop_file: Path) -> None:
    """A `send_dispatches --loop` of the benchmark: drains the outbox until routing has finished
    (the stop file exists) and nothing of the benchmark is left to send."""
    from django.db import DatabaseError, close_old_connections

    from micedesk.leads.outbox import dispatches_send_due

    while True:
        close_old_connections()
        try:
            sent = dispatches_send_due(limit=WORKER_BATCH)
        except DatabaseError as error:  # SQLite busy beyond its timeout: try again, as the command
            log(f"worker: {error}")
            sent = 0
        if sent:
            continue
        if stop_file.exists() and pending_dispatches() == 0:
            return
        time.sleep(0.05)


def measure_backlog(size: int) -> dict:
    """Create `size` requests, route them while WORKERS worker processes send the dispatches to a
    loopback SMTP server; count what the server received."""
    from aiosmtpd.controller import Controller
    from django.db import connection

    from micedesk.leads.models import Dispatch
    from micedesk.leads.routing import quote_request_route

    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    stop_file = ROOT / "var" / "bench" / f"leads-stop-{os.getpid()}"
    stop_file.unlink(missing_ok=True)
    requests = requests_create(ROUTE_REQUESTS + 1, size)
    connection.close()
    env = {**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)}
    try:
        workers = [
            subprocess.Popen([PYTHON, __file__, "--worker", str(stop_file)], cwd=ROOT, env=env)
            for _ in range(WORKERS)
        ]
        start = time.perf_counter()
        for quote_request in requests:
            quote_request_route(quote_request=quote_request)
        routed_seconds = time.perf_counter() - start
        stop_file.touch()
        for process in workers:
            if process.wait():
                raise SystemExit(f"a worker failed with {process.returncode}")
        seconds = time.perf_counter() - start
    finally:
        stop_file.unlink(missing_ok=True)
        controller.stop()
    dispatches = Dispatch.objects.filter(quote_request__reference__startswith=BENCH_PREFIX)
    made = dispatches.count()
    mailed = dispatches.filter(sent_at__isnull=False).exclude(last_error__gt="").count()
    backlog_mails = mailbox.messages
    ids = Counter(message_id for message_id, _request, _to in backlog_mails)
    pairs = Counter(
        (recipient, request)
        for _id, request, recipients in backlog_mails
        for recipient in recipients
    )
    return {
        "backlog_requests": size,
        "backlog_dispatches": made,
        "backlog_seconds": round(seconds, 1),
        "backlog_routing_seconds": round(routed_seconds, 1),
        "backlog_workers": WORKERS,
        "dispatches_per_s": round(made / seconds, 1),
        "requests_per_s": round(size / seconds, 1),
        "mails_expected": mailed,
        "mails_received": len(backlog_mails),
        "duplicates": sum(count - 1 for count in ids.values()),
        "duplicate_recipient_request_pairs": sum(count - 1 for count in pairs.values()),
        "unsent": made - dispatches.filter(sent_at__isnull=False).count(),
    }


def engine_main() -> None:
    django_setup()
    from micedesk.directory.models import Supplier

    left = cleanup()
    if left:
        log(f"removed {left} requests left by an interrupted run")
    figures: dict = {"suppliers": Supplier.objects.count()}
    try:
        log("matching and routing one request")
        figures.update(measure_route())
        # The backlog starts from an empty outbox: what the SMTP server receives is the backlog.
        cleanup()
        log(f"backlog of {BACKLOG} requests")
        figures.update(measure_backlog(BACKLOG))
    finally:
        figures["cleaned_requests"] = cleanup()
    print(json.dumps(figures))


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "leads.json"
    results: dict = json.loads(path.read_text()) if path.exists() else {}
    results.update(
        {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "date": time.strftime("%Y-%m-%d"),
        }
    )
    workdir = ROOT / "var" / "bench"
    urls = {"sqlite": f"sqlite:///{workdir / 'micedesk_bench.sqlite3'}"}
    if pg_reachable():
        urls["postgresql"] = f"{PG_BASE}/micedesk_bench"
    wanted = sys.argv[1:] or list(urls)
    for engine in [engine for engine in urls if engine in wanted]:
        env = {
            **os.environ,
            "DATABASE_URL": urls[engine],
            "DEBUG": "False",
            # The workers drain the outbox here; routing's "send soon" task is not needed.
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
        }
        subprocess.run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env)
        log(f"{engine}")
        output = subprocess.run(
            [PYTHON, __file__, "--engine"],
            cwd=ROOT,
            env=env,
            capture_output=False,
            stdout=subprocess.PIPE,
            text=True,
            check=True,
        ).stdout
        results[engine] = json.loads(output.strip().splitlines()[-1])
        path.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--engine"]:
        engine_main()
    elif sys.argv[1:2] == ["--worker"]:
        django_setup()
        worker(Path(sys.argv[2]))
    else:
        main()
