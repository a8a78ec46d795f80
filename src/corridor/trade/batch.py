"""Files in, verdicts out: one transaction file, batch files, the corridor scenario.

One file (`read_transaction_file`): .json, .yaml or .yml holding one transaction
(a mapping), a list of them, or {"transactions": [...]}.

Batch (`check_batch`): input .jsonl (one transaction object per line) or .csv
(one row per goods line, rows of one transaction consecutive; layout in
`CSV_COLUMNS` and docs/trade.md); output .jsonl (one verdict per line) or .csv
(one row per transaction).  A bad row or line becomes an ERROR result naming the
row and the field; the rest of the batch goes on and the ledger is untouched by it.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Engine

from corridor.errors import ParseError
from corridor.trade import hs as hs_module
from corridor.trade.evaluate import Evaluator, Verdict
from corridor.trade.hs import Nomenclature
from corridor.trade.ledger import CapLedger
from corridor.trade.rules import read_yaml
from corridor.trade.screening import PartyScreener
from corridor.trade.transaction import FieldError, Transaction, build_transaction, parse_transaction

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
    "notification_ref",
    "committee_approval_ref",
    "advance_notification_ref",
    "origin_certificate_ref",
    "humanitarian_exemption_ref",
    "non_ngl_attestation_ref",
    "licence_ref",
    "extra_json",
)
CSV_LINE_COLUMNS = ("hs_code", "goods_description", "quantity", "unit", "product", "goods_origin")
CSV_COLUMNS = CSV_TX_COLUMNS + CSV_LINE_COLUMNS
_EVIDENCE_COLUMNS = {
    "notification_ref": "notification",
    "committee_approval_ref": "committee_approval",
    "advance_notification_ref": "advance_notification",
    "origin_certificate_ref": "origin_certificate",
    "humanitarian_exemption_ref": "humanitarian_exemption",
    "non_ngl_attestation_ref": "non_ngl_attestation",
    "licence_ref": "licence",
}
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


@dataclass(slots=True)
class BatchSummary:
    input: Path
    output: Path
    processed: int
    errors: list[str]
    by_outcome: dict[str, int]


# --- single files --------------------------------------------------------------------


def _documents(path: Path) -> list[tuple[str, Any]]:
    suffix = path.suffix.casefold()
    if suffix in (".yaml", ".yml"):
        data = read_yaml(path)
    elif suffix == ".json":
        try:
            with open(path, encoding="utf-8") as handle:
                data = json.load(handle)
        except json.JSONDecodeError as exc:
            raise ParseError(
                path, f"line {exc.lineno}, column {exc.colno}", f"malformed JSON: {exc.msg}"
            ) from exc
        except OSError as exc:
            raise ParseError(path, "", f"cannot read: {exc}") from exc
    else:
        raise ParseError(path, "", f"unsupported file type {path.suffix!r} (use .json, .yaml or .yml)")
    if isinstance(data, Mapping) and "transactions" in data:
        data = data["transactions"]
    if isinstance(data, Mapping):
        return [("", data)]
    if isinstance(data, list):
        return [(f"transactions[{i}]", item) for i, item in enumerate(data)]
    raise ParseError(
        path, "top level", "expected a transaction, a list of transactions or {transactions: [...]}"
    )


def read_transaction_file(path: Path, hs: Nomenclature | None = None) -> list[Transaction]:
    """All transactions in a .json/.yaml file; the first bad one raises ParseError."""
    hs = hs or hs_module.load()
    return [
        parse_transaction(data, hs, source=str(path), where=where) for where, data in _documents(Path(path))
    ]


def check_file(path: Path, evaluator: Evaluator, *, record: bool = True) -> list[Verdict]:
    """Verdicts for every transaction in one file, in order."""
    return [evaluator.check(tx, record=record) for tx in read_transaction_file(Path(path), evaluator.hs)]


def make_evaluator(screener: PartyScreener | None = None, engine: Engine | None = None) -> Evaluator:
    """The default rules, indicators and HS data, with a screener and a ledger on `engine`."""
    return Evaluator(screener=screener, ledger=CapLedger(engine) if engine is not None else None)


def check_scenario(path: Path, screener: PartyScreener | None, engine: Engine | None) -> list[Verdict]:
    """Check every transaction of a scenario file (e.g. examples/corridor-2022.yaml) in order,
    recording capped shipments in the ledger on `engine`."""
    return check_file(Path(path), make_evaluator(screener, engine))


# --- batch input ----------------------------------------------------------------------


def iter_jsonl(path: Path, hs: Nomenclature) -> Iterator[BatchItem]:
    with open(path, encoding="utf-8") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            where = f"line {line_no}"
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                yield BatchItem(
                    where,
                    "",
                    error=ParseError(path, where, f"malformed JSON: {exc.msg} (column {exc.colno})"),
                )
                continue
            tx_id = str(data.get("id", "")) if isinstance(data, dict) else ""
            try:
                yield BatchItem(
                    where, tx_id, transaction=parse_transaction(data, hs, source=str(path), where=where)
                )
            except ParseError as exc:
                yield BatchItem(where, tx_id, error=exc)


def _csv_groups(
    path: Path, handle: IO[str]
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
    for row_no, row in enumerate(reader, start=2):
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


def iter_csv(path: Path, hs: Nomenclature) -> Iterator[BatchItem]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        for numbers, rows, error in _csv_groups(path, handle):
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
                if exc.field.startswith("goods["):
                    index = int(exc.field[len("goods[") : exc.field.index("]")])
                    place = f"row {goods_rows.get(index, numbers[0])}"
                yield BatchItem(
                    where,
                    tx_id,
                    error=ParseError(path, f"{place} (transaction {tx_id}), field {exc.field}", exc.message),
                )


def iter_batch(path: Path, hs: Nomenclature) -> Iterator[BatchItem]:
    if not path.is_file():
        raise ParseError(path, "", "no such file")
    suffix = path.suffix.casefold()
    if suffix == ".jsonl":
        return iter_jsonl(path, hs)
    if suffix == ".csv":
        return iter_csv(path, hs)
    raise ParseError(path, "", f"unsupported batch input {path.suffix!r} (use .csv or .jsonl)")


# --- batch output ---------------------------------------------------------------------


def _summary_text(verdict: Verdict, limit: int = 3) -> str:
    top = [r for r in verdict.reasons if r.outcome is verdict.outcome][:limit]
    return " | ".join(f"{r.rule_id} ({r.citation}): {r.message}" for r in top)


def check_batch(
    input_path: Path,
    output_path: Path,
    evaluator: Evaluator,
    *,
    on_progress: Callable[[BatchProgress], None] | None = None,
    record: bool = True,
) -> BatchSummary:
    """Check every transaction of a batch file and write one result per transaction."""
    input_path, output_path = Path(input_path), Path(output_path)
    out_kind = output_path.suffix.casefold()
    if out_kind not in (".jsonl", ".csv"):
        raise ParseError(
            output_path, "", f"unsupported batch output {output_path.suffix!r} (use .csv or .jsonl)"
        )
    items = iter_batch(input_path, evaluator.hs)
    progress = BatchProgress()
    errors: list[str] = []
    with open(output_path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=RESULT_CSV_COLUMNS) if out_kind == ".csv" else None
        if writer:
            writer.writeheader()
        for item in items:
            progress.processed += 1
            if item.transaction is None:
                assert item.error is not None
                progress.errors += 1
                progress.by_outcome["ERROR"] += 1
                message = str(item.error)
                errors.append(message)
                if writer:
                    writer.writerow(
                        {"transaction_id": item.transaction_id, "verdict": "ERROR", "error": message}
                    )
                else:
                    out.write(
                        json.dumps(
                            {
                                "transaction_id": item.transaction_id,
                                "verdict": "ERROR",
                                "where": item.where,
                                "error": message,
                            },
                            ensure_ascii=False,
                        )
                        + "\n"
                    )
            else:
                verdict = evaluator.check(item.transaction, record=record)
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
                    out.write(json.dumps(verdict.to_dict(), ensure_ascii=False) + "\n")
            if on_progress:
                on_progress(progress)
    return BatchSummary(input_path, output_path, progress.processed, errors, dict(progress.by_outcome))
