"""Every file the docs name exists: README.md, docs/*.md, the docs blocks and macros/_macros.yml.

A reference is a Markdown link to a relative path (`[text](docs/spark.md)`), a backticked repo
path (`macros/sql_literal.sql`, `tests/python/test_publish.py`, `docs/airflow.md`), a backticked
file name with a source or doc extension (`dbt_project.yml`: it must exist somewhere in the
repository) or any `*.md` name in the text. Ignored: URLs, anchors, absolute system paths,
placeholders (`<output_path>/…`, `part-*.jsonl.gz`, `dt=YYYY-MM-DD/`) and what builds and runs
generate (`target/`, `output/`, `.venv/`, ...).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from docs_helpers import REPO

# Generated or local folders: named in the docs, never in a fresh clone.
GENERATED = ("target", "logs", "output", "state", ".venv", ".git", "node_modules", "__pycache__")
GENERATED_PATHS = ("benchmarks/.data",)
# Files a doc tells the reader to create (README: where dbt Hub is reachable, add a packages.yml).
TO_CREATE = {"packages.yml"}
# A backticked file name with one of these endings names a file of the repository.
FILE_SUFFIXES = (
    ".md", ".py", ".sql", ".yml", ".yaml", ".csv", ".txt", ".toml", ".cfg", ".sh", ".png",
)  # fmt: skip

MARKDOWN_LINK = re.compile(r"\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
BACKTICKED = re.compile(r"`([^`\n]+)`")
MD_NAME = re.compile(r"(?<![\w./:-])([\w./-]*\w\.md)\b")
# A path as written in the docs: no placeholder syntax (<>, *, {}, $, =, …, spaces).
PLAIN_PATH = re.compile(r"[\w.-]+(?:/[\w.-]+)*/?")


def documents() -> list[Path]:
    """The files whose references must resolve."""
    docs = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    docs += sorted((REPO / "models").rglob("*.md"))
    docs += [REPO / "macros" / "_macros.yml"]
    return docs


def repo_files(root: Path) -> tuple[set[str], set[str]]:
    """(every file and folder as a path relative to root, every file name) outside GENERATED."""
    paths: set[str] = set()
    names: set[str] = set()
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = [name for name in subfolders if name not in GENERATED]
        relative = Path(folder).relative_to(root)
        if relative.as_posix() in GENERATED_PATHS:
            subfolders[:] = []
            continue
        if relative != Path("."):
            paths.add(relative.as_posix())
        for name in files:
            paths.add((relative / name).as_posix())
            names.add(name)
    return paths, names


def is_generated(path: str) -> bool:
    parts = Path(path).parts
    return bool(parts) and (
        parts[0] in GENERATED or any(path.startswith(prefix) for prefix in GENERATED_PATHS)
    )


def broken_references(text: str, doc_folder: str, root: Path) -> list[str]:
    """The references of one document (Markdown text, at doc_folder in root) that do not exist.

    Each is returned as `line N: reference`.
    """
    paths, names = repo_files(root)
    top_level = {path for path in paths if "/" not in path}

    def exists(path: str, *, relative_to_doc: bool) -> bool:
        path = path.rstrip("/")
        candidates = [path]
        if relative_to_doc and doc_folder:
            candidates.insert(0, os.path.normpath(f"{doc_folder}/{path}"))
        return any(candidate in paths for candidate in candidates)

    broken = []
    for number, line in enumerate(text.splitlines(), start=1):
        for target in MARKDOWN_LINK.findall(line):
            if re.match(r"[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith(("#", "/")):
                continue  # a URL, an anchor, a dbt docs link or an absolute path
            target = target.split("#", 1)[0]
            if target and not is_generated(target) and not exists(target, relative_to_doc=True):
                broken.append(f"line {number}: {target}")
        for span in BACKTICKED.findall(line):
            span = span.strip()
            if not PLAIN_PATH.fullmatch(span) or is_generated(span) or span.startswith("."):
                continue
            if "/" in span.rstrip("/"):
                first = span.split("/", 1)[0]
                if (first in top_level or span.endswith(FILE_SUFFIXES)) and not exists(
                    span, relative_to_doc=False
                ):
                    broken.append(f"line {number}: {span}")
            elif span.endswith(FILE_SUFFIXES) and span not in names | TO_CREATE:
                broken.append(f"line {number}: {span}")
        for name in MD_NAME.findall(BACKTICKED.sub("", line)):
            if "/" in name:
                if not is_generated(name) and not exists(name, relative_to_doc=True):
                    broken.append(f"line {number}: {name}")
            elif name not in names:
                broken.append(f"line {number}: {name}")
    return sorted(set(broken), key=lambda entry: (int(entry.split()[1].rstrip(":")), entry))


@pytest.mark.parametrize("doc", documents(), ids=lambda doc: doc.relative_to(REPO).as_posix())
def test_every_file_a_doc_names_exists(doc: Path) -> None:
    folder = doc.parent.relative_to(REPO).as_posix()
    broken = broken_references(doc.read_text(), "" if folder == "." else folder, REPO)
    assert not broken, f"{doc.relative_to(REPO)} names files that do not exist:\n" + "\n".join(
        broken
    )


def test_the_check_finds_bad_references_and_ignores_placeholders(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "real.md").write_text("")
    (tmp_path / "macros").mkdir()
    (tmp_path / "macros" / "real.sql").write_text("")
    (tmp_path / "dbt_project.yml").write_text("")
    text = "\n".join(
        [
            "[fine](docs/real.md) [fine](docs/real.md#a-section) [site](https://example.com/x.md)",
            "`macros/real.sql` `dbt_project.yml` `docs/` [model](#!/model/model.x.y)",
            "`<output_path>/user_reel_interest.parquet` `reel_watched/dt=YYYY-MM-DD/part-*.jsonl`",
            "`target/manifest.json` `output/run_summary.json` `.venv/bin/dbt` `/usr/bin/chromium`",
            "[gone](docs/gone.md)",
            "`macros/gone.sql` and `tests/python/gone.py`",
            "`gone.yml` and the plain GONE.md",
        ]
    )
    assert broken_references(text, "", tmp_path) == [
        "line 5: docs/gone.md",
        "line 6: macros/gone.sql",
        "line 6: tests/python/gone.py",
        "line 7: GONE.md",
        "line 7: gone.yml",
    ]
    # Links are relative to the document's own folder.
    assert broken_references("[up](../docs/real.md) [same](real.md)", "docs", tmp_path) == []
