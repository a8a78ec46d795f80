"""Uploaded files, for every interface that takes one (list imports, portfolios,
the web pages): written under a fresh private folder in `CORRIDOR_HOME/uploads`
by a safe form of the client's own name, refused beyond the configured size, and
removed afterwards; errors name the upload, never the server's path."""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePath

from starlette.datastructures import UploadFile

from corridor.errors import CorridorError, InputError, LimitError, Where
from corridor.settings import Settings

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


def safe_name(filename: str | None) -> str:
    """The base name of a client's file name, reduced to `[A-Za-z0-9._-]`."""
    return _SAFE_NAME.sub("_", PurePath(filename or "upload").name)[:120] or "upload"


@contextmanager
def private_folder(settings: Settings, prefix: str) -> Iterator[Path]:
    """A fresh folder under the home's uploads, removed with everything in it."""
    uploads = settings.home / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=uploads))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def save(
    file: UploadFile, folder: Path, settings: Settings, *, suffixes: tuple[str, ...] | None = None
) -> Path:
    """The upload written into `folder` (LimitError past `api_max_upload`; InputError
    for a name without one of `suffixes`)."""
    name = safe_name(file.filename)
    if suffixes is not None and PurePath(name).suffix.lower() not in suffixes:
        raise InputError("file", f"{name}: expected a {', '.join(suffixes)} file", file=name)
    path = folder / name
    written = 0
    with path.open("wb") as out:
        while chunk := await file.read(1 << 20):
            written += len(chunk)
            if written > settings.api_max_upload:
                raise LimitError(
                    f"the upload is larger than {settings.api_max_upload:,} bytes", where=Where(field="file")
                )
            out.write(chunk)
    return path


def as_upload(error: CorridorError, name: str) -> CorridorError:
    """The error as the client should read it: about the file it uploaded, by the
    name it gave, never the server's private path."""
    where = Where(file=name, line=error.location.line, field=error.location.field)
    answer = CorridorError(error.message, where=where, status=error.status)
    answer.code = error.code
    return answer
