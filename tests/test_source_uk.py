"""UK parsers: the OFSI ConList (xlsx and csv) and the FCDO UK Sanctions List
(summary .ods and the full XML layout)."""

from __future__ import annotations

import csv
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from corridor.model import DateSpec, Entity, NameKind
from corridor.sources import uk_conlist, uk_fcdo
from corridor.sources.base import ListMeta, ParseError, read_head

FIXTURES = Path(__file__).parent / "fixtures" / "uk"
CONLIST_2025 = "uk/ofsi_conlist_2025-04-14/ConList.xlsx"
CONLIST_2023 = "uk/ofsi_conlist_2023-06-05/ConList.xlsx"
ODS = "uk/fcdo_uk_sanctions_list_summary_2025-08-11/UK_Sanctions_List_summary.ods"

HANGUL_OFFICERS = {
    # Group ID: (primary Latin name, Hangul name) as the 2025 ConList gives them.
    "16815": ("RI CHANG HO", "리창호"),
    "16816": ("KIM YONG BOK", "김영복"),
    "16817": ("SIN KUM CHOL", "신금철"),
    "16818": ("NO KWANG CHOL", "노광철"),
    "16820": ("RI SONG JIN", "리송진"),
}


def _sheet_facts(path: Path) -> tuple[set[str], Counter[str], dict[str, str]]:
    """Independently of the parser: distinct Group IDs, groups per regime and
    the Hangul names by group, read straight from the workbook."""
    workbook = openpyxl.load_workbook(path, read_only=True)
    rows = workbook.worksheets[0].iter_rows(values_only=True)
    next(rows)
    header = list(next(rows))
    gid, regime, script = (
        header.index("Group ID"),
        header.index("Regime"),
        header.index("Name Non-Latin Script"),
    )
    groups: set[str] = set()
    regimes: dict[str, set[str]] = {}
    hangul: dict[str, str] = {}
    for row in rows:
        groups.add(str(row[gid]))
        regimes.setdefault(str(row[regime]), set()).add(str(row[gid]))
        text = row[script] or ""
        if any("\uac00" <= ch <= "\ud7a3" for ch in text):
            hangul[str(row[gid])] = text
    workbook.close()
    return groups, Counter({k: len(v) for k, v in regimes.items()}), hangul


@pytest.fixture(scope="module")
def sheet_2025(shared_data: Path) -> tuple[set[str], Counter[str], dict[str, str]]:
    return _sheet_facts(shared_data / CONLIST_2025)


@pytest.fixture(scope="module")
def conlist_2025(shared_data: Path) -> tuple[ListMeta, dict[str, Entity]]:
    parsed = uk_conlist.parse(shared_data / CONLIST_2025)
    entities = {e.id: e for e in parsed.entities}
    return parsed.meta, entities


# --- OFSI ConList ---------------------------------------------------------------------------


def test_conlist_2025_counts(
    sheet_2025: tuple[set[str], Counter[str], dict[str, str]],
    conlist_2025: tuple[ListMeta, dict[str, Entity]],
) -> None:
    meta, entities = conlist_2025
    groups, regimes, _ = sheet_2025
    assert len(groups) == 4688
    assert set(entities) == {f"uk:{g}" for g in groups}
    assert meta.source == "uk" and meta.format == "uk-conlist"
    assert meta.published == "2025-04-14"
    assert meta.extra["rows"] == 18798
    by_program = Counter(p for e in entities.values() for p in e.programs)
    assert by_program == regimes
    assert by_program["Democratic People's Republic of Korea"] == 239


def test_conlist_hangul_officers(
    sheet_2025: tuple[set[str], Counter[str], dict[str, str]],
    conlist_2025: tuple[ListMeta, dict[str, Entity]],
) -> None:
    _, entities = conlist_2025
    _, _, hangul = sheet_2025
    assert hangul == {gid: names[1] for gid, names in HANGUL_OFFICERS.items()}
    for gid, (latin, korean) in HANGUL_OFFICERS.items():
        officer = entities[f"uk:{gid}"]
        assert officer.schema == "Person"
        assert officer.programs == ["Russia"]
        assert officer.nationalities == ["kp"]
        assert officer.caption == latin
        hangul_names = [n for n in officer.names if n.script == "Hangul"]
        assert [(n.full, n.kind, n.lang) for n in hangul_names] == [(korean, NameKind.PRIMARY, "ko")]
        assert officer.list_ref.startswith("RUS")
        assert officer.listed_on == "2025-02-24"


def test_conlist_cites_un_ref(conlist_2025: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = conlist_2025
    academy = [e for e in entities.values() if e.list_ref == "DPR0189"]
    assert len(academy) == 1
    entity = academy[0]
    assert entity.id == "uk:12871"
    assert entity.un_refs == ["KPe.018"]
    assert "2ND ACADEMY OF NATURAL SCIENCES" in {n.full for n in entity.names}
    assert entity.schema == "Organization"
    assert entity.addresses[0].country == "kp"
    assert entity.listed_on == "2013-03-07"  # "UK Sanctions List Date Designated" 07/03/2013


def test_conlist_ship_and_person_details(conlist_2025: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = conlist_2025
    ship = entities["uk:13651"]  # SAM JONG 2 (DPR0100)
    assert ship.schema == "Vessel"
    assert ("imo", "7408873") in {(i.type, i.value) for i in ship.identifiers}
    assert ship.properties["flag"] == ["kp"] and ship.properties["pastFlags"] == ["ru"]
    assert ship.properties["buildDate"] == ["1975"]
    hakim = entities["uk:13190"]  # three "00/00/198x" birth years, Arabic original name
    assert set(hakim.birth_dates) == {DateSpec("1984"), DateSpec("1985"), DateSpec("1986")}
    assert hakim.un_refs == ["YEi.002"] and hakim.gender == "male"
    assert any(n.script == "Arabic" for n in hakim.names)
    ushko = entities["uk:16819"]
    assert ("passport", "550403152", "ru") in {(i.type, i.value, i.country) for i in ushko.identifiers}
    assert ushko.birth_dates == [DateSpec("1991-01-15")]


def test_conlist_one_primary_name_each(conlist_2025: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = conlist_2025
    assert all(e.names and e.names[0].kind is NameKind.PRIMARY for e in entities.values())


@pytest.mark.slow
def test_conlist_2023_counts(shared_data: Path) -> None:
    path = shared_data / CONLIST_2023
    groups, regimes, hangul = _sheet_facts(path)
    parsed = uk_conlist.parse(path)
    entities = list(parsed.entities)
    assert len(entities) == len(groups) == 3993
    assert parsed.meta.published == "2023-06-05"
    assert (
        Counter(p for e in entities for p in e.programs)["Democratic People's Republic of Korea"]
        == regimes["Democratic People's Republic of Korea"]
        == 236
    )
    assert hangul == {}


def _conlist_csv_excerpt(xlsx: Path, out: Path, groups: set[str]) -> None:
    """The ConList.csv layout, written from the real spreadsheet's rows of a few groups
    (the shared data holds no official CSV, and list data is never copied into the repo)."""
    workbook = openpyxl.load_workbook(xlsx, read_only=True)
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for number, row in enumerate(workbook.active.iter_rows(values_only=True)):
            values = ["" if value is None else str(value) for value in row]
            if number < 2 or values[-1] in groups:
                writer.writerow(values)
    workbook.close()


def test_conlist_csv_matches_xlsx(
    conlist_2025: tuple[ListMeta, dict[str, Entity]], shared_data: Path, tmp_path: Path
) -> None:
    _, from_xlsx = conlist_2025
    path = tmp_path / "ConList.csv"
    _conlist_csv_excerpt(shared_data / CONLIST_2025, path, {"12871", "13656", "16818"})
    assert uk_conlist.sniff(path, read_head(path))
    parsed = uk_conlist.parse(path)
    from_csv = list(parsed.entities)
    assert parsed.meta.published == "2025-04-14"
    assert sorted(e.id for e in from_csv) == ["uk:12871", "uk:13656", "uk:16818"]
    for entity in from_csv:
        assert entity.to_dict() == from_xlsx[entity.id].to_dict()


def test_conlist_sniff(shared_data: Path) -> None:
    path = shared_data / CONLIST_2025
    assert uk_conlist.sniff(path, read_head(path))
    ods = shared_data / ODS
    assert not uk_conlist.sniff(ods, read_head(ods))


def _write_sheet(path: Path, header: list[str], row: list[str]) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Last Updated", "14/04/2025"])
    sheet.append(header)
    sheet.append(row)
    workbook.save(path)


def test_conlist_missing_column(tmp_path: Path) -> None:
    header = ["Name 6", "Name 1", "Group Type", "Alias Type", "Regime", "Listed On"]
    path = tmp_path / "ConList.xlsx"
    _write_sheet(path, header, ["DOE", "John", "Individual", "Primary name", "Russia", "01/01/2024"])
    with pytest.raises(ParseError) as info:
        uk_conlist.parse(path)
    assert info.value.path == str(path)
    assert info.value.where == "row 2"
    assert "'Group ID'" in info.value.message


def test_conlist_bad_group_type(tmp_path: Path) -> None:
    header = ["Name 6", "Name 1", "Group Type", "Alias Type", "Regime", "Group ID"]
    path = tmp_path / "ConList.xlsx"
    _write_sheet(path, header, ["DOE", "John", "Aircraft", "Primary name", "Russia", "1"])
    with pytest.raises(ParseError) as info:
        list(uk_conlist.parse(path).entities)
    assert info.value.where == "row 3: Group Type"


def test_split_other_information() -> None:
    text = (
        "(UK Sanctions List Ref):DPR0230. (UN Ref):KPi.067. (Gender):Male "
        "(Phone number):(1) +7 495 1 (2) +7 495 2 (Business Reg No):Russian TIN: 7718763393"
    )
    labelled, free = uk_conlist.split_other_information(text)
    assert labelled["UK Sanctions List Ref"] == ["DPR0230"]
    assert labelled["UN Ref"] == ["KPi.067"]
    assert uk_conlist.split_numbered(labelled["Phone number"][0]) == ["+7 495 1", "+7 495 2"]
    assert free == []
    assert uk_conlist.country_code("Congo (Democratic Republic)") == "cd"
    assert uk_conlist.country_code("Former USSR Currently Ukraine") == "ua"


# --- FCDO UK Sanctions List -------------------------------------------------------------------


def _ods_rows(path: Path) -> list[list[str]]:
    """All non-empty rows of the summary, from a full (non-streaming) parse."""
    table = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
    with zipfile.ZipFile(path) as archive:
        root = etree.fromstring(archive.read("content.xml"))
    rows = []
    for row in root.iter(f"{{{table}}}table-row"):
        cells = ["".join(c.itertext()).strip() for c in row.iter(f"{{{table}}}table-cell")][:8]
        if any(cells):
            rows.append(cells)
    return rows


def test_fcdo_summary_ods(shared_data: Path) -> None:
    path = shared_data / ODS
    assert uk_fcdo.sniff(path, read_head(path))
    rows = _ods_rows(path)
    header, data = rows[0], rows[1:]
    assert header[0] == "Unique ID" and len(data) == 5302
    parsed = uk_fcdo.parse(path)
    entities = {e.id: e for e in parsed.entities}
    assert set(entities) == {f"uk-fcdo:{r[0]}" for r in data}
    assert parsed.meta.source == "uk-fcdo" and parsed.meta.published == "2025-08-11"
    assert parsed.meta.published_inferred
    dprk = [e for e in entities.values() if e.programs == ["Democratic People's Republic of Korea"]]
    assert len(dprk) == sum(1 for r in data if r[3] == "Democratic People's Republic of Korea") == 261
    an = entities["uk-fcdo:DPR0001"]
    assert an.caption == "An Jong Hyuk" and an.schema == "Person"
    assert an.properties["ofsiGroupId"] == ["13590"]
    assert an.listed_on == "2020-12-31"
    assert an.properties["sanctionsImposed"] == [
        "Asset freeze",
        "Director Disqualification Sanction",
        "Travel Ban",
    ]
    assert an.un_refs == []  # the summary carries no UN references
    # Two real rows have an empty Name cell: kept as designations, reported in meta.
    unnamed = sorted(f"uk-fcdo:{r[0]}" for r in data if not r[2])
    assert sorted(f"uk-fcdo:{u}" for u in parsed.meta.extra["unnamed"]) == unnamed
    assert len(unnamed) == 2


def test_fcdo_summary_missing_column(tmp_path: Path, shared_data: Path) -> None:
    source = shared_data / ODS
    broken = tmp_path / "broken.ods"
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(broken, "w") as dst:
        for member in src.infolist():
            data = src.read(member.filename)
            if member.filename == "content.xml":
                data = data.replace(b"<text:p>Unique ID</text:p>", b"<text:p>Identifier</text:p>", 1)
            dst.writestr(member, data)
    with pytest.raises(ParseError) as info:
        uk_fcdo.parse(broken)
    assert info.value.where == "row 1" and "'Unique ID'" in info.value.message


@pytest.fixture(scope="module")
def fcdo_xml() -> tuple[ListMeta, dict[str, Entity]]:
    parsed = uk_fcdo.parse(FIXTURES / "uk_sanctions_list_sample.xml")
    return parsed.meta, {e.list_ref: e for e in parsed.entities}


def test_fcdo_xml_sample(fcdo_xml: tuple[ListMeta, dict[str, Entity]]) -> None:
    meta, entities = fcdo_xml
    path = FIXTURES / "uk_sanctions_list_sample.xml"
    assert uk_fcdo.sniff(path, read_head(path))
    assert meta.published == "2025-04-14" and not meta.published_inferred
    assert sorted(entities) == ["DPR0100", "DPR0189", "RUS2455", "RUS2457", "YEM0002"]
    officer = entities["RUS2455"]
    assert officer.id == "uk-fcdo:RUS2455" and officer.schema == "Person"
    assert [(n.full, n.script, n.lang) for n in officer.names if n.script == "Hangul"] == [
        ("노광철", "Hangul", "ko")
    ]
    assert officer.programs == ["Russia"] and officer.nationalities == ["kp"]
    assert officer.properties["regulation"] == ["The Russia (Sanctions) (EU Exit) Regulations 2019"]
    assert "Trust Services Sanctions" in officer.properties["sanctionsImposed"]


def test_fcdo_xml_ship_and_entity(fcdo_xml: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = fcdo_xml
    ship = entities["DPR0100"]
    assert ship.schema == "Vessel"
    assert [(i.type, i.value) for i in ship.identifiers] == [("imo", "7408873")]
    assert ship.properties["flag"] == ["kp"] and ship.properties["type"] == ["Oil tanker"]
    assert {n.full: n.kind for n in ship.names}["YU_JONG_3"] is NameKind.WEAK_ALIAS
    assert ship.programs == ["Democratic People's Republic of Korea"]
    academy = entities["DPR0189"]
    assert academy.un_refs == ["KPe.018"] and academy.addresses[0].city == "Pyongyang"
    assert academy.linked_to == ["Tangun Trading Corporation"]
    hakim = entities["YEM0002"]
    assert hakim.birth_dates == [DateSpec("1984"), DateSpec("1985"), DateSpec("1986")]  # "dd/mm/1984"...
    assert hakim.birth_places == ["Dahyan, Yemen"]


def test_fcdo_xml_errors(tmp_path: Path) -> None:
    text = (FIXTURES / "uk_sanctions_list_sample.xml").read_text(encoding="utf-8")
    no_id = tmp_path / "no_id.xml"
    no_id.write_text(text.replace("<UniqueID>DPR0189</UniqueID>", ""), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(uk_fcdo.parse(no_id).entities)
    assert "no UniqueID" in info.value.message and info.value.where.startswith("line ")
    truncated = tmp_path / "truncated.xml"
    truncated.write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(uk_fcdo.parse(truncated).entities)
    assert info.value.where.startswith("line ")
    bad_type = tmp_path / "bad_type.xml"
    bad_type.write_text(
        text.replace("<IndividualEntityShip>Ship<", "<IndividualEntityShip>Boat<"), encoding="utf-8"
    )
    with pytest.raises(ParseError) as info:
        list(uk_fcdo.parse(bad_type).entities)
    assert "IndividualEntityShip" in info.value.where and "Boat" in info.value.message


def test_regime_short_name() -> None:
    assert uk_fcdo.regime_short_name("The Russia (Sanctions) (EU Exit) Regulations 2019") == "Russia"
    assert (
        uk_fcdo.regime_short_name(
            "The Democratic People's Republic of Korea (Sanctions) (EU Exit) Regulations 2019"
        )
        == "Democratic People's Republic of Korea"
    )
    assert uk_fcdo.regime_short_name("Russia") == "Russia"
