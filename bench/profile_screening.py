"""Where screening time goes, for names on no list (the common case).

Screens the negative examples of the evaluation sets (names that should not
alert) against the newest snapshots, every name seen for the first time (the name
analysis caches cleared before each; the retrieval sets of the words earlier
queries had stay cached, as in a running service; `--cold-words` clears those
too), and splits the time of each query into

  analysis    the name analysed into tokens (`names.tokens.analyze`, cold)
  retrieval   the tokens' retrieval sets and the candidate names (`match.retrieval`)
  alignment   the rest of `Screener.screen`: aligning the candidates part by part,
              the features, the explanations

It also counts the candidate names aligned per query and the share of them whose
name score is 0 (retrieved, aligned, and nothing of them matched).  The figures
quoted in docs/screening.md ("Where the time goes") come from this script:

    .venv/bin/python bench/profile_screening.py                # 1,000 negatives
    .venv/bin/python bench/profile_screening.py --cold-words   # nothing cached

Timings are process CPU time (the machine is shared); run it compiled (the
default after `make install`) for the figures of the docs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # `bench` as a package when run as a script

import corridor
from bench.eval import data
from bench.eval.sets import DEFAULT_SEED, NEGATIVE_KINDS, build_sets
from corridor import names, settings
from corridor.match import DEFAULT_THRESHOLD, Query, Screener
from corridor.match.align import align
from corridor.match.query import check_query
from corridor.names.tokens import analyze, schema_kind


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cold-words", action="store_true", help="also forget the words' retrieval sets")
    args = parser.parse_args()

    corpus = data.load_corpus(data.select_snapshots(settings.shared_data()), data.RESULTS_DIR / "cache")
    screener = Screener.from_entities(corpus.entities)
    evalset = build_sets(corpus.entities, seed=args.seed, cap=300)
    negatives = list(
        {
            (e.query["name"], e.query.get("schema")): e for e in evalset.examples if e.kind in NEGATIVE_KINDS
        }.values()
    )
    rng = random.Random(f"{args.seed}/profile")
    rng.shuffle(negatives)
    warm, sample = negatives[:200], negatives[200 : 200 + args.queries]
    for example in warm:  # a running service has seen other names before
        screener.screen(Query(example.query["name"], schema=example.query.get("schema", "Thing")))
    retriever = screener.retriever
    floor = DEFAULT_THRESHOLD - screener.algorithm.prune_margin

    analysis = retrieval = alignment = 0.0
    aligned: list[int] = []
    zero = 0
    clock = time.process_time
    for example in sample:
        q = example.query
        query = Query(
            q["name"],
            schema=q.get("schema", "Thing"),
            birth_date=q.get("birth_date"),
            country=q.get("country"),
        )
        checked = check_query(query)
        names.clear_caches()
        if args.cold_words:
            screener.clear_caches()
        started = clock()
        qtoks = analyze(checked.name, schema_kind(checked.schema))  # cold: cached for what follows
        analysed_at = clock()
        analysed = retriever.analyse(checked.name, checked.schema)
        candidates = retriever.candidates(analysed, floor)
        retrieved_at = clock()
        screener.screen(query)  # analysis and retrieval sets now cached: the rest is alignment
        screened_at = clock()
        # screen() ran the candidate count again (cheap, uncached): counted as retrieval
        again = clock()
        retriever.candidates(analysed, floor)
        recount = clock() - again
        analysis += analysed_at - started
        retrieval += retrieved_at - analysed_at
        alignment += max(0.0, screened_at - retrieved_at - recount)
        aligned.append(len(candidates))
        index = screener.index
        for nid in candidates:
            rec = index.names[nid]
            score, _pairs = align(qtoks, analysed.weights, rec.tokens, rec.weights)
            zero += score == 0.0
    total = analysis + retrieval + alignment
    count = sum(aligned)
    words = "cold" if args.cold_words else "warm from 200 earlier queries"
    print(
        f"mode {corridor.NATIVE_MODE}; {len(sample)} distinct negative queries, {len(corpus.entities):,} entities; "
        f"name analysis cold, the words' retrieval sets {words}"
    )
    print(f"CPU per query {1000 * total / len(sample):.2f} ms:")
    for label, seconds in (("analysis", analysis), ("retrieval", retrieval), ("alignment", alignment)):
        print(f"  {label:10s} {100 * seconds / total:5.1f} %  ({1000 * seconds / len(sample):.3f} ms)")
    print(
        f"candidate names aligned per query: mean {count / len(sample):.1f}, median {statistics.median(aligned):.0f}, "
        f"max {max(aligned)}; name score 0: {zero:,} of {count:,} ({100 * zero / max(count, 1):.0f} %)"
    )


if __name__ == "__main__":
    main()
