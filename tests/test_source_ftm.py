"""FollowTheMoney JSON lines import/export and the OpenSanctions simple CSV."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from followthemoney import model

from corridor.model import DateSpec, Entity, NameKind
from corridor.sources import ftm_json, os_simple_csv
from corridor.sources.base import ListMeta, ParseError, read_head

FIXTURES = Path(__file__).parent / "fixtures" / "ftm"
ZALA = "ftm/opensanctions_zala_cluster_2026-04/entities.ftm.json"
WD = "ftm/opensanctions_wd_persons_export_2024-03-10"
UA_CSV = "ftm/opensanctions_ua_war_sanctions_2026-03/targets.simple.csv"
OSETROVA = "NK-2Tbri3s6GgNtAwsSXh4qpL"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="module")
def zala(shared_data: Path) -> tuple[ListMeta, dict[str, Entity]]:
    parsed = ftm_json.parse(shared_data / ZALA)
    entities = {e.id: e for e in parsed.entities}
    return parsed.meta, entities


def test_zala_counts(shared_data: Path, zala: tuple[ListMeta, dict[str, Entity]]) -> None:
    meta, entities = zala
    raw = _lines(shared_data / ZALA)
    by_schema = Counter(r["schema"] for r in raw)
    assert len(raw) == 91 and meta.extra["records"] == 91
    assert meta.extra["schemata"] == dict(by_schema)
    things = [r for r in raw if r["schema"] in ("Person", "Company")]
    assert Counter(e.schema for e in entities.values()) == Counter(r["schema"] for r in things)
    assert (by_schema["Person"], by_schema["Company"]) == (6, 11)
    assert set(entities) == {f"ftm:{r['id']}" for r in things}
    assert meta.extra["targets"] == sum(1 for r in raw if r["target"]) == 14
    assert meta.published == max(r["last_change"] for r in raw) == "2026-04-29T07:55:02"
    # No dataset is common to every line: the folder names the source.
    assert meta.source == "ftm:opensanctions_zala_cluster_2026-04"
    assert ftm_json.sniff(shared_data / ZALA, read_head(shared_data / ZALA))


def test_osetrova(zala: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = zala
    person = entities[f"ftm:{OSETROVA}"]
    assert person.schema == "Person"
    assert person.caption == "Maria Aleksandrovna Osetrova"
    cyrillic = {n.full for n in person.names if n.script == "Cyrillic"}
    assert {"Мария Александровна Осетрова", "Захарова Мария Александровна"} <= cyrillic
    kinds = {n.full: n.kind for n in person.names}
    assert kinds["Maria Aleksandrovna Zakharova"] is NameKind.FORMER  # previousName
    assert kinds["Zakharova Mariia Oleksandrivna"] is NameKind.ALIAS
    assert ("tax_id", "183116181362", "innCode") in {(i.type, i.value, i.note) for i in person.identifiers}
    assert person.birth_dates == [DateSpec("1988-01-07")]
    assert person.gender == "female" and person.nationalities == ["ru"]
    assert person.properties["fatherName"] == ["АЛЕКСАНДРОВНА"]
    assert person.programs == ["UA-SA1644", "US-RUSHAR", "GB-RUS"]


def test_sanctions_folded_into_targets(shared_data: Path, zala: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = zala
    raw = _lines(shared_data / ZALA)
    sanctions = [r for r in raw if r["schema"] == "Sanction"]
    assert len(sanctions) == 41
    assert not any(e.id.startswith("ftm:") and e.schema == "Sanction" for e in entities.values())
    for sanction in sanctions:
        target = entities[f"ftm:{sanction['properties']['entity'][0]}"]
        for program_id in sanction["properties"].get("programId", []):
            assert program_id in target.programs
        for authority in sanction["properties"].get("authority", []):
            assert authority in target.properties["authority"]
    zakharov_id = next(r["id"] for r in raw if r["caption"] == "Alexander Vyacheslavovich ZAKHAROV")
    dates = [
        d[:10]
        for s in sanctions
        if s["properties"]["entity"] == [zakharov_id]
        for d in (s["properties"].get("listingDate") or s["properties"].get("startDate", []))
    ]
    assert entities[f"ftm:{zakharov_id}"].listed_on == min(dates)


def test_relations_link_both_ends(shared_data: Path, zala: tuple[ListMeta, dict[str, Entity]]) -> None:
    _, entities = zala
    for family in (r for r in _lines(shared_data / ZALA) if r["schema"] == "Family"):
        person, relative = family["properties"]["person"][0], family["properties"]["relative"][0]
        assert f"ftm:{relative}" in entities[f"ftm:{person}"].linked_to
        assert f"ftm:{person}" in entities[f"ftm:{relative}"].linked_to


def test_wd_persons_positions_and_dataset(shared_data: Path) -> None:
    parsed = ftm_json.parse(shared_data / WD / "entities.ftm.json")
    entities = {e.list_ref: e for e in parsed.entities}
    assert parsed.meta.source == "ftm:wd_persons"
    assert len(entities) == 9 and parsed.meta.extra["folded_or_skipped"] == {
        "Position": 5,
        "Family": 4,
        "Occupancy": 5,
    }
    raw = [r for r in _lines(shared_data / WD / "entities.ftm.json") if r["schema"] == "Person"]
    for person in raw:
        # The export's Occupancies carry no `post`: positions are the person's own.
        assert entities[person["id"]].positions == person["properties"].get("position", [])
    assert entities["Q296771"].caption == "Saad Hariri"
    assert entities["Q296771"].birth_dates == [DateSpec("1970-04-18")]
    assert set(entities["Q296771"].nationalities) == {"lb", "fr", "sa"}


def test_nested_export_matches_flat(shared_data: Path) -> None:
    flat = {e.id: e.to_dict() for e in ftm_json.parse(shared_data / WD / "entities.ftm.json").entities}
    path = shared_data / WD / "targets.nested.json"
    assert ftm_json.sniff(path, read_head(path))
    nested = ftm_json.parse(path)
    assert {e.id: e.to_dict() for e in nested.entities} == flat
    assert nested.meta.extra["targets"] == 5


def test_sample_fixture(tmp_path: Path) -> None:
    parsed = ftm_json.parse(FIXTURES / "sample_entities.jsonl")
    entities = {e.list_ref: e for e in parsed.entities}
    assert parsed.meta.source == "ftm:authored_sample"
    assert {k: e.schema for k, e in entities.items()} == {
        "kp-vessel-1": "Vessel",
        "kp-plane-1": "Aircraft",
        "kp-body-1": "Organization",
        "kp-person-1": "Person",
    }
    vessel = entities["kp-vessel-1"]
    assert vessel.un_refs == ["KPe.999"] and vessel.listed_on == "2018-03-30"
    assert ("imo", "8660313") in {(i.type, i.value) for i in vessel.identifiers}
    assert vessel.properties["flag"] == ["kp"] and vessel.programs == ["UN-SC1718"]
    person = entities["kp-person-1"]
    assert (person.names[0].full, person.names[0].given, person.names[0].family) == (
        "Chang Ho RI",
        "Chang Ho",
        "RI",
    )
    assert person.addresses[0].city == "Pyongyang"
    assert ("national_id", "745310010", "kp") in {(i.type, i.value, i.country) for i in person.identifiers}
    assert person.linked_to == ["ftm:kp-body-1"]  # Membership
    assert person.positions == ["Director of Reconnaissance General Bureau"]  # Occupancy -> Position
    assert {n.full: n.kind for n in entities["kp-body-1"].names}[
        "Chongch'al Ch'ongguk"
    ] is NameKind.WEAK_ALIAS


def test_malformed_line(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / ZALA).read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4][:-10]  # line 5 loses its closing characters
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(ftm_json.parse(path).entities)
    assert info.value.path == str(path) and info.value.where == "line 5"
    assert "malformed JSON" in info.value.message


def test_unknown_schema(tmp_path: Path) -> None:
    lines = (FIXTURES / "sample_entities.jsonl").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"schema": "Airplane"', '"schema": "Aircraft"')  # not an FtM 4 schema
    path = tmp_path / "entities.ftm.json"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        ftm_json.parse(path)
    assert info.value.where == "line 3: schema" and "'Aircraft'" in info.value.message


def test_export_round_trip(
    zala: tuple[ListMeta, dict[str, Entity]], shared_data: Path, tmp_path: Path
) -> None:
    _, entities = zala
    originals = {r["id"]: r for r in _lines(shared_data / ZALA)}
    exported = [ftm_json.entity_to_ftm(e) for e in entities.values()]
    for data in exported:
        proxy = model.get_proxy(data)  # accepted by FtM...
        assert proxy.schema.name == originals[data["id"]]["schema"]
        # ...and already clean: FtM's own cleaning changes nothing.
        assert model.get_proxy(data, cleaned=False).to_dict()["properties"] == data["properties"]
        original = originals[data["id"]]["properties"]
        for prop in ("name", "alias", "previousName", "birthDate", "innCode", "ogrnCode", "gender"):
            assert sorted(data["properties"].get(prop, [])) == sorted(original.get(prop, [])), prop
        # citizenship is folded into nationalities, so the export may hold more.
        assert set(original.get("nationality", [])) <= set(data["properties"].get("nationality", []))
    # Importing the export gives back the same names, identifiers and dates.
    path = tmp_path / "export.ftm.json"
    path.write_text("\n".join(json.dumps(d, ensure_ascii=False) for d in exported) + "\n", encoding="utf-8")
    again = {e.id: e for e in ftm_json.parse(path).entities}
    assert set(again) == set(entities)
    for entity_id, entity in entities.items():
        assert {(n.full, n.kind) for n in again[entity_id].names} == {(n.full, n.kind) for n in entity.names}
        assert set(again[entity_id].identifiers) <= set(entity.identifiers)
        for lost in set(entity.identifiers) - set(again[entity_id].identifiers):
            # Only values FtM itself rejects are lost (a ";"-joined phone list...).
            schema = model.get(originals[entity.list_ref]["schema"])
            ftm_prop = schema.get(lost.note) if schema is not None else None
            assert ftm_prop is not None and ftm_prop.type.clean(lost.value) is None, lost
        assert again[entity_id].birth_dates == entity.birth_dates


def test_export_other_sources() -> None:
    aircraft = Entity(id="ofac:123", source="ofac-sdn", schema="Aircraft", names=[], programs=["IRAN"])
    vessel = Entity(id="uk-fcdo:DPR0100", source="uk-fcdo", schema="Vessel")
    data = ftm_json.entity_to_ftm(aircraft)
    assert data["schema"] == "Airplane" and data["id"] == "ofac-123"
    assert data["properties"]["programId"] == ["IRAN"]
    assert ftm_json.entity_to_ftm(vessel)["id"] == "uk-fcdo-DPR0100"
    model.get_proxy(data)


# --- OpenSanctions targets.simple.csv ---------------------------------------------------------------


def test_simple_csv(shared_data: Path) -> None:
    path = shared_data / UA_CSV
    assert os_simple_csv.sniff(path, read_head(path))
    assert not ftm_json.sniff(path, read_head(path))
    assert not os_simple_csv.sniff(shared_data / ZALA, read_head(shared_data / ZALA))
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    parsed = os_simple_csv.parse(path)
    entities = {e.id: e for e in parsed.entities}
    assert len(rows) == len(entities) == 5600
    assert Counter(e.schema for e in entities.values()) == Counter(r["schema"] for r in rows)
    assert parsed.meta.source == "ftm:ukraine-war-and-sanctions"
    assert parsed.meta.published == max(r["last_change"] for r in rows)
    rosalin = next(e for e in entities.values() if e.caption == "ROSALIN")
    assert [(i.type, i.value) for i in rosalin.identifiers] == [("imo", "9253325")]
    assert {n.full for n in rosalin.names if n.kind is NameKind.ALIAS} == {"Ceram Sea", "Gold Sun", "Nurkez"}
    assert rosalin.countries == ["lr", "pa", "sg", "st"] and rosalin.programs == ["UA-WS-MARE"]
    imo_rows = sum(1 for r in rows for i in r["identifiers"].split(";") if i.startswith("IMO"))
    assert sum(1 for e in entities.values() for i in e.identifiers if i.type == "imo") == imo_rows


def test_simple_csv_dataset_from_index(shared_data: Path) -> None:
    parsed = os_simple_csv.parse(shared_data / WD / "targets.simple.csv")
    entities = list(parsed.entities)
    assert parsed.meta.source == "ftm:wd_persons"  # same key as the bundle's entities.ftm.json
    assert [e.caption for e in entities][:1] == ["Saad Hariri"] and len(entities) == 5


def test_simple_csv_errors(tmp_path: Path) -> None:
    header = (
        "id,schema,name,aliases,birth_date,countries,addresses,identifiers,sanctions,phones,emails,dataset\n"
    )
    path = tmp_path / "targets.simple.csv"
    path.write_text(header + "a1,Person,A B,,,,,,,,,Test\na2,Sanction,X,,,,,,,,,Test\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        list(os_simple_csv.parse(path).entities)
    assert info.value.where == "line 3: schema"
    path.write_text("id,schema,name\n", encoding="utf-8")
    with pytest.raises(ParseError) as info:
        os_simple_csv.parse(path)
    assert "'aliases'" in info.value.message
