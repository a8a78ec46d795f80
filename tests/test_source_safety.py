"""Hostile and broken list files: DTDs however hidden, zip bombs, bad bytes,
garbled dates (issue 14, #6, #7, #14, #15)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import pytest

from corridor import sources
from corridor.errors import LimitError, ParseError
from corridor.sources import base, ftm_json, os_simple_csv, uk_conlist, uk_fcdo, un_xml

FIXTURES = Path(__file__).parent / "fixtures"

UN_RECORD = (
    b"<INDIVIDUAL><DATAID>1</DATAID><FIRST_NAME>KIM</FIRST_NAME><SECOND_NAME>TEST</SECOND_NAME>"
    b"<UN_LIST_TYPE>DPRK</UN_LIST_TYPE><REFERENCE_NUMBER>KPi.999</REFERENCE_NUMBER>"
    b"<LISTED_ON>%s</LISTED_ON></INDIVIDUAL>"
)


def _un(listed_on: bytes = b"2016-03-02", prolog: bytes = b'<?xml version="1.0" encoding="UTF-8"?>') -> bytes:
    return (
        prolog
        + b'<CONSOLIDATED_LIST dateGenerated="2026-05-08T00:00:00Z"><INDIVIDUALS>'
        + UN_RECORD % listed_on
        + b"</INDIVIDUALS><ENTITIES/></CONSOLIDATED_LIST>"
    )


def _drain(path: Path, hint: str | None = None) -> list[object]:
    parsed = sources.parse(path, hint)
    return list(parsed.entities)


BOMB_DTD = b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'


@pytest.mark.parametrize(
    "prolog",
    [
        b'<?xml version="1.0"?><!-- a comment first -->' + BOMB_DTD,
        b'<?xml version="1.0"?><!-- <CONSOLIDATED_LIST> in a comment -->' + BOMB_DTD,
        b'<?xml version="1.0"?><?pi <x>?>\n\n<!--' + b"-" * 200_000 + b" -->" + BOMB_DTD,
        b'<?xml version="1.0"?>' + b" " * 100_000 + b"<!doctype l SYSTEM 'file:///etc/passwd'>",
    ],
    ids=["comment-first", "root-tag-in-comment", "long-comment", "lowercase-after-padding"],
)
def test_a_doctype_is_refused_however_it_is_hidden(tmp_path: Path, prolog: bytes) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un(prolog=prolog))
    with pytest.raises(ParseError, match="DTD/DOCTYPE") as info:
        _drain(path, "un")
    assert str(path) in str(info.value)
    with pytest.raises(ParseError, match="DTD/DOCTYPE"):
        un_xml.parse(path)


def test_the_parser_itself_refuses_a_doctype(tmp_path: Path) -> None:
    """Even when the prolog scan is bypassed, the parser reports the DOCTYPE and it is refused."""
    path = tmp_path / "x.xml"
    path.write_bytes(b'<?xml version="1.0"?>' + BOMB_DTD + b"<r><e>&b;</e></r>")
    with pytest.raises(ParseError, match="DTD/DOCTYPE"):
        list(base.safe_iterparse(str(path), path, ("end",), ("e",)))
    # no matching tag at all: refused at the end
    with pytest.raises(ParseError, match="DTD/DOCTYPE"):
        list(base.safe_iterparse(str(path), path, ("end",), ("nothing",)))


def test_utf16_xml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un().decode().encode("utf-16"))
    with pytest.raises(ParseError, match="UTF-16"):
        un_xml.parse(path)


def test_a_clean_prolog_with_comments_still_parses(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un(prolog=b'\xef\xbb\xbf<?xml version="1.0"?>\n<!-- generated -->\n<?pi x?>\n'))
    (entity,) = _drain(path, "un")
    assert entity.id == "un:KPi.999"  # type: ignore[attr-defined]


def test_a_garbled_listed_on_is_kept_as_a_note_and_reported(tmp_path: Path) -> None:
    path = tmp_path / "consolidated.xml"
    path.write_bytes(_un(listed_on=b"2016-13-45"))
    parsed = un_xml.parse(path)
    (entity,) = list(parsed.entities)
    assert entity.listed_on == ""
    assert any("2016-13-45" in note for note in entity.notes)
    assert len(parsed.meta.warnings) == 1 and "KPi.999" in parsed.meta.warnings[0]
    assert "2016-13-45" in parsed.meta.warnings[0] and str(path) in parsed.meta.warnings[0]


def _zip_bomb(path: Path, member: str, inflated: int) -> None:
    """A zip whose one member inflates from a few kB to `inflated` bytes of zeros,
    written in bounded memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as handle:
            block = b"\0" * (1 << 20)
            for _ in range(inflated >> 20):
                handle.write(block)


def _declare_huge(path: Path, member: str, size: int) -> None:
    """Rewrite a member's declared uncompressed size in the central directory (a lying header)."""
    raw = bytearray(path.read_bytes())
    position = 0
    while True:
        position = raw.find(b"PK\x01\x02", position)
        assert position >= 0
        name_len = struct.unpack_from("<H", raw, position + 28)[0]
        name = bytes(raw[position + 46 : position + 46 + name_len]).decode()
        if name == member:
            struct.pack_into("<I", raw, position + 24, size)
            break
        position += 4
    path.write_bytes(bytes(raw))


def test_an_xlsx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    _zip_bomb(path, "xl/worksheets/sheet1.xml", 300 << 20)  # ~300 kB on disk → 300 MB
    assert path.stat().st_size < 2_000_000
    with pytest.raises(LimitError, match="zip bomb") as info:
        uk_conlist.parse(path)
    assert str(path) in str(info.value) and "sheet1.xml" in str(info.value)


def test_a_lying_declared_size_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<x/>" * 1000)
    _declare_huge(path, "xl/worksheets/sheet1.xml", 3_200_000_000)
    with pytest.raises(LimitError) as info:
        base.check_zip(path)
    assert str(path) in str(info.value)


def test_an_ods_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "UK_Sanctions_List_summary.ods"
    _zip_bomb(path, "content.xml", 64 << 20)
    with pytest.raises(LimitError, match="zip bomb"):
        uk_fcdo.parse(path)


def test_ftm_with_a_bad_byte_names_file_and_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "ftm/sample_entities.jsonl").read_bytes().splitlines(keepends=True)
    lines[2] = lines[2].replace(b'"', b'"\xff', 1)
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(b"".join(lines))
    with pytest.raises(ParseError) as info:
        parsed = ftm_json.parse(path)
        list(parsed.entities)
    assert str(path) in str(info.value) and "line 3" in str(info.value) and "0xff" in str(info.value)


def test_simple_csv_with_a_bad_byte_names_the_line(tmp_path: Path) -> None:
    header = ",".join(os_simple_csv.REQUIRED_COLUMNS)
    path = tmp_path / "targets.simple.csv"
    path.write_bytes(header.encode() + b"\n" + b"x\xc3(" + b"\n")
    with pytest.raises(ParseError) as info:
        list(os_simple_csv.parse(path).entities)
    assert "line 2" in str(info.value)


def test_uk_csv_with_an_undecodable_byte_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    # 0x81 is undefined in cp1252 too: no encoding reads it
    body = b"Last Updated,01/02/2025\r\nName 6,Group Type,Alias Type,Regime,Group ID\r\nA\x81,Individual,x,y,1\r\n"
    path.write_bytes(body)
    with pytest.raises(ParseError) as info:
        parsed = uk_conlist.parse(path)
        list(parsed.entities)
    assert str(path) in str(info.value) and "line" in str(info.value)


def test_zip_check_accepts_the_real_spreadsheets(shared_data: Path) -> None:
    base.check_zip(shared_data / "uk/ofsi_conlist_2025-04-14/ConList.xlsx")
    base.check_zip(shared_data / "uk/fcdo_uk_sanctions_list_summary_2025-08-11/UK_Sanctions_List_summary.ods")


def test_an_unreadable_zip_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "ConList.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    with pytest.raises(ParseError):
        base.check_zip(path)


def test_ftm_nested_beyond_reason_is_a_parse_error(tmp_path: Path) -> None:
    lines = (FIXTURES / "ftm/sample_entities.jsonl").read_bytes().splitlines(keepends=True)
    path = tmp_path / "entities.ftm.json"
    path.write_bytes(lines[0] + b"[" * 200_000 + b"\n")
    with pytest.raises(ParseError, match="nested too deeply") as info:
        list(ftm_json.parse(path).entities)
    assert "line 2" in str(info.value)


def test_detection_survives_a_bom_only_file_and_a_corrupt_zip_member(tmp_path: Path) -> None:
    """Two fuzzing findings: an IndexError in the simple-CSV sniff, a zlib.error in the xlsx sniff."""
    bom = tmp_path / "targets.simple.csv"
    bom.write_bytes(b"\xef\xbb\xbf")
    with pytest.raises(ParseError, match="unrecognised"):
        sources.parse(bom)
    good = tmp_path / "good.xlsx"
    with zipfile.ZipFile(good, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<sst>" + b"Name 6 Last Updated " * 500 + b"</sst>")
    raw = bytearray(good.read_bytes())
    start = raw.find(b"xl/sharedStrings.xml") + len(b"xl/sharedStrings.xml")
    raw[start + 10 : start + 40] = b"\xff" * 30  # corrupt the deflate stream
    bad = tmp_path / "ConList.xlsx"
    bad.write_bytes(bytes(raw))
    with pytest.raises((ParseError, LimitError)):
        list(sources.parse(bad).entities)
