"""The evaluation protocol: run a screener over an `EvalSet` and score the result.

Rules (the same for every engine):

* an engine answers each query with its hits at its own threshold, best first;
* a positive example is a true positive (TP@5) iff the expected entity is among
  the first 5 hits; TP@1 (stricter) iff the first hit is the expected entity or
  another record of the same designation (`accept`);
* a positive whose hits hold no record of the designation in the first 5 is a
  false negative *and* a wrong-entity alert (a false positive) when there were
  hits at all;
* a negative example is a false alarm iff there is any hit;
* precision = TP / (TP + wrong-entity alerts + false alarms), recall = TP / positives,
  F1 their harmonic mean; `dob_mismatch` examples are scored apart (alert rate and
  how much the wrong birth date lowers the listed person's score).

Our engine is called twice per example: `screen(query)` at DEFAULT_THRESHOLD
(the official answer) and `screen(query, threshold=0.0)` for the candidate list
(the top 10 by score) that logic-v2 re-scores and that the threshold sweep and the
failure report use.  Scores do not depend on the threshold, so the official hits
should be the candidate list cut at the threshold; examples where they are not
are counted ("inconsistent": retrieval pruned a hit at the higher threshold).  logic-v2 scores the union of those candidates and, for a
positive, the expected entity (so its recall is not limited by our retrieval),
and alerts at >= 0.70.
"""

from __future__ import annotations

import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.eval.sets import NEGATIVE_KINDS, POSITIVE_KINDS, SEPARATE_KINDS, EvalSet, Example
from bench.eval.text import script_of
from corridor.model import Entity

Ranked = list[tuple[str, float]]  # (entity id, score), best first

CANDIDATES = 10  # candidates per query taken from our engine at threshold 0
SWEEP = (0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95)


@dataclass(slots=True)
class Judged:
    example: Example
    hits: Ranked  # at the engine's threshold
    tp5: bool = False
    tp1: bool = False
    wrong_alert: bool = False
    false_alarm: bool = False
    script_pair: str = ""
    expected_score: float | None = None  # from the candidate list, when present
    expected_rank: int | None = None

    @property
    def positive(self) -> bool:
        return self.example.expected is not None


def judge(example: Example, hits: Ranked, candidates: Ranked | None = None, script_pair: str = "") -> Judged:
    out = Judged(example=example, hits=hits, script_pair=script_pair)
    if example.expected is None:
        out.false_alarm = bool(hits)
    else:
        designation = {example.expected, *example.accept}
        top5 = [entity_id for entity_id, _ in hits[:5]]
        out.tp5 = example.expected in top5
        out.tp1 = bool(hits) and hits[0][0] in designation
        out.wrong_alert = bool(hits) and not designation & set(top5)
        for rank, (entity_id, score) in enumerate(candidates or [], 1):
            if entity_id == example.expected:
                out.expected_score, out.expected_rank = score, rank
                break
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def summarize(judged: Sequence[Judged]) -> dict[str, Any]:
    """Overall, per-kind and per-script-pair figures (dob_mismatch kept apart)."""
    main = [j for j in judged if j.example.kind not in SEPARATE_KINDS]
    positives = [j for j in main if j.positive]
    negatives = [j for j in main if not j.positive]
    tp5 = sum(j.tp5 for j in positives)
    tp1 = sum(j.tp1 for j in positives)
    wrong = sum(j.wrong_alert for j in positives)
    wrong1 = sum(bool(j.hits) and not j.tp1 for j in positives)
    alarms = sum(j.false_alarm for j in negatives)
    overall = {
        "positives": len(positives),
        "negatives": len(negatives),
        "tp": tp5,
        "wrong_entity_alerts": wrong,
        "false_alarms": alarms,
        **_prf(tp5, wrong + alarms, len(positives) - tp5),
        "top1": _prf(tp1, wrong1 + alarms, len(positives) - tp1),
        "false_alarm_rate": alarms / len(negatives) if negatives else 0.0,
    }
    kinds: dict[str, dict[str, Any]] = {}
    grouped: dict[str, list[Judged]] = defaultdict(list)
    for j in judged:
        grouped[j.example.kind].append(j)
    for kind in (*POSITIVE_KINDS, *NEGATIVE_KINDS, *SEPARATE_KINDS):
        items = grouped.get(kind, [])
        if not items:
            continue
        if kind in POSITIVE_KINDS:
            k_tp = sum(j.tp5 for j in items)
            k_wrong = sum(j.wrong_alert for j in items)
            kinds[kind] = {
                "n": len(items),
                "recall": k_tp / len(items),
                "recall_top1": sum(j.tp1 for j in items) / len(items),
                "wrong_entity_alerts": k_wrong,
                **{k: v for k, v in _prf(k_tp, k_wrong, len(items) - k_tp).items() if k != "recall"},
            }
        else:
            kinds[kind] = {"n": len(items), "alert_rate": sum(bool(j.hits) for j in items) / len(items)}
    pairs: dict[str, list[Judged]] = defaultdict(list)
    for j in positives:
        pairs[j.script_pair].append(j)
    script_pairs = {
        pair: {"n": len(items), "recall": sum(j.tp5 for j in items) / len(items)}
        for pair, items in sorted(pairs.items())
    }
    return {"overall": overall, "kinds": kinds, "script_pairs": script_pairs}


def sweep(
    examples: Sequence[Example], candidates: dict[str, Ranked], thresholds: Sequence[float] = SWEEP
) -> list[dict[str, float]]:
    """Overall P/R/F1 and false-alarm rate at other thresholds, from the candidate
    lists (exact for our engine: scores do not depend on the threshold)."""
    rows = []
    for threshold in thresholds:
        judged = [judge(e, [c for c in candidates.get(e.id, []) if c[1] >= threshold]) for e in examples]
        overall = summarize(judged)["overall"]
        rows.append(
            {
                "threshold": threshold,
                "precision": overall["precision"],
                "recall": overall["recall"],
                "f1": overall["f1"],
                "false_alarm_rate": overall["false_alarm_rate"],
            }
        )
    return rows


def script_pair(example: Example, index_entities: dict[str, Entity]) -> str:
    """ "Hangul→Latin" when the query's script is not among the scripts of the
    expected record's names in the index; "Latin→Latin" and so on otherwise."""
    if example.expected is None:
        return ""
    query_script = script_of(example.query["name"]) or "none"
    target = index_entities.get(example.expected)
    scripts = {n.script for n in target.names} if target else set()
    if query_script in scripts:
        return f"{query_script}→{query_script}"
    return f"{query_script}→{'Latin' if 'Latin' in scripts else '/'.join(sorted(scripts)) or '?'}"


@dataclass(slots=True)
class EngineRun:
    name: str
    judged: list[Judged]
    seconds: float
    candidates: dict[str, Ranked] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def run_ours(
    screener: Any,
    evalset: EvalSet,
    index_entities: dict[str, Entity],
    make_query: Callable[[dict[str, str]], Any],
    default_threshold: float,
    progress: bool = True,
) -> EngineRun:
    """Our engine over every example (official call + candidate call)."""
    judged: list[Judged] = []
    candidates: dict[str, Ranked] = {}
    errors: list[str] = []
    inconsistent: list[dict[str, Any]] = []
    started = time.perf_counter()
    for number, example in enumerate(evalset.examples, 1):
        query = make_query(example.query)
        try:
            hits = [(h.entity_id, float(h.score)) for h in screener.screen(query, limit=10)]
            cands = [
                (h.entity_id, float(h.score)) for h in screener.screen(query, threshold=0.0, limit=CANDIDATES)
            ]
        except ValueError as exc:  # QueryError: an unscreenable query counts as "no hits"
            errors.append(f"{example.id}: {exc}")
            hits, cands = [], []
        candidates[example.id] = cands
        # the official answer must be the candidate list cut at the threshold
        # (the same ids in the same order with the same scores, as far as both go)
        above = [(i, s) for i, s in cands if s >= default_threshold]
        if hits[:CANDIDATES] != above[:CANDIDATES]:
            inconsistent.append(
                {
                    "id": example.id,
                    "query": example.query,
                    "hits": [(i, round(s, 3)) for i, s in hits],
                    "at_threshold_0": [(i, round(s, 3)) for i, s in above],
                }
            )
        judged.append(judge(example, hits, cands, script_pair(example, index_entities)))
        if progress and number % 1000 == 0:
            print(f"  ours: {number:,}/{len(evalset.examples):,}", file=sys.stderr)
    seconds = time.perf_counter() - started
    return EngineRun(
        "corridor",
        judged,
        seconds,
        candidates,
        {"errors": errors, "inconsistent": inconsistent},
    )


def run_peer(
    scorer: Any,
    evalset: EvalSet,
    candidates: dict[str, Ranked],
    index_entities: dict[str, Entity],
    threshold: float,
    sample_every: int = 1,
    progress: bool = True,
) -> EngineRun:
    """logic-v2 over the same candidates (+ the expected entity for positives)."""
    from bench.eval.peer import query_proxy

    judged: list[Judged] = []
    peer_candidates: dict[str, Ranked] = {}
    pairs = 0
    scoring_seconds = 0.0
    started = time.perf_counter()
    examples = evalset.examples[::sample_every]
    for number, example in enumerate(examples, 1):
        ids = [entity_id for entity_id, _ in candidates.get(example.id, [])]
        for extra in (example.expected, example.against):
            if extra and extra not in ids and extra in index_entities:
                ids.append(extra)
        proxy = query_proxy(example.query)
        t0 = time.perf_counter()
        scored = [(entity_id, scorer.score(proxy, scorer.candidate(entity_id))) for entity_id in ids]
        scoring_seconds += time.perf_counter() - t0
        pairs += len(ids)
        scored.sort(key=lambda item: (-item[1], item[0]))
        peer_candidates[example.id] = scored
        hits = [item for item in scored if item[1] >= threshold][:10]
        judged.append(judge(example, hits, scored, script_pair(example, index_entities)))
        if progress and number % 1000 == 0:
            print(f"  logic-v2: {number:,}/{len(examples):,}", file=sys.stderr)
    seconds = time.perf_counter() - started
    return EngineRun(
        "logic-v2",
        judged,
        seconds,
        peer_candidates,
        {"pairs": pairs, "scoring_seconds": scoring_seconds, "sample_every": sample_every},
    )


def run_baseline(
    scorer: Any, evalset: EvalSet, index_entities: dict[str, Entity], threshold: float
) -> EngineRun:
    """The Jaro–Winkler baseline (`bench.eval.jaro`): a full scan of the index's
    names for every example, alerting at `threshold`."""
    judged: list[Judged] = []
    ranked: dict[str, Ranked] = {}
    started = time.perf_counter()
    for example in evalset.examples:
        scored = scorer.rank(example.query["name"])
        ranked[example.id] = scored
        hits = [item for item in scored if item[1] >= threshold]
        judged.append(judge(example, hits, scored, script_pair(example, index_entities)))
    return EngineRun("jaro-winkler", judged, time.perf_counter() - started, ranked, {})


def dob_effect(
    examples: Sequence[Example],
    score_with: Callable[[Example, bool], float],
    threshold: float,
) -> dict[str, float]:
    """For dob_mismatch examples: the listed person's score with the wrong birth
    date vs. the same name without one, and how often the wrong date keeps it
    below the threshold."""
    drops = []
    suppressed = 0
    above_without = 0
    for example in examples:
        with_dob = score_with(example, True)
        without = score_with(example, False)
        drops.append(without - with_dob)
        if without >= threshold:
            above_without += 1
            if with_dob < threshold:
                suppressed += 1
    n = len(drops)
    return {
        "n": n,
        "mean_score_drop": sum(drops) / n if n else 0.0,
        "alerting_without_dob": above_without,
        "suppressed_by_dob": suppressed,
        "suppressed_share": suppressed / above_without if above_without else 0.0,
    }
