"""`corridor lists update`: download the current official files and import them.

For each source in the registry: a conditional GET (If-None-Match /
If-Modified-Since from the last good download), streamed to a `.part` file
with the sha256 computed on the way, checked (HTTP status, Content-Length
against bytes received, the publisher's digest header when it sends one, a
minimum plausible size), retried with back-off on network errors and 5xx,
then renamed into place and imported in one transaction.  A failure at any
step leaves the active version untouched.  An offline mirror directory can
stand in for the URLs.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import Engine

from corridor import errors
from corridor.errors import ParseError
from corridor.fetch.registry import OFFICIAL_SOURCES, OfficialSource
from corridor.store.importer import ImportResult, import_list

USER_AGENT = "corridor-sanctions/0.1 (+https://github.com/corridor)"


class FetchError(errors.FetchError):
    """A download that failed its checks; `retryable` says whether to try again."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message)
        self.retryable = retryable


@dataclass(slots=True)
class UpdateOutcome:
    source: str
    status: str  # imported / unchanged / not_modified / failed / missing
    message: str = ""
    path: Path | None = None
    size: int = 0
    result: ImportResult | None = None


ProgressFn = Callable[[str, int, int | None], None]  # (source, bytes so far, total or None)


def _state_path(home: Path) -> Path:
    return home / "downloads" / "state.json"


def load_state(home: Path) -> dict[str, dict[str, Any]]:
    path = _state_path(home)
    if not path.exists():
        return {}
    data: dict[str, dict[str, Any]] = json.loads(path.read_text())
    return data


def save_state(home: Path, state: dict[str, dict[str, Any]]) -> None:
    path = _state_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
    os.replace(tmp, path)  # atomic: a crash never leaves half a state file


def _expected_digest(headers: httpx.Headers) -> str | None:
    """sha256 the server vouches for, from `Digest: sha-256=<b64>` or `X-Checksum-Sha256`."""
    if value := headers.get("x-checksum-sha256"):
        return value.strip().lower()
    for part in headers.get("digest", "").split(","):
        algo, _, b64 = part.strip().partition("=")
        if algo.lower() == "sha-256" and b64:
            return base64.b64decode(b64).hex()
    return None


def download(
    client: httpx.Client,
    source: OfficialSource,
    dest: Path,
    previous: dict[str, Any],
    on_progress: ProgressFn | None = None,
) -> tuple[str, dict[str, Any]]:
    """One attempt.  Returns ("not_modified", {}) or ("downloaded", new state)."""
    headers = {"User-Agent": USER_AGENT}
    if previous.get("etag"):
        headers["If-None-Match"] = previous["etag"]
    if previous.get("last_modified"):
        headers["If-Modified-Since"] = previous["last_modified"]
    part = dest.with_name(dest.name + ".part")
    try:
        with client.stream("GET", source.url, headers=headers) as response:
            if response.status_code == 304:
                return "not_modified", {}
            if response.status_code >= 500:
                raise FetchError(f"{source.url}: server error HTTP {response.status_code}")
            if response.status_code != 200:
                raise FetchError(f"{source.url}: HTTP {response.status_code}", retryable=False)
            total = int(response.headers["content-length"]) if "content-length" in response.headers else None
            digest = hashlib.sha256()
            size = 0
            with open(part, "wb") as handle:
                for chunk in response.iter_bytes(1 << 16):
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    if on_progress:
                        on_progress(source.key, size, total)
            if total is not None and size != total:
                raise FetchError(f"{source.url}: received {size} of {total} bytes")
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
    except httpx.HTTPError as exc:  # connection reset, incomplete body, timeout...
        part.unlink(missing_ok=True)
        raise FetchError(f"{source.url}: {type(exc).__name__}: {exc}") from exc
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return "downloaded", new_state


def download_with_retries(
    client: httpx.Client,
    source: OfficialSource,
    dest: Path,
    previous: dict[str, Any],
    retries: int = 3,
    backoff: float = 0.5,
    on_progress: ProgressFn | None = None,
) -> tuple[str, dict[str, Any]]:
    for attempt in range(1, retries + 1):
        try:
            return download(client, source, dest, previous, on_progress)
        except FetchError as exc:
            if not exc.retryable or attempt == retries:
                raise
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def update(
    engine: Engine,
    home: Path,
    keys: Iterable[str] | None = None,
    mirror: Path | None = None,
    sources: Iterable[OfficialSource] = OFFICIAL_SOURCES,
    client: httpx.Client | None = None,
    retries: int = 3,
    backoff: float = 0.5,
    on_progress: ProgressFn | None = None,
) -> list[UpdateOutcome]:
    """Fetch and import every selected source; one source's failure never stops the others."""
    wanted = set(keys) if keys else None
    chosen = [s for s in sources if (s.key in wanted if wanted else s.enabled)]
    state = load_state(home)
    own_client = client is None
    http = client or httpx.Client(timeout=httpx.Timeout(60.0, connect=15.0), follow_redirects=True)
    outcomes: list[UpdateOutcome] = []
    try:
        for source in chosen:
            outcomes.append(
                _update_one(engine, home, source, mirror, state, http, retries, backoff, on_progress)
            )
    finally:
        if own_client:
            http.close()
    return outcomes


def _update_one(
    engine: Engine,
    home: Path,
    source: OfficialSource,
    mirror: Path | None,
    state: dict[str, dict[str, Any]],
    http: httpx.Client,
    retries: int,
    backoff: float,
    on_progress: ProgressFn | None,
) -> UpdateOutcome:
    if mirror is not None:
        path = mirror / source.key / source.filename
        if not path.exists():
            path = mirror / source.filename
        if not path.exists():
            return UpdateOutcome(
                source.key, "missing", f"not in mirror: {mirror / source.key / source.filename}"
            )
        new_state: dict[str, Any] = {}
    else:
        dest_dir = home / "downloads" / source.key.replace(":", "_")
        dest_dir.mkdir(parents=True, exist_ok=True)
        path = dest_dir / source.filename
        try:
            status, new_state = download_with_retries(
                http, source, path, state.get(source.key, {}), retries, backoff, on_progress
            )
        except FetchError as exc:
            return UpdateOutcome(source.key, "failed", str(exc))
        if status == "not_modified":
            return UpdateOutcome(source.key, "not_modified", "publisher reports no change (HTTP 304)")
    try:
        result = import_list(engine, path, source.hint)
    except ParseError as exc:
        return UpdateOutcome(source.key, "failed", str(exc), path)
    if result.source != source.key:
        # the file is a list, but not the one this registry entry promised
        return UpdateOutcome(
            source.key, "failed", f"{path}: expected list {source.key}, file holds {result.source}", path
        )
    if new_state:
        state[source.key] = new_state
        save_state(home, state)
    status = "unchanged" if result.unchanged else "imported"
    return UpdateOutcome(source.key, status, "", path, path.stat().st_size, result)
