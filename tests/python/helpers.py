"""Helpers the tests share: run the generator, and run the dbt project as other jobs do."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DBT = Path(sys.executable).parent / "dbt"
GENERATE = Path(sys.executable).parent / "loco-clips-generate"
PUBLISH = Path(sys.executable).parent / "loco-clips-publish"


def run_generator(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GENERATE), "--out", str(out), *args], capture_output=True, text=True, check=True
    )


def dbt_build_command(
    work: Path, raw: Path, out: Path, *flags: str, **extra_vars: object
) -> tuple[list[str], dict[str, str]]:
    """The command line and environment of `dbt build` for ``run_dbt_build`` (and a Popen)."""
    env = {
        **os.environ,
        "DBT_DUCKDB_PATH": str(work / "loco_clips.duckdb"),
        "DBT_PROFILES_DIR": str(REPO),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
    }
    variables = json.dumps({"raw_path": str(raw), "output_path": str(out), **extra_vars})
    return [str(DBT), "build", "--vars", variables, *flags], env


def run_dbt_build(
    work: Path, raw: Path, out: Path, *flags: str, project: Path = REPO, **extra_vars: object
) -> subprocess.CompletedProcess[str]:
    """`dbt build --vars '{raw_path: …, output_path: …}' [flags]` from the repo root (or another
    ``project`` folder, e.g. a copy with a test added), as other jobs run it.

    Its database, target and log folders go under ``work`` so tests never share state.
    """
    command, env = dbt_build_command(work, raw, out, *flags, **extra_vars)
    # The project is the folder it runs in, even under `make`, which exports DBT_PROJECT_DIR.
    env["DBT_PROJECT_DIR"] = str(project)
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


def copy_project(destination: Path) -> Path:
    """A scratch copy of the dbt project (no Python tests, no build output), to alter in a test."""
    destination.mkdir(parents=True)
    for name in ("dbt_project.yml", "profiles.yml"):
        shutil.copy2(REPO / name, destination / name)
    for folder in ("models", "macros", "seeds", "analyses"):
        shutil.copytree(REPO / folder, destination / folder)
    shutil.copytree(REPO / "tests", destination / "tests", ignore=shutil.ignore_patterns("python"))
    return destination


def replace_once(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a file (fails when it is not there exactly once)."""
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {path} exactly once"
    path.write_text(text.replace(old, new))
