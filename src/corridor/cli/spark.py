"""`corridor spark screen` and `corridor spark check`: the batch jobs on Apache
Spark (`corridor.spark`), for spark-submit users and local runs (`--master local[2]`)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from corridor.cli.common import DbOption, console, engine_for, fail
from corridor.errors import InputError
from corridor.render import safe
from corridor.services import audit

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

spark_app = typer.Typer(
    no_args_is_help=True, help="Batch jobs on Apache Spark (pip install 'corridor[spark]')."
)

MasterOption = Annotated[
    str | None,
    typer.Option("--master", help="Spark master, e.g. local[2] (default: spark-submit's, else local[2])."),
]


def _session(master: str | None) -> SparkSession:
    from corridor import spark

    if master is None:
        from pyspark.sql import SparkSession

        active = SparkSession.getActiveSession()
        if active is not None:  # under spark-submit
            return active
        master = "local[2]"
    return spark.session(master)


@spark_app.command("screen")
def spark_screen(
    input_path: Annotated[Path, typer.Option("--input", help="Queries: .csv, .jsonl or .parquet.")],
    output_path: Annotated[Path, typer.Option("--output", help="Results: a .parquet or .jsonl directory.")],
    master: MasterOption = None,
    threshold: Annotated[
        float | None, typer.Option(help="Minimum score (default: the documented one).")
    ] = None,
    limit: Annotated[int, typer.Option(help="Maximum hits per query.")] = 10,
    db_url: DbOption = None,
) -> None:
    """Screen a file on Spark: the index shipped once to the executors, the rows of a single process."""
    from corridor import spark
    from corridor.services import streaming
    from corridor.services.screening import service_for

    engine = engine_for(db_url)
    try:
        streaming.input_kind(input_path)
        streaming.output_kind(output_path)
        if not input_path.exists():
            raise InputError("input", f"{input_path}: no such file")
        screener = service_for(engine).current()
        session = _session(master)
        partitions = spark.default_partitions(session)
        shipped = spark.ship_index(session, screener)
        splits = spark.splits_for(session, input_path, partitions)
        rows: int | None = None
        if splits is not None and streaming.output_kind(output_path) == "parquet":
            # the file cut in file order, each part read once by its task: no counting
            # job, no shuffle, no sort; each task writes its own part file
            rows = spark.write_splits(
                session, splits, shipped, output_path, threshold=threshold, limit=limit
            ).rows
        elif splits is not None:
            results = spark.screen_splits(session, splits, shipped, threshold=threshold, limit=limit)
            spark.write_output(results, output_path, sort=False)
        else:
            # a path the executors may not see (not a local master): Spark's reader,
            # rows numbered by a counting job; a text file is split in order, so
            # written without a sort
            text = streaming.input_kind(input_path) != "parquet"
            frame = spark.read_input(session, input_path, partitions=partitions if text else None)
            results = spark.screen_dataframe(
                frame, shipped, threshold=threshold, limit=limit, partitions=None if text else partitions
            )
            spark.write_output(results, output_path, sort=not text)
        if rows is None:
            written = session.read.parquet(str(output_path)) if output_path.suffix == ".parquet" else None
            rows = written.count() if written is not None else session.read.json(str(output_path)).count()
    except InputError as exc:
        raise fail(str(exc), 2) from exc
    audit.record_by(
        engine,
        audit.Actor.cli(),
        audit.Action.SCREEN,
        {
            "input": str(input_path),
            "input_sha256": streaming.output_digest(input_path),
            "engine": "spark",
            "threshold": threshold,
            "limit": limit,
        },
        {"batch": {"queries": rows}, "output_sha256": streaming.output_digest(output_path)},
    )
    console.print(safe.text(f"{rows:,} queries screened on Spark → {output_path}"))


@spark_app.command("check")
def spark_check(
    input_path: Annotated[
        Path, typer.Option("--input", help="Transactions: .jsonl (one JSON transaction a line).")
    ],
    output_path: Annotated[Path, typer.Option("--output", help="Verdicts: a .parquet or .jsonl directory.")],
    master: MasterOption = None,
    record: Annotated[bool, typer.Option(help="Record capped shipments in the cap ledger.")] = True,
    db_url: DbOption = None,
) -> None:
    """Check transactions on Spark; cap charges applied on the driver in input order."""
    from corridor import spark
    from corridor.services import streaming
    from corridor.services import trade as service

    engine = engine_for(db_url)
    try:
        if streaming.input_kind(input_path) != "jsonl":
            raise InputError("input", "on Spark, transactions are read from .jsonl (one transaction a line)")
        streaming.output_kind(output_path)
        evaluator = service.evaluator(engine, service.party_screener(engine))
        session = _session(master)
        frame = spark.read_input(session, input_path)
        verdicts = spark.check_dataframe(
            frame,
            evaluator,
            record=record,
            source=str(input_path),
            partitions=spark.default_partitions(session),
        ).cache()
        spark.write_output(verdicts, output_path)
        by_outcome = {r["verdict"]: r["count"] for r in verdicts.groupBy("verdict").count().collect()}
    except InputError as exc:
        raise fail(str(exc), 2) from exc
    audit.record_by(
        engine,
        audit.Actor.cli(),
        audit.Action.CHECK,
        {
            "input": str(input_path),
            "input_sha256": streaming.output_digest(input_path),
            "engine": "spark",
            "record": record,
        },
        {
            "batch": {"checked": sum(by_outcome.values()), "errors": by_outcome.get("ERROR", 0)},
            "by_outcome": by_outcome,
            "output_sha256": streaming.output_digest(output_path),
        },
    )
    counts = ", ".join(f"{k} {v}" for k, v in sorted(by_outcome.items()))
    console.print(
        safe.text(f"{sum(by_outcome.values()):,} transactions checked on Spark ({counts}) → {output_path}")
    )
