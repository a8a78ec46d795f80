"""Benchmark: import the newest snapshot of every list together.

Measures wall time and peak memory (RSS high-water mark of this process) for a
fresh SQLite store, and the import rate in records per second per format.
Each format is imported in its own run (median of --runs) and then all together.
Writes a Markdown section to stdout; `make bench` appends it to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime

from corridor import settings
from corridor.demo import newest_snapshots
from corridor.services.lists import import_path
from corridor.store import db
from machine import machine  # bench/ is on sys.path when a script runs


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    snaps = newest_snapshots(settings.shared_data())
    per_format: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    formats: dict[str, str] = {}
    for snap in snaps:
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                engine = db.engine(f"sqlite:///{tmp}/bench.db")
                started = time.perf_counter()
                result = import_path(engine, snap.path, snap.hint)
                per_format.setdefault(snap.list_key, []).append(time.perf_counter() - started)
                counts[snap.list_key] = result.record_count
                formats[snap.list_key] = result.format
                engine.dispose()
    totals = []
    for _ in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            engine = db.engine(f"sqlite:///{tmp}/bench.db")
            started = time.perf_counter()
            for snap in snaps:
                import_path(engine, snap.path, snap.hint)
            totals.append(time.perf_counter() - started)
            engine.dispose()
    out = sys.stdout
    out.write(f"\n### List import — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n\n")
    out.write(
        f"Machine: {machine()}. Store: SQLite (fresh per run). Runs: {args.runs}, medians reported.\n\n"
    )
    out.write("| list | format | snapshot | records | median s | records/s |\n|---|---|---|---:|---:|---:|\n")
    for snap in snaps:
        med = statistics.median(per_format[snap.list_key])
        n = counts[snap.list_key]
        out.write(
            f"| {snap.list_key} | {formats[snap.list_key]} | {snap.date} | {n:,} | {med:.2f} | {n / med:,.0f} |\n"
        )
    total_records = sum(counts.values())
    out.write(
        f"\n**All newest snapshots together: {total_records:,} records in {statistics.median(totals):.1f} s "
        f"(median of {args.runs}; target < 30 s); peak memory {peak_rss_mb():.0f} MB (target < 1 GB).**\n"
    )


if __name__ == "__main__":
    main()
