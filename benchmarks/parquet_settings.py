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

Times are the best of several runs with the OS file cache warm, on whatever else the machine
is doing; sizes are exact. Re-running the script rewrites docs/parquet.md and docs/parquet.png.

    .venv/bin/python benchmarks/parquet_settings.py [--events 10000000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DATA = REPO / "benchmarks" / ".data"
DOC = REPO / "docs" / "parquet.md"
CHART = REPO / "docs" / "parquet.png"
LOOKUP_USERS = 20
CONTRACT_RATIO_TYPE = "decimal(38, 9)"


@dataclass(frozen=True)
class Setting:
    """One way of writing the file."""

    name: str
    codec: str
    level: int | None = None
    row_group_size: int = 1_000_000
    is_sorted: bool = True
    ratio_type: str = CONTRACT_RATIO_TYPE
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
    # Not a write setting but a column type: what the 16-byte decimal(38, 9) costs. A
    # decimal(18, 9) is stored as an INT64 and holds ratios up to 999,999,999.
    Setting("watched_ratio decimal(18, 9)", "zstd", ratio_type="decimal(18, 9)", group="type"),
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
    bytes_per_lookup: float
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
    """Best wall time of ``action`` over ``repeats`` runs, after one warm-up run.

    The best, not the mean: on a shared machine every disturbance only ever adds time.
    """
    action()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def write(connection: duckdb.DuckDBPyConnection, setting: Setting, path: Path) -> None:
    order = " order by user_uid, reel_uid" if setting.is_sorted else ""
    ratio = "watched_ratio"
    if setting.ratio_type != CONTRACT_RATIO_TYPE:
        ratio = f"cast(watched_ratio as {setting.ratio_type}) as watched_ratio"
    columns = f"user_uid, reel_uid, liked, unliked, {ratio}, is_interested"
    connection.execute(
        f"copy (select {columns} from mart.main.user_reel_interest{order}) "
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
    write_seconds = timed(lambda: write(connection, setting, path), max(2, repeats // 2))
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
    # Pruning: the row groups whose user_uid min/max holds the user, and their bytes (every
    # column), averaged over the looked-up users. Everything else a statistics-aware reader skips.
    (touched, touched_bytes) = reader.execute(
        f"""
        with
        groups as (
            select
                row_group_id,
                any_value(stats_min) filter (where path_in_schema = 'user_uid') as min_user,
                any_value(stats_max) filter (where path_in_schema = 'user_uid') as max_user,
                sum(total_compressed_size) as group_bytes
            from {metadata}
            group by row_group_id
        )
        select count(*) / {len(users)}, coalesce(sum(group_bytes), 0) / {len(users)}
        from groups
        inner join (select unnest(?::varchar[]) as user_uid) as lookup
            on lookup.user_uid between groups.min_user and groups.max_user
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
        bytes_per_lookup=float(touched_bytes),
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
        ("MB in the row groups one user needs", [r.bytes_per_lookup / 1e6 for r in results]),
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


def reflow(markdown: str, width: int = 100) -> str:
    """Re-wrap the prose and bullets of ``markdown``; tables and headings stay as they are."""
    blocks = []
    for block in markdown.split("\n\n"):
        if block.startswith(("|", "#", "<!--", "!")):
            blocks.append(block)
            continue
        items: list[list[str]] = []
        for line in block.splitlines():
            if line.startswith("- ") or not items:
                items.append([line])
            else:
                items[-1].append(line)
        wrapped = []
        for item in items:
            text = " ".join(" ".join(item).split())
            indent = "  " if text.startswith("- ") else ""
            wrapped.append(textwrap.fill(text, width, subsequent_indent=indent))
        blocks.append("\n".join(wrapped))
    return "\n\n".join(blocks)


def by_name(results: list[Result], name: str) -> Result:
    return next(r for r in results if r.setting.name == name)


def document(results: list[Result], events: int, build_seconds: str, repeats: int) -> str:
    """The Markdown page: the table, the chart, and the choice argued from these numbers."""
    project = by_name(results, PROJECT.name)
    snappy, gzip = by_name(results, "snappy"), by_name(results, "gzip")
    plain = by_name(results, "uncompressed")
    unsorted = by_name(results, "unsorted")
    small_groups = by_name(results, "row groups 122,880")
    big_groups = by_name(results, "row groups 4,000,000")
    narrow = by_name(results, "watched_ratio decimal(18, 9)")
    zstd_levels = [r for r in results if r.setting.codec == "zstd" and r.setting.group != "type"]
    zstd_levels = [r for r in zstd_levels if r.setting.row_group_size == 1_000_000]
    zstd_levels = [r for r in zstd_levels if r.setting.is_sorted]
    smallest_zstd = min(zstd_levels, key=lambda r: r.bytes)

    def mb(r: Result) -> str:
        return f"{r.bytes / 1e6:,.1f} MB"

    def smaller(a: Result, b: Result) -> str:
        """How much smaller a is than b, in per cent (negative: larger)."""
        return f"{(1 - a.bytes / b.bytes) * 100:.0f} %"

    def ms(seconds: float) -> str:
        return f"{seconds * 1e3:,.0f} ms"

    def level(r: Result) -> str:
        return str(r.setting.level) if r.setting.level is not None else "3 (default)"

    table = [
        "| setting | codec | level | row group rows | sorted | size (MB) | row groups "
        "| write (s) | one user (ms) | row groups read for one user "
        "| MB in them | full scan (ms) | interested per reel (ms) |",
        "|---|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        s = r.setting
        name = f"**{s.name}**" if s == PROJECT else s.name
        codec_level = level(r) if s.codec == "zstd" else "-"
        table.append(
            f"| {name} | {s.codec} | {codec_level} "
            f"| {s.row_group_size:,} | {'yes' if s.is_sorted else 'no'} | {r.bytes / 1e6:,.1f} "
            f"| {r.row_groups} | {r.write_seconds:.1f} | {r.lookup_seconds * 1e3:.1f} "
            f"| {r.row_groups_per_lookup:.1f} | {r.bytes_per_lookup / 1e6:,.1f} "
            f"| {r.scan_seconds * 1e3:,.0f} | {r.per_reel_seconds * 1e3:,.0f} |"
        )
    columns = ["| column | bytes | share |", "|---|---:|---:|"]
    total = sum(project.column_bytes.values())
    for column, size in sorted(project.column_bytes.items(), key=lambda item: -item[1]):
        columns.append(f"| {column} | {size:,} | {size / total * 100:.0f} % |")
    ratio_share = project.column_bytes.get("watched_ratio", 0) / total * 100

    # The cheapest level to write among those within 1 % of the smallest file.
    near_smallest = [r for r in zstd_levels if r.bytes <= smallest_zstd.bytes * 1.01]
    good_level = min(near_smallest, key=lambda r: r.write_seconds)
    if good_level is project:
        level_text = (
            f"The default (3) is within 1 % of the smallest file measured "
            f"({mb(smallest_zstd)} at level {level(smallest_zstd)}) and the cheapest to write."
        )
    else:
        level_text = (
            f"Measured here, level {level(good_level)} makes the file {mb(good_level)}, "
            f"{smaller(good_level, project)} smaller than the default's {mb(project)} and within "
            f"1 % of the smallest (level {level(smallest_zstd)}, {mb(smallest_zstd)}, written in "
            f"{smallest_zstd.write_seconds:.0f} s). "
            + (
                f"It wrote slower here ({good_level.write_seconds:.1f} s vs "
                f"{project.write_seconds:.1f} s), but a file is written once a run and read many "
                "times. "
                if good_level.write_seconds > project.write_seconds * 1.3
                else f"It writes about as fast ({good_level.write_seconds:.1f} s vs "
                f"{project.write_seconds:.1f} s). "
            )
            + "Most of the file is "
            "`watched_ratio` and `reel_uid`, which no level squeezes much, so the levels differ "
            f"little. `compression_level {level(good_level)}` in `export_parquet` is a candidate "
            "change; the project keeps the default until production data confirms it."
        )
    sizes = [r.bytes / 1e6 for r in results]
    size_range = f"{min(sizes):,.0f}-{max(sizes):,.0f}"
    narrow_saving = 1 - narrow.bytes / project.bytes
    narrow_text = (
        f"As `decimal(18, 9)` (an INT64 in Parquet instead of 16 bytes, ratios up to "
        f"999,999,999, still exact to 9 places) the file is {mb(narrow)}, "
        f"{smaller(narrow, project)} smaller than with `decimal(38, 9)`. "
    )
    if narrow_saving >= 0.10:
        narrow_text += (
            "That is worth having, but it changes the contract the consumers read (the Athena "
            "and Spark DDL, the PostgreSQL table), so it is a decision for them, not a write "
            "setting; the project keeps `decimal(38, 9)` until then."
        )
    else:
        narrow_text += (
            "Not worth a contract change: the bytes are in the nine decimal digits of each "
            "ratio, not in the width of the type, and zstd already squeezes the unused width."
        )
    machine = (
        f"{os.cpu_count()} cores, Python {platform.python_version()}, DuckDB {duckdb.__version__}"
    )
    return f"""# Parquet settings for `user_reel_interest`, measured

<!-- Generated by benchmarks/parquet_settings.py (`make bench-parquet`): edit the script. -->

The mart is exported by `macros/export_parquet.sql` as **zstd (level 3, DuckDB's default), row
groups of 1,000,000 rows, sorted by `user_uid, reel_uid`**. This page measures that choice
against the alternatives on the project's own output for {events:,} generated events (1 %
dirt): **{project.rows:,} rows**, built once with `dbt build` ({build_seconds}).

![File size, write time and read times per setting](parquet.png)

## Results

{chr(10).join(table)}

- *size*: the file on disk. *write*: `COPY (select ... [order by user_uid, reel_uid]) TO ...`
  from the built DuckDB table, sort included, as the export runs it.
- *one user*: `select * ... where user_uid = ?`, averaged over {LOOKUP_USERS} users spread over
  the key range. *row groups read for one user*: row groups whose `user_uid` min/max (from
  `parquet_metadata`) contains the user, on average; *MB in them*: their compressed bytes, all
  columns. Every other row group is skipped by a reader that uses Parquet statistics (DuckDB,
  Athena/Trino, Spark), which is what Athena bills and S3 transfers.
- *full scan*: an aggregate over every column. *interested per reel*:
  `select reel_uid, count(*) ... where is_interested group by reel_uid`.
- Times: best of {repeats} runs (writes: {max(2, repeats // 2)}) after a warm-up, OS file
  cache warm, DuckDB in-process; {machine}. The machine was shared with other jobs: absolute
  times are inflated and differences under ~30 % are noise. Sizes, row groups and bytes are
  exact.

Bytes per column with the project's setting (`watched_ratio` is a 16-byte `decimal(38, 9)`,
{ratio_share:.0f} % of the file):

{chr(10).join(columns)}

## The choice and why

- **zstd, not snappy or gzip.** zstd is {smaller(project, snappy)} smaller than snappy
  ({mb(project)} vs {mb(snappy)}) and {smaller(project, gzip)} smaller than gzip
  ({mb(gzip)}); uncompressed is {mb(plain)}. It writes in {project.write_seconds:.1f} s
  (snappy {snappy.write_seconds:.1f} s, gzip {gzip.write_seconds:.1f} s); a full scan takes
  {ms(project.scan_seconds)} (snappy {ms(snappy.scan_seconds)}, gzip {ms(gzip.scan_seconds)};
  every setting between {ms(min(r.scan_seconds for r in results))} and
  {ms(max(r.scan_seconds for r in results))}, mostly noise: no codec is a bottleneck for reading
  {size_range} MB). Every consumer reads zstd: DuckDB, Athena (engine v2+), Spark 3+,
  pyarrow. Bytes are what costs downstream: Athena bills bytes scanned, S3 stores and
  transfers them, and the PostgreSQL loader reads the whole file.
- **The zstd level.** {level_text}
- **Sorted by user_uid, reel_uid.** Sorted, one user's rows sit in
  {project.row_groups_per_lookup:.1f} of {project.row_groups} row groups
  ({project.bytes_per_lookup / 1e6:,.1f} MB to read); unsorted, every user is in
  {unsorted.row_groups_per_lookup:.1f} of {unsorted.row_groups}
  ({unsorted.bytes_per_lookup / 1e6:,.1f} MB), so nothing can be skipped (lookup
  {ms(project.lookup_seconds)} vs {ms(unsorted.lookup_seconds)}). Sorting also makes the file
  {smaller(project, unsorted)} smaller ({mb(unsorted)} unsorted), because the ids form runs.
  The sort costs {project.write_seconds - unsorted.write_seconds:.1f} s of write time, once a
  run.
- **Row groups of 1,000,000 rows.** 122,880-row groups (DuckDB's default) prune finer: one
  user needs {small_groups.row_groups_per_lookup:.1f} of {small_groups.row_groups} groups,
  {small_groups.bytes_per_lookup / 1e6:,.1f} MB (lookup {ms(small_groups.lookup_seconds)}),
  for a file of {mb(small_groups)} and {small_groups.row_groups} units of work for Athena or
  Spark. 4,000,000-row groups ({mb(big_groups)}) leave {big_groups.row_groups} groups, so a
  lookup reads {big_groups.bytes_per_lookup / 1e6:,.1f} MB, and every reader and writer holds
  a bigger group in memory. A million rows, about {project.bytes / project.row_groups / 1e6:,.0f}
  MB compressed per group here, keeps the groups few and large for what the consumers do
  most (Athena and Spark scans, the PostgreSQL loader's full read) while one user's lookup
  still reads {project.row_groups_per_lookup:.0f} of {project.row_groups} groups. If lookups
  of single users on the Parquet file became the main use (today they go to PostgreSQL),
  122,880-row groups would serve them {project.lookup_seconds / small_groups.lookup_seconds:.1f}×
  faster for {(small_groups.bytes / project.bytes - 1) * 100:.0f} % more bytes.
- **The type of `watched_ratio`.** {narrow_text}

Re-run with `make bench-parquet` (the data set and its build are cached in
`benchmarks/.data/`; `--report-only` rewrites this page from the last measurements);
generated {datetime.now(UTC):%Y-%m-%d}.
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
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per read (best of)")
    parser.add_argument("--doc", type=Path, default=DOC, help="Markdown file to write")
    parser.add_argument("--chart", type=Path, default=CHART, help="PNG chart to write")
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="rewrite the doc and chart from the last run's saved results, measuring nothing",
    )
    args = parser.parse_args(argv)

    raw = dataset(args.events, args.seed, args.days, args.workers)
    database = build(raw)
    build_log = database.parent / "build_seconds.txt"
    build_seconds = build_log.read_text().strip() if build_log.exists() else "time not recorded"
    saved = database.parent / "parquet_results.json"
    if args.report_only:
        results, repeats = load_results(saved)
        report(results, args, build_seconds, repeats)
        return 0

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
    save_results(saved, results, args.repeats)
    report(results, args, build_seconds, args.repeats)
    return 0


def report(
    results: list[Result], args: argparse.Namespace, build_seconds: str, repeats: int
) -> None:
    args.chart.parent.mkdir(parents=True, exist_ok=True)
    chart(results, args.chart)
    args.doc.write_text(reflow(document(results, args.events, build_seconds, repeats)))
    log(f"wrote {args.doc} and {args.chart}")


def save_results(path: Path, results: list[Result], repeats: int) -> None:
    rows = [{**asdict(r), "setting": r.setting.name} for r in results]
    path.write_text(json.dumps({"repeats": repeats, "results": rows}, indent=1))


def load_results(path: Path) -> tuple[list[Result], int]:
    saved = json.loads(path.read_text())
    settings = {s.name: s for s in SETTINGS}
    results = [Result(**{**row, "setting": settings[row["setting"]]}) for row in saved["results"]]
    return results, saved["repeats"]


if __name__ == "__main__":
    sys.exit(main())
