"""Publishing: nothing under output_path changes until every model and every test of the build
passed, and the three outputs (user_reel_interest.parquet, rejected_events.parquet,
run_summary.json) are replaced together, whatever moment the build is killed at.

The layout is written by macros/publish_outputs.sql and loco_clips/publish.py.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from helpers import PUBLISH, REPO, dbt_build_command, run_dbt_build, run_generator

from loco_clips import publish

NAMES = publish.PUBLISHED_NAMES
SAMPLE = REPO / "data" / "raw"
EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")


def published(out: Path) -> dict[str, bytes]:
    """The bytes a reader gets at each fixed name."""
    return {name: (out / name).read_bytes() for name in NAMES}


def rows(out: Path, name: str) -> list[tuple]:
    return duckdb.sql(f"select * from read_parquet('{out / name}') order by all").fetchall()


def run_folders(out: Path) -> set[str]:
    return {path.name for path in (out / ".runs").iterdir()}


def invocation_id(work: Path) -> str:
    return json.loads((work / "target" / "run_results.json").read_text())["metadata"][
        "invocation_id"
    ]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """150,000 generated events (a build of several seconds), built and published once:
    (raw, work, out)."""
    root = tmp_path_factory.mktemp("publish_big")
    raw, work, out = root / "raw", root / "work", root / "out"
    run_generator(
        raw, "--events", "150000", "--dirt-rate", "0.03", "--seed", "4", "--days", "2",
        "--files-per-day", "2", "--format", "mixed", "--workers", "2",
    )  # fmt: skip
    result = run_dbt_build(work, raw, out)
    assert result.returncode == 0, result.stdout[-3000:]
    return raw, work, out


# --- (a) a clean build ----------------------------------------------------------------------


def test_a_build_publishes_the_three_files_of_its_run(big: tuple[Path, Path, Path]) -> None:
    raw, work, out = big
    run_id = invocation_id(work)
    assert os.readlink(out / "current") == f".runs/{run_id}"
    for name in NAMES:
        assert os.readlink(out / name) == f"current/{name}"
        assert (out / name).resolve() == (out / ".runs" / run_id / name).resolve()
        assert (out / name).is_file()
    assert run_folders(out) == {run_id}

    lines = (out / "run_summary.json").read_text().splitlines()
    assert len(lines) == 1
    summary = json.loads(lines[0])
    assert summary["run_id"] == run_id
    assert summary["finished_at"].endswith("Z")
    assert datetime.fromisoformat(summary["finished_at"]).utcoffset().total_seconds() == 0
    assert summary["raw_path"] == str(raw)

    files = {event_type: len(list((raw / event_type).rglob("*.*"))) for event_type in EVENT_TYPES}
    assert summary["files_in_state"] == summary["files_read"] == sum(files.values()) > 0
    with duckdb.connect(str(work / "loco_clips.duckdb"), read_only=True) as database:
        counts = database.sql(
            "select event_type, lines_read, used, duplicates, rejected "
            "from int_event_outcomes_counted"
        ).fetchall()
    assert summary["event_types"] == {
        event_type: {
            "files_in_state": files[event_type],
            "files_read": files[event_type],
            "lines_read": lines_read,
            "used": used,
            "duplicates": duplicates,
            "rejected": rejected,
        }
        for event_type, lines_read, used, duplicates, rejected in counts
    }
    assert summary["rows"] == {
        name: len(rows(out, f"{name}.parquet"))
        for name in ("user_reel_interest", "rejected_events")
    }
    assert summary["rows"]["rejected_events"] == sum(c[4] for c in counts) > 0

    def integers(value: object) -> list[object]:
        if isinstance(value, dict):
            return [leaf for item in value.values() for leaf in integers(item)]
        return [value]

    counted = integers({k: v for k, v in summary.items() if k in ("event_types", "rows")})
    assert all(type(value) is int for value in counted), counted


# --- (b) a failing test publishes nothing -----------------------------------------------------


FAILING_DATA_TEST = """-- Fault injection: fails whenever user_reel_interest has a row.
select * from {{ ref('user_reel_interest') }} limit 1
"""

FAILING_UNIT_TEST = """version: 2
unit_tests:
  - name: rule_0_fault_injection_expects_a_row_that_is_not_there
    description: Fault injection, always fails.
    model: user_reel_interest
    given:
      - input: ref('int_event_outcomes_counted')
        rows: []
      - input: ref('int_watch_time_summed')
        rows: []
      - input: ref('int_reel_actions_latest')
        rows: []
    expect:
      rows:
        - {user_uid: nobody, reel_uid: r}
"""


def project_copy(folder: Path, extra_file: str, text: str) -> Path:
    """The dbt project (not its Python tests, docs or outputs) with one file added."""
    ignored = shutil.ignore_patterns(
        ".git", ".venv", "target", "logs", "output", "state", "python", "docs", "benchmarks"
    )
    shutil.copytree(REPO, folder, ignore=ignored)
    (folder / extra_file).write_text(text)
    return folder


def test_b_a_failing_data_or_unit_test_leaves_the_published_files_byte_identical(
    tmp_path: Path,
) -> None:
    raw, work, out = tmp_path / "raw", tmp_path / "work", tmp_path / "out"
    shutil.copytree(SAMPLE, raw)
    good = run_dbt_build(work, raw, out)
    assert good.returncode == 0, good.stdout[-3000:]
    before, runs = published(out), run_folders(out)

    # New input changes both marts, so a file written before the tests would differ.
    new_day = raw / "reel_liked" / "dt=2025-11-27"
    new_day.mkdir()
    (new_day / "part-0.jsonl").write_text(
        '{"user_uid": "new", "reel_uid": "r", "timestamp": 1}\n'
        '{"user_uid": "new", "reel_uid": "r", "timestamp": "x"}\n'
    )
    faults = [
        ("tests/marts/assert_fault_injected.sql", FAILING_DATA_TEST, "assert_fault_injected"),
        ("models/marts/_fault__unit_tests.yml", FAILING_UNIT_TEST, "rule_0_fault_injection"),
    ]
    for extra_file, text, failing_node in faults:
        project = project_copy(tmp_path / failing_node, extra_file, text)
        failed = run_dbt_build(work, raw, out, project=project)
        assert failed.returncode != 0
        assert failing_node in failed.stdout
        assert published(out) == before, failing_node
        assert run_folders(out) == runs
        assert "Outputs not published:" in failed.stdout

    # Without the fault the same state publishes the new input.
    fixed = run_dbt_build(work, raw, out)
    assert fixed.returncode == 0, fixed.stdout[-3000:]
    assert ("new", "r", True, False, None, True) in rows(out, "user_reel_interest.parquet")
    assert run_folders(out) == {*runs, invocation_id(work)}  # this run and the previous one


def test_b_a_partial_build_publishes_nothing_and_says_why(tmp_path: Path) -> None:
    partial = run_dbt_build(tmp_path, SAMPLE, tmp_path / "out", "--select", "watch_duration_rules")
    assert partial.returncode == 0, partial.stdout[-3000:]
    assert "Outputs not published: the run did not build" in partial.stdout
    assert not (tmp_path / "out").exists()


# --- (c) SIGKILL at any moment -----------------------------------------------------------------


def kill_build_when(
    work: Path, raw: Path, out: Path, seen: Callable[[str], bool], *flags: str, **env: str
) -> None:
    """Start `dbt build`, SIGKILL it once ``seen(line)`` is true for a line of its output."""
    command, build_env = dbt_build_command(work, raw, out, *flags)
    with subprocess.Popen(
        command,
        cwd=REPO,
        env={**build_env, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        assert process.stdout is not None
        output = []
        try:
            for line in process.stdout:
                output.append(line)
                if seen(line):
                    process.send_signal(signal.SIGKILL)
                    break
            else:
                pytest.fail(
                    "the build ended before the moment to kill it:\n" + "".join(output[-30:])
                )
        finally:
            process.kill()
            process.wait()
    assert process.returncode == -signal.SIGKILL


def test_c_sigkill_at_any_moment_leaves_the_previous_outputs(
    big: tuple[Path, Path, Path],
) -> None:
    raw, work, out = big
    clean = {name: rows(out, name) for name in NAMES[:2]}
    before = published(out)
    moments = {
        "staging": lambda line: "START sql incremental model main.stg_clips__reel_watched" in line,
        "validation": lambda line: (
            "START sql incremental model main.int_watch_events_validated" in line
        ),
    }
    for moment, seen in moments.items():
        # --full-refresh: staging reparses every file, so the moment lasts long enough.
        kill_build_when(work, raw, out, seen, "--full-refresh")
        assert published(out) == before, moment
        # Half rebuilt: the next run must be a full refresh too.
        refused = run_dbt_build(work, raw, out)
        assert refused.returncode != 0, moment
        assert "does not say which raw_path it was built from" in refused.stdout, moment

    # Publishing: the plugin pauses (LOCO_PUBLISH_TEST_PAUSE) after the run's three files are
    # written and before the swap; the kill comes once they are all there.
    runs = run_folders(out)

    def publishing(line: str) -> bool:
        if "START hook: loco_clips.on-run-end" not in line:
            return False
        deadline = time.monotonic() + 300  # a shared machine can be slow
        while time.monotonic() < deadline:
            new = run_folders(out) - runs
            if new and (out / ".runs" / new.pop() / "run_summary.json").exists():
                time.sleep(0.5)
                return True
            time.sleep(0.05)
        return False

    kill_build_when(work, raw, out, publishing, "--full-refresh", LOCO_PUBLISH_TEST_PAUSE="30")
    assert published(out) == before
    assert len(run_folders(out)) == 2  # the killed run's folder, left over

    rerun = run_dbt_build(work, raw, out)
    assert rerun.returncode == 0, rerun.stdout[-3000:]
    assert {name: rows(out, name) for name in NAMES[:2]} == clean
    assert run_folders(out) == {invocation_id(work), *runs}  # the previous run is kept


# --- the swap itself, step by step ------------------------------------------------------------


def write_run(out: Path, run_id: str) -> dict[str, bytes]:
    run = out / ".runs" / run_id
    run.mkdir(parents=True)
    for name in NAMES:
        (run / name).write_text(f"{name} of {run_id}")
    return {name: f"{name} of {run_id}".encode() for name in NAMES}


def visible(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in NAMES if (out / name).exists()}


def older_version_output(out: Path) -> None:
    """What the project wrote before: two plain files, no summary."""
    out.mkdir()
    (out / "user_reel_interest.parquet").write_text("old interest")
    (out / "rejected_events.parquet").write_text("old rejected")


def first_publish(out: Path) -> None:
    write_run(out, "first")
    publish.publish_run(str(out), "first")


def crash_at_rename(number: int, check: Callable[[], None]) -> Callable[[object, object], None]:
    """An os.replace that fails at its ``number``-th call (as a kill would stop the process
    there) and runs ``check`` after every rename it makes."""
    calls = []

    def replace(source: object, target: object) -> None:
        calls.append(target)
        if len(calls) == number:
            raise OSError("killed")
        REAL_REPLACE(source, target)
        check()

    return replace


REAL_REPLACE = os.replace


@pytest.mark.parametrize("before", [older_version_output, first_publish])
def test_a_crash_at_any_rename_of_the_swap_leaves_all_old_or_all_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, before: Callable[[Path], None]
) -> None:
    """A crash at each rename of a publish leaves the old outputs; the next publish finishes.
    Between two renames a reader sees all old or all new."""
    for number in range(1, 10):
        out = tmp_path / str(number)
        before(out)
        old = visible(out)
        new = write_run(out, "second")

        def check(out: Path = out, old: dict = old, new: dict = new) -> None:
            assert visible(out) in (old, new)

        monkeypatch.setattr(os, "replace", crash_at_rename(number, check))
        try:
            publish.publish_run(str(out), "second")
        except OSError:
            monkeypatch.setattr(os, "replace", REAL_REPLACE)
            assert visible(out) == old
            write_run(out, "third")  # the next run publishes, and cleans up
            publish.publish_run(str(out), "third")
            assert visible(out) == {name: f"{name} of third".encode() for name in NAMES}
            assert "second" not in run_folders(out)
            assert not list(out.glob(".*.tmp"))
            continue
        monkeypatch.setattr(os, "replace", REAL_REPLACE)
        assert visible(out) == new
        assert number > 1  # there was a rename to crash at
        break
    else:
        pytest.fail("publish_run never got past its renames")


# --- loco-clips-publish: the step after a Spark build ----------------------------------------


def write_spark_run(out: Path, run_id: str, committed: tuple[str, ...] = NAMES) -> None:
    """A Spark run folder: each output a folder of part files, `_SUCCESS` once its job committed."""
    for name in NAMES:
        folder = out / ".runs" / run_id / name
        folder.mkdir(parents=True)
        (folder / "part-00000.data").write_text(f"{name} of {run_id}")
        if name in committed:
            (folder / "_SUCCESS").write_text("")


def spark_visible(out: Path) -> dict[str, str]:
    return {name: (out / name / "part-00000.data").read_text() for name in NAMES}


def run_publish(work: Path, *args: str, run_id: str = "") -> subprocess.CompletedProcess[str]:
    """loco-clips-publish, with dbt's run_results.json naming ``run_id`` as the last command."""
    target = work / "target"
    target.mkdir(exist_ok=True)
    (target / "run_results.json").write_text(json.dumps({"metadata": {"invocation_id": run_id}}))
    env = {**os.environ, "DBT_TARGET_PATH": str(target)}
    return subprocess.run([str(PUBLISH), *args], env=env, capture_output=True, text=True)


def test_publish_cli_swaps_in_the_last_dbt_commands_spark_run(tmp_path: Path) -> None:
    out = tmp_path / "out [1]"
    write_spark_run(out, "run-a")
    first = run_publish(tmp_path, str(out), run_id="run-a")
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"Outputs published: {out}/.runs/run-a\n"
    assert spark_visible(out) == {name: f"{name} of run-a" for name in NAMES}
    write_spark_run(out, "run-b")
    second = run_publish(tmp_path, str(out), "run-b", run_id="run-a")  # an explicit run id wins
    assert second.returncode == 0, second.stderr
    assert spark_visible(out) == {name: f"{name} of run-b" for name in NAMES}
    assert (out / "current").readlink() == Path(".runs/run-b")


@pytest.mark.parametrize(
    ("args", "run_id", "code", "message"),
    [
        ((), "run-a", 1, "does not exist: that dbt command wrote no outputs"),
        ((), "run-c", 1, "lacks rejected_events.parquet"),
        (("../run-a",), "", 2, "not a run id: '../run-a'"),
    ],
)
def test_publish_cli_refuses_what_no_passing_build_wrote_and_changes_nothing(
    tmp_path: Path, args: tuple[str, ...], run_id: str, code: int, message: str
) -> None:
    """No run folder (the build refused to write, or was not a build), a Spark job that did
    not commit (killed), a run id that is a path: a one-line error, the published run stays."""
    out = tmp_path / "out"
    write_spark_run(out, "first")
    assert run_publish(tmp_path, str(out), run_id="first").returncode == 0
    write_spark_run(out, "run-c", committed=("user_reel_interest.parquet", "run_summary.json"))
    (tmp_path / "run-a").mkdir()  # ../run-a from out/.runs
    refused = run_publish(tmp_path, str(out), *args, run_id=run_id)
    assert refused.returncode == code
    assert message in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    assert spark_visible(out) == {name: f"{name} of first" for name in NAMES}


def test_publish_replaces_the_empty_folders_spark_catalog_tables_leave(tmp_path: Path) -> None:
    """The first Spark build's `create table … location '<fixed name>'` makes empty folders
    there: they hold no output, so the first publish replaces them by its symlinks."""
    out = tmp_path / "out"
    write_spark_run(out, "run-a")
    for name in ("user_reel_interest.parquet", "rejected_events.parquet"):
        (out / name).mkdir()
    assert run_publish(tmp_path, str(out), run_id="run-a").returncode == 0
    assert spark_visible(out) == {name: f"{name} of run-a" for name in NAMES}
    assert run_folders(out) == {"run-a"}
