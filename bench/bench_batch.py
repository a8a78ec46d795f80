"""Benchmark: batch screening of a large party file — one process, `--workers 2`,
and Spark local[2] — rows per second, peak memory, hits found.

Loads the newest snapshot of every list the screening benchmark uses (UN, OFAC
SDN, OFAC Non-SDN, UK ConList), builds one index, and writes one synthetic file
of parties (bench/synthetic.py: Faker names in ko_KR Hangul and romanised, ru_RU
Cyrillic and Latin, en_US, zh_CN; 0.5 % taken from the lists with variations).
Each configuration then runs in a fresh process (cold caches, its own peak
memory), through the same code as `corridor screen --input` (services.streaming)
or `corridor spark screen` (corridor.spark):

  * single      screen_file, workers=1
  * workers 2   screen_file, workers=2 (forked after the index is loaded)
  * spark       write_splits on local[2], as `corridor spark screen` (index shipped once
                per executor process; the file cut in order, each part read once and
                its results written by its task)
  * spark-dataframe  (only when named) read_input, screen_dataframe, write_output: the
                DataFrame path, as before issue 11

Each run also reports its CPU seconds (the process tree's: Spark's JVM and Python
workers included), which move less than wall time with other work on the machine.

Prints a Markdown section (the machine, the date, a table) for docs/benchmarks.md
and writes bench/results/batch.json.

    .venv/bin/python bench/bench_batch.py                  # 1,000,000 rows (the issue's size; long)
    .venv/bin/python bench/bench_batch.py --rows 100000    # a tenth
    .venv/bin/python bench/bench_batch.py --quick          # 20,000 rows, a smoke run
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` as a package when run as a script

from bench.eval import data
from bench.synthetic import parties, write_jsonl
from corridor import settings
from machine import machine  # bench/ is on sys.path when a script runs

TARGETS = {
    "single_rows_per_s_per_core": 4000,
    "workers2_speedup": 1.8,
    "spark_vs_workers2": 1.5,
    "peak_mb": 1536,
}
CONFIGS = ("single", "workers2", "spark")
EXTRA_CONFIGS = ("spark-dataframe",)  # run only when named in --configs


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # kB on Linux


def _process_table() -> dict[int, tuple[int, float]]:
    """Every live process: pid → (parent pid, CPU seconds of it and its waited-for children)."""
    tick = os.sysconf("SC_CLK_TCK")
    table: dict[int, tuple[int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        table[int(stat.parent.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]) / tick)
    return table


def _descendants(table: dict[int, tuple[int, float]]) -> list[int]:
    """The live descendants of this process (Spark's JVM and Python workers, forked workers)."""
    me = os.getpid()
    found = []
    for pid in table:
        up = table[pid][0]
        while up not in (me, 0, 1) and up in table:
            up = table[up][0]
        if up == me and pid != me:
            found.append(pid)
    return found


def cpu_s() -> float:
    """CPU seconds (user + system) of this process, its waited-for children and
    every live descendant (Spark's JVM and its Python workers): what a run costs
    whatever else the shared machine runs (its wall time moves with that)."""
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    table = _process_table()
    return total + sum(table[pid][1] for pid in _descendants(table))


def tree_pss_mb() -> float:
    """The summed proportional set size of this process and its live descendants:
    pages shared by several (the index the forked workers inherit) counted once in
    all, where the RSS of each counts them again."""
    total_kb = 0
    for pid in [os.getpid(), *_descendants(_process_table())]:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue  # ended meanwhile, or not readable
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total_kb += int(line.split()[1])
                break
    return total_kb / 1024


class PeakPss:
    """The peak of `tree_pss_mb`, sampled by a thread every `every` seconds while
    the block runs."""

    def __init__(self, every: float = 0.5) -> None:
        self.every = every
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while True:
            self.peak_mb = max(self.peak_mb, tree_pss_mb())
            if self._stop.wait(self.every):
                return

    def __enter__(self) -> PeakPss:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, tree_pss_mb())


# --- one configuration, in its own process ---------------------------------------------------


def run_one(config: str, source: Path, index: Path, key: bytes, workdir: Path) -> dict[str, Any]:
    from corridor.match import Screener
    from corridor.services import streaming

    before = rss_mb()
    started = time.perf_counter()
    screener = Screener.load(index, key)
    load_s = time.perf_counter() - started
    index_mb = rss_mb() - before
    from corridor.services.screening import settle

    settle()  # as the screening service does after a load: the index out of the collector
    result: dict[str, Any] = {
        "config": config,
        "index_load_s": load_s,
        "index_mb": index_mb,
        "load_average": os.getloadavg()[0],  # the machine is shared: others' work shows here
    }
    if config in ("single", "workers2"):
        out = workdir / f"{config}.jsonl"
        cpu = cpu_s()
        started = time.perf_counter()
        with PeakPss() as pss:
            summary = streaming.screen_file(screener, source, out, workers=2 if config == "workers2" else 1)
        seconds = time.perf_counter() - started
        result.update(
            rows=summary.rows,
            seconds=seconds,
            cpu_s=cpu_s() - cpu,
            rows_per_s=summary.rows / seconds,
            hits=summary.hits,
            with_hits=summary.with_hits,
            errors=summary.errors,
            peak_mb=peak_mb(),
            worker_peak_mb=peak_mb(resource.RUSAGE_CHILDREN) if config == "workers2" else None,
            peak_pss_mb=pss.peak_mb,
        )
        return result
    from corridor import spark as cs

    started = time.perf_counter()
    session = cs.session("local[2]", "corridor-bench")
    session.sparkContext.setLogLevel("ERROR")
    startup = time.perf_counter() - started
    out = workdir / "spark.parquet"
    cpu = cpu_s()
    started = time.perf_counter()
    shipped = cs.ship_index(session, screener)
    if config == "spark":
        # as `corridor spark screen` does: the file cut in file order, each part read
        # once by its task and its results written by it (no counting job, no sort)
        splits = cs.splits_for(session, source, cs.default_partitions(session))
        assert splits is not None, f"{source} cannot be split"
        cs.write_splits(session, splits, shipped, out)
    else:
        # the DataFrame path (before issue 11; still taken when the executors may not
        # see the input's path): Spark reads the file, a counting job numbers the rows
        frame = cs.read_input(session, source, partitions=cs.default_partitions(session))
        cs.write_output(cs.screen_dataframe(frame, shipped), out, sort=False)
    seconds = time.perf_counter() - started
    cpu = cpu_s() - cpu
    written = session.read.parquet(str(out))
    from pyspark.sql import functions as F

    counts = written.select(
        F.count("*").alias("rows"),
        F.sum(F.size("hits")).alias("hits"),
        F.sum((F.size("hits") > 0).cast("int")).alias("with_hits"),
        F.sum(F.col("error").isNotNull().cast("int")).alias("errors"),
    ).first()
    assert counts is not None
    session.stop()
    result.update(
        rows=counts["rows"],
        seconds=seconds,
        cpu_s=cpu,
        startup_s=startup,
        rows_per_s=counts["rows"] / seconds,
        hits=counts["hits"],
        with_hits=counts["with_hits"],
        errors=counts["errors"],
        peak_mb=peak_mb(),  # the driver only; executors are the JVM's Python workers
    )
    return result


# --- the whole benchmark ---------------------------------------------------------------------


def _median_runs(runs: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per configuration (runs repeated in --configs): the medians of rows/s, seconds
    and CPU seconds (the other figures: the run of median rows/s), with how many
    runs there were and their rows/s."""
    import statistics

    by_config: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_config.setdefault(run["config"], []).append(run)
    chosen = {}
    for config, group in by_config.items():
        done = sorted((r for r in group if "rows_per_s" in r), key=lambda r: r["rows_per_s"])
        if not done:
            chosen[config] = group[-1]
            continue
        middle = statistics.median_low([r["rows_per_s"] for r in done])
        median = dict(next(r for r in done if r["rows_per_s"] == middle))
        for measure in ("rows_per_s", "seconds", "cpu_s"):
            if all(measure in r for r in done):
                median[measure] = statistics.median([r[measure] for r in done])
        median["n"], median["all"] = len(done), [round(r["rows_per_s"]) for r in group if "rows_per_s" in r]
        chosen[config] = median
    return chosen


def markdown(results: dict[str, Any]) -> str:
    runs = _median_runs(results["runs"])
    single = runs.get("single")
    workers2 = runs.get("workers2")
    lines = [
        "\n## Batch screening (bench/bench_batch.py)\n",
        f"\n{results['machine']} · {results['date']}\n",
        f"\n{results['rows']:,} synthetic parties (ko_KR Hangul and romanised, ru_RU Cyrillic and Latin, "
        f"en_US, zh_CN; {results['listed_share'] * 100:.1f} % from the lists with variations) against "
        f"{results['entities']:,} entities ({', '.join(results['lists'])}); "
        f"screening {'compiled (mypyc)' if results['native'] else 'interpreted (not compiled: slower)'}. "
        "Repeated runs: medians of rows/s, seconds and CPU seconds (every run's rows/s in "
        "parentheses).\n",
        "\n| run | rows/s | vs single | vs --workers 2 | seconds | CPU s | peak memory | hits | rows with hits "
        "| load avg | target |",
        "\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    labels = (
        ("single", "one process"),
        ("workers2", "--workers 2"),
        ("spark", "Spark local[2]"),
        ("spark-dataframe", "Spark local[2], DataFrame path"),
    )
    for name, label in labels:
        run = runs.get(name)
        if run is None:
            continue
        if "failed" in run:
            lines.append(f"\n| {label} | failed: {run['failed'][:80]} | | | | | | | | | |")
            continue

        def ratio(base: dict[str, Any] | None, run: dict[str, Any] = run) -> str:
            return f"{run['rows_per_s'] / base['rows_per_s']:.2f}×" if base and "rows_per_s" in base else ""

        memory = f"{run['peak_mb']:,.0f} MB"
        if run.get("worker_peak_mb"):
            memory += f" (+ each worker ≤ {run['worker_peak_mb']:,.0f} MB RSS, shared pages counted again)"
        if run.get("peak_pss_mb"):
            memory += f"; all processes {run['peak_pss_mb']:,.0f} MB PSS"
        if name.startswith("spark"):
            memory += f" driver; startup {run['startup_s']:.0f} s not counted"
        target = {
            "single": f"≥ {TARGETS['single_rows_per_s_per_core']:,} rows/s per core",
            "workers2": f"≥ {TARGETS['workers2_speedup']}× single",
            "spark": f"within {TARGETS['spark_vs_workers2']}× of --workers 2",
        }.get(name, "")
        rate = f"{run['rows_per_s']:,.0f}"
        if run.get("n", 1) > 1:
            rate += f" ({', '.join(f'{v:,}' for v in run['all'])})"
        cpu = f"{run['cpu_s']:,.1f}" if "cpu_s" in run else ""
        lines.append(
            f"\n| {label} | {rate} | {ratio(single)} | {ratio(workers2) if name != 'workers2' else ''} | "
            f"{run['seconds']:,.1f} | {cpu} | {memory} | {run['hits']:,} | {run['with_hits']:,} | "
            f"{run.get('load_average', float('nan')):.1f} | {target} |"
        )
    if single and "index_mb" in single:
        lines.append(
            f"\n\nIndex: loaded in {single['index_load_s']:.1f} s, {single['index_mb']:,.0f} MB resident per "
            "process that loads it (each Spark executor Python process; forked workers share it copy-on-write)."
        )
    lines.append(
        f"\n\n_Run time {results['seconds'] / 60:.1f} min; JSON in bench/results/{results['json']}._\n"
    )
    return "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="20,000 rows: a smoke run")
    parser.add_argument("--rows", type=int, default=None, help="parties in the file (default 1,000,000)")
    parser.add_argument("--listed-share", type=float, default=0.005)
    parser.add_argument(
        "--configs",
        default=",".join(CONFIGS),
        help="runs, in order, repeats allowed (default: %(default)s; also: spark-dataframe)",
    )
    parser.add_argument("--out", type=Path, default=data.RESULTS_DIR)
    # internal: one configuration in a child process
    parser.add_argument("--run", choices=CONFIGS + EXTRA_CONFIGS, help=argparse.SUPPRESS)
    parser.add_argument("--input", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--key", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        result = run_one(args.run, args.input, args.index, bytes.fromhex(args.key), args.workdir)
        print(json.dumps(result))
        return

    rows = args.rows or (20_000 if args.quick else 1_000_000)
    total_started = time.perf_counter()
    log("loading lists")
    corpus = data.load_corpus(
        data.select_snapshots(settings.shared_data(), data.DEFAULT_LISTS), args.out / "cache"
    )
    import corridor
    from corridor.match import Screener
    from corridor.match.index import new_key

    with tempfile.TemporaryDirectory(prefix="corridor-bench-batch-") as tmp:
        workdir = Path(tmp)
        log("building the index")
        screener = Screener.from_entities(corpus.entities)
        key = new_key()
        index = workdir / "screener.idx"
        screener.save(index, key)
        entities = len(screener)
        del screener
        log(f"writing {rows:,} parties")
        source = workdir / "parties.jsonl"
        write_jsonl(source, parties(corpus.entities, rows, seed=11, listed_share=args.listed_share))
        runs = []
        for config in [c.strip() for c in args.configs.split(",") if c.strip()]:
            log(f"run: {config}")
            done = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--run",
                    config,
                    "--input",
                    str(source),
                    "--index",
                    str(index),
                    "--key",
                    key.hex(),
                    "--workdir",
                    str(workdir),
                ],
                capture_output=True,
                text=True,
                check=False,
                env={**os.environ, "PYSPARK_PYTHON": sys.executable},
            )
            if done.returncode != 0:
                runs.append({"config": config, "failed": done.stderr.strip().splitlines()[-1:] or ["?"]})
                runs[-1]["failed"] = runs[-1]["failed"][0]
                log(done.stderr[-2000:])
                continue
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            log(f"  {runs[-1]['rows_per_s']:,.0f} rows/s")
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "rows": rows,
        "listed_share": args.listed_share,
        "entities": entities,
        "lists": [f"{s.list_key} {s.date}" for s in corpus.snapshots],
        "native": corridor.NATIVE_MODE == "compiled",
        "runs": runs,
        "seconds": time.perf_counter() - total_started,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    name = results["json"] = "batch-quick.json" if args.quick else "batch.json"
    (args.out / name).write_text(json.dumps(results, indent=1), encoding="utf-8")
    sys.stdout.write(markdown(results))


if __name__ == "__main__":
    main()
