"""`.ci/system-packages`, the first step of `make test` and `.ci/run`: it finds what the suites
need on this machine, and for what is missing it installs or prints the exact command."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from helpers import REPO

SCRIPT = REPO / ".ci" / "system-packages"
INSTALL = "apt-get update && apt-get install -y --no-install-recommends"


def run(*args: str, env: dict[str, str] | None = None, as_nobody: bool = False):
    command = [str(SCRIPT), *args]
    if as_nobody and os.geteuid() == 0:
        command = ["runuser", "-u", "nobody", "--", *command]
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


def test_without_root_or_sudo_it_stops_at_once_with_the_command(tmp_path: Path):
    # sudo that asks for a password (`sudo -n true` fails), run as a user who is not root.
    bin_dir = fake_command(tmp_path / "bin", "sudo", "exit 1")
    tmp_path.chmod(0o755)
    result = run(
        env={
            "LOCO_CHROMIUM": str(tmp_path / "no-chromium"),
            "PATH": f"{bin_dir}:{os.environ['PATH']}",
        },
        as_nobody=True,
    )
    assert result.returncode == 1
    assert f"Install them with: sudo sh -c '{INSTALL} chromium'" in result.stderr
    assert "Installing" not in result.stdout


def test_make_test_and_ci_share_the_step():
    makefile = (REPO / "Makefile").read_text()
    assert "test: system-packages" in makefile
    assert "@.ci/system-packages" in makefile
    assert "make test" in (REPO / ".ci" / "run").read_text()
