"""Benchmark: what the trade screener's hit limit costs (issue 15, item 6).

The trade service asks the screening engine for up to `TRADE_HIT_LIMIT` hits per
party (so that no list's record of one designation is cut off) where it used to ask
for 5.  Over the parties and vessels of the trade benchmark (bench_trade.py: Faker
company names, 3,000 transactions x 5 parties + 1 vessel, against the newest UN,
OFAC and UK lists) this counts the hits at both limits and the queries where the
limit changes them, and times the screening at both limits (median of runs,
interleaved, on one core; the machine is shared, so read the ratio).

    .venv/bin/python bench/bench_trade_hits.py
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import UTC, datetime

from bench_trade import engine_screener, make_transactions, with_realistic_parties
from corridor import names, settings
from corridor.match import Query, QueryError
from corridor.services.screening import TRADE_HIT_LIMIT
from corridor.trade import hs as hs_module
from machine import machine

OLD_LIMIT = 5
RUNS = 5


def main() -> None:
    nomenclature = hs_module.load(settings.shared_data() / "hs")
    codes = [c for c in nomenclature.entries if len(c) == 6]
    raw = make_transactions(3000, codes, random.Random(20221122))
    parties, size = engine_screener()
    engine = parties.screener
    data = with_realistic_parties(raw, 20221122)
    queries = [Query(name=p["name"], schema=p.get("schema") or "Thing") for d in data for p in d["parties"]]
    queries += [Query(name=v["name"], schema="Vessel") for d in data for v in d.get("vessels", [])]

    def run(limit: int) -> tuple[int, list[int]]:
        names.clear_caches()
        engine.clear_caches()
        counts = []
        for query in queries:
            try:
                counts.append(len(engine.screen(query, None, limit=limit)))
            except QueryError:
                counts.append(-1)
        return sum(c for c in counts if c > 0), counts

    old_total, old_counts = run(OLD_LIMIT)
    new_total, new_counts = run(TRADE_HIT_LIMIT)
    changed = sum(1 for a, b in zip(old_counts, new_counts, strict=True) if a != b)
    times: dict[int, list[float]] = {OLD_LIMIT: [], TRADE_HIT_LIMIT: []}
    for _ in range(RUNS):
        for limit in (OLD_LIMIT, TRADE_HIT_LIMIT):
            started = time.process_time()
            run(limit)
            times[limit].append(time.process_time() - started)
    old_s, new_s = statistics.median(times[OLD_LIMIT]), statistics.median(times[TRADE_HIT_LIMIT])
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"### Trade screener hit limit — {stamp}\n")
    print(f"Machine: {machine()}. One process, one core; CPU time, median of {RUNS} interleaved runs.\n")
    print(
        f"{len(queries):,} queries (the trade benchmark's parties and vessels) against {size:,} entities.\n"
    )
    print("| Limit | Hits | Queries whose hits differ from limit 5 | CPU time (median) | Queries/s |")
    print("|---|---|---|---|---|")
    print(f"| {OLD_LIMIT} | {old_total:,} | - | {old_s:.2f} s | {len(queries) / old_s:,.0f} |")
    print(
        f"| {TRADE_HIT_LIMIT} | {new_total:,} | {changed:,} | {new_s:.2f} s | {len(queries) / new_s:,.0f} |"
    )
    print(f"\nRatio of CPU times (limit {TRADE_HIT_LIMIT} / limit {OLD_LIMIT}): {new_s / old_s:.2f}.")


if __name__ == "__main__":
    main()
