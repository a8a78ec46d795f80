"""Single-read splits: an input file cut, in file order, into parts that can be
read independently, each knowing the row number of its first record.

A distributed job (corridor.spark) gives one split to each task: the task reads
its own bytes (or Parquet rows) once, numbers its records from `first_row` as
the streaming batch numbers them (`services.streaming`: JSONL line numbers, from
1; CSV rows, the header being row 1; Parquet rows, from 1), and the results come
out in input order, part after part, with no counting job over the data and no
sort.  Reading a split gives exactly the records the streaming reader gives for
that part of the file (tests/test_splits.py compares them, on any bytes).

* **JSONL.**  Byte ranges cut just after a line feed: a cut there is a line
  boundary whatever the line ends are (LF, CRLF or a lone CR, which the streaming
  reader also counts as a line end), and a line feed is never inside a UTF-8
  sequence.  The row number at a cut is the number of line ends before it,
  counted here in one sequential scan of the bytes (`bytes.count`, no parsing;
  4 ms for a 100,000-line file of 7 MB).  A split is read with the very
  text wrapper of the streaming reader (UTF-8, undecodable bytes kept as
  surrogates, universal newlines), so its records are the streaming reader's.
* **Parquet** (a file, or a directory of part files as Spark writes it): row
  ranges; the row counts come from the files' footers, nothing else is read.  A
  task reads only the row groups its range overlaps.
* **CSV**: a quoted field may hold a line end, so a byte offset cannot tell
  whether it is inside quotes; the cuts are found by parsing the file on the
  driver with the streaming reader's own CSV reader (the bytes of the lines each
  row took, up to the last cut), and each row number is the number of rows that
  reader returned or failed on before the cut (blank lines skipped).  That is a
  parse pass on the driver (no screening, no Spark job); each task reads its
  range with the same reader, given the header.
"""

from __future__ import annotations

import csv
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from corridor.errors import InputError
from corridor.services.streaming import (
    PARQUET_BATCH,
    InputKind,
    Record,
    csv_header,
    csv_reader,
    csv_records,
    input_kind,
    parquet_files,
    parquet_record,
    pyarrow_module,
)

SCAN_BLOCK = 1 << 20  # bytes per read of the counting scan
PART_ROWS = 5000  # result rows per Parquet row group written by `write_parquet_part`


@dataclass(frozen=True, slots=True)
class Split:
    """One part of an input file.  JSONL: bytes [start, end); Parquet: rows
    [start, end) counted from 0 over the part files in order.  `first_row` is the
    row number (JSONL: line number; CSV: row, the header being row 1) of the
    first record in the part."""

    index: int
    path: str
    kind: InputKind
    start: int
    end: int
    first_row: int
    header: tuple[str, ...] = ()  # CSV: the header row, for the splits after the first


def splittable(path: Path) -> bool:
    """Whether `path` can be cut into single-read splits (a CSV or JSONL file, a
    Parquet file or a directory of Parquet part files)."""
    if input_kind(path) == "parquet":
        return path.is_file() or (path.is_dir() and bool(parquet_files(path)))
    return path.is_file()


def file_splits(path: str | Path, parts: int) -> list[Split]:
    """At most `parts` splits of `path` in file order, covering it exactly (the
    first starts at row 1; an empty input is one empty split).  InputError for
    an input that cannot be read (a CSV file without a 'name' column)."""
    source = Path(path)
    if parts < 1:
        raise InputError("partitions", f"{parts} is not a positive number of parts")
    kind = input_kind(source)
    if not splittable(source):
        raise InputError("input", f"{source}: no such file")
    if kind == "parquet":
        return _parquet_splits(source, parts)
    if kind == "csv":
        return _csv_splits(source, parts)
    return _jsonl_splits(source, parts)


# --- JSONL ----------------------------------------------------------------------------------


def line_ends(data: bytes, after_cr: bool = False) -> int:
    """Line ends in `data` as universal newlines count them (LF, CRLF, lone CR);
    `after_cr`: the bytes before `data` ended with a CR (then a leading LF ends
    no new line)."""
    count = data.count(b"\n")
    if b"\r" in data:
        count += data.count(b"\r") - data.count(b"\r\n")
    if after_cr and data[:1] == b"\n":
        count -= 1
    return count


def _jsonl_cuts(handle: IO[bytes], size: int, parts: int) -> list[tuple[int, int]]:
    """(byte offset, line ends before it) of each cut: the first line feed at or
    after each of the parts-1 even targets, cut just after it; a target inside a
    line longer than a part moves on to the end of that line (fewer, not empty,
    splits)."""
    targets = [size * i // parts for i in range(1, parts)]
    cuts: list[tuple[int, int]] = []
    position = 0  # offset of `block` in the file
    ends = 0  # line ends before `position`
    after_cr = False
    while targets:
        block = handle.read(SCAN_BLOCK)
        if not block:
            break
        while targets:
            target = max(targets[0], cuts[-1][0] if cuts else 0)
            if target >= position + len(block):
                break
            feed = block.find(b"\n", max(0, target - position))
            if feed < 0:
                break  # this target's line goes on in the next block
            cut = position + feed + 1
            targets.pop(0)
            if cut >= size:
                targets.clear()  # the last line: nothing after it to split off
                break
            if cuts and cut <= cuts[-1][0]:
                continue
            cuts.append((cut, ends + line_ends(block[: feed + 1], after_cr)))
        ends += line_ends(block, after_cr)
        after_cr = block.endswith(b"\r")
        position += len(block)
    return cuts


def _jsonl_splits(path: Path, parts: int) -> list[Split]:
    size = path.stat().st_size
    with path.open("rb") as handle:
        cuts = _jsonl_cuts(handle, size, parts) if size else []
    bounds = [(0, 0), *cuts]
    name = str(path)
    return [
        Split(i, name, "jsonl", start, bounds[i + 1][0] if i + 1 < len(bounds) else size, ends + 1)
        for i, (start, ends) in enumerate(bounds)
    ]


class _Range(io.RawIOBase):
    """Bytes [start, end) of a file, as a raw stream (for io.BufferedReader)."""

    def __init__(self, path: str, start: int, end: int) -> None:
        super().__init__()
        self._file = open(path, "rb")  # noqa: SIM115 - closed with the stream
        self._file.seek(start)
        self._left = end - start

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        if self._left <= 0:
            return 0
        view = memoryview(buffer).cast("B")[: self._left]
        read = self._file.readinto(view)
        self._left -= read
        return read

    def close(self) -> None:
        self._file.close()
        super().close()


def _jsonl_records(split: Split) -> Iterator[Record]:
    # the streaming reader's wrapper (`_Reader._text` for JSONL), over the split's bytes only
    raw = _Range(split.path, split.start, split.end)
    with io.TextIOWrapper(
        io.BufferedReader(raw, 1 << 16), encoding="utf-8", errors="surrogateescape", newline=None
    ) as handle:
        for number, line in enumerate(handle, start=split.first_row):
            if line.strip():
                yield Record(number, line)


# --- CSV -------------------------------------------------------------------------------------

_BOM = b"\xef\xbb\xbf"


def _csv_splits(path: Path, parts: int) -> list[Split]:
    """Cuts at the first row boundary at or after each even byte target, found by
    reading the rows as `streaming.csv_records` does (one row number per call of
    the DictReader: a row, or a csv.Error), counting the bytes of the lines taken."""
    size = path.stat().st_size
    targets = [size * i // parts for i in range(1, parts)]
    cuts: list[tuple[int, int]] = []  # (byte offset, row number of the row starting there)
    with path.open("rb") as raw:
        taken = [len(_BOM) if raw.read(len(_BOM)) == _BOM else 0]
        raw.seek(0)
        handle = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")

        def lines() -> Iterator[str]:
            for line in handle:
                taken[0] += len(line.encode("utf-8", "surrogateescape"))  # the line's bytes, exactly
                yield line

        reader = csv_reader(lines())
        header = tuple(csv_header(reader, path))
        rows = reader.reader  # what DictReader calls, without building the dicts
        row = 1
        while targets:
            try:
                while next(rows) == []:  # DictReader skips blank rows within one call
                    pass
            except StopIteration:
                break
            except csv.Error:
                pass  # a malformed row: numbered too
            row += 1
            if taken[0] >= size:
                break
            if taken[0] >= targets[0]:
                cuts.append((taken[0], row + 1))
                targets = [t for t in targets if t > taken[0]]
    bounds = [(0, 2), *cuts]
    name = str(path)
    return [
        Split(i, name, "csv", start, bounds[i + 1][0] if i + 1 < len(bounds) else size, first, header)
        for i, (start, first) in enumerate(bounds)
    ]


def _csv_split_records(split: Split) -> Iterator[Record]:
    raw = _Range(split.path, split.start, split.end)
    first = split.start == 0
    # the streaming reader's wrapper (`_Reader._text` for CSV); the BOM only at the start
    with io.TextIOWrapper(
        io.BufferedReader(raw, 1 << 16),
        encoding="utf-8-sig" if first else "utf-8",
        errors="surrogateescape",
        newline="",
    ) as handle:
        if first:
            reader = csv_reader(handle)
            csv_header(reader, Path(split.path))
        else:
            reader = csv_reader(handle, split.header)
        yield from csv_records(reader, split.first_row)


# --- Parquet ---------------------------------------------------------------------------------


def _parquet_splits(path: Path, parts: int) -> list[Split]:
    pa = pyarrow_module()
    total = sum(pa.parquet.ParquetFile(p).metadata.num_rows for p in parquet_files(path))
    bounds = sorted({total * i // parts for i in range(parts)})
    ends = [*bounds[1:], total]
    return [
        Split(i, str(path), "parquet", s, e, s + 1) for i, (s, e) in enumerate(zip(bounds, ends, strict=True))
    ]


def _parquet_records(split: Split) -> Iterator[Record]:
    """Rows [start, end) as the streaming reader gives them (`_Reader._parquet`)."""
    pa = pyarrow_module()
    at = 0  # rows before the current row group, over all part files
    for part in parquet_files(Path(split.path)):
        reader = pa.parquet.ParquetFile(part)
        for group in range(reader.metadata.num_row_groups):
            rows = reader.metadata.row_group(group).num_rows
            if at + rows <= split.start or at >= split.end:
                at += rows
                continue
            row = at  # the 0-based row of the batch's first row
            for batch in reader.iter_batches(batch_size=PARQUET_BATCH, row_groups=[group]):
                low, high = max(split.start - row, 0), min(split.end - row, batch.num_rows)
                if low < high:
                    for offset, values in enumerate(batch.slice(low, high - low).to_pylist()):
                        yield parquet_record(row + low + offset + 1, values)
                row += batch.num_rows
            at += rows
        if at >= split.end:
            return


def split_records(split: Split) -> Iterator[Record]:
    """The records of one split, numbered as the streaming batch numbers them."""
    if split.kind == "jsonl":
        return _jsonl_records(split)
    if split.kind == "parquet":
        return _parquet_records(split)
    return _csv_split_records(split)


# --- results, part by part ------------------------------------------------------------------


def part_name(index: int) -> str:
    return f"part-{index:05d}.parquet"


def clear_parts(directory: Path) -> None:
    """`directory` made ready for a run's part files: created, or emptied of the part
    files, temporary files, checksums and success marker of an earlier run, ours or
    Spark's (other files are left alone; InputError if it is a file)."""
    if directory.exists() and not directory.is_dir():
        raise InputError("output", f"{directory} is a file, not a Parquet directory")
    directory.mkdir(parents=True, exist_ok=True)
    markers = (directory / "_SUCCESS", directory / "._SUCCESS.crc")  # .crc: Spark's checksums
    for stale in (*directory.glob("part-*"), *directory.glob(".part-*"), *markers):
        if stale.is_file():
            stale.unlink()


def write_parquet_part(directory: Path, index: int, rows: Iterable[dict[str, Any]], schema: Any) -> int:
    """Write `rows` as `directory`/part-NNNNN.parquet (row groups of PART_ROWS),
    under a temporary name renamed when complete, so the part is whole or absent
    (a second writer of the same part, a retried task, replaces it whole); the
    number of rows written."""
    pa = pyarrow_module()
    target = directory / part_name(index)
    tmp = directory / f".{target.name}.{uuid.uuid4().hex}.tmp"
    written = 0
    try:
        with pa.parquet.ParquetWriter(str(tmp), schema) as writer:
            batch: list[dict[str, Any]] = []
            for row in rows:
                batch.append(row)
                if len(batch) >= PART_ROWS:
                    writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                    written += len(batch)
                    batch = []
            if batch or not written:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                written += len(batch)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return written
