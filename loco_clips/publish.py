"""Publishing a run's outputs all at once: ``publish_run(output_path, run_id)`` makes the run's
files, already written to ``<output_path>/.runs/<run_id>/``, the published ones (macro
``publish_outputs``, in ``on-run-end``, after every model and test of the build passed).

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
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

PUBLISHED_NAMES = ("user_reel_interest.parquet", "rejected_events.parquet", "run_summary.json")
RUNS = ".runs"
CURRENT = "current"
# Test hook (tests/python/test_publish.py): seconds to sleep after the run's files are written
# and before the swap, so a test can kill the build inside the publish. Unset in production.
TEST_PAUSE_VARIABLE = "LOCO_PUBLISH_TEST_PAUSE"


def publish_run(output_path: str, run_id: str) -> str:
    """Publish ``<output_path>/.runs/<run_id>`` and return the published folder's path.

    Every step leaves a consistent, readable output, so a crash anywhere is harmless and the
    next publish finishes what a killed one began.
    """
    output = Path(output_path)
    run = output / RUNS / run_id
    missing = [name for name in PUBLISHED_NAMES if not (run / name).exists()]
    if missing:
        raise FileNotFoundError(f"publish_run: {run} lacks {', '.join(missing)}")
    _sync(run)
    pause = os.environ.get(TEST_PAUSE_VARIABLE)
    if pause:
        time.sleep(float(pause))
    current = output / CURRENT
    if not current.is_symlink():
        _adopt_unversioned_outputs(output, run_id)
    for name in PUBLISHED_NAMES:
        _ensure_symlink(output / name, f"{CURRENT}/{name}", run_id)
    previous = os.readlink(current) if current.is_symlink() else None
    _replace_with_symlink(current, f"{RUNS}/{run_id}", run_id)  # the commit point
    _sync_directory(output)
    _delete_other_runs(output, keep={run_id, Path(previous).name if previous else run_id})
    return str(run)


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
