"""Fixtures of the S3 tests: a real S3 API server (moto, started here) and its buckets.

Every dbt build of these tests finds S3 only through the standard AWS variables
(``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ...), set for the session by ``aws_environment``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from s3_server import S3Server

_bucket_numbers = itertools.count()


@pytest.fixture(scope="session")
def aws_environment(s3_server: S3Server) -> Iterator[dict[str, str]]:
    """The AWS variables of the test server, in this process's environment (so builds and
    s3fs in the tests see them) for the session, then restored."""
    with pytest.MonkeyPatch.context() as patch:
        environment = s3_server.environment()
        for name, value in environment.items():
            patch.setenv(name, value)
        yield environment


@pytest.fixture(scope="session")
def new_bucket(s3_server: S3Server, aws_environment: dict[str, str]):  # noqa: ANN201
    """A function creating a new, empty bucket and returning its name."""

    def create(purpose: str) -> str:
        name = f"loco-{purpose}-{next(_bucket_numbers)}"
        s3_server.client().create_bucket(Bucket=name)
        return name

    return create
