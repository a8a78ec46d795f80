"""Single-read splits (services.splits): the records of the splits, read one
after the other, are the streaming reader's records of the whole file (rows,
numbers, bytes), whatever the line ends, the block size of the counting scan
and the number of parts."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corridor.errors import InputError
from corridor.services import splits, streaming
from corridor.services.splits import (
    Split,
    clear_parts,
    file_splits,
    line_ends,
    split_records,
    write_parquet_part,
)


def _streamed(path: Path) -> list[streaming.Record]:
    reader = streaming._Reader(path)
    try:
        return list(reader.records())
    finally:
        reader.close()


def _from_splits(parts: list[Split]) -> list[streaming.Record]:
    return [record for part in parts for record in split_records(part)]


def _assert_covering(parts: list[Split], size: int) -> None:
    assert parts[0].start == 0 and parts[-1].end == size
    assert all(a.end == b.start for a, b in itertools.pairwise(parts))
    assert all(p.start < p.end for p in parts) or size == 0
    assert [p.index for p in parts] == list(range(len(parts)))


MIXED = (
    b'{"id": "a", "name": "Kim Jong Un"}\n'
    b"\n"
    b'{"id": "b", "name": "\xea\xb9\x80\xec\xa0\x95\xec\x9d\x80"}\r\n'  # Hangul, CRLF
    b'{"id": "c", "name": "Ri \xff Chol"}\r'  # not UTF-8, a lone CR
    b"{not json\r\n"
    b"   \n"
    b'{"id": "d", "name": "\xd0\x9e\xd0\x9e\xd0\x9e \xd0\x90\xd0\xbb\xd0\xb8\xd1\x81"}\n'
    b"\r\r\n\n"
    b'{"id": "e", "name": "' + b"x" * 300 + b'"}\n'
    b'{"id": "f", "name": "last line, no line end"}'
)


@pytest.mark.parametrize("parts", [1, 2, 3, 4, 7, 50])
@pytest.mark.parametrize("block", [1, 2, 5, 64, 1 << 20])
def test_jsonl_splits_give_the_streaming_records(
    tmp_path: Path, parts: int, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(splits, "SCAN_BLOCK", block)
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(MIXED)
    cut = file_splits(path, parts)
    _assert_covering(cut, len(MIXED))
    assert 1 <= len(cut) <= parts
    assert _from_splits(cut) == _streamed(path)
    for part in cut[1:]:
        assert MIXED[part.start - 1 : part.start] == b"\n"  # cut just after a line feed


def test_jsonl_rows_are_line_numbers_across_splits(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    lines = [json.dumps({"id": str(i), "name": f"Name {i}"}) for i in range(1, 1001)]
    lines[499] = ""  # a blank line: skipped, but counted
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    cut = file_splits(path, 4)
    assert len(cut) == 4
    assert cut[0].first_row == 1
    got = _from_splits(cut)
    assert [r.row for r in got] == [n for n in range(1, 1001) if n != 500]
    assert all(json.loads(str(r.data))["id"] == str(r.row) for r in got)


def test_a_line_longer_than_a_part_gives_fewer_splits(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_bytes(b'{"name": "a"}\n' + b'{"name": "' + b"y" * 10_000 + b'"}\n' + b'{"name": "b"}\n')
    cut = file_splits(path, 8)
    assert 1 < len(cut) < 8
    assert _from_splits(cut) == _streamed(path)


def test_an_empty_file_is_one_empty_split(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    cut = file_splits(path, 4)
    assert cut == [Split(0, str(path), "jsonl", 0, 0, 1)]
    assert _from_splits(cut) == []


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(
        st.sampled_from(
            [b"{}", b'{"name": "x"}', b"\n", b"\r", b"\r\n", b" ", b"\xff", b"\xea\xb9", b"\x80"]
        ),
        max_size=60,
    ),
    parts=st.integers(1, 9),
    block=st.integers(1, 16),
)
def test_any_bytes_split_as_the_streaming_reader_reads_them(
    tmp_path: Path, pieces: list[bytes], parts: int, block: int
) -> None:
    data = b"".join(pieces)
    path = tmp_path / "any.jsonl"
    path.write_bytes(data)
    old = splits.SCAN_BLOCK
    splits.SCAN_BLOCK = block
    try:
        cut = file_splits(path, parts)
    finally:
        splits.SCAN_BLOCK = old
    _assert_covering(cut, len(data))
    assert _from_splits(cut) == _streamed(path)


def test_line_ends_count_universal_newlines() -> None:
    assert line_ends(b"a\nb\r\nc\rd") == 3
    assert line_ends(b"\r\r\n\n") == 3
    assert line_ends(b"\n", after_cr=True) == 0  # the LF of a CRLF cut between blocks
    assert line_ends(b"\r", after_cr=True) == 1
    assert line_ends(b"") == 0


@pytest.mark.parametrize("parts", [1, 2, 3, 5, 40])
def test_parquet_splits_give_the_streaming_records(tmp_path: Path, parts: int) -> None:
    directory = tmp_path / "parties.parquet"  # part files, several row groups each
    directory.mkdir()
    row = 0
    for number, size in enumerate([7, 0, 13, 5]):
        rows = [
            {"id": f"p{row + i}", "name": f"Name {row + i}", "country": "" if i % 3 else "kp"}
            for i in range(size)
        ]
        row += size
        table = pa.Table.from_pylist(
            rows, schema=pa.schema([("id", pa.string()), ("name", pa.string()), ("country", pa.string())])
        )
        pq.write_table(table, directory / f"part-{number:05d}.parquet", row_group_size=3)
    cut = file_splits(directory, parts)
    assert cut[0].first_row == 1 and cut[-1].end == 25
    assert all(p.first_row == p.start + 1 for p in cut)
    assert _from_splits(cut) == _streamed(directory)
    assert len(_from_splits(cut)) == 25


CSV_TRICKY = (
    "\ufeffid,name,schema,identifiers\r\n".encode()
    + b'1,"Kim\nJong Un",Person,a;b\r\n'  # a quoted line feed
    + b"\r\n"  # a blank line: skipped, not numbered
    + b'2,"ACME\r\nTRADING, LTD",Company,\r\n'  # a quoted CRLF and a comma
    + b"3,Ri Chol,Person\n"  # a column short: malformed
    + b"4,Pak,Person,x,extra\n"  # a column too many: malformed
    + b'5,"He said ""hi""\rthen left",Person,\r'  # doubled quotes, a quoted lone CR, a CR line end
    + b"6,Ri \xff Chol,Person,\n"  # not UTF-8
    + b"7,\xea\xb9\x80\xec\xa0\x95\xec\x9d\x80,Person,\n"  # Hangul
    + b"8,nul\x00here,Person,\n"  # a NUL: csv.Error
    + b'9,ab"c,Person,\n'  # a quote inside an unquoted field
    + b"\n\n"
    + b"10,Last Row,Person,"  # no line end
)


@pytest.mark.parametrize("parts", [1, 2, 3, 4, 6, 20])
def test_csv_splits_give_the_streaming_records(tmp_path: Path, parts: int) -> None:
    path = tmp_path / "tricky.csv"
    path.write_bytes(CSV_TRICKY)
    cut = file_splits(path, parts)
    _assert_covering(cut, len(CSV_TRICKY))
    assert cut[0].first_row == 2 and all(p.header == ("id", "name", "schema", "identifiers") for p in cut)
    expected = _streamed(path)
    assert len(expected) == 10 and sum(r.error is not None for r in expected) == 3
    assert _from_splits(cut) == expected
    if parts >= 4:
        assert len(cut) >= 3  # cut inside the file, not only at its end


def test_a_quoted_line_end_is_never_a_cut(tmp_path: Path) -> None:
    path = tmp_path / "quoted.csv"
    rows = [f'{i},"Name {i}\nsecond line of {i}"' for i in range(1, 401)]
    path.write_text("id,name\n" + "\n".join(rows) + "\n", encoding="utf-8")
    cut = file_splits(path, 7)
    assert len(cut) == 7
    data = path.read_bytes()
    for part in cut[1:]:
        assert data[part.start : part.start + 1] != b"s"  # never the second line of a record
        first = next(iter(split_records(part)))
        assert first.row == part.first_row and isinstance(first.data, dict)
        assert first.data["id"] == str(part.first_row - 1)
    assert _from_splits(cut) == _streamed(path)


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(
        st.sampled_from(
            [b"a", b",", b'"', b'""', b"\n", b"\r", b"\r\n", b" ", b"\xff", b"\x00", b"\xea\xb9\x80"]
        ),
        max_size=60,
    ),
    parts=st.integers(1, 9),
)
def test_any_csv_bytes_split_as_the_streaming_reader_reads_them(pieces: list[bytes], parts: int) -> None:
    import tempfile

    data = b"id,name\n" + b"".join(pieces)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "any.csv"
        path.write_bytes(data)
        cut = file_splits(path, parts)
        _assert_covering(cut, len(data))
        assert _from_splits(cut) == _streamed(path)


def test_bad_inputs_are_refused(tmp_path: Path) -> None:
    headless = tmp_path / "q.csv"
    headless.write_text("id,title\n1,Kim\n", encoding="utf-8")
    with pytest.raises(InputError, match="no column 'name'"):  # as the streaming reader says
        file_splits(headless, 2)
    with pytest.raises(InputError, match="no such file"):
        file_splits(tmp_path / "missing.jsonl", 2)
    assert not splits.splittable(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="positive"):
        file_splits(headless, 0)


def test_parquet_parts_are_written_whole_and_cleared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(splits, "PART_ROWS", 4)
    schema = pa.schema([("id", pa.string()), ("row", pa.int64())])
    out = tmp_path / "hits.parquet"
    clear_parts(out)
    rows = [{"id": f"q{i}", "row": i} for i in range(1, 11)]
    assert write_parquet_part(out, 1, iter(rows[5:]), schema) == 5
    assert write_parquet_part(out, 0, iter(rows[:5]), schema) == 5
    assert write_parquet_part(out, 2, iter([]), schema) == 0  # an empty part: the schema, no rows
    assert sorted(p.name for p in out.iterdir()) == [f"part-0000{i}.parquet" for i in range(3)]
    assert pq.read_table(out).to_pylist() == rows
    assert pq.ParquetFile(out / "part-00001.parquet").metadata.num_row_groups == 2

    def broken() -> Iterator[dict[str, object]]:
        yield {"id": "q99", "row": 99}
        raise RuntimeError("the task died")

    with pytest.raises(RuntimeError):
        write_parquet_part(out, 0, broken(), schema)
    assert pq.read_table(out).to_pylist() == rows  # the old part stays whole, no temporary left
    assert not list(out.glob(".*"))

    (out / "_SUCCESS").touch()
    (out / "part-00007-c000.snappy.parquet").write_bytes(b"an earlier run's part")
    (out / ".part-00007-c000.snappy.parquet.crc").write_bytes(b"Spark's checksum")
    (out / "._SUCCESS.crc").write_bytes(b"")
    (out / "other.txt").write_text("kept")
    clear_parts(out)
    assert [p.name for p in out.iterdir()] == ["other.txt"]
    (tmp_path / "file.parquet").write_bytes(b"")
    with pytest.raises(InputError, match="is a file"):
        clear_parts(tmp_path / "file.parquet")
