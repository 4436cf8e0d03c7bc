"""Generate a realistic Loco Clips event data set, with optional dirt, in the production layout.

    <out>/reel_watched/dt=YYYY-MM-DD/part-00000.jsonl.gz
    <out>/reel_liked/dt=YYYY-MM-DD/part-00000.jsonl.gz
    <out>/reel_unliked/dt=YYYY-MM-DD/part-00000.jsonl.gz

The output depends only on the arguments: the same seed gives the same bytes. Each day is
generated on its own (so days can be generated in parallel, and one more day can be added later)
from a random stream seeded by (seed, day).

Dirt, at ``--dirt-rate`` of the lines, is the kind production sees: malformed JSON (also a
trailing comma, which lenient parsers accept), lines that are not objects, missing ids, ids that
are not strings, unknown platforms, unparsable app versions, impossible durations and
counts, bad timestamps, and redelivered exact duplicates (in another file, sometimes a day later).
Some valid lines are deliberately awkward too: numbers sent as strings, platform names in odd case
with spaces, ``v``-prefixed versions, unknown extra fields, null client timestamps on watch events.

The numeric cases (on unless ``--no-numeric-cases``, which reproduces data made before they
existed): valid timestamps and replay counts sent as integer-valued floats (``1764000000000.0``,
``2.0``), 64-bit replay counts, durations with 18 decimals (as strings: a JSON number of more than
15 digits loses digits in any float-based reader); and as dirt, durations needing more than 18
decimals or just below zero (``-1e-07``), fractional or past-64-bit counts and timestamps, and
android < 2.3.0 events whose ``reel_duration * replay_count`` leaves the numeric domain.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import random
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")
EVENT_TYPE_WEIGHTS = (0.80, 0.14, 0.06)
FILE_FORMATS = ("jsonl.gz", "jsonl", "json")

ANDROID_VERSIONS = (
    "2.1.0",
    "2.2",
    "2.2.10",
    "v2.2.9",
    "2.3",
    "2.3.0",
    "v2.4.1",
    "2.3.0.1",
    "2.10.0",
)
IOS_VERSIONS = ("1.9.0", "2.0.1", "2.3.0", "2.10.1", "nightly")
PLATFORM_SPELLINGS = {
    "android": ("android", "android", "android", "Android", " ANDROID "),
    "ios": ("ios", "ios", "ios", "iOS", "IOS "),
}
BAD_APP_VERSIONS = ("2.3.0-beta", "", "abc", "2..3", None, "2.3.", ".2.3", "V 2.3")

# Each dirt kind rewrites a clean event; "duplicate" re-emits an earlier line instead.
DIRT_KINDS = (
    "malformed_json",
    "outside_rfc_json",
    "not_a_json_object",
    "missing_user_uid",
    "invalid_user_uid",
    "missing_reel_uid",
    "invalid_reel_uid",
    "unknown_platform",
    "invalid_app_version",
    "invalid_reel_duration",
    "invalid_reel_watch_duration",
    "invalid_replay_count",
    "missing_replay_count",
    "invalid_timestamp",
    "duplicate",
)
NUMERIC_DIRT_KINDS = ("value_out_of_range",)
INT64_MAX = 2**63 - 1
POOL_SIZE = 50  # events each day starts with, which the next day may redeliver


@dataclass(frozen=True)
class Settings:
    """What to generate; shared by every day."""

    events: int
    seed: int
    dirt_rate: float
    days: int
    start: date
    files_per_day: int
    file_format: str
    numeric_cases: bool = True

    @property
    def dirt_kinds(self) -> tuple[str, ...]:
        return DIRT_KINDS + (NUMERIC_DIRT_KINDS if self.numeric_cases else ())

    @property
    def users(self) -> int:
        return max(20, self.events // 40)

    @property
    def reels(self) -> int:
        return max(10, self.events // 150)


def _events_on_day(settings: Settings, day: int) -> int:
    base, extra = divmod(settings.events, settings.days)
    return base + (1 if day < extra else 0)


@functools.lru_cache(maxsize=1 << 20)
def _reel_duration(seed: int, reel: int) -> float:
    """Each clip has one true duration, 5 to 90 s, in milliseconds."""
    rng = random.Random(f"{seed}-reel-{reel}")
    return rng.randint(5_000, 90_000) / 1000


@functools.lru_cache(maxsize=1024)
def _day_start_ms(start: date, day: int) -> int:
    midnight = datetime.combine(start + timedelta(days=day), datetime.min.time(), tzinfo=UTC)
    return int(midnight.timestamp() * 1000)


def _pick(rng: random.Random, n: int) -> int:
    """A skewed pick in [0, n): popular users and clips get most events, so pairs repeat."""
    return min(n - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(n) // 8)


def _number(rng: random.Random, value: float | int) -> float | int | str:
    """Usually a JSON number; now and then the same number as a string, which is accepted."""
    return str(value) if rng.random() < 0.03 else value


def _clean_event(settings: Settings, rng: random.Random, day: int) -> dict[str, Any]:
    event_name = rng.choices(EVENT_TYPES, EVENT_TYPE_WEIGHTS)[0]
    user, reel = _pick(rng, settings.users), _pick(rng, settings.reels)
    duration = _reel_duration(settings.seed, reel)
    # Coarse clocks: ties between a like and an unlike of the same pair do happen.
    client_ms = _day_start_ms(settings.start, day) + rng.randrange(86_400) * 1000
    server_ms: int | None = client_ms + rng.randrange(0, 4000)
    if rng.random() < 0.02:
        server_ms = None
    platform = "android" if rng.random() < 0.6 else "ios"
    versions = ANDROID_VERSIONS if platform == "android" else IOS_VERSIONS
    event: dict[str, Any] = {
        "event_name": event_name,
        "timestamp": client_ms,
        "server_timestamp": server_ms,
        "user_uid": f"u{user:07d}",
        "streamer_uid": f"s{reel % 97:04d}",
        "reel_uid": f"r{reel:07d}",
        "category_uid": f"c{reel % 13:02d}",
        "origin_platform": rng.choice(PLATFORM_SPELLINGS[platform]),
        "app_version": rng.choice(versions),
        "reel_duration": _number(rng, duration),
    }
    if event_name == "reel_watched":
        replays = rng.choice((0, 0, 0, 1, 1, 2, 3))
        last_loop = round(rng.uniform(0, duration), 3)
        old_android = platform == "android" and event["app_version"] in ANDROID_VERSIONS[:4]
        # Old android clients send the position in the last loop; the rest send the total.
        watched = last_loop if old_android else round(replays * duration + last_loop, 3)
        event["reel_watch_duration"] = _number(rng, watched)
        if old_android or rng.random() < 0.8:
            event["replay_count"] = _number(rng, replays)
        if rng.random() < 0.02:
            event["timestamp"] = None
    else:
        position = round(rng.uniform(0, duration), 3)
        event["like_time" if event_name == "reel_liked" else "unlike_time"] = position
    if rng.random() < 0.05:
        event["session_uid"] = f"sess{rng.randrange(10**6)}"  # an unknown field, ignored
    return event


def _numeric_cases(rng: random.Random, event: dict[str, Any]) -> dict[str, Any]:
    """Valid numbers in awkward forms, on lines that stay clean (a rejected line's raw_record
    would show them as each engine's JSON reader renders a float: 1764000000000.0 or 1.764E12)."""
    if event["timestamp"] is not None and rng.random() < 0.03:
        event["timestamp"] = float(event["timestamp"])  # an integer, as JSON Schema counts them
    if event["server_timestamp"] is not None and rng.random() < 0.02:
        event["server_timestamp"] = float(event["server_timestamp"])
    if event["event_name"] == "reel_watched":
        if rng.random() < 0.02:  # 18 decimals, as a string: exact
            watched = float(event["reel_watch_duration"])
            event["reel_watch_duration"] = f"{watched:.3f}{'0' * 14}1"
        if "replay_count" in event and rng.random() < 0.03:
            event["replay_count"] = float(event["replay_count"])  # 2.0
        elif event["origin_platform"].strip().lower() == "ios" and rng.random() < 0.02:
            event["replay_count"] = 3_000_000_000  # past 32 bits (iOS sends the total: no product)
    return event


def _dirty(
    rng: random.Random, event: dict[str, Any], kind: str, numeric: bool = False
) -> dict[str, Any] | str:
    """Rewrite a clean event into one of the dirt kinds (a dict, or a raw line)."""
    event = dict(event)
    if kind == "malformed_json":
        line = json.dumps(event)
        return line[: rng.randrange(1, len(line) - 1)]
    if kind == "outside_rfc_json":  # what lenient JSON parsers accept: a trailing comma
        line = json.dumps(event)
        return rng.choice((line[:-1] + ", }", line[:-1] + ', "tags": ["a", ]}'))
    if kind == "not_a_json_object":
        return json.dumps([event["user_uid"], event["reel_uid"]])
    if kind in ("invalid_user_uid", "invalid_reel_uid"):  # an id that is not a JSON string
        field = kind.removeprefix("invalid_")
        event[field] = rng.choice(({"id": event[field]}, [event[field]], 12345, True))
        return event
    if kind == "missing_user_uid":
        if rng.random() < 0.5:
            del event["user_uid"]
        else:
            event["user_uid"] = rng.choice(("", None))
    elif kind == "missing_reel_uid":
        event["reel_uid"] = rng.choice(("", None))
    elif kind == "unknown_platform":
        event["origin_platform"] = rng.choice(("windows", "web", "", None))
    elif kind == "invalid_app_version":
        event["origin_platform"] = "android"
        event["app_version"] = rng.choice(BAD_APP_VERSIONS)
    elif kind == "invalid_reel_duration":
        event["reel_duration"] = rng.choice((0, -12.5, "abc", None))
    elif kind == "invalid_reel_watch_duration":
        extra = ("-0.0000001", "1.0000000000000000001", "0.0000000000000000005") if numeric else ()
        event["reel_watch_duration"] = rng.choice((-1.5, "n/a", None, *extra))
    elif kind == "invalid_replay_count":
        extra = (1.5, INT64_MAX + 1, True) if numeric else ()
        event["replay_count"] = rng.choice((-1, "many", *extra))
    elif kind == "missing_replay_count":
        event["origin_platform"] = "android"
        event["app_version"] = "2.2.10"
        event.pop("replay_count", None)
    elif kind == "invalid_timestamp":
        extra = (INT64_MAX + 1, "-9223372036854775809", 100.5) if numeric else ()
        event["timestamp"] = rng.choice((None, 1.5, "yesterday", *extra))
    elif kind == "value_out_of_range":
        # A valid old android event whose reel_duration * replay_count passes 10^12 s.
        event["origin_platform"] = "android"
        event["app_version"] = "2.2.10"
        event["replay_count"] = INT64_MAX
    return event


def _applicable(kind: str, event_name: str) -> bool:
    watch_only = {
        "unknown_platform",
        "invalid_app_version",
        "invalid_reel_duration",
        "invalid_reel_watch_duration",
        "invalid_replay_count",
        "missing_replay_count",
        "value_out_of_range",
    }
    if kind in watch_only:
        return event_name == "reel_watched"
    if kind == "invalid_timestamp":
        return event_name != "reel_watched"
    return True


def _pool(settings: Settings, day: int) -> list[tuple[str, str]]:
    """The clean lines a day starts with; the next day may redeliver some of them."""
    rng = random.Random(f"{settings.seed}-pool-{day}")
    pool = []
    for _ in range(min(POOL_SIZE, _events_on_day(settings, day))):
        event = _clean_event(settings, rng, day)
        if settings.numeric_cases:
            event = _numeric_cases(rng, event)
        pool.append((event["event_name"], json.dumps(event)))
    return pool


def day_lines(settings: Settings, day: int) -> Iterator[tuple[str, str]]:
    """Yield (event type, line) for one day, in order."""
    rng = random.Random(f"{settings.seed}-day-{day}")
    emitted: list[tuple[str, str]] = _pool(settings, day)
    yield from emitted
    earlier = _pool(settings, day - 1) if day > 0 else []
    for _ in range(_events_on_day(settings, day) - len(emitted)):
        if rng.random() >= settings.dirt_rate:
            event = _clean_event(settings, rng, day)
            if settings.numeric_cases:
                event = _numeric_cases(rng, event)
            item = (event["event_name"], json.dumps(event))
        else:
            kind = rng.choice(settings.dirt_kinds)
            if kind == "duplicate":
                source = earlier if earlier and rng.random() < 0.3 else emitted
                item = rng.choice(source)
            else:
                event = _clean_event(settings, rng, day)
                while not _applicable(kind, event["event_name"]):
                    event = _clean_event(settings, rng, day)
                dirty = _dirty(rng, event, kind, settings.numeric_cases)
                line = dirty if isinstance(dirty, str) else json.dumps(dirty)
                item = (event["event_name"], line)
        if len(emitted) < 10_000:
            emitted.append(item)
        yield item


def _open(path: Path) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.name.endswith(".gz"):
        return gzip.open(path, "wt", encoding="utf-8", compresslevel=1)
    return path.open("w", encoding="utf-8")


def _file_format(settings: Settings, part: int) -> str:
    if settings.file_format == "mixed":
        return FILE_FORMATS[part % len(FILE_FORMATS)]
    return settings.file_format


def write_day(settings: Settings, out: Path, day: int) -> dict[str, int]:
    """Write one day's files; return the number of lines written per event type."""
    dt = (settings.start + timedelta(days=day)).isoformat()
    handles: dict[tuple[str, int], IO[str]] = {}
    counts = dict.fromkeys(EVENT_TYPES, 0)
    try:
        for i, (event_type, line) in enumerate(day_lines(settings, day)):
            part = i % settings.files_per_day
            key = (event_type, part)
            if key not in handles:
                name = f"part-{part:05d}.{_file_format(settings, part)}"
                handles[key] = _open(out / event_type / f"dt={dt}" / name)
            handles[key].write(line + "\n")
            counts[event_type] += 1
    finally:
        for handle in handles.values():
            handle.close()
    return counts


def generate(settings: Settings, out: Path, workers: int = 1) -> dict[str, int]:
    """Write every day under ``out``; return the number of lines per event type."""
    totals = dict.fromkeys(EVENT_TYPES, 0)
    if workers > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = pool.map(
                write_day, [settings] * settings.days, [out] * settings.days, range(settings.days)
            )
            day_counts = list(results)
    else:
        day_counts = [write_day(settings, out, day) for day in range(settings.days)]
    for counts in day_counts:
        for event_type, n in counts.items():
            totals[event_type] += n
    return totals


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="loco-clips-generate",
        description="Write a seeded Loco Clips event data set (JSON Lines, one folder per event "
        "type, one dt=YYYY-MM-DD folder per day), optionally with realistic dirt.",
    )
    parser.add_argument("--out", type=Path, required=True, help="root folder to write into")
    parser.add_argument("--events", type=int, default=3000, help="total lines (default 3000)")
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--dirt-rate", type=float, default=0.0, help="share of dirty lines, 0 to 1 (default 0)"
    )
    parser.add_argument("--days", type=int, default=3, help="number of dt= days (default 3)")
    parser.add_argument(
        "--start-date",
        type=date.fromisoformat,
        default=date(2025, 11, 24),
        help="first day, YYYY-MM-DD (default 2025-11-24)",
    )
    parser.add_argument("--files-per-day", type=int, default=2, help="part files a day (default 2)")
    parser.add_argument(
        "--format",
        dest="file_format",
        choices=(*FILE_FORMATS, "mixed"),
        default="jsonl.gz",
        help="file format; 'mixed' rotates through .jsonl.gz, .jsonl and .json (default jsonl.gz)",
    )
    parser.add_argument("--workers", type=int, default=1, help="days generated in parallel")
    parser.add_argument(
        "--no-numeric-cases",
        dest="numeric_cases",
        action="store_false",
        help="leave out the numeric cases (integer-valued floats, 64-bit counts, 18-decimal "
        "durations, overflowing products): the data earlier versions wrote",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.events < 1 or args.days < 1 or args.files_per_day < 1:
        print("error: --events, --days and --files-per-day must be at least 1", file=sys.stderr)
        return 2
    if not 0 <= args.dirt_rate <= 1:
        print("error: --dirt-rate must be between 0 and 1", file=sys.stderr)
        return 2
    settings = Settings(
        events=args.events,
        seed=args.seed,
        dirt_rate=args.dirt_rate,
        days=args.days,
        start=args.start_date,
        files_per_day=args.files_per_day,
        file_format=args.file_format,
        numeric_cases=args.numeric_cases,
    )
    print(
        f"writing {args.events:,} events over {args.days} day(s) to {args.out} ...", file=sys.stderr
    )
    totals = generate(settings, args.out, workers=args.workers)
    for event_type, n in totals.items():
        print(f"{event_type}\t{n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
