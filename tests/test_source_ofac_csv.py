"""OFAC legacy CSV sets on the real shared files, plus bad input."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from tests.helpers import ParsedByRef, by_list_ref

from corridor.model import NameKind
from corridor.sources.base import ParseError
from corridor.sources.ofac_csv import entity_schema, parse, parse_programs, read_rows, sniff

SETS = {
    # directory under ofac/ -> row count stated in SOURCES.md
    "sdn_csv_set_2021-04": 8890,
    "sdn_csv_set_2021-07": 8976,
    "sdn_csv_only_2023-11-07": 13338,
    "sdn_csv_only_2024-05-03": 14965,
    "nonsdn_cons_csv_set_2025-12": 442,
}
ParsedSet = ParsedByRef


def _load(path: Path) -> ParsedSet:
    return by_list_ref(parse(path))


@pytest.fixture(scope="module")
def ofac_dir(shared_data: Path) -> Path:
    return shared_data / "ofac"


@pytest.fixture(scope="module")
def parsed(ofac_dir: Path) -> dict[str, ParsedSet]:
    """Each real set parsed once for the whole module (the 2024 one from its sdn.csv path)."""
    out = {name: _load(ofac_dir / name) for name in SETS if name != "sdn_csv_only_2024-05-03"}
    out["sdn_csv_only_2024-05-03"] = _load(ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv")
    return out


def _records(path: Path) -> list[list[str]]:
    """The file's records read independently: lines starting with a digit (the official
    files have no line breaks inside fields: one CRLF per record)."""
    with open(path, encoding="ascii", newline="") as handle:
        return list(csv.reader(line for line in handle if line[:1].isdigit()))


def _main_file(directory: Path) -> Path:
    return directory / "sdn.csv" if (directory / "sdn.csv").exists() else directory / "cons_prim.csv"


@pytest.mark.parametrize("name", list(SETS))
def test_row_counts_match_the_files(parsed: dict[str, ParsedSet], ofac_dir: Path, name: str) -> None:
    meta, entities = parsed[name]
    raw = _main_file(ofac_dir / name).read_bytes()
    lines = [line for line in raw.split(b"\r\n") if line[:1].isdigit()]
    assert len(lines) == SETS[name]
    assert len(entities) == SETS[name] == meta.extra["rows"]
    assert meta.format == "ofac-csv"
    assert meta.source == ("ofac-cons" if name.startswith("nonsdn") else "ofac-sdn")
    assert meta.published == "" and meta.declared_count is None  # the CSV files carry neither


def test_meta_files_lists_every_file_read(parsed: dict[str, ParsedSet], ofac_dir: Path) -> None:
    names = {n: sorted(Path(f).name for f in parsed[n][0].files) for n in SETS}
    assert names["sdn_csv_set_2021-04"] == ["add.csv", "alt.csv", "sdn.csv"]
    assert names["sdn_csv_set_2021-07"] == ["add.csv", "alt.csv", "sdn.csv", "sdn_comments.csv"]
    assert names["sdn_csv_only_2024-05-03"] == ["sdn.csv"]
    assert names["nonsdn_cons_csv_set_2025-12"] == [
        "cons_add.csv",
        "cons_alt.csv",
        "cons_comments.csv",
        "cons_prim.csv",
    ]


def test_komid_alias_from_remarks_in_the_2024_snapshot(parsed: dict[str, ParsedSet]) -> None:
    komid = parsed["sdn_csv_only_2024-05-03"][1]["9345"]
    assert komid.id == "ofac:9345" and komid.schema == "Company"
    assert komid.caption == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.programs == ["NPWMD", "DPRK2"]
    assert [(n.full, n.kind) for n in komid.names[1:]] == [("KOMID", NameKind.WEAK_ALIAS)]


@pytest.mark.parametrize("name", ["sdn_csv_set_2021-04", "sdn_csv_set_2021-07"])
def test_komid_aliases_and_addresses_from_alt_and_add(
    parsed: dict[str, ParsedSet], ofac_dir: Path, name: str
) -> None:
    komid = parsed[name][1]["9345"]
    alt_names = {r[3] for r in _records(ofac_dir / name / "alt.csv") if r[0] == "9345"}
    assert len(alt_names) == 6  # alt.csv holds the strong aliases; KOMID is not among them
    assert {n.full for n in komid.names if n.kind is NameKind.ALIAS} == alt_names
    assert [n.full for n in komid.names if n.kind is NameKind.WEAK_ALIAS] == ["KOMID"]
    assert {(a.city, a.country) for a in komid.addresses} == {
        ("Pyongyang", "kp"),
        ("Beijing", "cn"),
        ("Moscow", "ru"),
        ("Tehran", "ir"),
        ("Damascus", "sy"),
    }


def test_llc_alis_2024(parsed: dict[str, ParsedSet]) -> None:
    alis = parsed["sdn_csv_only_2024-05-03"][1]["48260"]
    assert alis.schema == "Company" and alis.programs == ["DPRK2"]
    assert alis.caption == "LIMITED LIABILITY COMPANY ALIS"
    assert {(i.type, i.value, i.country) for i in alis.identifiers} == {
        ("tax_id", "2543103179", "ru"),
        ("registration", "1162536087230", "ru"),
    }
    assert alis.properties["incorporationDate"] == ["2016-09-30"]
    assert alis.linked_to == ["CHINYONG INFORMATION TECHNOLOGY COOPERATION COMPANY"]
    assert {n.full for n in alis.names if n.kind is NameKind.WEAK_ALIAS} == {"ALIAS LLC", "ALIS LLC"}
    # No add.csv in this snapshot and the remarks name no city: no address is invented.
    assert alis.addresses == []


def test_far_eastern_bank_swift(parsed: dict[str, ParsedSet]) -> None:
    bank = parsed["sdn_csv_only_2024-05-03"][1]["37517"]
    assert ("swift", "FAEBRU8V") in {(i.type, i.value) for i in bank.identifiers}
    assert bank.programs == ["DPRK3"]


def test_dprk_vessel_imo_flag_and_type(parsed: dict[str, ParsedSet]) -> None:
    vessel = parsed["sdn_csv_only_2024-05-03"][1]["17069"]
    assert vessel.schema == "Vessel" and vessel.caption == "CHONG CHON GANG"
    assert ("imo", "7937317") in {(i.type, i.value) for i in vessel.identifiers}
    assert vessel.properties["flag"] == ["kp"]  # "Democratic People's Republic of Korea" in Vess_flag
    assert vessel.properties["type"] == ["General Cargo"]


def test_vessel_columns(parsed: dict[str, ParsedSet], ofac_dir: Path) -> None:
    entities = parsed["sdn_csv_only_2024-05-03"][1]
    rows = [r for r in _records(ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv") if r[2] == "vessel"]
    assert len(rows) == sum(1 for e in entities.values() if e.schema == "Vessel") == 851
    with_call_sign = [r for r in rows if r[5].strip() != "-0-"]
    for row in with_call_sign:
        vessel = entities[row[0]]
        assert vessel.properties["callSign"] == [row[5].strip()]
        assert ("call_sign", row[5].strip()) in {(i.type, i.value) for i in vessel.identifiers}
    artavil = entities["15036"]
    assert artavil.properties["grossRegisteredTonnage"] == ["56,068"]
    assert artavil.properties["tonnage"] == ["99,144"]
    assert artavil.properties["flag"] == ["ir"]


def test_schemas(parsed: dict[str, ParsedSet], ofac_dir: Path) -> None:
    entities = parsed["sdn_csv_only_2024-05-03"][1]
    rows = _records(ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv")
    individuals = sum(1 for r in rows if r[2] == "individual")
    aircraft = sum(1 for r in rows if r[2] == "aircraft")
    schemas = [e.schema for e in entities.values()]
    assert schemas.count("Person") == individuals == 6854
    assert schemas.count("Aircraft") == aircraft == 376
    blank = sum(1 for r in rows if r[2].strip() == "-0-")
    assert schemas.count("Company") + schemas.count("Organization") == blank


def test_person_names_in_natural_order(parsed: dict[str, ParsedSet]) -> None:
    kozlov = parsed["sdn_csv_only_2024-05-03"][1]["37621"]
    primary = kozlov.names[0]
    assert (primary.full, primary.given, primary.family) == (
        "Sergey Mikhaylovich KOZLOV",
        "Sergey Mikhaylovich",
        "KOZLOV",
    )
    assert kozlov.nationalities == ["ru"] and kozlov.gender == "male"
    assert [(d.start) for d in kozlov.birth_dates] == ["1960-05-31"]


def test_comments_overflow_joined_verbatim(parsed: dict[str, ParsedSet], ofac_dir: Path) -> None:
    meta, entities = parsed["sdn_csv_set_2021-07"]
    sdn = {r[0]: r for r in _records(ofac_dir / "sdn_csv_set_2021-07" / "sdn.csv")}
    comments = _records(ofac_dir / "sdn_csv_set_2021-07" / "sdn_comments.csv")
    assert len(comments) == 5 == meta.extra["comments_attached"]
    for ent_num, overflow in comments:
        assert len(sdn[ent_num][11]) == 1000  # the overflow continues a remark cut at 1000
        assert entities[ent_num].properties["remarks"] == [(sdn[ent_num][11] + overflow).strip()]
    # 28263: the cut fell inside an alias ("...a.k.a. 'snowsjo" + "hn'; Linked To: LAZARUS GROUP.")
    tian = entities["28263"]
    assert "snowsjohn" in {n.full for n in tian.names}
    assert tian.linked_to == ["LAZARUS GROUP"]
    assert meta.extra["remarks_truncated"] == []


def test_comments_overflow_after_a_space(parsed: dict[str, ParsedSet]) -> None:
    # cons 17250: the remark ends "Registration Number 1027700070518 " and the overflow begins
    # "(Russia)": joining must keep that space and not strip the remark first.
    gazprom = parsed["nonsdn_cons_csv_set_2025-12"][1]["17250"]
    assert ("registration", "1027700070518", "ru") in {
        (i.type, i.value, i.country) for i in gazprom.identifiers
    }


def test_cut_remarks_without_overflow_are_flagged(parsed: dict[str, ParsedSet], ofac_dir: Path) -> None:
    meta, entities = parsed["sdn_csv_set_2021-04"]  # this set came without sdn_comments.csv
    rows = _records(ofac_dir / "sdn_csv_set_2021-04" / "sdn.csv")
    cut = sorted((r[0] for r in rows if len(r[11]) >= 1000), key=int)
    assert meta.extra["remarks_truncated"] == cut and "28263" in cut
    assert "snowsjo" not in {n.full for n in entities["28263"].names}
    assert any(note.startswith("[remarks cut at 1000 characters]") for note in entities["28263"].notes)


@pytest.mark.parametrize(
    ("name", "alt", "add"),
    [
        ("sdn_csv_set_2021-04", "alt.csv", "add.csv"),
        ("sdn_csv_set_2021-07", "alt.csv", "add.csv"),
        ("nonsdn_cons_csv_set_2025-12", "cons_alt.csv", "cons_add.csv"),
    ],
)
def test_every_alt_and_add_row_is_joined(
    parsed: dict[str, ParsedSet], ofac_dir: Path, name: str, alt: str, add: str
) -> None:
    meta, entities = parsed[name]
    main = {r[0]: r for r in _records(_main_file(ofac_dir / name))}
    alt_rows = _records(ofac_dir / name / alt)
    add_rows = _records(ofac_dir / name / add)
    assert meta.extra["orphans"] == {}
    assert meta.extra["alt_rows"] == meta.extra["alt_attached"] == len(alt_rows)
    # Documented drops: an alias spelled exactly like the primary name, or repeated for the
    # same entity and type, adds nothing.
    seen: set[tuple[str, str, str]] = set()
    dropped = 0
    for ent, _num, kind, alias, _remarks in alt_rows:
        key = (ent, kind, alias)
        if alias == main[ent][1] or key in seen:
            dropped += 1
        seen.add(key)
    strong = sum(
        1
        for e in entities.values()
        for n in e.names
        if n.kind in (NameKind.ALIAS, NameKind.FORMER) and n.note != "weak"
    )
    assert strong == len(alt_rows) - dropped
    # add rows: all-null rows carry nothing; every other row is an address.
    empty = sum(1 for r in add_rows if all(v.strip() == "-0-" for v in r[2:]))
    assert meta.extra["add_empty"] == empty
    assert (
        sum(len(e.addresses) for e in entities.values())
        == len(add_rows) - empty
        == meta.extra["add_attached"]
    )


def test_programs_split() -> None:
    assert parse_programs("NPWMD] [DPRK2") == ["NPWMD", "DPRK2"]
    assert parse_programs("SDGT] [NPWMD] [IRGC] [IFSR] [IRAN-HR] [IRAN-EO13876")[-1] == "IRAN-EO13876"
    assert parse_programs("-0- ") == []


@pytest.mark.parametrize(
    ("name", "schema"),
    [
        ("LIMITED LIABILITY COMPANY ALIS", "Company"),
        ("RK BRIZ OOO", "Company"),
        ("TRILIANCE PETROCHEMICAL CO. LTD.", "Company"),
        ("DSD, OOO", "Company"),
        ("FAR EASTERN BANK", "Organization"),
        ("HIZBALLAH", "Organization"),
        ("KOREA MINING DEVELOPMENT TRADING CORPORATION", "Company"),
    ],
)
def test_entity_schema_legal_forms(name: str, schema: str) -> None:
    assert entity_schema("-0- ", name) == schema


def test_sniff(ofac_dir: Path) -> None:
    for path in (
        ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv",
        ofac_dir / "nonsdn_cons_csv_set_2025-12" / "cons_prim.csv",
        ofac_dir / "sdn_csv_set_2021-07",
    ):
        head = path.read_bytes()[:65536] if path.is_file() else b""
        assert sniff(path, head), path
    for path in (
        ofac_dir / "sdn_csv_set_2021-07" / "alt.csv",
        ofac_dir / "sdn_csv_set_2021-07" / "add.csv",
        ofac_dir / "nonsdn_consolidated_xml_2026-01-08" / "consolidated.xml",
    ):
        assert not sniff(path, path.read_bytes()[:65536]), path


# --- bad input -------------------------------------------------------------------------


def _first_lines(path: Path, count: int) -> bytes:
    return b"".join(path.read_bytes().split(b"\r\n")[i] + b"\r\n" for i in range(count))


def test_utf16_file_is_rejected_with_file_and_line(ofac_dir: Path, tmp_path: Path) -> None:
    text = _first_lines(ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv", 5).decode("ascii")
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(text.encode("utf-16"))
    with pytest.raises(ParseError) as info:
        list(parse(bad).entities)
    assert info.value.path == str(bad) and info.value.where == "line 1"
    # Without a byte-order mark the NUL bytes give it away.
    bad.write_bytes(text.encode("utf-16-le"))
    with pytest.raises(ParseError) as info:
        list(parse(bad).entities)
    assert info.value.where == "line 1" and "NUL" in info.value.message


def test_utf16_sibling_file_is_rejected(ofac_dir: Path, tmp_path: Path) -> None:
    source = ofac_dir / "sdn_csv_set_2021-07"
    shutil.copy(source / "sdn.csv", tmp_path / "sdn.csv")
    (tmp_path / "alt.csv").write_bytes(
        _first_lines(source / "alt.csv", 3).decode("ascii").encode("utf-16-le")
    )
    with pytest.raises(ParseError) as info:
        list(parse(tmp_path).entities)
    assert info.value.path == str(tmp_path / "alt.csv") and info.value.where == "line 1"


def test_missing_column_names_the_line(ofac_dir: Path, tmp_path: Path) -> None:
    lines = (ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv").read_bytes().split(b"\r\n")[:6]
    lines[3] = lines[3].replace(b",-0- ", b"", 1)  # drop one null column from the 4th record
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(b"\r\n".join(lines) + b"\r\n\x1a")
    with pytest.raises(ParseError) as info:
        list(parse(bad).entities)
    assert info.value.where == "line 4"
    assert "expected 12 columns, found 11" in str(info.value)


def test_bad_ent_num_and_data_after_eof_byte(tmp_path: Path) -> None:
    bad = tmp_path / "cons_prim.csv"
    bad.write_bytes(
        b'9639,"HANIYA, Ismail Abdul Salah","individual","NS-PLC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1962."\r\n'
        b'X1,"A","individual","NS-PLC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    with pytest.raises(ParseError) as info:
        list(parse(bad).entities)
    assert info.value.where == "line 2" and "ent_num" in info.value.message
    bad.write_bytes(
        b'9639,"A","individual","NS-PLC",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\x1a\r\n9640,"B"\r\n'
    )
    with pytest.raises(ParseError) as info:
        list(parse(bad).entities)
    assert info.value.where == "line 3"


def test_cp1252_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(
        '1,"M\u00dcLLER, J\u00fcrgen","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'.encode(
            "cp1252"
        )
    )
    (entity,) = list(parse(path).entities)
    assert entity.caption == "J\u00fcrgen M\u00dcLLER"


def test_read_rows_joins_a_quoted_line_break(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(b'1,"a\r\nb"\r\n2,"c"\r\n')
    assert list(read_rows(path, 2)) == [(1, ["1", "a\nb"]), (3, ["2", "c"])]


def test_directory_without_a_main_file(tmp_path: Path) -> None:
    with pytest.raises(ParseError):
        parse(tmp_path)


@pytest.mark.parametrize("number", ["²6", "٣6", "6\u0663"])
def test_an_entity_number_in_other_digits_names_the_line(ofac_dir: Path, tmp_path: Path, number: str) -> None:
    """`str.isdigit` accepts superscripts and Arabic-Indic digits, which `int()`
    refuses (a ValueError, found by fuzzing) or reads as a number no list means."""
    lines = (ofac_dir / "sdn_csv_only_2024-05-03" / "sdn.csv").read_bytes().split(b"\r\n")[:6]
    first, _, rest = lines[2].partition(b",")
    assert first.isdigit()
    lines[2] = number.encode("utf-8") + b"," + rest
    bad = tmp_path / "sdn.csv"
    bad.write_bytes(b"\r\n".join(lines) + b"\r\n\x1a")
    with pytest.raises(ParseError) as info:
        list(parse(bad).entities)
    assert info.value.where == "line 3" and "ent_num" in info.value.message
