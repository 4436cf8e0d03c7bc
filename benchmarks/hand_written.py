"""Run benchmarks/hand_written.sql, the hand-written contender, on one raw folder.

    .venv/bin/python benchmarks/hand_written.py --raw RAW --out OUT.parquet [--memory-limit 4GB]

The event files are listed the way the project lists them (loco_clips.raw_files); every input
reaches the script as a DuckDB variable set with a bound parameter, never as SQL text.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from loco_clips.raw_files import list_event_files

REPO = Path(__file__).resolve().parents[1]
SCRIPT = REPO / "benchmarks" / "hand_written.sql"
RULES = REPO / "seeds" / "watch_duration_rules.csv"


def run(raw: Path, out: Path, memory_limit: str = "4GB") -> None:
    connection = duckdb.connect()
    connection.execute("set memory_limit = ?", [memory_limit])
    for event_type in ("reel_watched", "reel_liked", "reel_unliked"):
        files = [str(file["path"]) for file in list_event_files(str(raw / event_type))]
        connection.execute(f"set variable {event_type.removeprefix('reel_')}_files = ?", [files])
    connection.execute("set variable rules_file = ?", [str(RULES)])
    connection.execute("set variable output_file = ?", [str(out)])
    connection.execute(SCRIPT.read_text())
    connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--raw", type=Path, required=True, help="raw events root")
    parser.add_argument("--out", type=Path, required=True, help="Parquet file to write")
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit")
    args = parser.parse_args()
    run(args.raw, args.out, args.memory_limit)


if __name__ == "__main__":
    main()
