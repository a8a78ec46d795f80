"""Downloads against a misbehaving local server: deadline, size cap, gzip, bombs,
partial files (issue 14, #17).  Every test is bounded by tiny limits."""

from __future__ import annotations

import gzip
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from corridor.fetch import download
from corridor.fetch.registry import OfficialSource


@dataclass
class Misbehaviour:
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True  # send Content-Length
    hang: float = 0.0  # sleep after the headers
    trickle: float = 0.0  # sleep between 1-byte writes
    endless: bool = False  # no length, bytes forever
    requests: int = 0


def _handler(how: Misbehaviour) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            how.requests += 1
            self.send_response(200)
            for key, value in how.headers.items():
                self.send_header(key, value)
            if how.length and not how.endless:
                self.send_header("Content-Length", str(len(how.body)))
            self.end_headers()
            self.wfile.flush()
            try:
                if how.hang:
                    time.sleep(how.hang)
                if how.endless:
                    block = b"x" * 65536
                    for _ in range(20_000):  # ~1.3 GB at most; the client stops long before
                        self.wfile.write(block)
                    return
                if how.trickle:
                    for byte in how.body:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(how.trickle)
                    return
                self.wfile.write(how.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


@pytest.fixture
def server() -> Iterator[tuple[Misbehaviour, str]]:
    how = Misbehaviour()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(how))
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield how, f"http://127.0.0.1:{httpd.server_address[1]}/list.xml"
    httpd.shutdown()
    httpd.server_close()


def _source(url: str, min_bytes: int = 10, max_bytes: int = 1_000_000) -> OfficialSource:
    return OfficialSource("un", "un", url, "list.xml", min_bytes, "test", "test", max_bytes=max_bytes)


def _fetch(url: str, dest: Path, **kw: object) -> download.DownloadResult:
    with httpx.Client() as client:
        return download.download_with_retries(
            client,
            _source(url, **{k: v for k, v in kw.items() if k in ("min_bytes", "max_bytes")}),  # type: ignore[arg-type]
            dest,
            {},
            retries=int(kw.get("retries", 3)),  # type: ignore[call-overload]
            backoff=0,
            deadline_seconds=float(kw.get("deadline", 2.0)),  # type: ignore[arg-type]
        )


def test_a_hanging_server_ends_at_the_deadline(server: tuple[Misbehaviour, str], tmp_path: Path) -> None:
    how, url = server
    how.body, how.hang = b"<x>" + b"a" * 100 + b"</x>", 10
    started = time.monotonic()
    with pytest.raises(download.FetchError, match=r"deadline|timed out"):
        _fetch(url, tmp_path / "list.xml", deadline=1.0)
    assert time.monotonic() - started < 3
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "list.xml").exists()


def test_a_trickling_server_ends_at_the_deadline(server: tuple[Misbehaviour, str], tmp_path: Path) -> None:
    how, url = server
    how.body, how.trickle = b"a" * 1000, 0.05  # 50 s at this pace
    started = time.monotonic()
    with pytest.raises(download.FetchError, match="deadline"):
        _fetch(url, tmp_path / "list.xml", deadline=1.0)
    assert time.monotonic() - started < 3
    assert how.requests == 1  # never retried past the deadline
    assert not list(tmp_path.glob("*.part"))


def test_a_body_without_length_stops_at_the_size_cap(
    server: tuple[Misbehaviour, str], tmp_path: Path
) -> None:
    how, url = server
    how.endless = True
    with pytest.raises(download.FetchError, match="more than the 2,000,000 bytes"):
        _fetch(url, tmp_path / "list.xml", max_bytes=2_000_000, deadline=5.0)
    assert how.requests == 1
    assert not list(tmp_path.glob("*.part")) and not (tmp_path / "list.xml").exists()


def test_a_gzip_encoded_response_is_decoded(server: tuple[Misbehaviour, str], tmp_path: Path) -> None:
    how, url = server
    plain = b"<CONSOLIDATED_LIST>" + b"<INDIVIDUAL/>" * 20_000 + b"</CONSOLIDATED_LIST>"
    how.body = gzip.compress(plain)
    how.headers = {"Content-Encoding": "gzip"}
    result = _fetch(url, tmp_path / "list.xml")
    assert result.status == "downloaded"
    assert (tmp_path / "list.xml").read_bytes() == plain
    assert result.state["size"] == len(plain)


def test_a_gzip_bomb_is_refused_once_and_not_retried(
    server: tuple[Misbehaviour, str], tmp_path: Path
) -> None:
    how, url = server
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    how.body = compressor.compress(b"\0" * 50_000_000) + compressor.flush()  # ~50 kB → 50 MB
    how.headers = {"Content-Encoding": "gzip"}
    with pytest.raises(download.FetchError, match="bomb"):
        _fetch(url, tmp_path / "list.xml", max_bytes=1_000_000_000)
    assert how.requests == 1
    assert not list(tmp_path.glob("*.part"))


def test_stale_part_files_are_removed_when_a_download_starts(
    server: tuple[Misbehaviour, str], tmp_path: Path
) -> None:
    how, url = server
    how.body = b"<x>" + b"a" * 100 + b"</x>"
    stale = tmp_path / "list.xml.part"
    stale.write_bytes(b"left by a killed run" * 1000)
    _fetch(url, tmp_path / "list.xml")
    assert not stale.exists()
    assert (tmp_path / "list.xml").read_bytes() == how.body


def test_a_mirror_file_gets_the_size_checks(tmp_path: Path) -> None:
    (tmp_path / "un").mkdir()
    (tmp_path / "un" / "list.xml").write_bytes(b"x" * 451)
    with pytest.raises(download.FetchError, match="only 451 bytes"):
        download.from_mirror(_source("http://127.0.0.1:9/", min_bytes=500_000), tmp_path)
    with pytest.raises(download.FetchError, match="more than the 100 allowed"):
        download.from_mirror(_source("http://127.0.0.1:9/", min_bytes=1, max_bytes=100), tmp_path)
    assert download.from_mirror(_source("http://127.0.0.1:9/x", min_bytes=1), tmp_path / "nothing") is None
