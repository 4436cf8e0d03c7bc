"""Fixtures of the docs tests: one dbt build of the bundled sample plus its docs site, served."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from docs_helpers import REPO, DocsBuild


@pytest.fixture(scope="session")
def docs_build(tmp_path_factory: pytest.TempPathFactory) -> DocsBuild:
    """`dbt build` on the bundled sample, then `dbt docs generate`, in a temporary folder.

    The build comes first so the catalog has every table's real column types.
    """
    work = tmp_path_factory.mktemp("docs_build")
    build = DocsBuild(work=work, target=work / "target", output=work / "output")
    build.dbt("build", "--quiet")
    build.dbt("docs", "generate")
    return build


@pytest.fixture(scope="session")
def docs_url(docs_build: DocsBuild) -> Iterator[str]:
    """The generated docs site, served over HTTP on a free localhost port like `dbt docs serve`."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(docs_build.target))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/index.html"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


ARTIFACTS = pytest.StashKey[Path]()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Name the screenshots this run kept, so a person can look at them."""
    folder = terminalreporter.config.stash.get(ARTIFACTS, None)
    shots = sorted(folder.glob("*.png")) if folder else []
    if shots:
        terminalreporter.write_sep("-", "docs site screenshots")
        for shot in shots:
            terminalreporter.write_line(str(shot))


def _artifacts_path() -> Path:
    return Path(os.environ.get("LOCO_TEST_ARTIFACTS", REPO / "target" / "test-artifacts" / "docs"))


@pytest.fixture(scope="session")
def artifacts_dir(pytestconfig: pytest.Config) -> Path:
    """Where the docs tests keep what a person may want to look at (screenshots)."""
    path = _artifacts_path()
    shutil.rmtree(path, ignore_errors=True)  # only this run's screenshots
    path.mkdir(parents=True)
    pytestconfig.stash[ARTIFACTS] = path
    return path
