"""A path as DuckDB's file readers take it literally (the Python twin of the macro
``duckdb_literal_path`` in macros/sql_literal.sql).

``read_parquet``, ``read_json`` and the other readers expand ``[``, ``]``, ``*`` and ``?`` in any
path they are given, bound parameters included: ``read_parquet('out[1]/x.parquet')`` reads
``out1/x.parquet``. Each of those characters is put in a character class of its own, so the
path names exactly one file. Their glob also takes a backslash for a folder separator, in an
escaped path too: a path holding a backslash and one of those characters cannot be named at all.
"""

from __future__ import annotations

from os import PathLike

GLOB_CHARACTERS = "[]*?"


def literal_path(path: str | PathLike[str]) -> str:
    """``path`` with each glob character escaped, to pass (as a bound parameter) to a reader;
    ValueError for a path no escaping can name exactly."""
    path = str(path)
    if "\\" in path and any(c in GLOB_CHARACTERS for c in path):
        raise ValueError(
            f"Unreadable path {path!r}: DuckDB's file readers cannot name a path holding a "
            "backslash and one of [ ] * ? exactly; rename it."
        )
    return "".join(f"[{c}]" if c in GLOB_CHARACTERS else c for c in path)
