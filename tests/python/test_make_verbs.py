"""The Makefile's verbs as a newcomer uses them: `make`, `make help`, `make run RAW=… OUT=…`,
`make clean`."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from helpers import REPO


def make(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None):
    return subprocess.run(
        ["make", "--no-print-directory", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )


def test_plain_make_and_make_help_list_every_verb_with_a_line_each():
    verbs = re.findall(r"^## ([a-z-]+): ", (REPO / "Makefile").read_text(), flags=re.M)
    assert {"run", "test", "clean", "docs", "docs-build", "lint", "bench"} <= set(verbs)
    for args in ((), ("help",)):
        result = make(*args)
        assert result.returncode == 0, result.stderr
        listed = re.findall(r"^  ([a-z-]+) +\S", result.stdout, flags=re.M)
        assert listed == verbs


def test_make_run_builds_the_given_folders_and_summarizes_what_it_published(tmp_path: Path):
    raw = tmp_path / "it's $HOME [raw]"  # quotes, $ and brackets: data, not shell or SQL
    shutil.copytree(REPO / "data" / "raw", raw)
    out = tmp_path / "out put"
    result = make(
        "run",
        f"RAW={raw}",
        f"OUT={out}",
        env={
            "DBT_DUCKDB_PATH": str(tmp_path / "state.duckdb"),
            "DBT_TARGET_PATH": str(tmp_path / "target"),
            "DBT_LOG_PATH": str(tmp_path / "logs"),
            "DBT_USE_COLORS": "false",
        },
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr
    summary = json.loads((out / "run_summary.json").read_text())
    assert summary["raw_path"] == str(raw)
    # dbt's own progress lines, then the summary with the published numbers.
    assert re.search(r"OK created .* model main\.user_reel_interest", result.stdout)
    for event_type, counts in summary["event_types"].items():
        row = (
            f"{event_type} +{counts['lines_read']:,} +{counts['used']:,}"
            f" +{counts['duplicates']:,} +{counts['rejected']:,}"
        )
        assert re.search(row, result.stdout), row
    assert (
        f"Pairs: {summary['rows']['user_reel_interest']:,}, of which interested: " in result.stdout
    )
    assert "Top reason codes: " in result.stdout
    assert f"  {out / 'user_reel_interest.parquet'}\n" in result.stdout


def test_make_clean_removes_what_builds_generate_and_says_so_for_the_state(tmp_path: Path):
    shutil.copy2(REPO / "Makefile", tmp_path / "Makefile")
    generated = ["target", "logs", "output", "state", ".pytest_cache", "metastore_db"]
    for name in generated:
        (tmp_path / name).mkdir()
        (tmp_path / name / "file").write_text("x")
    (tmp_path / ".venv").mkdir()
    result = make("clean", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert [name for name in generated if (tmp_path / name).exists()] == []
    assert "Removed state/" in result.stdout
    assert (tmp_path / ".venv").is_dir()
