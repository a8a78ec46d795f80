"""Transactions in, verdicts out, on data and streams the caller opens (no file
system here: `corridor.services.trade` opens files and refuses an output that is
its input).

Documents (`transactions_in`): a parsed .json/.yaml document holding one
transaction (a mapping), a list of them, or {"transactions": [...]}; each is parsed
on its own.  Batches: JSONL lines (`jsonl_items`: one transaction object per line)
or CSV text (`csv_items`: one row per goods line, rows of one transaction
consecutive; layout in `CSV_COLUMNS` and docs/trade.md); results (`check_items`)
written as JSONL (one verdict per line) or CSV (one row per transaction).  A bad
row or line becomes an ERROR result naming the row and the field; the rest of the
batch goes on and the ledger is untouched by it.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from corridor.errors import CorridorError, ParseError
from corridor.trade.documents import parse_json
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.hs import Nomenclature
from corridor.trade.transaction import FieldError, Transaction, build_transaction, parse_transaction
from corridor.trade.vocabularies import vocabularies
from corridor.types.jsonl import jsonl_text

# CSV: transaction-level columns (read from a transaction's first row; later rows may
# leave them blank but may not contradict them) and goods-line columns (every row).
CSV_TX_COLUMNS = (
    "transaction_id",
    "type",
    "date",
    "description",
    "mode",
    "origin",
    "destination",
    "exporter",
    "exporter_country",
    "importer",
    "importer_country",
    "consignee",
    "consignee_country",
    "end_user",
    "end_user_country",
    "vessel_name",
    "vessel_imo",
    "vessel_flag",
    "port_of_loading",
    "port_of_discharge",
    "port_of_transshipment",
    "payment_method",
    "payment_currency",
    # one `<kind>_ref` column per evidence kind of the vocabularies
    *(f"{kind}_ref" for kind in vocabularies().evidence_kinds),
    "extra_json",
)
CSV_LINE_COLUMNS = (
    "hs_code",
    "national_code",
    "national_system",
    "goods_description",
    "quantity",
    "unit",
    "product",
    "goods_origin",
)
CSV_COLUMNS = CSV_TX_COLUMNS + CSV_LINE_COLUMNS
_EVIDENCE_COLUMNS = {f"{kind}_ref": kind for kind in vocabularies().evidence_kinds}
_PARTY_COLUMNS = ("exporter", "importer", "consignee", "end_user")
RESULT_CSV_COLUMNS = ("transaction_id", "verdict", "reasons", "rule_ids", "summary", "error")


@dataclass(frozen=True, slots=True)
class BatchItem:
    """A parsed transaction or the error that stopped it, with where it came from."""

    where: str  # "row 4" / "rows 4-6" / "line 3"
    transaction_id: str
    transaction: Transaction | None = None
    error: ParseError | None = None


@dataclass(slots=True)
class BatchProgress:
    processed: int = 0
    errors: int = 0
    by_outcome: Counter[str] = field(default_factory=Counter)
    messages: list[str] = field(default_factory=list)  # one per error, in order


@dataclass(slots=True)
class BatchSummary:
    input: Path
    output: Path
    processed: int
    errors: list[str]
    by_outcome: dict[str, int]


# --- documents ------------------------------------------------------------------------


def documents_in(data: Any, source: str) -> list[tuple[str, Any]]:
    """(where, transaction data) for each transaction a parsed document holds."""
    if isinstance(data, Mapping) and "transactions" in data:
        data = data["transactions"]
    if isinstance(data, Mapping):
        return [("", data)]
    if isinstance(data, list):
        return [(f"transactions[{i}]", item) for i, item in enumerate(data)]
    raise ParseError(
        source, "top level", "expected a transaction, a list of transactions or {transactions: [...]}"
    )


def transactions_in(data: Any, source: str, hs: Nomenclature) -> Iterator[BatchItem]:
    """Every transaction of a parsed document, each parsed or with its own error."""
    for where, item in documents_in(data, source):
        tx_id = _id_of(item)
        try:
            yield BatchItem(
                where or "transaction", tx_id, parse_transaction(item, hs, source=source, where=where)
            )
        except ParseError as exc:
            yield BatchItem(where or "transaction", tx_id, error=exc)


def _id_of(data: Any) -> str:
    """The id a transaction says it has, for naming it in an error ("" if none)."""
    value = data.get("id") if isinstance(data, Mapping) else None
    return value if isinstance(value, str) and len(value) <= 200 else ""


# --- batch input ----------------------------------------------------------------------


def jsonl_items(lines: Iterable[bytes], source: str, hs: Nomenclature, start: int = 1) -> Iterator[BatchItem]:
    """One item per non-blank line (bytes, as read from the file; the first is line
    `start`, for a slice of a file read elsewhere, as on Spark).  A line that is not
    UTF-8, not JSON, nested too deeply or holding a number Python refuses is one error
    item; the rest goes on."""
    for line_no, raw in enumerate(lines, start=start):
        where = f"line {line_no}"
        try:
            line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            yield BatchItem(
                where, "", error=ParseError(source, where, f"not UTF-8 text (byte 0x{raw[exc.start]:02x})")
            )
            continue
        if not line.strip():
            continue
        try:
            data = parse_json(line, source, where)
        except ParseError as exc:
            yield BatchItem(where, "", error=exc)
            continue
        tx_id = _id_of(data)
        try:
            yield BatchItem(where, tx_id, transaction=parse_transaction(data, hs, source=source, where=where))
        except ParseError as exc:
            yield BatchItem(where, tx_id, error=exc)


_NOT_UTF8 = "not UTF-8 text"


def _rows(reader: Iterator[dict[str, Any]]) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    """(row number, row or None, problem): a row the csv module refuses (a field over
    its size limit) or holding bytes that are not UTF-8 is reported, not fatal."""
    row_no = 1
    while True:
        row_no += 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield row_no, None, f"malformed row: {exc}"
            continue
        if any(isinstance(v, str) and _has_surrogates(v) for v in row.values()):
            yield row_no, None, _NOT_UTF8
            continue
        yield row_no, row, ""


def _has_surrogates(text: str) -> bool:
    return not text.isascii() and any("\udc80" <= ch <= "\udcff" for ch in text)


def _csv_groups(
    path: str, handle: Iterable[str]
) -> Iterator[tuple[list[int], list[dict[str, str]], ParseError | None]]:
    """Consecutive rows with the same transaction_id; row numbers count the header as row 1."""
    reader = csv.DictReader(handle, restkey="__extra__", restval=None)
    header = reader.fieldnames or []
    if "transaction_id" not in header:
        raise ParseError(path, "row 1", "missing column transaction_id (see the CSV layout in docs/trade.md)")
    unknown = [c for c in header if c not in CSV_COLUMNS]
    if unknown:
        raise ParseError(
            path, "row 1", f"unknown column(s) {', '.join(unknown)} (expected: {', '.join(CSV_COLUMNS)})"
        )
    seen: set[str] = set()
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    current = ""
    for row_no, maybe_row, problem in _rows(reader):
        if maybe_row is None:
            if rows:
                yield numbers, rows, None
                rows, numbers, current = [], [], ""
            yield [row_no], [{}], ParseError(path, f"row {row_no}", problem)
            continue
        row = maybe_row
        if row.get("__extra__") is not None or any(v is None for k, v in row.items() if k != "__extra__"):
            if rows:
                yield numbers, rows, None
                rows, numbers, current = [], [], ""
            yield (
                [row_no],
                [row],
                ParseError(path, f"row {row_no}", f"malformed row: expected {len(header)} columns"),
            )
            continue
        tx_id = (row.get("transaction_id") or "").strip()
        if not tx_id:
            if rows:
                yield numbers, rows, None
                rows, numbers, current = [], [], ""
            yield (
                [row_no],
                [row],
                ParseError(path, f"row {row_no}, field transaction_id", "missing transaction_id"),
            )
            continue
        if tx_id != current:
            if rows:
                yield numbers, rows, None
            if tx_id in seen:
                yield (
                    [row_no],
                    [row],
                    ParseError(
                        path,
                        f"row {row_no}, field transaction_id",
                        f"transaction {tx_id!r} appears again after other rows: keep its rows together",
                    ),
                )
                rows, numbers, current = [], [], ""
                continue
            seen.add(tx_id)
            rows, numbers, current = [], [], tx_id
        rows.append(row)
        numbers.append(row_no)
    if rows:
        yield numbers, rows, None


def csv_rows_to_dict(rows: list[dict[str, str]], numbers: list[int]) -> tuple[dict[str, Any], dict[int, int]]:
    """One transaction dict from its CSV rows; also goods index -> row number.  Raises
    FieldError naming the field (prefixed with the row where it matters)."""
    first = rows[0]
    for row, row_no in zip(rows[1:], numbers[1:], strict=True):
        for col in CSV_TX_COLUMNS:
            value = (row.get(col) or "").strip()
            if value and value != (first.get(col) or "").strip():
                raise FieldError(col, f"row {row_no} differs from the transaction's first row {numbers[0]}")

    def get(col: str) -> str:
        return (first.get(col) or "").strip()

    data: dict[str, Any] = {"id": get("transaction_id")}
    for key in ("type", "date", "description", "mode", "origin", "destination"):
        if get(key):
            data[key] = get(key)
    parties = [
        {
            "name": get(role),
            "role": role,
            **({"country": get(f"{role}_country")} if get(f"{role}_country") else {}),
        }
        for role in _PARTY_COLUMNS
        if get(role)
    ]
    if parties:
        data["parties"] = parties
    if get("vessel_name"):
        vessel = {"name": get("vessel_name")}
        for key in ("imo", "flag"):
            if get(f"vessel_{key}"):
                vessel[key] = get(f"vessel_{key}")
        data["vessels"] = [vessel]
    ports = {
        key: [p.strip() for p in get(col).split(";") if p.strip()]
        for key, col in (
            ("loading", "port_of_loading"),
            ("discharge", "port_of_discharge"),
            ("transshipment", "port_of_transshipment"),
        )
        if get(col)
    }
    if ports:
        data["ports"] = ports
    if get("payment_method") or get("payment_currency"):
        data["payment"] = {
            k: v for k, v in (("method", get("payment_method")), ("currency", get("payment_currency"))) if v
        }
    evidence = {kind: get(col) for col, kind in _EVIDENCE_COLUMNS.items() if get(col)}
    if evidence:
        data["evidence"] = evidence
    goods: list[dict[str, Any]] = []
    goods_rows: dict[int, int] = {}
    for row, row_no in zip(rows, numbers, strict=True):
        line = {col: (row.get(col) or "").strip() for col in CSV_LINE_COLUMNS}
        if not any(line.values()):
            continue
        item: dict[str, Any] = {
            "hs_code": line["hs_code"],
            "quantity": line["quantity"],
            "unit": line["unit"],
        }
        for key, col in (
            ("national_code", "national_code"),
            ("national_system", "national_system"),
            ("description", "goods_description"),
            ("product", "product"),
            ("origin", "goods_origin"),
        ):
            if line[col]:
                item[key] = line[col]
        goods_rows[len(goods)] = row_no
        goods.append(item)
    if goods:
        data["goods"] = goods
    if get("extra_json"):
        try:
            extra = json.loads(get("extra_json"))
        except json.JSONDecodeError as exc:
            raise FieldError("extra_json", f"malformed JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(extra, dict):
            raise FieldError("extra_json", "expected a JSON object")
        for key, value in extra.items():
            if isinstance(value, list) and isinstance(data.get(key), list):
                data[key] = [*data[key], *value]
            elif isinstance(value, dict) and isinstance(data.get(key), dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
    return data, goods_rows


def csv_items(handle: Iterable[str], source: str, hs: Nomenclature) -> Iterator[BatchItem]:
    """One item per transaction (its consecutive rows) of CSV text.  Open the file
    with errors="surrogateescape": a byte that is not UTF-8 then spoils its own row
    only (see `_rows`)."""
    for numbers, rows, error in _csv_groups(source, handle):
        tx_id = (rows[0].get("transaction_id") or "").strip() if rows else ""
        where = f"row {numbers[0]}" if len(numbers) == 1 else f"rows {numbers[0]}-{numbers[-1]}"
        if error is not None:
            yield BatchItem(where, tx_id, error=error)
            continue
        try:
            data, goods_rows = csv_rows_to_dict(rows, numbers)
            yield BatchItem(where, tx_id, transaction=build_transaction(data, hs))
        except FieldError as exc:
            place = where
            if exc.field.startswith("goods[") and "]" in exc.field:
                index = int(exc.field[len("goods[") : exc.field.index("]")])
                place = f"row {goods_rows.get(index, numbers[0])}"
            yield BatchItem(
                where,
                tx_id,
                error=ParseError(source, f"{place} (transaction {tx_id}), field {exc.field}", exc.message),
            )


# --- batch output ---------------------------------------------------------------------


def _summary_text(verdict: Verdict, limit: int = 3) -> str:
    top = [r for r in verdict.reasons if r.outcome is verdict.outcome][:limit]
    return " | ".join(f"{r.rule_id} ({r.citation}): {r.message}" for r in top)


def check_items(
    items: Iterable[BatchItem],
    out: IO[str],
    out_kind: str,
    evaluator: Evaluator,
    *,
    source: str,
    on_progress: Callable[[BatchProgress], None] | None = None,
    record: bool = True,
) -> BatchProgress:
    """Check every item and write one result per transaction to `out` (`out_kind`
    ".csv" or ".jsonl"); returns the counts and the error messages."""
    if out_kind not in (".jsonl", ".csv"):
        raise ParseError(source, "", f"unsupported batch output {out_kind!r} (use .csv or .jsonl)")
    progress = BatchProgress()
    writer = csv.DictWriter(out, fieldnames=RESULT_CSV_COLUMNS) if out_kind == ".csv" else None
    if writer:
        writer.writeheader()
    for item in items:
        progress.processed += 1
        if item.transaction is None:
            _write_error(out, writer, item, progress)
        else:
            try:
                verdict = evaluator.check(item.transaction, record=record)
            except CorridorError as exc:
                # e.g. the store busy for this one transaction: report it, go on
                failed = BatchItem(item.where, item.transaction_id, error=_as_parse_error(source, item, exc))
                _write_error(out, writer, failed, progress)
                if on_progress:
                    on_progress(progress)
                continue
            progress.by_outcome[verdict.outcome.value] += 1
            if writer:
                writer.writerow(
                    {
                        "transaction_id": verdict.transaction_id,
                        "verdict": verdict.outcome.value,
                        "reasons": len(verdict.reasons),
                        "rule_ids": ";".join(verdict.rule_ids),
                        "summary": _summary_text(verdict),
                        "error": "",
                    }
                )
            else:
                out.write(jsonl_text(verdict.to_dict()))
        if on_progress:
            on_progress(progress)
    return progress


def _as_parse_error(path: str, item: BatchItem, exc: CorridorError) -> ParseError:
    return ParseError(path, f"{item.where} (transaction {item.transaction_id})", exc.message)


def _write_error(
    out: IO[str],
    writer: csv.DictWriter[str] | None,
    item: BatchItem,
    progress: BatchProgress,
) -> None:
    assert item.error is not None
    progress.errors += 1
    progress.by_outcome["ERROR"] += 1
    message = str(item.error)
    progress.messages.append(message)
    if writer:
        writer.writerow({"transaction_id": item.transaction_id, "verdict": "ERROR", "error": message})
    else:
        record = {
            "transaction_id": item.transaction_id,
            "verdict": "ERROR",
            "where": item.where,
            "error": message,
        }
        out.write(jsonl_text(record))
