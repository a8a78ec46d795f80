"""The EU FSF XML parser, on the authored sample in tests/fixtures/eu/.

Every expected value below is written in tests/fixtures/eu/eu_fsf_sample.xml
(quoted in the comments); the sample is authored from the published layout, see
the README next to it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from corridor.model import Address, DateSpec, Entity, Identifier, NameKind
from corridor.sources import detect
from corridor.sources.base import ParseError
from corridor.sources.eu_xml import FORMAT, birth_date, parse, sniff

SAMPLE = Path(__file__).parent / "fixtures" / "eu" / "eu_fsf_sample.xml"


@pytest.fixture(scope="module")
def sample() -> dict[str, Entity]:
    return {entity.id: entity for entity in parse(SAMPLE).entities}


def test_fixture_is_declared_as_authored() -> None:
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert "authored from the published schema, not an official download" in readme


def test_meta_and_count() -> None:
    result = parse(SAMPLE)
    entities = list(result.entities)
    raw = SAMPLE.read_text(encoding="utf-8")
    assert len(entities) == len(re.findall(r"<sanctionEntity ", raw)) == 7
    assert result.meta.source == "eu"
    assert result.meta.format == FORMAT == "eu-xml"
    assert result.meta.published == "2026-05-11T17:02:44.193+02:00"  # generationDate
    assert result.meta.extra == {"global_file_id": "183517", "entities": 7}
    assert result.meta.files == [str(SAMPLE)]


def test_dprk_person_with_un_reference(sample: dict[str, Entity]) -> None:
    # logicalId 118102, euReferenceNumber EU.4318.23, unitedNationId KPi.064, programme PRK.
    choe = sample["eu:118102"]
    assert (choe.schema, choe.source, choe.list_ref, choe.un_refs) == (
        "Person",
        "eu",
        "EU.4318.23",
        ["KPi.064"],
    )
    assert choe.programs == ["PRK"]
    assert [(n.full, n.kind, n.given, n.family) for n in choe.names] == [
        ("Ch'oe So'k Min", NameKind.PRIMARY, "So'k Min", "Ch'oe"),
        ("Choe Sok Min", NameKind.WEAK_ALIAS, "", ""),  # strong="false"
    ]
    assert choe.birth_dates == [DateSpec("1978-07-25")]
    assert choe.birth_places == []  # countryIso2Code "00" / UNKNOWN, no city
    assert choe.nationalities == ["kp"]
    assert choe.listed_on == "2017-12-22"  # designationDate
    assert choe.gender == "male"
    assert choe.positions == ["Former overseas Foreign Trade Bank representative"]
    assert choe.properties["regulation"] == ["2017/1509 (OJ L224)"]
    assert choe.properties["sourceUrl"] == [
        "https://eur-lex.europa.eu/legal-content/EN/TXT/PDF/?uri=CELEX:32017R1509"
    ]
    assert choe.notes[0].startswith("In 2016, Ch'oe So'k-min was the deputy representative")


def test_dprk_company_citing_un(sample: dict[str, Entity]) -> None:
    komid = sample["eu:4393"]
    assert (komid.schema, komid.list_ref, komid.un_refs) == ("Company", "EU.1948.74", ["KPe.001"])
    # The EN and FR nameAlias repeat one spelling: kept once.
    assert [(n.full, n.kind, n.lang) for n in komid.names] == [
        ("Korea Mining Development Trading Corporation", NameKind.PRIMARY, "en"),
        ("KOMID", NameKind.ALIAS, ""),
        ("Changgwang Sinyong Corporation", NameKind.ALIAS, ""),
    ]
    assert komid.addresses == [
        Address(
            full="Central District, Pyongyang, NORTH KOREA",
            street="Central District",
            city="Pyongyang",
            country="kp",
        )
    ]
    assert komid.countries == ["kp"]
    assert komid.listed_on == "2009-04-24"


def test_organisation_without_designation_date(sample: dict[str, Entity]) -> None:
    rgb = sample["eu:16904"]
    assert rgb.schema == "Organization"
    assert rgb.caption == "Reconnaissance General Bureau"
    assert rgb.un_refs == ["KPe.031"]
    assert rgb.listed_on == "2016-03-05"  # no designationDate: the act's entryIntoForceDate


def test_ship_listed_as_enterprise(sample: dict[str, Entity]) -> None:
    ship = sample["eu:121550"]
    assert ship.schema == "Vessel"
    assert ship.caption == "CHON MA SAN"
    assert ship.identifiers == [Identifier("imo", "8660313", "kp", "IMO number")]
    assert ship.un_refs == []  # unitedNationId=""


def test_russian_person_with_cyrillic_alias(sample: dict[str, Entity]) -> None:
    putin = sample["eu:135909"]
    assert putin.programs == ["UKR"]
    latin, cyrillic = putin.names
    assert (latin.full, latin.kind, latin.script, latin.family) == (
        "Vladimir Vladimirovich PUTIN",
        NameKind.PRIMARY,
        "Latin",
        "PUTIN",
    )
    assert (cyrillic.full, cyrillic.kind, cyrillic.script, cyrillic.lang, cyrillic.family) == (
        "Владимир Владимирович ПУТИН",
        NameKind.ALIAS,
        "Cyrillic",
        "ru",
        "ПУТИН",
    )
    assert putin.birth_dates == [DateSpec("1952-10-07")]
    assert putin.birth_places == ["Leningrad (now St Petersburg), RUSSIA"]
    assert putin.properties["birthCountry"] == ["ru"]
    assert putin.nationalities == ["ru"]
    assert putin.positions == ["President of the Russian Federation"]


def test_approximate_and_range_birth_dates(sample: dict[str, Entity]) -> None:
    person = sample["eu:990112"]
    # <birthdate circa="true" year="1961" .../> and <birthdate yearRangeFrom="1958" yearRangeTo="1962" .../>
    assert person.birth_dates == [DateSpec("1961", approximate=True), DateSpec("1958", "1962")]
    assert person.birth_places == ["Vladivostok, Primorsky Krai, RUSSIA"]
    assert [(n.full, n.kind) for n in person.names][2] == (
        "A. S. Obraztsov",
        NameKind.WEAK_ALIAS,
    )  # "Low quality alias"
    assert person.titles == ["Colonel"]
    assert person.programs == ["RUS"]
    assert person.identifiers == [
        Identifier(
            "passport",
            "720000001",
            "ru",
            "National passport; known expired; issued by Ministry of Internal Affairs",
        ),
        Identifier("other", "XA-0000001", "", "Other identification number; Seafarer's identity document"),
    ]


def test_russian_company(sample: dict[str, Entity]) -> None:
    company = sample["eu:990130"]
    assert company.schema == "Company"
    assert [(n.full, n.kind, n.script) for n in company.names] == [
        ("OBRAZETS TRADING LLC", NameKind.PRIMARY, "Latin"),
        ("ООО «Образец Трейдинг»", NameKind.ALIAS, "Cyrillic"),
        ("OBRAZETS IMPORT-EXPORT", NameKind.FORMER, "Latin"),  # remark "Formerly known as"
    ]
    assert [(i.type, i.value) for i in company.identifiers] == [
        ("registration", "1222500012345"),
        ("tax_id", "2536312345"),
        ("email", "info@obrazets-trading.example"),
        ("phone", "+7 423 000 00 00"),
        ("website", "https://obrazets-trading.example"),
    ]
    [address] = company.addresses
    assert (address.street, address.city, address.region, address.postal_code, address.country) == (
        "ul. Svetlanskaya 1",
        "Vladivostok",
        "Primorsky Krai",
        "690091",
        "ru",
    )


def test_every_entity_is_well_formed(sample: dict[str, Entity]) -> None:
    assert len(sample) == 7
    for entity_id, entity in sample.items():
        assert entity.id == entity_id and entity_id.startswith("eu:")
        assert entity.names and entity.names[0].kind is NameKind.PRIMARY
        assert re.fullmatch(r"EU\.\d+\.\d+", entity.list_ref)
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", entity.listed_on)
        assert entity.programs


def test_birth_date_attributes() -> None:
    assert birth_date("", "1961", "8", "", "", "", False) == DateSpec("1961-08")
    assert birth_date("", "", "", "", "", "1980", False) == DateSpec(
        "1980", "1980", True, "no later than 1980"
    )
    assert birth_date("", "", "", "", "", "", True) is None


def test_non_gregorian_dates_are_not_read_as_gregorian(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        'circa="true" calendarType="GREGORIAN" city="Vladivostok" zipCode="" year="1961"',
        'circa="false" calendarType="ISLAMIC" city="Vladivostok" zipCode="" year="1380"',
    )
    path = tmp_path / "eu_hijri.xml"
    path.write_text(text, encoding="utf-8")
    person = {e.id: e for e in parse(path).entities}["eu:990112"]
    assert person.birth_dates == [DateSpec("1958", "1962")]
    assert "Date of birth (islamic calendar): 1380" in person.notes


# --- format detection and bad input ---------------------------------------------------------


def test_sniff_and_detect(shared_data: Path) -> None:
    assert sniff(SAMPLE, SAMPLE.read_bytes()[:4096])
    assert detect(SAMPLE, "eu").FORMAT == "eu-xml"
    un_head = (shared_data / "un" / "2026-05-08" / "consolidated.xml").read_bytes()[:4096]
    assert not sniff(Path("consolidated.xml"), un_head)
    assert not sniff(
        Path("x.xml"), b'<?xml version="1.0"?><export generationDate="2026-01-01"><row/></export>'
    )


def test_truncated_file(tmp_path: Path) -> None:
    raw = SAMPLE.read_bytes()
    bad = tmp_path / "eu_truncated.xml"
    bad.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ParseError) as caught:
        list(parse(bad).entities)
    assert caught.value.path == str(bad)
    assert re.fullmatch(r"line \d+", caught.value.where)


def test_missing_logical_id(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8")
    old = 'euReferenceNumber="EU.3776.41" logicalId="16904">'
    assert text.count(old) == 1
    bad = tmp_path / "eu_no_logical_id.xml"
    bad.write_text(text.replace(old, 'euReferenceNumber="EU.3776.41">'), encoding="utf-8")
    line = text[: text.index(old)].count("\n") + 1
    with pytest.raises(ParseError) as caught:
        list(parse(bad).entities)
    assert caught.value.where == f"line {line}, element sanctionEntity"
    assert "logicalId" in caught.value.message


def test_unknown_subject_type(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        '<subjectType code="person"', '<subjectType code="vessel"', 1
    )
    bad = tmp_path / "eu_subject.xml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError, match="subjectType code must be person or enterprise, found vessel"):
        list(parse(bad).entities)


def test_entity_declarations_are_refused(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        "<export xmlns=", '<!DOCTYPE export [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<export xmlns=', 1
    )
    bad = tmp_path / "eu_xxe.xml"
    bad.write_text(text.replace('wholeName="KOMID"', 'wholeName="&e;"'), encoding="utf-8")
    with pytest.raises(ParseError, match="DTD"):
        parse(bad)


def test_wrong_format_is_unrecognised(tmp_path: Path) -> None:
    csv_file = tmp_path / "eu_list.xml"
    csv_file.write_text("fileGenerationDate;Entity_LogicalId\n28/10/2022;13\n", encoding="utf-8")
    with pytest.raises(ParseError, match="unrecognised"):
        detect(csv_file, "eu")
    with pytest.raises(ParseError, match="not an EU FSF export"):
        parse(csv_file)


def test_unknown_elements_are_counted_not_dropped_silently(tmp_path: Path) -> None:
    text = SAMPLE.read_text(encoding="utf-8").replace(
        '<subjectType code="enterprise" classificationCode="E"/>',
        '<subjectType code="enterprise" classificationCode="E"/><vesselDetails flag="KP"/>',
        1,
    )
    path = tmp_path / "eu_new_element.xml"
    path.write_text(text, encoding="utf-8")
    result = parse(path)
    assert len(list(result.entities)) == 7
    assert result.meta.extra["unhandled_elements"] == {"vesselDetails": 1}
