"""Measure Parquet write settings for user_reel_interest; write docs/parquet.md and its chart.

The mart is built once by the project itself (``dbt build`` on a generated data set of 10 million
events, about 1 % dirt; both cached under benchmarks/.data/), then written again with each setting:
compression codec (snappy, zstd, gzip, none), zstd level, row group size, sorted by
(user_uid, reel_uid) or in the table's own order. For each file it measures the size, the write
time (the sort included, as the export does it) and three typical reads with DuckDB:

- one user's rows (``where user_uid = ?``, for a fixed sample of users), with row-group pruning
  statistics: how many row groups have a user_uid min/max range that contains the user;
- a full scan of every column;
- the number of interested pairs per reel (``group by reel_uid``).

Times are the median of several runs with the OS file cache warm, on whatever else the machine
is doing; sizes are exact. Re-running the script rewrites docs/parquet.md and docs/parquet.png.

    .venv/bin/python benchmarks/parquet_settings.py [--events 10000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = REPO / "benchmarks" / ".data"
DOC = REPO / "docs" / "parquet.md"
CHART = REPO / "docs" / "parquet.png"
LOOKUP_USERS = 20
COLUMNS = "user_uid, reel_uid, liked, unliked, watched_ratio, is_interested"


@dataclass(frozen=True)
class Setting:
    """One way of writing the file."""

    name: str
    codec: str
    level: int | None = None
    row_group_size: int = 1_000_000
    is_sorted: bool = True
    group: str = "codec"

    @property
    def copy_options(self) -> str:
        options = ["format parquet", f"compression {self.codec}"]
        if self.level is not None:
            options.append(f"compression_level {self.level}")
        options.append(f"row_group_size {self.row_group_size}")
        return ", ".join(options)


# The project's setting (macros/export_parquet.sql): zstd at DuckDB's default level (3),
# 1,000,000-row row groups, sorted by user_uid, reel_uid.
PROJECT = Setting("zstd (project)", "zstd")
SETTINGS = (
    Setting("snappy", "snappy"),
    PROJECT,
    Setting("gzip", "gzip"),
    Setting("uncompressed", "uncompressed"),
    Setting("zstd level 1", "zstd", level=1, group="zstd level"),
    Setting("zstd level 9", "zstd", level=9, group="zstd level"),
    Setting("zstd level 19", "zstd", level=19, group="zstd level"),
    Setting("row groups 122,880", "zstd", row_group_size=122_880, group="row group size"),
    Setting("row groups 4,000,000", "zstd", row_group_size=4_000_000, group="row group size"),
    Setting("unsorted", "zstd", is_sorted=False, group="sort order"),
    Setting(
        "unsorted, row groups 122,880",
        "zstd",
        row_group_size=122_880,
        is_sorted=False,
        group="sort order",
    ),
)


@dataclass(frozen=True)
class Result:
    setting: Setting
    bytes: int
    rows: int
    row_groups: int
    write_seconds: float
    lookup_seconds: float
    scan_seconds: float
    per_reel_seconds: float
    row_groups_per_lookup: float
    column_bytes: dict[str, int]


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def dataset(events: int, seed: int, days: int, workers: int) -> Path:
    """The generated raw events (cached: generated once, then reused)."""
    folder = DATA / f"events-{events}-seed-{seed}"
    raw = folder / "raw"
    if (folder / ".complete").exists():
        return raw
    shutil.rmtree(raw, ignore_errors=True)
    log(f"generating {events:,} events over {days} days into {raw} (a few minutes) ...")
    subprocess.run(
        [
            str(BIN / "loco-clips-generate"), "--out", str(raw), "--events", str(events),
            "--dirt-rate", "0.01", "--seed", str(seed), "--days", str(days),
            "--workers", str(workers),
        ],
        check=True,
    )  # fmt: skip
    (folder / ".complete").touch()
    return raw


def build(raw: Path) -> Path:
    """The project's own dbt build of ``raw`` (cached); returns its DuckDB database file."""
    folder = raw.parent / "build"
    database = folder / "loco_clips.duckdb"
    if (folder / ".complete").exists():
        return database
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    log(f"dbt build on {raw} (a few minutes) ...")
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(folder / "target"),
        "DBT_LOG_PATH": str(folder / "logs"),
    }
    variables = json.dumps({"raw_path": str(raw), "output_path": str(folder / "output")})
    started = time.perf_counter()
    subprocess.run(
        [str(BIN / "dbt"), "build", "--quiet", "--vars", variables], cwd=REPO, env=env, check=True
    )
    seconds = time.perf_counter() - started
    log(f"dbt build took {seconds:.0f} s")
    (folder / "build_seconds.txt").write_text(f"{seconds:.0f} s on this machine\n")
    (folder / ".complete").touch()
    return database


def timed(action: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``action`` over ``repeats`` runs, after one warm-up run."""
    action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def write(connection: duckdb.DuckDBPyConnection, setting: Setting, path: Path) -> None:
    order = " order by user_uid, reel_uid" if setting.is_sorted else ""
    connection.execute(
        f"copy (select {COLUMNS} from mart.main.user_reel_interest{order}) "
        f"to '{path.as_posix()}' ({setting.copy_options})"
    )


def lookup_users(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """A fixed, spread-out sample of users: every n-th user_uid in sorted order."""
    rows = connection.execute(
        """
        select user_uid
        from (
            select user_uid, row_number() over (order by user_uid) as n, count(*) over () as total
            from (select distinct user_uid from mart.main.user_reel_interest)
        )
        where n % (total // ?) = 1
        order by user_uid
        limit ?
        """,
        [LOOKUP_USERS, LOOKUP_USERS],
    ).fetchall()
    return [row[0] for row in rows]


def measure(
    connection: duckdb.DuckDBPyConnection,
    setting: Setting,
    path: Path,
    users: list[str],
    repeats: int,
) -> Result:
    write_seconds = timed(lambda: write(connection, setting, path), max(1, repeats // 2))
    file = f"read_parquet('{path.as_posix()}')"
    reader = duckdb.connect()  # a fresh connection: no state shared with the writer

    def lookups() -> None:
        for user in users:
            reader.execute(f"select * from {file} where user_uid = ?", [user]).fetchall()

    def scan() -> None:
        reader.execute(
            f"select count(*), sum(length(user_uid) + length(reel_uid)), count_if(liked), "
            f"count_if(unliked), sum(watched_ratio), count_if(is_interested) from {file}"
        ).fetchall()

    def per_reel() -> None:
        reader.execute(
            f"select reel_uid, count(*) from {file} where is_interested group by reel_uid"
        ).fetchall()

    lookup_seconds = timed(lookups, repeats) / len(users)
    scan_seconds = timed(scan, repeats)
    per_reel_seconds = timed(per_reel, repeats)

    metadata = f"parquet_metadata('{path.as_posix()}')"
    (rows, row_groups) = reader.execute(
        f"select sum(row_group_num_rows), count(*) from {metadata} "
        "where path_in_schema = 'user_uid'"
    ).fetchone()
    (touched,) = reader.execute(
        f"""
        select count(*) / {len(users)}
        from {metadata} as row_group
        inner join (select unnest(?::varchar[]) as user_uid) as lookup
            on lookup.user_uid between row_group.stats_min and row_group.stats_max
        where row_group.path_in_schema = 'user_uid'
        """,
        [users],
    ).fetchone()
    column_bytes = dict(
        reader.execute(
            f"select path_in_schema, sum(total_compressed_size)::bigint from {metadata} "
            "group by path_in_schema"
        ).fetchall()
    )
    reader.close()
    return Result(
        setting=setting,
        bytes=path.stat().st_size,
        rows=int(rows),
        row_groups=int(row_groups),
        write_seconds=write_seconds,
        lookup_seconds=lookup_seconds,
        scan_seconds=scan_seconds,
        per_reel_seconds=per_reel_seconds,
        row_groups_per_lookup=float(touched),
        column_bytes=column_bytes,
    )


def chart(results: list[Result], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [r.setting.name for r in results]
    colors = ["#d1495b" if r.setting == PROJECT else "#30638e" for r in results]
    panels = (
        ("File size (MB)", [r.bytes / 1e6 for r in results]),
        ("Write time (s), sort included", [r.write_seconds for r in results]),
        ("One user's rows (ms)", [r.lookup_seconds * 1e3 for r in results]),
        ("Full scan (ms)", [r.scan_seconds * 1e3 for r in results]),
        ("Interested pairs per reel (ms)", [r.per_reel_seconds * 1e3 for r in results]),
        ("Row groups read for one user", [r.row_groups_per_lookup for r in results]),
    )
    figure, axes = plt.subplots(2, 3, figsize=(16, 9), sharey=True)
    for axis, (title, values) in zip(axes.flat, panels, strict=True):
        axis.barh(names, values, color=colors)
        axis.set_title(title)
        axis.grid(axis="x", alpha=0.3)
        for y, value in enumerate(values):
            axis.text(value, y, f" {value:,.1f}", va="center", fontsize=8)
    axes.flat[0].invert_yaxis()  # shared by every panel: the first setting on top
    figure.suptitle(
        f"user_reel_interest as Parquet: {results[0].rows:,} rows (red: the project's setting)"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def by_name(results: list[Result], name: str) -> Result:
    return next(r for r in results if r.setting.name == name)


def document(results: list[Result], events: int, build_seconds: str, repeats: int) -> str:
    project = by_name(results, PROJECT.name)
    snappy = by_name(results, "snappy")
    gzip = by_name(results, "gzip")
    plain = by_name(results, "uncompressed")
    level_19 = by_name(results, "zstd level 19")
    unsorted = by_name(results, "unsorted")
    small_groups = by_name(results, "row groups 122,880")
    big_groups = by_name(results, "row groups 4,000,000")

    def mb(r: Result) -> str:
        return f"{r.bytes / 1e6:,.1f} MB"

    def pct(a: Result, b: Result) -> str:
        return f"{(1 - a.bytes / b.bytes) * 100:.0f} %"

    table = [
        "| setting | codec | level | row group rows | sorted | size (MB) | row groups "
        "| write (s) | one user (ms) | row groups read for one user | full scan (ms) "
        "| interested per reel (ms) |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r.setting
        name = f"**{s.name}**" if s == PROJECT else s.name
        level = s.level if s.level is not None else "3 (default)" if s.codec == "zstd" else "-"
        table.append(
            f"| {name} | {s.codec} | {level} "
            f"| {s.row_group_size:,} | {'yes' if s.is_sorted else 'no'} | {r.bytes / 1e6:,.1f} "
            f"| {r.row_groups} | {r.write_seconds:.2f} | {r.lookup_seconds * 1e3:.1f} "
            f"| {r.row_groups_per_lookup:.1f} of {r.row_groups} | {r.scan_seconds * 1e3:.0f} "
            f"| {r.per_reel_seconds * 1e3:.0f} |"
        )
    columns = ["| column | bytes (project setting) | share |", "|---|---:|---:|"]
    total = sum(project.column_bytes.values())
    for column, size in sorted(project.column_bytes.items(), key=lambda item: -item[1]):
        columns.append(f"| {column} | {size:,} | {size / total * 100:.0f} % |")

    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )
    return f"""# Parquet settings for `user_reel_interest`, measured

<!-- Generated by benchmarks/parquet_settings.py (`make bench-parquet`): edit the script. -->

The mart is exported by `macros/export_parquet.sql` as **zstd, row groups of 1,000,000 rows,
sorted by `user_uid, reel_uid`**. This page measures that choice against the alternatives on
the project's own output for {events:,} generated events (1 % dirt): **{project.rows:,} rows**,
built once with `dbt build` ({build_seconds}).

![File size, write time and read times per setting](parquet.png)

## Results

{chr(10).join(table)}

- *size*: the file on disk. *write*: `COPY (select ... [order by user_uid, reel_uid]) TO ...` from
  the built DuckDB table, sort included, as the export runs it.
- *one user*: `select * ... where user_uid = ?`, averaged over {LOOKUP_USERS} users spread over
  the key range. *row groups read for one user*: how many row groups have a `user_uid`
  min/max range (from `parquet_metadata`) that contains the user, on average: the rest are
  skipped by any reader that uses Parquet statistics (DuckDB, Athena/Trino, Spark).
- *full scan*: an aggregate over every column. *interested per reel*:
  `select reel_uid, count(*) ... where is_interested group by reel_uid`.
- Times: median of {repeats} runs after a warm-up, OS file cache warm, DuckDB in-process,
  {machine}; other work on the machine adds noise, so read differences under ~20 % are not
  meaningful. Sizes and row-group counts are exact.

Bytes per column with the project's setting:

{chr(10).join(columns)}

## The choice and why

- **zstd over snappy and gzip.** zstd is {pct(project, snappy)} smaller than snappy
  ({mb(project)} vs {mb(snappy)}) and {pct(project, gzip)} smaller than gzip ({mb(gzip)}),
  while writing in {project.write_seconds:.1f} s (snappy {snappy.write_seconds:.1f} s, gzip
  {gzip.write_seconds:.1f} s) and reading about as fast as snappy (full scan
  {project.scan_seconds * 1e3:.0f} ms vs {snappy.scan_seconds * 1e3:.0f} ms). Uncompressed is
  {mb(plain)}. Every consumer reads zstd: DuckDB, Athena (engine v2+), Spark 3+, pyarrow.
  Smaller files are what costs money downstream: Athena bills bytes scanned, S3 bills bytes
  stored and the PostgreSQL loader reads the whole file.
- **The default zstd level (3).** Level 19 saves only {pct(level_19, project)}
  ({mb(level_19)}) for a write of {level_19.write_seconds:.1f} s instead of
  {project.write_seconds:.1f} s; reads do not get faster with the level.
- **Sorted by user_uid, reel_uid.** Sorting makes the file {pct(project, unsorted)} smaller
  than the table's own order ({mb(unsorted)}) because the ids form long runs, and it is what
  makes row-group pruning work: one user's rows are in {project.row_groups_per_lookup:.1f} of
  {project.row_groups} row groups, against {unsorted.row_groups_per_lookup:.1f} of
  {unsorted.row_groups} unsorted, so a lookup takes {project.lookup_seconds * 1e3:.1f} ms
  instead of {unsorted.lookup_seconds * 1e3:.1f} ms. The sort costs
  {project.write_seconds - unsorted.write_seconds:.1f} s of write time, once a day.
- **Row groups of 1,000,000 rows.** Smaller row groups (122,880, DuckDB's default) prune finer
  (one user: {small_groups.row_groups_per_lookup:.1f} of {small_groups.row_groups} groups,
  {small_groups.lookup_seconds * 1e3:.1f} ms) but make the file {mb(small_groups)} and give
  Athena and Spark many small units of work; 4,000,000-row groups ({mb(big_groups)}) leave
  fewer groups to skip ({big_groups.lookup_seconds * 1e3:.1f} ms per user) and need more
  memory per group in every reader and writer. A million rows (tens of MB per group here)
  is in the range Athena and Spark split well on, and keeps lookups near the best.

Re-run with `make bench-parquet` (the data set and its build are cached in
`benchmarks/.data/`); generated {datetime.now(UTC):%Y-%m-%d}.
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write user_reel_interest with different Parquet settings, measure size, "
        "write and read times, and regenerate docs/parquet.md and docs/parquet.png."
    )
    parser.add_argument("--events", type=int, default=10_000_000, help="events to generate")
    parser.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    parser.add_argument("--days", type=int, default=7, help="days of events (default 7)")
    parser.add_argument("--workers", type=int, default=2, help="generator processes")
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per read (median)")
    parser.add_argument("--doc", type=Path, default=DOC, help="Markdown file to write")
    parser.add_argument("--chart", type=Path, default=CHART, help="PNG chart to write")
    args = parser.parse_args(argv)

    raw = dataset(args.events, args.seed, args.days, args.workers)
    database = build(raw)
    build_log = database.parent / "build_seconds.txt"
    build_seconds = build_log.read_text().strip() if build_log.exists() else "time not recorded"

    files = database.parent / "settings"
    shutil.rmtree(files, ignore_errors=True)
    files.mkdir()
    connection = duckdb.connect()
    connection.execute(f"attach '{database.as_posix()}' as mart (read_only)")
    users = lookup_users(connection)
    results = []
    for number, setting in enumerate(SETTINGS, 1):
        log(f"[{number}/{len(SETTINGS)}] {setting.name}")
        path = files / f"{number:02d}.parquet"
        result = measure(connection, setting, path, users, args.repeats)
        log(
            f"    {result.bytes / 1e6:,.1f} MB, write {result.write_seconds:.2f} s, "
            f"user {result.lookup_seconds * 1e3:.1f} ms "
            f"({result.row_groups_per_lookup:.1f}/{result.row_groups} row groups), "
            f"scan {result.scan_seconds * 1e3:.0f} ms, "
            f"per reel {result.per_reel_seconds * 1e3:.0f} ms"
        )
        results.append(result)
        path.unlink()
    connection.close()

    args.chart.parent.mkdir(parents=True, exist_ok=True)
    chart(results, args.chart)
    args.doc.write_text(document(results, args.events, build_seconds, args.repeats))
    log(f"wrote {args.doc} and {args.chart}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
