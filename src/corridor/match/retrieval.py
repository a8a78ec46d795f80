"""Retrieval: which listed names are worth aligning with a query.

The query is analysed (cached by name, and its tokens' retrieval sets by token,
since names share most of their words); each query token's keys
(`match.terms`) give the set of names sharing any of them, restricted to the
schemata the query may meet (keys held by more than `max_postings` names are
skipped: they identify nothing).  A query token no listed name has is looked up
in the index's spelling tables, and a listed token found there counts only if
the alignment would pair it with the query token (`align.row_hits`).  A rare
query token also finds, a little less, the names that spell it one letter
apart.  Names are then counted by how much query weight they share (in
quarters), those that cannot come near the threshold are left out, and the
best `candidates` are returned (`Retriever.candidates`).  So a query never
scans the list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import final

from rapidfuzz import process
from rapidfuzz.distance import OSA

from corridor.match.algorithm import Algorithm
from corridor.match.align import (
    ABJADS,
    SKELETON_MIN,
    SKELETON_ONE,
    TYPO_TWO_SHORT,
    joined_skeleton,
    row_hits,
    tok_skeletons,
)
from corridor.match.features.schema import schema_allows
from corridor.match.index import Index
from corridor.match.terms import (
    joined_keys,
    one_deletions,
    query_keys,
    spans,
    token_keys,
    token_weight,
    typo_keys,
)
from corridor.names.scripts import SKELETON_FAMILIES, skeletons
from corridor.names.tokens import Tok, analyze, schema_kind

QUERY_CACHE = 20000  # analysed query names kept
GROUP_CACHE = 50000  # query tokens (and runs of tokens) whose retrieval sets are kept
TWO_EDITS_LENGTH = 7  # a query token this long found nowhere is also looked up two edits away (always)

# One retrieval set: (the weight of the query token(s) behind it, in quarters;
# the names found by them)
RetrievalSet = tuple[int, frozenset[int]]
# The postings of a query token's keys shared by more than `max_postings` names
# (Ali, Mohammed, Kim): never used to retrieve, only to rank the names the other
# sets found when more of them tie than `candidates` admits (weight in quarters)
CrowdedSet = tuple[int, tuple[list[int], ...]]


@final
@dataclass(frozen=True, slots=True)
class TokenSets:
    """The retrieval sets of one query token, and its weight if found nowhere
    (it may still match by run-together or fuzzy spelling)."""

    sets: tuple[RetrievalSet, ...]
    nowhere: float
    crowded: CrowdedSet | None = None


@final
@dataclass(frozen=True, slots=True)
class AnalysedQuery:
    """A query name as retrieval and alignment see it."""

    tokens: tuple[Tok, ...]
    weights: tuple[float, ...]
    sets: tuple[RetrievalSet, ...]  # per token and per run of adjacent tokens
    total_weight: float
    open_weight: float  # weight of tokens found nowhere, at the algorithm's unfound share
    crowded: tuple[CrowdedSet, ...] = ()  # per token: postings too common to retrieve by


@final
class Retriever:
    """Candidate retrieval over one index, with its caches."""

    def __init__(self, index: Index, algorithm: Algorithm) -> None:
        self.index = index
        self.algorithm = algorithm
        self._query_cache: dict[tuple[str, str], AnalysedQuery] = {}
        self._token_cache: dict[tuple[Tok, float, str], TokenSets] = {}
        self._postings_cache: dict[tuple[Tok, float], tuple[list[list[int]], list[list[int]]]] = {}
        self._run_cache: dict[tuple[tuple[Tok, ...], str], tuple[RetrievalSet, ...]] = {}
        self._schema_names: dict[str, frozenset[int]] = {}
        self._skeletons: dict[str, dict[str, list[str]]] = {}
        self._crowded_cache: dict[tuple[int, ...], frozenset[int]] = {}
        # listed token texts by first letter and length, and the listed texts two
        # slips from a token: properties of the index, kept across `clear_caches`
        self._by_start: dict[tuple[str, int], list[str]] | None = None
        self._two_slips: dict[str, frozenset[str]] = {}

    def clear_caches(self) -> None:
        self._query_cache.clear()
        self._token_cache.clear()
        self._postings_cache.clear()
        self._run_cache.clear()

    # --- analysis ----------------------------------------------------------------------

    def analyse(self, name: str, schema: str) -> AnalysedQuery:
        """Tokens, weights and retrieval sets of a query name; the sets hold only
        names of the schemata the query may meet."""
        key = (name, schema)
        found = self._query_cache.get(key)
        if found is not None:
            return found
        qtoks = analyze(name, schema_kind(schema))
        total = len(self.index.names)
        df = self.index.df
        qweights = tuple(token_weight(t, df.get(t.text, 0), total) for t in qtoks)
        # `repeats` of a set is its token's weight in quarters
        token_sets: list[RetrievalSet] = []
        crowded: list[CrowdedSet] = []
        open_weight = 0.0
        for tok, weight in zip(qtoks, qweights, strict=True):
            group = self._token_sets(tok, weight, schema)
            token_sets.extend(group.sets)
            open_weight += group.nowhere
            if group.crowded is not None:
                crowded.append(group.crowded)
        for start, end in spans(qtoks):
            token_sets.extend(self._run_sets(qtoks[start:end], sum(qweights[start:end]), schema))
        result = AnalysedQuery(qtoks, qweights, tuple(token_sets), sum(qweights), open_weight, tuple(crowded))
        if len(self._query_cache) >= QUERY_CACHE:
            self._query_cache.clear()
        self._query_cache[key] = result
        return result

    def _token_sets(self, tok: Tok, weight: float, schema: str) -> TokenSets:
        """The retrieval sets of one query token; cached, since names share most of
        their words."""
        cache_key = (tok, weight, schema)
        found = self._token_cache.get(cache_key)
        if found is not None:
            return found
        max_postings = self.algorithm.max_postings
        sets: list[RetrievalSet] = []
        found_sets, near = self._token_postings(tok, weight)
        repeats = max(1, round(weight * 4))
        usable = [s for s in found_sets if len(s) <= max_postings]
        too_common = tuple(s for s in found_sets if len(s) > max_postings)
        nowhere = 0.0
        if usable or near:
            # the names of the token's own keys and of its near spellings, one set:
            # a slip scores up to 0.88, so the bound counts it at full weight, and a
            # name found both ways counts the token once
            sets.append((repeats, self._restrict(usable + near, schema)))
        elif not found_sets and not tok.legal and tok.tag != "stopword":
            # found nowhere, yet it may still match by run-together or fuzzy
            # spelling: every candidate may count it, at the unfound share
            nowhere = weight * self.algorithm.unfound_share
        if tok.script in ABJADS and len(tok_skeletons(tok, tok.script)[0]) == 1:
            # a one-letter skeleton (الي l: Ali) is credited, never retrieved by: any
            # candidate may count it, at that credit, or the bound would not hold
            nowhere = max(nowhere, weight * SKELETON_ONE)
        crowded = (repeats, too_common) if too_common else None
        result = TokenSets(tuple([(r, f) for r, f in sets if f]), nowhere, crowded)
        if len(self._token_cache) >= GROUP_CACHE:
            self._token_cache.clear()
        self._token_cache[cache_key] = result
        return result

    def _token_postings(self, tok: Tok, weight: float) -> tuple[list[list[int]], list[list[int]]]:
        """The postings one query token finds whatever the query's schema: its own
        keys' (or, found nowhere, its typo spellings'), and those of the listed
        tokens spelled one letter apart from a rare one (two in a long one).
        Cached apart from `_token_sets` (which restricts them to a schema), since
        the typo and near-spelling searches cost the most and a trade check asks
        for the same word as a party (LegalEntity) and as a vessel (Vessel)."""
        cache_key = (tok, weight)
        found = self._postings_cache.get(cache_key)
        if found is not None:
            return found
        postings = self.index.postings
        max_postings = self.algorithm.max_postings
        near: list[list[int]] = []
        found_sets = [postings[k] for k in query_keys(token_keys(tok), tok.script) if k in postings]
        if tok.script in SKELETON_FAMILIES:
            # an abjad, Thai or kana token: the Latin names of the same consonant skeleton
            found_sets.extend(postings["t" + t] for t in self._skeleton_texts(tok))
        if not found_sets:
            # a token no listed name has: perhaps a typo
            found_sets = self._typo_sets(tok)
        elif weight >= 0.8 and len(tok.text) >= 3:
            # a rare token another listed name may spell one letter apart
            # (Zawiya/Zawiyah), or two apart in a long one (CHONGBONG/CHONMYONG: the
            # alignment credits two slips there, so the bound must reach them)
            texts = self._near_texts(tok) | self._two_slips_of(tok)
            near = [postings["t" + t] for t in self._spelled_alike(tok, texts)]
            near = [s for s in near if len(s) <= max_postings]
        result = (found_sets, near)
        if len(self._postings_cache) >= GROUP_CACHE:
            self._postings_cache.clear()
        self._postings_cache[cache_key] = result
        return result

    def _run_sets(self, toks: tuple[Tok, ...], weight: float, schema: str) -> tuple[RetrievalSet, ...]:
        """The retrieval set of a run of adjacent query tokens written together; cached."""
        cache_key = (toks, schema)
        found = self._run_cache.get(cache_key)
        if found is not None:
            return found
        postings = self.index.postings
        max_postings = self.algorithm.max_postings
        usable = [
            postings[k]
            for k in query_keys(joined_keys(toks), toks[0].script)
            if k in postings and len(postings[k]) <= max_postings
        ]
        fam = toks[0].script
        if fam in ABJADS and toks[0].tag == "stopword" and all(t.script == fam for t in toks):
            # the article or a particle run into a listed Latin word: the words of
            # the run's skeleton (ال دبس: ALDABBAS); other runs would only crowd
            # the candidates
            key = joined_skeleton(toks)
            for text in self._texts_of_skeleton(key, fam) if len(key) > SKELETON_MIN else ():
                found_names = postings["t" + text]
                if len(found_names) <= max_postings:
                    usable.append(found_names)
        merged = self._restrict(usable, schema) if usable else frozenset()
        result: tuple[RetrievalSet, ...] = ((max(1, round(weight * 4)), merged),) if merged else ()
        if len(self._run_cache) >= GROUP_CACHE:
            self._run_cache.clear()
        self._run_cache[cache_key] = result
        return result

    def _restrict(self, postings: list[list[int]], schema: str) -> frozenset[int]:
        """The names of these postings that a query of this schema may meet."""
        merged = frozenset().union(*postings)
        return merged if schema == "Thing" else merged & self.allowed_names(schema)

    def allowed_names(self, schema: str) -> frozenset[int]:
        """The names of entities a query of this schema may meet (computed once per schema)."""
        found = self._schema_names.get(schema)
        if found is None:
            entities = self.index.entities
            found = self._schema_names[schema] = frozenset(
                nid
                for nid, rec in enumerate(self.index.names)
                if schema_allows(schema, entities[rec.entity].schema)
            )
        return found

    def _typo_sets(self, tok: Tok) -> list[list[int]]:
        """Names that may spell an unknown query token another way: those with a
        token one edit away (`_near_texts`) or sharing the first or last four sounds
        of its Russian key (a longer slip), kept only where the alignment would pair
        the two tokens (so the -ova of Markova does not fetch every -ova surname)."""
        texts = self._near_texts(tok)
        if len(tok.text) >= TWO_EDITS_LENGTH:
            # also when some token is one edit away: that one may be another word
            # (DASRYAFAR is one slip from no listed token but two from DARYABAR)
            texts |= self._two_edits(tok)
            texts |= self._two_slips_of(tok)
        spellings = self.index.spellings
        for key in typo_keys(tok):
            texts.update(spellings.get(key, ()))
        postings = self.index.postings
        return [postings["t" + text] for text in self._spelled_alike(tok, texts)]

    def _skeleton_texts(self, tok: Tok) -> list[str]:
        """Listed Latin token texts with the consonant skeleton of a query token of
        a skeleton family (`names.scripts.skeleton`; the table of each family is
        built from the index's vocabulary on first use)."""
        return self._texts_of_skeleton(tok_skeletons(tok, tok.script)[0], tok.script)

    def _texts_of_skeleton(self, key: str, fam: str) -> list[str]:
        table = self._skeletons.get(fam)
        if table is None:
            table = {}
            for text, toks in self.index.listed_tokens.items():
                if toks and toks[0].script == "Latin" and text.isalpha():
                    for own in skeletons(text, fam):
                        table.setdefault(own, []).append(text)
            self._skeletons[fam] = table
        if len(key) < SKELETON_MIN:
            return []
        return [t for t in table.get(key, ()) if "t" + t in self.index.postings]

    @staticmethod
    def _boundary(viable: list[tuple[int, int]], limit: int) -> int:
        """The count at which the `limit` highest counts of `viable` are reached."""
        by_count: dict[int, int] = {}
        for count, _nid in viable:
            by_count[count] = by_count.get(count, 0) + 1
        taken = 0
        boundary = 0
        for count in sorted(by_count, reverse=True):
            boundary = count
            taken += by_count[count]
            if taken >= limit:
                break
        return boundary

    def _crowded_names(self, lists: tuple[list[int], ...]) -> frozenset[int]:
        """The names of postings too common to retrieve by, as a set (kept: there
        are few such keys)."""
        key = tuple(id(found) for found in lists)
        names = self._crowded_cache.get(key)
        if names is None:
            names = self._crowded_cache[key] = frozenset().union(*lists)
        return names

    def _near_texts(self, tok: Tok) -> set[str]:
        """Listed tokens one edit away from a query token (symmetric deletion: a
        listed token equal to the query token less one letter, or sharing a
        one-letter deletion with it)."""
        text = tok.text
        if len(text) < 3 or tok.legal or not text.isalpha():
            return set()
        deletes = self.index.deletes
        near: set[str] = set(deletes.get(text, ()))
        if len(text) == 3:
            return near  # a letter left out of a 4-letter word (Cen for Chen)
        for variant in one_deletions(text):
            near.add(variant)
            near.update(deletes.get(variant, ()))
        near.discard(text)
        return near

    def _two_edits(self, tok: Tok) -> set[str]:
        """Listed tokens two edits from a long query token none is one edit from:
        the query token less two letters equal to a listed token or to one of its
        one-letter deletions (two slips of which at most one on the listed side's
        letters: an extra letter and a wrong key, two extra letters...).  Two wrong
        keys are left to the first/last-sounds table (`typo_keys`)."""
        text = tok.text
        if tok.legal or not text.isalpha():
            return set()
        deletes = self.index.deletes
        postings = self.index.postings
        near: set[str] = set()
        # each spelling less two letters once (deleting i then j is deleting j then i)
        size = len(text)
        twice_deleted = {
            text[:i] + text[i + 1 : j] + text[j + 1 :] for i in range(size) for j in range(i + 1, size)
        }
        for twice in twice_deleted:
            near.update(deletes.get(twice, ()))
            if "t" + twice in postings:
                near.add(twice)
        near.discard(text)
        return near

    def _two_slips_of(self, tok: Tok) -> frozenset[str]:
        """Listed tokens within two edits (optimal string alignment) of a query token
        of TYPO_TWO_SHORT+ letters, with its first letter and within two letters of
        its length: every listed token `align` may credit as two keyboard slips
        (two wrong keys too, which the deletion tables do not reach).  Searched in
        the listed tokens of that first letter and length (rapidfuzz, with a cutoff)
        and kept per token text."""
        text = tok.text
        if len(text) < TYPO_TWO_SHORT or tok.legal or not text.isalpha():
            return frozenset()
        found = self._two_slips.get(text)
        if found is not None:
            return found
        by_start = self._by_start
        if by_start is None:
            by_start = self._by_start = {}
            for listed in self.index.listed_tokens:
                if len(listed) >= TYPO_TWO_SHORT - 2 and listed.isalpha():
                    by_start.setdefault((listed[0], len(listed)), []).append(listed)
        near: set[str] = set()
        for size in range(len(text) - 2, len(text) + 3):
            bucket = by_start.get((text[0], size))
            if bucket:
                matches = process.extract(text, bucket, scorer=OSA.distance, score_cutoff=2, limit=None)
                near.update(match[0] for match in matches)
        near.discard(text)
        found = frozenset(near)
        if len(self._two_slips) >= GROUP_CACHE:
            self._two_slips.clear()
        self._two_slips[text] = found
        return found

    def _spelled_alike(self, tok: Tok, texts: set[str]) -> list[str]:
        """Those listed token texts the alignment pairs with the query token."""
        listed = self.index.listed_tokens
        postings = self.index.postings
        return [
            text
            for text in texts
            if "t" + text in postings and any(row_hits((tok,), other) for other in listed.get(text, ()))
        ]

    # --- candidates --------------------------------------------------------------------

    def candidates(self, query: AnalysedQuery, floor: float, base_floor: float | None = None) -> list[int]:
        """The names worth aligning: the `candidates` sharing the most query weight,
        leaving out those that share too little to reach `floor` even if every
        shared token matched exactly (bound 2M / (M + W), M the shared weight plus
        the weight of query tokens found nowhere, W the query's; so M must reach
        floor·W / (2 − floor)), and those whose own parts left over would keep them
        below `floor` (the weight of the listed name, less patronymics and legal
        forms, beyond `listed_span` times the shared weight, counted at
        `listed_left`).  Weights are in quarters; ties go to the lighter (shorter)
        names first (the bare alias SBERBANK before SBERBANK OF RUSSIA: fewer parts
        left over), then by position, so the choice never depends on set order.

        With `base_floor` (the algorithm's own floor, above `floor`), the names
        viable at `base_floor` come first and are all kept (up to `candidates`),
        the names only viable at the lower `floor` fill the rest: so a lower
        threshold never drops a name a higher one aligns, and `screen(q)` equals
        `screen(q, threshold=0)` cut at the threshold."""
        if base_floor is not None and base_floor > floor:
            first = self.candidates(query, base_floor)
            limit = self.algorithm.candidates
            if len(first) >= limit:
                return first
            taken = set(first)
            more = [nid for nid in self.candidates(query, floor) if nid not in taken]
            return first + more[: limit - len(first)]
        token_sets = query.sets
        if not token_sets:
            return []
        algorithm = self.algorithm
        quarters = query.total_weight * 4
        open_quarters = query.open_weight * 4
        need = floor * quarters / (2 - floor) - open_quarters if floor > 0 else 0.0
        groups = sorted(token_sets, key=lambda g: -g[0])
        remaining = 0
        for repeats, _found in groups:
            remaining += repeats
        # a name sharing none of the heavier groups cannot reach `need` with the
        # lighter ones alone: names are collected from the heavier groups only,
        # and the lighter groups add to their counts
        counts: dict[int, int] = {}
        for repeats, found in groups:
            if remaining >= need:
                for nid in found:
                    counts[nid] = counts.get(nid, 0) + repeats
            elif len(found) < len(counts):
                for nid in found:
                    if nid in counts:
                        counts[nid] += repeats
            else:
                for nid, count in counts.items():
                    if nid in found:
                        counts[nid] = count + repeats
            remaining -= repeats
        name_left = self.index.name_left
        listed_span = algorithm.listed_span
        listed_left = algorithm.listed_left
        viable: list[tuple[int, int]] = []
        for nid, count in counts.items():
            if count < need:
                continue
            shared = min(count + open_quarters, quarters)
            listed = 4 * name_left[nid] - listed_span * shared
            if listed > 0 and 2 * shared / (shared + quarters + listed_left * listed) < floor:
                continue
            viable.append((count, nid))
        if len(viable) > algorithm.candidates:
            viable = self._best_viable(viable, query.crowded)
        return [nid for _count, nid in viable]

    def _best_viable(
        self, viable: list[tuple[int, int]], crowded: tuple[CrowdedSet, ...]
    ) -> list[tuple[int, int]]:
        """The `candidates` names sharing the most weight, counting here also the
        query's tokens too common to retrieve by (of the names Hamoud's skeleton
        finds, those with Ali too, for الي همود); at the cut, lighter names first."""
        limit = self.algorithm.candidates
        boundary = self._boundary(viable, limit)
        if crowded:
            # the common tokens only raise counts: a name short of the plain
            # boundary by more than they weigh cannot reach the new one
            extra = 0
            for repeats, _lists in crowded:
                extra += repeats
            ranked: list[tuple[int, int]] = []
            sets = [(repeats, self._crowded_names(lists)) for repeats, lists in crowded]
            for count, nid in viable:
                if count + extra < boundary:
                    continue
                for repeats, names in sets:
                    if nid in names:
                        count += repeats
                ranked.append((count, nid))
            viable = ranked
            boundary = self._boundary(viable, limit)
        above = [(count, nid) for count, nid in viable if count > boundary]
        tied = sorted(nid for count, nid in viable if count == boundary)
        tied.sort(key=self.index.name_weights.__getitem__)  # stable: position breaks equal weights
        above.sort(reverse=True)
        return above + [(boundary, nid) for nid in tied[: limit - len(above)]]
