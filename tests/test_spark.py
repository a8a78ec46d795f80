"""corridor.spark in local mode (local[2]): the same rows as a single process, the
index loaded once per executor process, trade checks with the caps in input order.

Without pyspark or Java these tests skip with a loud reason; with CI=true they
fail instead (`make test` installs pyspark, see the Makefile)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine
from tests.conftest import _missing
from tests.helpers import capped_transactions

from corridor.match import Screener
from corridor.services import screening, streaming
from corridor.services import trade as trade_service
from corridor.store import db
from corridor.store.ledger import CapLedger


def _java_problem() -> str | None:
    java = shutil.which("java") or (Path(os.environ.get("JAVA_HOME", "/nonexistent")) / "bin" / "java")
    try:
        done = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"no Java 17 ({exc})"
    if done.returncode != 0:
        return f"java -version failed: {done.stderr.strip()[:200]}"
    return None


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One SparkSession (local[2]) for the whole test session."""
    try:
        import pyspark  # noqa: F401
    except ImportError as exc:
        _missing(f"pyspark is not installed ({exc}); `make install` installs '.[dev,spark]'")
    problem = _java_problem()
    if problem:
        _missing(f"Spark needs Java 17: {problem}")
    from corridor import spark as cs

    session = cs.session("local[2]", "corridor-tests")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_screening_equals_the_single_process_output_row_for_row(
    spark: Any, batch_screener: Screener, batch_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    from corridor import spark as cs

    source = tmp_path / "parties.jsonl"
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in batch_records]
    lines.insert(7, b"{not json")
    lines.insert(9, b'{"id": "bytes", "name": "Ri \xff Chol"}')
    lines.insert(11, b"")
    source.write_bytes(b"\n".join(lines) + b"\n")
    single = tmp_path / "single.parquet"
    summary = streaming.screen_file(batch_screener, source, single)
    expected = pq.read_table(single).to_pylist()

    frame = cs.read_input(spark, source).repartition(3)  # rows out of order: the row column orders them
    results = cs.screen_dataframe(frame, cs.ship_index(spark, batch_screener))
    got = sorted((r.asDict(recursive=True) for r in results.collect()), key=lambda r: r["row"])
    assert len(got) == len(expected) == summary.rows
    assert got == expected
    assert summary.errors == 2 and summary.with_hits >= 30


def test_single_read_splits_give_the_single_process_output_in_order(
    spark: Any, batch_screener: Screener, batch_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    """Each partition reads its own byte range (JSONL, CSV) or rows (Parquet) and
    numbers them itself: the results, unsorted, are the single-process rows in order."""
    from corridor import spark as cs

    source = tmp_path / "parties.jsonl"
    lines = [json.dumps(r, ensure_ascii=False).encode() for r in batch_records]
    lines.insert(7, b"{not json")
    lines.insert(9, b'{"id": "bytes", "name": "Ri \xff Chol"}')
    lines.insert(11, b"")
    lines.insert(1500, b"   ")
    # LF line ends, then CRLF, then LF with lone CRs: the universal newlines of the
    # streaming reader (a split is cut after a line feed only)
    third = len(lines) // 3
    rest = b"".join(line + (b"\r" if n % 10 == 0 else b"\n") for n, line in enumerate(lines[2 * third :]))
    source.write_bytes(
        b"\n".join(lines[:third]) + b"\n" + b"\r\n".join(lines[third : 2 * third]) + b"\r\n" + rest
    )
    single = tmp_path / "single.parquet"
    summary = streaming.screen_file(batch_screener, source, single)
    expected = pq.read_table(single).to_pylist()
    assert summary.errors == 2

    shipped = cs.ship_index(spark, batch_screener)
    splits = cs.splits_for(spark, source, 5)
    assert splits is not None and len(splits) == 5
    assert splits[0].first_row == 1 and len({s.first_row for s in splits}) == 5
    results = cs.screen_splits(spark, splits, shipped)
    assert results.rdd.getNumPartitions() == 5
    assert [r.asDict(recursive=True) for r in results.collect()] == expected  # in order, unsorted
    out = tmp_path / "hits.parquet"
    cs.write_output(results, out, sort=False)
    assert len(list(out.glob("part-*.parquet"))) == 5
    assert pq.read_table(out).to_pylist() == expected
    # the tasks writing their own part files (over the JVM's: the directory is emptied first)
    counts = cs.write_splits(spark, splits, shipped, out)
    assert sorted(p.name for p in out.iterdir()) == ["_SUCCESS"] + [f"part-{i:05d}.parquet" for i in range(5)]
    assert pq.read_table(out).to_pylist() == expected
    assert (counts.rows, counts.hits, counts.with_hits, counts.errors) == (
        summary.rows,
        summary.hits,
        summary.with_hits,
        summary.errors,
    )
    assert spark.read.parquet(str(out)).count() == summary.rows

    # Parquet: a directory of part files with several row groups, cut into row ranges
    import pyarrow as pa

    parquet_in = tmp_path / "parties.parquet"
    parquet_in.mkdir()
    columns = [{"id": r["id"], "name": r["name"], "schema": r["schema"]} for r in batch_records[:900]]
    for number, start in enumerate(range(0, 900, 400)):
        pq.write_table(
            pa.Table.from_pylist(columns[start : start + 400]),
            parquet_in / f"part-{number:05d}.parquet",
            row_group_size=150,
        )
    single = tmp_path / "single-from-parquet.parquet"
    streaming.screen_file(batch_screener, parquet_in, single)
    splits = cs.splits_for(spark, parquet_in, 4)
    assert splits is not None and [s.first_row for s in splits] == [1, 226, 451, 676]
    got = [r.asDict(recursive=True) for r in cs.screen_splits(spark, splits, shipped).collect()]
    assert got == pq.read_table(single).to_pylist()

    # CSV with quoted line ends, blank lines and malformed rows: cut at row boundaries
    import csv

    csv_in = tmp_path / "parties.csv"
    with csv_in.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["id", "name", "schema"])
        for number, r in enumerate(batch_records[:900]):
            name = r["name"].replace(" ", "\n", 1) if number % 7 == 0 else r["name"]  # quoted line end
            writer.writerow([r["id"], name, r["schema"]])
            if number % 100 == 0:
                handle.write("\r\n")  # a blank line: not a row
            if number % 150 == 0:
                handle.write(f"{number}-bad,too,many,columns\r\n")
    single = tmp_path / "single-from-csv.parquet"
    summary = streaming.screen_file(batch_screener, csv_in, single)
    assert summary.errors == 6
    splits = cs.splits_for(spark, csv_in, 3)
    assert splits is not None and len(splits) == 3
    out = tmp_path / "hits-from-csv.parquet"
    counts = cs.write_splits(spark, splits, shipped, out)
    assert pq.read_table(out).to_pylist() == pq.read_table(single).to_pylist()
    assert (counts.rows, counts.errors) == (summary.rows, 6)

    # the DataFrame path (Spark's CSV reader) joins quoted line ends and reads doubled quotes
    quoted = tmp_path / "quoted.csv"
    quoted.write_text('id,name\n1,"Kim\nJong Un"\n\n2,Ri Chol\n3,"ACME, ""X"" LTD"\n', encoding="utf-8")
    got = [(r["row"], r["id"], r["name"]) for r in cs.read_input(spark, quoted).collect()]
    assert got == [(2, "1", "Kim\nJong Un"), (3, "2", "Ri Chol"), (4, "3", 'ACME, "X" LTD')]


def test_the_index_is_loaded_once_per_executor_process(
    spark: Any, batch_screener: Screener, batch_records: list[dict[str, Any]]
) -> None:
    from corridor import spark as cs

    frame = spark.createDataFrame(
        [(r["id"], r["name"]) for r in batch_records[:400]], "id string, name string"
    )
    shipped = cs.ship_index(spark, batch_screener)
    results = cs.screen_dataframe(frame.repartition(8), shipped, diagnostics=True).collect()
    loads: dict[int, set[int]] = {}
    for row in results:
        loads.setdefault(row["_pid"], set()).add(row["_loads"])
    # 8 partitions on at most 2 reused Python workers: every process loaded it once
    assert all(seen == {1} for seen in loads.values()), loads
    assert 1 <= len(loads) < 8


def test_spark_checks_give_the_cli_verdicts_with_caps_in_input_order(
    spark: Any, batch_store: tuple[str, Engine, Path], batch_screener: Screener, tmp_path: Path
) -> None:
    from corridor import spark as cs

    _, engine, _ = batch_store
    source = tmp_path / "tx.jsonl"
    source.write_text(
        "".join(json.dumps(t) + "\n" for t in capped_transactions(90)) + "{oops\n", encoding="utf-8"
    )
    party_screener = screening.ScreenerParties(batch_screener, screening.active_programs(engine))
    single_db = db.engine(f"sqlite:///{tmp_path / 'single.db'}")
    out = tmp_path / "single.jsonl"
    streaming.check_file(trade_service.evaluator(single_db, party_screener), source, out)
    expected = out.read_text(encoding="utf-8").splitlines()

    spark_db = db.engine(f"sqlite:///{tmp_path / 'spark.db'}")
    evaluator = trade_service.evaluator(spark_db, party_screener)
    frame = cs.read_input(spark, source).repartition(3)
    verdicts = cs.check_dataframe(frame, evaluator, source=str(source)).collect()
    assert [r["result"] for r in verdicts] == expected
    assert "PROHIBITED" in {r["verdict"] for r in verdicts} and "CAPPED_REPORTABLE" in {
        r["verdict"] for r in verdicts
    }

    def ledger(eng: Engine) -> list[tuple[str, str, Any, list[str]]]:
        return [
            (u.cap_id, u.period, u.barrels, [s.transaction_id for s in u.shipments])
            for u in CapLedger(eng).summary(trade_service.rulebook().caps())
        ]

    assert ledger(spark_db) == ledger(single_db) and ledger(single_db)


def test_spark_screen_command(
    spark: Any, batch_store: tuple[str, Engine, Path], batch_records: list[dict[str, Any]], tmp_path: Path
) -> None:
    url, _, home = batch_store
    source = tmp_path / "parties.parquet"
    import pyarrow as pa

    columns = [{"id": r["id"], "name": r["name"], "schema": r["schema"]} for r in batch_records[:300]]
    pq.write_table(pa.Table.from_pylist(columns), source)
    from typer.testing import CliRunner

    from corridor.cli import app

    out = tmp_path / "hits.parquet"
    result = CliRunner().invoke(
        app,
        [
            "spark",
            "screen",
            "--input",
            str(source),
            "--output",
            str(out),
            "--db",
            url,
            "--master",
            "local[2]",
        ],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    assert "300 queries screened on Spark" in result.stdout
    single = tmp_path / "single.parquet"
    screener = screening.load_screener(db.engine(url), home)
    streaming.screen_file(screener, source, single)
    assert pq.read_table(out).sort_by("row").to_pylist() == pq.read_table(single).to_pylist()

    # a JSONL file is split in file order over the cores: the parts come out in row order, unsorted
    lines = tmp_path / "parties.jsonl"
    every = [{"id": r["id"], "name": r["name"], "schema": r["schema"]} for r in batch_records]
    lines.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in every), encoding="utf-8")
    out = tmp_path / "hits-from-lines.parquet"
    result = CliRunner().invoke(
        app,
        ["spark", "screen", "--input", str(lines), "--output", str(out), "--db", url, "--master", "local[2]"],
        env={"CORRIDOR_HOME": str(home)},
    )
    assert result.exit_code == 0, result.output
    assert len(list(out.glob("part-*.parquet"))) > 1
    single = tmp_path / "single-lines.parquet"
    streaming.screen_file(screener, lines, single)
    assert pq.read_table(out).to_pylist() == pq.read_table(single).to_pylist()
