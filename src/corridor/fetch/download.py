"""Downloading one official list file, soundly.  `fetch/` only downloads and
verifies; importing is `corridor.services.lists.update`.

One source's download is a conditional GET (If-None-Match / If-Modified-Since
from the last good download), streamed to a `.part` file with the sha256
computed on the way, and checked: HTTP status; the bytes received against
Content-Length; the publisher's digest header when it sends one; a minimum
plausible size and the source's maximum size (`OfficialSource.max_bytes`,
counted after decompression, so the download stops as soon as it is exceeded).
A gzip or deflate `Content-Encoding` is decompressed while streaming, with a
ratio limit (a gzip bomb is refused after at most `max_bytes`, and never
retried).  All attempts for one source together have a deadline (default
`settings.fetch_deadline`): a hanging server and one that trickles bytes both
end there.  Network errors and 5xx answers are retried with back-off while the
deadline allows.  The `.part` file is deleted on every failure, and stale ones
(from a killed run) are deleted when a download starts; only a complete,
verified file is renamed into place.  An offline mirror directory can stand in
for the URLs: its files get the same size checks.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from corridor import errors, settings
from corridor.fetch.registry import OfficialSource

USER_AGENT = "corridor-sanctions/0.1 (+https://github.com/corridor)"
# A list compresses about 5-15 : 1; a stream inflating beyond this is a bomb.
MAX_RATIO = 100
# Small bodies can have any ratio (a file of spaces): the ratio is judged beyond this.
RATIO_FLOOR = 1_000_000
CHUNK = 1 << 16

__all__ = [
    "MAX_RATIO",
    "DownloadResult",
    "FetchError",
    "ProgressFn",
    "download",
    "download_with_retries",
    "from_mirror",
    "load_state",
    "remove_stale_parts",
    "save_state",
]


class FetchError(errors.FetchError):
    """A download that failed its checks; `retryable` says whether to try again."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


ProgressFn = Callable[[str, int, int | None], None]  # (source, bytes so far, total or None)


@dataclass(slots=True)
class DownloadResult:
    status: str  # downloaded / not_modified
    path: Path
    state: dict[str, Any] = field(default_factory=dict)  # validators to store after a good import


def _state_path(home: Path) -> Path:
    return home / "downloads" / "state.json"


def load_state(home: Path) -> dict[str, dict[str, Any]]:
    path = _state_path(home)
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}  # a broken state file only costs unconditional downloads
    return data if isinstance(data, dict) else {}


def save_state(home: Path, state: dict[str, dict[str, Any]]) -> None:
    path = _state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(tmp, path)  # atomic: a crash never leaves half a state file


def remove_stale_parts(directory: Path) -> list[Path]:
    """Delete `.part` files a killed download left behind."""
    removed = []
    if directory.is_dir():
        for part in directory.glob("*.part"):
            part.unlink(missing_ok=True)
            removed.append(part)
    return removed


def _expected_digest(headers: httpx.Headers) -> str | None:
    """sha256 the server vouches for, from `Digest: sha-256=<b64>` or `X-Checksum-Sha256`."""
    if value := headers.get("x-checksum-sha256"):
        return value.strip().lower()
    for part in headers.get("digest", "").split(","):
        algo, _, b64 = part.strip().partition("=")
        if algo.lower() == "sha-256" and b64:
            try:
                return base64.b64decode(b64).hex()
            except ValueError:
                return "(unreadable digest header)"
    return None


def _decoded(raw: Iterator[bytes], encoding: str, url: str) -> Iterator[tuple[int, bytes]]:
    """(raw bytes so far, decoded chunk) for a body in `encoding`, inflating at most
    CHUNK bytes at a time so a bomb never sits in memory (the caller stops
    pulling as soon as its size limit is passed)."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        received = 0
        for chunk in raw:
            received += len(chunk)
            yield received, chunk
        return
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise FetchError(f"{url}: unsupported Content-Encoding {encoding!r}", retryable=False)
    inflater = zlib.decompressobj(47)  # wbits 47: a gzip or a zlib header, detected
    received = 0
    produced = 0
    for chunk in raw:
        received += len(chunk)
        data = chunk
        while data:
            try:
                out = inflater.decompress(data, CHUNK)
            except zlib.error as exc:
                raise FetchError(f"{url}: corrupt {encoding} body: {exc}") from exc
            data = inflater.unconsumed_tail
            produced += len(out)
            if produced > RATIO_FLOOR and produced > MAX_RATIO * received:
                raise FetchError(
                    f"{url}: {encoding} body inflates more than {MAX_RATIO}:1 (a compression bomb); refused",
                    retryable=False,
                )
            if out:
                yield received, out
    if received and not inflater.eof:
        raise FetchError(f"{url}: {encoding} body ends before its compressed stream does")
    yield received, b""  # the raw count of a tail (gzip trailer) that inflated to nothing


def download(
    client: httpx.Client,
    source: OfficialSource,
    dest: Path,
    previous: dict[str, Any],
    on_progress: ProgressFn | None = None,
    deadline: float | None = None,
) -> tuple[str, dict[str, Any]]:
    """One attempt.  Returns ("not_modified", {}) or ("downloaded", new state).

    `deadline` is a `time.monotonic()` value the attempt must finish by."""
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    deadline = deadline if deadline is not None else time.monotonic() + settings.current().fetch_deadline
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise FetchError(f"{source.url}: deadline reached before the download started", retryable=False)
    part = dest.with_name(dest.name + ".part")
    timeout = httpx.Timeout(min(60.0, remaining), connect=min(15.0, remaining))
    try:
        with client.stream("GET", source.url, headers=headers, timeout=timeout) as response:
            if response.status_code == 304:
                return "not_modified", {}
            if response.status_code >= 500:
                raise FetchError(f"{source.url}: server error HTTP {response.status_code}")
            if response.status_code != 200:
                raise FetchError(f"{source.url}: HTTP {response.status_code}", retryable=False)
            total = _content_length(response.headers)
            if (
                total is not None
                and total > source.max_bytes
                and not response.headers.get("content-encoding")
            ):
                raise FetchError(
                    f"{source.url}: announces {total:,} bytes, more than the {source.max_bytes:,} "
                    f"allowed for {source.key}",
                    retryable=False,
                )
            digest = hashlib.sha256()
            size = 0
            received = 0
            encoding = response.headers.get("content-encoding", "")
            with open(part, "wb") as handle:
                for raw_so_far, chunk in _decoded(response.iter_raw(), encoding, source.url):
                    received = raw_so_far
                    size += len(chunk)
                    if size > source.max_bytes:
                        raise FetchError(
                            f"{source.url}: more than the {source.max_bytes:,} bytes allowed for "
                            f"{source.key}; download stopped",
                            retryable=False,
                        )
                    handle.write(chunk)
                    digest.update(chunk)
                    if on_progress:
                        on_progress(source.key, size, total)
                    if time.monotonic() > deadline:
                        raise FetchError(
                            f"{source.url}: deadline exceeded after {size:,} bytes (server too slow)",
                            retryable=False,
                        )
            if total is not None and received != total:
                raise FetchError(f"{source.url}: received {received} of {total} bytes")
            expected = _expected_digest(response.headers)
            if expected and expected != digest.hexdigest():
                raise FetchError(
                    f"{source.url}: sha256 {digest.hexdigest()} does not match the published {expected}"
                )
            if size < source.min_bytes:
                raise FetchError(
                    f"{source.url}: only {size} bytes (a real {source.key} list has at least {source.min_bytes})",
                    retryable=False,
                )
            new_state = {
                "etag": response.headers.get("etag", ""),
                "last_modified": response.headers.get("last-modified", ""),
                "sha256": digest.hexdigest(),
                "size": size,
                "url": source.url,
            }
    except httpx.TimeoutException as exc:
        part.unlink(missing_ok=True)
        late = time.monotonic() >= deadline - 0.05
        raise FetchError(
            f"{source.url}: {'deadline exceeded' if late else 'timed out'} ({type(exc).__name__})",
            retryable=not late,
        ) from exc
    except httpx.HTTPError as exc:  # connection reset, incomplete body...
        part.unlink(missing_ok=True)
        raise FetchError(f"{source.url}: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return "downloaded", new_state


def _content_length(headers: httpx.Headers) -> int | None:
    raw = headers.get("content-length")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise FetchError(f"unreadable Content-Length {raw!r}", retryable=False) from None
    return value if value >= 0 else None


def download_with_retries(
    client: httpx.Client,
    source: OfficialSource,
    dest: Path,
    previous: dict[str, Any],
    retries: int = 3,
    backoff: float = 0.5,
    on_progress: ProgressFn | None = None,
    deadline_seconds: float | None = None,
) -> DownloadResult:
    """Download `source` to `dest`, retrying while the source's deadline allows."""
    seconds = settings.current().fetch_deadline if deadline_seconds is None else deadline_seconds
    deadline = time.monotonic() + seconds
    dest.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_parts(dest.parent)
    for attempt in range(1, retries + 1):
        try:
            status, state = download(client, source, dest, previous, on_progress, deadline)
            return DownloadResult(status, dest, state)
        except FetchError as exc:
            pause = backoff * 2 ** (attempt - 1)
            if not exc.retryable or attempt == retries:
                raise
            if time.monotonic() + pause >= deadline:
                raise FetchError(
                    f"{exc.message} (no time left for another attempt)", retryable=False
                ) from exc
            time.sleep(pause)
    raise AssertionError("unreachable")


def from_mirror(source: OfficialSource, mirror: Path) -> Path | None:
    """The mirrored file for `source` (None when the mirror lacks it), size-checked as a download."""
    path = mirror / source.key / source.filename
    if not path.exists():
        path = mirror / source.filename
    if not path.exists():
        return None
    size = path.stat().st_size
    if size < source.min_bytes:
        raise FetchError(
            f"{path}: only {size} bytes (a real {source.key} list has at least {source.min_bytes})",
            retryable=False,
        )
    if size > source.max_bytes:
        raise FetchError(
            f"{path}: {size:,} bytes, more than the {source.max_bytes:,} allowed for {source.key}",
            retryable=False,
        )
    return path
