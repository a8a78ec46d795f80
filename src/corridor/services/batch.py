"""Batch screening and comparison over JSON Lines files.

`screen_jsonl` reads one query per line:

    {"id": "q1", "name": "Kim Jong Un", "schema": "Person", "birth_date": "1984",
     "country": "kp", "imo": "9253325", "identifiers": [...], "gender": "male"}

and writes one result per line, in input order:

    {"id": "q1", "hits": [{"entity_id", "score", "list", "ref", "caption", "explanation"}]}

A line that is not JSON, not an object, or a query the screener refuses writes

    {"id": <id or null>, "line": N, "error": "..."}

and the batch goes on, whatever is wrong with the line: not UTF-8, not JSON, a
number too long to convert, nesting too deep to parse.  Blank lines are skipped.
The output may not be the input (the same file by another path, a symlink or a
hard link): that is refused before anything is written.  `compare_jsonl` does the same
for {"id", "name1", "name2", "schema"} → {"id", "score"}.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from corridor.errors import InputError
from corridor.match.compare import compare
from corridor.match.model import Query, QueryError
from corridor.match.screener import Screener
from corridor.types.jsonl import jsonl_line

_QUERY_FIELDS = ("id", "name", "schema", "birth_date", "country", "imo", "identifiers", "gender")


@dataclass
class BatchStats:
    lines: int = 0  # non-blank input lines
    ok: int = 0  # lines screened / compared
    errors: int = 0  # lines answered with an error
    hits: int = 0  # hits written in total
    with_hits: int = 0  # queries with at least one hit


def check_paths(in_path: str | Path, out_path: str | Path) -> None:
    """InputError unless the input can be read and the output is another file
    (compared as files: another relative path, a symlink or a hard link to the
    input is the input)."""
    source, target = Path(in_path), Path(out_path)
    if not source.is_file():
        raise InputError("input", f"{source}: no such file")
    if not target.parent.is_dir():
        raise InputError("output", f"{target}: no such directory {target.parent}")
    if target.is_dir():
        raise InputError("output", f"{target} is a directory")
    if target.exists() and os.path.samefile(source, target):
        raise InputError("output", f"{target} is the input file {source}: give another output file")


def _lines(handle: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(handle, start=1):
        if line.strip():
            yield number, line


def _open_lines(path: Path) -> IO[str]:
    """The input as text lines (universal newlines); bytes that are not UTF-8 are
    kept as surrogates, so that only their own line fails (`_parse_line`)."""
    return io.TextIOWrapper(path.open("rb"), encoding="utf-8", errors="surrogateescape", newline=None)


def _not_utf8(line: str) -> QueryError | None:
    try:
        line.encode("utf-8")
    except UnicodeEncodeError as exc:
        return QueryError(
            "line", f"not UTF-8 text (byte {ord(line[exc.start]) & 0xFF:#04x} at column {exc.start + 1})"
        )
    return None


def _parse_line(line: str) -> dict[str, Any]:
    bad_bytes = _not_utf8(line)
    if bad_bytes is not None:
        raise bad_bytes
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise QueryError("line", f"not valid JSON: {exc.msg} at column {exc.colno}") from None
    except ValueError as exc:  # a number past the int conversion limit
        raise QueryError("line", f"not usable JSON: {exc}") from None
    except RecursionError:
        raise QueryError("line", "not usable JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise QueryError("line", "not a JSON object")
    return data


def _text(data: dict[str, Any], key: str, required: bool = False) -> str | None:
    value = data.get(key)
    if value is None:
        if required:
            raise QueryError(key, "is missing")
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key in ("imo", "birth_date", "id"):
        try:
            return str(value)
        except ValueError:  # past the int → str digit limit
            raise QueryError(key, "is a number too long to be a value of this field") from None
    if not isinstance(value, str):
        raise QueryError(key, f"must be a string, not {type(value).__name__}")
    return value


def query_from_dict(data: dict[str, Any]) -> Query:
    """A Query from one JSON object; QueryError names a bad or unknown field."""
    unknown = sorted(set(data) - set(_QUERY_FIELDS))
    if unknown:
        name = unknown[0]
        if name.isidentifier() and len(name) <= 40:
            raise QueryError(name, "is not a query field")
        # a name that cannot stand as a field name (empty, spaces, controls, long)
        raise QueryError("line", f"field {name[:40]!r} is not a query field")
    identifiers = data.get("identifiers") or []
    if not isinstance(identifiers, list) or not all(isinstance(i, str) for i in identifiers):
        raise QueryError("identifiers", "must be a list of strings")
    return Query(
        name=_text(data, "name", required=True) or "",
        schema=_text(data, "schema") or "Thing",
        birth_date=_text(data, "birth_date"),
        country=_text(data, "country"),
        imo=_text(data, "imo"),
        identifiers=list(identifiers),
        gender=_text(data, "gender"),
        id=_text(data, "id"),
    )


def _ident(data: dict[str, Any] | None) -> str | int | None:
    """The line's id as given, where it can be written back (a string or a
    number of sensible length); None otherwise."""
    ident = data.get("id") if isinstance(data, dict) else None
    if isinstance(ident, str):
        return ident
    if isinstance(ident, int) and not isinstance(ident, bool) and ident.bit_length() <= 64:
        return ident
    return None


def _error(data: dict[str, Any] | None, number: int, exc: Exception) -> dict[str, Any]:
    return {"id": _ident(data), "line": number, "error": str(exc)}


def _dump(out: IO[bytes], record: dict[str, Any]) -> None:
    out.write(jsonl_line(record))


def _each_line(
    in_path: str | Path,
    out_path: str | Path,
    answer: Callable[[dict[str, Any]], dict[str, Any]],
    on_progress: Callable[[int], None] | None,
) -> BatchStats:
    """One answer line per input line, in order; a line `answer` refuses (or that
    cannot be read) becomes an error line and the batch goes on."""
    check_paths(in_path, out_path)
    stats = BatchStats()
    with _open_lines(Path(in_path)) as src, Path(out_path).open("wb") as out:
        for number, line in _lines(src):
            stats.lines += 1
            data: dict[str, Any] | None = None
            try:
                data = _parse_line(line)
                record = answer(data)
            except QueryError as exc:
                stats.errors += 1
                _dump(out, _error(data, number, exc))
            else:
                stats.ok += 1
                hits = record.get("hits")
                if hits is not None:
                    stats.hits += len(hits)
                    stats.with_hits += bool(hits)
                _dump(out, record)
            if on_progress is not None:
                on_progress(stats.lines)
    return stats


def screen_jsonl(
    screener: Screener,
    in_path: str | Path,
    out_path: str | Path,
    threshold: float | None = None,
    on_progress: Callable[[int], None] | None = None,
    limit: int = 10,
) -> BatchStats:
    """Screen every query line of `in_path` into `out_path` (see the module docstring)."""

    def answer(data: dict[str, Any]) -> dict[str, Any]:
        return screen_record(screener, data, threshold, limit)

    return _each_line(in_path, out_path, answer, on_progress)


def screen_record(
    screener: Screener, data: dict[str, Any], threshold: float | None = None, limit: int = 10
) -> dict[str, Any]:
    """The result record of one query object: {"id", "hits": [...]} (QueryError for a
    bad query).  The one screening answer of every batch path: JSONL, the streaming
    jobs (`services.streaming`) and Spark (`corridor.spark`)."""
    query = query_from_dict(data)
    hits = screener.screen(query, threshold=threshold, limit=limit)
    return {
        "id": query.id,
        "hits": [
            {
                "entity_id": h.entity_id,
                "score": round(h.score, 4),
                "list": h.list,
                "ref": h.ref,
                "caption": h.caption,
                "explanation": h.explanation.to_dict(),
            }
            for h in hits
        ],
    }


def compare_jsonl(
    in_path: str | Path,
    out_path: str | Path,
    on_progress: Callable[[int], None] | None = None,
    explain: bool = False,
) -> BatchStats:
    """Compare every {"id", "name1", "name2", "schema"} line into {"id", "score"}
    (plus "explanation" when `explain`)."""

    def answer(data: dict[str, Any]) -> dict[str, Any]:
        name1 = _text(data, "name1", required=True) or ""
        name2 = _text(data, "name2", required=True) or ""
        result = compare(name1, name2, _text(data, "schema") or "Person")
        record: dict[str, Any] = {"id": _ident(data), "score": round(result.score, 4)}
        if explain:
            record["explanation"] = result.explanation.to_dict()
        return record

    return _each_line(in_path, out_path, answer, on_progress)
