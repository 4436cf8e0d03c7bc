"""Run the test suites of `make test` side by side and say how each went.

The suites share no state (each test builds in its own temporary folders; the Spark suites each
have their own Spark folder), so up to ``LOCO_TEST_JOBS`` of them (default 3) run at once,
longest first. Every line a suite prints is shown as it comes, prefixed with the suite's name,
and kept whole in ``target/test-logs/<suite>.log``. The end is a table of the suites with their
result and seconds; the exit code is 1 when any suite failed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
LOGS = REPO / "target" / "test-logs"


@dataclass
class Suite:
    name: str
    command: list[str]
    returncode: int | None = None
    seconds: float = 0.0
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = LOGS / f"{self.name}.log"


def make(*targets: str) -> list[str]:
    return ["make", "--no-print-directory", *targets]


def pytest(*args: str) -> list[str]:
    # --durations: the slowest tests of each suite in its log, where to cut when CI grows.
    return [str(BIN / "pytest"), "-v", "-p", "no:cacheprovider", "--durations=15", *args]


def files(*names: str) -> list[str]:
    return [f"tests/python/{name}" for name in names]


# The DuckDB suites in two halves of about equal time, each file whole (a session fixture is built
# once per half that uses it). Longest first, so the short ones fill the gaps at the end.
PYTHON_A = files(
    "test_hostile_input.py", "test_end_to_end.py", "test_gates.py", "test_exact_numbers.py",
    "test_generator.py", "test_raw_files.py", "test_system_packages.py", "test_make_verbs.py",
    "test_source_freshness.py",
)  # fmt: skip
PYTHON_B = files(
    "test_incremental.py", "test_publish.py", "test_hand_written_contender.py", "docs",
    "test_duckdb_paths.py",
)  # fmt: skip
SUITES = [
    Suite("python-a", pytest(*PYTHON_A)),
    Suite("python-b", pytest(*PYTHON_B)),
    Suite("spark35", make("test-spark35")),
    Suite("spark4", make("test-spark4")),
    Suite("airflow", pytest("tests/python/airflow")),
    Suite("s3", pytest("tests/python/s3")),
    Suite("dbt-and-lint", make("test-dbt", "lint")),
]


def check_every_suite_runs() -> None:
    """Every DuckDB test file is in one half, so a new file cannot be left out."""
    found = {
        str(path.relative_to(REPO)) for path in (REPO / "tests" / "python").glob("test_*.py")
    } | {"tests/python/docs"}
    listed = set(PYTHON_A) | set(PYTHON_B)
    if found != listed:
        raise SystemExit(
            f"run_suites.py: test files in no suite: {sorted(found - listed)}; "
            f"listed but missing: {sorted(listed - found)}"
        )


print_lock = threading.Lock()


def say(line: str) -> None:
    with print_lock:
        print(line, flush=True)


def run(suite: Suite) -> None:
    started = time.monotonic()
    say(f"[{suite.name}] started: {' '.join(suite.command)}")
    with suite.log.open("w") as log:
        process = subprocess.Popen(
            suite.command,
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="backslashreplace",
            bufsize=1,
        )
        assert process.stdout is not None
        for line in process.stdout:
            log.write(line)
            say(f"[{suite.name}] {line.rstrip()}")
        suite.returncode = process.wait()
    suite.seconds = time.monotonic() - started
    result = "passed" if suite.returncode == 0 else f"FAILED (exit {suite.returncode})"
    say(f"[{suite.name}] {result} in {suite.seconds:.0f} s; log: {suite.log}")


def main() -> int:
    check_every_suite_runs()
    jobs = int(os.environ.get("LOCO_TEST_JOBS", "3"))
    LOGS.mkdir(parents=True, exist_ok=True)
    say(f"Running {len(SUITES)} suites, {jobs} at a time; logs in {LOGS}")
    started = time.monotonic()
    pending = list(SUITES)
    running: list[threading.Thread] = []
    while pending or running:
        running = [thread for thread in running if thread.is_alive()]
        while pending and len(running) < jobs:
            thread = threading.Thread(target=run, args=(pending.pop(0),))
            thread.start()
            running.append(thread)
        time.sleep(0.2)
    failed = [suite for suite in SUITES if suite.returncode != 0]
    say("")
    say(f"{'suite':<16}{'result':<10}{'seconds':>8}")
    for suite in SUITES:
        result = "passed" if suite.returncode == 0 else "FAILED"
        say(f"{suite.name:<16}{result:<10}{suite.seconds:>8.0f}")
    say(f"All suites: {time.monotonic() - started:.0f} s wall time")
    for suite in failed:
        say(f"{suite.name} failed: see {suite.log}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
