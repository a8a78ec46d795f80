"""Corridor on Apache Spark: screen and check DataFrames with the results of a
single process (`pip install 'corridor[spark]'`; Java 17).

    from corridor import spark as cs

    session = cs.session("local[2]")
    shipped = cs.ship_index(session, screener)          # the index file, once
    hits = cs.screen_dataframe(session.read.parquet("parties.parquet"), shipped)
    hits.write.parquet("hits.parquet")

* **The index travels once.**  `ship_index` saves the screener's index with a
  one-time key (never the home's secret) and adds the file to the job
  (`SparkContext.addFile`); each executor's Python process loads it on first
  use and keeps it in a module-level cache, so it is loaded once per process,
  not per row or per batch (Spark reuses its Python workers).
* **The same answers.**  Rows are screened by `mapInArrow` (`write_splits`: a
  plain RDD) with the very function of the streaming batch
  (`services.streaming.screen_one`), into the flat result rows of its Parquet
  output (id, row, hits, error): a Spark run and a single-process run give the
  same rows.
* **Trade checks** (`check_dataframe`, JSON transactions as JSONL lines) run on
  the executors without the cap ledger; the transactions that make cap charges
  (few: capped petroleum lines) are then checked again on the driver, with the
  ledger, in one pass in input order, since cap use is global state.  Verdicts
  are those of `corridor check`.

Input DataFrames: query columns (id, name, schema, birth_date, country, imo,
identifiers, gender) or one `value` column of JSON lines (text or bytes), with
an optional `row` column (the input row or line, written back into results and
error records).  `read_input` reads a CSV, JSONL or Parquet file so (its row
numbers cost a counting pass over the input).

Files without a DataFrame: `splits_for` cuts a CSV, JSONL or Parquet file in
file order (`services.splits`: byte ranges at row boundaries, or row ranges), and
`screen_splits` gives each partition one part to read itself, numbered from the
part's first row, so the input is read once, by the Python workers, and the
results come out in row order without a counting job, a shuffle or a sort;
`write_splits` has each task write its part file itself (what `corridor spark
screen` does on a local master).
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corridor.errors import CorridorError, ParseError
from corridor.match import Screener
from corridor.services import streaming
from corridor.trade import batch as trade_batch
from corridor.types.jsonl import jsonl_text

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

    from corridor.services.splits import Split
    from corridor.trade.evaluate import Evaluator

_QUERY_COLUMNS = ("id", "name", "schema", "birth_date", "country", "imo", "identifiers", "gender")
_HS_FILES = ("harmonized-system.csv", "sections.csv")
_SPLIT_BATCH = 1024  # result rows per Arrow batch handed to the JVM by `screen_splits`
_COUNTS = ("rows", "hits", "with_hits", "errors")  # what `write_splits` tasks return

# per executor Python process: the loaded indexes and evaluators, and how often an
# index was loaded (diagnostics: once per process)
_SCREENERS: dict[str, Screener] = {}
_EVALUATORS: dict[str, Evaluator] = {}
_LOADS = 0
# on the driver: what was shipped, per (Spark context, screener)
_SHIPPED: dict[tuple[int, int], tuple[Screener, ShippedIndex]] = {}


def _pyspark() -> Any:
    try:
        import pyspark
    except ImportError:
        from corridor.errors import InputError

        raise InputError(
            "spark", "Spark needs pyspark: pip install 'corridor[spark]' (and Java 17)"
        ) from None
    return pyspark


def session(master: str = "local[2]", app_name: str = "corridor", **conf: str) -> SparkSession:
    """A SparkSession whose Python workers run this interpreter and import this
    corridor (spark-submit users pass their own configuration instead)."""
    _pyspark()
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    package_root = str(Path(__file__).resolve().parents[1])
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH", "")) if p)
    builder = (
        SparkSession.builder.master(master)
        .appName(app_name)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.executorEnv.PYTHONPATH", python_path)
        .config("spark.python.worker.reuse", "true")
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


@dataclass(frozen=True, slots=True)
class ShippedIndex:
    """An index file added to a Spark job, and the one-time key it was saved with."""

    name: str
    key: str  # hex
    entities: int


def ship_index(spark: SparkSession, screener: Screener) -> ShippedIndex:
    """Save the screener's index with a fresh key and add it to the job's files
    (once per screener and Spark context: shipping it again returns the first)."""
    where = (id(spark.sparkContext), id(screener))
    found = _SHIPPED.get(where)
    if found is not None and found[0] is screener:
        return found[1]
    from corridor.match.index import new_key

    key = new_key()
    directory = Path(tempfile.mkdtemp(prefix="corridor-spark-"))
    path = directory / f"screener-{key.hex()[:16]}.idx"  # a new name: Spark refuses a changed file
    screener.save(path, key)
    spark.sparkContext.addFile(str(path))
    shipped = ShippedIndex(path.name, key.hex(), len(screener))
    _SHIPPED[where] = (screener, shipped)
    return shipped


def _executor_screener(shipped: ShippedIndex) -> Screener:
    """The shipped index, loaded once in this Python process."""
    global _LOADS
    found = _SCREENERS.get(shipped.name)
    if found is None:
        from pyspark import SparkFiles

        found = Screener.load(SparkFiles.get(shipped.name), bytes.fromhex(shipped.key))
        _SCREENERS[shipped.name] = found
        _LOADS += 1
        # millions of objects that never change: frozen out of the collector's passes,
        # full passes spaced out, as the screening service does after a load
        from corridor.services.screening import settle

        settle()
    return found


def _load_count() -> int:
    # a function of the module, so that executors read the module's counter (a
    # closure shipped by cloudpickle would carry a copy of the value)
    return _LOADS


def _records(batch: Any, value_column: bool) -> Iterator[tuple[int | None, streaming.Record]]:
    for position, row in enumerate(batch.to_pylist()):
        number = row.get("row")
        at = int(number) if number is not None else position + 1
        if value_column:
            value = row.get("value")
            if isinstance(value, bytes):
                value = value.decode("utf-8", errors="surrogateescape")
            yield number, streaming.Record(at, value if value is not None else "")
        else:
            data = {k: v for k, v in row.items() if k in _QUERY_COLUMNS and v is not None and v != ""}
            yield number, streaming.Record(at, data)


def screen_dataframe(
    df: DataFrame,
    index: ShippedIndex | Screener,
    *,
    threshold: float | None = None,
    limit: int = 10,
    partitions: int | None = None,
    diagnostics: bool = False,
) -> DataFrame:
    """Screening results, one flat row per input row (see the module docstring).
    `partitions` spreads the rows first (a small file is one input partition, so
    one core; the `row` column keeps the order); `diagnostics` adds the executor
    process id and its index load count."""
    shipped = index if isinstance(index, ShippedIndex) else ship_index(df.sparkSession, index)
    if partitions is not None:
        df = df.repartition(partitions)
    import pyarrow as pa

    schema = streaming.screen_parquet_schema()
    if diagnostics:
        schema = schema.append(pa.field("_pid", pa.int64())).append(pa.field("_loads", pa.int64()))
    value_column = "value" in df.columns

    def screen_batches(batches: Iterator[Any]) -> Iterator[Any]:
        screener = _executor_screener(shipped)
        for batch in batches:
            out = []
            for number, record in _records(batch, value_column):
                result, _error = streaming.screen_one(screener, record, threshold, limit)
                flat = streaming.flat_screen_record(result, record.row)
                flat["row"] = number
                if diagnostics:
                    flat["_pid"], flat["_loads"] = os.getpid(), _load_count()
                out.append(flat)
            yield pa.RecordBatch.from_pylist(out, schema=schema)

    return df.mapInArrow(screen_batches, _spark_schema(schema))


def splits_for(
    spark: SparkSession, path: str | Path, partitions: int | None = None, *, shared: bool = False
) -> list[Split] | None:
    """The single-read splits of a CSV, JSONL or Parquet input (`services.splits`),
    one per partition (default: `default_partitions`), for `screen_splits` and
    `write_splits`; None when the input is to be read with `read_input` instead: a
    path the executors may not see (any path unless the master is local, or
    `shared`: the same path on every executor, e.g. a shared file system)."""
    from corridor.services import splits

    source = Path(path)
    local = str(spark.sparkContext.master).startswith("local")
    if not (local or shared) or not splits.splittable(source):
        return None
    return splits.file_splits(source, partitions or default_partitions(spark))


def _screened_split(
    screener: Screener, split: Split, threshold: float | None, limit: int
) -> Iterator[dict[str, Any]]:
    """The flat result rows of one split, in row order (on an executor)."""
    from corridor.services.splits import split_records

    for record in split_records(split):
        result, _error = streaming.screen_one(screener, record, threshold, limit)
        yield streaming.flat_screen_record(result, record.row)


def screen_splits(
    spark: SparkSession,
    splits: list[Split],
    index: ShippedIndex | Screener,
    *,
    threshold: float | None = None,
    limit: int = 10,
    diagnostics: bool = False,
) -> DataFrame:
    """Screening results of an input cut into `splits_for`'s splits: partition i
    reads split i itself (its bytes or rows once, in the Python worker), numbers
    its rows from the split's first row and screens them.  No counting pass, no
    shuffle: partitions come out in row order, so `write_output(..., sort=False)`
    writes the rows of a single process in order.  (`write_splits` writes Parquet
    without passing the rows through the JVM.)"""
    shipped = index if isinstance(index, ShippedIndex) else ship_index(spark, index)
    import pyarrow as pa

    schema = streaming.screen_parquet_schema()
    if diagnostics:
        schema = schema.append(pa.field("_pid", pa.int64())).append(pa.field("_loads", pa.int64()))
    chosen = list(splits)

    def screen_parts(batches: Iterator[Any]) -> Iterator[Any]:
        screener = _executor_screener(shipped)
        for batch in batches:
            for number in batch.column(0).to_pylist():
                out: list[dict[str, Any]] = []
                for flat in _screened_split(screener, chosen[number], threshold, limit):
                    if diagnostics:
                        flat["_pid"], flat["_loads"] = os.getpid(), _load_count()
                    out.append(flat)
                    if len(out) >= _SPLIT_BATCH:
                        yield pa.RecordBatch.from_pylist(out, schema=schema)
                        out = []
                if out:
                    yield pa.RecordBatch.from_pylist(out, schema=schema)

    return _split_numbers(spark, len(chosen)).mapInArrow(screen_parts, _spark_schema(schema))


def _split_numbers(spark: SparkSession, count: int) -> DataFrame:
    """One row, the split's number, in each of `count` partitions."""
    return spark.range(0, count, 1, numPartitions=max(1, count))


def _counting(rows: Iterator[dict[str, Any]], counts: dict[str, int]) -> Iterator[dict[str, Any]]:
    """`rows` as they go, counted into `counts` (rows, hits, with_hits, errors)."""
    for flat in rows:
        hits = len(flat["hits"])
        counts["rows"] += 1
        counts["hits"] += hits
        counts["with_hits"] += hits > 0
        counts["errors"] += flat["error"] is not None
        yield flat


@dataclass(frozen=True, slots=True)
class ScreenCounts:
    """What `write_splits` wrote."""

    rows: int
    hits: int
    with_hits: int
    errors: int
    parts: int


def write_splits(
    spark: SparkSession,
    splits: list[Split],
    index: ShippedIndex | Screener,
    path: str | Path,
    *,
    threshold: float | None = None,
    limit: int = 10,
) -> ScreenCounts:
    """`screen_splits` into a Parquet directory written by the tasks themselves:
    task i writes the results of split i as part-0000i.parquet (under a temporary
    name, then renamed: a retried task replaces it whole), so the result rows never
    pass through the JVM (its row conversion and Parquet writer cost more CPU than
    reading the input, which in local mode is taken from the Python workers; the
    job is a plain RDD of split numbers, without a SQL plan).  The part files in
    name order are the single-process rows in order (the columns of
    `streaming.screen_parquet_schema`); the tasks return only counts.
    The directory must be writable by the executors at the same path: a local
    master (as `splits_for` decides), or a shared file system."""
    from corridor.services.splits import clear_parts, write_parquet_part

    shipped = index if isinstance(index, ShippedIndex) else ship_index(spark, index)
    target = Path(path)
    streaming.output_kind(target, ("parquet",))
    clear_parts(target)
    chosen = list(splits)
    directory = str(target.resolve())
    schema = streaming.screen_parquet_schema()

    def write_parts(numbers: Iterable[int]) -> Iterator[dict[str, int]]:
        screener = _executor_screener(shipped)
        for number in numbers:
            counts = dict.fromkeys(_COUNTS, 0)
            rows = _screened_split(screener, chosen[number], threshold, limit)
            write_parquet_part(Path(directory), number, _counting(rows, counts), schema)
            yield counts

    # a plain RDD of the split numbers, one a partition: no SQL plan, no Arrow, no row
    # conversion in the JVM, which only schedules the tasks and collects the counts
    numbers = spark.sparkContext.parallelize(range(len(chosen)), max(1, len(chosen)))
    written = numbers.mapPartitions(write_parts).collect()
    (target / "_SUCCESS").touch()
    total = {name: sum(int(r[name]) for r in written) for name in _COUNTS}
    return ScreenCounts(total["rows"], total["hits"], total["with_hits"], total["errors"], len(chosen))


def _spark_schema(schema: Any) -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(schema)


# --- trade checks ------------------------------------------------------------------------


def _check_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("row", pa.int64()),
            ("transaction_id", pa.string()),
            ("verdict", pa.string()),
            ("result", pa.string()),  # the JSONL result line of `corridor check` (no newline)
            ("needs_ledger", pa.bool_()),
        ]
    )


@dataclass(frozen=True, slots=True)
class _CheckShipment:
    """What executors need to build the trade evaluator once per process."""

    key: str  # cache key
    index: ShippedIndex | None
    programs: dict[str, tuple[str, ...]]
    party_threshold: float | None
    match_threshold: float


def _executor_evaluator(shipment: _CheckShipment) -> Evaluator:
    found = _EVALUATORS.get(shipment.key)
    if found is None:
        from pyspark import SparkFiles

        from corridor.services.screening import ScreenerParties
        from corridor.trade import hs
        from corridor.trade.evaluate import Evaluator
        from corridor.trade.rules import default_rulebook

        directory = Path(SparkFiles.get(_HS_FILES[0])).parent
        nomenclature = hs.load(directory)
        parties = (
            ScreenerParties(_executor_screener(shipment.index), shipment.programs, shipment.party_threshold)
            if shipment.index is not None
            else None
        )
        found = Evaluator(
            default_rulebook(directory),
            hs=nomenclature,
            screener=parties,
            ledger=None,
            match_threshold=shipment.match_threshold,
        )
        _EVALUATORS[shipment.key] = found
    return found


def _check_line(
    evaluator: Evaluator, line: bytes, number: int, source: str, record: bool
) -> tuple[str, str, str, bool]:
    """(transaction id, verdict, JSONL result line, makes cap charges) of one line;
    ("", "", "", False) for a blank line (skipped, as in a file)."""
    for item in trade_batch.jsonl_items([line], source, evaluator.hs, start=number):
        if item.transaction is None:
            error = {
                "transaction_id": item.transaction_id,
                "verdict": "ERROR",
                "where": item.where,
                "error": str(item.error),
            }
            return item.transaction_id, "ERROR", jsonl_text(error).rstrip("\n"), False
        try:
            verdict = evaluator.check(item.transaction, record=record)
        except CorridorError as exc:
            where = f"{item.where} (transaction {item.transaction_id})"
            message = str(ParseError(source, where, exc.message))
            error = {
                "transaction_id": item.transaction_id,
                "verdict": "ERROR",
                "where": item.where,
                "error": message,
            }
            return item.transaction_id, "ERROR", jsonl_text(error).rstrip("\n"), False
        text = jsonl_text(verdict.to_dict()).rstrip("\n")  # as the CLI writes it
        return verdict.transaction_id, verdict.outcome.value, text, bool(verdict.charges)
    return "", "", "", False


def check_dataframe(
    df: DataFrame,
    evaluator: Evaluator,
    *,
    record: bool = True,
    source: str = "input",
    partitions: int | None = None,
) -> DataFrame:
    """Verdicts for a DataFrame of JSON transaction lines (`value`, text or bytes;
    `row` their line numbers), ordered by row: executors check without the ledger,
    the driver checks the transactions with cap charges again, with `evaluator`'s
    ledger, in row order (see the module docstring).  `source` names the input in
    error messages, as the file path does in `corridor check`."""
    from pyspark.sql import functions as F

    spark = df.sparkSession
    for name in _HS_FILES:  # the executors read HS 2022 from the job's files, not the shared folder
        spark.sparkContext.addFile(str(_hs_dir() / name))
    parties = evaluator.screener
    from corridor.services.screening import ScreenerParties

    index = ship_index(spark, parties.screener) if isinstance(parties, ScreenerParties) else None
    shipment = _CheckShipment(
        key=os.urandom(8).hex(),
        index=index,
        programs=parties.programs if isinstance(parties, ScreenerParties) else {},
        party_threshold=parties.threshold if isinstance(parties, ScreenerParties) else None,
        match_threshold=evaluator.match_threshold,
    )
    schema = _check_schema()
    if partitions is not None:
        df = df.repartition(partitions)

    def check_batches(batches: Iterator[Any]) -> Iterator[Any]:
        import pyarrow as pa

        ev = _executor_evaluator(shipment)
        for batch in batches:
            out = []
            for position, row in enumerate(batch.to_pylist()):
                value = row.get("value")
                line = (
                    value if isinstance(value, bytes) else str(value or "").encode("utf-8", "surrogateescape")
                )
                number = int(row["row"]) if row.get("row") is not None else position + 1
                tx_id, outcome, text, charges = _check_line(ev, line, number, source, False)
                if outcome:
                    out.append(
                        {
                            "row": number,
                            "transaction_id": tx_id,
                            "verdict": outcome,
                            "result": text,
                            "needs_ledger": charges,
                        }
                    )
            yield pa.RecordBatch.from_pylist(out, schema=schema)

    spark_schema = _spark_schema(schema)
    checked = df.mapInArrow(check_batches, spark_schema).cache()
    if evaluator.ledger is None:
        return checked.drop("needs_ledger").orderBy("row")
    lines = df.select("row", "value")
    again = []
    # the one ordered pass on the driver: cap use is global state
    for row in (
        checked.filter(F.col("needs_ledger"))
        .select("row")
        .join(lines, "row")
        .orderBy("row")
        .toLocalIterator()
    ):
        value = row["value"]
        line = (
            value if isinstance(value, bytes | bytearray) else str(value).encode("utf-8", "surrogateescape")
        )
        tx_id, outcome, text, _ = _check_line(evaluator, bytes(line), int(row["row"]), source, record)
        again.append(
            {
                "row": int(row["row"]),
                "transaction_id": tx_id,
                "verdict": outcome,
                "result": text,
                "needs_ledger": False,
            }
        )
    redone = spark.createDataFrame(again, spark_schema) if again else spark.createDataFrame([], spark_schema)
    return checked.filter(~F.col("needs_ledger")).unionByName(redone).drop("needs_ledger").orderBy("row")


def _hs_dir() -> Path:
    from corridor.services.trade import hs_dir

    return hs_dir()


# --- files ---------------------------------------------------------------------------------


def read_input(
    spark: SparkSession, path: str | Path, *, lines_as_bytes: bool = True, partitions: int | None = None
) -> DataFrame:
    """A CSV, JSONL or Parquet file as a DataFrame with a `row` column numbered as
    the streaming batch numbers them (JSONL: line; CSV: row, the header being row
    1; Parquet: row from 1).  CSV is read by Spark's CSV reader, with quoted line
    ends and doubled quotes as the streaming reader reads them, but not its error
    records for malformed rows (Spark fills missing columns with nulls), and a
    quoted CRLF comes out as LF: `splits_for` reads a CSV file exactly as a single
    process does.  JSONL lines keep their bytes (`value`), so a line
    that is not UTF-8 is reported as in a single process; blank lines are dropped
    (after numbering, as a file's lines are).  `partitions`: split a text file into
    about that many input partitions (in file order: no shuffle, and results come
    out in row order without a sort)."""
    from pyspark.sql import functions as F

    source = Path(path)
    kind = streaming.input_kind(source)
    if partitions is not None and kind != "parquet" and source.is_file():
        # the split size is read when the job is planned: set for the session
        size = max(1 << 16, source.stat().st_size // max(1, partitions) + 1)
        spark.conf.set("spark.sql.files.maxPartitionBytes", str(size))
    if kind == "jsonl":
        # the text source keeps each line's bytes: cast to binary, they come out as in the file
        text = spark.read.text(str(source))
        value = F.col("value").cast("binary") if lines_as_bytes else F.col("value")
        numbered = _numbered(text.select(value.alias("value")), 1)
        return numbered.filter(F.length(F.trim(F.col("value").cast("string"))) > 0)
    if kind == "csv":
        # multiLine: a quoted field may hold a line end (the file is then one input
        # partition); escape '"': a quote is doubled inside a quoted field, as in the
        # csv module (Spark's default escape is a backslash)
        reader = (
            spark.read.option("header", "true")
            .option("mode", "PERMISSIVE")
            .option("multiLine", "true")
            .option("escape", '"')
        )
        return _numbered(reader.csv(str(source)), 2)
    return _numbered(spark.read.parquet(str(source)), 1)


def _numbered(frame: DataFrame, first: int) -> DataFrame:
    """`frame` with a `row` column: its position in the file, from `first`.  Counted
    in the JVM: rows per input partition (one pass), then each row's offset within
    its partition from monotonically_increasing_id (partition id << 33 | index)."""
    from pyspark.sql import functions as F

    tagged = frame.withColumn("_part", F.spark_partition_id()).withColumn(
        "_id", F.monotonically_increasing_id()
    )
    counts = sorted((r["_part"], r["count"]) for r in tagged.groupBy("_part").count().collect())
    starts: list[Any] = []
    total = 0
    for part, count in counts:
        starts += [F.lit(part), F.lit(total)]
        total += count
    if not starts:
        return frame.withColumn("row", F.lit(None).cast("long")).select("row", *frame.columns)
    offset = F.create_map(*starts)[F.col("_part")]
    within = F.col("_id") - F.shiftleft(F.col("_part").cast("long"), 33)
    row = (offset + within + F.lit(first)).cast("long")
    return tagged.withColumn("row", row).select("row", *frame.columns)


def default_partitions(spark: SparkSession) -> int:
    """Two partitions per core of the cluster (so a straggler costs little)."""
    return max(2, 2 * int(spark.sparkContext.defaultParallelism))


def write_output(df: DataFrame, path: str | Path, *, sort: bool = True) -> None:
    """Results as a .parquet or .jsonl directory of part files, ordered by row
    (`sort=False` when they already are: read with `read_input(partitions=...)`
    and not shuffled since).  Before a sort the results are persisted: the sort
    samples its input, which would otherwise screen every row twice."""
    from pyspark import StorageLevel

    target = Path(path)
    kind = streaming.output_kind(target)

    def write(frame: DataFrame) -> None:
        if kind == "parquet":
            frame.write.mode("overwrite").parquet(str(target))
        else:
            frame.write.mode("overwrite").json(str(target))

    if not sort:
        write(df)
        return
    kept = df.persist(StorageLevel.MEMORY_AND_DISK)
    try:
        write(kept.orderBy("row"))
    finally:
        kept.unpersist()
