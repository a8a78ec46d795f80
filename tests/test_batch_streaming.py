"""Streaming batch jobs (services.streaming, corridor.batch): formats, workers,
resume after a kill, bad rows, constant memory, trade checks with caps in order."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from tests.helpers import capped_transactions

from corridor import batch
from corridor.errors import InputError
from corridor.match import Query, Screener
from corridor.services import screening, streaming
from corridor.services import trade as trade_service
from corridor.services.batch import screen_jsonl
from corridor.store import db
from corridor.store.ledger import CapLedger

ROOT = Path(__file__).resolve().parents[1]
ROWS = 3000  # = conftest.BATCH_ROWS


@pytest.fixture(scope="module")
def store(batch_store: tuple[str, Engine, Path]) -> tuple[str, Engine, Path]:
    return batch_store


@pytest.fixture(scope="module")
def screener(batch_screener: Screener) -> Screener:
    return batch_screener


@pytest.fixture(scope="module")
def records(batch_records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return batch_records


@pytest.fixture(scope="module")
def queries(tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]) -> Path:
    """The parties as JSONL, with bad lines among them."""
    path = tmp_path_factory.mktemp("batch-in") / "parties.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(10, "{not json")
    lines.insert(20, json.dumps({"id": "no-name", "schema": "Person"}))
    lines.insert(30, "")  # blank: skipped, but counted as a line
    lines.insert(40, json.dumps({"id": "bad-schema", "name": "Kim", "schema": "Starship"}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_one_and_two_workers_write_the_same_output_as_the_jsonl_batch(
    screener: Screener, queries: Path, tmp_path: Path
) -> None:
    legacy = tmp_path / "legacy.jsonl"
    screen_jsonl(screener, queries, legacy)
    one = tmp_path / "one.jsonl"
    two = tmp_path / "two.jsonl"
    first = streaming.screen_file(screener, queries, one, workers=1, commit_rows=700)
    second = streaming.screen_file(screener, queries, two, workers=2, commit_rows=700, task_rows=64)
    assert one.read_bytes() == legacy.read_bytes()
    assert two.read_bytes() == one.read_bytes()
    assert (first.rows, first.errors, first.hits) == (second.rows, second.errors, second.hits)
    assert first.rows == ROWS + 3 and first.errors == 3
    assert first.with_hits >= 30  # the listed names with variations are found
    rows = _jsonl(one)
    assert [r["id"] for r in rows if "error" not in r] == [f"p{i:08d}" for i in range(ROWS)]


def test_bad_rows_are_error_records_with_their_row_number(screener: Screener, tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_bytes(
        b'{"id": "a", "name": "Kim Jong Un"}\n{oops\n\n{"id": "c", "name": "Ri \xff"}\n{"id": "d", "name": "X"}\n'
    )
    out = tmp_path / "out.jsonl"
    summary = batch.screen_file(jsonl, out, screener=screener)
    rows = _jsonl(out)
    assert [r.get("line") for r in rows] == [None, 2, 4, None]
    assert summary.errors == 2 and summary.rows == 4
    assert summary.error_messages[0].startswith("line 2: ") and "JSON" in summary.error_messages[0]
    assert "UTF-8" in summary.error_messages[1]

    table = tmp_path / "in.csv"
    table.write_text(
        "id,name,schema,identifiers\n"
        "a,Korea Mining Development Trading Corporation,Company,\n"
        "b,,Person,\n"
        'c,"Ri Chol",Starship,\n'
        "d,x,Thing,1;2,extra\n"
        "e,Korea Mining Development Trading Corp,Company,AB1234567; CD7654321\n",
        encoding="utf-8",
    )
    out = tmp_path / "csv.jsonl"
    summary = streaming.screen_file(screener, table, out)
    rows = _jsonl(out)
    assert [r.get("row") for r in rows] == [None, 3, 4, 5, None]  # the header is row 1
    assert rows[1]["error"].startswith("name") and rows[2]["error"].startswith("schema")
    assert "columns" in rows[3]["error"]
    assert rows[0]["hits"] and rows[0]["hits"][0]["entity_id"] == rows[4]["hits"][0]["entity_id"]
    assert summary.errors == 3

    parquet = tmp_path / "in.parquet"
    pq.write_table(
        pa.table({"id": ["a", "b", "c"], "name": ["KOMID", None, "Vessel X"], "imo": [None, None, 12]}),
        parquet,
    )
    out = tmp_path / "pq.jsonl"
    summary = streaming.screen_file(screener, parquet, out)
    rows = _jsonl(out)
    assert rows[1] == {"id": "b", "row": 2, "error": "name: is missing"}
    assert rows[2]["id"] == "c" and rows[2]["row"] == 3 and rows[2]["error"].startswith("imo")
    assert summary.errors == 2 and rows[0]["hits"]


def test_csv_and_parquet_inputs_and_parquet_output_agree_with_jsonl(
    screener: Screener, records: list[dict[str, Any]], tmp_path: Path
) -> None:
    subset = records[:600]
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in subset), encoding="utf-8")
    table = tmp_path / "in.csv"
    with table.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "name", "schema", "country"])
        writer.writeheader()
        writer.writerows(subset)
    parquet = tmp_path / "in.parquet"
    # every column in every row: from_pylist takes the columns of the first row only
    columns = [
        {"id": r["id"], "name": r["name"], "schema": r["schema"], "country": r.get("country")} for r in subset
    ]
    pq.write_table(pa.Table.from_pylist(columns), parquet, row_group_size=100)

    reference = tmp_path / "ref.jsonl"
    streaming.screen_file(screener, jsonl, reference)
    expected = [streaming.flat_screen_record(r, i + 1) for i, r in enumerate(_jsonl(reference))]
    for source in (table, parquet):
        out = tmp_path / f"{source.suffix[1:]}.jsonl"
        streaming.screen_file(screener, source, out)
        assert _jsonl(out) == _jsonl(reference), source
    out = tmp_path / "out.parquet"
    summary = streaming.screen_file(screener, parquet, out, workers=2, commit_rows=250)
    assert out.is_dir() and len(list(out.glob("part-*.parquet"))) == 3
    assert pq.read_table(out).to_pylist() == expected
    assert list(streaming.read_results(out)) == expected
    assert summary.rows == 600 and summary.hits == sum(len(r["hits"]) for r in expected)


def _poll_checkpoint(path: Path, rows: int, process: subprocess.Popen[bytes], timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the run ended before it could be killed: {process.stderr}")
        try:
            state = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            state = None
        if state and state["counts"]["rows"] >= rows:
            return state
        time.sleep(0.005)
    raise AssertionError("no checkpoint appeared")


def test_resume_after_a_kill_writes_exactly_the_uninterrupted_output(
    store: tuple[str, Engine, Path], screener: Screener, queries: Path, tmp_path: Path
) -> None:
    url, _, home = store
    env = {
        **os.environ,
        "CORRIDOR_HOME": str(home),
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]),
    }
    command = [
        sys.executable,
        "-m",
        "corridor.cli",
        "screen",
        "--input",
        str(queries),
        "--db",
        url,
        "--quiet",
    ]
    whole = tmp_path / "whole.jsonl"
    done = subprocess.run([*command, "--output", str(whole)], env=env, capture_output=True, check=False)
    assert done.returncode == 0, done.stderr

    out = tmp_path / "killed.jsonl"
    process = subprocess.Popen(
        [*command, "--output", str(out), "--commit-rows", "100"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    state = _poll_checkpoint(streaming.progress_path(out), 300, process)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert not state["complete"]
    killed_at = json.loads(streaming.progress_path(out).read_text())["counts"]["rows"]
    assert 0 < killed_at < ROWS
    with out.open("ab") as handle:  # as if the kill came in the middle of writing a chunk
        handle.write(b'{"id": "half a chunk", "hits": [')
    resumed = subprocess.run(
        [*command, "--output", str(out), "--commit-rows", "100", "--resume"],
        env=env,
        capture_output=True,
        check=False,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed after {killed_at:,}" in resumed.stdout
    assert out.read_bytes() == whole.read_bytes()
    # a finished run resumed again does nothing and changes nothing
    again = subprocess.run(
        [*command, "--output", str(out), "--resume"], env=env, capture_output=True, check=False
    )
    assert again.returncode == 0 and out.read_bytes() == whole.read_bytes()


def test_resume_of_a_parquet_output_on_two_workers(screener: Screener, queries: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole.parquet"
    streaming.screen_file(screener, queries, whole, commit_rows=400)
    out = tmp_path / "out.parquet"
    stopped = streaming.screen_file(screener, queries, out, workers=2, commit_rows=400, stop_after=1000)
    assert not stopped.complete and stopped.rows == 1200
    (out / "part-00003.parquet").write_bytes(b"PAR1 a part written after the last commit")
    resumed = streaming.screen_file(screener, queries, out, workers=2, commit_rows=400, resume=True)
    assert resumed.resumed_from == 1200 and resumed.rows == ROWS + 3
    assert pq.read_table(out).to_pylist() == pq.read_table(whole).to_pylist()


def test_resume_refuses_another_input_or_other_options(
    screener: Screener, queries: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    streaming.screen_file(screener, queries, out, commit_rows=500, stop_after=500)
    with pytest.raises(InputError, match="other options"):
        streaming.screen_file(screener, queries, out, threshold=0.95, resume=True)
    other = tmp_path / "other.jsonl"
    other.write_text(queries.read_text(encoding="utf-8").replace("p0000", "x0000"), encoding="utf-8")
    with pytest.raises(InputError, match="another input"):
        streaming.screen_file(screener, other, out, resume=True)


def test_memory_stays_constant_whatever_the_input_size(screener: Screener, tmp_path: Path) -> None:
    """Ten times the rows, about the same peak: the input is never held whole."""
    padding = "x" * 200  # rows of some size, so that holding them would show
    line = '{"id": "%d", "name": "Pak Chol Su", "schema": "Person", "gender": null, "birth_date": "%s"}\n'

    def peak(rows: int) -> int:
        source = tmp_path / f"in-{rows}.jsonl"
        with source.open("w", encoding="utf-8") as handle:
            for i in range(rows):
                handle.write(line % (i, "1960" if i % 2 else ""))
                handle.write(json.dumps({"id": f"e{i}", "pad": padding}) + "\n")  # an error record each
        screener.screen(Query("Pak Chol Su", schema="Person"))  # caches warm before measuring
        tracemalloc.start()
        try:
            streaming.screen_file(screener, source, tmp_path / f"out-{rows}.jsonl", commit_rows=500)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = peak(2_000), peak(20_000)
    assert (tmp_path / "in-20000.jsonl").stat().st_size > 5_000_000
    assert large < small * 1.5 + 1_000_000, (small, large)


def test_checks_on_two_workers_apply_the_caps_in_input_order(
    store: tuple[str, Engine, Path], screener: Screener, tmp_path: Path
) -> None:
    _, engine, _ = store
    source = tmp_path / "tx.jsonl"
    source.write_text("".join(json.dumps(t) + "\n" for t in capped_transactions(150)), encoding="utf-8")
    party_screener = screening.ScreenerParties(screener, screening.active_programs(engine))
    results = {}
    ledgers = {}
    for workers in (1, 2):
        ledger_engine = db.engine(f"sqlite:///{tmp_path / f'ledger-{workers}.db'}")
        evaluator = trade_service.evaluator(ledger_engine, party_screener)
        out = tmp_path / f"out-{workers}.jsonl"
        summary = streaming.check_file(evaluator, source, out, workers=workers, task_rows=8, commit_rows=40)
        results[workers] = out.read_bytes()
        ledgers[workers] = [
            (u.cap_id, u.period, u.barrels, [s.transaction_id for s in u.shipments])
            for u in CapLedger(ledger_engine).summary(trade_service.rulebook().caps())
        ]
        assert summary.errors == 50 and summary.by_outcome["ERROR"] == 50
        assert (
            summary.by_outcome.get("PROHIBITED", 0) > 0 and summary.by_outcome.get("CAPPED_REPORTABLE", 0) > 0
        )
    assert results[1] == results[2]
    assert ledgers[1] == ledgers[2] and ledgers[1]
    verdicts = [json.loads(line) for line in results[1].splitlines()]
    diesel = [v["verdict"] for v in verdicts if v["transaction_id"].startswith("D-")]
    # the cap is used up part way: reportable first, prohibited after
    first_refused = diesel.index("PROHIBITED")
    assert first_refused > 0 and set(diesel[:first_refused]) == {"CAPPED_REPORTABLE"}
    cars = [v for v in verdicts if v["transaction_id"].startswith("C-")]
    assert all(any(s["hits"] for s in v["screening"]) for v in cars)  # the party is screened


def test_check_cli_reads_parquet_and_writes_parquet(tmp_path: Path, store: tuple[str, Engine, Path]) -> None:
    from typer.testing import CliRunner

    from corridor.cli import app

    _, _, home = store
    rows = list(csv.DictReader((ROOT / "examples/transactions/batch.csv").open(encoding="utf-8")))
    source = tmp_path / "batch.parquet"
    pq.write_table(pa.Table.from_pylist(rows), source)
    out = tmp_path / "verdicts.parquet"
    ledger = f"sqlite:///{tmp_path / 'ledger.db'}"
    result = CliRunner().invoke(
        app,
        ["check", "--input", str(source), "--output", str(out), "--db", ledger, "--workers", "2", "--quiet"],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    csv_out = tmp_path / "verdicts.jsonl"
    result = CliRunner().invoke(
        app,
        [
            "check",
            "--input",
            str(ROOT / "examples/transactions/batch.csv"),
            "--output",
            str(csv_out),
            "--db",
            f"sqlite:///{tmp_path / 'ledger2.db'}",
        ],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    from_parquet = [json.loads(r["result"]) for r in pq.read_table(out).to_pylist()]
    assert from_parquet == _jsonl(csv_out) and len(from_parquet) == 8


def test_a_check_run_resumed_writes_the_uninterrupted_output(
    store: tuple[str, Engine, Path], screener: Screener, tmp_path: Path
) -> None:
    _, engine, _ = store
    source = tmp_path / "tx.jsonl"
    source.write_text("".join(json.dumps(t) + "\n" for t in capped_transactions(120)), encoding="utf-8")
    party_screener = screening.ScreenerParties(screener, screening.active_programs(engine))
    for kind in ("jsonl", "csv", "parquet"):
        evaluator = trade_service.evaluator(None, party_screener)  # no ledger: resumed rows decide alike
        whole, out = tmp_path / f"whole.{kind}", tmp_path / f"out.{kind}"
        streaming.check_file(evaluator, source, whole, commit_rows=25)
        stopped = streaming.check_file(evaluator, source, out, workers=2, commit_rows=25, stop_after=50)
        assert not stopped.complete and stopped.rows == 50
        resumed = streaming.check_file(evaluator, source, out, workers=2, commit_rows=25, resume=True)
        assert resumed.resumed_from == 50 and resumed.rows == 120 and resumed.errors == 40
        if kind == "parquet":
            assert pq.read_table(out).to_pylist() == pq.read_table(whole).to_pylist()
        else:
            assert out.read_bytes() == whole.read_bytes(), kind
