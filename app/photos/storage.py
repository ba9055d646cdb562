"""Where photo files live: a small storage interface and its local-disk implementation."""

from __future__ import annotations

import os
import re
import secrets
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from flask import current_app

# Keys are made here from random tokens, never from ids or anything a user sent.
_KEY_PATTERN = re.compile(r"^[a-z0-9]+(/[a-z0-9]+([._-][a-z0-9]+)*)*$")


class Storage(Protocol):
    """A flat store of files by key; a missing key raises FileNotFoundError."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the bytes under the key, replacing any earlier file whole."""

    def get(self, key: str) -> bytes:
        """Return the bytes stored under the key."""

    def open(self, key: str) -> BinaryIO:
        """Open the file stored under the key for reading."""

    def delete(self, key: str) -> None:
        """Remove the file under the key; a missing file is not an error."""


class LocalStorage:
    """Files under one folder on local disk; every write lands whole or not at all."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """Return the file path of a key, refusing keys this module would not make."""
        if not _KEY_PATTERN.match(key):
            raise ValueError(f"bad storage key {key!r}")
        return self.root / key

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write to a temporary file beside the target, then rename it into place."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        """Return the bytes of a stored file."""
        return self.path(key).read_bytes()

    def open(self, key: str) -> BinaryIO:
        """Open a stored file for reading."""
        return self.path(key).open("rb")

    def delete(self, key: str) -> None:
        """Remove a stored file if it is there."""
        self.path(key).unlink(missing_ok=True)


def _local_storage(config: Mapping[str, Any]) -> LocalStorage:
    root = config.get("PHOTO_STORAGE_DIR") or os.path.join(config["INSTANCE_DIR"], "photos")
    return LocalStorage(root)


# PHOTO_STORAGE picks one of these; an S3-compatible store registers here later.
BACKENDS: dict[str, Callable[[Mapping[str, Any]], Storage]] = {"local": _local_storage}


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """Build the storage that PHOTO_STORAGE names."""
    kind = config.get("PHOTO_STORAGE", "local")
    if kind not in BACKENDS:
        raise RuntimeError(f"unknown PHOTO_STORAGE {kind!r}; choose one of {sorted(BACKENDS)}")
    return BACKENDS[kind](config)


def get_storage() -> Storage:
    """Return the photo storage of the running app."""
    return storage_from_config(current_app.config)


def new_keys() -> tuple[str, str]:
    """Make fresh, unguessable keys for a photo's display copy and thumbnail."""
    token = secrets.token_hex(16)
    prefix = f"{token[:2]}/{token}"
    return f"{prefix}-display.jpg", f"{prefix}-thumb.jpg"
