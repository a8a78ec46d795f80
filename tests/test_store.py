"""The store: versions, atomic imports, diffs and cross-list lookups, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from corridor.model import Entity
from corridor.services import lists
from corridor.sources.base import ListMeta, ParsedList, ParseError
from corridor.store import db, importer, queries
from corridor.store.schema import entities, import_events, list_versions


def _count_un_records(path: Path) -> int:
    raw = path.read_bytes()
    return len(re.findall(rb"<INDIVIDUAL>", raw)) + len(re.findall(rb"<ENTITY>", raw))


def _snapshot(engine: Engine) -> tuple[list[tuple[int, bool, int]], int]:
    with engine.connect() as conn:
        versions = [
            (r.id, bool(r.active), r.record_count)
            for r in conn.execute(select(list_versions).order_by(list_versions.c.id))
        ]
        count = conn.execute(select(func.count()).select_from(entities)).scalar_one()
    return versions, count


@pytest.fixture
def un_files(shared_data: Path) -> dict[str, Path]:
    return {d.name: d / "consolidated.xml" for d in sorted((shared_data / "un").iterdir())}


def test_versions_are_kept_and_newest_import_is_active(db_url: str, un_files: dict[str, Path]) -> None:
    engine = db.engine(db_url)
    first = lists.import_path(engine, un_files["2026-02-27"])
    second = lists.import_path(engine, un_files["2026-05-08"])
    assert first.record_count == _count_un_records(un_files["2026-02-27"])
    assert second.record_count == _count_un_records(un_files["2026-05-08"])
    assert second.published.startswith("2026-05-08")
    stored = queries.versions(engine, "un")
    assert [v.id for v in stored] == [first.version_id, second.version_id]
    assert [v.active for v in stored] == [False, True]
    again = lists.import_path(engine, un_files["2026-05-08"])
    assert again.unchanged and again.version_id == second.version_id
    assert len(queries.versions(engine, "un")) == 2


def test_diff_accounts_for_every_entity(db_url: str, un_files: dict[str, Path]) -> None:
    engine = db.engine(db_url)
    old = lists.import_path(engine, un_files["2025-04-19"])
    new = lists.import_path(engine, un_files["2026-05-08"])
    result = queries.diff(engine, "un")
    assert (result.old.id, result.new.id) == (old.version_id, new.version_id)
    assert new.record_count == old.record_count + len(result.added) - len(result.removed)
    # the 2025-09 snapback added the UN Iran list: those entities are new
    assert any(entity_id.startswith("un:IR") for entity_id, _ in result.added)
    for change in result.changed[:20]:
        assert change.fields, f"{change.entity_id} has a different digest but no changed field"
    # explicit versions by publication date give the same answer
    again = queries.diff(engine, "un", "2025-04", "2026-05")
    assert len(again.added) == len(result.added) and len(again.changed) == len(result.changed)


def test_field_changes_reports_items_added_and_removed() -> None:
    old = {"names": [{"full": "A"}, {"full": "B"}], "gender": "male"}
    new = {"names": [{"full": "B"}, {"full": "C"}], "gender": "female", "listed_on": "2020-01-01"}
    changes = {c.name: c for c in queries.field_changes(old, new)}
    assert changes["names"].added == [{"full": "C"}] and changes["names"].removed == [{"full": "A"}]
    assert (changes["gender"].old, changes["gender"].new) == ("male", "female")
    assert changes["listed_on"].new == "2020-01-01"


def test_truncated_file_leaves_store_unchanged(
    db_url: str, un_files: dict[str, Path], tmp_path: Path
) -> None:
    engine = db.engine(db_url)
    lists.import_path(engine, un_files["2026-02-27"])
    before = _snapshot(engine)
    raw = un_files["2026-05-08"].read_bytes()
    broken = tmp_path / "consolidated.xml"
    broken.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ParseError) as info:
        lists.import_path(engine, broken)
    assert str(broken) in str(info.value) and "line" in str(info.value)
    assert _snapshot(engine) == before
    with engine.connect() as conn:
        outcome = conn.execute(select(import_events.c.outcome).order_by(import_events.c.id.desc())).first()
    assert outcome is not None and outcome.outcome == "failed"


@pytest.mark.parametrize(
    "payload",
    [
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&b;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&x;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
    ],
    ids=["entity-bomb", "external-entity"],
)
def test_hostile_xml_is_refused_and_store_unchanged(
    db_url: str, un_files: dict[str, Path], tmp_path: Path, payload: bytes
) -> None:
    engine = db.engine(db_url)
    lists.import_path(engine, un_files["2026-02-27"])
    before = _snapshot(engine)
    path = tmp_path / "consolidated.xml"
    path.write_bytes(payload)
    with pytest.raises(ParseError, match="DTD"):
        lists.import_path(engine, path, "un")
    assert _snapshot(engine) == before


def test_interrupt_mid_import_rolls_back(
    db_url: str, un_files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = db.engine(db_url)
    lists.import_path(engine, un_files["2026-02-27"])
    before = _snapshot(engine)
    real_parse = lists.sources.parse

    def interrupted_parse(path: Path, hint: str | None = None) -> ParsedList:
        parsed = real_parse(path, hint)

        def stream() -> Iterator[Entity]:
            for i, entity in enumerate(parsed.entities):
                if i == 500:  # after several batches were written
                    raise KeyboardInterrupt
                yield entity

        return ParsedList(parsed.meta, stream())

    monkeypatch.setattr(lists.sources, "parse", interrupted_parse)
    monkeypatch.setattr(importer, "BATCH_SIZE", 100)
    with pytest.raises(KeyboardInterrupt):
        lists.import_path(engine, un_files["2026-05-08"])
    assert _snapshot(engine) == before
    assert [v.active for v in queries.versions(engine, "un")] == [True]


def test_declared_count_mismatch_is_an_error(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = db.engine(sqlite_url)
    path = tmp_path / "fake.xml"
    path.write_text("<x/>")

    def fake_parse(p: Path, hint: str | None = None) -> ParsedList:
        meta = ListMeta(source="fake", format="fake", declared_count=3)
        from corridor.model import make_name

        name = make_name("Somebody")
        assert name is not None
        return ParsedList(meta, iter([Entity(id="fake:1", source="fake", schema="Person", names=[name])]))

    monkeypatch.setattr(lists.sources, "parse", fake_parse)
    with pytest.raises(ParseError, match="declares 3 records but holds 1"):
        lists.import_path(engine, path)
    assert queries.versions(engine) == []


def test_entity_lookup_finds_records_citing_the_same_un_reference(db_url: str, shared_data: Path) -> None:
    pytest.importorskip("corridor.sources.uk_conlist")
    engine = db.engine(db_url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    lists.import_path(engine, shared_data / "uk/ofsi_conlist_2025-04-14/ConList.xlsx")
    record = queries.get_entity(engine, "un:KPe.018")
    assert record.entity.list_ref == "KPe.018"
    related_sources = {version.source for _, version in record.related}
    assert "uk" in related_sources
    uk_entity = next(e for e, v in record.related if v.source == "uk")
    assert "KPe.018" in uk_entity.un_refs
    # and the other way round: the UK record leads back to the UN one
    back = queries.get_entity(engine, uk_entity.id)
    assert any(e.id == "un:KPe.018" for e, _ in back.related)
    # a bare list reference resolves too
    assert queries.get_entity(engine, "KPe.018").entity.id == "un:KPe.018"
    with pytest.raises(queries.StoreError):
        queries.get_entity(engine, "un:KPx.999")


def test_status_counts_dprk_designations(sqlite_url: str, shared_data: Path) -> None:
    engine = db.engine(sqlite_url)
    lists.import_path(engine, shared_data / "un/2026-05-08/consolidated.xml")
    (un,) = queries.status(engine)
    raw = (shared_data / "un/2026-05-08/consolidated.xml").read_bytes()
    assert un.regimes["DPRK"] == raw.count(b"<UN_LIST_TYPE>DPRK</UN_LIST_TYPE>")
    assert sum(un.schemata.values()) == un.version.record_count


def _utf16_sdn(tmp_path: Path, shared_data: Path) -> Path:
    rows = (shared_data / "ofac/sdn_csv_only_2024-05-03/sdn.csv").read_bytes().split(b"\r\n")[:50]
    path = tmp_path / "sdn.csv"
    path.write_bytes(b"\r\n".join(rows).decode("latin-1").encode("utf-16"))
    return path


def _conlist_without_group_id(tmp_path: Path, shared_data: Path) -> Path:
    import openpyxl

    source = openpyxl.load_workbook(shared_data / "uk/ofsi_conlist_2025-04-14/ConList.xlsx", read_only=True)
    rows = [list(r) for _, r in zip(range(40), source.active.iter_rows(values_only=True), strict=False)]
    drop = rows[1].index("Group ID")
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([v for i, v in enumerate(row) if i != drop])
    path = tmp_path / "ConList.xlsx"
    book.save(path)
    return path


def _wrong_format(tmp_path: Path, shared_data: Path) -> Path:
    path = tmp_path / "consolidated.xml"
    path.write_bytes((shared_data / "hs/sections.csv").read_bytes())
    return path


@pytest.mark.parametrize(
    ("make_bad", "hint", "expected"),
    [
        (_utf16_sdn, "ofac", "line"),
        (_conlist_without_group_id, "uk", "Group ID"),
        (_wrong_format, None, "unrecognised"),
    ],
    ids=["csv-wrong-encoding", "spreadsheet-missing-column", "wrong-format"],
)
def test_bad_input_names_the_place_and_changes_nothing(
    db_url: str, shared_data: Path, tmp_path: Path, make_bad: object, hint: str | None, expected: str
) -> None:
    engine = db.engine(db_url)
    lists.import_path(engine, shared_data / "un/2026-02-27/consolidated.xml")
    before = _snapshot(engine)
    bad = make_bad(tmp_path, shared_data)  # type: ignore[operator]
    with pytest.raises(ParseError) as info:
        lists.import_path(engine, bad, hint)
    assert str(bad.name) in str(info.value) and expected in str(info.value)
    assert _snapshot(engine) == before


def test_an_older_publication_is_stored_but_never_replaces_the_active_one(
    db_url: str, un_files: dict[str, Path]
) -> None:
    engine = db.engine(db_url)
    newer = lists.import_path(engine, un_files["2026-05-08"])
    older = lists.import_path(engine, un_files["2025-04-19"])
    assert newer.active and not older.active
    assert [v.published[:10] for v in queries.versions(engine, "un") if v.active] == ["2026-05-08"]
    # the default diff still compares the active list with the publication before it
    result = queries.diff(engine, "un")
    assert (result.old.id, result.new.id) == (older.version_id, newer.version_id)
    # an analyst can still switch to it on purpose
    forced = lists.import_path(engine, un_files["2026-02-27"], activate=True)
    assert forced.active
    assert [v.published[:10] for v in queries.versions(engine, "un") if v.active] == ["2026-02-27"]
