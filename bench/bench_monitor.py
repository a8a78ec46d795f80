"""Benchmark: portfolio monitoring — a full run, the delta after the UN
2026-02-27 → 2026-05-08 update, whether they give the same alerts — and the
alert queue.

A store gets the UN consolidated list of 2026-02-27 and, unless `--quick`, the
newest OFAC SDN, OFAC Non-SDN and UK ConList snapshots; a synthetic portfolio
(bench/synthetic.py: Faker names in ko_KR Hangul and romanised, ru_RU Cyrillic
and Latin, en_US, zh_CN; 0.5 % taken from the lists with variations) is
imported and monitored once in full (which also stores the portfolio's inverted
keys).  Then the UN list of 2026-05-08 is imported and, on copies of that store:

  * delta   `monitoring.run_delta` from the versions active before (repeated on
            fresh copies: median)
  * full    `monitoring.run_full` (once per repeat of `--full-repeats`)

The screening index is built outside the timings (rebuilding it is part of a
list update, and both runs read the same one).  The alerts of the two stores
are compared (pair, kind, state, both digests, score).

The alert queue: a store with 10,000 alerts in mixed states, ages and scores;
`alerts.list_page` for a page of 50 (filtered by state, sorted by score or
age, at random offsets): the median over repeats, against the 100 ms target.

Prints a Markdown section for docs/benchmarks.md and writes
bench/results/monitor.json.

    .venv/bin/python bench/bench_monitor.py              # 100,000 parties, all official lists
    .venv/bin/python bench/bench_monitor.py --quick      # 10,000 parties, UN only
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` as a package when run as a script

from bench.eval import data
from bench.synthetic import parties, write_jsonl
from corridor import settings
from machine import machine  # bench/ is on sys.path when a script runs

OLD, NEW = "2026-02-27", "2026-05-08"
TARGETS = {"delta_share": 0.05, "queue_ms": 100.0}
ALERTS = 10_000


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def alert_state(url: str) -> set[tuple[Any, ...]]:
    from sqlalchemy import select

    from corridor.store import db
    from corridor.store.schema_monitor import alerts

    eng = db.engine(url)
    with eng.connect() as conn:
        rows = conn.execute(select(alerts)).all()
    eng.dispose()
    return {
        (r.party_id, r.entity_id, r.kind, r.state, r.entity_digest, r.party_digest, round(r.score, 6))
        for r in rows
    }


def _copy(src: Path, dst: Path) -> str:
    shutil.copyfile(src, dst)
    return f"sqlite:///{dst}"


def monitoring_bench(work: Path, rows: int, quick: bool, repeats: int, full_repeats: int) -> dict[str, Any]:
    from corridor.services import monitoring, portfolio, screening
    from corridor.services.lists import import_path
    from corridor.store import db

    shared = settings.shared_data()
    un_old = shared / "un" / OLD / "consolidated.xml"
    un_new = shared / "un" / NEW / "consolidated.xml"
    others = [] if quick else [s for s in data.select_snapshots(shared) if s.list_key != "un"]
    home = work / "home"
    home.mkdir()
    base = work / "base.db"
    eng = db.engine(f"sqlite:///{base}")
    started = time.perf_counter()
    import_path(eng, un_old)
    for snap in others:
        import_path(eng, snap.path, snap.hint)
    log(f"lists imported in {time.perf_counter() - started:.0f} s")
    from corridor.sources import parse

    entities = list(parse(un_new).entities)
    if others:
        entities += data.load_corpus(others).entities
    source = work / "portfolio.jsonl"
    write_jsonl(source, parties(entities, rows, seed=10))
    report = portfolio.import_file(eng, source)
    log(f"portfolio: {report.parties} parties, {len(report.bad)} bad rows")
    screening.load_screener(eng, home)  # the index, built outside the timings
    first = monitoring.run_full(eng, home=home)
    log(f"first full run: {first.seconds:.1f} s, {first.raised} alerts, keys {first.keys_seconds:.1f} s")
    before = monitoring.active_version_ids(eng)
    import_path(eng, un_new)
    screening.load_screener(eng, home)
    eng.dispose()

    deltas: list[dict[str, Any]] = []
    delta_states = []
    for i in range(repeats):
        url = _copy(base, work / f"delta{i}.db")
        eng = db.engine(url)
        screening.load_screener(eng, home)
        result = monitoring.run_delta(eng, before, home=home)
        eng.dispose()
        deltas.append(result.to_dict())
        delta_states.append(alert_state(url))
        log(f"delta {i + 1}: {result.seconds:.2f} s, {result.screened} screened")
    fulls: list[dict[str, Any]] = []
    full_state: set[tuple[Any, ...]] = set()
    for i in range(full_repeats):
        url = _copy(base, work / f"full{i}.db")
        eng = db.engine(url)
        screening.load_screener(eng, home)
        result = monitoring.run_full(eng, home=home)
        eng.dispose()
        fulls.append(result.to_dict())
        full_state = alert_state(url)
        log(f"full {i + 1}: {result.seconds:.1f} s")
    delta_s = statistics.median(d["seconds"] for d in deltas)
    full_s = statistics.median(f["seconds"] for f in fulls)
    return {
        "rows": rows,
        "lists": ["un", *(s.list_key for s in others)],
        "first_full": first.to_dict(),
        "delta": deltas,
        "full": fulls,
        "delta_seconds": delta_s,
        "full_seconds": full_s,
        "ratio": delta_s / full_s,
        "identical": all(s == full_state for s in delta_states),
        "alerts_after": len(full_state),
        "differences": len(delta_states[0] ^ full_state) if delta_states else None,
    }


def queue_bench(work: Path, repeats: int) -> dict[str, Any]:
    from sqlalchemy import insert

    from corridor.services import alerts
    from corridor.store import db
    from corridor.store.schema_monitor import alerts as table

    eng = db.engine(f"sqlite:///{work / 'queue.db'}")
    rng = random.Random(5)
    states = ["open"] * 6 + ["in_review"] * 2 + ["decided", "approved"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for i in range(ALERTS):
        raised = (start + timedelta(minutes=rng.randrange(0, 400_000))).isoformat(timespec="seconds")
        rows.append(
            {
                "party_id": f"p{i:06d}",
                "entity_id": f"un:X{i % 997}",
                "kind": rng.choice(["new", "changed", "delisted"]),
                "state": rng.choice(states),
                "escalated": False,
                "score": round(rng.uniform(0.8, 1.0), 4),
                "caption": f"Listed {i % 997}",
                "party_name": f"Party {i}",
                "explanation": json.dumps({"score": 0.9, "parts": ["x" * 40] * 8}),
                "list_version_id": 1,
                "entity_digest": "0" * 40,
                "party_digest": "1" * 40,
                "raised_at": raised,
                "updated_at": raised,
            }
        )
    with eng.begin() as conn:
        conn.execute(insert(table), rows)
    cases = [("open", "score"), ("open", "age"), ("in_review", "age"), (None, "score")]
    results = {}
    for state, sort in cases:
        times = []
        for _ in range(repeats):
            offset = rng.randrange(0, 40) * 50
            t = time.perf_counter()
            page = alerts.list_page(eng, state=state, sort=sort, offset=offset, limit=50)
            times.append((time.perf_counter() - t) * 1000)
            if len(page.alerts) != 50:
                raise SystemExit(f"queue page of {len(page.alerts)} alerts, not 50")
        results[f"{state or 'any'} by {sort}"] = {"median_ms": statistics.median(times), "max_ms": max(times)}
    eng.dispose()
    return {"alerts": ALERTS, "pages": results}


def markdown(result: dict[str, Any]) -> str:
    m = result["monitoring"]
    first = m["first_full"]
    d0 = m["delta"][0]
    share = m["ratio"]
    lines = [
        "\n### Monitoring (bench/bench_monitor.py)\n",
        f"{result['machine']} · {result['date']}\n",
        f"Portfolio of {m['rows']:,} synthetic parties (Faker ko_KR, ru_RU, en_US, zh_CN; 0.5 % from the "
        f"lists), against {', '.join(m['lists'])}; the UN update {OLD} → {NEW}. "
        f"Delta: median of {len(m['delta'])} runs on copies of the store; full: median of "
        f"{len(m['full'])} run(s) after the same update. The screening index is built outside "
        "the timings.\n",
        "| run | seconds | parties screened | alerts raised / changed / delisted |",
        "|---|---:|---:|---|",
        f"| first full run (before the update; of which inverted keys {first['keys_seconds']:.1f} s) "
        f"| {first['seconds']:.1f} | {first['screened']:,} | {first['raised']} / {first['changed']} / "
        f"{first['delisted']} |",
        f"| full run after the update | {m['full_seconds']:.1f} | {m['full'][0]['screened']:,} | "
        f"{m['full'][0]['raised']} / {m['full'][0]['changed']} / {m['full'][0]['delisted']} |",
        f"| delta run after the update (choosing whom: {d0['probe_seconds']:.2f} s) | "
        f"{m['delta_seconds']:.2f} | {d0['screened']:,} | {d0['raised']} / {d0['changed']} / "
        f"{d0['delisted']} |",
        "",
        f"Delta / full: **{share:.1%}** (target ≤ {TARGETS['delta_share']:.0%}: "
        f"{'met' if share <= TARGETS['delta_share'] else 'NOT met'}); alerts identical to the full "
        f"run: **{'yes' if m['identical'] else 'no'}** ({m['alerts_after']:,} alerts; "
        f"{m['differences']} differences).\n",
        f"Alert queue: a page of 50 out of {result['queue']['alerts']:,} alerts "
        f"(target ≤ {TARGETS['queue_ms']:.0f} ms):\n",
        "| page | median ms | max ms |",
        "|---|---:|---:|",
    ]
    for name, times in result["queue"]["pages"].items():
        lines.append(f"| {name} | {times['median_ms']:.1f} | {times['max_ms']:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=None, help="parties in the portfolio (100,000)")
    parser.add_argument("--quick", action="store_true", help="10,000 parties, UN only")
    parser.add_argument("--repeats", type=int, default=3, help="delta runs (median)")
    parser.add_argument("--full-repeats", type=int, default=1, help="full runs after the update (median)")
    args = parser.parse_args()
    rows = args.rows or (10_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory(prefix="corridor-bench-monitor-") as tmp:
        work = Path(tmp)
        result = {
            "machine": machine(),
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "monitoring": monitoring_bench(work, rows, args.quick, args.repeats, args.full_repeats),
            "queue": queue_bench(work, 15 if args.quick else 40),
        }
    out = data.RESULTS_DIR / "monitor.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(markdown(result))


if __name__ == "__main__":
    main()
