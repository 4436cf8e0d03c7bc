"""What a published run holds, in a few lines: ``loco-clips-summary <output_path>`` (``make run``).

It reads only what the run published (``run_summary.json`` and the two Parquet files at their
fixed names; on S3 the run that ``_latest.json`` names) and prints, per event type, lines read /
used / duplicates / rejected, the most frequent reason codes, the number of pairs and of
interested pairs, and where the files are.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import duckdb

from loco_clips import s3
from loco_clips.duckdb_paths import literal_path
from loco_clips.publish import published_file

SUMMARY = "run_summary.json"
INTEREST = "user_reel_interest.parquet"
REJECTED = "rejected_events.parquet"


def summarize(output_path: str, top_reasons: int = 5) -> str:
    """The summary of the run published in ``output_path`` (a folder or ``s3://…``), as text."""
    summary_file = published_file(output_path, SUMMARY)
    if s3.is_s3(summary_file):
        summary = json.loads(s3.read_bytes(summary_file))
    else:
        summary = json.loads(Path(summary_file).read_text())
    with duckdb.connect() as con:
        if s3.is_s3(output_path):
            s3.register(con)
        pairs, interested = con.execute(
            "select count(*), count(*) filter (where is_interested) from read_parquet(?)",
            [literal_path(published_file(output_path, INTEREST))],
        ).fetchone()
        reasons = con.execute(
            "select reason_code, count(*) as n from read_parquet(?)"
            " group by reason_code order by n desc, reason_code limit ?",
            [literal_path(published_file(output_path, REJECTED)), top_reasons],
        ).fetchall()

    lines = [
        f"Run {summary['run_id']}, finished {summary['finished_at']}",
        f"raw_path {summary['raw_path']}: {summary['files_read']} new files read,"
        f" {summary['files_in_state']} in the state",
        "",
        f"{'event type':<14}{'lines read':>12}{'used':>12}{'duplicates':>12}{'rejected':>12}",
    ]
    for event_type, counts in summary["event_types"].items():
        lines.append(
            f"{event_type:<14}{counts['lines_read']:>12,}{counts['used']:>12,}"
            f"{counts['duplicates']:>12,}{counts['rejected']:>12,}"
        )
    lines.append("")
    if reasons:
        shown = ", ".join(f"{code} {count:,}" for code, count in reasons)
        lines.append(f"Top reason codes: {shown}")
    else:
        lines.append("Top reason codes: none (no line was rejected)")
    lines.append(f"Pairs: {pairs:,}, of which interested: {interested:,}")
    lines.append("Files:")
    folder = output_path.rstrip("/") if s3.is_s3(output_path) else str(Path(output_path).absolute())
    for name in (INTEREST, REJECTED, SUMMARY):
        lines.append(f"  {folder}/{name}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="loco-clips-summary",
        description="Print what the run published in OUTPUT_PATH holds: counts per event type, "
        "top reason codes, pairs and interested pairs, and the files' paths.",
    )
    parser.add_argument(
        "output_path", help="the build's output_path (a folder or s3://bucket/prefix)"
    )
    parser.add_argument(
        "--top", type=int, default=5, metavar="N", help="reason codes to show (default 5)"
    )
    args = parser.parse_args(argv)
    try:
        print(summarize(args.output_path, args.top))
    except FileNotFoundError as error:
        print(
            f"loco-clips-summary: no published run in {args.output_path}: {error}", file=sys.stderr
        )
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
