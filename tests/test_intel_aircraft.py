"""Aircraft in reports: registration by its national pattern, type and operator
(data/aircraft.yaml), in English and Russian, through FollowTheMoney."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from followthemoney import model

from corridor.intel.extract import Extractor
from corridor.intel.ftm import to_ftm
from corridor.intel.model import Analysis, Fact
from corridor.intel.vocab import vocabulary
from corridor.services.trade import nomenclature

HERE = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def extractor(shared_data: Path) -> Extractor:
    return Extractor(vocabulary(nomenclature().describe))


def aircraft(extractor: Extractor, text: str, date: dt.date = dt.date(2023, 9, 12)) -> dict[str, Fact]:
    doc = extractor.read_text(text, "t.txt", date)
    facts = extractor.facts(doc)
    for fact in facts:
        for e in fact.evidence:
            assert doc.text[e.start : e.end] == e.text
    return {f.label: f for f in facts if f.kind == "aircraft"}


def test_registrations_types_and_operators(extractor: Extractor) -> None:
    path = HERE / "intel_data" / "aircraft_air_koryo.txt"
    doc = extractor.read(path.read_bytes(), str(path), dt.date(2023, 9, 12), suffix=".txt")
    facts = extractor.facts(doc)
    found = {f.label: f for f in facts if f.kind == "aircraft"}
    # "counter P-100" is in a sentence about no aircraft: not a registration
    assert set(found) == {"P-632", "P-881", "RA-89011"}
    p632, p881, ra = found["P-632"].attrs, found["P-881"].attrs, found["RA-89011"].attrs
    assert (p632["type"], p632["operator"], p632["country"]) == ("Tupolev Tu-204", "Air Koryo", "kp")
    assert (p881["type"], p881["operator"], p881["country"]) == ("Ilyushin Il-62", "Air Koryo", "kp")
    assert (ra["type"], ra["operator"], ra["country"]) == ("Sukhoi Superjet 100", "Aeroflot", "ru")
    # the operators are parties (screened like any organisation)
    parties = {f.label for f in facts if f.kind == "entity"}
    assert {"Air Koryo", "Aeroflot"} <= parties
    # the later "The Tu-204 returned" is the P-632 already known, not another aircraft
    assert not any(f.label.endswith("Tu-204") for f in found.values())


def test_a_type_without_registration_is_keyed_by_operator(extractor: Extractor) -> None:
    found = aircraft(
        extractor,
        "An Air Koryo flight left Pyongyang. The aircraft, a Tupolev TU-204, was towed after it overran the runway.",
    )
    (only,) = found.values()
    assert only.label == "Air Koryo Tupolev Tu-204" and only.attrs["registration"] == ""
    assert only.key == "aircraft:air koryo:tu-204"


def test_real_report_kbs_an148(extractor: Extractor) -> None:
    # KBS World, 2023-09 (http://world.kbs.co.kr/service/news_view.htm?lang=e&Seq_Code=180419),
    # from the search tool's pages corpus; text used as test input only
    text = (
        "An Air Koryo flight has reportedly departed for Vladivostok, Russia, following reports that "
        "North Korean leader Kim Jong-un has left for Russia via train to attend a summit with Russian "
        "President Vladimir Putin.According to flight tracking website Flightradar24, the Air Koryo flight "
        "left Pyongyang's Sunan International Airport at approximately 6:57 a.m. on Tuesday and is currently "
        "heading towards Vladivostok.While the North owns two AN-148 planes manufactured by Ukraine's Antonov "
        "Company, registered as P-671 and P-672, the flight detected on Tuesday is said to be registered as "
        "P-671, which has been used by Kim in the past."
    )
    found = aircraft(extractor, text)
    assert set(found) == {"P-671", "P-672"}
    for fact in found.values():
        assert fact.attrs["type"] == "Antonov An-148" and fact.attrs["operator"] == "Air Koryo"
    assert len(found["P-671"].evidence) == 2  # both mentions, each with its span


def test_russian_aircraft(extractor: Extractor) -> None:
    found = aircraft(
        extractor,
        "Самолёт Ту-204 авиакомпании Air Koryo с бортовым номером P-632 вчера приземлился во Владивостоке.",
    )
    assert found["P-632"].attrs["type"] == "Tupolev Tu-204"
    assert found["P-632"].attrs["operator"] == "Air Koryo"


def test_aircraft_as_ftm_airplane(extractor: Extractor) -> None:
    path = HERE / "intel_data" / "aircraft_air_koryo.txt"
    doc = extractor.read(path.read_bytes(), str(path), dt.date(2023, 9, 12), suffix=".txt")
    entities = [model.get_proxy(e) for e in to_ftm(Analysis(doc, extractor.facts(doc)))]
    planes = {p.first("registrationNumber"): p for p in entities if p.schema.name == "Airplane"}
    assert set(planes) == {"P-632", "P-881", "RA-89011"}
    operators = {e.id: e for e in entities if e.schema.name == "Organization"}
    operator_id = planes["P-632"].first("operator")
    assert operator_id in operators and operators[operator_id].first("name") == "Air Koryo"
    assert planes["P-632"].first("country") == "kp"


def test_aircraft_are_screened_by_registration(extractor: Extractor) -> None:
    from corridor.intel.analyse import analyse
    from corridor.intel.listed import ListedName, ListedNames
    from corridor.intel.model import ScreenHit

    asked: list[tuple[str, str]] = []

    def screen(name: str, schema: str) -> list[ScreenHit]:
        asked.append((name, schema))
        if (name, schema) == ("EP-GOM", "Aircraft"):
            return [ScreenHit("ofac:15431", "EP-GOM", 1.0, "ofac-sdn", "15431", "registration mark")]
        return []

    listed = ListedNames([ListedName("ofac:15431", "Aircraft", "EP-GOM")])
    text = (
        "The Il-76TD EP-GOM of Yas Air landed in Vladivostok on Friday. "
        "An Air Koryo Tu-204, P-632, flew in on the same day."
    )
    doc = extractor.read_text(text, "t.txt", dt.date(2023, 9, 12))
    analysis = analyse(doc, extractor, listed=listed, screen=screen)
    planes = {f.label: f for f in analysis.facts if f.kind == "aircraft"}
    assert ("EP-GOM", "Aircraft") in asked and ("P-632", "Aircraft") in asked
    assert planes["EP-GOM"].attrs["listed"] and planes["EP-GOM"].attrs["type"] == "Ilyushin Il-76"
    assert analysis.screening[planes["EP-GOM"].key][0].entity_id == "ofac:15431"
    assert analysis.screening[planes["P-632"].key] == [] and not planes["P-632"].attrs["listed"]
    # FtM: the listed aircraft carries the sanction topic
    entities = [model.get_proxy(e) for e in to_ftm(analysis)]
    (listed_plane,) = [e for e in entities if e.schema.name == "Airplane" and "sanction" in e.get("topics")]
    assert listed_plane.first("registrationNumber") == "EP-GOM"


def test_a_bad_registration_pattern_names_its_file_and_field() -> None:
    import copy

    from corridor.errors import ParseError
    from corridor.intel.vocab import Vocabulary, load_data

    data = copy.deepcopy(load_data())
    data["aircraft"]["registrations"][1]["pattern"] = "RA-(\\d{5}"
    with pytest.raises(ParseError) as caught:
        Vocabulary(data)
    message = str(caught.value)
    assert "aircraft.yaml" in message and "registrations/1/pattern" in message
