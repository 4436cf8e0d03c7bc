"""What the docs tests share: a dbt build with its own database, target and output folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
DBT = Path(sys.executable).parent / "dbt"


@dataclass(frozen=True)
class DocsBuild:
    """A dbt build of the bundled sample, with the docs generated into its own target folder."""

    work: Path
    target: Path
    output: Path

    def dbt(
        self,
        *args: str,
        output: Path | None = None,
        target: Path | None = None,
        variables: dict[str, object] | None = None,
        check: bool = True,
    ) -> subprocess.CompletedProcess[str]:
        """Run dbt from the repo root against this build's database, target and output (or the
        output and target folders and the further vars given); with check, it must succeed."""
        env = {
            **os.environ,
            "DBT_DUCKDB_PATH": str(self.work / "loco_clips.duckdb"),
            "DBT_PROFILES_DIR": str(REPO),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_TARGET_PATH": str(target or self.target),
            "DBT_LOG_PATH": str(self.work / "logs"),
        }
        all_variables = {"output_path": str(output or self.output), **(variables or {})}
        result = subprocess.run(
            [str(DBT), *args, "--vars", json.dumps(all_variables)],
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
        )
        if check:
            assert result.returncode == 0, f"dbt {' '.join(args)} failed:\n{result.stdout[-4000:]}"
        return result
