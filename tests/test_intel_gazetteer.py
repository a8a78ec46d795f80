"""The listed-names gazetteer: built from the active lists through the store, cached per
set of active list versions (in the process and in a signed file), rebuilt when the
versions change or the file fails its check; a listed party the rules miss is found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from corridor.intel.analyse import analyse
from corridor.services import intel as service
from corridor.services.lists import import_path
from corridor.store import db


@pytest.fixture()
def store(tmp_path: Path, shared_data: Path) -> Iterator[tuple[str, Path]]:
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'corridor.db'}"
    import_path(db.engine(url), shared_data / "un/2026-02-27/consolidated.xml")
    service.forget_gazetteers()
    yield url, home
    service.forget_gazetteers()


def test_cached_per_list_version(
    store: tuple[str, Path], shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, home = store
    engine = db.engine(url)
    first, report = service.listed_gazetteer(engine, home)
    assert report.origin == "built" and report.names == len(first) > 500
    assert report.path.exists()
    again, report2 = service.listed_gazetteer(engine, home)
    assert again is first and report2.origin == "memory" and report2.key == report.key

    # a new process: read from the file, without asking the store for entities
    service.forget_gazetteers()

    def no_store(*args: object) -> list[object]:
        raise AssertionError("the store was read although the cached file is current")

    monkeypatch.setattr(service, "_listed_from_store", no_store)
    loaded, report3 = service.listed_gazetteer(engine, home)
    assert report3.origin == "loaded" and len(loaded) == len(first)
    monkeypatch.undo()

    # a newer list version: another key, built again from the store, the old file gone
    import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    newer, report4 = service.listed_gazetteer(engine, home)
    assert report4.origin == "built" and report4.key != report.key
    assert not report.path.exists() and report4.path.exists()
    assert newer is not first


def test_a_changed_file_is_not_used(store: tuple[str, Path]) -> None:
    url, home = store
    engine = db.engine(url)
    gazetteer, report = service.listed_gazetteer(engine, home)
    raw = report.path.read_bytes()
    header, _, body = raw.partition(b"\n")
    # a name slipped into the body: the authentication code no longer matches
    report.path.write_bytes(header + b"\n" + body.replace(b"]]", b'],["x:1","Person","Injected Name"]]', 1))
    service.forget_gazetteers()
    rebuilt, report2 = service.listed_gazetteer(engine, home)
    assert report2.origin == "rebuilt" and report2.problem and "authentication" in report2.problem
    assert len(rebuilt) == len(gazetteer)
    service.forget_gazetteers()
    assert service.listed_gazetteer(engine, home)[1].origin == "loaded"  # the rewritten file is good


def test_listed_party_found_where_the_rules_miss_it(store: tuple[str, Path]) -> None:
    url, home = store
    built = service.engines(db.engine(url), home=home)
    # lower case and no organisation word the rules know: only the gazetteer finds it
    text = "Payments went through namchongang trading corporation and its branch, a source said."
    doc = built.extractor.read_text(text, "x.txt", dt.date(2024, 1, 5))
    analysis = analyse(doc, built.extractor, listed=built.listed, screen=built.screen)
    (fact,) = [f for f in analysis.facts if f.kind == "entity"]
    assert fact.attrs["why"] == "listed name"
    assert doc.text[fact.first.start : fact.first.end] == "namchongang trading corporation"
    hits = analysis.screening[fact.key]
    assert hits and hits[0].entity_id.startswith("un:") and hits[0].explanation
