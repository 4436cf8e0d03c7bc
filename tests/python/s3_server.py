"""A real S3 API server for the tests: moto in server mode on 127.0.0.1, started as a subprocess
on a free port and stopped by its PID.

It enforces authentication (``INITIAL_NO_AUTH_ACTION_COUNT``): the first requests create an IAM
user with full access and its key, and from then on only that key is accepted, so a wrong key
fails as it would on AWS. Everything the project does with S3 goes through the standard AWS
variables this module hands out (``environment``): nothing else tells it where S3 is.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

MOTO_SERVER = Path(sys.executable).parent / "moto_server"
REGION = "us-east-1"
# The unauthenticated requests the server allows: exactly the three that create the test user.
SETUP_REQUESTS = 3


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class S3Server:
    process: subprocess.Popen[bytes]
    endpoint: str
    access_key: str
    secret_key: str
    config_dir: Path

    def environment(self, **overrides: str) -> dict[str, str]:
        """The standard AWS variables that point every client at this server."""
        return {
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_REGION": REGION,
            "AWS_DEFAULT_REGION": REGION,
            # Never the developer's own AWS configuration or an instance role.
            "AWS_CONFIG_FILE": str(self.config_dir / "config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.config_dir / "credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            **overrides,
        }

    def client(self, **overrides: str):  # noqa: ANN201 - a boto3 S3 client
        import boto3

        env = self.environment(**overrides)
        return boto3.client(
            "s3",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=REGION,
        )

    def upload_folder(self, folder: Path, bucket: str, prefix: str) -> list[str]:
        """Upload every file below ``folder`` to ``s3://bucket/prefix/<relative path>``."""
        client = self.client()
        keys = []
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                key = f"{prefix}/{path.relative_to(folder).as_posix()}"
                client.upload_file(str(path), bucket, key)
                keys.append(key)
        return keys

    def objects(self, bucket: str, prefix: str) -> dict[str, bytes]:
        """Every object below ``s3://bucket/prefix/``: key -> bytes."""
        client = self.client()
        found = {}
        pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix + "/")
        for page in pages:
            for item in page.get("Contents", []):
                body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"]
                found[item["Key"]] = body.read()
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_s3_server(folder: Path) -> S3Server:
    """Start moto_server in ``folder`` (its log goes there) and create the one IAM user."""
    import boto3

    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = (folder / "moto_server.log").open("wb")
    env = {
        **os.environ,
        "INITIAL_NO_AUTH_ACTION_COUNT": str(SETUP_REQUESTS),
        "MOTO_ALLOW_NONEXISTENT_REGION": "false",
    }
    process = subprocess.Popen(
        [str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        cwd=folder,
    )
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"moto_server exited: {(folder / 'moto_server.log').read_text()}")
        try:
            # The moto dashboard path is not an AWS request: it does not use up the allowance.
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
            break
        except (urllib.error.URLError, ConnectionError, OSError):
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.1)
    iam = boto3.client(
        "iam",
        endpoint_url=endpoint,
        aws_access_key_id="setup",
        aws_secret_access_key="setup",
        region_name=REGION,
    )
    iam.create_user(UserName="loco-tests")
    allow_all = {"Effect": "Allow", "Action": "*", "Resource": "*"}
    policy = {"Version": "2012-10-17", "Statement": [allow_all]}
    iam.put_user_policy(UserName="loco-tests", PolicyName="all", PolicyDocument=json.dumps(policy))
    key = iam.create_access_key(UserName="loco-tests")["AccessKey"]
    config_dir = folder / "aws"
    config_dir.mkdir()
    return S3Server(process, endpoint, key["AccessKeyId"], key["SecretAccessKey"], config_dir)
