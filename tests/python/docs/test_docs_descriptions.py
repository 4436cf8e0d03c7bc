"""Every source, model, column, seed, macro, test, exposure and analysis of the docs site has a
description, so a reader of the site never needs the SQL. Read from the generated manifest and
catalog: a column the table has but the yml forgot is caught too."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from docs_helpers import DocsBuild

PROJECT = "loco_clips"
DESCRIBED_NODE_TYPES = ("model", "seed", "test", "analysis")


@pytest.fixture(scope="module")
def manifest(docs_build: DocsBuild) -> dict[str, Any]:
    return json.loads((docs_build.target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def catalog(docs_build: DocsBuild) -> dict[str, Any]:
    return json.loads((docs_build.target / "catalog.json").read_text())


def _own(resources: dict[str, Any]) -> dict[str, Any]:
    return {key: node for key, node in resources.items() if node["package_name"] == PROJECT}


def test_every_model_seed_test_and_analysis_is_described(manifest: dict[str, Any]) -> None:
    nodes = _own(manifest["nodes"])
    for resource_type in DESCRIBED_NODE_TYPES:
        assert any(node["resource_type"] == resource_type for node in nodes.values())
    missing = sorted(
        key
        for key, node in nodes.items()
        if node["resource_type"] in DESCRIBED_NODE_TYPES and not node["description"].strip()
    )
    assert not missing, "add a description (yml `description:`) to:\n" + "\n".join(missing)


def test_every_unit_test_is_described_and_names_its_rule(manifest: dict[str, Any]) -> None:
    unit_tests = _own(manifest["unit_tests"])
    assert len(unit_tests) >= 9
    missing = sorted(key for key, test in unit_tests.items() if not test["description"].strip())
    assert not missing, "add a description to:\n" + "\n".join(missing)
    assert all(test["name"].startswith("rule_") for test in unit_tests.values())


def test_every_column_of_every_table_is_described(
    manifest: dict[str, Any], catalog: dict[str, Any]
) -> None:
    missing = []
    for key, table in catalog["nodes"].items():
        node = manifest["nodes"][key]
        described = {
            name.lower() for name, column in node["columns"].items() if column["description"]
        }
        missing += [f"{key}.{name}" for name in table["columns"] if name.lower() not in described]
    assert catalog["nodes"], "the catalog is empty"
    assert not missing, "columns without a description:\n" + "\n".join(sorted(missing))


def test_every_source_and_source_column_is_described(manifest: dict[str, Any]) -> None:
    sources = _own(manifest["sources"])
    assert {source["name"] for source in sources.values()} == {
        "reel_watched",
        "reel_liked",
        "reel_unliked",
    }
    missing = [key for key, source in sources.items() if not source["description"]]
    missing += [key for key, source in sources.items() if not source["source_description"]]
    for key, source in sources.items():
        missing += [
            f"{key}.{name}" for name, col in source["columns"].items() if not col["description"]
        ]
    assert not missing, "\n".join(missing)


ADAPTERS = ("default", "duckdb", "spark")


def _engine_forms(macros: dict[str, Any]) -> dict[str, str]:
    """Each `<adapter>__<name>` macro whose `<name>` is a project macro: form -> dispatcher."""
    names = {macro["name"] for macro in macros.values()}
    forms = {}
    for macro in macros.values():
        adapter, _, dispatcher = macro["name"].partition("__")
        if adapter in ADAPTERS and dispatcher in names:
            forms[macro["name"]] = dispatcher
    return forms


def test_every_macro_and_macro_argument_is_described(manifest: dict[str, Any]) -> None:
    """Including the generic tests (macros named test_<name>). An engine's form of a dispatched
    macro is described in one line naming its dispatcher; its arguments are the dispatcher's."""
    macros = _own(manifest["macros"])
    assert "macro.loco_clips.test_expression_is_true" in macros
    forms = _engine_forms(macros)
    assert {"duckdb__read_raw_events", "spark__read_raw_events", "default__sql_literal"} <= set(
        forms
    )
    missing = [key for key, macro in macros.items() if not macro["description"].strip()]
    for key, macro in macros.items():
        if macro["name"] in forms:
            continue
        described = {arg["name"] for arg in macro["arguments"] if arg["description"]}
        missing += [f"{key}({name})" for name in _signature(macro) if name not in described]
    assert not missing, (
        "describe them in macros/_macros.yml or tests/generic/_generic__tests.yml:\n"
        + ("\n".join(sorted(missing)))
    )


def test_each_engine_form_names_its_dispatcher_and_takes_its_arguments(
    manifest: dict[str, Any],
) -> None:
    macros = {macro["name"]: macro for macro in _own(manifest["macros"]).values()}
    wrong = []
    for form, dispatcher in _engine_forms(_own(manifest["macros"])).items():
        description = macros[form]["description"]
        if f"`{dispatcher}`" not in description or "\n" in description.strip():
            wrong.append(f"{form}: one line naming `{dispatcher}`, got {description!r}")
        if _signature(macros[form]) != _signature(macros[dispatcher]):
            wrong.append(f"{form}{_signature(macros[form])} != {dispatcher}")
        if "adapter.dispatch" not in macros[dispatcher]["macro_sql"]:
            wrong.append(f"{dispatcher} does not dispatch, yet {form} exists")
    assert not wrong, "\n".join(wrong)


def _signature(macro: dict[str, Any]) -> list[str]:
    """The argument names of a macro or generic test, from its `{% macro name(a, b=1) %}` line."""
    match = re.search(r"{%-?\s*(?:macro|test)\s+\w+\s*\((.*?)\)\s*-?%}", macro["macro_sql"], re.S)
    assert match, macro["unique_id"]
    return [arg.split("=")[0].strip() for arg in match.group(1).split(",") if arg.strip()]


def test_the_mart_has_its_two_downstream_exposures(manifest: dict[str, Any]) -> None:
    exposures = _own(manifest["exposures"])
    assert {exposure["name"] for exposure in exposures.values()} == {
        "postgres_user_reel_interest",
        "parquet_user_reel_interest_external_table",
    }
    for exposure in exposures.values():
        assert exposure["description"]
        assert exposure["depends_on"]["nodes"] == ["model.loco_clips.user_reel_interest"]
