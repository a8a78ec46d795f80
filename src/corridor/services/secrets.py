"""Secrets kept in the home folder: the screening index's HMAC key, the web
sessions' signing key.  Each is a file of random bytes, mode 0600, made from
`secrets` on first use; two processes making one at once agree (it is written
aside, then linked into place: it appears complete or not at all)."""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import tempfile
from pathlib import Path

from corridor.errors import IntegrityError

log = logging.getLogger(__name__)
SIZE = 32


def home_secret(directory: Path, name: str, size: int = SIZE) -> bytes:
    """The secret `directory/name`, made when missing or damaged (shorter than `size`)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    for _attempt in range(3):
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            pass
        else:
            if len(key) >= size:
                return key
            # a damaged secret: a new one only means what it signed is made again
            log.warning("secret %s is damaged; making a new one", path)
            path.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f"{name}-")  # mkstemp files are 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(size))
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process made it first: read theirs
                os.link(tmp, path)
        finally:
            os.unlink(tmp)
    raise IntegrityError(f"cannot make the secret {path}", status=500)
