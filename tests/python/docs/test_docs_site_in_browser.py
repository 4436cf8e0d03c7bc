"""The dbt docs site, as a reader sees it: headless Chromium opens the overview, then the mart.

Debian's chromium is driven by Playwright (its own browser download is impossible here). The site
is the one `make docs` serves: `dbt docs generate` output, served over HTTP on localhost.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path(os.environ.get("LOCO_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MODEL_ID = "model.loco_clips.user_reel_interest"
CONTRACT_COLUMNS = {
    "user_uid": "VARCHAR",
    "reel_uid": "VARCHAR",
    "liked": "BOOLEAN",
    "unliked": "BOOLEAN",
    "watched_ratio": "DECIMAL(38,9)",
    "is_interested": "BOOLEAN",
}
SOURCES = {
    "source.loco_clips.clips.reel_watched",
    "source.loco_clips.clips.reel_liked",
    "source.loco_clips.clips.reel_unliked",
}
EXPOSURES = {
    "exposure.loco_clips.postgres_user_reel_interest",
    "exposure.loco_clips.parquet_user_reel_interest_external_table",
}
# What the lineage graph draws, read from dbt-docs' own graph service (the canvas has no DOM).
DRAWN_GRAPH_JS = """() => {
    const graph = angular.element(document.body).injector().get('graph').graph;
    return (graph.elements || []).map(element => element.data);
}"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserContext]:
    """Headless Debian Chromium with a fresh profile folder."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (or set LOCO_CHROMIUM)")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport={"width": 1600, "height": 1000},
        )
        context.set_default_timeout(30_000)
        yield context
        context.close()


RULE_TITLES = [
    "valid watch event",
    "normalized watch duration",
    "valid like/unlike",
    "final action",
    "exact duplicates",
    "watched_ratio",
    "is_interested",
]


@pytest.fixture()
def overview_page(browser: BrowserContext, docs_url: str) -> Iterator[Page]:
    """The landing page: the site opens on the project's `__overview__` docs block."""
    page = browser.new_page()
    page.goto(docs_url)
    page.locator("h1", has_text="Loco Clips interest ETL").first.wait_for()
    yield page
    page.close()


def test_site_opens_on_the_overview_with_the_seven_rules_in_one_table(
    overview_page: Page, artifacts_dir: Path
) -> None:
    assert overview_page.url.endswith("#!/overview")
    screenshot = artifacts_dir / "overview_page.png"
    overview_page.screenshot(path=str(screenshot), full_page=True)
    print(f"screenshot: {screenshot}")

    table = overview_page.locator("table", has_text="unit tests").first
    rows = table.locator("tbody tr")
    assert rows.count() == 7
    for number, (row, title) in enumerate(zip(rows.all(), RULE_TITLES, strict=True), start=1):
        cells = [cell.inner_text().strip() for cell in row.locator("td").all()]
        assert cells[0] == f"{number}, {title}", cells
        assert len(cells) == 3, cells  # rule, applied by, unit tests
        assert row.locator("td").nth(1).locator("a[href*='#!/model/']").count(), cells
        assert f"rule_{number}_" in cells[2], f"rule {number} names no unit test of its own"
    assert overview_page.get_by_text("value_out_of_range").first.is_visible()  # the reason codes


def test_overview_links_to_the_user_reel_interest_page_and_its_lineage(overview_page: Page) -> None:
    link = overview_page.locator("a", has_text="user_reel_interest model page")
    link.click()
    overview_page.wait_for_url(f"**#!/model/{MODEL_ID}")
    overview_page.locator("h1", has_text="user_reel_interest").first.wait_for()
    assert overview_page.locator("tr.column-row", has_text="is_interested").first.is_visible()
    # Rule 7 is shown on the mart's page from its one docs block.
    assert overview_page.get_by_text("Rule 7, is_interested").first.is_visible()

    overview_page.go_back()
    overview_page.locator("a", has_text="its lineage").click()
    overview_page.wait_for_url(f"**#!/model/{MODEL_ID}?g_v=1&g_i=%2Buser_reel_interest%2B")
    overview_page.locator(".launcher-btn").click()
    overview_page.locator("a[ng-click='showExpanded()']").click()
    selection = overview_page.locator("input[ng-model='selectorService.selection.dirty.include']")
    assert selection.input_value() == "+user_reel_interest+"
    overview_page.wait_for_function(
        "() => angular.element(document.body).injector().get('graph').graph.elements"
        ".some(element => element.data.unique_id === 'source.loco_clips.clips.reel_watched')"
    )


@pytest.fixture()
def model_page(browser: BrowserContext, docs_url: str) -> Iterator[Page]:
    page = browser.new_page()
    page.goto(f"{docs_url}#!/model/{MODEL_ID}")
    page.locator("h1", has_text="user_reel_interest").first.wait_for()
    yield page
    page.close()


def test_model_page_shows_every_contract_column_with_its_type_and_description(
    model_page: Page, artifacts_dir: Path
) -> None:
    rows = model_page.locator("tr.column-row")
    rows.first.wait_for()
    shown = {}
    for row in rows.all():
        cells = row.locator("td")
        name = cells.nth(0).inner_text().strip()
        shown[name] = (cells.nth(1).inner_text().strip(), cells.nth(2).inner_text().strip())

    screenshot = artifacts_dir / "user_reel_interest_model_page.png"
    model_page.screenshot(path=str(screenshot))
    print(f"screenshot: {screenshot}")

    assert {name: column_type for name, (column_type, _) in shown.items()} == CONTRACT_COLUMNS
    assert all(description for _, description in shown.values()), shown
    assert model_page.get_by_text("Enforced").first.is_visible()  # the model contract


def test_model_page_lists_its_parent_models_under_depends_on(model_page: Page) -> None:
    depends_on = model_page.locator("section", has=model_page.locator("#depends_on"))
    parents = {link.inner_text().strip() for link in depends_on.locator("li a").all()}
    assert {"int_pair_interest", "int_event_outcomes_counted"} <= parents


def test_lineage_graph_runs_from_the_three_sources_to_the_exposures(
    model_page: Page, artifacts_dir: Path
) -> None:
    model_page.locator(".launcher-btn").click()
    model_page.locator("a[ng-click='showExpanded()']").click()
    selection = model_page.locator("input[ng-model='selectorService.selection.dirty.include']")
    assert selection.input_value() == "+user_reel_interest+"
    model_page.wait_for_function(
        "() => angular.element(document.body).injector().get('graph').graph.elements"
        ".some(element => element.data.unique_id === 'source.loco_clips.clips.reel_watched')"
    )
    model_page.wait_for_timeout(500)  # let the layout settle before the screenshot
    screenshot = artifacts_dir / "user_reel_interest_lineage.png"
    model_page.screenshot(path=str(screenshot))
    print(f"screenshot: {screenshot}")

    drawn = model_page.evaluate(DRAWN_GRAPH_JS)
    nodes = {data["unique_id"] for data in drawn if not data.get("source")}
    parents: dict[str, set[str]] = {}
    for data in drawn:
        if data.get("source"):
            parents.setdefault(data["target"], set()).add(data["source"])

    assert SOURCES | EXPOSURES | {MODEL_ID} <= nodes
    assert {child for child, ups in parents.items() if MODEL_ID in ups} >= EXPOSURES
    upstream = _ancestors(MODEL_ID, parents)
    assert upstream >= SOURCES, f"sources not upstream of the model in the graph: {upstream}"


def _ancestors(node: str, parents: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    todo = [node]
    while todo:
        for parent in parents.get(todo.pop(), set()) - seen:
            seen.add(parent)
            todo.append(parent)
    return seen
