"""`python bench/crm.py [--quick] [sqlite|postgresql]`: the CRM at the size of a national base.

For each engine (SQLite always; PostgreSQL when 127.0.0.1:5432 answers) in its own fresh database
under var/bench (`crm_bench.sqlite3`, `micedesk_crm_bench`), it generates BENCH_CRM_CONTACTS
contacts (default 100,000) with companies, topics, legal bases and BENCH_CRM_INTERACTIONS timeline
items (default 1,000,000) in bulk, then measures:

- the contact page of the back-office (Django test client, a staff member logged in) for 200
  random contacts: p50 and p95 in ms;
- two segments computed by micedesk.crm.segments (a workshop invitation list with renewal, and an
  e-mailing by topic), each about a tenth of the base, 20 runs each: p50 and p95;
- `manage.py import_contacts` of a BENCH_CRM_IMPORT-line CSV file (default 100,000; a tenth of
  the lines are contacts already in the base): wall time and peak memory of the process.

`--quick` runs a smoke test with small sizes. Results are written to bench/results/crm.json
(bench/results/crm-quick.json for --quick), with the commit and the machine's cores.
"""

from __future__ import annotations

import csv
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
WORKDIR = ROOT / "var" / "bench"
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "micedesk_crm_bench"
QUICK = "--quick" in sys.argv
SIZES = {
    "contacts": int(os.environ.get("BENCH_CRM_CONTACTS", "5000" if QUICK else "100000")),
    "interactions": int(os.environ.get("BENCH_CRM_INTERACTIONS", "50000" if QUICK else "1000000")),
    "import": int(os.environ.get("BENCH_CRM_IMPORT", "5000" if QUICK else "100000")),
    "pages": 50 if QUICK else 200,
    "segment_runs": 5 if QUICK else 20,
}
SEED = 5
BATCH = 5000
NORMANDY = ("14", "27", "50", "61", "76")
ELSEWHERE = ("75", "92", "69", "33", "59", "44", "35", "13", "67", "31")
WORKSHOP_TOPIC = "seminaires"
MAILING_TOPIC = "congres"


def log(message: str) -> None:
    print(f"[bench crm] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def summary(values_ms: list[float]) -> dict[str, float]:
    return {
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
        path = WORKDIR / "crm_bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    for statement in (
        f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
        f"CREATE DATABASE {DATABASE}",
    ):
        subprocess.run(["psql", f"{PG_BASE}/postgres", "-qc", statement], check=True)
    return f"{PG_BASE}/{DATABASE}"


def measured(command: list[str], env: dict[str, str], output: Path) -> dict[str, float]:
    """Run a command, its output to a file; its wall time and the peak memory of its process."""
    start = time.perf_counter()
    with output.open("w") as handle:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle)
    _pid, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{' '.join(command)} failed")
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
    }


# --- Inside one engine's process ------------------------------------------------------------


def django_setup() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    django.setup()


def bulk(model: type, rows: list, bar) -> None:
    for start in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[start : start + BATCH])
        bar.update(len(rows[start : start + BATCH]))


def actions_create() -> dict[str, list]:
    """Three years of bureau actions: monthly workshops, trade shows, mailings, and one workshop
    ahead (the one the invitation list is for)."""
    from micedesk.crm.models import ActionKind, BureauAction, Topic

    today = datetime.date.today()
    seminars = Topic.objects.get(code=WORKSHOP_TOPIC)
    workshops = []
    for month in range(36, 0, -1):
        workshop = BureauAction.objects.create(
            name=f"Demo workshop {month}",
            kind=ActionKind.WORKSHOP,
            starts_on=today - datetime.timedelta(days=30 * month),
            department_code="75",
            is_demo=True,
        )
        workshop.topics.add(seminars)
        workshops.append(workshop)
    others = [
        BureauAction.objects.create(
            name=f"Demo {kind} {number}",
            kind=kind,
            starts_on=today - datetime.timedelta(days=45 * number),
            is_demo=True,
        )
        for number in range(1, 21)
        for kind in (ActionKind.TRADE_SHOW, ActionKind.MAILING, ActionKind.WEBINAR)
    ]
    upcoming = BureauAction.objects.create(
        name="Demo workshop ahead",
        kind=ActionKind.WORKSHOP,
        starts_on=today + datetime.timedelta(days=60),
        department_code="14",
        is_demo=True,
    )
    upcoming.topics.add(seminars)
    return {"workshops": workshops, "others": others, "upcoming": [upcoming]}


def contacts_generate(rng: random.Random) -> dict:
    """Companies, contacts with topics and legal bases, then the timeline: all in bulk."""
    from django.db import connection
    from django.utils import timezone
    from tqdm import tqdm

    from micedesk.crm.keys import company_key, person_key
    from micedesk.crm.models import (
        Company,
        Consent,
        ConsentMethod,
        Contact,
        Interaction,
        InteractionKind,
        LegalBasis,
        Purpose,
        Topic,
    )

    count = SIZES["contacts"]
    now = timezone.now()
    topics = list(Topic.objects.order_by("pk"))
    wanted = {topic.code: topic for topic in topics}
    actions = actions_create()
    with tqdm(total=count // 4, desc="companies", unit="row") as bar:
        names = [f"Demo company {number}" for number in range(count // 4)]
        bulk(Company, [Company(name=n, name_key=company_key(n), is_demo=True) for n in names], bar)
    company_ids = list(Company.objects.values_list("pk", flat=True))
    rows = []
    for number in range(count):
        first, last = f"Demo{number % 997}", f"Planner{number}"
        department = rng.choice(NORMANDY) if rng.random() < 0.5 else rng.choice(ELSEWHERE)
        rows.append(
            Contact(
                first_name=first,
                last_name=last,
                name_key=person_key(first, last),
                email=f"planner{number}@crm-bench.example",
                company_id=rng.choice(company_ids) if rng.random() < 0.8 else None,
                department_code=department,
                country="FR",
                source_action=rng.choice(actions["others"]) if rng.random() < 0.6 else None,
                created_at=now - datetime.timedelta(days=rng.randint(30, 1500)),
                last_interaction_at=now - datetime.timedelta(days=rng.randint(0, 900)),
                is_demo=True,
            )
        )
    with tqdm(total=count, desc="contacts", unit="row") as bar:
        bulk(Contact, rows, bar)
    contact_ids = list(Contact.objects.order_by("pk").values_list("pk", flat=True))
    through = Contact.topics.through
    links, consents = [], []
    for pk in contact_ids:
        chosen = {WORKSHOP_TOPIC} if rng.random() < 0.45 else set()
        if rng.random() < 0.11:
            chosen.add(MAILING_TOPIC)
        chosen.update(topic.code for topic in rng.sample(topics, rng.randint(0, 2)))
        links += [through(contact_id=pk, topic_id=wanted[code].pk) for code in chosen]
        for purpose in (Purpose.INVITATIONS, Purpose.MAILING):
            if rng.random() < 0.5:
                consents.append(
                    Consent(
                        contact_id=pk,
                        purpose=purpose,
                        basis=LegalBasis.CONSENT,
                        granted=rng.random() < 0.95,
                        method=ConsentMethod.IMPORT,
                        recorded_at=now - datetime.timedelta(days=rng.randint(1, 900)),
                        proof="Demo base",
                    )
                )
    with tqdm(total=len(links) + len(consents), desc="topics and consents", unit="row") as bar:
        bulk(through, links, bar)
        bulk(Consent, consents, bar)
    kinds = [
        InteractionKind.CALL,
        InteractionKind.EMAIL,
        InteractionKind.MAILING,
        InteractionKind.NOTE,
        InteractionKind.MET,
        InteractionKind.QUOTE_REQUEST,
        InteractionKind.VISIT,
    ]
    total = SIZES["interactions"]
    with tqdm(total=total, desc="timeline", unit="row") as bar:
        made = 0
        while made < total:
            size = min(BATCH * 4, total - made)
            items = []
            for _ in range(size):
                kind = rng.choice(kinds) if rng.random() < 0.7 else InteractionKind.INVITED
                if kind == InteractionKind.INVITED:
                    action = rng.choice(actions["workshops"])
                elif kind in (InteractionKind.MET, InteractionKind.MAILING):
                    action = rng.choice(actions["others"])
                else:
                    action = None
                items.append(
                    Interaction(
                        contact_id=rng.choice(contact_ids),
                        kind=kind,
                        occurred_at=now - datetime.timedelta(minutes=rng.randint(60, 1_500_000)),
                        action=action,
                        summary="Demo timeline item",
                    )
                )
            bulk(Interaction, items, bar)
            made += size
    # Fresh statistics, as autovacuum (PostgreSQL) or a routine ANALYZE would leave them: without
    # them the planner takes the bulk-loaded tables for empty ones.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"contact_ids": contact_ids, "upcoming": actions["upcoming"][0]}


def staff_user():
    from micedesk.accounts.models import Role, User

    return User.objects.create_user(
        "staff@crm-bench.example", None, role=Role.STAFF, is_staff=True, full_name="Bench staff"
    )


def measure_contact_page(contact_ids: list[int], rng: random.Random) -> dict:
    from django.test import Client
    from django.urls import reverse

    from micedesk.crm.models import Interaction

    client = Client()
    client.force_login(staff_user())
    chosen = rng.sample(contact_ids, min(SIZES["pages"], len(contact_ids)))
    client.get(reverse("backoffice:contact", args=[chosen[0]]))  # warm-up: templates, caches
    timings = []
    for pk in chosen:
        start = time.perf_counter()
        response = client.get(reverse("backoffice:contact", args=[pk]))
        timings.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"contact page {pk} answered {response.status_code}")
    items = Interaction.objects.filter(contact_id__in=chosen).count()
    list_timings = []
    for query in ("planner12", "demo company 7", "", "planner9"):
        start = time.perf_counter()
        response = client.get(reverse("backoffice:contacts"), {"q": query, "department": "14"})
        list_timings.append((time.perf_counter() - start) * 1000)
    return {
        "contact_page": {
            "pages": len(chosen),
            "timeline_items_per_page": round(items / len(chosen), 1),
            **summary(timings),
        },
        "contact_list_search": summary(list_timings),
    }


def measure_segments(upcoming) -> dict:
    from micedesk.accounts.models import User
    from micedesk.crm.models import SegmentKind
    from micedesk.crm.segments import rules_evaluate, topic_mailing_rules, workshop_invitation_rules

    user = User.objects.get(email="staff@crm-bench.example")
    segments = {
        "segment_workshop": (
            SegmentKind.WORKSHOP_INVITATION,
            workshop_invitation_rules(workshop=upcoming, place="region", k=2, m=3),
        ),
        "segment_mailing": (
            SegmentKind.TOPIC_MAILING,
            topic_mailing_rules(topics=[MAILING_TOPIC]),
        ),
    }
    figures = {}
    for name, (kind, rules) in segments.items():
        timings, size = [], 0
        for _run in range(SIZES["segment_runs"]):
            start = time.perf_counter()
            result = rules_evaluate(kind=kind, rules=rules, user=user)
            size = len(list(result.contacts.values_list("pk", flat=True)))
            timings.append((time.perf_counter() - start) * 1000)
        figures[name] = {"contacts": size, "runs": len(timings), **summary(timings)}
    return figures


IMPORT_HEADER = [
    "Raison sociale",
    "Civilité",
    "Nom",
    "Prénom",
    "Fonction",
    "Mél",
    "Téléphone",
    "Code postal",
    "Commune",
    "Pays",
    "Type de structure",
    "Code NAF",
    "Effectif",
    "Centres d'intérêt",
    "Langue",
    "Date de création",
    "Accord e-mailing",
]


def import_file_write(path: Path, rng: random.Random) -> None:
    """A Tourinsoft-style export: new people, and a tenth already in the base (same e-mail)."""
    existing = SIZES["contacts"]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(IMPORT_HEADER)
        lines = SIZES["import"]
        known = rng.sample(range(lines), min(existing, lines // 10))
        # Each known person once: a file with the same address twice has its second line refused.
        people = dict(zip(known, rng.sample(range(existing), len(known)), strict=True))
        for number in range(lines):
            email = (
                f"planner{people[number]}@crm-bench.example"
                if number in people
                else f"imported{number}@crm-import.example"
            )
            department = rng.choice(NORMANDY + ELSEWHERE)
            writer.writerow(
                [
                    f"Imported company {number % 5000}",
                    rng.choice(["M.", "Mme"]),
                    f"Imported{number}",
                    f"Demo{number % 513}",
                    "Chef de projet",
                    email,
                    "02 31 00 00 00",
                    f"{department}000",
                    "Demo town",
                    "France",
                    rng.choice(["Entreprise", "Agence", "Association"]),
                    "70.22Z",
                    "50 à 249",
                    rng.choice(["Séminaires", "Congrès", "Séminaires, Incentive"]),
                    "Français",
                    "15/03/2022",
                    rng.choice(["oui", "non"]),
                ]
            )


def engine_main() -> None:
    django_setup()
    from micedesk.crm.models import Contact, Interaction

    rng = random.Random(SEED)
    start = time.perf_counter()
    generated = contacts_generate(rng)
    figures: dict = {
        "contacts": Contact.objects.count(),
        "interactions": Interaction.objects.count(),
        "generate_seconds": round(time.perf_counter() - start, 1),
    }
    log("contact page")
    figures.update(measure_contact_page(generated["contact_ids"], rng))
    log("segments")
    figures.update(measure_segments(generated["upcoming"]))
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
    figures = json.loads(output.strip().splitlines()[-1])
    log(f"{engine}: import of {SIZES['import']} lines")
    path = WORKDIR / f"crm-import-{engine}.csv"
    import_file_write(path, random.Random(SEED + 1))
    report = WORKDIR / f"crm-import-{engine}.log"
    imported = measured([PYTHON, "manage.py", "import_contacts", str(path), "-v0"], env, report)
    figures["import"] = {
        "lines": SIZES["import"],
        "report": report.read_text().strip().splitlines()[-1],
        "seconds": imported["seconds"],
        "lines_per_s": round(SIZES["import"] / max(imported["seconds"], 0.1)),
        "peak_mb": imported["peak_mb"],
    }
    return figures


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS / ("crm-quick.json" if QUICK else "crm.json")
    results: dict = {
        "sizes": SIZES,
        "quick": QUICK,
        "commit": commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
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
