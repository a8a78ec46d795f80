"""CPU time of screening one fixed sample of queries, to compare two builds.

`bench_screening.py` draws its speed queries from the build's own evaluation
sets, so two commits whose sets differ are timed on different samples.  This
script times the queries of one given examples file (`DIR/sets-quick/
examples.jsonl`, as `bench_screening.py --out DIR` writes it) on whichever
checkout it runs in: Latin-script names (`--script latin`) or the others
(`--script other`), the first `--queries` of them, after a warm-up of 50, with
the name analysis and retrieval caches cleared before each round; prints the
median CPU seconds of the rounds.

    .venv/bin/python bench/time_queries.py --examples /tmp/sets/sets-quick/examples.jsonl --script latin
    # another commit, from its own checkout (interpreted, or after its `make install`):
    cd ../other && PYTHONPATH=.:src ../main/.venv/bin/python ../main/bench/time_queries.py --examples ...
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path.cwd()))  # the checkout it runs in: its `bench` and `corridor`

import corridor
from bench.eval import data
from corridor import names, settings
from corridor.match import Query, Screener


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--examples", type=Path, required=True)
    parser.add_argument("--script", choices=("latin", "other"), default="latin")
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    queries: list[Query] = []
    with args.examples.open(encoding="utf-8") as lines:
        for line in lines:
            query = json.loads(line)["query"]
            if query["name"].isascii() == (args.script == "latin"):
                queries.append(Query(query["name"], schema=query.get("schema", "Thing")))
    queries = queries[: args.queries + 50]
    warm, sample = queries[:50], queries[50:]

    corpus = data.load_corpus(data.select_snapshots(settings.shared_data()), data.RESULTS_DIR / "cache")
    screener = Screener.from_entities(corpus.entities)
    for query in warm:
        screener.screen(query)
    rounds: list[float] = []
    for _round in range(args.rounds):
        names.clear_caches()
        screener.clear_caches()
        started = time.process_time()
        for query in sample:
            screener.screen(query)
        rounds.append(time.process_time() - started)
    median = statistics.median(rounds)
    print(
        f"mode {corridor.NATIVE_MODE}; {len(sample)} {args.script} queries; CPU s per round "
        f"{', '.join(f'{r:.3f}' for r in rounds)}; median {median:.3f} ({1000 * median / len(sample):.2f} ms/query)"
    )


if __name__ == "__main__":
    main()
