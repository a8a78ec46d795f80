"""Benchmark: screening quality (ours vs nomenklatura logic-v2) and speed.

Loads the newest snapshot of every list (UN, OFAC SDN, OFAC Non-SDN, UK ConList;
the UK FCDO summary ODS is left out unless --include-fcdo), builds the labelled
evaluation sets (bench/eval/sets.py, written to bench/results/sets/), runs both
engines over them and measures index build/save/load time, memory, screens per
second and pair-scoring speed.  Prints Markdown sections to stdout (the lead
pastes them into docs/benchmarks.md) and writes JSON to bench/results/.

    .venv/bin/python bench/bench_screening.py            # full run, a few minutes
    .venv/bin/python bench/bench_screening.py --quick    # smoke run, < 1 minute

See docs/evaluation.md for the sets and the protocol.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` as a package when run as a script

from bench.eval import data, evaluate
from bench.eval import scripts as script_sets
from bench.eval.jaro import THRESHOLD as JW_THRESHOLD
from bench.eval.jaro import JaroWinklerScorer
from bench.eval.peer import THRESHOLD as PEER_THRESHOLD
from bench.eval.peer import LogicV2Scorer, entity_proxy, name_proxy, query_proxy
from bench.eval.sets import (
    DEFAULT_SEED,
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    EvalSet,
    Example,
    apply_holdout,
    build_sets,
)
from corridor import settings
from corridor.match import DEFAULT_THRESHOLD, Query, Screener, compare
from corridor.match.index import new_key
from corridor.model import Entity
from machine import machine  # bench/ is on sys.path when a script runs

TARGETS = {
    "f1": 0.95,
    "cross_script_recall": 0.95,
    "false_alarm_rate": 0.01,
    "screens_per_s": 2000,
    "p99_ms": 5.0,
    "compare_per_s": 20000,
    "build_s": 30.0,
    "memory_mb": 1024,
}


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def rss_mb() -> float:
    """Resident memory of this process now (VmRSS), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_query(q: dict[str, str]) -> Query:
    return Query(
        name=q["name"],
        schema=q.get("schema", "Thing"),
        birth_date=q.get("birth_date"),
        country=q.get("country"),
        imo=q.get("imo"),
    )


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    position = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[position]


# --- speed ------------------------------------------------------------------------------


def bench_speed(entities: list[Entity], evalset: EvalSet, args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {"load_average": os.getloadavg()[0]}
    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    screener = Screener.from_entities(entities)
    builds = [time.perf_counter() - started]
    gc.collect()
    result["memory_mb"] = rss_mb() - before
    log(f"  build 1: {builds[0]:.1f} s, RSS +{result['memory_mb']:.0f} MB")
    for _ in range(args.builds - 1):
        del screener
        gc.collect()
        started = time.perf_counter()
        screener = Screener.from_entities(entities)
        builds.append(time.perf_counter() - started)
        log(f"  build {len(builds)}: {builds[-1]:.1f} s")
    result["build_s"] = statistics.median(builds)
    result["builds"] = builds
    result["entities"] = len(entities)

    key = new_key()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "screening.index"
        started = time.perf_counter()
        screener.save(path, key)
        result["save_s"] = time.perf_counter() - started
        result["index_mb"] = path.stat().st_size / 1e6
        loads = []
        for _ in range(args.builds):
            started = time.perf_counter()
            loaded = Screener.load(path, key)
            loads.append(time.perf_counter() - started)
            del loaded
        result["load_s"] = statistics.median(loads)

    # a mixed sample of queries: positives and negatives from the evaluation sets
    rng = random.Random(f"{args.seed}/speed")
    examples = [e for e in evalset.examples if e.kind in POSITIVE_KINDS + NEGATIVE_KINDS]
    sample = rng.sample(examples, min(args.speed_queries, len(examples)))
    queries = [make_query(e.query) for e in sample]
    for query in queries[:50]:  # warm caches the way a running service would be
        screener.screen(query)
    rounds = []
    for _ in range(3):
        latencies = []
        started = time.perf_counter()
        cpu_started = time.process_time()
        for query in queries:
            t0 = time.perf_counter_ns()
            screener.screen(query)
            latencies.append((time.perf_counter_ns() - t0) / 1e6)
        wall = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        rounds.append((len(queries) / wall, latencies, len(queries) / cpu))
    rounds.sort(key=lambda r: r[0])
    per_s, latencies, per_cpu_s = rounds[1]
    result["screen_queries"] = len(queries)
    result["screens_per_s"] = per_s
    result["screens_per_cpu_s"] = per_cpu_s  # by process CPU time: less sensitive to other load
    result["screens_per_s_rounds"] = [r[0] for r in rounds]
    result["p50_ms"] = percentile(latencies, 0.50)
    result["p99_ms"] = percentile(latencies, 0.99)
    result["max_ms"] = max(latencies)
    # the same round split by query script: queries in the other scripts (Arabic,
    # Chinese, Greek...) cost more than Latin, Hangul and Cyrillic ones, so the
    # mixed rate moves with the share of each kind in the sample
    other_kinds = set(script_sets.POSITIVE_KINDS) | set(script_sets.NEGATIVE_KINDS)
    groups: dict[str, list[float]] = {}
    for example, latency in zip(sample, latencies, strict=True):
        group = "other scripts" if example.kind in other_kinds else "Latin, Hangul, Cyrillic"
        groups.setdefault(group, []).append(latency)
    result["by_script"] = {
        group: {
            "queries": len(times),
            "per_s": 1000 * len(times) / sum(times),
            "p50_ms": percentile(times, 0.50),
            "p99_ms": percentile(times, 0.99),
        }
        for group, times in sorted(groups.items())
    }

    # pair scoring: each query's name against the captions of its top candidates
    pairs: list[tuple[str, str, str]] = []
    for example, query in zip(sample, queries, strict=True):
        for hit in screener.screen(query, threshold=0.0, limit=5):
            pairs.append((example.query["name"], hit.caption, example.query.get("schema", "Person")))
    pairs = pairs[: args.compare_pairs]
    rounds_c = []
    for _ in range(3):
        started = time.perf_counter()
        for name1, name2, schema in pairs:
            compare(name1, name2, "Person" if schema in ("Thing", "") else schema)
        rounds_c.append(len(pairs) / (time.perf_counter() - started))
    result["compare_pairs"] = len(pairs)
    result["compare_per_s"] = statistics.median(rounds_c)

    if not args.skip_peer:
        scorer = LogicV2Scorer({e.id: e for e in entities})
        scorer.warm_up()
        peer_pairs = pairs[: args.peer_pairs]
        proxies = [(name_proxy(n1, s), name_proxy(n2, s)) for n1, n2, s in peer_pairs]
        started = time.perf_counter()
        for left, right in proxies:
            scorer.score(left, right)
        seconds = time.perf_counter() - started
        result["peer_name_pairs"] = len(proxies)
        result["peer_name_pairs_per_s"] = len(proxies) / seconds
        # the way yente scores: query entity vs full candidate entities
        full: list[tuple[Any, Any]] = []
        by_id = {e.id: e for e in entities}
        for example, query in zip(sample, queries, strict=True):
            qproxy = query_proxy(example.query)
            for hit in screener.screen(query, threshold=0.0, limit=5):
                full.append((qproxy, entity_proxy(by_id[hit.entity_id])))
        full = full[: args.peer_pairs]
        started = time.perf_counter()
        for left, right in full:
            scorer.score(left, right)
        seconds = time.perf_counter() - started
        result["peer_entity_pairs"] = len(full)
        result["peer_entity_pairs_per_s"] = len(full) / seconds
        result["peer_ms_per_pair"] = 1000 * seconds / len(full) if full else float("nan")
    return result


# --- quality ----------------------------------------------------------------------------


def bench_quality(entities: list[Entity], evalset: EvalSet, args: argparse.Namespace) -> dict[str, Any]:
    index_entities = apply_holdout(entities, evalset.holdout)
    by_id = {e.id: e for e in index_entities}
    log(f"  evaluation index: {len(index_entities):,} entities, {len(evalset.holdout)} with held-out names")
    screener = Screener.from_entities(index_entities)
    ours = evaluate.run_ours(screener, evalset, by_id, make_query, DEFAULT_THRESHOLD)
    log(f"  ours: {len(evalset.examples):,} examples in {ours.seconds:.1f} s")
    result: dict[str, Any] = {
        "ours": {
            "summary": evaluate.summarize(ours.judged),
            "seconds": ours.seconds,
            "errors": ours.extra["errors"],
            "inconsistent": ours.extra["inconsistent"],
            "sweep": evaluate.sweep(evalset.examples, ours.candidates),
        }
    }
    dob_examples = [e for e in evalset.examples if e.kind == "dob_mismatch" and e.against]

    def ours_score(example: Example, with_dob: bool) -> float:
        q = dict(example.query)
        if not with_dob:
            q.pop("birth_date", None)
        for hit in screener.screen(make_query(q), threshold=0.0, limit=20):
            if hit.entity_id == example.against:
                return float(hit.score)
        return 0.0

    result["ours"]["dob"] = evaluate.dob_effect(dob_examples, ours_score, DEFAULT_THRESHOLD)
    result["ours"]["country"] = country_evidence(screener, evalset)
    result["ours"]["failures"] = failures(ours, by_id)
    result["_ours_run"] = ours

    if not args.skip_peer:
        scorer = LogicV2Scorer(by_id)
        started = time.perf_counter()
        scorer.warm_up()
        log(f"  logic-v2 warm-up: {time.perf_counter() - started:.1f} s")
        peer = evaluate.run_peer(
            scorer, evalset, ours.candidates, by_id, PEER_THRESHOLD, sample_every=args.peer_sample_every
        )
        log(
            f"  logic-v2: {len(peer.judged):,} examples, {peer.extra['pairs']:,} pairs in {peer.seconds:.1f} s"
        )

        def peer_score(example: Example, with_dob: bool) -> float:
            return scorer.score(query_proxy(example.query, with_dob), scorer.candidate(example.against))

        sampled = dob_examples[:: args.peer_sample_every]
        result["peer"] = {
            "summary": evaluate.summarize(peer.judged),
            "seconds": peer.seconds,
            "pairs": peer.extra["pairs"],
            "scoring_seconds": peer.extra["scoring_seconds"],
            "sample_every": args.peer_sample_every,
            "sweep": evaluate.sweep(
                evalset.examples[:: args.peer_sample_every], peer.candidates, (0.5, 0.6, 0.7, 0.8, 0.9)
            ),
            "dob": evaluate.dob_effect(sampled, peer_score, PEER_THRESHOLD),
            "describe": scorer.describe(),
        }
        result["_peer_run"] = peer
    if args.jaro_winkler:
        baseline = JaroWinklerScorer(index_entities)
        jw = evaluate.run_baseline(baseline, evalset, by_id, JW_THRESHOLD)
        log(f"  jaro-winkler: {len(jw.judged):,} examples in {jw.seconds:.1f} s")
        result["jaro_winkler"] = {
            "summary": evaluate.summarize(jw.judged),
            "seconds": jw.seconds,
            "describe": baseline.describe(),
        }
    return result


def country_evidence(screener: Screener, evalset: EvalSet) -> dict[str, Any]:
    """country_mismatch examples (a DPRK organisation's name, country KR or CN): how
    many alert on the listed organisation (its record or another of its
    designation), and whether each such hit says the country does not match."""
    examples = [e for e in evalset.examples if e.kind == "country_mismatch"]
    alerting = explained = 0
    silent: list[str] = []
    for example in examples:
        designation = {example.against, *example.accept}
        hits = [h for h in screener.screen(make_query(example.query)) if h.entity_id in designation]
        if not hits:
            continue
        alerting += 1
        if all(any(q.kind == "country" and q.effect < 0 for q in h.explanation.qualifiers) for h in hits):
            explained += 1
        elif len(silent) < 5:
            silent.append(example.query["name"])
    return {"n": len(examples), "alerting": alerting, "explained": explained, "silent_examples": silent}


def failures(
    run: evaluate.EngineRun, by_id: dict[str, Entity], per_kind: int = 6
) -> dict[str, list[dict[str, Any]]]:
    """Example misses (positives) and false alarms (negatives), per kind."""
    out: dict[str, list[dict[str, Any]]] = {}
    for judged in run.judged:
        kind = judged.example.kind
        failed = (judged.positive and not judged.tp5) or (not judged.positive and judged.hits)
        if not failed or len(out.setdefault(kind, [])) >= per_kind:
            continue
        example = judged.example
        expected = by_id.get(example.expected or "")
        out[kind].append(
            {
                "id": example.id,
                "query": example.query,
                "note": example.note,
                "expected": example.expected,
                "expected_caption": expected.caption if expected else None,
                "expected_score": judged.expected_score,
                "expected_rank": judged.expected_rank,
                "hits": [
                    {
                        "id": entity_id,
                        "caption": by_id[entity_id].caption if entity_id in by_id else "?",
                        "score": round(score, 3),
                    }
                    for entity_id, score in judged.hits[:3]
                ],
            }
        )
    return {k: v for k, v in out.items() if v}


# --- Markdown ---------------------------------------------------------------------------


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def cross_script(summary: dict[str, Any], script: str) -> tuple[float, int]:
    pair = summary["script_pairs"].get(f"{script}→Latin")
    return (pair["recall"], pair["n"]) if pair else (float("nan"), 0)


def quality_markdown(
    result: dict[str, Any], evalset: EvalSet, corpus: data.Corpus, args: argparse.Namespace
) -> str:
    ours = result["ours"]["summary"]
    peer = result.get("peer", {}).get("summary")
    lines = [f"\n### Screening quality — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"]
    snaps = ", ".join(f"{s.list_key} {s.date}" for s in corpus.snapshots)
    lines.append(
        f"Machine: {machine()}. Lists: {snaps} — {len(corpus.entities):,} entities. "
        f"Sets: {len(evalset.examples):,} examples, seed {evalset.info.get('seed')}, ≤ {evalset.info.get('cap')} per kind"
        f"{' (**quick mode**)' if args.quick else ''}; protocol in docs/evaluation.md. "
        f"Ours at DEFAULT_THRESHOLD = {DEFAULT_THRESHOLD}; logic-v2 (nomenklatura "
        f"{result.get('peer', {}).get('describe', {}).get('nomenklatura', '-')}) at {PEER_THRESHOLD} on our top-{evaluate.CANDIDATES} "
        f"candidates + the expected entity"
        + (f", every {args.peer_sample_every}th example" if args.peer_sample_every > 1 else "")
        + ".\n"
    )
    lines.append("| metric | corridor | logic-v2 | target |\n|---|---:|---:|---:|")

    def row(label: str, ours_value: str, peer_value: str, target: str) -> None:
        lines.append(f"| {label} | {ours_value} | {peer_value} | {target} |")

    o, p = ours["overall"], (peer["overall"] if peer else None)
    row(
        "F1 (expected entity in top 5)",
        f"**{o['f1']:.3f}** {mark(o['f1'] >= TARGETS['f1'])}",
        f"{p['f1']:.3f}" if p else "-",
        "≥ 0.95",
    )
    row(
        "precision / recall",
        f"{o['precision']:.3f} / {o['recall']:.3f}",
        f"{p['precision']:.3f} / {p['recall']:.3f}" if p else "-",
        "",
    )
    row(
        "F1 top-1 (first hit is the designation)",
        f"{o['top1']['f1']:.3f}",
        f"{p['top1']['f1']:.3f}" if p else "-",
        "",
    )
    for script in ("Hangul", "Cyrillic"):
        recall, n = cross_script(ours, script)
        peer_recall = cross_script(peer, script)[0] if peer else float("nan")
        row(
            f"recall {script}→Latin (n={n})",
            f"**{recall:.3f}** {mark(recall >= TARGETS['cross_script_recall'])}",
            f"{peer_recall:.3f}" if peer else "-",
            "≥ 0.95",
        )
    far = o["false_alarm_rate"]
    row(
        f"false-alarm rate on negatives (n={o['negatives']})",
        f"**{pct(far)}** {mark(far <= TARGETS['false_alarm_rate'])}",
        pct(p["false_alarm_rate"]) if p else "-",
        "≤ 1%",
    )
    row(
        "wrong-entity alerts on positives",
        str(o["wrong_entity_alerts"]),
        str(p["wrong_entity_alerts"]) if p else "-",
        "",
    )
    od = result["ours"]["dob"]
    pd = result.get("peer", {}).get("dob")
    row(
        "dob_mismatch: alerts suppressed by a 20-35 y wrong DOB",
        f"{od['suppressed_by_dob']}/{od['alerting_without_dob']} (mean drop {od['mean_score_drop']:.2f})",
        f"{pd['suppressed_by_dob']}/{pd['alerting_without_dob']} (mean drop {pd['mean_score_drop']:.2f})"
        if pd
        else "-",
        "",
    )
    oc = result["ours"].get("country")
    if oc and oc["n"]:
        row(
            "country_mismatch: the DPRK organisation below the threshold, or its hits explained by the country",
            f"{oc['n'] - oc['alerting'] + oc['explained']}/{oc['n']} ({oc['alerting']} alert, {oc['explained']} explained)",
            "-",
            "all",
        )
    lines.append("")
    lines.append("By kind (positives: recall@5 / recall@1 / wrong-entity alerts; negatives: alert rate):\n")
    jw = result.get("jaro_winkler", {}).get("summary")
    if jw:
        lines.append(
            f"Jaro–Winkler baseline (`bench/eval/jaro.py`): full scan of the index's names, alerts at {JW_THRESHOLD}.\n"
        )
    lines.append("| kind | n | corridor | logic-v2 | Jaro–Winkler |\n|---|---:|---|---|---|")
    for kind, figures in ours["kinds"].items():
        peer_fig = peer["kinds"].get(kind) if peer else None
        jw_fig = jw["kinds"].get(kind) if jw else None
        lines.append(
            f"| {kind} | {figures['n']} | {_kind_cell(figures)} | {_kind_cell(peer_fig) if peer_fig else '-'} "
            f"| {_kind_cell(jw_fig) if jw_fig else '-'} |"
        )
    inconsistent = result["ours"]["inconsistent"]
    lines.append(
        f"\nthreshold-dependent results: {len(inconsistent)} (of {len(evalset.examples):,} examples)"
    )
    if inconsistent:
        lines.append(
            f"\nConsistency check: for {len(inconsistent)} examples `screen(q)` at {DEFAULT_THRESHOLD} returned other "
            "hits than `screen(q, threshold=0)` cut at the same threshold (scores should not depend on the "
            "threshold; retrieval pruned them). First ones:\n"
        )
        for item in inconsistent[:5]:
            lines.append(
                f"- «{item['query']['name']}» ({item['id']}): {item['hits']} vs {item['at_threshold_0']}"
            )
    lines.append("")
    lines.append("Recall by script of the query → scripts of the expected record in the index:\n")
    lines.append("| scripts | n | corridor | logic-v2 |\n|---|---:|---:|---:|")
    for pair, figures in ours["script_pairs"].items():
        peer_pair = peer["script_pairs"].get(pair) if peer else None
        lines.append(
            f"| {pair} | {figures['n']} | {figures['recall']:.3f} | {peer_pair['recall']:.3f} |"
            if peer_pair
            else f"| {pair} | {figures['n']} | {figures['recall']:.3f} | - |"
        )
    lines.append("")
    lines.append("Threshold sweep (corridor; the default is in bold):\n")
    lines.append("| threshold | precision | recall | F1 | false alarms |\n|---:|---:|---:|---:|---:|")
    for r in result["ours"]["sweep"]:
        bold = "**" if abs(r["threshold"] - DEFAULT_THRESHOLD) < 1e-9 else ""
        lines.append(
            f"| {bold}{r['threshold']:.2f}{bold} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {pct(r['false_alarm_rate'])} |"
        )
    if "peer" in result:
        lines.append("\nlogic-v2 threshold sweep (same candidates):\n")
        lines.append("| threshold | precision | recall | F1 | false alarms |\n|---:|---:|---:|---:|---:|")
        for r in result["peer"]["sweep"]:
            lines.append(
                f"| {r['threshold']:.2f} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | {pct(r['false_alarm_rate'])} |"
            )
    lines.append("")
    lines.append(weakest_markdown(result["ours"]))
    return "\n".join(lines) + "\n"


def _kind_cell(figures: dict[str, Any]) -> str:
    if "recall" in figures:
        return f"{figures['recall']:.3f} / {figures['recall_top1']:.3f} / {figures['wrong_entity_alerts']}"
    return pct(figures["alert_rate"])


def weakest_markdown(ours: dict[str, Any], count: int = 4) -> str:
    kinds = ours["summary"]["kinds"]
    positives = sorted((f["recall"], k) for k, f in kinds.items() if "recall" in f)
    negatives = sorted(
        ((-f["alert_rate"], k) for k, f in kinds.items() if "alert_rate" in f and k in NEGATIVE_KINDS)
    )
    weakest = [k for r, k in positives[:count] if r < 1.0] + [k for a, k in negatives[:2] if a < 0]
    if not weakest:
        return "No failures.\n"
    lines = ["Weakest kinds, with example failures (corridor):\n"]
    for kind in weakest:
        for failure in ours["failures"].get(kind, [])[:4]:
            hits = "; ".join(f"{h['caption']} ({h['id']}) {h['score']}" for h in failure["hits"]) or "no hit"
            query = failure["query"]
            extras = ", ".join(f"{k}={v}" for k, v in query.items() if k not in ("name", "schema"))
            if failure["expected"]:
                got = (
                    f"expected {failure['expected_caption']} ({failure['expected']}) scored "
                    f"{failure['expected_score']:.3f} at rank {failure['expected_rank']}"
                    if failure["expected_score"] is not None
                    else f"expected {failure['expected_caption']} ({failure['expected']}) not in the top {evaluate.CANDIDATES}"
                )
            else:
                got = "should not alert"
            lines.append(
                f"- `{kind}` «{query['name']}» ({query['schema']}{', ' + extras if extras else ''}; {failure['note']}): "
                f"{got}; hits: {hits}"
            )
    return "\n".join(lines) + "\n"


def speed_markdown(speed: dict[str, Any], args: argparse.Namespace) -> str:
    lines = [f"\n### Screening speed — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"]
    lines.append(
        f"Machine: {machine()}. One process, one core; 1-minute load average {speed['load_average']:.1f} when "
        f"the timings started (the machine is shared: wall-clock figures fall when others run; the CPU-time "
        f"rate does not). Index of {speed['entities']:,} entities "
        f"(all newest snapshots, nothing held out){' — **quick mode**' if args.quick else ''}.\n"
    )
    lines.append("| measure | value | target |\n|---|---:|---:|")
    lines.append(
        f"| index build (median of {len(speed['builds'])}) | {speed['build_s']:.1f} s {mark(speed['build_s'] <= TARGETS['build_s'])} | ≤ 30 s |"
    )
    lines.append(
        f"| engine memory (RSS after − before the first build) | {speed['memory_mb']:.0f} MB {mark(speed['memory_mb'] <= TARGETS['memory_mb'])} | ≤ 1 GB |"
    )
    lines.append(f"| index save / load (median) | {speed['save_s']:.2f} s / {speed['load_s']:.2f} s | |")
    lines.append(f"| index file size | {speed['index_mb']:.0f} MB | |")
    lines.append(
        f"| single screens per second ({speed['screen_queries']:,} mixed queries, median of 3 rounds) | "
        f"{speed['screens_per_s']:,.0f} {mark(speed['screens_per_s'] >= TARGETS['screens_per_s'])} "
        f"({speed['screens_per_cpu_s']:,.0f} per CPU-second) | ≥ 2,000 |"
    )
    lines.append(
        f"| latency p50 / p99 / max | {speed['p50_ms']:.2f} / {speed['p99_ms']:.2f} {mark(speed['p99_ms'] <= TARGETS['p99_ms'])} / {speed['max_ms']:.1f} ms | p99 ≤ 5 ms |"
    )
    for group, figures in speed.get("by_script", {}).items():
        lines.append(
            f"| … of which {group} ({figures['queries']:,} queries; by their latencies) | "
            f"{figures['per_s']:,.0f} per second, p50 / p99 {figures['p50_ms']:.2f} / {figures['p99_ms']:.2f} ms | |"
        )
    lines.append(
        f"| `compare` name pairs per second ({speed['compare_pairs']:,} pairs) | {speed['compare_per_s']:,.0f} {mark(speed['compare_per_s'] >= TARGETS['compare_per_s'])} | ≥ 20,000 |"
    )
    if "peer_name_pairs_per_s" in speed:
        ratio = speed["compare_per_s"] / speed["peer_name_pairs_per_s"]
        lines.append(
            f"| logic-v2 on the same name pairs ({speed['peer_name_pairs']:,}) | {speed['peer_name_pairs_per_s']:,.0f} pairs/s (ours ×{ratio:.1f}) | |"
        )
        lines.append(
            f"| logic-v2 query vs full candidate entity ({speed['peer_entity_pairs']:,} pairs) | "
            f"{speed['peer_entity_pairs_per_s']:,.0f} pairs/s = {speed['peer_ms_per_pair']:.2f} ms/pair | |"
        )
        per_query = speed["peer_ms_per_pair"] * evaluate.CANDIDATES
        lines.append(
            f"| one query: ours `screen` p50 (retrieval + scoring) vs logic-v2 scoring its {evaluate.CANDIDATES} candidates (no retrieval) | "
            f"{speed['p50_ms']:.2f} ms vs {per_query:.1f} ms (ours ×{per_query / speed['p50_ms']:.0f}) | |"
        )
    return "\n".join(lines) + "\n"


# --- main -------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sets, one build: a smoke run")
    parser.add_argument("--cap", type=int, default=None, help="examples per kind (default 300, quick 40)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--lists",
        default=",".join(data.DEFAULT_LISTS),
        help="list keys to load (default: %(default)s); 'all' = every newest snapshot the demo imports",
    )
    parser.add_argument("--skip-peer", action="store_true", help="do not run nomenklatura logic-v2")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--peer-sample-every", type=int, default=1, help="run logic-v2 on every n-th example")
    parser.add_argument("--out", type=Path, default=data.RESULTS_DIR)
    parser.add_argument(
        "--kinds",
        default="",
        help="comma-separated prefixes of the kinds (or of a word of them) to run (e.g. typo,neg_,translation)",
    )
    parser.add_argument(
        "--jaro-winkler", action="store_true", help="also run the Jaro–Winkler baseline (bench/eval/jaro.py)"
    )
    args = parser.parse_args()
    args.cap = args.cap or (40 if args.quick else 300)
    args.builds = 1 if args.quick else 3
    args.speed_queries = 500 if args.quick else 3000
    args.compare_pairs = 2000 if args.quick else 10000
    args.peer_pairs = 500 if args.quick else 3000

    total_started = time.perf_counter()
    log("loading lists")
    lists = None if args.lists == "all" else [k.strip() for k in args.lists.split(",") if k.strip()]
    corpus = data.load_corpus(data.select_snapshots(settings.shared_data(), lists), args.out / "cache")
    if corpus.duplicate_ids:
        log(f"  {len(corpus.duplicate_ids)} ids occur on two lists; one record kept each")
    log("building evaluation sets")
    started = time.perf_counter()
    evalset = build_sets(corpus.entities, seed=args.seed, cap=args.cap)
    if args.kinds:
        prefixes = tuple(k.strip() for k in args.kinds.split(",") if k.strip())
        # a prefix of the kind or of one of its words (translation: hangul_translation_org)
        evalset.examples = [e for e in evalset.examples if _kind_selected(e.kind, prefixes)]
    sets_dir = args.out / ("sets-quick" if args.quick else "sets")
    evalset.write(sets_dir)
    log(f"  {len(evalset.examples):,} examples in {time.perf_counter() - started:.1f} s -> {sets_dir}")

    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "quick": args.quick,
        "snapshots": [{"list": s.list_key, "date": s.date, "path": str(s.path)} for s in corpus.snapshots],
        "entities": len(corpus.entities),
        "duplicate_ids": corpus.duplicate_ids,
        "sets": evalset.info,
        "default_threshold": DEFAULT_THRESHOLD,
    }
    markdown = []
    if not args.skip_speed:
        log("speed")  # first: the memory delta is cleanest in a fresh process
        results["speed"] = bench_speed(corpus.entities, evalset, args)
    if not args.skip_quality:
        log("quality")
        quality = bench_quality(corpus.entities, evalset, args)
        runs = [quality.pop("_ours_run"), quality.pop("_peer_run", None)]
        results["quality"] = quality
        markdown.append(quality_markdown(quality, evalset, corpus, args))
        write_outcomes(
            args.out / ("screening-examples-quick.jsonl" if args.quick else "screening-examples.jsonl"), runs
        )
    if "speed" in results:
        markdown.append(speed_markdown(results["speed"], args))
    results["seconds"] = time.perf_counter() - total_started
    name = "screening-quick.json" if args.quick else "screening.json"
    (args.out / name).write_text(
        json.dumps(results, ensure_ascii=False, indent=1, default=str), encoding="utf-8"
    )
    sys.stdout.write("".join(markdown))
    sys.stdout.write(
        f"\n_Benchmark run time {results['seconds'] / 60:.1f} min; JSON in bench/results/{name}._\n"
    )
    log(f"done in {results['seconds']:.0f} s")


def _kind_selected(kind: str, prefixes: tuple[str, ...]) -> bool:
    words = kind.split("_")
    return any(
        kind.startswith(p) or "_".join(words[i:]).startswith(p) for p in prefixes for i in range(len(words))
    )


def write_outcomes(path: Path, runs: list[evaluate.EngineRun | None]) -> None:
    """Per-example outcomes of each engine, for digging into failures."""
    with path.open("w", encoding="utf-8") as handle:
        for run in runs:
            if run is None:
                continue
            for j in run.judged:
                row = {
                    "engine": run.name,
                    "id": j.example.id,
                    "kind": j.example.kind,
                    "query": j.example.query,
                    "expected": j.example.expected,
                    "tp5": j.tp5,
                    "tp1": j.tp1,
                    "false_alarm": j.false_alarm,
                    "wrong_alert": j.wrong_alert,
                    "expected_score": j.expected_score,
                    "hits": [[i, round(s, 4)] for i, s in j.hits[:5]],
                }
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
