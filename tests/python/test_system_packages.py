"""`.ci/system-packages`, the first step of `make test` and `.ci/run`: it finds what the suites
need on this machine, and for what is missing it installs or prints the exact command."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import REPO

SCRIPT = REPO / ".ci" / "system-packages"
INSTALL = "apt-get update && apt-get install -y --no-install-recommends"


def run(
    *args: str, env: dict[str, str] | None = None, as_nobody_from: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The script, or (as root) a copy of it in ``as_nobody_from`` run as ``nobody``: the
    checkout itself may sit in a folder only root can enter (``mktemp -d`` makes it 0700)."""
    command = [str(SCRIPT), *args]
    if as_nobody_from is not None and os.geteuid() == 0:
        copy = as_nobody_from / SCRIPT.name
        shutil.copy2(SCRIPT, copy)
        copy.chmod(0o755)
        command = ["runuser", "-u", "nobody", "--", str(copy), *args]
    return subprocess.run(
        command, capture_output=True, text=True, env={**os.environ, **(env or {})}
    )


def fake_command(folder: Path, name: str, body: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    folder.chmod(0o755)
    return folder


def test_this_machine_has_every_package_the_suites_need():
    result = run("--check")
    assert result.returncode == 0, result.stderr
    assert "present" in result.stdout


def test_a_missing_chromium_is_named_with_the_command_that_installs_it(tmp_path: Path):
    result = run("--check", env={"LOCO_CHROMIUM": str(tmp_path / "no-chromium")})
    assert result.returncode == 1
    assert f"Install them with: sudo sh -c '{INSTALL} chromium'" in result.stderr


def test_a_java_older_than_17_counts_as_missing(tmp_path: Path):
    bin_dir = fake_command(tmp_path / "bin", "java", """echo 'openjdk version "11.0.2"' >&2""")
    result = run("--check", env={"PATH": f"{bin_dir}:{os.environ['PATH']}"})
    assert result.returncode == 1
    assert f"{INSTALL} openjdk-17-jre-headless'" in result.stderr


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder `nobody` can enter: pytest's own temp folders and a `mktemp -d` checkout are
    0700 and root's."""
    folder = Path(tempfile.mkdtemp(prefix="loco-system-packages-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_without_root_or_sudo_it_stops_at_once_with_the_command(open_folder: Path):
    # sudo that asks for a password (`sudo -n true` fails), run as a user who is not root.
    bin_dir = fake_command(open_folder / "bin", "sudo", "exit 1")
    result = run(
        env={
            "LOCO_CHROMIUM": str(open_folder / "no-chromium"),
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
        },
        as_nobody_from=open_folder,
    )
    assert result.returncode == 1
    assert f"Install them with: sudo sh -c '{INSTALL} chromium'" in result.stderr
    assert "Installing" not in result.stdout


def test_make_test_and_ci_share_the_step():
    makefile = (REPO / "Makefile").read_text()
    assert "test: system-packages" in makefile
    assert "@.ci/system-packages" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()
