"""Fixtures of the docs tests: one dbt build of the bundled sample plus its docs site, served."""

from __future__ import annotations

import functools
import os
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


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where the docs tests keep what a person may want to look at (screenshots)."""
    path = Path(os.environ.get("LOCO_TEST_ARTIFACTS", REPO / "target" / "test-artifacts" / "docs"))
    path.mkdir(parents=True, exist_ok=True)
    return path
