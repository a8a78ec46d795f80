"""Streaming batch jobs: screen or check files of any size in constant memory,
on several cores, resumable after a kill.

`screen_file(screener, input, output)` and `check_file(evaluator, input, output)`
read CSV, JSONL or Parquet as they go and write JSONL (or, for checks, CSV) or
Parquet, one result per input record, in input order.

* **Constant memory.**  The input is read record by record (Parquet by row
  batches); at most `workers * 2` tasks of `task_rows` records are in flight and
  at most one commit of `commit_rows` results is held before it is written.
* **Workers.**  `workers=N` forks N processes *after* the screener (or the
  evaluator) is loaded in this process, so they share its index pages
  copy-on-write ('fork' context; the index is never pickled).  Results are
  written in input order whatever the order tasks finish in.
* **Committed chunks and `resume`.**  Every `commit_rows` results are written,
  flushed and fsync'd, then the checkpoint `OUTPUT.progress` (records consumed,
  output byte offset or Parquet part count, the counts so far, a fingerprint of
  the input and the options) is replaced atomically (`os.replace`).  A run killed
  at any point leaves the output and its checkpoint consistent up to the last
  commit; `resume=True` truncates the output to the committed offset (removes
  later Parquet parts) and skips that many input records, so no record is lost
  or written twice.  A finished run leaves the checkpoint marked complete: a
  second `resume` does nothing.  A checkpoint for another input or other options
  is refused (InputError).
* **Bad records.**  A record that cannot be read or answered becomes one error
  record in the output naming its row (JSONL: its line), is counted and the run
  goes on.

Parquet output is a directory of part files (`part-00000.parquet`, one per
commit), as Spark writes it; `pyarrow.parquet.read_table(OUTPUT)` reads it whole.
Screening results there have the columns id, row, hits (list of entity_id, score,
list, ref, caption, explanation as JSON text) and error; see `flat_screen_record`.

Trade checks: cap charges are global state (one ledger, in input order).  Workers
check each transaction without the ledger; a transaction that makes cap charges
is checked again here, with the ledger, when its turn comes in input order, so
verdicts and the ledger are those of a single-process run.

Nothing here prints; progress goes to the `on_progress` callback.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import itertools
import json
import multiprocessing
import os
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal

from sqlalchemy import Engine

from corridor.errors import CorridorError, InputError, ParseError
from corridor.match.model import QueryError
from corridor.match.screener import Screener
from corridor.services import audit
from corridor.services.batch import _ident, _not_utf8, _parse_line, check_paths, screen_record
from corridor.trade import batch as trade_batch
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.types.jsonl import jsonl_line

if TYPE_CHECKING:
    from corridor.services.screening import ScreeningService

PROGRESS_SUFFIX = ".progress"
CHECKPOINT_VERSION = 1
TASK_ROWS = 256  # records per task sent to a worker
COMMIT_ROWS = 5000  # results per committed chunk
MAX_ERROR_MESSAGES = 100  # kept in the summary (every error is in the output)
PARQUET_BATCH = 2048  # rows per Parquet read batch

InputKind = Literal["jsonl", "csv", "parquet"]
OutputKind = Literal["jsonl", "csv", "parquet"]


# --- typed results ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunProgress:
    """Where a run is: `rows` records done; `done` of `total` units (bytes of a
    text input, rows of a Parquet input; `total` None when unknown) for an ETA."""

    rows: int
    done: int
    total: int | None
    resumed_from: int = 0


@dataclass(frozen=True, slots=True)
class BatchSummary:
    """What a streaming run did (the counts include the part done before a resume)."""

    input: Path
    output: Path
    rows: int  # input records answered (results written), errors included
    ok: int
    errors: int
    error_messages: tuple[str, ...]  # the first MAX_ERROR_MESSAGES, "row N: ..." / "line N: ..."
    hits: int = 0  # screening: hits written
    with_hits: int = 0  # screening: records with at least one hit
    by_outcome: dict[str, int] = field(default_factory=dict)  # checks: verdicts per outcome
    resumed_from: int = 0  # records skipped because a previous run had committed them
    workers: int = 1
    seconds: float = 0.0
    complete: bool = True

    @property
    def rows_per_second(self) -> float:
        done = self.rows - self.resumed_from
        return done / self.seconds if self.seconds > 0 else 0.0


@dataclass(slots=True)
class _Counts:
    rows: int = 0
    ok: int = 0
    errors: int = 0
    hits: int = 0
    with_hits: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "ok": self.ok,
            "errors": self.errors,
            "hits": self.hits,
            "with_hits": self.with_hits,
            "by_outcome": dict(self.by_outcome),
            "messages": self.messages,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Counts:
        return cls(
            rows=int(data["rows"]),
            ok=int(data["ok"]),
            errors=int(data["errors"]),
            hits=int(data["hits"]),
            with_hits=int(data["with_hits"]),
            by_outcome=Counter({str(k): int(v) for k, v in data["by_outcome"].items()}),
            messages=[str(m) for m in data["messages"]],
        )


@dataclass(slots=True)
class _Result:
    """One answered record, as a worker returns it."""

    payload: Any  # encoded JSONL/CSV bytes, or a flat dict for Parquet
    error: str | None = None  # the message, for an error record
    hits: int = 0
    outcome: str = ""  # checks
    needs_ledger: bool = False  # checks: made cap charges, to be checked again with the ledger


# --- formats ---------------------------------------------------------------------------


def input_kind(path: Path) -> InputKind:
    suffix = path.suffix.casefold()
    if suffix in (".jsonl", ".ndjson"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    raise InputError("input", f"{path}: unsupported input {path.suffix!r} (use .csv, .jsonl or .parquet)")


def output_kind(path: Path, allowed: Sequence[str] = ("jsonl", "parquet")) -> OutputKind:
    suffix = path.suffix.casefold().lstrip(".")
    kind = {"ndjson": "jsonl", "pq": "parquet"}.get(suffix, suffix)
    if kind not in allowed:
        raise InputError(
            "output",
            f"{path}: unsupported output {path.suffix!r} (use {' or '.join('.' + a for a in allowed)})",
        )
    return kind  # type: ignore[return-value]


def pyarrow_module() -> Any:
    """pyarrow with its parquet module loaded (an input error if it is missing);
    shared with `services.splits`."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:  # pragma: no cover - pyarrow is a main dependency
        raise InputError("input", "Parquet needs pyarrow (pip install pyarrow)") from None
    return pyarrow


def parquet_files(path: Path) -> list[Path]:
    """A Parquet file, or the part files of a Parquet directory (as Spark writes it)."""
    if path.is_dir():
        return sorted(
            p for p in path.iterdir() if p.suffix == ".parquet" and not p.name.startswith((".", "_"))
        )
    return [path]


def _check_input(path: Path, out_path: Path) -> None:
    if path.is_dir() and input_kind(path) == "parquet":
        if not parquet_files(path):
            raise InputError("input", f"{path}: no .parquet files in this directory")
        if out_path.resolve() == path.resolve():
            raise InputError("output", f"{out_path} is the input {path}: give another output")
        return
    if out_path.is_dir() and output_kind(out_path, ("parquet",)) == "parquet":
        # a Parquet output directory from an earlier run: only the input is checked
        if not path.is_file():
            raise InputError("input", f"{path}: no such file")
        return
    check_paths(path, out_path)


@dataclass(frozen=True, slots=True)
class Record:
    """One input record: its row (JSONL: line number; CSV: row, the header being
    row 1; Parquet: 1 for the first row), its data (a JSONL line still to parse, or
    the fields) or why it could not be read."""

    row: int
    data: str | dict[str, Any] | None
    error: str | None = None


class _Reader:
    """The records of one input file, read as they go, with how far it has got."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.kind = input_kind(path)
        self._handle: IO[Any] | None = None
        if self.kind == "parquet":
            pa = pyarrow_module()
            self.total: int | None = sum(
                pa.parquet.ParquetFile(p).metadata.num_rows for p in parquet_files(path)
            )
        else:
            self.total = path.stat().st_size
        self.done = 0

    def records(self) -> Iterator[Record]:
        if self.kind == "jsonl":
            return self._jsonl()
        if self.kind == "csv":
            return self._csv()
        return self._parquet()

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()

    def _text(self, encoding: str) -> IO[str]:
        raw = self.path.open("rb")
        self._handle = raw
        # undecodable bytes kept as surrogates: only their own record fails
        return io.TextIOWrapper(
            raw, encoding=encoding, errors="surrogateescape", newline=None if self.kind == "jsonl" else ""
        )

    def _jsonl(self) -> Iterator[Record]:
        handle = self._text("utf-8")
        raw = self._handle
        assert raw is not None
        for number, line in enumerate(handle, start=1):
            if number % 64 == 0:
                self.done = raw.tell()
            if line.strip():
                yield Record(number, line)
        self.done = self.total or 0

    def _csv(self) -> Iterator[Record]:
        handle = self._text("utf-8-sig")
        raw = self._handle
        assert raw is not None
        reader = csv_reader(handle)
        csv_header(reader, self.path)

        def progress(_row: int) -> None:
            self.done = raw.tell()

        yield from csv_records(reader, 2, progress)
        self.done = self.total or 0

    def _parquet(self) -> Iterator[Record]:
        pa = pyarrow_module()
        row_no = 0
        for part in parquet_files(self.path):
            reader = pa.parquet.ParquetFile(part)
            for batch in reader.iter_batches(batch_size=PARQUET_BATCH):
                for row in batch.to_pylist():
                    row_no += 1
                    yield parquet_record(row_no, row)
                self.done = row_no


def parquet_record(row_no: int, values: dict[str, Any]) -> Record:
    """A Parquet row as a query record: null and empty cells left out."""
    return Record(row_no, {k: v for k, v in values.items() if v is not None and v != ""})


def csv_reader(handle: Iterable[str], fieldnames: Sequence[str] | None = None) -> csv.DictReader[str]:
    """The CSV reader of query files (`fieldnames`: the header, for a reader that
    starts after it, as a split of the file does)."""
    return csv.DictReader(handle, fieldnames=fieldnames, restkey="__extra__", restval=None)


def csv_header(reader: csv.DictReader[str], path: Path) -> list[str]:
    """The header row (row 1) of a query CSV; InputError without a 'name' column."""
    header = list(reader.fieldnames or [])
    if "name" not in header:
        raise InputError("input", f"{path}: row 1 has no column 'name' (the header names the query fields)")
    return header


def csv_records(
    reader: csv.DictReader[str], first_row: int, progress: Callable[[int], None] | None = None
) -> Iterator[Record]:
    """The records of a query CSV from `reader`'s position on, numbered from
    `first_row` (one number per row the reader returns or fails on: a quoted field
    may span lines, blank lines are skipped); `progress` is called every 64 rows."""
    header = reader.fieldnames or []
    row_no = first_row - 1
    while True:
        row_no += 1
        if progress is not None and row_no % 64 == 0:
            progress(row_no)
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield Record(row_no, None, f"malformed row: {exc}")
            continue
        if row.get("__extra__") is not None or any(v is None for k, v in row.items() if k != "__extra__"):
            yield Record(row_no, None, f"malformed row: expected {len(header)} columns")
            continue
        bad = next((e for v in row.values() if isinstance(v, str) and (e := _not_utf8(v))), None)
        if bad is not None:
            yield Record(row_no, None, bad.message)
            continue
        data: dict[str, Any] = {k: v for k, v in row.items() if v != ""}
        if "identifiers" in data:  # one cell: identifiers separated by ';'
            data["identifiers"] = [i.strip() for i in str(data["identifiers"]).split(";") if i.strip()]
        yield Record(row_no, data)


# --- outputs -----------------------------------------------------------------------------


class _Writer:
    """Committed chunks: `write` buffers, `commit` makes them durable and returns
    the position to record in the checkpoint."""

    def __init__(self, path: Path, kind: OutputKind, schema: Any = None, header: bytes = b"") -> None:
        self.path = path
        self.kind = kind
        self.schema = schema
        self.header = header
        self._buffer: list[Any] = []
        self._handle: IO[bytes] | None = None
        self.position = 0  # bytes (JSONL/CSV) or parts (Parquet) committed

    def open(self, position: int | None) -> None:
        """Start afresh (position None) or continue after `position`."""
        if self.kind == "parquet":
            if position is None:
                if self.path.is_file():
                    self.path.unlink()
                self.path.mkdir(exist_ok=True)
                for stale in self.path.glob("part-*.parquet"):
                    stale.unlink()
                self.position = 0
            else:
                for part in self.path.glob("part-*.parquet"):
                    if _part_number(part) >= position:
                        part.unlink()  # written after the last commit
                self.position = position
            for tmp in self.path.glob(".part-*.tmp"):
                tmp.unlink()
            return
        if position is None:
            if self.path.is_dir():
                raise InputError("output", f"{self.path} is a directory")
            self._handle = self.path.open("wb")
            self._handle.write(self.header)
            self.position = 0
            self.commit()
        else:
            try:
                self._handle = self.path.open("r+b")
            except FileNotFoundError:
                raise InputError(
                    "resume", f"{self.path} is gone: nothing to resume, run without --resume"
                ) from None
            self._handle.truncate(position)
            self._handle.seek(position)
            self.position = position

    def write(self, payload: Any) -> None:
        self._buffer.append(payload)

    def commit(self) -> int:
        if self.kind == "parquet":
            if self._buffer:
                pa = pyarrow_module()
                table = pa.Table.from_pylist(self._buffer, schema=self.schema)
                target = self.path / f"part-{self.position:05d}.parquet"
                tmp = self.path / f".{target.name}.tmp"
                pa.parquet.write_table(table, tmp)
                with tmp.open("rb") as handle:
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
                _fsync_dir(self.path)
                self.position += 1
        else:
            assert self._handle is not None
            if self._buffer:
                self._handle.write(b"".join(self._buffer))
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self.position = self._handle.tell()
        self._buffer.clear()
        return self.position

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None


def _part_number(path: Path) -> int:
    try:
        return int(path.stem.split("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be fsync'd
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- the checkpoint ----------------------------------------------------------------------


def progress_path(output: Path) -> Path:
    return output.with_name(output.name + PROGRESS_SUFFIX)


def _fingerprint(path: Path) -> dict[str, Any]:
    """Enough of the input to know a resume reads the same file: size and digests
    of its first and last 64 KiB (of each part, for a Parquet directory)."""
    parts = parquet_files(path) if path.is_dir() else [path]
    found = []
    for part in parts:
        size = part.stat().st_size
        digest = hashlib.sha256()
        with part.open("rb") as handle:
            digest.update(handle.read(65536))
            if size > 65536:
                handle.seek(max(65536, size - 65536))
                digest.update(handle.read(65536))
        found.append([part.name, size, digest.hexdigest()])
    return {"path": str(path.resolve()), "parts": found}


def _write_checkpoint(path: Path, state: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        json.dump(state, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)  # the checkpoint is the old one or the new one, never half of one
    _fsync_dir(path.parent)


def _read_checkpoint(path: Path, job: dict[str, Any], source: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(state, dict) and state.get("version") == CHECKPOINT_VERSION
    except (OSError, ValueError, AssertionError):
        raise InputError(
            "resume", f"{path} is not a checkpoint this version can read: run without --resume"
        ) from None
    if state.get("job") != job:
        raise InputError(
            "resume", f"{path} was written with other options ({state.get('job')}): run without --resume"
        )
    if state.get("input") != _fingerprint(source):
        raise InputError("resume", f"{path} was written for another input file: run without --resume")
    return state


# --- the run -----------------------------------------------------------------------------

# What forked workers answer with: set in this process before the pool is created,
# inherited by the children (never pickled).
_WORK: Callable[[Record], _Result] | None = None


def _work_chunk(records: list[Record]) -> list[_Result]:
    assert _WORK is not None, "the worker was not forked from a loaded job"
    return [_WORK(record) for record in records]


def _chunks(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _answered(
    chunks: Iterator[list[Record]], work: Callable[[Record], _Result], workers: int
) -> Generator[tuple[list[Record], list[_Result]], None, None]:
    """Each chunk with its results, in input order; with workers > 1 on forked
    processes with a bounded number of chunks in flight (Pool.imap would read
    ahead without limit, and so the whole input; a process pool executor also
    fails loudly, BrokenProcessPool, when a worker dies instead of waiting)."""
    global _WORK
    if workers <= 1:
        for chunk in chunks:
            yield chunk, [work(r) for r in chunk]
        return
    from concurrent.futures import Future, ProcessPoolExecutor

    _WORK = work
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    try:
        pending: deque[tuple[list[Record], Future[list[_Result]]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(_work_chunk, chunk)))
            if len(pending) >= workers * 2:
                done, result = pending.popleft()
                yield done, result.result()
        while pending:
            done, result = pending.popleft()
            yield done, result.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _WORK = None


def _run(
    source: Path,
    output: Path,
    *,
    job: dict[str, Any],
    work: Callable[[Record], _Result],
    records: Callable[[_Reader], Iterator[Record]],
    writer: _Writer,
    workers: int,
    resume: bool,
    commit_rows: int,
    task_rows: int,
    on_progress: Callable[[RunProgress], None] | None,
    after: Callable[[Record, _Result], _Result] | None = None,
    stop_after: int | None = None,
) -> BatchSummary:
    started = time.perf_counter()
    checkpoint = progress_path(output)
    state = _read_checkpoint(checkpoint, job, source) if resume else None
    counts = _Counts.from_json(state["counts"]) if state else _Counts()
    skip = counts.rows
    if state is not None and state.get("complete") and (output.exists()):
        return _summary(source, output, counts, skip, workers, started, complete=True)
    reader = _Reader(source)
    # the first record read before the output is touched: a file that cannot be
    # read at all (a bad CSV header) is refused with the output as it was
    stream = records(reader)
    try:
        first = next(stream, None)
    except BaseException:
        reader.close()
        raise
    stream = itertools.chain([first] if first is not None else [], stream)
    if state is None:
        checkpoint.unlink(missing_ok=True)
    writer.open(int(state["position"]) if state else None)
    base = {"version": CHECKPOINT_VERSION, "job": job, "input": _fingerprint(source)}
    _write_checkpoint(
        checkpoint, {**base, "position": writer.position, "counts": counts.to_json(), "complete": False}
    )
    since_commit = 0
    answered = _answered(_chunks(stream, task_rows), work, workers)
    try:
        for _ in range(skip):  # committed by the run being resumed
            if next(stream, None) is None:
                break
        for chunk, results in answered:
            for record, result in zip(chunk, results, strict=True):
                if after is not None:
                    result = after(record, result)
                writer.write(result.payload)
                counts.rows += 1
                if result.error is None:
                    counts.ok += 1
                    counts.hits += result.hits
                    counts.with_hits += result.hits > 0
                else:
                    counts.errors += 1
                    if len(counts.messages) < MAX_ERROR_MESSAGES:
                        counts.messages.append(result.error)
                if result.outcome:
                    counts.by_outcome[result.outcome] += 1
                since_commit += 1
                if since_commit < commit_rows:
                    continue
                position = writer.commit()
                _write_checkpoint(
                    checkpoint, {**base, "position": position, "counts": counts.to_json(), "complete": False}
                )
                since_commit = 0
                if stop_after is not None and counts.rows >= stop_after:
                    # tests and benchmarks: stop as a kill right after a commit would
                    return _summary(source, output, counts, skip, workers, started, complete=False)
            if on_progress is not None:
                on_progress(RunProgress(counts.rows, reader.done, reader.total, skip))
        position = writer.commit()
        _write_checkpoint(
            checkpoint, {**base, "position": position, "counts": counts.to_json(), "complete": True}
        )
    finally:
        answered.close()  # the worker pool ends here, also when the run stops early
        writer.close()
        reader.close()
    if on_progress is not None:
        on_progress(RunProgress(counts.rows, reader.total or reader.done, reader.total, skip))
    return _summary(source, output, counts, skip, workers, started, complete=True)


def _summary(
    source: Path, output: Path, counts: _Counts, skip: int, workers: int, started: float, complete: bool
) -> BatchSummary:
    return BatchSummary(
        input=source,
        output=output,
        rows=counts.rows,
        ok=counts.ok,
        errors=counts.errors,
        error_messages=tuple(counts.messages),
        hits=counts.hits,
        with_hits=counts.with_hits,
        by_outcome=dict(counts.by_outcome),
        resumed_from=skip,
        workers=workers,
        seconds=time.perf_counter() - started,
        complete=complete,
    )


def _encode_json(record: dict[str, Any]) -> bytes:
    # the one JSON Lines writer of the batch results (escapes what line readers split on)
    return jsonl_line(record)


def _check_workers(workers: int, commit_rows: int, task_rows: int) -> None:
    if workers < 1:
        raise InputError("workers", f"{workers} is not a positive number of processes")
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        raise InputError("workers", "more than one worker needs the 'fork' start method (Linux, macOS)")
    if commit_rows < 1 or task_rows < 1:
        raise InputError("commit_rows", "chunk sizes must be positive")


# --- screening -----------------------------------------------------------------------------


def screen_parquet_schema() -> Any:
    """The Arrow schema of flat screening results (Parquet output, Spark)."""
    pa = pyarrow_module()
    hit = pa.struct(
        [
            ("entity_id", pa.string()),
            ("score", pa.float64()),
            ("list", pa.string()),
            ("ref", pa.string()),
            ("caption", pa.string()),
            ("explanation", pa.string()),
        ]
    )
    return pa.schema(
        [("id", pa.string()), ("row", pa.int64()), ("hits", pa.list_(hit)), ("error", pa.string())]
    )


def flat_screen_record(record: dict[str, Any], row: int) -> dict[str, Any]:
    """A screening result record as one flat row: the explanation as JSON text,
    the id as text, the input row always given."""
    ident = record.get("id")
    return {
        "id": None if ident is None else str(ident),
        "row": row,
        "hits": [
            {**h, "explanation": json.dumps(h["explanation"], ensure_ascii=False, sort_keys=True)}
            for h in record.get("hits") or []
        ],
        "error": record.get("error"),
    }


def screen_one(
    screener: Screener, record: Record, threshold: float | None, limit: int
) -> tuple[dict[str, Any], str | None]:
    """The result record of one input record, and the error message if it is one
    (the error record names the line of a JSONL input, else the row)."""
    where = "line" if isinstance(record.data, str) else "row"
    data: dict[str, Any] | None = None
    try:
        if record.error is not None:
            raise QueryError("row", record.error)
        data = _parse_line(record.data) if isinstance(record.data, str) else record.data
        assert data is not None
        return screen_record(screener, data, threshold, limit), None
    except QueryError as exc:
        message = record.error if record.error is not None else str(exc)
        return {"id": _ident(data), where: record.row, "error": message}, f"{where} {record.row}: {message}"


def screen_file(
    screener: Screener,
    input_path: str | Path,
    output_path: str | Path,
    *,
    threshold: float | None = None,
    limit: int = 10,
    workers: int = 1,
    resume: bool = False,
    on_progress: Callable[[RunProgress], None] | None = None,
    commit_rows: int = COMMIT_ROWS,
    task_rows: int = TASK_ROWS,
    stop_after: int | None = None,
) -> BatchSummary:
    """Screen every record of a CSV, JSONL or Parquet file into a JSONL file or a
    Parquet directory (see the module docstring).  `stop_after` ends the run after
    the first commit past that many records, as a kill would (for tests and
    benchmarks of `resume`)."""
    source, target = Path(input_path), Path(output_path)
    kind = output_kind(target)
    input_kind(source)
    _check_input(source, target)
    _check_workers(workers, commit_rows, task_rows)
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise InputError("threshold", f"{threshold} is not between 0 and 1")
    if limit < 1:
        raise InputError("limit", f"{limit} is not a positive number")

    def work(record: Record) -> _Result:
        result, error = screen_one(screener, record, threshold, limit)
        hits = len(result.get("hits") or ())
        payload = flat_screen_record(result, record.row) if kind == "parquet" else _encode_json(result)
        return _Result(payload, error, hits)

    job = {"job": "screen", "threshold": threshold, "limit": limit, "output": kind, "entities": len(screener)}
    writer = _Writer(target, kind, screen_parquet_schema() if kind == "parquet" else None)
    return _run(
        source,
        target,
        job=job,
        work=work,
        records=_Reader.records,
        writer=writer,
        workers=workers,
        resume=resume,
        commit_rows=commit_rows,
        task_rows=task_rows,
        on_progress=on_progress,
        stop_after=stop_after,
    )


# --- trade checks --------------------------------------------------------------------------


def check_parquet_schema() -> Any:
    pa = pyarrow_module()
    return pa.schema(
        [
            ("transaction_id", pa.string()),
            ("where", pa.string()),
            ("verdict", pa.string()),
            ("rule_ids", pa.list_(pa.string())),
            ("summary", pa.string()),
            ("error", pa.string()),
            ("result", pa.string()),  # the verdict as JSON (`Verdict.to_dict`)
        ]
    )


def _verdict_summary(verdict: Verdict, limit: int = 3) -> str:
    top = [r for r in verdict.reasons if r.outcome is verdict.outcome][:limit]
    return " | ".join(f"{r.rule_id} ({r.citation}): {r.message}" for r in top)


def _csv_line(row: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    csv.DictWriter(buffer, fieldnames=trade_batch.RESULT_CSV_COLUMNS, lineterminator="\r\n").writerow(row)
    return buffer.getvalue().encode("utf-8", errors="surrogateescape")


def _check_payload(kind: OutputKind, item: trade_batch.BatchItem, verdict: Verdict | None, error: str) -> Any:
    """One check result in the output's form (the same records as `trade.batch.check_items`)."""
    if verdict is None:
        if kind == "jsonl":  # as `trade.batch.check_items` writes it
            record = {
                "transaction_id": item.transaction_id,
                "verdict": "ERROR",
                "where": item.where,
                "error": error,
            }
            return jsonl_line(record)
        if kind == "csv":
            return _csv_line({"transaction_id": item.transaction_id, "verdict": "ERROR", "error": error})
        return {
            "transaction_id": item.transaction_id,
            "where": item.where,
            "verdict": "ERROR",
            "rule_ids": [],
            "summary": "",
            "error": error,
            "result": None,
        }
    if kind == "jsonl":
        return jsonl_line(verdict.to_dict())
    if kind == "csv":
        return _csv_line(
            {
                "transaction_id": verdict.transaction_id,
                "verdict": verdict.outcome.value,
                "reasons": len(verdict.reasons),
                "rule_ids": ";".join(verdict.rule_ids),
                "summary": _verdict_summary(verdict),
                "error": "",
            }
        )
    return {
        "transaction_id": verdict.transaction_id,
        "where": item.where,
        "verdict": verdict.outcome.value,
        "rule_ids": list(verdict.rule_ids),
        "summary": _verdict_summary(verdict),
        "error": None,
        "result": json.dumps(verdict.to_dict(), ensure_ascii=False),
    }


def check_items_of(path: Path, reader: _Reader, evaluator: Evaluator) -> Iterator[Record]:
    """The transactions of a batch file as records (parsed here, in input order:
    CSV transactions span consecutive rows).  Parquet rows are read as the rows of
    the CSV layout (`trade.batch.CSV_COLUMNS`)."""
    source = str(path)
    if reader.kind == "jsonl":
        raw = path.open("rb")
        reader._handle = raw

        def lines() -> Iterator[bytes]:
            for number, line in enumerate(raw, start=1):
                if number % 64 == 0:
                    reader.done = raw.tell()
                yield line
            reader.done = reader.total or 0

        items = trade_batch.jsonl_items(lines(), source, evaluator.hs)
    elif reader.kind == "csv":
        handle = reader._text("utf-8-sig")
        items = trade_batch.csv_items(handle, source, evaluator.hs)
    else:
        items = trade_batch.csv_items(_parquet_as_csv(path, reader), source, evaluator.hs)
    for number, item in enumerate(items, start=1):
        if item.transaction is None:
            # the message, not the exception, goes to the workers (errors do not all pickle)
            yield Record(
                number, {"item": trade_batch.BatchItem(item.where, item.transaction_id)}, str(item.error)
            )
        else:
            yield Record(number, {"item": item})


def _parquet_as_csv(path: Path, reader: _Reader) -> Iterator[str]:
    """Parquet rows as CSV text lines (header first), so that they are parsed and
    numbered exactly as the rows of a CSV file."""
    pa = pyarrow_module()
    header: list[str] | None = None
    done = 0
    for part in parquet_files(path):
        for batch in pa.parquet.ParquetFile(part).iter_batches(batch_size=PARQUET_BATCH):
            if header is None:
                header = list(batch.schema.names)
                yield _csv_text(header)
            for row in batch.to_pylist():
                yield _csv_text(["" if row.get(c) is None else str(row.get(c)) for c in header])
            done += batch.num_rows
            reader.done = done


def _csv_text(values: list[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def check_file(
    evaluator: Evaluator,
    input_path: str | Path,
    output_path: str | Path,
    *,
    record: bool = True,
    workers: int = 1,
    resume: bool = False,
    on_progress: Callable[[RunProgress], None] | None = None,
    commit_rows: int = COMMIT_ROWS,
    task_rows: int = TASK_ROWS,
    stop_after: int | None = None,
) -> BatchSummary:
    """Check every transaction of a CSV, JSONL or Parquet file into a JSONL or CSV
    file or a Parquet directory (see the module docstring: cap charges are applied
    here, in input order, whatever the number of workers)."""
    source, target = Path(input_path), Path(output_path)
    kind = output_kind(target, ("jsonl", "csv", "parquet"))
    input_kind(source)
    _check_input(source, target)
    _check_workers(workers, commit_rows, task_rows)
    # the workers' evaluator: the same rules and screener, no ledger
    unledgered = (
        Evaluator(
            evaluator.rulebook,
            hs=evaluator.hs,
            nexus=evaluator.nexus_data,
            screener=evaluator.screener,
            ledger=None,
            match_threshold=evaluator.match_threshold,
        )
        if workers > 1 and evaluator.ledger is not None
        else evaluator
    )

    def answer(ev: Evaluator, item: trade_batch.BatchItem, problem: str | None) -> _Result:
        if item.transaction is None:
            message = problem or "not a transaction"
            return _Result(_check_payload(kind, item, None, message), message, outcome="ERROR")
        try:
            verdict = ev.check(item.transaction, record=record)
        except CorridorError as exc:
            # e.g. the store busy for this one transaction: reported, the run goes on
            error = ParseError(source, f"{item.where} (transaction {item.transaction_id})", exc.message)
            return _Result(_check_payload(kind, item, None, str(error)), str(error), outcome="ERROR")
        needs = ev is unledgered and unledgered is not evaluator and bool(verdict.charges)
        return _Result(
            _check_payload(kind, item, verdict, ""), None, outcome=verdict.outcome.value, needs_ledger=needs
        )

    def work(rec: Record) -> _Result:
        assert isinstance(rec.data, dict)
        return answer(unledgered, rec.data["item"], rec.error)

    def after(rec: Record, result: _Result) -> _Result:
        # a transaction with cap charges, checked again with the ledger in its turn
        if not result.needs_ledger:
            return result
        assert isinstance(rec.data, dict)
        return answer(evaluator, rec.data["item"], rec.error)

    header = b""
    if kind == "csv":
        buffer = io.StringIO()
        csv.DictWriter(buffer, fieldnames=trade_batch.RESULT_CSV_COLUMNS, lineterminator="\r\n").writeheader()
        header = buffer.getvalue().encode()
    job = {"job": "check", "record": record, "output": kind}
    writer = _Writer(target, kind, check_parquet_schema() if kind == "parquet" else None, header)
    return _run(
        source,
        target,
        job=job,
        work=work,
        records=lambda reader: check_items_of(source, reader, evaluator),
        writer=writer,
        workers=workers,
        resume=resume,
        commit_rows=commit_rows,
        task_rows=task_rows,
        on_progress=on_progress,
        after=after,
        stop_after=stop_after,
    )


def read_results(path: str | Path) -> Iterable[dict[str, Any]]:
    """The records of a JSONL result file or the rows of a Parquet result directory, in order."""
    target = Path(path)
    if target.is_dir() or target.suffix.casefold() in (".parquet", ".pq"):
        pa = pyarrow_module()
        for part in parquet_files(target):
            for batch in pa.parquet.ParquetFile(part).iter_batches(batch_size=PARQUET_BATCH):
                yield from batch.to_pylist()
        return
    with target.open("rb") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def output_digest(path: str | Path) -> str:
    """SHA-256 of a result file, or of the part files of a Parquet result directory
    in order (what the audit record names)."""
    target = Path(path)
    digest = hashlib.sha256()
    for part in parquet_files(target) if target.is_dir() else [target]:
        with part.open("rb") as handle:
            for block in iter(lambda h=handle: h.read(1 << 20), b""):  # type: ignore[misc]
                digest.update(block)
    return digest.hexdigest()


# --- runs against the store, audited -----------------------------------------------------


def run_screen(
    engine: Engine,
    input_path: str | Path,
    output_path: str | Path,
    *,
    by: audit.Actor,
    threshold: float | None = None,
    limit: int = 10,
    workers: int = 1,
    resume: bool = False,
    on_progress: Callable[[RunProgress], None] | None = None,
    on_loaded: Callable[[ScreeningService], None] | None = None,
    home: Path | None = None,
    commit_rows: int = COMMIT_ROWS,
) -> BatchSummary:
    """Screen a file against the active lists (the process's index, loaded before
    any worker is forked) and record the run in the audit trail (one record)."""
    from corridor.services.screening import service_for

    source, target = Path(input_path), Path(output_path)
    output_kind(target)
    input_kind(source)
    _check_input(source, target)  # refused before the index is loaded
    service = service_for(engine, home)
    screener = service.current()
    if on_loaded is not None:
        on_loaded(service)
    summary = screen_file(
        screener,
        source,
        target,
        threshold=threshold,
        limit=limit,
        workers=workers,
        resume=resume,
        on_progress=on_progress,
        commit_rows=commit_rows,
    )
    audit.record_by(
        engine,
        by,
        audit.Action.SCREEN,
        {
            "input": str(source),
            "input_sha256": output_digest(source),
            "threshold": threshold,
            "limit": limit,
            "workers": workers,
            "resume": resume,
        },
        {
            "batch": {"queries": summary.rows, "screened": summary.ok, "errors": summary.errors},
            "with_hits": summary.with_hits,
            "hits": summary.hits,
            "resumed_from": summary.resumed_from,
            "output_sha256": output_digest(target),
        },
    )
    return summary


def run_check(
    engine: Engine,
    evaluator: Evaluator,
    input_path: str | Path,
    output_path: str | Path,
    *,
    by: audit.Actor,
    record: bool = True,
    workers: int = 1,
    resume: bool = False,
    on_progress: Callable[[RunProgress], None] | None = None,
    commit_rows: int = COMMIT_ROWS,
) -> BatchSummary:
    """Check a file of transactions (cap charges in input order) and record the run
    in the audit trail (one record)."""
    source, target = Path(input_path), Path(output_path)
    summary = check_file(
        evaluator,
        source,
        target,
        record=record,
        workers=workers,
        resume=resume,
        on_progress=on_progress,
        commit_rows=commit_rows,
    )
    audit.record_by(
        engine,
        by,
        audit.Action.CHECK,
        {
            "input": str(source),
            "input_sha256": output_digest(source),
            "record": record,
            "workers": workers,
            "resume": resume,
        },
        {
            "batch": {"checked": summary.rows, "errors": summary.errors},
            "by_outcome": summary.by_outcome,
            "resumed_from": summary.resumed_from,
            "output_sha256": output_digest(target),
        },
    )
    return summary
