"""`dbt build` with raw_path and output_path on S3 (two buckets), against the test S3 server:
the same rows as a local build of the same files, an incremental day that parses only the new
objects, the publish pattern (pointer object, then fixed-name copies), a failed gate and a killed
publish that leave every output object byte for byte as it was, wrong credentials named with the
bucket, and a hostile key read once."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from helpers import REPO, dbt_build_command, run_dbt_build, run_generator
from s3_server import S3Server

from loco_clips import publish

NAMES = ("user_reel_interest.parquet", "rejected_events.parquet", "run_summary.json")
EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")


def invocation_id(work: Path) -> str:
    results = json.loads((work / "target" / "run_results.json").read_text())
    return results["metadata"]["invocation_id"]


def parquet_rows(content: bytes, folder: Path, prefix: str = "") -> list[tuple]:
    """The rows of a Parquet file's bytes, sorted; ``prefix`` is cut from rejected source_file."""
    path = folder / f"rows-{time.monotonic_ns()}.parquet"
    path.write_bytes(content)
    rows = duckdb.execute("select * from read_parquet(?) order by all", [str(path)]).fetchall()
    path.unlink()
    return [tuple(v.removeprefix(prefix) if isinstance(v, str) else v for v in row) for row in rows]


def local_outputs(out: Path, folder: Path) -> dict[str, object]:
    return {
        "user_reel_interest": parquet_rows((out / NAMES[0]).read_bytes(), folder),
        "rejected_events": parquet_rows((out / NAMES[1]).read_bytes(), folder),
        "summary": json.loads((out / NAMES[2]).read_text()),
    }


def s3_outputs(server: S3Server, bucket: str, prefix: str, folder: Path) -> dict[str, object]:
    found = server.objects(bucket, prefix)
    return {
        "user_reel_interest": parquet_rows(found[f"{prefix}/{NAMES[0]}"], folder),
        "rejected_events": parquet_rows(found[f"{prefix}/{NAMES[1]}"], folder),
        "summary": json.loads(found[f"{prefix}/{NAMES[2]}"]),
    }


def comparable(outputs: dict[str, object], raw_root: str) -> dict[str, object]:
    """Outputs with the raw root cut from file names and the run's own fields dropped."""
    rejected = [
        tuple(v.removeprefix(raw_root) if i == 1 else v for i, v in enumerate(row))
        for row in outputs["rejected_events"]  # type: ignore[union-attr]
    ]
    summary = dict(outputs["summary"])  # type: ignore[arg-type]
    for field in ("run_id", "finished_at", "raw_path"):
        summary.pop(field)
    return {"user_reel_interest": outputs["user_reel_interest"], "rejected": rejected, **summary}


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated events over three days, gzip and plain JSON Lines and JSON, with dirt."""
    raw = tmp_path_factory.mktemp("s3_landing") / "raw"
    run_generator(
        raw, "--events", "4000", "--dirt-rate", "0.05", "--seed", "11", "--days", "3",
        "--files-per-day", "2", "--format", "mixed",
    )  # fmt: skip
    return raw


def first_days(landing: Path, folder: Path, days: int) -> Path:
    """A copy of ``landing`` holding only its first ``days`` dt= folders of each event type."""
    for event_type in EVENT_TYPES:
        for day in sorted((landing / event_type).iterdir())[:days]:
            shutil.copytree(day, folder / event_type / day.name)
    return folder


class S3Run:
    """One S3 deployment: a raw bucket, an output bucket, one DuckDB state, and its builds."""

    def __init__(self, server: S3Server, raw_bucket: str, out_bucket: str, work: Path) -> None:
        self.server, self.work = server, work
        self.raw_bucket, self.out_bucket = raw_bucket, out_bucket
        self.raw = f"s3://{raw_bucket}/landing"
        self.out = f"s3://{out_bucket}/marts/interest"
        self.out_prefix = "marts/interest"

    def build(self, *flags: str, **extra_vars: object) -> subprocess.CompletedProcess[str]:
        return run_dbt_build(self.work, self.raw, self.out, *flags, **extra_vars)  # type: ignore[arg-type]

    def published(self) -> dict[str, bytes]:
        return self.server.objects(self.out_bucket, self.out_prefix)


@pytest.fixture(scope="module")
def deployment(
    s3_server: S3Server,
    new_bucket,
    landing: Path,
    tmp_path_factory: pytest.TempPathFactory,  # noqa: ANN001
) -> S3Run:
    """The first two days uploaded to the raw bucket and built on S3 once."""
    run = S3Run(s3_server, new_bucket("raw"), new_bucket("out"), tmp_path_factory.mktemp("s3_work"))
    two_days = first_days(landing, tmp_path_factory.mktemp("two_days") / "raw", 2)
    s3_server.upload_folder(two_days, run.raw_bucket, "landing")
    result = run.build()
    assert result.returncode == 0, result.stdout[-4000:]
    run.first_run_id = invocation_id(run.work)  # type: ignore[attr-defined]
    return run


def local_build(raw: Path, root: Path) -> Path:
    work, out = root / "work", root / "out"
    result = run_dbt_build(work, raw, out)
    assert result.returncode == 0, result.stdout[-4000:]
    return out


def test_a_build_on_s3_writes_the_same_rows_as_a_local_build(
    deployment: S3Run, landing: Path, tmp_path: Path
) -> None:
    two_days = first_days(landing, tmp_path / "raw", 2)
    out = local_build(two_days, tmp_path)
    expected = comparable(local_outputs(out, tmp_path), str(two_days))
    actual = comparable(
        s3_outputs(deployment.server, deployment.out_bucket, deployment.out_prefix, tmp_path),
        deployment.raw,
    )
    assert actual == expected
    assert len(actual["user_reel_interest"]) > 300 and len(actual["rejected"]) > 10
    assert not (REPO / "s3:").exists()  # no local folder named after the S3 path


def test_the_pointer_is_the_commit_point_and_the_fixed_names_are_its_run_s_copies(
    deployment: S3Run,
) -> None:
    run_id = deployment.first_run_id  # type: ignore[attr-defined]
    found = deployment.published()
    prefix = deployment.out_prefix
    pointer = json.loads(found[f"{prefix}/_latest.json"])
    run = f"{deployment.out}/.runs/{run_id}"
    assert pointer == {
        "run_id": run_id,
        "run_folder": f"{run}/",
        "files": {
            "user_reel_interest.parquet": f"{run}/user_reel_interest/user_reel_interest.parquet",
            "rejected_events.parquet": f"{run}/rejected_events/rejected_events.parquet",
            "run_summary.json": f"{run}/run_summary.json",
        },
        "tables": {
            "user_reel_interest": f"{run}/user_reel_interest/",
            "rejected_events": f"{run}/rejected_events/",
        },
    }
    # Each table's folder holds only its own file: it can be an Athena LOCATION.
    run_keys = sorted(key for key in found if key.startswith(f"{prefix}/.runs/"))
    assert run_keys == sorted(
        path.removeprefix(f"s3://{deployment.out_bucket}/") for path in pointer["files"].values()
    )
    client = deployment.server.client()
    for name, path in pointer["files"].items():
        assert (
            found[f"{prefix}/{name}"] == found[path.removeprefix(f"s3://{deployment.out_bucket}/")]
        )
        head = client.head_object(Bucket=deployment.out_bucket, Key=f"{prefix}/{name}")
        assert head["Metadata"] == {"loco-run-id": run_id}
    assert json.loads(found[f"{prefix}/run_summary.json"])["run_id"] == run_id
    assert (
        publish.published_file(deployment.out, "user_reel_interest.parquet")
        == (pointer["files"]["user_reel_interest.parquet"])
    )


def test_the_summary_of_make_run_reads_the_run_the_pointer_names(deployment: S3Run) -> None:
    """`loco-clips-summary s3://…` (the end of `make run OUT=s3://…`) as a user runs it."""
    result = subprocess.run(
        [str(Path(sys.executable).parent / "loco-clips-summary"), deployment.out],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(deployment.published()[f"{deployment.out_prefix}/run_summary.json"])
    assert f"Run {deployment.first_run_id}" in result.stdout  # type: ignore[attr-defined]
    assert f"Pairs: {summary['rows']['user_reel_interest']:,}, of which" in result.stdout
    assert f"  {deployment.out}/user_reel_interest.parquet\n" in result.stdout


def test_a_failed_gate_leaves_every_s3_output_byte_identical(deployment: S3Run) -> None:
    before = deployment.published()
    result = deployment.build(max_rejection_rate=0)
    assert result.returncode != 0
    assert "Outputs not published" in result.stdout
    assert "assert_rejection_rate_within_limit" in result.stdout
    assert deployment.published() == before


def test_a_build_killed_inside_the_publish_leaves_every_s3_output_as_it_was(
    deployment: S3Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Killed after the run's files are written and before the pointer PUT: the previous run
    stays published, and its files are untouched."""
    before = deployment.published()
    monkeypatch.setenv(publish.TEST_PAUSE_VARIABLE, "60")
    command, env = dbt_build_command(deployment.work, deployment.raw, deployment.out)  # type: ignore[arg-type]
    env["DBT_PROJECT_DIR"] = str(REPO)
    old_runs = {key.split("/")[3] for key in before if "/.runs/" in key}

    def new_run_written() -> bool:
        return any(
            key.endswith("/run_summary.json") and key.split("/")[3] not in old_runs
            for key in deployment.published()
            if "/.runs/" in key
        )

    with subprocess.Popen(command, cwd=REPO, env=env, stdout=subprocess.DEVNULL) as build:
        try:
            deadline = time.monotonic() + 300
            while not new_run_written():
                assert build.poll() is None, "the build ended before it reached the publish"
                assert time.monotonic() < deadline, "the build never reached the publish"
                time.sleep(0.5)
        finally:
            build.send_signal(signal.SIGKILL)
            build.wait()
    after = deployment.published()
    assert {key: value for key, value in after.items() if key in before} == before
    assert set(after) - set(before) == {  # only the killed run's own folder was added
        key for key in after if "/.runs/" in key and key.split("/")[3] not in old_runs
    }


def test_an_incremental_day_on_s3_parses_only_the_new_objects(
    deployment: S3Run, landing: Path, tmp_path: Path
) -> None:
    new_day = {
        event_type: sorted((landing / event_type).iterdir())[2] for event_type in EVENT_TYPES
    }
    new_keys = []
    for event_type, day in new_day.items():
        new_keys += deployment.server.upload_folder(
            day, deployment.raw_bucket, f"landing/{event_type}/{day.name}"
        )
    result = deployment.build()
    assert result.returncode == 0, result.stdout[-4000:]
    for event_type, day in new_day.items():
        new = len(list(day.iterdir()))
        assert f"{event_type}: {new} new of {3 * new} files" in result.stdout
    out = local_build(landing, tmp_path)
    expected = comparable(local_outputs(out, tmp_path), str(landing))
    actual_raw = s3_outputs(
        deployment.server, deployment.out_bucket, deployment.out_prefix, tmp_path
    )
    assert actual_raw["summary"]["files_read"] == len(new_keys)  # type: ignore[index]
    actual = comparable(actual_raw, deployment.raw)
    expected_summary_files_read = expected.pop("files_read")
    assert actual.pop("files_read") == len(new_keys) < expected_summary_files_read
    for event_type in EVENT_TYPES:
        expected["event_types"][event_type].pop("files_read")  # type: ignore[index]
        actual["event_types"][event_type].pop("files_read")  # type: ignore[index]
    assert actual == expected
    # The previous run's folder is kept, older ones deleted.
    runs = {key.split("/")[3] for key in deployment.published() if "/.runs/" in key}
    assert runs == {deployment.first_run_id, invocation_id(deployment.work)}  # type: ignore[attr-defined]


def test_wrong_credentials_stop_the_build_with_one_line_naming_the_bucket(
    deployment: S3Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = deployment.published()
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-key")
    result = deployment.build()
    assert result.returncode != 0
    line = next(line for line in result.stdout.splitlines() if "cannot list" in line)
    assert f"cannot list {deployment.raw}/reel_watched (bucket '{deployment.raw_bucket}')" in line
    assert "Traceback" not in result.stdout + result.stderr
    monkeypatch.undo()
    assert deployment.published() == before


def test_an_unreachable_output_bucket_stops_the_build_before_anything_runs(
    deployment: S3Run, tmp_path: Path
) -> None:
    result = run_dbt_build(tmp_path, deployment.raw, "s3://loco-no-such-bucket/out")  # type: ignore[arg-type]
    assert result.returncode != 0
    assert "cannot reach s3://loco-no-such-bucket/ (bucket 'loco-no-such-bucket')" in result.stdout
    assert " START sql " not in result.stdout  # no model ran


def test_a_hostile_s3_key_is_read_once(
    s3_server: S3Server,
    new_bucket,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    bucket = new_bucket("hostile")
    client = s3_server.client()
    day = "raw/reel_liked/dt=2025-11-24"
    like = '{{"user_uid": "{}", "reel_uid": "r", "timestamp": 1}}\n'
    client.put_object(Bucket=bucket, Key=f"{day}/o'k [1]*?.jsonl", Body=like.format("hostile"))
    client.put_object(Bucket=bucket, Key=f"{day}/o'k 1.jsonl", Body=like.format("decoy"))
    result = run_dbt_build(tmp_path, f"s3://{bucket}/raw", f"s3://{bucket}/out")  # type: ignore[arg-type]
    assert result.returncode == 0, result.stdout[-4000:]
    found = s3_server.objects(bucket, "out")
    rows = parquet_rows(found["out/user_reel_interest.parquet"], tmp_path)
    assert rows == [
        ("decoy", "r", True, False, None, True),
        ("hostile", "r", True, False, None, True),
    ]
    summary = json.loads(found["out/run_summary.json"])
    assert summary["event_types"]["reel_liked"]["lines_read"] == 2
    assert summary["files_read"] == 2
    assert parquet_rows(found["out/rejected_events.parquet"], tmp_path) == []


def test_the_athena_ddl_locations_are_the_folders_the_pointer_names(
    deployment: S3Run, tmp_path: Path
) -> None:
    """One location convention: the DDL compiled with the pointer's run_folder points each
    table at the folder the publish wrote it to, which holds only that table's file."""
    pointer = json.loads(deployment.published()[f"{deployment.out_prefix}/_latest.json"])
    command, env = dbt_build_command(tmp_path, deployment.raw, deployment.out)  # type: ignore[arg-type]
    variables = json.dumps({"athena_run_folder": pointer["run_folder"]})
    command = [command[0], "compile", "--select", "athena_*", "--vars", variables]
    env["DBT_PROJECT_DIR"] = str(REPO)
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
    compiled = tmp_path / "target" / "compiled" / "loco_clips" / "analyses"
    for table, folder in pointer["tables"].items():
        ddl = (compiled / f"athena_{table}_external_table.sql").read_text()
        assert f"location '{folder}'\n" in ddl
        keys = [
            key
            for key in deployment.published()
            if f"s3://{deployment.out_bucket}/{key}".startswith(folder)
        ]
        assert keys == [f"{folder}{table}.parquet".removeprefix(f"s3://{deployment.out_bucket}/")]
