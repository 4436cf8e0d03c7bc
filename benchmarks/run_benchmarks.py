"""Time the project against the JSON scan floor and a plain PySpark job; write docs/benchmarks.md.

For each size (default 1, 10 and 100 million events, about 1 % dirt) it generates the data set
once (cached under benchmarks/.data/), then, on the same files:

1. the floor: one DuckDB ``read_json`` of every file with the needed columns and nothing else;
2. the project: ``dbt build --full-refresh`` end to end (wall time, peak memory of the process
   tree, and the sum of the model times from run_results.json), with DuckDB's memory_limit at 4 GB;
3. the PySpark job in benchmarks/pyspark_job.py (up to --pyspark-max events), whose output is
   checked equal to the project's on the smallest size.

Then the daily incremental run: one new day on top of 30 loaded days, against a full refresh.

    .venv/bin/python benchmarks/run_benchmarks.py [--sizes 1000000 10000000] [--pyspark-max N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = REPO / "benchmarks" / ".data"
DOC = REPO / "docs" / "benchmarks.md"
CHART = REPO / "docs" / "benchmarks.png"
RESULTS = REPO / "benchmarks" / "results.json"
MEMORY_LIMIT = "4GB"
EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")
# Columns the job needs, per event type: what the floor reads.
NEEDED = {
    "reel_watched": [
        "user_uid", "reel_uid", "origin_platform", "app_version", "reel_duration",
        "reel_watch_duration", "replay_count",
    ],
    "reel_liked": ["user_uid", "reel_uid", "timestamp", "server_timestamp"],
    "reel_unliked": ["user_uid", "reel_uid", "timestamp", "server_timestamp"],
}  # fmt: skip
BOOKKEEPING = (
    "model.loco_clips.int_unparsed_lines_recovered",
    "model.loco_clips.rejected_events",
    "model.loco_clips.int_event_outcomes_counted",
    "test.loco_clips.assert_every_input_line_accounted_for",
    "test.loco_clips.assert_rejection_rate_within_limit",
    "test.loco_clips.assert_unparsed_lines_all_recovered",
)


@dataclass
class Run:
    seconds: float
    peak_bytes: int = 0
    extra: dict[str, float] = field(default_factory=dict)
    nodes: dict[str, float] = field(default_factory=dict)


def _tree_rss(pid: int) -> int:
    """Resident memory of a process and all its descendants, in bytes."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        stack.extend(int(child) for child in children)
    return total


def measure(command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command; return its wall time and the peak memory of its process tree."""
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )

    def sample() -> None:
        nonlocal peak
        while process.poll() is None:
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    seconds = time.perf_counter() - started
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{output[-4000:]}")
    return Run(seconds=seconds, peak_bytes=peak)


def dataset(events: int, days: int | None = None) -> Path:
    """The cached data set of ``events`` events (generated once, then reused)."""
    days = days or min(30, max(3, events // 1_000_000))
    folder = (
        DATA / f"events-{events}"
        if days == min(30, max(3, events // 1_000_000))
        else (DATA / f"events-{events}-days-{days}")
    )
    if (folder / "_SUCCESS").exists():
        return folder
    partial = DATA / f".partial-{events}"
    shutil.rmtree(partial, ignore_errors=True)
    print(f"generating {events:,} events over {days} days ...", flush=True)
    subprocess.run(
        [
            str(BIN / "loco-clips-generate"), "--out", str(partial), "--events", str(events),
            "--dirt-rate", "0.01", "--seed", "1", "--days", str(days), "--files-per-day", "4",
            "--format", "jsonl", "--workers", str(os.cpu_count() or 1),
        ],
        check=True,
    )  # fmt: skip
    (partial / "_SUCCESS").touch()
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def input_bytes(raw: Path) -> int:
    return sum(p.stat().st_size for t in EVENT_TYPES for p in (raw / t).rglob("*.json*"))


def floor(raw: Path) -> Run:
    """DuckDB reading every file once, with the needed columns and nothing else."""
    connection = duckdb.connect()
    best = float("inf")
    for _ in range(2):
        started = time.perf_counter()
        for event_type, columns in NEEDED.items():
            spec = ", ".join(f"'{c}': 'varchar'" for c in columns)
            counts = ", ".join(f"count({c})" for c in columns)
            connection.sql(
                f"select count(*), {counts} from read_json('{raw / event_type}/**/*.json*', "
                f"format = 'newline_delimited', ignore_errors = true, "
                f"hive_partitioning = false, columns = {{{spec}}})"
            ).fetchall()
        best = min(best, time.perf_counter() - started)
    return Run(seconds=best)


def dbt_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "bench.duckdb"),
        "DBT_DUCKDB_MEMORY_LIMIT": MEMORY_LIMIT,
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }


def dbt_build(work: Path, raw: Path, out: Path, full_refresh: bool = True) -> Run:
    variables = json.dumps({"raw_path": str(raw), "output_path": str(out)})
    command = [str(BIN / "dbt"), "build", "--vars", variables]
    if full_refresh:
        command.append("--full-refresh")
    run = measure(command, env=dbt_env(work))
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    results = run_results["results"]
    # What dbt costs before and after running the nodes: start-up, parse, artifacts.
    run.extra["fixed_seconds"] = run.seconds - run_results["elapsed_time"]
    run.extra["model_seconds"] = sum(
        r["execution_time"] for r in results if r["unique_id"].startswith("model.")
    )
    run.extra["bookkeeping_seconds"] = sum(
        r["execution_time"] for r in results if r["unique_id"] in BOOKKEEPING
    )
    run.extra["node_seconds"] = sum(r["execution_time"] for r in results)
    run.nodes = {r["unique_id"].split(".", 2)[-1]: r["execution_time"] for r in results}
    return run


def pyspark(raw: Path, out: Path, work: Path) -> Run:
    job = REPO / "benchmarks" / "pyspark_job.py"
    return measure(
        [str(BIN / "python"), str(job), "--raw", str(raw), "--out", str(out), "--tmp", str(work)]
    )


def outputs_equal(project: Path, spark: Path) -> bool:
    left = f"read_parquet('{project}/user_reel_interest.parquet')"
    right = f"read_parquet('{spark}/user_reel_interest/*.parquet')"
    query = (
        f"select count(*) from ((from {left} except all from {right}) "
        f"union all (from {right} except all from {left}))"
    )
    return duckdb.sql(query).fetchall()[0][0] == 0


def incremental(raw: Path, work: Path) -> tuple[Run, Run]:
    """One new day on top of 30 loaded days, against a full refresh of all 31."""
    days = sorted({p.name for p in (raw / "reel_watched").iterdir() if p.name.startswith("dt=")})
    if len(days) < 2:
        raise RuntimeError("the incremental benchmark needs a data set of several days")
    landing = work / "landing"

    def land(day: str) -> None:
        # Hard links: a new day "arrives" without copying gigabytes (and globs do not follow
        # symlinked folders).
        for event_type in EVENT_TYPES:
            shutil.copytree(
                raw / event_type / day, landing / event_type / day, copy_function=os.link
            )

    for day in days[:-1]:
        land(day)
    out = work / "out"
    dbt_build(work, landing, out)
    land(days[-1])
    daily = dbt_build(work, landing, out, full_refresh=False)
    full = dbt_build(work, landing, out)
    return daily, full


def daily_benchmark(events: int) -> dict[str, float]:
    """The daily incremental run against a full refresh, on ``events`` events over 31 days."""
    raw = dataset(events, days=31)
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        run, full = incremental(raw, Path(tmp))

    def reading(build: Run) -> float:
        # The nodes that read JSON: the staging models and the recovery of unparsed lines.
        return sum(
            seconds
            for name, seconds in build.nodes.items()
            if name.startswith("stg_clips__") or name == "int_unparsed_lines_recovered"
        )

    return {
        "events": events,
        "daily": run.seconds,
        "full": full.seconds,
        "daily_reading": reading(run),
        "full_reading": reading(full),
        "daily_models": run.extra["model_seconds"],
        "full_models": full.extra["model_seconds"],
    }


def _target_lines(rows: list[dict], daily: dict | None) -> list[str]:
    """The issue's targets, each with the measured value and whether it is met."""
    by_size = {r["events"]: r for r in rows}
    lines = ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]

    def ratio_line(events: int, limit: float) -> None:
        row = by_size.get(events)
        if row is None or not row.get("project"):
            state = "not run" if row is None else "did not finish"
            lines.append(f"| project ≤ {limit:g}× the floor at {events:,} events | {state} | no |")
            return
        ratio = row["project"] / row["floor"]
        lines.append(
            f"| project ≤ {limit:g}× the floor at {events:,} events | {ratio:.1f}× "
            f"| {'yes' if ratio <= limit else f'no, {ratio / limit:.1f}× over'} |"
        )

    ratio_line(10_000_000, 3)
    ratio_line(100_000_000, 2)
    row = by_size.get(10_000_000)
    if row and row.get("pyspark") and row.get("project"):
        speedup = row["pyspark"] / row["project"]
        lines.append(
            f"| project ≥ 10× faster than PySpark at 10,000,000 events | {speedup:.1f}× "
            f"| {'yes' if speedup >= 10 else f'no, {10 / speedup:.1f}× short'} |"
        )
    big = by_size.get(100_000_000)
    if big is None:
        outcome = "not run | – |"
    elif big.get("project"):
        outcome = f"finished, peak {big['project_peak'] / 2**30:.1f} GiB | yes |"
    else:
        outcome = "did not finish | no |"
    lines.append(f"| 100,000,000 events finish with memory_limit 4 GB | {outcome}")
    worst = max((r for r in rows if r.get("project")), key=lambda r: r["events"])
    share = worst["bookkeeping"]
    lines.append(
        f"| counting and keeping rejected lines ≤ 20 % of the run ({worst['events']:,} events) "
        f"| {share * 100:.0f} % | {'yes' if share <= 0.2 else 'no'} |"
    )
    if daily:
        lines.append(
            f"| daily incremental run cheaper than a full refresh | {daily['daily']:.1f} s "
            f"against {daily['full']:.1f} s | {'yes' if daily['daily'] < daily['full'] else 'no'} |"
        )
    return lines


def write_doc(results: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, daily, machine = results["rows"], results.get("daily"), results["machine"]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for key, label in (("floor", "floor: DuckDB read_json"), ("project", "project: dbt build"),
                       ("pyspark", "PySpark job")):  # fmt: skip
        points = [(r["events"], r[key]) for r in rows if r.get(key)]
        if points:
            axis.plot(*zip(*points, strict=True), marker="o", label=label)
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("events")
    axis.set_ylabel("wall time, seconds")
    axis.set_title(f"Loco Clips ETL, {machine['cores']} cores, {machine['memory_gib']:.0f} GiB")
    axis.grid(True, which="both", alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(CHART, dpi=110)

    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`benchmarks/run_benchmarks.py`, numbers kept in",
        "`benchmarks/results.json`); do not edit by hand.",
        "",
        f"Machine: {machine['cores']} cores, {machine['memory_gib']:.0f} GiB memory, "
        f"{machine['cpu']}, Python {machine['python']}, DuckDB {machine['duckdb']}, "
        f"DuckDB memory_limit {MEMORY_LIMIT}, dbt threads 1. Load average when the run started: "
        f"{machine['load_average']:.1f} (on a shared machine, compare ratios measured in the same "
        "run rather than absolute times). Data: the project's generator, "
        "about 1 % dirt, uncompressed JSON Lines, 4 files a day.",
        "",
        "| events | input | floor | project | model time | dbt start-up and parse | PySpark "
        "| project / floor | PySpark / project | project peak memory | bookkeeping share |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        pyspark_cell = f"{r['pyspark']:.1f} s" if r.get("pyspark") else "not run"
        if not r.get("project"):
            lines.append(
                f"| {r['events']:,} | {r['input_bytes'] / 1e9:.2f} GB | {r['floor']:.1f} s "
                f"| **did not finish** (below) | – | – | {pyspark_cell} | – | – | – | – |"
            )
            continue
        ratio_cell = f"{r['pyspark'] / r['project']:.1f}×" if r.get("pyspark") else "–"
        fixed = r.get("fixed_seconds")
        lines.append(
            f"| {r['events']:,} | {r['input_bytes'] / 1e9:.2f} GB | {r['floor']:.1f} s "
            f"| {r['project']:.1f} s | {r['model_seconds']:.1f} s "
            f"| {f'{fixed:.1f} s' if fixed is not None else '–'} | {pyspark_cell} "
            f"| {r['project'] / r['floor']:.1f}× | {ratio_cell} "
            f"| {r['project_peak'] / 2**30:.1f} GiB | {r['bookkeeping'] * 100:.0f} % |"
        )
    lines += [
        "",
        "![time against events](benchmarks.png)",
        "",
        "- **floor**: DuckDB `read_json` of every file with only the needed columns (best of 2).",
        "- **project**: `dbt build --full-refresh` end to end, dbt start-up and every test",
        "  included; **model time** is the sum of the model times in `run_results.json`;",
        "  **dbt start-up and parse** is the wall time outside dbt's run of the nodes (Python",
        "  imports, a full parse of the project, writing the artifacts).",
        "- **bookkeeping share**: time of the nodes that exist only to count and keep rejected",
        "  lines (`int_unparsed_lines_recovered`, `rejected_events`, `int_event_outcomes_counted`",
        "  and the three quality-gate tests) over the time of all nodes.",
        "- **PySpark**: `benchmarks/pyspark_job.py`, local mode, all cores, the same rules.",
    ]
    if results.get("pyspark_equal") is not None:
        lines.append(
            f"- PySpark output equal to the project's on the {rows[0]['events']:,}-event set: "
            f"**{'yes' if results['pyspark_equal'] else 'NO'}**."
        )
    for r in rows:
        if r.get("project_error"):
            lines += [
                "",
                f"The project did not finish on {r['events']:,} events; the end of its output:",
                "",
                "```",
                r["project_error"].strip()[-1200:],
                "```",
            ]
    lines += _target_lines(rows, daily)
    largest = max((r for r in rows if r.get("project")), key=lambda r: r["events"])
    lines += [
        "",
        f"## Where the time goes ({largest['events']:,} events)",
        "",
        "| node | seconds |",
        "|---|---:|",
    ]
    for name, seconds in sorted(largest["nodes"].items(), key=lambda kv: -kv[1])[:12]:
        lines.append(f"| `{name}` | {seconds:.1f} |")
    if daily:
        lines += [
            "",
            "## Daily incremental run",
            "",
            f"One new `dt=` day on top of 30 loaded days "
            f"({daily.get('events', 3_100_000):,} events over 31 days, about "
            f"{daily.get('events', 3_100_000) // 31:,} a day); **reading JSON** is the time of the "
            "staging models and of the recovery of unparsed lines:",
            "",
            "| run | wall time | model time | reading JSON |",
            "|---|---:|---:|---:|",
        ]
        for label, key in (("daily incremental (new files only)", "daily"),
                           ("full refresh (all days)", "full")):  # fmt: skip
            models, reading = daily.get(f"{key}_models"), daily.get(f"{key}_reading")
            lines.append(
                f"| {label} | {daily[key]:.1f} s "
                f"| {f'{models:.1f} s' if models is not None else '–'} "
                f"| {f'{reading:.1f} s' if reading is not None else '–'} |"
            )
    notes = REPO / "benchmarks" / "NOTES.md"
    if notes.exists():
        lines += ["", notes.read_text().strip()]
    DOC.write_text("\n".join(lines) + "\n")


def save(results: dict) -> None:
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


def memory_gib() -> float:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, 100_000_000]
    )
    parser.add_argument(
        "--pyspark-max", type=int, default=10_000_000, help="largest size the PySpark job runs on"
    )
    parser.add_argument(
        "--incremental-size", type=int, default=3_100_000, help="events over 31 days (0: skip)"
    )
    parser.add_argument(
        "--doc-only", action="store_true", help="rewrite the doc from benchmarks/results.json"
    )
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="rerun only the daily incremental benchmark; keep the rest of benchmarks/results.json",
    )
    parser.add_argument(
        "--add-pyspark",
        type=int,
        metavar="EVENTS",
        help="time only the PySpark job on that (cached) size; store it in benchmarks/results.json",
    )
    args = parser.parse_args()
    if args.add_pyspark:
        results = json.loads(RESULTS.read_text())
        [row] = [r for r in results["rows"] if r["events"] == args.add_pyspark]
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            spark = pyspark(dataset(args.add_pyspark), Path(tmp) / "out", Path(tmp) / "spark")
        row["pyspark"], row["pyspark_peak"] = spark.seconds, spark.peak_bytes
        save(results)
        write_doc(results)
        return
    if args.doc_only:
        write_doc(json.loads(RESULTS.read_text()))
        return
    if args.incremental_only:
        results = json.loads(RESULTS.read_text())
        results["daily"] = daily_benchmark(args.incremental_size)
        save(results)
        write_doc(results)
        return

    machine = {
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "load_average": os.getloadavg()[0],
    }
    rows, equal = [], None
    for events in sorted(args.sizes):
        raw = dataset(events)
        with tempfile.TemporaryDirectory(dir=DATA) as tmp:
            work = Path(tmp)
            row: dict = {"events": events, "input_bytes": input_bytes(raw)}
            row["floor"] = floor(raw).seconds
            try:
                project = dbt_build(work / "project", raw, work / "project-out")
            except RuntimeError as error:
                # Recorded, not fatal: the document says which size did not finish, and why.
                row["project_error"] = str(error)[-2000:]
                print(json.dumps(row), flush=True)
                rows.append(row)
                continue
            row["project"], row["project_peak"] = project.seconds, project.peak_bytes
            row["model_seconds"] = project.extra["model_seconds"]
            row["fixed_seconds"] = project.extra["fixed_seconds"]
            row["bookkeeping"] = (
                project.extra["bookkeeping_seconds"] / project.extra["node_seconds"]
            )
            row["nodes"] = project.nodes
            if events <= args.pyspark_max:
                spark = pyspark(raw, work / "spark-out", work / "spark")
                row["pyspark"], row["pyspark_peak"] = spark.seconds, spark.peak_bytes
                if equal is None:
                    equal = outputs_equal(work / "project-out", work / "spark-out")
            print(json.dumps({k: v for k, v in row.items() if k != "nodes"}), flush=True)
            rows.append(row)
    results = {"machine": machine, "rows": rows, "daily": None, "pyspark_equal": equal}
    save(results)  # the sizes are kept even if the daily run below fails
    if args.incremental_size:
        results["daily"] = daily_benchmark(args.incremental_size)
        save(results)
    write_doc(results)
    print(f"wrote {DOC.relative_to(REPO)} and {CHART.relative_to(REPO)}")


if __name__ == "__main__":
    main()
