"""`python bench/plan.py [--quick]`: the budget planner's solve times.

In a fresh SQLite database (var/bench/plan_bench.sqlite3) with the Normandy plan loaded, it
measures, median and p95 of `BENCH_PLAN_RUNS` runs (default 30) after a warm-up:

- `cpsat_normandy`: CP-SAT on the whole Normandy plan's 2023 (the plan's own caps);
- `cpsat_reduced` and `brute_force_reduced`: CP-SAT and brute force on a reduced problem (the
  first options of that year, as many as brute force takes in about a second);
- `plan_budget`: the planner end to end (read the year, returns factors, two solves, the
  explanations), against `year_read` (the selector it starts from) as a baseline measured in the
  same run: the ratio is the figure to read on a shared, noisy machine.

Results in bench/results/plan.json (quick: plan-quick.json), with the commit and the machine.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WORKDIR = ROOT / "var" / "bench"
QUICK = "--quick" in sys.argv
RUNS = int(os.environ.get("BENCH_PLAN_RUNS", "5" if QUICK else "30"))
YEAR = 2023
# Options of the reduced problem: the brute force tries every combination of their quantities.
REDUCED_OPTIONS = 6 if QUICK else 9


def log(message: str) -> None:
    print(f"[bench plan] {message}", file=sys.stderr, flush=True)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(run, runs: int = RUNS) -> dict[str, float]:
    run()  # warm-up: imports, caches
    values = []
    for _number in range(runs):
        start = time.perf_counter()
        run()
        values.append((time.perf_counter() - start) * 1000)
    return {
        "runs": runs,
        "p50_ms": round(statistics.median(values), 3),
        "p95_ms": round(percentile(values, 0.95), 3),
    }


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return found.stdout.strip() or "unknown"


def setup() -> None:
    WORKDIR.mkdir(parents=True, exist_ok=True)
    path = WORKDIR / "plan_bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def main() -> None:
    setup()
    from micedesk.accounts.models import Role, User
    from micedesk.plan import planner, selectors
    from micedesk.plan.planner import Problem, solve, solve_exhaustively
    from micedesk.plan.reference import load_plan

    plan = load_plan().plan
    staff = User.objects.create_user(
        email="bench-plan@bureau.example", password="bench", role=Role.STAFF
    )
    budget, fte = plan.stated_min_budget, plan.stated_fte
    problem, _choices, _factors = planner._build(
        plan=plan, year=YEAR, budget=budget, fte=fte, basis="high"
    )
    reduced = Problem(
        tuple(o for o in problem.options if o.max_q)[:REDUCED_OPTIONS],
        problem.budget // 3,
        problem.staff,
    )
    combinations = 1
    for option in reduced.options:
        combinations *= option.max_q + 1
    assert solve(reduced).value == solve_exhaustively(reduced).value
    log(
        f"{len(problem.options)} options; reduced: {len(reduced.options)} ({combinations} combinations)"
    )
    figures: dict = {
        "options": len(problem.options),
        "reduced_options": len(reduced.options),
        "reduced_combinations": combinations,
        "cpsat_normandy": timed(lambda: solve(problem)),
        "cpsat_reduced": timed(lambda: solve(reduced)),
        "brute_force_reduced": timed(lambda: solve_exhaustively(reduced), max(3, RUNS // 5)),
        "year_read": timed(lambda: selectors.year_action_years(plan=plan, year=YEAR)),
        "plan_budget": timed(
            lambda: planner.plan_budget(user=staff, plan=plan, year=YEAR, budget=budget, fte=fte)
        ),
    }
    answer = planner.plan_budget(user=staff, plan=plan, year=YEAR, budget=budget, fte=fte)
    figures["answer"] = {
        "status": answer.solution.status,
        "cost": str(answer.cost),
        "value": answer.value,
        "actions_in": len(answer.chosen),
    }
    figures["ratios"] = {
        "brute_force_over_cpsat_reduced": round(
            figures["brute_force_reduced"]["p50_ms"] / figures["cpsat_reduced"]["p50_ms"], 1
        ),
        "plan_budget_over_year_read": round(
            figures["plan_budget"]["p50_ms"] / figures["year_read"]["p50_ms"], 1
        ),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / ("plan-quick.json" if QUICK else "plan.json")
    results = {
        "quick": QUICK,
        "year": YEAR,
        "caps": {"budget": str(budget), "fte": str(fte), "basis": "high"},
        "commit": commit(),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
        "sqlite": figures,
    }
    path.write_text(json.dumps(results, indent=2, default=str) + "\n")
    log(f"written {path.relative_to(ROOT)}")
    print(json.dumps(results["sqlite"]["ratios"]))


if __name__ == "__main__":
    main()
