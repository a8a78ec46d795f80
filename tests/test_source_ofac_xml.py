"""OFAC sdnList XML on the real consolidated.xml files, the older-namespace fixture and bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from lxml import etree
from tests.helpers import ParsedByRef, by_list_ref

from corridor.model import DateSpec, Identifier, NameKind
from corridor.sources import detect, ofac_csv, ofac_xml
from corridor.sources.base import ParseError

FIXTURE = Path(__file__).parent / "fixtures" / "ofac" / "tempuri_layout_sample.xml"
FILES = {
    # directory under ofac/ -> (Publish_Date as ISO, Record_Count) from SOURCES.md
    "nonsdn_consolidated_xml_2025-03-28": ("2025-03-28", 443),
    "nonsdn_consolidated_xml_2026-01-08": ("2026-01-08", 442),
}
ParsedFile = ParsedByRef


def _load(path: Path) -> ParsedFile:
    return by_list_ref(ofac_xml.parse(path))


@pytest.fixture(scope="module")
def ofac_dir(shared_data: Path) -> Path:
    return shared_data / "ofac"


@pytest.fixture(scope="module")
def parsed(ofac_dir: Path) -> dict[str, ParsedFile]:
    return {name: _load(ofac_dir / name / "consolidated.xml") for name in FILES}


@pytest.mark.parametrize("name", list(FILES))
def test_entry_count_equals_record_count(parsed: dict[str, ParsedFile], ofac_dir: Path, name: str) -> None:
    meta, entities = parsed[name]
    published, count = FILES[name]
    raw = (ofac_dir / name / "consolidated.xml").read_bytes()
    assert raw.count(b"<sdnEntry>") == count
    assert meta.declared_count == count == len(entities) == meta.extra["entry_count"]
    assert meta.published == published and not meta.published_inferred
    assert meta.source == "ofac-cons" and meta.extra["source_rule"] == "file name"
    assert meta.extra["namespaces"] == [ofac_xml.NAMESPACES[0]]


def _aka_counts(path: Path) -> dict[str, int]:
    """Per category/type aka counts read independently with lxml."""
    ns = {"o": ofac_xml.NAMESPACES[0]}
    tree = etree.parse(str(path))
    counts = {"weak": 0, "strong": 0, "fka": 0, "weak fka": 0, "strong as primary": 0}
    for entry in tree.iterfind("o:sdnEntry", ns):
        primary = (entry.findtext("o:firstName", namespaces=ns), entry.findtext("o:lastName", namespaces=ns))
        for aka in entry.iterfind(".//o:aka", ns):
            category = aka.findtext("o:category", namespaces=ns) or ""
            if aka.findtext("o:type", namespaces=ns) == "f.k.a.":
                counts["fka"] += 1
                counts["weak fka"] += category == "weak"
                continue
            counts[category] += 1
            spelled = (aka.findtext("o:firstName", namespaces=ns), aka.findtext("o:lastName", namespaces=ns))
            counts["strong as primary"] += category == "strong" and spelled == primary
    return counts


def test_aka_categories(parsed: dict[str, ParsedFile], ofac_dir: Path) -> None:
    name = "nonsdn_consolidated_xml_2026-01-08"
    counts = _aka_counts(ofac_dir / name / "consolidated.xml")
    names = [n for e in parsed[name][1].values() for n in e.names]
    kinds = [n.kind for n in names]
    assert kinds.count(NameKind.WEAK_ALIAS) == counts["weak"] == 69
    assert kinds.count(NameKind.FORMER) == counts["fka"] == 144
    assert sum(1 for n in names if n.kind is NameKind.FORMER and n.note == "weak") == counts["weak fka"] == 3
    # A strong a.k.a. spelled exactly like the primary name is not repeated as an alias.
    assert counts["strong as primary"] > 0
    assert kinds.count(NameKind.ALIAS) == counts["strong"] - counts["strong as primary"]
    assert kinds.count(NameKind.PRIMARY) == 442


def test_russian_agricultural_bank(parsed: dict[str, ParsedFile]) -> None:
    bank = parsed["nonsdn_consolidated_xml_2026-01-08"][1]["17014"]
    assert bank.id == "ofac:17014" and bank.schema == "Company"
    assert bank.caption == "JOINT STOCK COMPANY RUSSIAN AGRICULTURAL BANK"
    assert bank.programs == ["UKRAINE-EO13662", "RUSSIA-EO14024"]
    assert [n.full for n in bank.names if n.kind is NameKind.WEAK_ALIAS] == ["RUSAG"]
    ids = {(i.type, i.value, i.country) for i in bank.identifiers}
    assert {
        ("swift", "RUAGRUMM", ""),
        ("registration", "1027700342890", "ru"),
        ("website", "http://www.rshb.ru", ""),
    } <= ids
    assert {(a.city, a.postal_code, a.country) for a in bank.addresses} == {("Moscow", "119034", "ru")}
    assert bank.properties["secondarySanctionsRisk"] == [
        "Ukraine-/Russia-Related Sanctions Regulations, 31 CFR 589.201 and/or 589.209"
    ]
    assert "Listing Date (EO 14024 Directive 3): 24 Feb 2022" in bank.properties["sanctionsInformation"]


def test_person_with_structured_dob_pob(parsed: dict[str, ParsedFile]) -> None:
    haniya = parsed["nonsdn_consolidated_xml_2026-01-08"][1]["9639"]
    assert haniya.schema == "Person"
    assert (haniya.names[0].full, haniya.names[0].given, haniya.names[0].family) == (
        "Ismail Abdul Salah HANIYA",
        "Ismail Abdul Salah",
        "HANIYA",
    )
    assert haniya.birth_dates == [DateSpec("1962")]
    assert haniya.birth_places == ["Shati"]


def test_linked_to_in_parentheses(parsed: dict[str, ParsedFile]) -> None:
    dsd = parsed["nonsdn_consolidated_xml_2026-01-08"][1]["22387"]
    assert dsd.linked_to == ["PUBLIC JOINT STOCK COMPANY TRANSNEFT"]
    assert "LLC 'DSD'" in {n.full for n in dsd.names if n.kind is NameKind.WEAK_ALIAS}


def test_csv_remarks_and_xml_structure_agree(parsed: dict[str, ParsedFile], ofac_dir: Path) -> None:
    """The same Non-SDN list as cons_*.csv (2025-12-18) and as XML (2026-01-08, same uid set):
    what the CSV says in Remarks the XML says in idList etc.; both parses must agree."""
    xml = parsed["nonsdn_consolidated_xml_2026-01-08"][1]
    cons = {e.list_ref: e for e in ofac_csv.parse(ofac_dir / "nonsdn_cons_csv_set_2025-12").entities}
    assert set(cons) == set(xml)
    name_differences = set()
    for ref, from_xml in xml.items():
        from_csv = cons[ref]
        assert from_xml.schema == from_csv.schema, ref
        assert set(from_xml.identifiers) == set(from_csv.identifiers), ref
        assert from_xml.birth_dates == from_csv.birth_dates, ref
        assert from_xml.birth_places == from_csv.birth_places, ref
        assert from_xml.nationalities == from_csv.nationalities, ref
        assert from_xml.gender == from_csv.gender, ref
        assert set(from_xml.linked_to) == set(from_csv.linked_to), ref
        assert set(from_xml.programs) == set(from_csv.programs), ref
        props_xml = {k: set(v) for k, v in from_xml.properties.items() if k != "remarks"}
        props_csv = {k: set(v) for k, v in from_csv.properties.items() if k != "remarks"}
        assert props_xml == props_csv, ref
        if set(from_xml.names) != set(from_csv.names):
            name_differences.add(ref)
    # 22391: the XML writes an alias with double quotes ("OIL TRUNK PIPELINES 'DRUZHBA'"), the
    # CSV with single ones — a difference in the files themselves.
    assert name_differences == {"22391"}


def test_older_namespace_fixture(tmp_path: Path) -> None:
    # saved under OFAC's own file name, which is what tells the SDN list from the Non-SDN one
    sdn = tmp_path / "sdn.xml"
    sdn.write_bytes(FIXTURE.read_bytes())
    meta, entities = _load(sdn)
    assert meta.extra["namespaces"] == ["http://tempuri.org/sdnList.xsd"]
    assert (meta.published, meta.declared_count, len(entities)) == ("2024-05-03", 3, 3)
    assert meta.source == "ofac-sdn" and meta.extra["source_rule"] == "file name"

    person = entities["26096"]
    assert person.schema == "Person" and person.titles == ["Director"]
    assert person.identifiers[0] == Identifier(
        "passport", "M00021291", "za", "issued 04 May 2010; expires 03 May 2020"
    )
    assert person.birth_dates == [DateSpec("1969-01-25"), DateSpec("1968", "", True, "circa 1968")]
    assert person.birth_places == ["Klimovsk, Russia"]
    assert person.nationalities == ["ru", "za"] and person.properties["citizenship"] == ["za"]
    assert person.gender == "male"
    assert [(n.full, n.kind) for n in person.names[1:]] == [("Vlad AMTCHENTSEV", NameKind.WEAK_ALIAS)]
    assert person.linked_to == ["VELMUR MANAGEMENT PTE LTD."]
    assert person.properties["prohibitedTransactions"] == [
        "North Korea Sanctions Regulations section 510.214"
    ]

    vessel = entities["17069"]
    assert vessel.schema == "Vessel"
    assert {(i.type, i.value) for i in vessel.identifiers} == {
        ("imo", "7937317"),
        ("mmsi", "445114000"),
        ("call_sign", "HMZF"),
    }
    assert vessel.properties["flag"] == ["kp"]
    assert vessel.properties["grossRegisteredTonnage"] == ["6,395"]
    assert vessel.properties["owner"] == ["Chongchongang Shipping Co."]

    bank = entities["37517"]
    assert bank.schema == "Organization"
    assert [(n.full, n.kind, n.note) for n in bank.names[1:]] == [
        ("DALNEVOSTOCHNY BANK", NameKind.ALIAS, "n.k.a."),
        ("DALKOMBANK", NameKind.FORMER, ""),
    ]
    ids = {(i.type, i.value): i.note for i in bank.identifiers}
    assert ids[("other", "X-123")] == "Some New OFAC Label"  # unknown idType kept
    assert ids[("other", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h")] == "Digital Currency Address - XBT"
    assert bank.addresses[0].region == "Primorsky Krai" and bank.countries == ["ru"]


def test_source_decided_by_name_then_record_count(ofac_dir: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "ofac.xml"  # how pakote_data stored the consolidated list
    shutil.copy(ofac_dir / "nonsdn_consolidated_xml_2026-01-08" / "consolidated.xml", renamed)
    meta = ofac_xml.parse(renamed).meta
    assert meta.source == "ofac-cons" and meta.extra["source_rule"].startswith("Record_Count 442")
    assert ofac_xml.decide_source(Path("sdn.xml"), 442) == ("ofac-sdn", "file name")
    assert ofac_xml.decide_source(Path("list.xml"), 17000)[0] == "ofac-sdn"


def test_truncated_xml_names_the_line(ofac_dir: Path, tmp_path: Path) -> None:
    raw = (ofac_dir / "nonsdn_consolidated_xml_2026-01-08" / "consolidated.xml").read_bytes()
    cut = tmp_path / "consolidated.xml"
    cut.write_bytes(raw[:50_000])
    with pytest.raises(ParseError) as info:
        list(ofac_xml.parse(cut).entities)
    assert info.value.path == str(cut)
    line = int(info.value.where.removeprefix("line "))
    assert line >= raw[:50_000].count(b"\n")


def test_bad_uid_and_unknown_type(tmp_path: Path) -> None:
    text = FIXTURE.read_text()
    bad = tmp_path / "sdn.xml"
    bad.write_text(text.replace("<uid>17069</uid>", "<uid>17O69</uid>"))
    with pytest.raises(ParseError, match="uid"):
        list(ofac_xml.parse(bad).entities)
    bad.write_text(text.replace("<sdnType>Vessel</sdnType>", "<sdnType>Spaceship</sdnType>"))
    with pytest.raises(ParseError, match="Spaceship"):
        list(ofac_xml.parse(bad).entities)


def test_sniff_and_detect(ofac_dir: Path) -> None:
    xml = ofac_dir / "nonsdn_consolidated_xml_2026-01-08" / "consolidated.xml"
    assert ofac_xml.sniff(xml, xml.read_bytes()[:65536])
    assert ofac_xml.sniff(FIXTURE, FIXTURE.read_bytes())
    sdn_csv = ofac_dir / "sdn_csv_set_2021-07" / "sdn.csv"
    assert not ofac_xml.sniff(sdn_csv, sdn_csv.read_bytes()[:65536])
    assert detect(xml, "ofac") is ofac_xml
    assert len(list(ofac_xml.parse(xml.parent).entities)) == 442  # a directory holding one list file
    assert detect(ofac_dir / "sdn_csv_set_2021-07", "ofac") is ofac_csv
    assert detect(ofac_dir / "nonsdn_cons_csv_set_2025-12" / "cons_prim.csv", "ofac") is ofac_csv
