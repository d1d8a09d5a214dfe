"""`make bench`: builds the 100,000-supplier data set on SQLite and PostgreSQL and measures search.

Writes bench/results/search.json. Each engine gets its own database; the HTTP figures come from wrk
against gunicorn served as `make run` serves it, with a bare Django view measured in the same run as
the baseline. BENCH_SUPPLIERS sets the data set size (default 100000); `--measure-only` re-runs the
measurements on the databases of the previous run.
"""

from __future__ import annotations

import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
SUPPLIERS = int(os.environ.get("BENCH_SUPPLIERS", "100000"))
SEED = 1
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8137"))
WRK_SECONDS = int(os.environ.get("BENCH_WRK_SECONDS", "10"))


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def measured(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run a command; its wall time and the peak memory of its process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed with {process.returncode}")
    return {
        "seconds": round(time.perf_counter() - start, 1),
        "peak_mb": round(usage.ru_maxrss / 1024, 1),
    }


def manage(*args: str, env: dict[str, str]) -> dict[str, float]:
    return measured([PYTHON, "manage.py", *args], env)


def pg_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=2).close()
        return True
    except OSError:
        return False


def pg_recreate(name: str) -> None:
    subprocess.run(
        ["psql", PG_BASE + "/postgres", "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"],
        check=True,
    )
    subprocess.run(["psql", PG_BASE + "/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)


def database_url(engine: str, name: str, workdir: Path) -> str:
    if engine == "sqlite":
        path = workdir / f"{name}.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    pg_recreate(name)
    return f"{PG_BASE}/{name}"


def build(engine: str, workdir: Path) -> tuple[dict[str, str], dict]:
    """A fresh database with the reference data and the generated suppliers; then an import of them."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(engine, "micedesk_bench", workdir),
        "DEBUG": "False",
    }
    manage("migrate", "--noinput", "-v0", env=env)
    manage("load_reference_data", env=env)
    log(f"{engine}: generating {SUPPLIERS} suppliers")
    generation = manage(
        "generate_demo", "--suppliers", str(SUPPLIERS), "--seed", str(SEED), env=env
    )
    export_file = workdir / f"suppliers-{engine}.csv"
    export = manage("export_suppliers", "--format", "csv", "--output", str(export_file), env=env)
    import_env = {**env, "DATABASE_URL": database_url(engine, "micedesk_bench_import", workdir)}
    manage("migrate", "--noinput", "-v0", env=import_env)
    manage("load_reference_data", env=import_env)
    log(f"{engine}: importing {SUPPLIERS} suppliers from CSV")
    imported = manage("import_suppliers", str(export_file), env=import_env)
    counts = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-v0",
            "-c",
            "from micedesk.directory.models import Supplier, MeetingRoom;"
            "print(Supplier.objects.count(), MeetingRoom.objects.count())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    figures = {
        "suppliers": int(counts[0]),
        "rooms": int(counts[1]),
        "generate_seconds": generation["seconds"],
        "generate_peak_mb": generation["peak_mb"],
        "export_csv_seconds": export["seconds"],
        "import_seconds": imported["seconds"],
        "import_peak_mb": imported["peak_mb"],
    }
    return env, figures


def search_inprocess(env: dict[str, str]) -> dict:
    output = subprocess.run(
        [PYTHON, "bench/search_inprocess.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def wrk(paths: list[str], seconds: int = WRK_SECONDS) -> dict:
    quoted = ", ".join(json.dumps(path) for path in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            f"local paths = {{{quoted}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
        )
    output = subprocess.run(
        [
            "wrk",
            "-t2",
            "-c32",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_s": round(rps, 1),
        "p99_ms": round(float(p99.group(1)) * scale, 1),
        "errors": int(non2xx.group(1)) if non2xx else 0,
    }


def http(env: dict[str, str]) -> dict:
    from bench.search_queries import query_params, query_string

    queries = [query_string(params) for params in query_params(50, seed=11)]
    server_env = {
        **env,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SITE_URL": f"http://127.0.0.1:{PORT}",
    }
    server = subprocess.Popen(
        [
            str(Path(PYTHON).parent / "gunicorn"),
            "micedesk.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=server_env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        # Warm-up: each worker process builds its search index on its first search.
        wrk(["/bench/bare/", *[f"/api/v1/suppliers?{query}" for query in queries[:5]]], seconds=8)
        return {
            "bare_view": wrk(["/bench/bare/"]),
            "results_page": wrk([f"/recherche/?{query}" for query in queries]),
            "api": wrk([f"/api/v1/suppliers?{query}" for query in queries]),
        }
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    sys.path.insert(0, str(ROOT))
    RESULTS.mkdir(parents=True, exist_ok=True)
    engines = ["sqlite"] + (["postgresql"] if pg_reachable() else [])
    results: dict = {
        "suppliers": SUPPLIERS,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "date": time.strftime("%Y-%m-%d"),
    }
    workdir = ROOT / "var" / "bench"
    workdir.mkdir(parents=True, exist_ok=True)
    previous = (
        json.loads((RESULTS / "search.json").read_text())
        if (RESULTS / "search.json").exists()
        else {}
    )
    for engine in engines:
        if "--measure-only" in sys.argv and engine in previous:
            # Re-measure on the databases a previous full run built (for a quieter moment).
            name = "micedesk_bench"
            url = (
                f"sqlite:///{workdir / name}.sqlite3" if engine == "sqlite" else f"{PG_BASE}/{name}"
            )
            env = {**os.environ, "DATABASE_URL": url, "DEBUG": "False"}
            figures = {key: value for key, value in previous[engine].items() if key != "http"}
        else:
            env, figures = build(engine, workdir)
        log(f"{engine}: in-process search")
        figures.update(search_inprocess(env))
        if shutil.which("wrk"):
            log(f"{engine}: HTTP under wrk")
            figures["http"] = http(env)
            bare = figures["http"]["bare_view"]["requests_per_s"]
            for name in ("results_page", "api"):
                figures["http"][name]["ratio_to_bare"] = round(
                    figures["http"][name]["requests_per_s"] / bare, 3
                )
        results[engine] = figures
        (RESULTS / "search.json").write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
