"""Benchmark and evaluation of `corridor intel`: quality per fact type, story grouping, speed.

Quality: every report of `bench/intel/manifest.yaml` (real corridor reports with
hand-written expected facts) is analysed with the lists loaded (the newest UN, OFAC and
UK snapshots of the shared folder: gazetteer, screening engine, trade rule packs), and
precision / recall / F1 are computed per fact type:

  entity, vessel, place, activity   matched on normalised names (`name_key`), a
                                    predicted name counting for an expected one when
                                    either is the other with words added ("Russia's
                                    Foreign Ministry" / "Foreign Ministry")
  goods                             matched on the words written; "goods → HS" is the
                                    share of matched goods given the expected heading

Stories: the two seeds and every bench report go through the story index; the seeds
must form one story and no bench report may join it (pairs printed with --verbose).

Speed: reports of ~1,000 words (bench texts joined to length) analysed end to end
(read, clean, extract, screen every party and vessel, check every activity) on one
core, with the lists loaded; median of runs.

    .venv/bin/python bench/bench_intel.py            # about a minute
    .venv/bin/python bench/bench_intel.py --quick    # quality and stories only
    .venv/bin/python bench/bench_intel.py --verbose  # misses and false positives per report
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from corridor.intel.model import Fact
    from corridor.model import Entity

ROOT = Path(__file__).resolve().parent
MANIFEST = ROOT / "intel" / "manifest.yaml"  # the first round's set: the rules were improved against it
HELDOUT = ROOT / "intel" / "heldout.yaml"  # the second round's: written before the first run, never tuned on
HELDOUT2 = (
    ROOT / "intel" / "heldout2.yaml"
)  # the third round's: fresh reports, written before any run on them
TYPES = ("entity", "vessel", "aircraft", "place", "goods", "activity")


def load_engines(with_lists: bool = True) -> tuple[Any, int]:
    from corridor import settings
    from corridor.demo import newest_snapshots
    from corridor.intel.extract import Extractor
    from corridor.intel.listed import ListedName, ListedNames
    from corridor.intel.vocab import vocabulary
    from corridor.match import Screener
    from corridor.services import intel as service
    from corridor.services import screening as services
    from corridor.services import trade as trade_service
    from corridor.sources import parse

    extractor = Extractor(vocabulary(trade_service.nomenclature().describe))
    if not with_lists:
        return service.Engines(extractor, check=service.trade_checker(None)), 0
    entities: list[Entity] = []
    for snap in newest_snapshots(settings.shared_data()):
        if snap.list_key in ("un", "ofac-sdn", "ofac-cons", "uk"):
            entities.extend(parse(snap.path, snap.hint).entities)
    unique = list(services.unique_entities(entities))
    programs = {e.id: tuple(e.programs) for e in unique}
    from corridor.intel.listed import usable

    names = [ListedName(e.id, e.schema, n.full) for e in unique for n in e.names if usable(n.full, e.schema)]
    _ENGINES["names"] = names
    listed = ListedNames(names)
    screener = Screener.from_entities(unique)
    services.settle()
    parties = services.ScreenerParties(screener, programs)
    built = service.Engines(extractor, listed, service.name_screen(screener), service.trade_checker(parties))
    _ENGINES["screener"], _ENGINES["parties"] = screener, parties
    return built, len(screener)


_ENGINES: dict[str, Any] = {}


def fresh(built: Any) -> Any:
    """The same engines with empty intel caches: every name screened again and a new
    evaluator (its screening cache empty) for the trade checks."""
    from corridor.services import intel as service

    if "screener" not in _ENGINES:
        return built
    return service.Engines(
        built.extractor,
        built.listed,
        service.name_screen(_ENGINES["screener"]),
        service.trade_checker(_ENGINES["parties"]),
    )


def _keys(value: str) -> list[str]:
    from corridor.types.text import name_key

    return [name_key(v) for v in value.split("|") if name_key(v)]


def _same(expected: list[str], predicted: list[set[str]]) -> int | None:
    """The index of the predicted fact that names the expected one."""
    for key in expected:
        for i, names in enumerate(predicted):
            if key in names:
                return i
    for key in expected:
        for i, names in enumerate(predicted):
            for p in names:
                shorter, longer = sorted((key, p), key=len)
                if len(shorter.split()) >= 2 and f" {shorter} " in f" {longer} ":
                    return i
    return None


def score(expected: list[str], predicted: list[set[str]]) -> tuple[int, int, int, list[str], list[str]]:
    """(true positives, false positives, false negatives, misses, false alarms)."""
    remaining = list(predicted)
    tp, misses = 0, []
    for item in expected:
        hit = _same(_keys(item), remaining)
        if hit is None:
            misses.append(item)
        else:
            tp += 1
            remaining.pop(hit)
    return tp, len(remaining), len(misses), misses, sorted(min(n) for n in remaining)


def predicted_names(analysis: Any, kind: str, aliases: dict[str, set[str]] | None = None) -> list[set[str]]:
    """Each predicted fact as the set of its names: its label, the words written, and
    for a gazetteer place every name the gazetteer gives it ("Vostochny" is "Восточный")."""
    from corridor.types.text import name_key

    out = []
    for fact in analysis.of_kind(kind):
        names = {name_key(fact.label)} | {name_key(e.text) for e in fact.evidence}
        if aliases and fact.attrs.get("place_id"):
            names |= aliases.get(fact.attrs["place_id"], set())
        out.append(names)
    return out


def place_aliases() -> dict[str, set[str]]:
    from corridor.intel.vocab import load_data
    from corridor.types.text import name_key

    return {
        p["id"]: {name_key(n) for n in (p["name"], *p.get("aliases", ()))}
        for p in load_data()["places"]["places"]
    }


def evaluate(built: Any, verbose: bool, manifest_path: Path = MANIFEST) -> dict[str, Any]:
    from corridor.intel.analyse import analyse
    from corridor.types.text import name_key

    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    aliases = place_aliases()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    hs_right = hs_total = 0
    by_language: dict[str, int] = defaultdict(int)
    for report in manifest["reports"]:
        path = ROOT / "intel" / report["file"]
        date = dt.date.fromisoformat(str(report["date"]))
        doc = built.extractor.read(path.read_bytes(), str(path), date, suffix=path.suffix)
        analysis = analyse(doc, built.extractor, listed=built.listed, screen=built.screen, check=built.check)
        by_language[doc.language] += 1
        expected = report["expected"]
        lines = []
        for kind in ("entity", "vessel", "aircraft", "place"):
            field = {"entity": "entities", "vessel": "vessels", "aircraft": "aircraft", "place": "places"}[
                kind
            ]
            exp = expected.get(field, [])
            pred = predicted_names(analysis, kind, aliases if kind == "place" else None)
            tp, fp, fn, misses, alarms = score(exp, pred)
            for i, v in enumerate((tp, fp, fn)):
                totals[kind][i] += v
            if misses or alarms:
                lines.append(f"  {kind}: missed {misses} extra {alarms}")
        # goods: by the words written, then the heading
        goods_pred: dict[str, Fact] = {}
        for fact in analysis.of_kind("goods"):
            for ev in fact.evidence:
                goods_pred.setdefault(name_key(ev.text), fact)
            goods_pred.setdefault(name_key(fact.label), fact)
        matched_facts = set()
        g_tp = g_fn = 0
        missed_goods: list[str] = []
        for item in expected["goods"]:
            key = name_key(item["term"])
            found = goods_pred.get(key)
            if found is None:
                g_fn += 1
                missed_goods.append(item["term"])
                continue
            g_tp += 1
            matched_facts.add(found.key)
            hs_total += 1
            if found.attrs["heading"] == item["heading"]:
                hs_right += 1
            else:
                lines.append(
                    f"  goods → HS: {item['term']} expected {item['heading']} got {found.attrs['heading']}"
                )
        g_fp = len({f.key for f in analysis.of_kind("goods")} - matched_facts)
        totals["goods"][0] += g_tp
        totals["goods"][1] += g_fp
        totals["goods"][2] += g_fn
        if missed_goods or g_fp:
            extra = sorted(
                {f.label for f in analysis.of_kind("goods")}
                - {
                    goods_pred[name_key(i["term"])].label
                    for i in expected["goods"]
                    if name_key(i["term"]) in goods_pred
                }
            )
            lines.append(f"  goods: missed {missed_goods} extra {extra}")
        act_pred = {f.attrs["activity"] for f in analysis.of_kind("activity")}
        act_exp = set(expected["activities"])
        totals["activity"][0] += len(act_pred & act_exp)
        totals["activity"][1] += len(act_pred - act_exp)
        totals["activity"][2] += len(act_exp - act_pred)
        if act_pred != act_exp:
            lines.append(
                f"  activity: missed {sorted(act_exp - act_pred)} extra {sorted(act_pred - act_exp)}"
            )
        if verbose and lines:
            print(f"{report['id']} ({doc.language}{', partial' if doc.partial else ''}):")
            print("\n".join(lines))
    return {
        "totals": totals,
        "hs": (hs_right, hs_total),
        "reports": len(manifest["reports"]),
        "languages": dict(by_language),
    }


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def stories(verbose: bool) -> tuple[bool, bool, list[tuple[str, str, float, float]]]:
    from corridor import settings
    from corridor.intel.stories import StoryIndex, same_story, signature, similarity

    seeds = sorted((settings.current().shared / "seeds").glob("*.txt"))
    texts = [(p.name, p.read_text(encoding="utf-8")) for p in seeds]
    for path in (MANIFEST, HELDOUT, HELDOUT2):
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [
            (r["id"], (ROOT / "intel" / r["file"]).read_text(encoding="utf-8")) for r in manifest["reports"]
        ]
    sigs = [(name, signature(text)) for name, text in texts]
    index = StoryIndex()
    story_of = {}
    for i, (name, sig) in enumerate(sigs):
        found = index.match(sig)
        story = found[0] if found else str(i)
        index.add(name, story, sig)
        story_of[name] = story
    seed_names = [p.name for p in seeds]
    seeds_together = len({story_of[n] for n in seed_names}) == 1
    others_apart = all(story_of[n] != story_of[seed_names[0]] for n, _ in sigs if n not in seed_names)
    pairs = []
    for i, (a, sa) in enumerate(sigs):
        for b, sb in sigs[i + 1 :]:
            jac, cont = similarity(sa, sb)
            if verbose or same_story(sa, sb):
                pairs.append((a, b, jac, cont))
    return seeds_together, others_apart, sorted(pairs, key=lambda p: -p[2])[:12]


def speed_texts(n: int, words: int = 1000, language: str = "en") -> list[str]:
    pool = [
        (ROOT / "intel" / r["file"]).read_text(encoding="utf-8")
        for path in (MANIFEST, HELDOUT)
        for r in yaml.safe_load(path.read_text(encoding="utf-8"))["reports"]
        if r["language"] == language
    ]
    out = []
    for i in range(n):
        parts: list[str] = []
        count = 0
        j = i
        while count < words:
            text = pool[j % len(pool)]
            parts.append(text)
            count += len(text.split())
            j += 1
        out.append("\n\n".join(parts))
    return out


def speed(built: Any, n: int, runs: int, cold: bool, language: str = "en") -> tuple[float, float]:
    """Reports per second; `cold`: intel screening and trade-check caches empty at the
    start of every run (the engine's own name-analysis caches are not cleared)."""
    from corridor.intel.analyse import analyse

    texts = [t.encode("utf-8") for t in speed_texts(n, language=language)]
    words = statistics.mean(len(t.split()) for t in texts)
    rates = []
    for run in range(runs):
        if cold:
            built = fresh(built)
        start = time.perf_counter()
        for i, data in enumerate(texts):
            doc = built.extractor.read(data, f"speed-{run}-{i}.txt", dt.date(2024, 6, 1), suffix=".txt")
            analyse(doc, built.extractor, listed=built.listed, screen=built.screen, check=built.check)
        rates.append(n / (time.perf_counter() - start))
    return statistics.median(rates), words


def gazetteer_timing(built: Any) -> str:
    """The listed-names gazetteer of the loaded lists: built from entities (filter and
    Aho–Corasick) against read back from its signed cache file; medians of 3."""
    import tempfile

    from corridor.intel.listed import ListedNames
    from corridor.services import intel as service

    screener = _ENGINES.get("screener")
    if screener is None or built.listed is None:
        return "gazetteer: no lists loaded"
    names = [n for n in _ENGINES["names"]]
    secret = b"k" * 32
    builds, loads = [], []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "listed-x-v1.json"
        for _ in range(3):
            t0 = time.perf_counter()
            ListedNames(names)
            builds.append(time.perf_counter() - t0)
            service._save_gazetteer_file(path, secret, "x", names)
            t0 = time.perf_counter()
            ListedNames(service._load_gazetteer_file(path, secret, "x"))
            loads.append(time.perf_counter() - t0)
        size = path.stat().st_size
    return (
        f"gazetteer: {len(built.listed):,} patterns from {len(names):,} usable names; built from the names "
        f"{statistics.median(builds):.2f} s, from its signed cache file ({size / 1e6:.1f} MB) "
        f"{statistics.median(loads):.2f} s, in memory 0 s (the store read is saved on top)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="quality and stories only")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--reports", type=int, default=60, help="reports per speed run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--set",
        choices=("tuning", "heldout", "heldout2", "both", "all"),
        default="all",
        help="evaluation set(s); both = tuning and heldout, all = the three",
    )
    args = parser.parse_args()
    with contextlib.suppress(AttributeError, OSError):  # one core, as the target says
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    t0 = time.perf_counter()
    built, listed_count = load_engines()
    load_s = time.perf_counter() - t0
    from bench.machine import machine

    print(f"## corridor intel — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n")
    print(machine())
    print(f"\nlists loaded: {listed_count:,} entities (newest UN, OFAC, UK snapshots) in {load_s:.1f} s")
    sets = {
        "tuning": [MANIFEST],
        "heldout": [HELDOUT],
        "heldout2": [HELDOUT2],
        "both": [MANIFEST, HELDOUT],
        "all": [MANIFEST, HELDOUT, HELDOUT2],
    }[args.set]
    for manifest_path in sets:
        if args.verbose:
            print(f"\n### misses and false alarms: {manifest_path.name}")
        result = evaluate(built, args.verbose, manifest_path)
        title = {
            MANIFEST: "tuning set (the rules were improved against it)",
            HELDOUT: "held-out set (expected facts written before the first run; its misses then read to find general causes)",
            HELDOUT2: "second held-out set (fresh reports; expected facts written before any run; never tuned on)",
        }[manifest_path]
        print(f"\n{manifest_path.name}, {title}: {result['reports']} reports {result['languages']}\n")
        print("| fact type | precision | recall | F1 | tp | fp | fn |")
        print("|---|---|---|---|---|---|---|")
        for kind in TYPES:
            tp, fp, fn = result["totals"][kind]
            if not (tp or fp or fn):
                print(f"| {kind} | n/a | n/a | n/a | 0 | 0 | 0 |")  # none expected, none found
                continue
            p, r, f = prf(tp, fp, fn)
            print(f"| {kind} | {p:.2f} | {r:.2f} | {f:.2f} | {tp} | {fp} | {fn} |")
        right, total = result["hs"]
        print(f"\ngoods → HS heading accuracy: {right}/{total} = {right / total if total else 0:.2f}")
    together, apart, pairs = stories(args.verbose)
    print(f"\nstories: seeds grouped as one story: {together}; no bench report joins it: {apart}")
    for a, b, jac, cont in pairs:
        print(f"  {a} ~ {b}: Jaccard {jac:.3f}, containment {cont:.3f}")
    if not args.quick:
        cold, words = speed(built, args.reports, args.runs, cold=True)
        warm, _ = speed(built, args.reports, args.runs, cold=False)
        ru_cold, ru_words = speed(built, max(10, args.reports // 3), args.runs, cold=True, language="ru")
        load = os.getloadavg()[0]
        print(
            f"\nspeed: {cold:.1f} reports/s of ~{words:,.0f} words on one core with the intel caches empty at "
            f"each run, {warm:.1f} reports/s with them warm (the same names recur); read, clean, extract, "
            f"screen, check; median of {args.runs} runs of {args.reports}; load average {load:.1f} at the end"
        )
        print(
            f"speed, Russian: {ru_cold:.1f} reports/s of ~{ru_words:,.0f} words, caches empty at each run "
            f"(natasha's NER and morphology included; its models loaded before timing)"
        )
        print(gazetteer_timing(built))
    return 0


if __name__ == "__main__":
    sys.exit(main())
