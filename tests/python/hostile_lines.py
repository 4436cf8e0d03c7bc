"""Raw lines a hostile or broken producer sends, written once for the DuckDB hostile-input suite
and the Spark one (each engine must give the same reasons, the same raw_record texts and the same
pairs).

Each case maps a file (under ``reel_liked/dt=2025-11-24/`` unless its name says another event
type folder) to its bytes; EXPECTED_REJECTED lists (file name, reason code) of every line that is
not used, and EXPECTED_USERS the user_uid of every pair that is.
"""

from __future__ import annotations

import json
from pathlib import Path


def like(user: str, reel: str, timestamp: int) -> str:
    return json.dumps(
        {"event_name": "reel_liked", "timestamp": timestamp, "user_uid": user, "reel_uid": reel}
    )


GOOD = [like(f"good {number}", "r", number).encode() for number in range(4)]

# Lines that are not one clean JSON object a line: each is one rejected line, nothing aborts.
BAD_LINE_FILES = {
    # A line that is not UTF-8, between good ones; truncated, overlong and surrogate sequences.
    "utf8.jsonl": GOOD[0]
    + b"\n"
    + b'{"user_uid": "bad \xff byte", "reel_uid": "r"}\n'
    + GOOD[1]
    + b'\n{"user_uid": "\xe2\x82A \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 ok \xc3\xa9"}\n',
    # A valid object followed by a form feed, in a file that also holds {}.
    "form_feed.jsonl": GOOD[2] + b"\f\n{}\n",
    # CR-only line endings: one line, which is not JSON.
    "cr_only.jsonl": GOOD[3] + b"\r" + GOOD[3] + b"\r",
    # A stray CR inside a CRLF-ended line; control characters; a NUL byte; a long line.
    "stray.jsonl": b"\r\n".join(
        [GOOD[0] + b"\r" + GOOD[1], b'{"user_uid": "a\x01b"}', GOOD[2] + b"\x00", b"x" * 2**20]
    )
    + b"\r\n",
}
# Hidden names, as Spark's file listing defines them (raw_files.is_hidden): a file or folder whose
# name starts with `.`, or with `_` and holds no `=`, is not input (an upload in progress, a
# marker), but a folder `_metadata*` is. Both engines skip the same files.
HIDDEN_FILES = {
    "_hidden.jsonl": like("hidden _", "r", 1).encode() + b"\n",
    ".hidden.jsonl": like("hidden .", "r", 1).encode() + b"\n",
    "_temporary/0/part.jsonl": like("hidden _temporary", "r", 1).encode() + b"\n",
    ".staging/part.jsonl": like("hidden .staging", "r", 1).encode() + b"\n",
    "_a=b/part.jsonl": like("read _a=b", "r", 1).encode() + b"\n",
    "_metadata.jsonl": like("hidden _metadata", "r", 1).encode() + b"\n",
    "_metadata/part.jsonl": like("read _metadata/", "r", 1).encode() + b"\n",
    "x._COPYING_.jsonl": like("read x._COPYING_", "r", 1).encode() + b"\n",
}
BAD_LINE_FILES.update(HIDDEN_FILES)
BAD_LINE_REJECTED = [
    ("cr_only.jsonl", "malformed_json"),
    ("form_feed.jsonl", "missing_user_uid"),
    ("stray.jsonl", "malformed_json"),
    ("stray.jsonl", "malformed_json"),
    ("stray.jsonl", "malformed_json"),
    ("stray.jsonl", "malformed_json"),
    ("utf8.jsonl", "invalid_utf8"),
    ("utf8.jsonl", "invalid_utf8"),
]
BAD_LINE_USERS = ["good 0", "good 1", "good 2", "read _a=b", "read _metadata/", "read x._COPYING_"]

_BASE = '"event_name": "reel_liked", "timestamp": 1'
# JSON by RFC 8259 only, and ids that are JSON strings: line -> reason (None: used).
STRICT_JSON_LINES = {
    f'{{{_BASE}, "user_uid": "trailing", "reel_uid": "r",}}': "malformed_json",
    f'{{{_BASE}, "user_uid": "nested", "reel_uid": "r", "x": [1, 2 ,]}}': "malformed_json",
    f'{{{_BASE}, "user_uid": "nan", "reel_uid": "r", "reel_duration": NaN}}': "malformed_json",
    f'{{{_BASE}, "user_uid": "inf", "reel_uid": "r", "x": -infinity}}': "malformed_json",
    f'{{{_BASE}, "user_uid": "after", "reel_uid": "r"}}] x}}': "malformed_json",
    f'{{{_BASE}, "user_uid": {{"id": "u"}}, "reel_uid": "r"}}': "invalid_user_uid",
    f'{{{_BASE}, "user_uid": true, "reel_uid": "r"}}': "invalid_user_uid",
    f'{{{_BASE}, "user_uid": 12, "reel_uid": 5}}': "invalid_user_uid",
    f'{{{_BASE}, "user_uid": ["u"], "reel_uid": "r"}}': "invalid_user_uid",
    f'{{{_BASE}, "user_uid": "u", "reel_uid": 5}}': "invalid_reel_uid",
    f'{{{_BASE}, "user_uid": null, "reel_uid": 5}}': "missing_user_uid",
    f'{{{_BASE}, "user_uid": " ", "reel_uid": {{}}}}': "missing_user_uid",
    f'{{{_BASE}, "reel_uid": false}}': "missing_user_uid",
    f'{{{_BASE}, "user_uid": "u", "reel_uid": null}}': "missing_reel_uid",
    f'{{{_BASE}, "user_uid": "true", "reel_uid": "NaN, inf ,}}"}}': None,
    f'{{{_BASE}, "user_uid": "a\\" ,]", "reel_uid": "Infinity"}}': None,
    f'{{{_BASE}, "user_uid": "12", "reel_uid": "[1]"}}': None,
}
STRICT_JSON_WATCHED = (
    '{"user_uid": "w", "reel_uid": 7, "origin_platform": "ios", "reel_duration": 1}'
)


def write_bad_line_files(raw: Path) -> None:
    folder = raw / "reel_liked" / "dt=2025-11-24"
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in BAD_LINE_FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)


def write_strict_json_files(raw: Path) -> None:
    for event_type, lines in (
        ("reel_liked", list(STRICT_JSON_LINES)),
        ("reel_watched", [STRICT_JSON_WATCHED]),
    ):
        path = raw / event_type / "dt=2025-11-24" / "strict.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(line + "\n" for line in lines))
