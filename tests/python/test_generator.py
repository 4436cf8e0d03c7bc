"""The data generator: deterministic, in the production layout, dirty only where asked."""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from helpers import REPO, copy_project, replace_once, run_dbt_build, run_generator

from loco_clips.generate import EVENT_TYPES, main


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def _lines(root: Path, event_type: str) -> list[str]:
    lines = []
    for path in sorted((root / event_type).rglob("part-*")):
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as handle:
            lines.extend(line.rstrip("\n") for line in handle)
    return lines


def test_same_seed_gives_the_same_data_and_another_seed_does_not(tmp_path: Path) -> None:
    args = ("--events", "2000", "--dirt-rate", "0.1", "--days", "2")
    run_generator(tmp_path / "a", *args, "--seed", "3")
    run_generator(tmp_path / "b", *args, "--seed", "3")
    run_generator(tmp_path / "c", *args, "--seed", "4")
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert _digest(tmp_path / "a") != _digest(tmp_path / "c")


def test_writes_the_production_layout_with_the_requested_number_of_lines(tmp_path: Path) -> None:
    result = run_generator(tmp_path, "--events", "3000", "--days", "3", "--files-per-day", "2")
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file())
    assert "reel_watched/dt=2025-11-24/part-00000.jsonl.gz" in files
    assert "reel_unliked/dt=2025-11-26/part-00001.jsonl.gz" in files
    assert {f.split("/")[0] for f in files} == set(EVENT_TYPES)
    printed = dict(line.split("\t") for line in result.stdout.splitlines())
    assert sum(int(n) for n in printed.values()) == 3000
    assert sum(len(_lines(tmp_path, t)) for t in EVENT_TYPES) == 3000


def test_parallel_generation_writes_the_same_bytes(tmp_path: Path) -> None:
    args = ("--events", "4000", "--dirt-rate", "0.05", "--days", "4")
    run_generator(tmp_path / "serial", *args)
    run_generator(tmp_path / "parallel", *args, "--workers", "2")
    assert _digest(tmp_path / "serial") == _digest(tmp_path / "parallel")


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_clean_data_follows_the_json_schemas(tmp_path: Path, event_type: str) -> None:
    run_generator(tmp_path, "--events", "3000", "--dirt-rate", "0")
    schema = json.loads((REPO / "schemas" / f"{event_type}_schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    lines = _lines(tmp_path, event_type)
    assert lines
    for line in lines:
        validator.validate(json.loads(line))


def test_dirty_data_has_about_the_requested_share_of_bad_lines(tmp_path: Path) -> None:
    run_generator(tmp_path, "--events", "20000", "--dirt-rate", "0.2", "--seed", "1")
    invalid = total = 0
    for event_type in EVENT_TYPES:
        schema = json.loads((REPO / "schemas" / f"{event_type}_schema.json").read_text())
        validator = jsonschema.Draft202012Validator(schema)
        for line in _lines(tmp_path, event_type):
            total += 1
            try:
                record = json.loads(line)
            except ValueError:
                invalid += 1
                continue
            invalid += not validator.is_valid(record)
    # 20 % dirt, of which duplicates and value_out_of_range (2 kinds in 16) are lines JSON Schema
    # calls valid (it cannot say a product leaves the numeric domain): about 17 % invalid.
    assert 0.14 < invalid / total < 0.20


def test_rejects_impossible_arguments(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--dirt-rate", "1.5"]) == 2
    assert "dirt-rate" in capsys.readouterr().err
    assert main(["--out", str(tmp_path), "--events", "0"]) == 2


def test_json_schemas_and_dbt_sources_declare_the_same_fields() -> None:
    sources = yaml.safe_load((REPO / "models/staging/_clips__sources.yml").read_text())
    tables = {t["name"]: t for t in sources["sources"][0]["tables"]}
    for event_type in EVENT_TYPES:
        schema = json.loads((REPO / "schemas" / f"{event_type}_schema.json").read_text())
        declared = [c["name"] for c in tables[event_type]["columns"]]
        assert declared == list(schema["properties"]), event_type


def test_the_validation_models_field_list_must_agree_with_the_source(tmp_path: Path) -> None:
    """record_fields (a constant, as unit tests see no sources) is checked against the source:
    a field declared with another type stops the build, saying where they differ."""
    project = copy_project(tmp_path / "project")
    replace_once(
        project / "models" / "staging" / "_clips__sources.yml",
        "field_like_time\") }}'\n            data_type: number",
        "field_like_time\") }}'\n            data_type: string",
    )
    work = tmp_path / "work"

    result = run_dbt_build(work, REPO / "data" / "raw", tmp_path / "out", project=project)

    assert result.returncode != 0
    assert "record_fields('reel_liked') lists" in result.stdout
    assert '["like_time", true]] but source clips.reel_liked declares' in result.stdout
    assert '["like_time", false]] ([name, is a number]): make them agree.' in result.stdout
