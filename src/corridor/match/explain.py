"""Explanations: how a query name met a listed name, part by part, and why the
score is what it is.

`build_evidence` turns the aligned pairs of `match.align` into `PartMatch`es
(every part of either name appears once: matched with its method and
similarity, or "missing"); `summarize` writes the one-line summary a hit
carries, listing the name parts and every feature with its effect.
"""

from __future__ import annotations

from corridor.match.align import Pair
from corridor.match.model import Explanation, NameEvidence, PartMatch, Qualifier
from corridor.names.tokens import Tok


def build_evidence(
    query_name: str,
    listed: str,
    kind: str,
    name_score: float,
    qtoks: tuple[Tok, ...],
    ltoks: tuple[Tok, ...],
    pairs: list[Pair],
) -> NameEvidence:
    parts: list[PartMatch] = []
    used_q: set[int] = set()
    used_l: set[int] = set()
    for sim, qi, lj, method in sorted(pairs, key=lambda p: min(p[1])):
        used_q.update(qi)
        used_l.update(lj)
        parts.append(
            PartMatch(" ".join(qtoks[i].orig for i in qi), " ".join(ltoks[j].orig for j in lj), method, sim)
        )
    for i, tok in enumerate(qtoks):
        if i not in used_q:
            parts.append(PartMatch(tok.orig, "", "missing", 0.0))
    for j, tok in enumerate(ltoks):
        if j not in used_l:
            parts.append(PartMatch("", tok.orig, "missing", 0.0))
    return NameEvidence(query_name, listed, kind, name_score, parts)


def summarize(score: float, evidence: NameEvidence, quals: list[Qualifier]) -> str:
    shown = []
    for part in evidence.parts:
        if part.method == "missing":
            shown.append(f"{part.query_part or part.listed_part} unmatched")
        elif part.method == "exact":
            shown.append(part.query_part)
        else:
            shown.append(f"{part.query_part}~{part.listed_part} ({part.method})")
    kind = "" if evidence.name_kind == "primary" else f" [{evidence.name_kind.replace('_', ' ')}]"
    text = f"{score:.2f}: '{evidence.query_name}' ~ '{evidence.matched_name}'{kind} name {evidence.score:.2f}"
    if shown:
        text += " [" + ", ".join(shown) + "]"
    for q in quals:
        text += f"; {q.detail} ({q.effect:+.2f})"
    return text


def explain(
    score: float,
    query_name: str,
    listed: str,
    kind: str,
    name_score: float,
    qtoks: tuple[Tok, ...],
    ltoks: tuple[Tok, ...],
    pairs: list[Pair],
    quals: list[Qualifier],
) -> Explanation:
    """The explanation of a hit: its name evidence, features and summary."""
    evidence = build_evidence(query_name, listed, kind, name_score, qtoks, ltoks, pairs)
    return Explanation(evidence, quals, summarize(score, evidence, quals))
