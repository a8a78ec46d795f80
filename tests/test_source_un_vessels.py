"""The 1718 Committee's Designated Vessels List parser, on the authored page in
tests/fixtures/un/ (see the README beside it: authored in the published table layout,
not an official download), and the IMO numbers the UN consolidated XML carries only
in COMMENTS1.

Every expected value is written in the fixture (quoted in the comments); counts are
recomputed from the raw bytes, independently of the parser.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from corridor.errors import LimitError
from corridor.model import Identifier, NameKind
from corridor.sources import detect
from corridor.sources import parse as parse_any
from corridor.sources.base import ParseError
from corridor.sources.un_vessels import FORMAT, SOURCE, numbered, parse, sniff
from corridor.sources.un_xml import imo_numbers, record_to_entity
from corridor.trade.screening import list_family
from corridor.types.identifiers import imo_check_digit_ok

SAMPLE = Path(__file__).parent / "fixtures" / "un" / "un_1718_designated_vessels_sample.html"
PORT_ENTRY = "Paragraph 6 of resolution 2371 (2017) and paragraph 6 of resolution 2375 (2017)".lower()


@pytest.fixture(scope="module")
def vessels() -> dict[str, object]:
    return {e.list_ref: e for e in parse(SAMPLE).entities}


def test_fixture_is_declared_as_authored() -> None:
    readme = (SAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert "authored from the published layout, not an official download" in readme


def test_detected_as_the_un_vessel_list_with_and_without_the_hint() -> None:
    assert detect(SAMPLE).FORMAT == FORMAT
    assert detect(SAMPLE, "un").FORMAT == FORMAT
    head = SAMPLE.read_bytes()[:4096]
    assert sniff(SAMPLE, head)
    assert not sniff(SAMPLE, b"<?xml version='1.0'?><CONSOLIDATED_LIST dateGenerated='x'>")
    with pytest.raises(ParseError, match="not a ofac list file"):
        detect(SAMPLE, "ofac")


def test_meta_count_and_family() -> None:
    result = parse_any(SAMPLE)
    entities = list(result.entities)
    rows = len(re.findall(rb"<tr>", SAMPLE.read_bytes())) - 1  # minus the header row
    assert len(entities) == rows == 8
    assert result.meta.source == SOURCE == "un-vessels"
    assert result.meta.format == "un-1718-vessels-html"
    # "The 1718 Designated Vessels List was last updated on 16 October 2018."
    assert result.meta.published == "2018-10-16"
    assert result.meta.extra == {"vessels": 8}
    assert list_family(result.meta.source) == "un"
    assert all(e.schema == "Vessel" and e.programs == ["DPRK"] for e in entities)
    assert all(e.id == f"un-vessels:{e.list_ref}" for e in entities)


def test_port_entry_ban_vessel(vessels: dict[str, object]) -> None:
    # row 1: PETREL 8 | 9562233 | NA NA NA X NA | MMSI 620233000 | Comoros | General cargo | 5 October 2017
    petrel = vessels["9562233"]
    assert petrel.caption == "PETREL 8"  # type: ignore[attr-defined]
    assert petrel.identifiers == [  # type: ignore[attr-defined]
        Identifier("imo", "9562233", note="IMO ship number"),
        Identifier("mmsi", "620233000"),
    ]
    assert petrel.listed_on == "2017-10-05"  # type: ignore[attr-defined]
    assert petrel.countries == ["km"]  # type: ignore[attr-defined]
    assert petrel.properties["sanctions"] == ["port entry ban"]  # type: ignore[attr-defined]
    assert petrel.properties["measures"] == [f"port entry ban ({PORT_ENTRY})"]  # type: ignore[attr-defined]
    assert petrel.properties["type"] == ["General cargo"]  # type: ignore[attr-defined]
    assert petrel.notes == ["Transported prohibited items related to the DPRK."]  # type: ignore[attr-defined]


def test_numbered_names_and_flags_and_two_measures(vessels: dict[str, object]) -> None:
    # row 6: "1: KUM UN SAN 3<br>2: KUM UN SAN", flags "1: DPRK<br>2: Sierra Leone", 2321 12(a) + 2371 6
    kum = vessels["8705539"]
    assert [(n.full, n.kind) for n in kum.names] == [  # type: ignore[attr-defined]
        ("KUM UN SAN 3", NameKind.PRIMARY),
        ("KUM UN SAN", NameKind.ALIAS),
    ]
    assert kum.properties["flag"] == ["kp", "sl"]  # type: ignore[attr-defined]
    assert kum.properties["sanctions"] == ["de-flagging", "port entry ban"]  # type: ignore[attr-defined]
    assert kum.listed_on == "2018-10-16"  # type: ignore[attr-defined]


def test_asset_freeze_and_economic_resources_of_a_listed_entity(vessels: dict[str, object]) -> None:
    # row 5: CHON MA SAN, 1718 8(d) X and 2371 6 X, call sign HMZF
    chon = vessels["8660313"]
    assert chon.properties["sanctions"] == ["asset freeze", "port entry ban"]  # type: ignore[attr-defined]
    assert Identifier("call_sign", "HMZF") in chon.identifiers  # type: ignore[attr-defined]
    # row 8: CHONG CHON GANG, economic resources of "Ocean Maritime Management Company, Limited (KPe.020)"
    ccg = vessels["7937317"]
    assert "port entry ban" not in ccg.properties["sanctions"]  # type: ignore[attr-defined]
    assert ccg.linked_to == ["KPe.020"]  # type: ignore[attr-defined]
    assert "Designated as economic resources of: Ocean Maritime Management Company, Limited (KPe.020)" in (
        ccg.notes  # type: ignore[attr-defined]
    )


def test_every_imo_in_the_sample_passes_its_check_digit(vessels: dict[str, object]) -> None:
    assert all(imo_check_digit_ok(ref) for ref in vessels)


def test_numbered_cells() -> None:
    assert numbered("1: A B 2: C") == ["A B", "C"]
    assert numbered("PAEK MA") == ["PAEK MA"]
    assert numbered("") == []


def _page(
    tmp_path: Path, rows: str, header: str = "<th>#</th><th>Vessel name</th><th>IMO number</th>"
) -> Path:
    path = tmp_path / "vessels.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>1718 Designated Vessels List</title></head><body>"
        f"<table><tr>{header}</tr>{rows}</table></body></html>",
        encoding="utf-8",
    )
    return path


def test_the_table_may_start_far_into_the_page(tmp_path: Path) -> None:
    # the real page carries its site menus first: the table is beyond the 64 KiB head
    path = tmp_path / "page.html"
    menu = "<ul>" + "<li><a href='/x'>Security Council menu entry</a></li>" * 2000 + "</ul>"
    path.write_text(
        "<!DOCTYPE html><html><head><title>1718 Designated Vessels List | Security Council</title></head>"
        f"<body>{menu}<table><tr><th>#</th><th>Vessel name</th><th>IMO number</th></tr>"
        "<tr><td>1</td><td>PAEK MA</td><td>9066540</td></tr></table></body></html>",
        encoding="utf-8",
    )
    assert path.read_bytes().find(b"<table>") > 65536
    assert detect(path).FORMAT == FORMAT
    (vessel,) = list(parse_any(path).entities)
    assert (vessel.caption, vessel.list_ref) == ("PAEK MA", "9066540")


def test_a_malformed_imo_names_the_row_and_column(tmp_path: Path) -> None:
    path = _page(tmp_path, "<tr><td>1</td><td>PAEK MA</td><td>95A1234</td></tr>")
    with pytest.raises(ParseError, match=r"table row 1, column 'IMO number'.*not an IMO number") as info:
        list(parse(path).entities)
    assert info.value.path == str(path)


def test_a_failed_check_digit_is_kept_and_reported(tmp_path: Path) -> None:
    path = _page(tmp_path, "<tr><td>1</td><td>PAEK MA</td><td>9562234</td></tr>")
    result = parse(path)
    (vessel,) = list(result.entities)
    assert vessel.identifiers == [Identifier("imo", "9562234", note="fails the IMO check digit")]
    assert len(result.meta.warnings) == 1 and "9562234 fails its check digit" in result.meta.warnings[0]


def test_duplicate_vessels_and_short_rows_are_refused(tmp_path: Path) -> None:
    twice = _page(
        tmp_path, "<tr><td>1</td><td>A</td><td>9562233</td></tr><tr><td>2</td><td>B</td><td>9562233</td></tr>"
    )
    with pytest.raises(ParseError, match="duplicate vessel 9562233"):
        list(parse(twice).entities)
    short = _page(tmp_path, "<tr><td>1</td><td>A</td></tr>")
    with pytest.raises(ParseError, match="2 cells where the header has 3 columns"):
        list(parse(short).entities)


def test_a_page_without_the_table_is_refused(tmp_path: Path) -> None:
    path = _page(tmp_path, "", header="<th>Name</th><th>Nationality</th>")
    with pytest.raises(ParseError, match="no table with a vessel name and an IMO number column"):
        list(parse(path).entities)


def test_an_html_doctype_with_an_internal_subset_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.html"
    path.write_text(
        '<!DOCTYPE html [<!ENTITY a "aaaa">]><html><title>1718 Designated Vessels</title>'
        "<table><tr><th>Vessel name</th><th>IMO</th></tr><tr><td>&a;</td><td>9562233</td></tr></table></html>",
        encoding="utf-8",
    )
    with pytest.raises(ParseError, match="DTD/DOCTYPE declarations are not allowed"):
        detect(path)


def test_an_oversized_page_is_refused_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import corridor.sources.un_vessels as module

    monkeypatch.setattr(module, "MAX_BYTES", 100)
    with pytest.raises(LimitError, match="file too large"):
        parse(SAMPLE)


# --- IMO numbers in the UN consolidated XML's comments ------------------------------------


def _entity_xml(name: str, comments: str) -> etree._Element:
    return etree.fromstring(
        f"<ENTITY><DATAID>1</DATAID><FIRST_NAME>{name}</FIRST_NAME><UN_LIST_TYPE>DPRK</UN_LIST_TYPE>"
        f"<REFERENCE_NUMBER>KPe.900</REFERENCE_NUMBER><LISTED_ON>2018-03-30</LISTED_ON>"
        f"<COMMENTS1>{comments}</COMMENTS1></ENTITY>"
    )


@pytest.mark.parametrize(
    "comments",
    [
        "DPRK-flagged tanker used in ship-to-ship transfers. IMO: 9114555",
        "Vessel involved in prohibited coal exports, IMO number 9114555.",
        "A bulk carrier (IMO No. 9114555) flagged in the DPRK.",
    ],
)
def test_a_vessel_in_the_un_xml_gets_its_imo_from_the_comments(comments: str) -> None:
    entity = record_to_entity(_entity_xml("UL JI BONG 6", comments), Path("consolidated.xml"))
    assert entity.schema == "Vessel"
    assert entity.identifiers == [Identifier("imo", "9114555", note="IMO ship number, from the comments")]


def test_company_numbers_stay_company_numbers() -> None:
    # KPe.066 in the real file: "... Company Number IMO 5434358." (fails the ship check digit too)
    assert imo_numbers("Registered owner of the DPRK tanker YU JONG 2. Company Number IMO 5434358.") == [
        ("5434358", False)
    ]
    # a number that passes the ship check digit but is written as a company's
    assert imo_numbers("IMO company number 9114555") == [("9114555", False)]
    owner = record_to_entity(
        _entity_xml("KOREA TANKER SHIPPING COMPANY", "Owner of the tanker X. IMO number: 9114555."),
        Path("consolidated.xml"),
    )
    assert owner.schema == "Company"
    assert owner.identifiers == [Identifier("imo", "9114555", note="IMO company number, from the comments")]


def test_an_imo_failing_the_check_digit_does_not_make_a_vessel() -> None:
    entity = record_to_entity(
        _entity_xml("UL JI BONG 6", "DPRK tanker. IMO: 9114556"), Path("consolidated.xml")
    )
    assert entity.schema == "Organization"
    assert imo_numbers("DPRK tanker. IMO: 9114556") == [("9114556", False)]


# --- the import and update pipeline ---------------------------------------------------------


def test_registered_for_update_and_imported_beside_the_consolidated_list(
    sqlite_url: str, shared_data: Path, tmp_path: Path
) -> None:
    """`lists update --mirror` with the registry's entry imports the page as its own list
    (un-vessels), next to the UN consolidated list, and the trade check finds a vessel by IMO."""
    import dataclasses
    import shutil

    from corridor.fetch.registry import by_key
    from corridor.services import lists, trade
    from corridor.services.screening import party_screener
    from corridor.store import db, queries

    entry = by_key("un-vessels")
    assert (entry.hint, entry.url) == (
        "un",
        "https://main.un.org/securitycouncil/en/sanctions/1718/materials/1718-Designated-Vessels-List",
    )
    mirror = tmp_path / "mirror"
    (mirror / "un-vessels").mkdir(parents=True)
    shutil.copy(SAMPLE, mirror / "un-vessels" / entry.filename)
    (mirror / "un").mkdir()
    shutil.copy(shared_data / "un/2026-05-08/consolidated.xml", mirror / "un/consolidated.xml")
    engine = db.engine(sqlite_url)
    small = dataclasses.replace(entry, min_bytes=1_000)  # the authored page is smaller than the real one
    outcomes = lists.update(engine, tmp_path, mirror=mirror, sources=[by_key("un"), small])
    assert [o.status for o in outcomes] == ["imported", "imported"], [o.message for o in outcomes]
    active = {v.source: v for v in queries.versions(engine) if v.active}
    assert set(active) == {"un", "un-vessels"}
    assert active["un-vessels"].record_count == 8
    assert active["un-vessels"].published == "2018-10-16"
    screener = party_screener(engine, tmp_path)
    assert screener is not None
    hits = screener.screen("ANY NAME", "Vessel", imo="8126070")  # row 7, SHANG YUAN BAO
    assert [(h.list, h.ref, h.caption) for h in hits] == [("un-vessels", "8126070", "SHANG YUAN BAO")]
    ev = trade.evaluator(None, screener)
    data = {
        "id": "V-1",
        "type": "shipment",
        "date": "2024-05-01",
        "origin": "ru",
        "destination": "cn",
        "parties": [{"name": "OOO Vostok Zerno", "role": "exporter", "country": "ru"}],
        "goods": [{"hs_code": "1101.00", "quantity": 100, "unit": "t"}],
        "vessels": [{"name": "OCEAN GRACE", "imo": "8126070"}],
    }
    verdict = trade.check_data(data, "v.json", ev, record=False).verdicts[0]
    cited = {r.rule_id for r in verdict.reasons if "[un-vessels 8126070]" in r.subject}
    assert verdict.outcome.value == "PROHIBITED" and {"UN-LIST", "UN-2371-VSL"} <= cited
