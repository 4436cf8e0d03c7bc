"""Publishing a run's outputs all at once: ``publish_run(output_path, run_id)`` makes the run's
files, already written to ``<output_path>/.runs/<run_id>/``, the published ones (macro
``publish_outputs``, in ``on-run-end``, after every model and test of the build passed). On
DuckDB the project's dbt plugin calls it at the end of the build; Spark SQL cannot, so after a
Spark build ``loco-clips-publish <output_path>`` (``main``) calls it.

The published layout, on a local file system::

    <output_path>/user_reel_interest.parquet -> current/user_reel_interest.parquet
    <output_path>/rejected_events.parquet    -> current/rejected_events.parquet
    <output_path>/run_summary.json           -> current/run_summary.json
    <output_path>/current                    -> .runs/<run_id>
    <output_path>/.runs/<run_id>/            the three files of a run

The fixed names never change once created; publishing a run is one ``rename(2)`` of a new
``current`` symlink over the old one (``os.replace``), which is atomic: a reader opens either the
old run's three files or the new run's three, never a mix, and a process killed at any moment
leaves the previous run published. Older runs are deleted afterwards, except the previous one
(a reader that opened it just before the swap keeps its files).

On S3 (``output_path`` ``s3://bucket/prefix``), which has neither rename nor symlinks, the commit
point is one PUT of a small pointer object, atomic like every S3 PUT::

    <output_path>/.runs/<run_id>/user_reel_interest/user_reel_interest.parquet
    <output_path>/.runs/<run_id>/rejected_events/rejected_events.parquet
    <output_path>/.runs/<run_id>/run_summary.json
    <output_path>/_latest.json      {"run_id": …, "files": {name: s3 path}, "tables": {…}}
    <output_path>/user_reel_interest.parquet, rejected_events.parquet, run_summary.json

Each table has a folder of its own in the run, holding only its file: that folder is the table's
Athena / Glue LOCATION (``tables`` in the pointer). After the pointer is written, the three files
are copied (server side) to the fixed names, run_summary.json last, each copy carrying the run id
as object metadata ``loco-run-id``. A reader that follows ``_latest.json`` always gets one run's
pair; a reader of the fixed names can, during the copies (or after a kill between them, until the
next publish), get one new and one old file, and tells them apart by ``loco-run-id``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import sys
import time
from pathlib import Path

from loco_clips import s3

PUBLISHED_NAMES = ("user_reel_interest.parquet", "rejected_events.parquet", "run_summary.json")
RUNS = ".runs"
CURRENT = "current"
# S3: the pointer object naming the published run, and the metadata key of the fixed-name copies.
POINTER = "_latest.json"
RUN_ID_METADATA = "loco-run-id"
TABLES = ("user_reel_interest", "rejected_events")
# Test hook (tests/python/test_publish.py): seconds to sleep after the run's files are written
# and before the swap, so a test can kill the build inside the publish. Unset in production.
TEST_PAUSE_VARIABLE = "LOCO_PUBLISH_TEST_PAUSE"


def publish_run(output_path: str, run_id: str) -> str:
    """Publish ``<output_path>/.runs/<run_id>`` and return the published folder's path.

    Every step leaves a consistent, readable output, so a crash anywhere is harmless and the
    next publish finishes what a killed one began.
    """
    if s3.is_s3(output_path):
        return _publish_s3(output_path.rstrip("/"), run_id)
    output = Path(output_path)
    run = output / RUNS / run_id
    if not run.is_dir():
        raise FileNotFoundError(
            f"{run} does not exist: that dbt command wrote no outputs (only a `dbt build` in "
            "which every model and test passed does; its log says why)"
        )
    missing = [name for name in PUBLISHED_NAMES if not _complete(run / name)]
    if missing:
        raise FileNotFoundError(f"publish_run: {run} lacks {', '.join(missing)}")
    _sync(run)
    pause = os.environ.get(TEST_PAUSE_VARIABLE)
    if pause:
        time.sleep(float(pause))
    current = output / CURRENT
    _remove_empty_folders(output)
    if not current.is_symlink():
        _adopt_unversioned_outputs(output, run_id)
    for name in PUBLISHED_NAMES:
        _ensure_symlink(output / name, f"{CURRENT}/{name}", run_id)
    previous = os.readlink(current) if current.is_symlink() else None
    _replace_with_symlink(current, f"{RUNS}/{run_id}", run_id)  # the commit point
    _sync_directory(output)
    _delete_other_runs(output, keep={run_id, Path(previous).name if previous else run_id})
    return str(run)


def _complete(path: Path) -> bool:
    """A file of the run, or a Spark folder of part files whose job committed (``_SUCCESS``)."""
    return path.is_file() or (path / "_SUCCESS").is_file()


def _remove_empty_folders(output: Path) -> None:
    """An empty folder at a fixed name holds no output: a Spark build's catalog table
    (``create table … location``) makes one before the first publish. It goes (rmdir refuses
    a folder that is not empty)."""
    for name in PUBLISHED_NAMES:
        path = output / name
        if path.is_dir() and not path.is_symlink():
            with contextlib.suppress(OSError):  # not empty: an older version's output
                path.rmdir()


def _adopt_unversioned_outputs(output: Path, run_id: str) -> None:
    """First publish into a folder: make ``current`` point at what readers see today.

    An older version of the project wrote the outputs as plain files (Spark: folders) at the
    fixed names. They are hard-linked (same bytes, no copy) into a run folder of their own and
    ``current`` points at it, so turning the fixed names into symlinks shows no change.
    """
    existing = [name for name in PUBLISHED_NAMES if (output / name).exists()]
    target = f"{RUNS}/{run_id}"
    if existing:
        legacy = output / RUNS / f"unversioned-{run_id}"
        shutil.rmtree(legacy, ignore_errors=True)
        legacy.mkdir(parents=True)
        for name in existing:
            source = output / name
            if source.is_dir():
                shutil.copytree(source, legacy / name, copy_function=os.link)
            else:
                os.link(source, legacy / name, follow_symlinks=True)
        target = f"{RUNS}/{legacy.name}"
    _replace_with_symlink(output / CURRENT, target, run_id)


def _ensure_symlink(path: Path, target: str, run_id: str) -> None:
    """``path`` becomes a symlink to ``target`` unless it already is one."""
    if path.is_symlink() and os.readlink(path) == target:
        return
    if path.is_dir() and not path.is_symlink():
        # A Spark folder of an older version (adopted above): a directory cannot be replaced
        # by a rename, so it moves aside first (its files stay readable through `current`).
        aside = path.parent / RUNS / f"replaced-{path.name}-{run_id}"
        shutil.rmtree(aside, ignore_errors=True)
        path.rename(aside)
    _replace_with_symlink(path, target, run_id)


def _replace_with_symlink(path: Path, target: str, run_id: str) -> None:
    """Atomically make ``path`` a symlink to ``target``: a new link, renamed over the old."""
    temporary = path.parent / f".{path.name}.{run_id}.tmp"
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, path)


def _delete_other_runs(output: Path, keep: set[str]) -> None:
    """Remove every run folder but ``keep`` (killed runs' leftovers too) and stale temp links."""
    for folder in (output / RUNS).iterdir():
        if folder.name not in keep:
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
    for leftover in output.glob(".*.tmp"):
        if leftover.is_symlink():
            leftover.unlink(missing_ok=True)


def _sync(folder: Path) -> None:
    """fsync every file of the run and the folders, so a power cut cannot publish holes."""
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            descriptor = os.open(path, os.O_RDONLY)
            try:
                os.fsync(descriptor)
            finally:
                os.close(descriptor)
        elif path.is_dir():
            _sync_directory(path)
    _sync_directory(folder)
    _sync_directory(folder.parent)


def _sync_directory(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def s3_run_files(output_path: str, run_id: str) -> dict[str, str]:
    """Where a run's three files are written on S3: each table in a folder of its own."""
    run = f"{output_path.rstrip('/')}/{RUNS}/{run_id}"
    files = {f"{table}.parquet": f"{run}/{table}/{table}.parquet" for table in TABLES}
    return {name: files.get(name, f"{run}/{name}") for name in PUBLISHED_NAMES}


def _publish_s3(output: str, run_id: str) -> str:
    """Publish an S3 run: the pointer PUT is the commit point, then the fixed-name copies."""
    files = s3_run_files(output, run_id)
    missing = [name for name, path in files.items() if not s3.exists(path)]
    if missing:
        raise FileNotFoundError(f"publish_run: {output}/{RUNS}/{run_id} lacks {', '.join(missing)}")
    pause = os.environ.get(TEST_PAUSE_VARIABLE)
    if pause:
        time.sleep(float(pause))
    previous = read_pointer(output)
    run = f"{output}/{RUNS}/{run_id}"
    pointer = {
        "run_id": run_id,
        "run_folder": f"{run}/",
        "files": files,
        "tables": {table: f"{run}/{table}/" for table in TABLES},
    }
    s3.write_bytes(
        f"{output}/{POINTER}",
        (json.dumps(pointer, indent=2) + "\n").encode(),
        ContentType="application/json",
    )  # the commit point
    for name in PUBLISHED_NAMES:  # run_summary.json last: it names the run the pair is from
        s3.copy(files[name], f"{output}/{name}", {RUN_ID_METADATA: run_id})
    keep = {run_id, previous["run_id"] if previous else run_id}
    for folder in s3.list_prefixes(f"{output}/{RUNS}"):
        if folder not in keep:
            s3.delete_prefix(f"{output}/{RUNS}/{folder}")
    return run


def read_pointer(output_path: str) -> dict[str, object] | None:
    """The S3 pointer object ``<output_path>/_latest.json``, or None before the first publish."""
    path = f"{output_path.rstrip('/')}/{POINTER}"
    if not s3.exists(path):
        return None
    return json.loads(s3.read_bytes(path))


def published_file(output_path: str, name: str) -> str:
    """The file of the published run behind the fixed name ``name``: on a local folder where the
    symlink leads, on S3 the run's own copy named by the pointer (never a fixed-name copy, which
    may be from another run for a moment)."""
    if s3.is_s3(output_path):
        pointer = read_pointer(output_path)
        if pointer is None:
            raise FileNotFoundError(f"nothing is published in {output_path}: no {POINTER}")
        return str(pointer["files"][name])  # type: ignore[index]
    return str((Path(output_path) / name).resolve())


def last_invocation_id(target_path: Path) -> str:
    """The invocation id of the last dbt command that wrote ``run_results.json`` there."""
    run_results = target_path / "run_results.json"
    if not run_results.is_file():
        raise FileNotFoundError(f"{run_results} does not exist: run `dbt build` first")
    return str(json.loads(run_results.read_text())["metadata"]["invocation_id"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="loco-clips-publish",
        description="Publish the outputs a Spark `dbt build` wrote to OUTPUT_PATH/.runs/RUN_ID/: "
        "one atomic swap, as a DuckDB build does by itself (a DuckDB run is already published).",
    )
    parser.add_argument("output_path", help="the build's output_path")
    parser.add_argument(
        "run_id",
        nargs="?",
        help="the build's invocation id (default: the last dbt command's, from "
        "run_results.json in DBT_TARGET_PATH, else target/)",
    )
    args = parser.parse_args(argv)
    try:
        run_id = args.run_id or last_invocation_id(
            Path(os.environ.get("DBT_TARGET_PATH") or "target")
        )
        if not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z_-]*", run_id):
            print(f"loco-clips-publish: not a run id: {run_id!r}", file=sys.stderr)
            return 2
        published = publish_run(args.output_path, run_id)
    except FileNotFoundError as error:
        print(f"loco-clips-publish: nothing published: {error}", file=sys.stderr)
        return 1
    print(f"Outputs published: {published}")
    return 0
