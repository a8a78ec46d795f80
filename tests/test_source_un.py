"""The UN consolidated list parser, on the three real files in the shared data.

Expected values were read from the XML files themselves (the records are quoted in
the comments) and the counts are recomputed from the raw bytes, independently of
the parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from corridor.model import DateSpec, Entity, NameKind
from corridor.sources import detect
from corridor.sources.base import ListMeta, ParseError
from corridor.sources.un_xml import FORMAT, parse, person_name_parts, sniff, split_names

DATES = ("2025-04-19", "2026-02-27", "2026-05-08")
# Totals documented in SOURCES.md for each file (individuals, entities).
DOCUMENTED_TOTALS = {"2025-04-19": (684, 193), "2026-02-27": (730, 273), "2026-05-08": (737, 272)}

Parsed = tuple[ListMeta, dict[str, Entity], list[Entity]]
_CACHE: dict[str, Parsed] = {}


def un_file(shared_data: Path, date: str) -> Path:
    return shared_data / "un" / date / "consolidated.xml"


@pytest.fixture
def parsed(shared_data: Path) -> Callable[[str], Parsed]:
    """Parse each file once per test session (0.5 s each)."""

    def get(date: str) -> Parsed:
        if date not in _CACHE:
            result = parse(un_file(shared_data, date))
            entities = list(result.entities)
            _CACHE[date] = (result.meta, {e.list_ref: e for e in entities}, entities)
        return _CACHE[date]

    return get


def names(entity: Entity, kind: NameKind | None = None) -> set[str]:
    return {n.full for n in entity.names if kind is None or n.kind is kind}


# --- whole files ------------------------------------------------------------------------


@pytest.mark.parametrize("date", DATES)
def test_counts_match_the_records_in_the_file(
    shared_data: Path, parsed: Callable[[str], Parsed], date: str
) -> None:
    raw = un_file(shared_data, date).read_bytes()
    individuals = len(re.findall(rb"<INDIVIDUAL>", raw))
    organisations = len(re.findall(rb"<ENTITY>", raw))
    meta, _by_ref, entities = parsed(date)
    assert (individuals, organisations) == DOCUMENTED_TOTALS[date]
    assert sum(e.schema == "Person" for e in entities) == individuals
    assert sum(e.schema != "Person" for e in entities) == organisations
    assert (meta.extra["individuals"], meta.extra["entities"]) == (individuals, organisations)
    assert meta.source == "un" and meta.format == FORMAT == "un-xml"
    assert meta.declared_count is None
    assert "unhandled_elements" not in meta.extra  # every element of the real files is mapped


@pytest.mark.parametrize("date", DATES)
def test_every_entity_has_a_name_and_a_unique_stable_id(parsed: Callable[[str], Parsed], date: str) -> None:
    _meta, by_ref, entities = parsed(date)
    assert len(by_ref) == len(entities)
    assert len({e.id for e in entities}) == len(entities)
    for entity in entities:
        assert entity.names, entity.id
        assert entity.id == f"un:{entity.list_ref}"
        assert entity.list_ref == entity.list_ref.strip()  # "KPe.051 " in the file
        assert entity.un_refs == [entity.list_ref]
        assert entity.source == "un"
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entity.listed_on), entity.id
        assert sum(n.kind is NameKind.PRIMARY and n.script == "Latin" for n in entity.names) >= 1


@pytest.mark.parametrize("date", DATES)
def test_dprk_regime_is_complete(parsed: Callable[[str], Parsed], date: str) -> None:
    """SOURCES.md: KPi.001–KPi.080 and KPe.001–KPe.075 in all three files."""
    _meta, _by_ref, entities = parsed(date)
    dprk = [e for e in entities if e.programs == ["DPRK"]]
    assert sorted(e.list_ref for e in dprk if e.schema == "Person") == [f"KPi.{i:03d}" for i in range(1, 81)]
    assert sorted(e.list_ref for e in dprk if e.schema != "Person") == [f"KPe.{i:03d}" for i in range(1, 76)]


def test_published_date_is_the_files_own(parsed: Callable[[str], Parsed]) -> None:
    assert parsed("2026-05-08")[0].published.startswith("2026-05-08")
    assert parsed("2026-05-08")[0].published == "2026-05-08T23:00:06.922Z"
    assert parsed("2025-04-19")[0].published.startswith("2025-04-19")


# --- known records (2026-05-08 file) ------------------------------------------------------


def test_komid(parsed: Callable[[str], Parsed]) -> None:
    # <ENTITY> FIRST_NAME KOREA MINING DEVELOPMENT TRADING CORPORATION, REFERENCE_NUMBER KPe.001,
    # LISTED_ON 2009-04-24, four ENTITY_ALIAS a.k.a., address Central District, Pyongyang.
    komid = parsed("2026-05-08")[1]["KPe.001"]
    assert komid.id == "un:KPe.001"
    assert komid.caption == "KOREA MINING DEVELOPMENT TRADING CORPORATION"
    assert komid.schema == "Company"  # CORPORATION is a company legal form
    assert names(komid, NameKind.ALIAS) == {
        "CHANGGWANG SINYONG CORPORATION",
        "EXTERNAL TECHNOLOGY GENERAL CORPORATION",
        "DPRKN MINING DEVELOPMENT TRADING COOPERATION",
        "KOMID",  # written '"KOMID"' in the file
    }
    assert all(n.note == "a.k.a." for n in komid.names if n.kind is NameKind.ALIAS)
    assert komid.programs == ["DPRK"]
    assert komid.listed_on == "2009-04-24"
    assert [(a.street, a.city, a.country) for a in komid.addresses] == [
        ("Central District", "Pyongyang", "kp")
    ]
    assert komid.notes and komid.notes[0].startswith("Primary arms dealer")


def test_choe_sok_min(parsed: Callable[[str], Parsed]) -> None:
    # FIRST_NAME CH'OE, SECOND_NAME SO’K MIN, KPi.064, LISTED_ON 2017-12-22, GENDER Male,
    # DOB EXACT 1978-07-25, NATIONALITY DPRK, alias Low "Choe Sok Min".
    choe = parsed("2026-05-08")[1]["KPi.064"]
    primary = choe.names[0]
    assert (primary.full, primary.kind, primary.family, primary.given) == (
        "CH'OE SO’K MIN",
        NameKind.PRIMARY,
        "CH'OE",
        "SO’K MIN",
    )
    assert [(n.full, n.kind, n.note) for n in choe.names[1:]] == [
        ("Choe Sok Min", NameKind.WEAK_ALIAS, "low quality")
    ]
    assert choe.birth_dates == [DateSpec("1978-07-25")]
    assert choe.nationalities == ["kp"]
    assert choe.listed_on == "2017-12-22"
    assert choe.gender == "male"
    assert choe.positions == ["Former overseas Foreign Trade Bank representative"]
    assert choe.properties["modifiedAt"] == ["2023-06-29"]


def test_approximate_and_range_birth_dates(parsed: Callable[[str], Parsed]) -> None:
    by_ref = parsed("2026-05-08")[1]
    # QDi.298: TYPE_OF_DATE APPROXIMATELY, YEAR 1981.
    assert by_ref["QDi.298"].birth_dates == [DateSpec("1981", approximate=True)]
    # QDi.314: TYPE_OF_DATE BETWEEN, FROM_YEAR 1977, TO_YEAR 1982.
    assert by_ref["QDi.314"].birth_dates == [DateSpec("1977", "1982")]
    # TAi.109: BETWEEN 1966 and 1967 with NOTE "Approximately".
    spec = by_ref["TAi.109"].birth_dates[0]
    assert (spec.start, spec.end, spec.approximate) == ("1966", "1967", True)


def test_original_script_names(shared_data: Path, parsed: Callable[[str], Parsed]) -> None:
    by_ref = parsed("2026-05-08")[1]
    # QDi.290 NAME_ORIGINAL_SCRIPT "Умаров Доку Хаматович".
    umarov = {n.full: n for n in by_ref["QDi.290"].names}
    assert umarov["Умаров Доку Хаматович"].script == "Cyrillic"
    assert umarov["Умаров Доку Хаматович"].kind is NameKind.PRIMARY
    assert umarov["DOKU KHAMATOVICH UMAROV"].script == "Latin"
    # QDi.314 NAME_ORIGINAL_SCRIPT "عبد الرحمن ولد العامر".
    assert {n.full: n.script for n in by_ref["QDi.314"].names}["عبد الرحمن ولد العامر"] == "Arabic"
    # Every non-empty NAME_ORIGINAL_SCRIPT element is a name of its record (read with lxml here).
    tree = etree.parse(str(un_file(shared_data, "2026-05-08")))
    originals = [
        (" ".join((record.findtext("REFERENCE_NUMBER") or "").split()), " ".join(script.split()))
        for record in tree.iter("INDIVIDUAL", "ENTITY")
        for script in record.xpath("NAME_ORIGINAL_SCRIPT/text()")
        if script.strip()
    ]
    assert len(originals) == 380  # SOURCES.md
    for ref, script in originals:
        assert script in names(by_ref[ref]), ref


def test_russian_names_are_split_into_given_patronymic_family(parsed: Callable[[str], Parsed]) -> None:
    # QDi.397: FIRST_NAME AYRAT, SECOND_NAME NASIMOVICH, THIRD_NAME VAKHITOV, nationality Russian Federation.
    vakhitov = parsed("2026-05-08")[1]["QDi.397"]
    primary = vakhitov.names[0]
    assert (primary.given, primary.patronymic, primary.family) == ("AYRAT", "NASIMOVICH", "VAKHITOV")
    assert vakhitov.nationalities == ["ru"]
    # The alias note "original script: Салман Булгарский" becomes a Cyrillic alias.
    assert ("Салман Булгарский", NameKind.ALIAS, "Cyrillic") in {
        (n.full, n.kind, n.script) for n in vakhitov.names
    }


def test_packed_alias_names_are_unpacked(parsed: Callable[[str], Parsed]) -> None:
    # QDi.306 ALIAS_NAME "حسن غول (Hassan Ghul; Hassan Gul; Hasan Gul)", QUALITY Good.
    mustafa = parsed("2026-05-08")[1]["QDi.306"]
    assert {"حسن غول", "Hassan Ghul", "Hassan Gul", "Hasan Gul"} <= names(mustafa, NameKind.ALIAS)
    # CDe.003: one FIRST_NAME holding two names separated by " ; ".
    cagl = parsed("2026-05-08")[1]["CDe.003"]
    assert names(cagl, NameKind.PRIMARY) == {
        "COMPAGNIE AERIENNE DES GRANDS LACS (CAGL)",
        "GREAT LAKES BUSINESS COMPANY (GLBC)",
    }


def test_documents(parsed: Callable[[str], Parsed]) -> None:
    by_ref = parsed("2026-05-08")[1]
    # KPi.009 lists passport PS381420397 three times (French, Spanish, English type name).
    kim = by_ref["KPi.009"].identifiers
    assert [(i.type, i.value, i.country) for i in kim] == [("passport", "PS381420397", "kp")]
    # KPi.021: NUMBER "381110042 (Expired 25 Jan. 2016)".
    kim_jung_jong = {i.value: i for i in by_ref["KPi.021"].identifiers}
    assert kim_jung_jong["381110042"].note == "Expired 25 Jan. 2016"
    assert set(kim_jung_jong) == {"199421147", "381110042", "563210184"}
    # TAi.173: "Pakistani national identification number 5420124679187".
    noorzai = {(i.type, i.value) for i in by_ref["TAi.173"].identifiers}
    assert noorzai == {("passport", "AA3829182"), ("national_id", "5420124679187")}


def test_imo_company_numbers_from_comments(parsed: Callable[[str], Parsed]) -> None:
    by_ref = parsed("2026-05-08")[1]
    # KPe.070 COMMENTS1 "... IMO number: 5878561."; KPe.066 "... Company Number IMO 5434358."
    assert [(i.type, i.value) for i in by_ref["KPe.070"].identifiers] == [("imo", "5878561")]
    assert [(i.type, i.value) for i in by_ref["KPe.066"].identifiers] == [("imo", "5434358")]
    assert by_ref["KPe.066"].schema == "Company"
    # 16 DPRK shipping companies carry an IMO number in the 2026-05-08 comments (grep "IMO").
    with_imo = [e for e in parsed("2026-05-08")[2] if any(i.type == "imo" for i in e.identifiers)]
    assert len(with_imo) == 16
    assert all(e.list_ref.startswith("KPe.") for e in with_imo)
    # No vessels exist on the UN list.
    assert not [e for e in parsed("2026-05-08")[2] if e.schema == "Vessel"]


def test_organisations_without_legal_form_stay_organisations(parsed: Callable[[str], Parsed]) -> None:
    by_ref = parsed("2026-05-08")[1]
    assert by_ref["KPe.031"].caption == "RECONNAISSANCE GENERAL BUREAU"
    assert by_ref["KPe.031"].schema == "Organization"
    assert by_ref["QDe.004"].schema == "Organization"  # AL-QAIDA


def test_listed_on_with_utc_offset_and_cited_records(parsed: Callable[[str], Parsed]) -> None:
    # TAi.173 LISTED_ON "2015-03-27-04:00"; COMMENTS1 cites TAe.014.
    noorzai = parsed("2026-05-08")[1]["TAi.173"]
    assert noorzai.listed_on == "2015-03-27"
    assert noorzai.linked_to == ["TAe.014"]


def test_unknown_country_names_are_kept_in_notes(parsed: Callable[[str], Parsed]) -> None:
    entities = parsed("2026-05-08")[2]
    # One NATIONALITY reads "former Soviet Union": never dropped silently.
    [soviet] = [
        e for e in entities if "Nationality: former Soviet Union" in e.notes or "suhh" in e.nationalities
    ]
    assert soviet.schema == "Person"


# --- pure helpers -------------------------------------------------------------------------


def test_split_names() -> None:
    assert split_names("Abdul Rehman; Abd Ur-Rehman; Abdur Rahman") == [
        "Abdul Rehman",
        "Abd Ur-Rehman",
        "Abdur Rahman",
    ]
    assert split_names("FOREIGN TRADE BANK (FTB)") == ["FOREIGN TRADE BANK (FTB)"]
    assert split_names('"KOMID"') == ["KOMID"]
    assert split_names("  ") == []


def test_person_name_parts() -> None:
    assert person_name_parts(["PAK", "CHUN", "IL"], "DPRK") == ("CHUN IL", "PAK", "")
    assert person_name_parts(["ISLAM", "SEIT-UMAROVICH", "ATABIEV"], "Al-Qaida") == (
        "ISLAM",
        "ATABIEV",
        "SEIT-UMAROVICH",
    )
    assert person_name_parts(["ABD", "AL-RAHMAN", "OULD"], "Al-Qaida") == ("", "", "")


# --- bad input ----------------------------------------------------------------------------


def test_truncated_file_names_file_and_line(shared_data: Path, tmp_path: Path) -> None:
    raw = un_file(shared_data, "2026-05-08").read_bytes()
    bad = tmp_path / "un_truncated.xml"
    bad.write_bytes(raw[: len(raw) // 2])
    result = parse(bad)  # the head is fine: the break shows while streaming
    with pytest.raises(ParseError) as caught:
        list(result.entities)
    assert caught.value.path == str(bad)
    assert re.fullmatch(r"line \d+", caught.value.where)
    assert str(bad) in str(caught.value)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CONSOLIDATED_LIST dateGenerated="2026-05-08T23:00:06.922Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&lol9;</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.064</REFERENCE_NUMBER>
<LISTED_ON>2017-12-22</LISTED_ON></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-05-08T23:00:06.922Z"><INDIVIDUALS><INDIVIDUAL>
<FIRST_NAME>&e;</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.064</REFERENCE_NUMBER>
<LISTED_ON>2017-12-22</LISTED_ON></INDIVIDUAL></INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>
"""


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_entity_declarations_are_refused_before_parsing(tmp_path: Path, text: str) -> None:
    bad = tmp_path / "un_entities.xml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        parse(bad)  # refused up front, nothing is read as XML
    assert caught.value.where == "line 2"
    assert "DTD" in caught.value.message


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_declarations_hidden_behind_padding_are_refused(tmp_path: Path, text: str) -> None:
    """A 70 kB comment pushes the DOCTYPE past the first 64 KiB; the whole prolog is
    scanned, so the file is still refused at the DOCTYPE's line and nothing is expanded."""
    declaration, rest = text.split("\n", 1)
    bad = tmp_path / "un_padded.xml"
    bad.write_text(f"{declaration}\n<!--{'x' * 70_000}-->\n{rest}", encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        list(parse(bad).entities)
    assert "DOCTYPE" in caught.value.message and caught.value.where == "line 3"
    assert not sniff(bad, bad.read_bytes()[:65536])


def test_entity_reference_to_an_external_dtd_is_refused(tmp_path: Path) -> None:
    """An external DTD (no internal subset) is refused like any DOCTYPE: it is never
    loaded, and the reference it would define is never read as text."""
    bad = tmp_path / "un_external_dtd.xml"
    bad.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE CONSOLIDATED_LIST SYSTEM "file:///etc/passwd">\n'
        "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>&e;</FIRST_NAME>\n"
        "<REFERENCE_NUMBER>KPi.064</REFERENCE_NUMBER></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        encoding="utf-8",
    )
    with pytest.raises(ParseError) as caught:
        list(parse(bad).entities)
    assert caught.value.where == "line 2" and "DOCTYPE" in caught.value.message
    assert "root:" not in str(caught.value)


def test_wrong_format_is_unrecognised(tmp_path: Path) -> None:
    csv_file = tmp_path / "un_list.xml"
    csv_file.write_text(
        'ent_num,SDN_Name\n9345,"KOREA MINING DEVELOPMENT TRADING CORPORATION"\n', encoding="utf-8"
    )
    with pytest.raises(ParseError, match="unrecognised"):
        detect(csv_file, "un")
    with pytest.raises(ParseError, match="CONSOLIDATED_LIST"):
        parse(csv_file)


def test_sniff(shared_data: Path) -> None:
    head = un_file(shared_data, "2026-05-08").read_bytes()[:4096]
    assert sniff(Path("x.xml"), head)
    assert detect(un_file(shared_data, "2026-05-08"), "un").FORMAT == "un-xml"
    assert not sniff(
        Path("x.xml"), b'<?xml version="1.0"?>\n<export xmlns="http://eu.europa.ec/fpi/fsd/export">'
    )
    # CONSOLIDATED_LIST mentioned inside another document is not the root element.
    assert not sniff(Path("x.xml"), b"<sdnList><note>CONSOLIDATED_LIST</note></sdnList>")


def _edited_copy(shared_data: Path, tmp_path: Path, old: bytes, new: bytes) -> Path:
    raw = un_file(shared_data, "2026-05-08").read_bytes()
    assert raw.count(old) == 1
    bad = tmp_path / "un_edited.xml"
    bad.write_bytes(raw.replace(old, new))
    return bad


def test_record_without_reference_number(shared_data: Path, tmp_path: Path) -> None:
    bad = _edited_copy(shared_data, tmp_path, b"<REFERENCE_NUMBER>KPi.064</REFERENCE_NUMBER>", b"")
    with pytest.raises(ParseError) as caught:
        list(parse(bad).entities)
    assert re.fullmatch(r"line \d+, element INDIVIDUAL", caught.value.where)
    assert "REFERENCE_NUMBER" in caught.value.message


def test_duplicate_reference_number(shared_data: Path, tmp_path: Path) -> None:
    bad = _edited_copy(
        shared_data,
        tmp_path,
        b"<REFERENCE_NUMBER>KPi.063</REFERENCE_NUMBER>",
        b"<REFERENCE_NUMBER>KPi.064</REFERENCE_NUMBER>",
    )
    with pytest.raises(ParseError, match=r"duplicate REFERENCE_NUMBER KPi\.064"):
        list(parse(bad).entities)
