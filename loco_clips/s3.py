"""``s3://`` paths for the dbt run and the loader, through fsspec's ``s3fs``.

DuckDB's own S3 support (the ``httpfs`` extension) is downloaded at run time, which this project
does not allow; ``s3fs`` installs from PyPI with the rest (extra ``s3``) and DuckDB reads and
writes through it once registered (``register``). Credentials, region and endpoint come only from
the standard AWS chain that botocore reads: ``AWS_ACCESS_KEY_ID`` / ``AWS_SECRET_ACCESS_KEY`` /
``AWS_SESSION_TOKEN``, ``AWS_PROFILE`` and the config files, an instance or task role,
``AWS_REGION``, and ``AWS_ENDPOINT_URL`` for an S3-compatible server. Nothing here names AWS.

Keys are data: every function here takes a key literally (no glob, no pattern), and every error
names the bucket and the key it was about.
"""

from __future__ import annotations

import functools
from typing import IO, Any

PREFIX = "s3://"


class S3AccessError(OSError):
    """An S3 request failed (bad credentials, no such bucket, access denied): one clear line."""


def is_s3(path: str) -> bool:
    return path.startswith(PREFIX)


def split(path: str) -> tuple[str, str]:
    """``s3://bucket/some/key`` -> ``("bucket", "some/key")``."""
    bucket, _, key = path[len(PREFIX) :].partition("/")
    return bucket, key


@functools.cache
def filesystem() -> Any:
    """The one s3fs filesystem of this process, credentials from the AWS chain.

    Listings are never cached: a daily run must see the object that landed a second ago.
    """
    try:
        import s3fs
    except ImportError as error:  # pragma: no cover - the s3 extra is part of `make setup`
        raise S3AccessError(
            "s3:// paths need the s3 extra: pip install -c constraints.txt -e '.[s3]'"
        ) from error
    return s3fs.S3FileSystem(use_listings_cache=False, skip_instance_cache=True)


def register(connection: Any) -> None:
    """Let DuckDB read and write ``s3://`` through s3fs, when it is installed."""
    try:
        import s3fs  # noqa: F401
    except ImportError:
        return
    connection.register_filesystem(filesystem())


def describe(error: BaseException, action: str, path: str) -> S3AccessError:
    """``cannot <action> s3://bucket/key (bucket 'bucket'): <why>``, from any s3fs error."""
    bucket, _ = split(path)
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return S3AccessError(
        f"cannot {action} {path} (bucket {bucket!r}): {type(error).__name__}: {reason}"
    )


def _fs_path(path: str) -> str:
    return path[len(PREFIX) :]


def list_objects(folder: str, suffixes: tuple[str, ...]) -> list[dict[str, object]]:
    """The objects below the prefix ``folder/`` whose key ends in one of ``suffixes``, sorted by
    key: path (``s3://…``), size in bytes and last-modified time in epoch milliseconds. Listed
    literally (a key holding ``[``, ``*``, ``?`` or ``'`` is one object); a prefix with no objects
    has none. A bucket that cannot be listed is an ``S3AccessError`` naming it."""
    prefix = _fs_path(folder).rstrip("/")
    try:
        found = filesystem().find(prefix + "/", detail=True)
    except FileNotFoundError:
        return []
    except Exception as error:
        raise describe(error, "list", folder) from error
    files = []
    for key, info in found.items():
        if info.get("type") != "file" or not key.endswith(suffixes):
            continue
        modified = info.get("LastModified")
        files.append(
            {
                "path": PREFIX + key,
                "size": int(info["size"]),
                "modified_ms": int(modified.timestamp() * 1000) if modified else 0,
            }
        )
    return sorted(files, key=lambda file: file["path"])


def open_binary(path: str) -> IO[bytes]:
    """The object at ``path``, open for reading its bytes."""
    try:
        return filesystem().open(_fs_path(path), "rb")
    except Exception as error:
        raise describe(error, "read", path) from error


def read_bytes(path: str) -> bytes:
    try:
        return filesystem().cat_file(_fs_path(path))
    except Exception as error:
        raise describe(error, "read", path) from error


def write_bytes(path: str, content: bytes, **options: Any) -> None:
    """One PUT: on S3 a reader sees the old object or the new one, never part of it."""
    try:
        filesystem().pipe_file(_fs_path(path), content, **options)
    except Exception as error:
        raise describe(error, "write", path) from error


def exists(path: str) -> bool:
    try:
        return filesystem().exists(_fs_path(path))
    except Exception as error:
        raise describe(error, "read", path) from error


def copy(source: str, destination: str, metadata: dict[str, str]) -> None:
    """A server-side copy (no download), giving the new object ``metadata``."""
    try:
        # cp_file, not copy: fsspec's copy() expands glob characters in the source.
        filesystem().cp_file(
            _fs_path(source),
            _fs_path(destination),
            Metadata=metadata,
            MetadataDirective="REPLACE",
        )
    except Exception as error:
        raise describe(error, "copy to", destination) from error


def metadata(path: str) -> dict[str, str]:
    """The user metadata (``x-amz-meta-*``) of an object."""
    try:
        return filesystem().metadata(_fs_path(path))
    except Exception as error:
        raise describe(error, "read", path) from error


def list_prefixes(folder: str) -> list[str]:
    """The names of the "folders" (common prefixes) right below ``folder/``."""
    try:
        entries = filesystem().ls(_fs_path(folder).rstrip("/") + "/", detail=True)
    except FileNotFoundError:
        return []
    except Exception as error:
        raise describe(error, "list", folder) from error
    return sorted(
        entry["name"].rstrip("/").rsplit("/", 1)[-1]
        for entry in entries
        if entry.get("type") == "directory"
    )


def delete_prefix(folder: str) -> None:
    """Delete every object below ``folder/`` (and only those: never a pattern)."""
    fs = filesystem()
    try:
        # One rm_file per key: fsspec's rm() expands glob characters in the paths it is given.
        for key in fs.find(_fs_path(folder).rstrip("/") + "/"):
            fs.rm_file(key)
    except Exception as error:
        raise describe(error, "delete", folder) from error


def check_bucket(path: str) -> None:
    """Fail with one line naming the bucket when it cannot be reached with these credentials."""
    bucket, _ = split(path)
    if not bucket:
        raise S3AccessError(f"not an S3 location (no bucket): {path!r}")
    try:
        filesystem().ls(bucket + "/", detail=False)
    except Exception as error:
        raise describe(error, "reach", f"{PREFIX}{bucket}/") from error


def download(path: str, local_path: str) -> None:
    try:
        filesystem().get_file(_fs_path(path), local_path)
    except Exception as error:
        raise describe(error, "download", path) from error
