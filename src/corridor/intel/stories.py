"""Near-duplicates and rewrites of one story: MinHash signatures and LSH (datasketch).

A report's signature is a MinHash of its word shingles (pairs of adjacent content
words: stopwords dropped, light stemming), so a repost with another headline, a
rewrite that keeps most sentences, or an excerpt of a longer piece keeps most of its
shingles.  Two reports are the same story when their estimated Jaccard similarity is
at least `STORY_THRESHOLD`, or when the shorter one's shingles are mostly contained
in the longer one's (`CONTAINMENT_THRESHOLD`, for an excerpt or a rewrite with much
added).  The LSH index only proposes candidates; the decision uses the signatures.

Thresholds (docs/intel.md has the measured pairs): the two seed reports (a Daily NK
story and its Russia Briefing rewrite) have a Jaccard near 0.11 and a containment near
0.21; unrelated reports on the same corridor stay near or below 0.02 and 0.12.

Pure, no I/O.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 256
SEED = 1718
SCHEME = "affine32"  # stored signatures name the hashing scheme they were made with
STORY_THRESHOLD = 0.07
CONTAINMENT_THRESHOLD = 0.16
MIN_CONTAINED = 50  # containment is only trusted for a report of this many shingles or more
LSH_THRESHOLD = 0.05  # candidates only; low so that no true rewrite is missed

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "which",
        "who",
        "whom",
        "whose",
        "what",
        "when",
        "where",
        "while",
        "also",
        "not",
        "no",
        "but",
        "than",
        "then",
        "there",
        "their",
        "they",
        "them",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
        "me",
        "my",
        "said",
        "says",
        "will",
        "would",
        "could",
        "should",
        "may",
        "might",
        "can",
        "about",
        "after",
        "before",
        "into",
        "over",
        "under",
        "more",
        "most",
        "some",
        "such",
        "other",
        "another",
        "only",
        "very",
        "just",
        "so",
        "if",
        "because",
        "according",
        "new",
    ]
)
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _stem(word: str) -> str:
    for suffix in ("ies", "es", "s", "ed", "ing"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def shingles(text: str) -> set[str]:
    words = [_stem(w) for w in (m.group(0).casefold() for m in _WORD.finditer(text)) if w not in _STOP]
    return {f"{a} {b}" for a, b in itertools.pairwise(words)} or set(words)


@dataclass(frozen=True, slots=True)
class Signature:
    hashvalues: tuple[int, ...]
    size: int  # number of shingles

    def minhash(self) -> MinHash:
        return MinHash(
            num_perm=NUM_PERM, seed=SEED, scheme=SCHEME, hashvalues=np.array(self.hashvalues, dtype=np.uint64)
        )

    def to_list(self) -> list[int]:
        return [int(v) for v in self.hashvalues]


def signature(text: str) -> Signature:
    grams = shingles(text)
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME)
    minhash.update_batch([g.encode("utf-8") for g in grams])
    return Signature(tuple(int(v) for v in minhash.hashvalues), len(grams))


def similarity(a: Signature, b: Signature) -> tuple[float, float]:
    """(estimated Jaccard, estimated containment of the smaller in the larger)."""
    jaccard = float(a.minhash().jaccard(b.minhash()))
    small, _large = sorted((a.size, b.size))
    if small == 0:
        return jaccard, 0.0
    # |A ∩ B| = J / (1 + J) * (|A| + |B|)
    shared = jaccard / (1 + jaccard) * (a.size + b.size)
    return jaccard, min(1.0, shared / small)


def same_story(a: Signature, b: Signature) -> bool:
    jaccard, containment = similarity(a, b)
    if jaccard >= STORY_THRESHOLD:
        return True
    return min(a.size, b.size) >= MIN_CONTAINED and containment >= CONTAINMENT_THRESHOLD


class StoryIndex:
    """Reports seen so far, by story; `assign` gives a new report its story."""

    def __init__(self, known: Iterable[tuple[str, str, Signature]] = ()) -> None:
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._signatures: dict[str, Signature] = {}
        self._story_of: dict[str, str] = {}
        for report_id, story_id, sig in known:
            self.add(report_id, story_id, sig)

    def add(self, report_id: str, story_id: str, sig: Signature) -> None:
        if report_id in self._signatures:
            return
        self._lsh.insert(report_id, sig.minhash())
        self._signatures[report_id] = sig
        self._story_of[report_id] = story_id

    def match(self, sig: Signature) -> tuple[str, float] | None:
        """The story of the most similar known report that is the same story, with its score."""
        best: tuple[float, str] | None = None
        for report_id in self._lsh.query(sig.minhash()):
            other = self._signatures[report_id]
            if not same_story(sig, other):
                continue
            jaccard, containment = similarity(sig, other)
            score = max(jaccard, containment)
            if best is None or score > best[0] or (score == best[0] and self._story_of[report_id] < best[1]):
                best = (score, self._story_of[report_id])
        return (best[1], best[0]) if best else None
