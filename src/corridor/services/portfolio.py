"""The portfolio: the customers, counterparties and vessels monitoring re-screens.

`import_file` reads CSV, JSON Lines or XLSX (columns id, name, schema, birth_date,
country, identifiers — `;`-separated in CSV and XLSX — and imo; `mapping` renames
other columns), checks every row as a screening query (`match.query.check_query`)
and stores the good rows as a new portfolio version in one transaction, with its
audit record.  Each import is the whole portfolio: the result says which parties
were added, changed and removed against the previous version.  Bad rows are
reported with their line and left out; the rest goes in.  `remove` writes a new
version without one party, so every earlier version stays readable.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from corridor.errors import InputError, NotFoundError, ParseError
from corridor.match import Query
from corridor.match.query import check_query
from corridor.services import audit
from corridor.store import monitor as store
from corridor.store.audit import format_time, write_transaction

FIELDS = ("id", "name", "schema", "birth_date", "country", "identifiers", "imo", "gender")


@dataclass(frozen=True, slots=True)
class BadRow:
    line: int
    field: str
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class ImportReport:
    version_id: int | None
    path: str
    parties: int
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version_id": self.version_id,
            "path": self.path,
            "parties": self.parties,
            "added": self.added,
            "changed": self.changed,
            "removed": self.removed,
            "bad": [b.to_dict() for b in self.bad],
        }


@dataclass(frozen=True, slots=True)
class Party:
    id: str
    name: str
    schema: str
    digest: str
    data: dict[str, Any]

    def query(self) -> Query:
        return query_of(self.id, self.data)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "schema": self.schema, "digest": self.digest, **self.data}


def query_of(party_id: str, data: Mapping[str, Any]) -> Query:
    return Query(
        name=data["name"],
        schema=data.get("schema") or "Thing",
        birth_date=data.get("birth_date"),
        country=data.get("country"),
        imo=data.get("imo"),
        identifiers=list(data.get("identifiers") or []),
        gender=data.get("gender"),
        id=party_id,
    )


def parse_mapping(items: list[str]) -> dict[str, str]:
    """`COL=field` options: the file's column COL holds Corridor's `field`."""
    mapping: dict[str, str] = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column.strip() or target.strip() not in FIELDS:
            raise InputError("map", f"{item!r} is not COL=field with field one of {', '.join(FIELDS)}")
        mapping[column.strip()] = target.strip()
    return mapping


def _rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, raw row) from the file: CSV line numbers count the header as 1, JSONL
    lines from 1, XLSX rows as the sheet numbers them."""
    suffix = path.suffix.lower()
    if suffix in (".jsonl", ".ndjson"):
        with path.open(encoding="utf-8") as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    value = json.loads(line)
                except json.JSONDecodeError as error:
                    yield number, {"__error__": f"not JSON: {error.msg}"}
                    continue
                yield number, value if isinstance(value, dict) else {"__error__": "not a JSON object"}
    elif suffix == ".xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a bad file
            raise ParseError(path, "", f"not an XLSX workbook: {error}") from None
        sheet = book.worksheets[0]
        header: list[str] = []
        for number, values in enumerate(sheet.iter_rows(values_only=True), 1):
            if number == 1:
                header = [str(v).strip() if v is not None else "" for v in values]
                continue
            if all(v is None for v in values):
                continue
            yield (
                number,
                {h: ("" if v is None else str(v)) for h, v in zip(header, values, strict=False) if h},
            )
        book.close()
    elif suffix in (".csv", ".txt"):
        text = path.read_text(encoding="utf-8-sig")
        reader = csv.DictReader(io.StringIO(text))
        for row in reader:
            yield reader.line_num, {k.strip(): v for k, v in row.items() if k is not None}
    else:
        raise InputError("file", f"{path.name}: use .csv, .jsonl or .xlsx", file=str(path))


def _split(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _optional(value: Any) -> str | None:
    text = "" if value is None else str(value).strip()
    return text or None


def normalise_row(raw: Mapping[str, Any], mapping: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
    """A raw row as (party id, canonical data), checked as a screening query."""
    row = {mapping.get(k, k): v for k, v in raw.items()}
    party_id = _optional(row.get("id"))
    if party_id is None:
        raise InputError("id", "missing")
    identifiers = _split(row.get("identifiers"))
    imo = _optional(row.get("imo"))
    # an IMO number among the identifiers is the vessel's IMO (identifiers incl. IMO)
    for value in list(identifiers):
        compact = value.replace(" ", "").upper()
        if compact.startswith("IMO") and imo is None:
            imo = compact[3:]
            identifiers.remove(value)
    data: dict[str, Any] = {
        "name": "" if row.get("name") is None else str(row.get("name")).strip(),
        "schema": _optional(row.get("schema")) or "Thing",
        "birth_date": _optional(row.get("birth_date")),
        "country": _optional(row.get("country")),
        "imo": imo,
        "identifiers": identifiers,
        "gender": _optional(row.get("gender")),
    }
    checked = check_query(query_of(party_id, data))
    data["name"] = checked.name
    data["schema"] = checked.schema
    return party_id, {k: v for k, v in data.items() if v not in (None, [])}


def digest_of(data: Mapping[str, Any]) -> str:
    return hashlib.sha1(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _now() -> str:
    return format_time(datetime.now(UTC))


def _current(engine: Engine) -> tuple[int | None, dict[str, store.PartyRow]]:
    with engine.connect() as conn:
        latest = store.latest_version(conn)
        if latest is None:
            return None, {}
        return int(latest.id), {r.party_id: r for r in store.party_rows(conn, latest.id)}


def _store_version(
    engine: Engine,
    rows: list[store.PartyRow],
    *,
    source: str,
    sha256: str,
    by: audit.Actor,
    report: ImportReport,
) -> int:
    with write_transaction(engine) as conn:
        version_id = store.add_version(conn, at=_now(), source=source, sha256=sha256, rows=rows)
        audit.record_on(
            conn,
            actor=by.name,
            role=by.role,
            channel=by.channel,
            action=audit.Action.PORTFOLIO_IMPORT,
            request={"source": source, "sha256": sha256},
            result_summary={
                "version_id": version_id,
                "parties": len(rows),
                "added": len(report.added),
                "changed": len(report.changed),
                "removed": len(report.removed),
                "bad": len(report.bad),
            },
        )
    return version_id


def import_file(
    engine: Engine,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    by: audit.Actor | None = None,
    source: str | None = None,
) -> ImportReport:
    """Import a portfolio file as a new version (none when nothing changed); bad rows
    are reported with their line and the rest goes in.  `source` is the name the
    version records (an upload's own name rather than the server's temporary path)."""
    by = by or audit.Actor.cli()
    mapping = mapping or {}
    if not path.is_file():
        raise InputError("file", f"no such file: {path}", file=str(path))
    report = ImportReport(None, source or str(path), 0)
    seen: dict[str, int] = {}
    good: list[store.PartyRow] = []
    for line, raw in _rows(path):
        if "__error__" in raw:
            report.bad.append(BadRow(line, "", str(raw["__error__"])))
            continue
        try:
            party_id, data = normalise_row(raw, mapping)
        except InputError as error:
            report.bad.append(BadRow(line, error.field, error.message))
            continue
        if party_id in seen:
            report.bad.append(BadRow(line, "id", f"{party_id!r} already on line {seen[party_id]}"))
            continue
        seen[party_id] = line
        good.append(store.PartyRow(party_id, data["name"], data["schema"], digest_of(data), data))
    previous_id, previous = _current(engine)
    new = {r.party_id: r for r in good}
    report.added = sorted(new.keys() - previous.keys())
    report.removed = sorted(previous.keys() - new.keys())
    report.changed = sorted(i for i in new.keys() & previous.keys() if new[i].digest != previous[i].digest)
    report.parties = len(good)
    if previous_id is not None and not (report.added or report.removed or report.changed):
        report.version_id = previous_id  # nothing new: no version, no record
        return report
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    report.version_id = _store_version(engine, good, source=report.path, sha256=sha, by=by, report=report)
    return report


def parties(engine: Engine) -> list[Party]:
    """The parties of the current portfolio version."""
    _, rows = _current(engine)
    return [Party(r.party_id, r.name, r.schema, r.digest, r.data) for r in rows.values()]


def current_version(engine: Engine) -> int | None:
    return _current(engine)[0]


def show(engine: Engine, party_id: str) -> Party:
    _, rows = _current(engine)
    row = rows.get(party_id)
    if row is None:
        raise NotFoundError(f"no party {party_id!r} in the portfolio")
    return Party(row.party_id, row.name, row.schema, row.digest, row.data)


def remove(engine: Engine, party_id: str, *, by: audit.Actor | None = None) -> ImportReport:
    """A new portfolio version without this party."""
    by = by or audit.Actor.cli()
    _, rows = _current(engine)
    if party_id not in rows:
        raise NotFoundError(f"no party {party_id!r} in the portfolio")
    keep = [r for pid, r in rows.items() if pid != party_id]
    report = ImportReport(None, f"remove {party_id}", len(keep), removed=[party_id])
    report.version_id = _store_version(
        engine,
        keep,
        source=f"remove {party_id}",
        sha256=hashlib.sha256(party_id.encode()).hexdigest(),
        by=by,
        report=report,
    )
    return report
