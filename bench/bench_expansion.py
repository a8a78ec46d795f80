"""What the query expansion (names.glossary: translations, abbreviations) costs:
the same queries screened with and without it, alternated in one process, CPU time.

    PYTHONPATH=. .venv/bin/python bench/bench_expansion.py [--rounds 5] [--cap 40]

Samples from the quick evaluation sets (seed 20260508): the kinds that existed
before the glossary (Latin, Hangul, Cyrillic and other-script queries), and the
glossary's own kinds (translated and abbreviated organisation names, their
negatives).  "Without" replaces the screener's expansion hook by one returning
nothing, so both runs share the index and the warm caches.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from typing import Any

from bench.bench_screening import make_query, percentile
from bench.eval import data, translations
from bench.eval.sets import DEFAULT_SEED, NEGATIVE_KINDS, POSITIVE_KINDS, build_sets
from corridor import settings
from corridor.match import Query, Screener
from corridor.match import screener as screener_module
from corridor.names.glossary import Variant


def _no_variants(name: str, schema: str = "Thing", limit: int = 0) -> tuple[Variant, ...]:
    return ()


def _round(screener: Screener, queries: list[Query]) -> tuple[float, list[float]]:
    latencies = []
    cpu = time.process_time()
    for query in queries:
        t0 = time.perf_counter_ns()
        screener.screen(query)
        latencies.append((time.perf_counter_ns() - t0) / 1e6)
    return len(queries) / (time.process_time() - cpu), latencies


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cap", type=int, default=40)
    parser.add_argument("--queries", type=int, default=500)
    args = parser.parse_args()
    corpus = data.load_corpus(data.select_snapshots(settings.shared_data()), data.RESULTS_DIR / "cache")
    evalset = build_sets(corpus.entities, seed=DEFAULT_SEED, cap=args.cap)
    screener = Screener.from_entities(corpus.entities)
    ours = set(translations.POSITIVE_KINDS) | set(translations.NEGATIVE_KINDS)
    rng = random.Random(f"{DEFAULT_SEED}/expansion")
    usable = [e for e in evalset.examples if e.kind in POSITIVE_KINDS + NEGATIVE_KINDS]
    before = [e for e in usable if e.kind not in ours]
    glossary_kinds = [e for e in usable if e.kind in ours]
    samples = {
        "kinds before the glossary": [
            make_query(e.query) for e in rng.sample(before, min(args.queries, len(before)))
        ],
        "glossary kinds": [make_query(e.query) for e in glossary_kinds],
    }
    hook = screener_module.glossary_variants
    modes: dict[str, Any] = {"with": hook, "without": _no_variants}
    results: dict[tuple[str, str], list[tuple[float, list[float]]]] = {}
    for queries in samples.values():
        for query in queries:
            screener.screen(query)  # warm the caches for both modes
    for _ in range(args.rounds):
        for mode, function in modes.items():
            screener_module.glossary_variants = function
            for label, queries in samples.items():
                results.setdefault((label, mode), []).append(_round(screener, queries))
    screener_module.glossary_variants = hook
    print(f"load average {os.getloadavg()[0]:.2f}; {len(corpus.entities):,} entities; {args.rounds} rounds")
    print("| queries | n | expansion | screens per CPU-second (median) | p50 | p99 |")
    print("|---|---:|---|---:|---:|---:|")
    for (label, mode), rounds in results.items():
        rates = sorted(r[0] for r in rounds)
        middle = sorted(rounds, key=lambda r: r[0])[len(rounds) // 2][1]
        print(
            f"| {label} | {len(samples[label])} | {mode} | {statistics.median(rates):,.0f} | "
            f"{percentile(middle, 0.5):.2f} ms | {percentile(middle, 0.99):.2f} ms |"
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
