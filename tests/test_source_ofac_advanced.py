"""OFAC advanced XML parser: the real 2020 cons_advanced.xml and a small
sdn_advanced-layout document with the parts that file lacks (Cyrillic script,
vessel, aircraft, low-quality and former names)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from lxml import etree

from corridor.model import DateSpec, Entity, NameKind
from corridor.sources import ofac_advanced as oa
from corridor.sources.base import ParseError, read_head

CONS = "ofac/nonsdn_cons_advanced_xml_2020-03-17/cons_advanced.xml"
NS = "{http://www.un.org/sanctions/1.0}"


@pytest.fixture(scope="module")
def cons_path(shared_data: Path) -> Path:
    return shared_data / CONS


@pytest.fixture(scope="module")
def cons(cons_path: Path) -> tuple[oa.ListMeta, dict[str, Entity]]:
    parsed = oa.parse(cons_path)
    entities = {e.id: e for e in parsed.entities}
    return parsed.meta, entities


def test_counts_and_meta(cons_path: Path, cons: tuple[oa.ListMeta, dict[str, Entity]]) -> None:
    meta, entities = cons
    tree = etree.parse(str(cons_path))
    refs = [p.get("FixedRef") for p in tree.iter(f"{NS}DistinctParty")]
    assert len(refs) == 375
    assert sorted(entities) == sorted(f"ofac:{r}" for r in refs)
    assert meta.source == "ofac-cons"
    assert meta.published == "2020-03-17"
    assert meta.extra["sanctions_entries"] == len(list(tree.iter(f"{NS}SanctionsEntry"))) == 759
    assert all(e.source == "ofac-cons" for e in entities.values())
    assert oa.sniff(cons_path, read_head(cons_path, 65536))


def test_sniff_rejects_legacy_xml(shared_data: Path) -> None:
    legacy = shared_data / "ofac/nonsdn_consolidated_xml_2025-03-28/consolidated.xml"
    assert not oa.sniff(legacy, read_head(legacy, 65536))


def test_programs_match_sanctions_entries(
    cons_path: Path, cons: tuple[oa.ListMeta, dict[str, Entity]]
) -> None:
    _, entities = cons
    tree = etree.parse(str(cons_path))
    expected: Counter[str] = Counter()
    for program in {
        (entry.get("ProfileID"), measure.findtext(f"{NS}Comment"))
        for entry in tree.iter(f"{NS}SanctionsEntry")
        for measure in entry.iter(f"{NS}SanctionsMeasure")
        if measure.get("SanctionsTypeID") == "1"  # "Program" in SanctionsTypeValues
    }:
        expected[program[1]] += 1
    got = Counter(p for e in entities.values() for p in e.programs)
    assert got == expected
    assert got["UKRAINE-EO13662"] == 290


def test_haniya(cons: tuple[oa.ListMeta, dict[str, Entity]]) -> None:
    _, entities = cons
    haniya = entities["ofac:9639"]
    assert haniya.schema == "Person"
    assert haniya.list_ref == "9639"
    primary = haniya.names[0]
    assert primary.kind is NameKind.PRIMARY
    assert (primary.given, primary.family, primary.full) == (
        "Ismail Abdul Salah",
        "HANIYA",
        "Ismail Abdul Salah HANIYA",
    )
    aliases = {n.full for n in haniya.names if n.kind is NameKind.ALIAS}
    assert aliases == {"Ismail HANIYA", "Ismaeel HANIYYA"}
    assert haniya.birth_dates == [DateSpec("1962")]  # 1962-01-01..1962-12-31 in the file
    assert haniya.birth_places == ["Shati"]
    assert haniya.programs == ["NS-PLC"]
    assert haniya.listed_on == "2006-04-12"  # earliest of its two entries (2006 PLC list, 2014 consolidated)


def test_vnesheconombank_identifiers_and_weak_alias(cons: tuple[oa.ListMeta, dict[str, Entity]]) -> None:
    _, entities = cons
    veb = entities["ofac:17015"]
    assert veb.schema == "Company"
    assert veb.caption == "Vnesheconombank"
    assert [n.full for n in veb.names if n.kind is NameKind.WEAK_ALIAS] == ["VEB"]
    assert ("swift", "BFEARUMM") in {(i.type, i.value) for i in veb.identifiers}
    assert veb.addresses[0].city == "Moscow" and veb.addresses[0].country == "ru"
    assert "ofac:18268" in veb.linked_to  # ProfileRelationship "Owned or Controlled By"


def test_registration_and_tax_ids(cons: tuple[oa.ListMeta, dict[str, Entity]], cons_path: Path) -> None:
    _, entities = cons
    # IDRegDocument 9477 (Registration ID 1027739609391) and 9483 (Tax ID 7702070139)
    # both belong to identity 8757; find that identity's party in the file.
    tree = etree.parse(str(cons_path))
    party = next(
        p.get("FixedRef")
        for p in tree.iter(f"{NS}DistinctParty")
        if any(i.get("ID") == "8757" for i in p.iter(f"{NS}Identity"))
    )
    ids = {(i.type, i.value, i.country) for i in entities[f"ofac:{party}"].identifiers}
    assert ("registration", "1027739609391", "ru") in ids
    assert ("tax_id", "7702070139", "ru") in ids


def test_birth_dates_count(cons_path: Path, cons: tuple[oa.ListMeta, dict[str, Entity]]) -> None:
    _, entities = cons
    tree = etree.parse(str(cons_path))
    with_dob = {
        p.get("FixedRef")
        for p in tree.iter(f"{NS}DistinctParty")
        if any(f.get("FeatureTypeID") == "8" for f in p.iter(f"{NS}Feature"))  # 8 = Birthdate
    }
    assert {e.list_ref for e in entities.values() if e.birth_dates} == with_dob
    assert all(len(d.start) in (4, 7, 10) for e in entities.values() for d in e.birth_dates)


def test_truncated_file(cons_path: Path, tmp_path: Path) -> None:
    data = cons_path.read_bytes()
    cut = tmp_path / "cons_advanced.xml"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(ParseError) as info:
        list(oa.parse(cut).entities)
    assert str(cut) in str(info.value)
    assert info.value.where.startswith("line ")


SAMPLE = """<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">
  <DateOfIssue><Year>2024</Year><Month>5</Month><Day>3</Day></DateOfIssue>
  <ReferenceValueSets>
    <AliasTypeValues>
      <AliasType ID="1400">A.K.A.</AliasType><AliasType ID="1401">F.K.A.</AliasType>
      <AliasType ID="1402">N.K.A.</AliasType><AliasType ID="1403">Name</AliasType>
    </AliasTypeValues>
    <CountryValues><Country ID="11171" ISO2="RU">Russia</Country><Country ID="11999">Korea, North</Country></CountryValues>
    <FeatureTypeValues>
      <FeatureType ID="8">Birthdate</FeatureType><FeatureType ID="10">Nationality Country</FeatureType>
      <FeatureType ID="224">Gender</FeatureType><FeatureType ID="3">Vessel Flag</FeatureType>
      <FeatureType ID="1">VESSEL TYPE</FeatureType><FeatureType ID="25">Location</FeatureType>
      <FeatureType ID="50">Aircraft Model</FeatureType>
    </FeatureTypeValues>
    <DetailReferenceValues><DetailReference ID="91526">Male</DetailReference></DetailReferenceValues>
    <IDRegDocTypeValues>
      <IDRegDocType ID="1571">Passport</IDRegDocType>
      <IDRegDocType ID="1626">Vessel Registration Identification</IDRegDocType>
      <IDRegDocType ID="91264">MMSI</IDRegDocType>
    </IDRegDocTypeValues>
    <ListValues><List ID="1550">SDN List</List></ListValues>
    <LocPartTypeValues><LocPartType ID="1454">CITY</LocPartType></LocPartTypeValues>
    <NamePartTypeValues>
      <NamePartType ID="1520">Last Name</NamePartType><NamePartType ID="1521">First Name</NamePartType>
      <NamePartType ID="1523">Patronymic</NamePartType><NamePartType ID="1526">Vessel Name</NamePartType>
      <NamePartType ID="1527">Aircraft Name</NamePartType>
    </NamePartTypeValues>
    <PartySubTypeValues>
      <PartySubType ID="1" PartyTypeID="4">Vessel</PartySubType><PartySubType ID="2" PartyTypeID="4">Aircraft</PartySubType>
      <PartySubType ID="4" PartyTypeID="1">Unknown</PartySubType>
    </PartySubTypeValues>
    <PartyTypeValues><PartyType ID="1">Individual</PartyType><PartyType ID="4">Transport</PartyType></PartyTypeValues>
    <SanctionsProgramValues><SanctionsProgram ID="9">DPRK3</SanctionsProgram></SanctionsProgramValues>
    <SanctionsTypeValues><SanctionsType ID="1">Program</SanctionsType><SanctionsType ID="1705">Block</SanctionsType></SanctionsTypeValues>
    <ScriptValues><Script ID="215" ScriptCode="Latn">Latin</Script><Script ID="220" ScriptCode="Cyrl">Cyrillic</Script></ScriptValues>
  </ReferenceValueSets>
  <Locations>
    <Location ID="500"><LocationCountry CountryID="11999" />
      <LocationPart LocPartTypeID="1454"><LocationPartValue><Value>Pyongyang</Value></LocationPartValue></LocationPart>
    </Location>
    <Location ID="501"><LocationCountry CountryID="11171" /></Location>
  </Locations>
  <IDRegDocuments>
    <IDRegDocument ID="1" IDRegDocTypeID="1571" IdentityID="10" IssuedBy-CountryID="11171">
      <IDRegistrationNo>720001234</IDRegistrationNo></IDRegDocument>
    <IDRegDocument ID="2" IDRegDocTypeID="1626" IdentityID="20"><IDRegistrationNo>IMO 9253325</IDRegistrationNo></IDRegDocument>
    <IDRegDocument ID="3" IDRegDocTypeID="91264" IdentityID="20"><IDRegistrationNo>445123000</IDRegistrationNo></IDRegDocument>
  </IDRegDocuments>
  <DistinctParties>
    <DistinctParty FixedRef="100">
      <Profile ID="100" PartySubTypeID="4">
        <Identity ID="10" FixedRef="100" Primary="true">
          <Alias AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName>
              <DocumentedNamePart><NamePartValue NamePartGroupID="1" ScriptID="215">IVANOV</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="2" ScriptID="215">Ivan</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="3" ScriptID="215">Petrovich</NamePartValue></DocumentedNamePart>
            </DocumentedName>
            <DocumentedName>
              <DocumentedNamePart><NamePartValue NamePartGroupID="4" ScriptID="220">ИВАНОВ</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="5" ScriptID="220">Иван</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="6" ScriptID="220">Петрович</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias AliasTypeID="1401" Primary="false" LowQuality="false">
            <DocumentedName><DocumentedNamePart><NamePartValue NamePartGroupID="7">IVANOFF</NamePartValue></DocumentedNamePart></DocumentedName>
          </Alias>
          <Alias AliasTypeID="1400" Primary="false" LowQuality="true">
            <DocumentedName><DocumentedNamePart><NamePartValue NamePartGroupID="7">VANYA</NamePartValue></DocumentedNamePart></DocumentedName>
          </Alias>
          <NamePartGroups>
            <MasterNamePartGroup><NamePartGroup ID="1" NamePartTypeID="1520" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="2" NamePartTypeID="1521" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="3" NamePartTypeID="1523" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="4" NamePartTypeID="1520" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="5" NamePartTypeID="1521" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="6" NamePartTypeID="1523" /></MasterNamePartGroup>
            <MasterNamePartGroup><NamePartGroup ID="7" NamePartTypeID="1520" /></MasterNamePartGroup>
          </NamePartGroups>
        </Identity>
        <Feature FeatureTypeID="8"><FeatureVersion><DatePeriod>
          <Start Approximate="false"><From><Year>1961</Year><Month>3</Month><Day>4</Day></From><To><Year>1961</Year><Month>3</Month><Day>4</Day></To></Start>
          <End Approximate="false"><From><Year>1961</Year><Month>3</Month><Day>4</Day></From><To><Year>1961</Year><Month>3</Month><Day>4</Day></To></End>
        </DatePeriod></FeatureVersion></Feature>
        <Feature FeatureTypeID="10"><FeatureVersion><VersionLocation LocationID="501" /></FeatureVersion></Feature>
        <Feature FeatureTypeID="224"><FeatureVersion><VersionDetail DetailTypeID="1431" DetailReferenceID="91526" /></FeatureVersion></Feature>
        <Feature FeatureTypeID="25"><FeatureVersion><VersionLocation LocationID="500" /></FeatureVersion></Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="200">
      <Profile ID="200" PartySubTypeID="1">
        <Identity ID="20" FixedRef="200" Primary="true">
          <Alias AliasTypeID="1403" Primary="true">
            <DocumentedName><DocumentedNamePart><NamePartValue NamePartGroupID="8" ScriptID="215">CHON MA SAN</NamePartValue></DocumentedNamePart></DocumentedName>
          </Alias>
          <NamePartGroups><MasterNamePartGroup><NamePartGroup ID="8" NamePartTypeID="1526" /></MasterNamePartGroup></NamePartGroups>
        </Identity>
        <Feature FeatureTypeID="3"><FeatureVersion><VersionLocation LocationID="500" /></FeatureVersion></Feature>
        <Feature FeatureTypeID="1"><FeatureVersion><VersionDetail DetailTypeID="1432">Oil Tanker</VersionDetail></FeatureVersion></Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="300">
      <Profile ID="300" PartySubTypeID="2">
        <Identity ID="30" FixedRef="300" Primary="true">
          <Alias AliasTypeID="1403" Primary="true">
            <DocumentedName><DocumentedNamePart><NamePartValue NamePartGroupID="9">EP-GOL</NamePartValue></DocumentedNamePart></DocumentedName>
          </Alias>
          <NamePartGroups><MasterNamePartGroup><NamePartGroup ID="9" NamePartTypeID="1527" /></MasterNamePartGroup></NamePartGroups>
        </Identity>
        <Feature FeatureTypeID="50"><FeatureVersion><VersionDetail DetailTypeID="1432">Airbus A300</VersionDetail></FeatureVersion></Feature>
      </Profile>
    </DistinctParty>
  </DistinctParties>
  <SanctionsEntries>
    <SanctionsEntry ID="1" ProfileID="200" ListID="1550">
      <EntryEvent><Date><Year>2018</Year><Month>2</Month><Day>23</Day></Date></EntryEvent>
      <SanctionsMeasure SanctionsTypeID="1"><Comment>DPRK3</Comment></SanctionsMeasure>
      <SanctionsMeasure SanctionsTypeID="1705" />
    </SanctionsEntry>
  </SanctionsEntries>
</Sanctions>
"""


@pytest.fixture
def sample(tmp_path: Path) -> tuple[oa.ListMeta, dict[str, Entity]]:
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(SAMPLE, encoding="utf-8")
    parsed = oa.parse(path)
    return parsed.meta, {e.id: e for e in parsed.entities}


def test_sample_person_with_cyrillic_name(sample: tuple[oa.ListMeta, dict[str, Entity]]) -> None:
    meta, entities = sample
    assert meta.source == "ofac-sdn" and meta.published == "2024-05-03"
    person = entities["ofac:100"]
    assert person.schema == "Person"
    cyrillic = [n for n in person.names if n.script == "Cyrillic"]
    assert [(n.full, n.kind, n.given, n.patronymic, n.family) for n in cyrillic] == [
        ("Иван Петрович ИВАНОВ", NameKind.PRIMARY, "Иван", "Петрович", "ИВАНОВ")
    ]
    assert person.names[0].full == "Ivan Petrovich IVANOV"
    assert {n.full: n.kind for n in person.names}["IVANOFF"] is NameKind.FORMER
    assert {n.full: n.kind for n in person.names}["VANYA"] is NameKind.WEAK_ALIAS
    assert person.birth_dates == [DateSpec("1961-03-04")]
    assert person.nationalities == ["ru"]
    assert person.gender == "male"
    assert person.addresses[0].city == "Pyongyang" and person.addresses[0].country == "kp"
    assert [(i.type, i.value, i.country) for i in person.identifiers] == [("passport", "720001234", "ru")]


def test_sample_vessel_and_aircraft(sample: tuple[oa.ListMeta, dict[str, Entity]]) -> None:
    _, entities = sample
    vessel = entities["ofac:200"]
    assert vessel.schema == "Vessel"
    assert {(i.type, i.value) for i in vessel.identifiers} == {("imo", "9253325"), ("mmsi", "445123000")}
    assert vessel.properties["flag"] == ["kp"]
    assert vessel.properties["type"] == ["Oil Tanker"]
    assert vessel.programs == ["DPRK3"] and vessel.listed_on == "2018-02-23"
    aircraft = entities["ofac:300"]
    assert aircraft.schema == "Aircraft" and aircraft.caption == "EP-GOL"
    assert aircraft.properties["model"] == ["Airbus A300"]


def test_unknown_document_type(tmp_path: Path) -> None:
    path = tmp_path / "sdn_advanced.xml"
    path.write_text(SAMPLE.replace('IDRegDocTypeID="91264"', 'IDRegDocTypeID="777"'), encoding="utf-8")
    with pytest.raises(ParseError) as info:
        oa.parse(path)
    assert "777" in info.value.message and "IDRegDocument 3" in info.value.where


def test_id_types() -> None:
    assert oa.id_type("Tax ID No.") == "tax_id"
    assert oa.id_type("Registration ID") == "registration"
    assert oa.id_type("Vessel Registration Identification") == "imo"
    assert oa.id_type("National ID No.") == "national_id"
    assert oa.id_type("Diplomatic Passport") == "passport"
    assert oa.id_type("License") == "other"
