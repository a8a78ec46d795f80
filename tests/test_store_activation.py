"""The activation rule: a list never silently shrinks or goes back in time (issue 14, #1-#4)."""

from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from corridor.model import Entity, make_name
from corridor.services import lists
from corridor.sources.base import ListMeta, ParsedList
from corridor.store import db, importer, queries
from corridor.store.schema import list_versions


def _active(engine: object, source: str) -> list[int]:
    return [v.id for v in queries.versions(engine, source) if v.active]  # type: ignore[arg-type]


def _cut_un(source: Path, dest: Path, keep: int) -> int:
    """A well-formed UN file holding only the first `keep` INDIVIDUAL records (all ENTITYs dropped)."""
    raw = source.read_bytes()
    records = list(re.finditer(rb"<INDIVIDUAL>.*?</INDIVIDUAL>", raw, re.S))
    start, end = records[0].start(), records[-1].end()
    kept = b"".join(m.group(0) for m in records[:keep])
    body = raw[:start] + kept + raw[end:]
    body = re.sub(rb"<ENTITIES>.*</ENTITIES>", b"<ENTITIES/>", body, flags=re.S)
    dest.write_bytes(body)
    return keep


def test_a_cleanly_cut_un_file_is_stored_but_held_back(
    db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    engine = db.engine(db_url)
    full = lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    assert full.active and not full.held_back
    cut = tmp_path / "consolidated.xml"
    kept = _cut_un(shared_data / "un/2026-05-08/consolidated.xml", cut, 449)
    result = lists.import_path(engine, cut)
    assert result.record_count == kept
    assert not result.active
    assert "removes" in result.held_back and "20%" in result.held_back
    assert _active(engine, "un") == [full.version_id]
    # the analyst overrides on purpose: the same file again with activate=True switches
    forced = lists.import_path(engine, cut, activate=True)
    assert forced.active and forced.version_id == result.version_id
    assert _active(engine, "un") == [result.version_id]


def test_a_cut_sdn_csv_is_held_back(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    engine = db.engine(db_url)
    source = shared_data / "ofac/sdn_csv_only_2024-05-03"
    full = lists.import_path(engine, source, "ofac")
    rows = (source / "sdn.csv").read_bytes().split(b"\r\n")
    cut_dir = tmp_path / "sdn_csv_only_2024-05-03"
    cut_dir.mkdir()
    (cut_dir / "sdn.csv").write_bytes(b"\r\n".join(rows[:5017]) + b"\r\n")
    result = lists.import_path(engine, cut_dir, "ofac")
    assert result.record_count < full.record_count
    assert not result.active and "removes" in result.held_back
    assert _active(engine, "ofac-sdn") == [full.version_id]


def test_a_small_removal_still_activates(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    engine = db.engine(db_url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    cut = tmp_path / "consolidated.xml"
    raw = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    # drop 50 of ~1,000 records (5 %): a normal de-listing round
    records = list(re.finditer(rb"<INDIVIDUAL>.*?</INDIVIDUAL>", raw, re.S))[:50]
    for match in reversed(records):
        raw = raw[: match.start()] + raw[match.end() :]
    cut.write_bytes(raw)
    result = lists.import_path(engine, cut)
    assert result.active and not result.held_back


def test_threshold_is_a_setting(sqlite_url: str, shared_data: Path, tmp_path: Path) -> None:
    engine = db.engine(sqlite_url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    cut = tmp_path / "consolidated.xml"
    _cut_un(shared_data / "un/2026-05-08/consolidated.xml", cut, 449)
    parsed = lists.sources.parse(cut)
    result = importer.write_list(engine, parsed, [cut], max_removed_share=0.9)
    assert result.active


def test_older_undated_ofac_csv_set_does_not_replace_the_newer(db_url: str, shared_data: Path) -> None:
    engine = db.engine(db_url)
    newer = lists.import_path(engine, shared_data / "ofac/sdn_csv_set_2021-07", "ofac")
    older = lists.import_path(engine, shared_data / "ofac/sdn_csv_set_2021-04", "ofac")
    assert newer.active and newer.published == "2021-07"
    assert older.published == "2021-04" and not older.active
    assert "older publication" in older.held_back
    assert _active(engine, "ofac-sdn") == [newer.version_id]
    stored = {v.id: v for v in queries.versions(engine, "ofac-sdn")}
    assert stored[older.version_id].published_inferred


def test_published_option_beats_the_folder_name(sqlite_url: str, shared_data: Path, tmp_path: Path) -> None:
    engine = db.engine(sqlite_url)
    copy = tmp_path / "no_date_here"
    shutil.copytree(shared_data / "ofac/sdn_csv_set_2021-04", copy)
    assert lists.folder_date(copy) == ""
    result = lists.import_path(engine, copy, "ofac", published_hint="2021-04-20")
    assert result.published == "2021-04-20"


def _tiny_list(source: str, ids: range, barrier: threading.Barrier | None = None) -> ParsedList:
    def stream() -> Iterator[Entity]:
        for n in ids:
            if barrier is not None and n == ids.start + 5:
                barrier.wait(timeout=20)  # both imports are now mid-transaction
            name = make_name(f"Person {n}")
            assert name is not None
            yield Entity(id=f"{source}:{n}", source=source, schema="Person", names=[name])

    return ParsedList(ListMeta(source=source, format="test"), stream())


def test_the_store_refuses_two_active_versions_of_one_list(db_url: str, tmp_path: Path) -> None:
    engine = db.engine(db_url)
    for i in range(2):
        (tmp_path / f"f{i}").write_text(str(i))
        importer.write_list(engine, _tiny_list("x", range(10)), [tmp_path / f"f{i}"], activate=False)
    ids = [v.id for v in queries.versions(engine, "x")]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(update(list_versions).where(list_versions.c.id.in_(ids)).values(active=True))
    assert _active(engine, "x") == []


def test_concurrent_imports_of_one_list_leave_one_active_version(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    engine = db.engine(postgres_schema_url)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        path = tmp_path / f"file{i}"
        path.write_text(f"file {i}")
        try:
            importer.write_list(engine, _tiny_list("x", range(i * 1000, i * 1000 + 20), barrier), [path])
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # both were written; the second decision saw the first's committed version
    assert len(queries.versions(engine, "x")) + len(errors) == 2
    assert len(_active(engine, "x")) == 1
    with engine.connect() as conn:
        rows = conn.execute(select(list_versions.c.active).where(list_versions.c.source == "x")).all()
    assert sum(bool(r.active) for r in rows) == 1


def test_a_cut_uk_conlist_csv_is_held_back(db_url: str, shared_data: Path, tmp_path: Path) -> None:
    import csv

    import openpyxl

    source = shared_data / "uk/ofsi_conlist_2025-04-14/ConList.xlsx"
    engine = db.engine(db_url)
    full = lists.import_path(engine, source, "uk")
    book = openpyxl.load_workbook(source, read_only=True)
    cut = tmp_path / "ConList.csv"
    with open(cut, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for _, row in zip(range(1766), book.worksheets[0].iter_rows(values_only=True), strict=False):
            writer.writerow(["" if v is None else v for v in row])
    book.close()
    result = lists.import_path(engine, cut, "uk")
    assert result.source == "uk" and result.record_count < full.record_count
    assert not result.active and "removes" in result.held_back
    assert _active(engine, "uk") == [full.version_id]
