"""The docs site's landing page (the `__overview__` docs block) and the README's rule index.

Each rule is written once (a docs block in models/_rules__docs.md) and shown through `doc()`; the
overview and the README index it. Read from the generated manifest, so a renamed model, macro or
unit test, a new unit test or a new reason code makes these fail until the index follows.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from docs_helpers import REPO, DocsBuild

PROJECT = "loco_clips"
RULES = range(1, 8)
LINK = re.compile(r"\]\(#!/(\w+)/([\w.]+)")


@pytest.fixture(scope="module")
def manifest(docs_build: DocsBuild) -> dict[str, Any]:
    return json.loads((docs_build.target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def overview(manifest: dict[str, Any]) -> str:
    return manifest["docs"][f"doc.{PROJECT}.__overview__"]["block_contents"]


def _rule_rows(text: str) -> dict[int, str]:
    """The Markdown table rows that start with a rule number (`| **1**, …` or `| 1, …`)."""
    rows = {}
    for line in text.splitlines():
        match = re.match(r"\|\s*(?:\*\*)?(\d)(?:\*\*)?,", line)
        if match:
            rows[int(match.group(1))] = line
    return rows


def _unit_tests_by_rule(manifest: dict[str, Any]) -> dict[int, set[str]]:
    by_rule: dict[int, set[str]] = {rule: set() for rule in RULES}
    for test in manifest["unit_tests"].values():
        rule = re.match(r"rule_(\d)_", test["name"])
        if test["package_name"] == PROJECT and rule:
            by_rule[int(rule.group(1))].add(test["unique_id"])
    return by_rule


def test_every_link_of_the_overview_opens_a_node_of_the_project(
    manifest: dict[str, Any], overview: str
) -> None:
    known = {
        key
        for section in ("nodes", "unit_tests", "macros", "sources", "exposures")
        for key in manifest[section]
    }
    source_names = {source["source_name"] for source in manifest["sources"].values()}
    links = LINK.findall(overview)
    assert len(links) > 20
    broken = []
    for kind, key in links:
        if kind == "source_list":
            if key not in source_names:
                broken.append(f"#!/{kind}/{key}: no such source")
        elif key not in known or kind != key.split(".")[0]:
            broken.append(f"#!/{kind}/{key}")
    assert not broken, "the overview links to pages that do not exist:\n" + "\n".join(broken)
    assert f"#!/model/model.{PROJECT}.user_reel_interest" in overview


def test_the_overview_table_links_each_rule_to_its_model_and_every_unit_test(
    manifest: dict[str, Any], overview: str
) -> None:
    rows = _rule_rows(overview)
    assert sorted(rows) == list(RULES)
    for rule, tests in _unit_tests_by_rule(manifest).items():
        assert tests, f"rule {rule} has no unit test"
        linked = {key for kind, key in LINK.findall(rows[rule]) if kind == "unit_test"}
        assert tests <= linked, f"rule {rule}: unit tests not in the overview: {tests - linked}"
        assert any(kind == "model" for kind, _ in LINK.findall(rows[rule])), rule


def test_the_readme_index_names_every_unit_test_of_each_rule(manifest: dict[str, Any]) -> None:
    readme = (REPO / "README.md").read_text()
    section = readme[readme.index("## The rules") :]
    rows = _rule_rows(section[: section.index("\n## ", 1)])
    assert sorted(rows) == list(RULES)
    for rule, tests in _unit_tests_by_rule(manifest).items():
        names = {key.rsplit(".", 1)[1] for key in tests}
        named = set(re.findall(r"`(rule_\w+)`", rows[rule]))
        assert names <= named, f"README rule {rule}: unit tests missing: {names - named}"
        assert "models/_rules__docs.md#rule-" in rows[rule], f"README rule {rule} links no text"
    rules_file = (REPO / "models" / "_rules__docs.md").read_text()
    headings = {_github_anchor(line[3:]) for line in rules_file.splitlines() if line[:3] == "## "}
    anchors = set(re.findall(r"\(models/_rules__docs\.md#([\w-]+)\)", readme))
    assert anchors and anchors <= headings, f"no such heading: {anchors - headings}"


def _github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: lower case, punctuation dropped, - for spaces."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_the_overview_lists_the_reason_codes_the_mart_accepts_in_order(
    manifest: dict[str, Any], overview: str
) -> None:
    (accepted,) = [
        node["test_metadata"]["kwargs"]["values"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and node.get("test_metadata", {}).get("name") == "accepted_values"
        and node["attached_node"] == f"model.{PROJECT}.rejected_events"
    ]
    section = overview[overview.index("## Reason codes") :]
    listed = re.findall(r"`([a-z_0-9]+)`", section[: section.index("\n## ", 1)])
    assert [code for code in listed if code in accepted] == accepted
    reason_codes = manifest["docs"][f"doc.{PROJECT}.reason_codes"]["block_contents"]
    assert [code for code in re.findall(r"`([a-z_0-9]+)`", reason_codes) if code in accepted] == [
        code for code in accepted
    ], "the reason_codes docs block describes the codes in another order"


@pytest.mark.parametrize("rule", RULES)
def test_each_rule_is_one_docs_block_shown_on_a_model(manifest: dict[str, Any], rule: int) -> None:
    blocks = [
        doc
        for doc in manifest["docs"].values()
        if doc["package_name"] == PROJECT and doc["name"].startswith(f"rule_{rule}_")
    ]
    assert len(blocks) == 1, f"rule {rule}: {[block['name'] for block in blocks]}"
    text = blocks[0]["block_contents"]
    assert text.startswith(f"**Rule {rule}, ")
    shown_on = [
        node["unique_id"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and (
            text in node["description"]
            or any(text in column["description"] for column in node["columns"].values())
        )
    ]
    assert shown_on, f"no model description shows the docs block {blocks[0]['name']}"
