"""The screening index file cannot run code and is verified before it is read
(issue 14 #5): a crafted pickle is never executed; an edited byte, a truncated
file, an empty file, another format version or another key each raise
IntegrityError, and the screening service rebuilds the index from the store and
screens correctly."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import pickle
import stat
from pathlib import Path

import pytest

from corridor.errors import IntegrityError
from corridor.match import Query, Screener
from corridor.match import index as index_format
from corridor.match.index import FORMAT_VERSION, HEADER_SIZE, MAGIC, new_key
from corridor.services import screening as services
from corridor.services.lists import import_path as import_list
from corridor.store import db

PEOPLE = [
    ("p-1", "Person", "Zorblax Quentaroo"),
    ("p-2", "Person", "Vexmira Tolundova"),
    ("c-1", "Company", "Korea Quendaria Trading Corporation"),
]


def write_ftm(path: Path, dataset: str, rows: list[tuple[str, str, str]]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for ident, schema, name in rows:
            record = {
                "id": ident,
                "schema": schema,
                "caption": name,
                "properties": {"name": [name]},
                "datasets": [dataset],
                "target": True,
            }
            handle.write(json.dumps(record) + "\n")
    return path


@pytest.fixture
def store(tmp_path: Path) -> tuple[db.Engine, Path]:
    home = tmp_path / "home"
    home.mkdir()
    engine = db.engine(f"sqlite:///{tmp_path / 'corridor.db'}")
    import_list(engine, write_ftm(tmp_path / "people.jsonl", "sec_test", PEOPLE))
    return engine, home


def _top(service: services.ScreeningService, name: str) -> str | None:
    hits = service.screen(Query(name))
    return hits[0].entity_id if hits else None


def _stored(engine: db.Engine, home: Path) -> Path:
    """Build the index file for the store and return its path."""
    service = services.ScreeningService(engine, home)
    service.refresh()
    assert service.report is not None and service.report.origin == "built"
    return service.report.path


def _rebuilt_and_correct(engine: db.Engine, home: Path, caplog: pytest.LogCaptureFixture) -> None:
    fresh = services.ScreeningService(engine, home)
    with caplog.at_level(logging.WARNING, logger="corridor.screening"):
        assert _top(fresh, "Zorblax Quentaroo") == "ftm:p-1"
    report = fresh.report
    assert report is not None and report.origin == "rebuilt" and report.problem
    assert sum("rebuilding" in r.getMessage() for r in caplog.records) == 1
    assert _top(fresh, "Vexmira Tolundova") == "ftm:p-2"
    # the rebuilt file is sound: the next process loads it
    again = services.ScreeningService(engine, home)
    again.refresh()
    assert again.report is not None and again.report.origin == "loaded"


class _Payload:
    """Unpickling this writes a marker file (what a crafted index could do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.marker), "pwned"))  # type: ignore[return-value]


def test_a_crafted_pickle_is_never_run(
    store: tuple[db.Engine, Path], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine, home = store
    path = _stored(engine, home)
    marker = tmp_path / "marker"
    crafted = pickle.dumps(_Payload(marker), protocol=5)
    assert len(crafted) < 400
    path.write_bytes(crafted)
    with pytest.raises(IntegrityError):
        Screener.load(path, services.index_secret(path.parent))
    _rebuilt_and_correct(engine, home, caplog)
    assert not marker.exists()
    # even behind a valid header the payload is JSON, never unpickled
    head = MAGIC + FORMAT_VERSION.to_bytes(2, "big")
    key = services.index_secret(path.parent)
    digest = hmac.new(key, head + crafted, hashlib.sha256).digest()
    path.write_bytes(head + digest + crafted)
    with pytest.raises(IntegrityError, match="does not decode"):
        Screener.load(path, key)
    assert not marker.exists()


def test_an_edited_byte_is_detected(store: tuple[db.Engine, Path], caplog: pytest.LogCaptureFixture) -> None:
    engine, home = store
    path = _stored(engine, home)
    data = bytearray(path.read_bytes())
    at = data.index(b"Zorblax Quentaroo", HEADER_SIZE)
    data[at] = ord("X")  # a caption and a name changed silently, once
    path.write_bytes(bytes(data))
    with pytest.raises(IntegrityError, match="integrity check"):
        Screener.load(path, services.index_secret(path.parent))
    _rebuilt_and_correct(engine, home, caplog)


@pytest.mark.parametrize("cut", [0, 10, HEADER_SIZE - 1, HEADER_SIZE, -1, -100])
def test_a_truncated_or_empty_file_is_detected(
    store: tuple[db.Engine, Path], caplog: pytest.LogCaptureFixture, cut: int
) -> None:
    engine, home = store
    path = _stored(engine, home)
    path.write_bytes(path.read_bytes()[:cut])
    with pytest.raises(IntegrityError):
        Screener.load(path, services.index_secret(path.parent))
    _rebuilt_and_correct(engine, home, caplog)


def test_another_format_version_or_key_is_refused(tmp_path: Path) -> None:
    from corridor.model import Entity, make_name

    name = make_name("Zorblax Quentaroo")
    assert name is not None
    screener = Screener.from_entities([Entity(id="t:1", source="t", schema="Person", names=[name])])
    key = new_key()
    path = tmp_path / "index.idx"
    screener.save(path, key)
    assert Screener.load(path, key).screen(Query("Zorblax Quentaroo"))[0].entity_id == "t:1"
    with pytest.raises(IntegrityError, match="integrity check"):
        Screener.load(path, new_key())
    data = path.read_bytes()
    payload = data[HEADER_SIZE:]
    head = MAGIC + (FORMAT_VERSION - 1).to_bytes(2, "big")
    path.write_bytes(head + hmac.new(key, head + payload, hashlib.sha256).digest() + payload)
    with pytest.raises(IntegrityError, match=f"format {FORMAT_VERSION - 1}"):
        Screener.load(path, key)
    with pytest.raises(ValueError, match="key"):
        screener.save(path, b"short")


def test_the_key_file_is_private_and_kept(tmp_path: Path) -> None:
    directory = tmp_path / "index"
    key = services.index_secret(directory)
    key_file = directory / services.KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(key) >= index_format.MIN_KEY_SIZE
    assert services.index_secret(directory) == key  # made once, then read
    assert services.index_secret(tmp_path / "other") != key  # one per home
    assert [p.name for p in directory.iterdir()] == [services.KEY_FILE]  # no temporary file left
    key_file.write_bytes(b"short")  # a damaged key is replaced (the indexes then rebuild)
    replaced = services.index_secret(directory)
    assert replaced != key and len(replaced) >= index_format.MIN_KEY_SIZE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_payload_is_plain_json_and_no_temporary_file_is_left(store: tuple[db.Engine, Path]) -> None:
    engine, home = store
    path = _stored(engine, home)
    data = path.read_bytes()
    assert data.startswith(MAGIC)
    json.loads(data[HEADER_SIZE:])  # the payload is plain JSON
    assert not any(p.suffix == ".tmp" for p in path.parent.iterdir())
    assert os.path.getsize(path) > HEADER_SIZE
