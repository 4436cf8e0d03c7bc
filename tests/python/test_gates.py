"""The quality gates explain themselves: when one trips, `dbt build` prints what failed, with the
numbers. The rejection guard trips on real input; the two consistency gates cannot trip on a
correct project, so each is tripped in a scratch copy of the project with one model broken."""

from __future__ import annotations

from pathlib import Path

from helpers import copy_project, replace_once, run_dbt_build


def _watch(user: str, reel: str = "r", watched: str = "4") -> str:
    return (
        f'{{"user_uid": "{user}", "reel_uid": "{reel}", "origin_platform": "ios",'
        f' "app_version": "1", "reel_duration": 10, "reel_watch_duration": {watched}}}'
    )


def _reaction(user: str, timestamp: str) -> str:
    return f'{{"user_uid": "{user}", "reel_uid": "r", "timestamp": {timestamp}}}'


def _write(raw: Path, event_type: str, lines: list[str]) -> Path:
    path = raw / event_type / "dt=2025-11-24" / "part-0.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return path


def test_rejection_guard_names_each_event_type_over_the_limit(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    # reel_watched: 4 of 10 rejected (40.0 %); reel_liked: 2 of 3 (66.7 %, rounded up);
    # reel_unliked: 1 of 3 (33.3 %, rounded down), under the 35 % limit.
    watched = [_watch(f"u{i}") for i in range(6)] + [_watch("", f"r{i}") for i in range(4)]
    _write(raw, "reel_watched", watched)
    _write(raw, "reel_liked", [_reaction("u1", "1"), _reaction("u2", "1.5"), _reaction("u3", "x")])
    _write(raw, "reel_unliked", [_reaction("u1", "2"), _reaction("u2", "3"), _reaction("", "4")])
    out = tmp_path / "out"
    result = run_dbt_build(tmp_path, raw, out, max_rejection_rate=0.35)
    assert result.returncode != 0
    assert "rejected 40.0 % of reel_watched lines (4 of 10; limit 35 %)" in result.stdout
    assert "rejected 66.7 % of reel_liked lines (2 of 3; limit 35 %)" in result.stdout
    assert "of reel_unliked lines" not in result.stdout
    assert "Got 1 result" not in result.stdout
    assert not list(out.glob("*.parquet"))


def test_unrecovered_unparsed_lines_are_counted_per_file(tmp_path: Path) -> None:
    """A recovery that loses the lines that are objects with no known field ('{}')."""
    project = copy_project(tmp_path / "project")
    replace_once(
        project / "models" / "intermediate" / "int_unparsed_lines_recovered.sql",
        "select * from recovered",
        "select * from recovered where raw_record <> '{}'",
    )
    raw = tmp_path / "raw"
    path = _write(raw, "reel_liked", [_reaction("u1", "1"), "{}", "{}", "{}", "[1]"])
    result = run_dbt_build(tmp_path, raw, tmp_path / "out", project=project, max_rejection_rate=1)
    assert result.returncode != 0
    expected = f"3 unparsed lines of {path} not recovered (reel_liked: 4 unparsed, 1 recovered)"
    assert expected in result.stdout, result.stdout[-3000:]


def test_lines_that_do_not_add_up_are_shown_with_every_count(tmp_path: Path) -> None:
    """A line count that takes every copy of a record for a duplicate, the first one too."""
    project = copy_project(tmp_path / "project")
    replace_once(
        project / "models" / "intermediate" / "int_event_outcomes_counted.sql",
        "sum(n_copies - case when is_first_copy then 1 else 0 end)",
        "sum(n_copies)",
    )
    raw = tmp_path / "raw"
    # 7 lines: 5 distinct valid records (one sent twice), 1 rejected.
    lines = [_watch(f"u{i}") for i in range(5)] + [_watch("u0"), _watch("u9", reel="")]
    _write(raw, "reel_watched", lines)
    result = run_dbt_build(tmp_path, raw, tmp_path / "out", project=project, max_rejection_rate=1)
    assert result.returncode != 0
    expected = (
        "reel_watched lines do not add up: lines_read 7, used 5, duplicates 7, rejected 1, "
        "rows in rejected_events 1"
    )
    assert expected in result.stdout, result.stdout[-3000:]
    assert "reel_liked lines do not add up" not in result.stdout
