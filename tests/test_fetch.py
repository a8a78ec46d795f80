"""`lists update` against a local HTTP server on 127.0.0.1 serving the shared files."""

from __future__ import annotations

import base64
import hashlib
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from corridor.fetch.registry import OfficialSource
from corridor.services import lists
from corridor.store import db, queries


@dataclass
class Behaviour:
    """What the fake publisher does; tests change it between updates."""

    body: bytes = b""
    etag: str = '"v1"'
    cut_after: int | None = None  # close the connection after this many bytes
    fail_first: int = 0  # answer 503 to this many requests first
    digest: str | None = None  # sha256 to announce (wrong on purpose in one test)
    requests: list[dict[str, str]] = field(default_factory=list)


def _handler(behaviour: Behaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output quiet
            pass

        def do_GET(self) -> None:
            behaviour.requests.append(dict(self.headers))
            if behaviour.fail_first > 0:
                behaviour.fail_first -= 1
                self.send_response(503)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if self.headers.get("If-None-Match") == behaviour.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(behaviour.body)))
            self.send_header("ETag", behaviour.etag)
            if behaviour.digest:
                self.send_header(
                    "Digest", "sha-256=" + base64.b64encode(bytes.fromhex(behaviour.digest)).decode()
                )
            self.end_headers()
            if behaviour.cut_after is not None:
                self.wfile.write(behaviour.body[: behaviour.cut_after])
                self.wfile.flush()
                self.connection.close()
                return
            self.wfile.write(behaviour.body)

    return Handler


@pytest.fixture
def publisher() -> Iterator[tuple[Behaviour, str]]:
    behaviour = Behaviour()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(behaviour))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield behaviour, f"http://127.0.0.1:{server.server_address[1]}/consolidated.xml"
    server.shutdown()
    server.server_close()


def _source(url: str) -> OfficialSource:
    return OfficialSource("un", "un", url, "consolidated.xml", 500_000, "UN (test)", "test")


def test_update_downloads_imports_then_uses_conditional_request(
    publisher: tuple[Behaviour, str], shared_data: Path, tmp_path: Path, sqlite_url: str
) -> None:
    behaviour, url = publisher
    behaviour.body = (shared_data / "un/2026-02-27/consolidated.xml").read_bytes()
    engine = db.engine(sqlite_url)
    (first,) = lists.update(engine, tmp_path, sources=[_source(url)], backoff=0)
    assert first.status == "imported" and first.result is not None
    assert first.result.sha256 == hashlib.sha256(behaviour.body).hexdigest()
    (second,) = lists.update(engine, tmp_path, sources=[_source(url)], backoff=0)
    assert second.status == "not_modified"
    assert behaviour.requests[-1].get("If-None-Match") == '"v1"'
    # a new publication replaces the active version
    behaviour.body = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    behaviour.etag = '"v2"'
    (third,) = lists.update(engine, tmp_path, sources=[_source(url)], backoff=0)
    assert third.status == "imported"
    assert [v.published[:10] for v in queries.versions(engine, "un") if v.active] == ["2026-05-08"]


def test_transfer_cut_midway_is_retried_then_fails_without_touching_the_store(
    publisher: tuple[Behaviour, str], shared_data: Path, tmp_path: Path, sqlite_url: str
) -> None:
    behaviour, url = publisher
    behaviour.body = (shared_data / "un/2026-02-27/consolidated.xml").read_bytes()
    engine = db.engine(sqlite_url)
    lists.update(engine, tmp_path, sources=[_source(url)], backoff=0)
    before = queries.versions(engine)
    behaviour.body = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    behaviour.etag = '"v2"'
    behaviour.cut_after = 100_000
    (outcome,) = lists.update(engine, tmp_path, sources=[_source(url)], retries=3, backoff=0)
    assert outcome.status == "failed"
    assert len(behaviour.requests) == 1 + 3  # the first good update, then three attempts
    assert queries.versions(engine) == before
    assert not list((tmp_path / "downloads" / "un").glob("*.part"))


def test_server_errors_are_retried(
    publisher: tuple[Behaviour, str], shared_data: Path, tmp_path: Path, sqlite_url: str
) -> None:
    behaviour, url = publisher
    behaviour.body = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    behaviour.fail_first = 2
    (outcome,) = lists.update(db.engine(sqlite_url), tmp_path, sources=[_source(url)], retries=3, backoff=0)
    assert outcome.status == "imported"
    assert len(behaviour.requests) == 3


def test_checksum_mismatch_and_tiny_files_are_rejected(
    publisher: tuple[Behaviour, str], shared_data: Path, tmp_path: Path, sqlite_url: str
) -> None:
    behaviour, url = publisher
    behaviour.body = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    behaviour.digest = hashlib.sha256(b"something else").hexdigest()
    engine = db.engine(sqlite_url)
    (outcome,) = lists.update(engine, tmp_path, sources=[_source(url)], retries=1, backoff=0)
    assert outcome.status == "failed" and "does not match" in outcome.message
    behaviour.digest = None
    behaviour.body = b"<html>maintenance</html>"
    (outcome,) = lists.update(engine, tmp_path, sources=[_source(url)], retries=1, backoff=0)
    assert outcome.status == "failed" and "only 24 bytes" in outcome.message
    assert queries.versions(engine) == []


def test_offline_mirror_stands_in_for_the_urls(shared_data: Path, tmp_path: Path, sqlite_url: str) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "un").mkdir(parents=True)
    (mirror / "un" / "consolidated.xml").write_bytes(
        (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    )
    unreachable = _source("http://127.0.0.1:9/never-contacted.xml")
    outcomes = lists.update(db.engine(sqlite_url), tmp_path, mirror=mirror, sources=[unreachable])
    assert [o.status for o in outcomes] == ["imported"]
    missing = OfficialSource("eu", "eu", "http://127.0.0.1:9/x", "eu_fsf.xml", 1, "EU", "test")
    (outcome,) = lists.update(db.engine(sqlite_url), tmp_path, mirror=mirror, sources=[missing])
    assert outcome.status == "missing"
