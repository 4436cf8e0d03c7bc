"""An independent, plain-Python implementation of the contract, to check the SQL against.

It shares no code with the dbt project: it reads the raw files itself, with Python's json module
and exact Decimal/Fraction arithmetic, and applies the rules as the README states them.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

EVENT_TYPES = ("reel_watched", "reel_liked", "reel_unliked")
COMMON = (
    "event_name", "timestamp", "server_timestamp", "user_uid", "streamer_uid", "reel_uid",
    "category_uid", "origin_platform", "app_version", "reel_duration",
)  # fmt: skip
FIELDS = {
    "reel_watched": (*COMMON, "reel_watch_duration", "replay_count"),
    "reel_liked": (*COMMON, "like_time"),
    "reel_unliked": (*COMMON, "unlike_time"),
}
VERSION = re.compile(r"v?[0-9]+(\.[0-9]+)*")
INTEGER = re.compile(r"-?[0-9]+")
NUMBER_TEXT = re.compile(r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,4})?")
# The numeric domain: durations and normalized watch time below 10^12 s with at most 18 decimals,
# integers in the signed 64-bit range, a single event's watch time below 10^18 clip lengths.
DURATION_LIMIT = Fraction(10**12)
DECIMAL_PLACES = 18
INT64 = range(-(2**63), 2**63)
RATIO_LIMIT = Fraction(10**18)


@dataclass
class Expected:
    interest: dict[tuple[str, str], tuple[bool, bool, Decimal | None, bool]]
    outcomes: dict[str, Counter[str]]
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.name.endswith((".jsonl", ".jsonl.gz", ".json"))
    )


# White space around a line, as the project's JSON reader skips it (form feed and vertical tab
# included); a line of only these is blank.
JSON_READER_SPACE = b" \t\n\v\f\r"


def _lines(path: Path) -> list[str | None]:
    """The file's non-blank lines, each trimmed of that white space: a line ends at LF (a CR
    before it is white space; any other CR stays in the line). None for a line that is not
    valid UTF-8."""
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as handle:
        content = handle.read()
    lines: list[str | None] = []
    for raw in content.split(b"\n"):
        text = raw.strip(JSON_READER_SPACE)
        if text:
            try:
                lines.append(text.decode("utf-8"))
            except UnicodeDecodeError:
                lines.append(None)
    return lines


def _text(value: Any) -> str | None:
    """The value as the JSON reader's text: strings as they are, anything else as JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value)


def _not_rfc_8259(constant: str) -> Any:
    """NaN, Infinity and -Infinity, which Python's json accepts and RFC 8259 does not."""
    raise ValueError(f"not JSON: {constant}")


def _non_string_id_reason(value: dict[str, Any]) -> str | None:
    """For an object whose user_uid or reel_uid is there but not a JSON string: the reason code
    of the first id check it fails (checked before deduplication: such a line is never used)."""
    ids = (value.get("user_uid"), value.get("reel_uid"))
    if all(id_ is None or isinstance(id_, str) for id_ in ids):
        return None
    for name, id_ in zip(("user_uid", "reel_uid"), ids, strict=True):
        if id_ is None or (isinstance(id_, str) and id_.strip(" ") == ""):
            return f"missing_{name}"
        if not isinstance(id_, str):
            return f"invalid_{name}"
    raise AssertionError("unreachable")


def _number(text: str | None) -> Fraction | None:
    """The exact value of a number text (JSON's grammar, quoted or not), never rounded."""
    if text is None or not NUMBER_TEXT.fullmatch(text.strip()):
        return None
    return Fraction(Decimal(text.strip()))


def _decimal(text: str | None) -> Fraction | None:
    """A duration: a number with at most 18 decimals, below 10^12 in magnitude; else None."""
    value = _number(text)
    if value is None or (value * 10**DECIMAL_PLACES).denominator != 1:
        return None
    return value if abs(value) < DURATION_LIMIT else None


def _integer(text: str | None) -> int | None:
    """Digits, or any integer-valued number (100.0, 1e3), in the signed 64-bit range; else None."""
    if text is not None and INTEGER.fullmatch(text.strip()):
        value: Fraction | int | None = int(text.strip())
    else:
        value = _number(text)
    if value is None or Fraction(value).denominator != 1:
        return None
    return int(value) if int(value) in INT64 else None


def _missing(text: str | None) -> bool:
    return text is None or text.strip(" ") == ""


def _version(text: str | None) -> tuple[int, ...] | None:
    if text is None or not VERSION.fullmatch(text):
        return None
    parts = [int(p) for p in text.lstrip("v").split(".")]
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def _watch_reason(rec: dict[str, str | None]) -> tuple[str | None, Fraction | None]:
    """(reason code or None, normalized watch seconds) of a parsed watch event."""
    if _missing(rec["user_uid"]):
        return "missing_user_uid", None
    if _missing(rec["reel_uid"]):
        return "missing_reel_uid", None
    platform = (rec["origin_platform"] or "").strip(" ").lower()
    if rec["origin_platform"] is None or platform not in ("android", "ios"):
        return "unknown_platform", None
    old_android = False
    if platform == "android":
        version = _version(rec["app_version"])
        if version is None:
            return "invalid_app_version", None
        old_android = version < (2, 3)
    duration, watched = _decimal(rec["reel_duration"]), _decimal(rec["reel_watch_duration"])
    if duration is None or duration <= 0:
        return "invalid_reel_duration", None
    if watched is None or watched < 0:
        return "invalid_reel_watch_duration", None
    replays = None
    if rec["replay_count"] is not None:
        replays = _integer(rec["replay_count"])
        if replays is None or replays < 0:
            return "invalid_replay_count", None
    if old_android:
        if replays is None:
            return "missing_replay_count", None
        watched = duration * replays + watched
    if watched >= DURATION_LIMIT or watched >= RATIO_LIMIT * duration:
        return "value_out_of_range", None
    return None, watched


def _reaction_reason(rec: dict[str, str | None]) -> str | None:
    if _missing(rec["user_uid"]):
        return "missing_user_uid"
    if _missing(rec["reel_uid"]):
        return "missing_reel_uid"
    if _integer(rec["timestamp"]) is None:
        return "invalid_timestamp"
    return None


def _ratio(watched: Fraction, duration: Fraction) -> Decimal:
    exact = watched / duration
    scaled = exact * 10**9
    rounded = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    return Decimal(f"{rounded}E-9")  # exact: no context precision involved


def compute(raw: Path) -> Expected:
    outcomes = {event_type: Counter() for event_type in EVENT_TYPES}
    reasons: Counter[tuple[str, str]] = Counter()
    watch: dict[tuple[str, str], list[Fraction]] = {}
    durations: dict[tuple[str, str], Fraction] = {}
    actions: dict[tuple[str, str], tuple[tuple[int, float, bool], bool]] = {}

    for event_type in EVENT_TYPES:
        fields = FIELDS[event_type]
        seen: set[tuple[str | None, ...]] = set()
        counts = outcomes[event_type]
        for path in _files(raw / event_type):
            for line in _lines(path):
                counts["lines_read"] += 1
                if line is None:
                    reasons[(event_type, "invalid_utf8")] += 1
                    counts["rejected"] += 1
                    continue
                try:
                    value = json.loads(line, parse_float=Decimal, parse_constant=_not_rfc_8259)
                except ValueError:
                    reasons[(event_type, "malformed_json")] += 1
                    counts["rejected"] += 1
                    continue
                if not isinstance(value, dict):
                    reasons[(event_type, "not_a_json_object")] += 1
                    counts["rejected"] += 1
                    continue
                id_reason = _non_string_id_reason(value)
                if id_reason is not None:
                    reasons[(event_type, id_reason)] += 1
                    counts["rejected"] += 1
                    continue
                rec = {name: _text(value.get(name)) for name in fields}
                key = tuple(rec[name] for name in fields)
                if key in seen and any(v is not None for v in key):
                    counts["duplicates"] += 1
                    continue
                seen.add(key)
                pair = (rec["user_uid"], rec["reel_uid"])
                if event_type == "reel_watched":
                    reason, seconds = _watch_reason(rec)
                    if reason is None:
                        watch.setdefault(pair, []).append(seconds)
                        duration = _decimal(rec["reel_duration"])
                        durations[pair] = max(durations.get(pair, duration), duration)
                else:
                    reason = _reaction_reason(rec)
                    if reason is None:
                        server = _integer(rec["server_timestamp"])
                        is_unlike = event_type == "reel_unliked"
                        rank = (
                            _integer(rec["timestamp"]),
                            float("-inf") if server is None else server,
                            is_unlike,
                        )
                        if pair not in actions or rank > actions[pair][0]:
                            actions[pair] = (rank, is_unlike)
                if reason is None:
                    counts["used"] += 1
                else:
                    reasons[(event_type, reason)] += 1
                    counts["rejected"] += 1

    interest = {}
    for pair in watch.keys() | actions.keys():
        liked = pair in actions and not actions[pair][1]
        unliked = pair in actions and actions[pair][1]
        ratio = None
        above = False
        if pair in watch:
            total = sum(watch[pair], Fraction(0))
            ratio = _ratio(total, durations[pair])
            above = total > Fraction(3, 5) * durations[pair]
        interest[pair] = (liked, unliked, ratio, (not unliked) and (liked or above))
    return Expected(interest=interest, outcomes=outcomes, reasons=reasons)
