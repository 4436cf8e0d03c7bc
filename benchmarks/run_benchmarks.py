"""Time the project against a hand-written DuckDB script, the JSON scan floor and a plain PySpark
job; write docs/benchmarks.md.

For each size (default 1, 10 and 100 million events, about 1 % dirt) it generates the data set
once (cached under benchmarks/.data/), then, on the same files:

1. the floor: one DuckDB ``read_json`` of every file with the needed columns and nothing else;
2. the hand-written contender, benchmarks/hand_written.sql: the same rules as one DuckDB query
   and one COPY, what a user would write instead of the project; its output is checked equal to
   the project's on every size;
3. the project: ``dbt build --full-refresh`` end to end (wall time, peak memory of the process
   tree, and the sum of the model times from run_results.json);
4. the PySpark job in benchmarks/pyspark_job.py (up to --pyspark-max events), whose output is
   checked equal to the project's on the smallest size.

DuckDB's memory_limit is 4 GB for the project and the contender. Then the daily run: 30 days of
300,000 events built, day 31 lands; then days 32 to 60 are loaded, and day 61 lands.

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

from loco_clips.raw_files import list_event_files

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
# publish_outputs, the third on-run-end hook of dbt_project.yml: it writes the Parquet snapshot.
PUBLISH_HOOK = "operation.loco_clips.loco_clips-on-run-end-2"
BOOKKEEPING = (
    "model.loco_clips.int_unparsed_lines_recovered",
    "model.loco_clips.rejected_events",
    "model.loco_clips.int_event_outcomes_counted",
    "test.loco_clips.assert_every_input_line_accounted_for",
    "test.loco_clips.assert_staging_keeps_every_line",
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
            # The column names are this file's constants; the file list is a bound parameter.
            spec = ", ".join(f"'{c}': 'varchar'" for c in columns)
            counts = ", ".join(f"count({c})" for c in columns)
            files = [str(file["path"]) for file in list_event_files(str(raw / event_type))]
            connection.execute(
                f"select count(*), {counts} from read_json($files, "
                f"format = 'newline_delimited', ignore_errors = true, "
                f"hive_partitioning = false, columns = {{{spec}}})",
                {"files": files},
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


def dbt_build(
    work: Path, raw: Path, out: Path, full_refresh: bool = True, scheduled: bool = False
) -> Run:
    """`dbt build`; ``scheduled``: as the Airflow DAG runs it, without the unit tests."""
    variables = json.dumps({"raw_path": str(raw), "output_path": str(out)})
    command = [str(BIN / "dbt"), "build", "--vars", variables]
    if scheduled:
        command += ["--exclude-resource-type", "unit_test"]
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
    # What the output itself requires: the tests on the marts, and writing the snapshot.
    manifest = json.loads((work / "target" / "manifest.json").read_text())
    marts = {f"model.loco_clips.{name}" for name in ("user_reel_interest", "rejected_events")}
    output_nodes = {
        unique_id
        for unique_id, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and marts & set(node["depends_on"]["nodes"])
    } | {PUBLISH_HOOK}
    run.extra["output_seconds"] = sum(
        r["execution_time"] for r in results if r["unique_id"] in output_nodes
    )
    run.nodes = {r["unique_id"].split(".", 2)[-1]: r["execution_time"] for r in results}
    return run


def pyspark(raw: Path, out: Path, work: Path) -> Run:
    job = REPO / "benchmarks" / "pyspark_job.py"
    return measure(
        [str(BIN / "python"), str(job), "--raw", str(raw), "--out", str(out), "--tmp", str(work)]
    )


def hand_written(raw: Path, out: Path) -> Run:
    script = REPO / "benchmarks" / "hand_written.py"
    return measure(
        [str(BIN / "python"), str(script), "--raw", str(raw), "--out", str(out),
         "--memory-limit", MEMORY_LIMIT]
    )  # fmt: skip


def outputs_equal(left: str, right: str) -> bool:
    """Whether two Parquet outputs (a file, or a glob of part files) hold the same rows."""
    query = (
        "select count(*) from ("
        "(from read_parquet($left) except all from read_parquet($right)) union all "
        "(from read_parquet($right) except all from read_parquet($left)))"
    )
    return duckdb.execute(query, {"left": left, "right": right}).fetchall()[0][0] == 0


def interest(out: Path) -> str:
    return str(out / "user_reel_interest.parquet")


def dbt_parse_seconds(work: Path, raw: Path, out: Path) -> tuple[float, float]:
    """dbt's fixed cost: ``dbt parse`` from scratch, then again with the first one's state (a
    partial parse: what a scheduled run with the same vars and profile pays)."""
    command = [str(BIN / "dbt"), "parse", "--vars",
               json.dumps({"raw_path": str(raw), "output_path": str(out)})]  # fmt: skip
    full = measure([*command, "--no-partial-parse"], env=dbt_env(work)).seconds
    partial = measure(command, env=dbt_env(work)).seconds
    return full, partial


def daily_benchmark(per_day: int) -> dict:
    """The daily run on 30 and on 60 days of history, against the 30-day build; the 61-day
    output is checked equal to the hand-written script's on the same files."""
    raw = dataset(per_day * 61, days=61)
    days = sorted({p.name for p in (raw / "reel_watched").iterdir() if p.name.startswith("dt=")})
    if len(days) != 61:
        raise RuntimeError(f"the daily benchmark needs 61 days, {raw} has {len(days)}")
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        work = Path(tmp)
        landing, out = work / "landing", work / "out"

        def land(chosen: list[str]) -> None:
            # Hard links: a day "arrives" without copying gigabytes.
            for day in chosen:
                for event_type in EVENT_TYPES:
                    shutil.copytree(
                        raw / event_type / day, landing / event_type / day, copy_function=os.link
                    )

        # Every build as the DAG runs it (no unit tests: CI runs those).
        land(days[:30])
        build = dbt_build(work, landing, out, scheduled=True)
        land(days[30:31])
        daily_30 = dbt_build(work, landing, out, full_refresh=False, scheduled=True)
        land(days[31:60])
        dbt_build(work, landing, out, full_refresh=False, scheduled=True)  # catching up
        land(days[60:61])
        daily_60 = dbt_build(work, landing, out, full_refresh=False, scheduled=True)
        hand_written(landing, work / "hand.parquet")
        equal = outputs_equal(interest(out), str(work / "hand.parquet"))
        full_parse, partial_parse = dbt_parse_seconds(work, landing, out)
    return {
        "events_per_day": per_day,
        "build_30": build.seconds,
        "daily_30": daily_30.seconds,
        "daily_60": daily_60.seconds,
        "fixed_build_30": build.extra["fixed_seconds"],
        "fixed_daily_30": daily_30.extra["fixed_seconds"],
        "fixed_daily_60": daily_60.extra["fixed_seconds"],
        "output_build_30": build.extra["output_seconds"],
        "output_daily_30": daily_30.extra["output_seconds"],
        "output_daily_60": daily_60.extra["output_seconds"],
        "nodes_build_30": build.nodes,
        "nodes_daily_30": daily_30.nodes,
        "nodes_daily_60": daily_60.nodes,
        "equal_to_hand_written": equal,
        "parse_full": full_parse,
        "parse_partial": partial_parse,
    }


def _verdict(met: bool, miss: str) -> str:
    return "yes" if met else f"no, {miss}"


def _target_lines(rows: list[dict], daily: dict | None) -> list[str]:
    """The targets of the issue, each with the measured value and whether it is met."""
    by_size = {r["events"]: r for r in rows}
    lines = ["", "## Targets", "", "| target | measured | met |", "|---|---|---|"]
    row = by_size.get(10_000_000)
    if row and row.get("project") and row.get("hand"):
        ratio = row["project"] / row["hand"]
        lines.append(
            f"| full build at 10,000,000 events ≤ 1.0× the hand-written script | {ratio:.1f}× "
            f"({row['project']:.1f} s against {row['hand']:.1f} s) "
            f"| {_verdict(ratio <= 1, f'{ratio:.1f}× over')} |"
        )
    else:
        lines.append(
            "| full build at 10,000,000 events ≤ 1.0× the hand-written script | not run | – |"
        )
    if daily:
        ratio = daily["daily_30"] / daily["build_30"]
        lines.append(
            f"| daily run on 30 days ≤ 0.25× the 30-day build | {ratio:.2f}× "
            f"({daily['daily_30']:.1f} s against {daily['build_30']:.1f} s) "
            f"| {_verdict(ratio <= 0.25, f'{ratio / 0.25:.1f}× over')} |"
        )
        growth = daily["daily_60"] / daily["daily_30"]
        lines.append(
            f"| daily run on 60 days ≤ 1.3× the one on 30 | {growth:.2f}× "
            f"({daily['daily_60']:.1f} s against {daily['daily_30']:.1f} s) "
            f"| {_verdict(growth <= 1.3, f'{growth / 1.3:.1f}× over')} |"
        )
        if daily.get("output_daily_30") is not None:
            rest_30 = daily["daily_30"] - daily["output_daily_30"]
            rest_60 = daily["daily_60"] - daily["output_daily_60"]
            lines.append(
                f"| the same, without what the output requires (tests on the marts, the "
                f"snapshot) | {rest_60 / rest_30:.2f}× ({rest_60:.1f} s against {rest_30:.1f} s) "
                f"| {_verdict(rest_60 / rest_30 <= 1.3, f'{rest_60 / rest_30 / 1.3:.1f}× over')} |"
            )
    else:
        lines.append("| daily runs | not run | – |")
    big = by_size.get(100_000_000)
    if big is None:
        outcome = "not run in this run | – |"
    elif big.get("project"):
        outcome = f"finished, peak {big['project_peak'] / 2**30:.1f} GiB | yes |"
    else:
        outcome = "did not finish | no |"
    lines.append(f"| 100,000,000 events finish with memory_limit 4 GB | {outcome}")
    worst = max((r for r in rows if r.get("project")), key=lambda r: r["events"])
    share = worst["bookkeeping"]
    lines.append(
        f"| bookkeeping ≤ 10 % of a full build ({worst['events']:,} events) "
        f"| {share * 100:.0f} % | {_verdict(share <= 0.1, f'{share * 100:.0f} %')} |"
    )
    return lines


def _daily_lines(daily: dict) -> list[str]:
    per_day = daily["events_per_day"]
    lines = [
        "",
        "## Daily runs",
        "",
        f"{per_day:,} events a day. Every build runs as the Airflow DAG runs it, `dbt build "
        "--exclude-resource-type unit_test` (CI runs the unit tests). 30 days built with "
        "`--full-refresh`, then day 31 lands and a daily build runs (**daily, 30 days**); days 32 "
        "to 60 are then loaded in one run, and day 61 lands (**daily, 60 days**). The output "
        "after day 61 equals the hand-written script's on the same 61 days: "
        f"**{'yes' if daily['equal_to_hand_written'] else 'NO'}**. *Output-sized* is what the "
        "output itself requires, and so grows with history: the tests on the marts and writing "
        "the Parquet snapshot.",
        "",
        "| run | wall time | dbt start-up and parse | output-sized | the rest |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, key in (
        ("30-day build (full refresh)", "build_30"),
        ("daily, 30 days", "daily_30"),
        ("daily, 60 days", "daily_60"),
    ):
        total, fixed = daily[key], daily["fixed_" + key]
        output = daily.get("output_" + key)
        rest = "–" if output is None else f"{total - output:.1f} s"
        output = "–" if output is None else f"{output:.1f} s"
        lines.append(f"| {label} | {total:.1f} s | {fixed:.1f} s | {output} | {rest} |")
    lines += [
        "",
        "dbt's fixed cost on this project: `dbt parse --no-partial-parse` "
        f"{daily['parse_full']:.1f} s, `dbt parse` again with the same vars and profile "
        f"(a partial parse) {daily['parse_partial']:.1f} s. The builds above run in one target "
        "folder, so every run after the first parses partially.",
        "",
        "Where a daily run's time goes (seconds per node, the 12 slowest on 60 days):",
        "",
        "| node | 30-day build | daily, 30 days | daily, 60 days |",
        "|---|---:|---:|---:|",
    ]
    nodes = daily["nodes_daily_60"]
    for name in sorted(nodes, key=lambda n: -nodes[n])[:12]:
        cells = [daily[k].get(name) for k in ("nodes_build_30", "nodes_daily_30", "nodes_daily_60")]
        lines.append(
            f"| `{name}` | " + " | ".join("–" if c is None else f"{c:.1f}" for c in cells) + " |"
        )
    return lines


def write_doc(results: dict) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows, daily, machine = results["rows"], results.get("daily"), results["machine"]
    figure, axis = plt.subplots(figsize=(7, 4.5))
    for key, label in (("floor", "floor: DuckDB read_json"),
                       ("hand", "hand-written DuckDB script"),
                       ("project", "project: dbt build"),
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
        "| events | input | floor | hand-written | project | model time | dbt start-up and parse "
        "| PySpark | project / hand-written | project / floor | PySpark / project "
        "| peak memory, project | peak memory, hand-written | bookkeeping share |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        pyspark_cell = f"{r['pyspark']:.1f} s" if r.get("pyspark") else "not run"
        hand_cell = f"{r['hand']:.1f} s" if r.get("hand") else "–"
        if not r.get("project"):
            lines.append(
                f"| {r['events']:,} | {r['input_bytes'] / 1e9:.2f} GB | {r['floor']:.1f} s "
                f"| {hand_cell} | **did not finish** (below) | – | – | {pyspark_cell} "
                "| – | – | – | – | – | – |"
            )
            continue
        ratio_cell = f"{r['pyspark'] / r['project']:.1f}×" if r.get("pyspark") else "–"
        hand_ratio = f"{r['project'] / r['hand']:.1f}×" if r.get("hand") else "–"
        hand_peak = f"{r['hand_peak'] / 2**30:.1f} GiB" if r.get("hand") else "–"
        lines.append(
            f"| {r['events']:,} | {r['input_bytes'] / 1e9:.2f} GB | {r['floor']:.1f} s "
            f"| {hand_cell} | {r['project']:.1f} s | {r['model_seconds']:.1f} s "
            f"| {r['fixed_seconds']:.1f} s | {pyspark_cell} "
            f"| {hand_ratio} | {r['project'] / r['floor']:.1f}× | {ratio_cell} "
            f"| {r['project_peak'] / 2**30:.1f} GiB | {hand_peak} "
            f"| {r['bookkeeping'] * 100:.0f} % |"
        )
    lines += [
        "",
        "![time against events](benchmarks.png)",
        "",
        "- **floor**: DuckDB `read_json` of every file with only the needed columns (best of 2).",
        "- **hand-written**: `benchmarks/hand_written.sql`, run by `benchmarks/hand_written.py`:",
        "  the rules as one DuckDB query and one COPY to Parquet, with no staging, no tests, no",
        "  rejected lines kept and no state for incremental runs. Its output is checked equal to",
        "  the project's on every size (below), and to the Python reference in the test suite.",
        "- **project**: `dbt build --full-refresh` end to end, dbt start-up and every test",
        "  included; **model time** is the sum of the model times in `run_results.json`;",
        "  **dbt start-up and parse** is the wall time outside dbt's run of the nodes (Python",
        "  imports, a full parse of the project, writing the artifacts).",
        "- **bookkeeping share**: time of the nodes that exist only to count and keep rejected",
        "  lines (`int_unparsed_lines_recovered`, `rejected_events`, `int_event_outcomes_counted`",
        "  and the four reconciliation and quality-gate tests) over the time of all nodes.",
        "- **PySpark**: `benchmarks/pyspark_job.py`, local mode, all cores, the same rules.",
    ]
    equal_sizes = [r for r in rows if r.get("hand_equal") is not None]
    if equal_sizes:
        lines.append(
            "- Project output equal to the hand-written script's: "
            + ", ".join(
                f"{r['events']:,} events **{'yes' if r['hand_equal'] else 'NO'}**"
                for r in equal_sizes
            )
            + "."
        )
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
        f"## Where the time of a full build goes ({largest['events']:,} events)",
        "",
        "| node | seconds |",
        "|---|---:|",
    ]
    for name, seconds in sorted(largest["nodes"].items(), key=lambda kv: -kv[1])[:12]:
        lines.append(f"| `{name}` | {seconds:.1f} |")
    if daily:
        lines += _daily_lines(daily)
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
        "--daily-events", type=int, default=300_000, help="events a day of the daily runs (0: skip)"
    )
    parser.add_argument(
        "--doc-only", action="store_true", help="rewrite the doc from benchmarks/results.json"
    )
    parser.add_argument(
        "--incremental-only",
        action="store_true",
        help="rerun only the daily runs; keep the rest of benchmarks/results.json",
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
        results["daily"] = daily_benchmark(args.daily_events)
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
            hand = hand_written(raw, work / "hand.parquet")
            row["hand"], row["hand_peak"] = hand.seconds, hand.peak_bytes
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
            row["hand_equal"] = outputs_equal(
                interest(work / "project-out"), str(work / "hand.parquet")
            )
            if events <= args.pyspark_max:
                spark = pyspark(raw, work / "spark-out", work / "spark")
                row["pyspark"], row["pyspark_peak"] = spark.seconds, spark.peak_bytes
                if equal is None:
                    equal = outputs_equal(
                        interest(work / "project-out"),
                        str(work / "spark-out" / "user_reel_interest" / "*.parquet"),
                    )
            print(json.dumps({k: v for k, v in row.items() if k != "nodes"}), flush=True)
            rows.append(row)
    results = {"machine": machine, "rows": rows, "daily": None, "pyspark_equal": equal}
    save(results)  # the sizes are kept even if the daily run below fails
    if args.daily_events:
        results["daily"] = daily_benchmark(args.daily_events)
        save(results)
    write_doc(results)
    print(f"wrote {DOC.relative_to(REPO)} and {CHART.relative_to(REPO)}")


if __name__ == "__main__":
    main()
