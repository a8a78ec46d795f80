"""services.lists: update composes mirror/download and import, goes on after a
failure and summarises every source; a mirror file of the wrong list is refused
before anything is written (issue 14 #3, #14; issue 8)."""

from __future__ import annotations

import shutil
from pathlib import Path

from corridor.fetch.registry import OfficialSource
from corridor.model import Name, NameKind, primary_first
from corridor.services import lists
from corridor.store import db, queries

FIXTURES = Path(__file__).parent / "fixtures"


def _src(key: str, hint: str, filename: str, min_bytes: int = 1) -> OfficialSource:
    return OfficialSource(key, hint, "http://127.0.0.1:9/never", filename, min_bytes, "test", "test")


def test_a_mirror_file_of_another_list_is_refused_and_nothing_is_imported(
    db_url: str, shared_data: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "uk").mkdir(parents=True)
    # the FCDO summary spreadsheet (list "uk-fcdo"), filed where the OFSI ConList ("uk") should be
    shutil.copy(
        shared_data / "uk/fcdo_uk_sanctions_list_summary_2025-08-11/UK_Sanctions_List_summary.ods",
        mirror / "uk/ConList.xlsx",
    )
    engine = db.engine(db_url)
    (outcome,) = lists.update(engine, tmp_path, mirror=mirror, sources=[_src("uk", "uk", "ConList.xlsx")])
    assert outcome.status == "failed"
    assert "expected list uk," in outcome.message and "holds uk-fcdo" in outcome.message
    assert queries.versions(engine) == []


def test_a_tiny_mirror_file_is_refused(sqlite_url: str, tmp_path: Path) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "un").mkdir(parents=True)
    (mirror / "un/consolidated.xml").write_bytes(b"<CONSOLIDATED_LIST/>" + b" " * 431)
    engine = db.engine(sqlite_url)
    (outcome,) = lists.update(
        engine, tmp_path, mirror=mirror, sources=[_src("un", "un", "consolidated.xml", 500_000)]
    )
    assert outcome.status == "failed" and "only 451 bytes" in outcome.message
    assert queries.versions(engine) == []


def test_update_goes_on_after_a_bad_file_and_reports_every_source(
    sqlite_url: str, shared_data: Path, tmp_path: Path
) -> None:
    mirror = tmp_path / "mirror"
    (mirror / "ftm:bad").mkdir(parents=True)
    raw = (FIXTURES / "ftm/sample_entities.jsonl").read_bytes()
    (mirror / "ftm:bad/entities.ftm.json").write_bytes(raw[:200] + b"\xff" + raw[200:])
    (mirror / "un").mkdir()
    shutil.copy(shared_data / "un/2026-05-08/consolidated.xml", mirror / "un/consolidated.xml")
    engine = db.engine(sqlite_url)
    registry = [
        _src("ftm:bad", "ftm", "entities.ftm.json"),
        _src("un", "un", "consolidated.xml"),
        _src("eu", "eu", "eu_fsf.xml"),
    ]
    outcomes = lists.update(engine, tmp_path, mirror=mirror, sources=registry)
    assert [o.status for o in outcomes] == ["failed", "imported", "missing"]
    assert "entities.ftm.json" in outcomes[0].message and "line 1" in outcomes[0].message
    assert [v.source for v in queries.versions(engine) if v.active] == ["un"]


def test_import_many_reports_each_file_and_continues(
    sqlite_url: str, shared_data: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "consolidated.xml"
    bad.write_bytes(b"<CONSOLIDATED_LIST><INDIVIDUALS>")
    engine = db.engine(sqlite_url)
    outcomes = lists.import_many(
        engine,
        [lists.ImportRequest(bad), lists.ImportRequest(shared_data / "un/2026-05-08/consolidated.xml")],
    )
    assert [o.failed for o in outcomes] == [True, False]
    assert outcomes[0].error is not None and str(bad) in str(outcomes[0].error)
    assert outcomes[1].result is not None and outcomes[1].result.active


def test_demo_requests_are_the_newest_snapshots(shared_data: Path) -> None:
    requests = lists.demo_requests(shared_data)
    by_label = {r.label.split()[0]: r for r in requests}
    assert by_label["un"].published == max(p.name for p in (shared_data / "un").iterdir())
    assert by_label["ofac-sdn"].hint == "ofac" and by_label["ofac-sdn"].path.is_dir()


def test_folder_date(tmp_path: Path) -> None:
    (tmp_path / "sdn_csv_set_2021-04").mkdir()
    assert lists.folder_date(tmp_path / "sdn_csv_set_2021-04") == "2021-04"
    assert lists.folder_date(tmp_path / "2026-05-08/consolidated.xml") == "2026-05-08"
    assert lists.folder_date(tmp_path / "ofsi/ConList.xlsx") == ""


def test_a_promoted_alias_keeps_its_patronymic_and_note() -> None:
    alias = Name(
        "Ivan Ivanovich Petrov",
        NameKind.ALIAS,
        "Latin",
        "ru",
        given="Ivan",
        family="Petrov",
        patronymic="Ivanovich",
        note="good quality",
    )
    (promoted,) = primary_first([alias])
    assert promoted.kind is NameKind.PRIMARY
    assert (promoted.patronymic, promoted.note, promoted.given, promoted.family, promoted.lang) == (
        "Ivanovich",
        "good quality",
        "Ivan",
        "Petrov",
        "ru",
    )


def test_demo_import_of_a_missing_folder_is_not_found(sqlite_url: str, tmp_path: Path) -> None:
    import pytest

    from corridor.errors import NotFoundError

    with pytest.raises(NotFoundError, match="shared data folder not found"):
        lists.demo_import(db.engine(sqlite_url), tmp_path / "nowhere")
    assert lists.demo_import(db.engine(sqlite_url), tmp_path) == []
