"""The in-process screening index and `Screener`.

Build: every name of every entity is analysed once (`names.tokens.analyze`) and
stored with its token weights; an inverted index maps keys to the names that
have them:

  t<text>     the token's Latin form          k<loose Korean key>   Korean tokens
  r<key>      each Russian phonetic key
  (the same keys for runs of 2-3 adjacent tokens joined: Kim Jong Un is also
  found as kimjongun, Yong Chol as yongchol)

plus exact lookups for identifiers (normalised) and IMO numbers, and two tables
of listed tokens for a query token spelled another way: a symmetric-deletion
table (every listed token less one letter → the token: one typo) and the first
and last four sounds of each token's Russian key (a longer slip).

Screen: the query is analysed (cached by name, and its tokens' retrieval sets by
token, since names share most of their words), each query token's keys give the
set of names sharing any of them, restricted to the schemata the query may meet
(keys held by more than MAX_POSTINGS names are skipped: they identify nothing);
a listed token spelled otherwise counts only if the alignment would pair it with
the query token.  Names are counted by how much query weight they share (rarer
tokens count more), those that cannot come near the threshold are left out
(`_retrieve`), and only the best CANDIDATES are aligned part by part
(`match.align`).  Entities found by identifier or IMO join the candidates
whatever their names.  So a query never scans the list.

Persistence: `save` pickles the built index (protocol 5); `load` reads it back
without re-analysing any name.

This module, `match.align` and `corridor.names` are compiled with mypyc when
installed (`corridor._native`); they are plain typed Python, and run unchanged
when not compiled.
"""

from __future__ import annotations

import math
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from corridor.match import qualifiers as qual
from corridor.match.align import Pair, RowHits, align, row_hits
from corridor.match.model import (
    DEFAULT_THRESHOLD,
    MAX_NAME_LENGTH,
    Explanation,
    Hit,
    NameEvidence,
    PartMatch,
    Qualifier,
    Query,
    QueryError,
)
from corridor.model import Entity, Name, NameKind
from corridor.names import korean
from corridor.names.cyrillic import russian_key
from corridor.names.tokens import Tok, analyze, schema_kind
from corridor.types.identifiers import normalize_identifier, normalize_imo
from corridor.types.text import normalize, strip_controls

INDEX_VERSION = 4
CANDIDATES = 40  # names aligned per query
MAX_POSTINGS = 4000  # keys shared by more names than this are not used to retrieve
KIND_FACTOR = {"primary": 1.0, "alias": 1.0, "former": 1.0, "weak_alias": 0.92}
MAX_BOOST = 0.05  # the most qualifiers can add; names further below the threshold are not qualified
# Retrieval estimates (see _retrieve), set on the evaluation sets (docs/evaluation.md):
LISTED_LEFT = 0.5  # a listed name part left over costs at least half its weight
LISTED_SPAN = 2.0  # one shared query part may cover up to twice its weight of listed parts (runs)
UNFOUND_SHARE = 0.5  # a query token found nowhere counts at half: it may still match by spelling
PRUNE_MARGIN = 0.15  # retrieval drops names whose best possible score is this far below the threshold
QUERY_CACHE = 20000
GROUP_CACHE = 50000  # query tokens whose retrieval sets are kept


def idf_weight(df: int, total: int) -> float:
    """Token weight from how many listed names have it: 1 for rare tokens, down to
    0.3 for tokens in most names."""
    if df <= 2 or total <= 2:
        return 1.0
    return max(0.3, 1.0 - 0.7 * math.log(df / 2) / math.log(max(total / 2, 3)))


def token_keys(tok: Tok) -> list[str]:
    """Retrieval keys of one token (see the module docstring)."""
    if tok.legal or tok.tag == "stopword":
        return []
    keys = ["t" + tok.text]
    if tok.kkey:
        keys.append("k" + tok.kloose)
        return keys
    for rkey in tok.rkeys:
        keys.append("r" + rkey)
    return keys


def typo_keys(tok: Tok) -> list[str]:
    """Keys that still find a token with a typo: the first and last four sounds
    of its Russian key (not for patronymics, which all end alike)."""
    main = tok.rkeys[0]
    if len(main) < 6 or tok.legal or tok.kkey or tok.tag in ("stopword", "patronymic"):
        return []
    return ["p" + main[:4], "s" + main[-4:]]


def joined_keys(toks: tuple[Tok, ...] | list[Tok]) -> list[str]:
    """Retrieval keys of adjacent tokens written together."""
    joined = "".join(t.text for t in toks)
    keys = ["t" + joined]
    if all(t.kkey for t in toks):
        keys.append("k" + korean.korean_loose_key(joined))
    else:
        keys.append("r" + russian_key(joined))
    return keys


def _spans(toks: tuple[Tok, ...]) -> Iterator[tuple[int, int]]:
    """Runs of 2-3 adjacent name tokens (no legal forms, stopwords, numbers)."""
    size = len(toks)
    for start in range(size):
        for end in range(start + 2, min(size, start + 3) + 1):
            if any(t.legal or t.tag in ("stopword", "number") for t in toks[start:end]):
                break
            yield start, end


def _one_deletions(text: str) -> set[str]:
    return {text[:i] + text[i + 1 :] for i in range(len(text))}


def _deletes(texts: set[str]) -> dict[str, tuple[str, ...]]:
    """One-letter deletions of every listed token (4+ letters) → the tokens: the
    symmetric-deletion index that finds a typo'd query token's listed spelling."""
    found: dict[str, list[str]] = {}
    for text in texts:
        if len(text) < 4 or not text.isalpha():
            continue
        for variant in _one_deletions(text):
            found.setdefault(variant, []).append(text)
    return {k: tuple(v) for k, v in found.items()}


def _spellings(tokens: Iterable[Tok]) -> dict[str, tuple[str, ...]]:
    """Typo keys (`typo_keys`) of every listed token → the tokens: candidates for
    an unknown query token's listed spelling."""
    found: dict[str, set[str]] = {}
    for tok in tokens:
        for key in typo_keys(tok):
            found.setdefault(key, set()).add(tok.text)
    return {k: tuple(sorted(v)) for k, v in found.items()}


def _name_text(name: Name, schema: str) -> str:
    """The string analysed for a listed name: "family, given patronymic" when the
    list gives the parts (so parts are tagged right), else the full name."""
    if schema == "Person" and name.family and (name.given or name.patronymic):
        rest = " ".join(p for p in (name.given, name.patronymic) if p)
        return f"{name.family}, {rest}"
    return name.full


# Entity record: (id, source, ref, caption, schema, dates, countries, gender, identifiers, imos)
EntityRec = tuple[
    str,
    str,
    str,
    str,
    str,
    tuple[qual.ListedDate, ...],
    tuple[str, ...],
    str,
    tuple[str, ...],
    tuple[str, ...],
]
# Name record: (entity index, listed name, kind, tokens, weights)
NameRec = tuple[int, str, str, tuple[Tok, ...], tuple[float, ...]]
# Retrieval sets of one query token: (weight in quarters, names)
GroupSets = tuple[tuple[int, frozenset[int]], ...]


class Screener:
    """Screens queries against a fixed set of entities (see the module docstring)."""

    def __init__(
        self,
        entities: list[EntityRec],
        names: list[NameRec],
        postings: dict[str, tuple[int, ...]],
        df: dict[str, int],
        identifiers: dict[str, tuple[int, ...]],
        imos: dict[str, tuple[int, ...]],
        entity_names: list[tuple[int, ...]],
        deletes: dict[str, tuple[str, ...]],
        spellings: dict[str, tuple[str, ...]],
    ) -> None:
        self.entities = entities
        self.names = names
        self.postings = postings
        self.df = df
        self.identifiers = identifiers
        self.imos = imos
        self.entity_names = entity_names
        self.deletes = deletes
        self.spellings = spellings
        # the listed tokens by their Latin form, to check a spelling variant the
        # way the alignment will before retrieving names by it
        self.listed_tokens: dict[str, list[Tok]] = {}
        for toks in {rec[3] for rec in names}:
            for tok in toks:
                found_toks = self.listed_tokens.setdefault(tok.text, [])
                if tok not in found_toks:
                    found_toks.append(tok)
        self.name_weights = [sum(weights) for *_, weights in names]
        # the weight a listed name leaves over when nothing of it matches, less
        # what is cheap to leave over (patronymics, legal forms): see _retrieve
        self.name_left = [
            sum(w for t, w in zip(toks, weights, strict=True) if not t.legal and t.tag != "patronymic")
            for _i, _f, _k, toks, weights in names
        ]
        self._query_cache: dict[tuple[str, str], tuple[Any, ...]] = {}
        # retrieval sets of one query token (or run of tokens), by the token(s):
        # names share most of their words, so each word is looked up once
        self._group_cache: dict[Any, tuple[GroupSets, float]] = {}
        self._schema_names: dict[str, frozenset[int]] = {}

    # --- building -------------------------------------------------------------------

    @classmethod
    def from_entities(cls, entities: Iterable[Entity]) -> Screener:
        ent_recs: list[EntityRec] = []
        raw_names: list[tuple[int, str, str, tuple[Tok, ...]]] = []
        identifiers: dict[str, list[int]] = {}
        imos: dict[str, list[int]] = {}
        for entity in entities:
            index = len(ent_recs)
            ent_recs.append(_entity_record(entity))
            for value in ent_recs[-1][8]:
                identifiers.setdefault(value, []).append(index)
            for value in ent_recs[-1][9]:
                imos.setdefault(value, []).append(index)
            kind_name = schema_kind(entity.schema)
            seen: set[tuple[str, ...]] = set()
            for name in entity.names:
                toks = analyze(_name_text(name, entity.schema), kind_name)
                if not toks:
                    continue
                signature = tuple(t.text for t in toks)
                if signature in seen:
                    continue
                seen.add(signature)
                raw_names.append((index, name.full, str(name.kind.value), toks))
        total = len(raw_names)
        df: Counter[str] = Counter()
        for _, _, _, toks in raw_names:
            df.update({t.text for t in toks if not t.legal})
        interned: dict[Tok, Tok] = {}
        interned_names: dict[tuple[Tok, ...], tuple[Tok, ...]] = {}
        interned_weights: dict[tuple[float, ...], tuple[float, ...]] = {}
        names: list[NameRec] = []
        postings: dict[str, list[int]] = {}
        entity_names: list[list[int]] = [[] for _ in ent_recs]
        for nid, (index, full, kind, toks) in enumerate(raw_names):
            # identical names (the same designation on several lists) share one
            # tuple, so screening aligns each distinct name once
            toks = interned_names.setdefault(toks, tuple(interned.setdefault(t, t) for t in toks))
            weights = tuple(_weight(t, df.get(t.text, 0), total) for t in toks)
            weights = interned_weights.setdefault(weights, weights)
            names.append((index, full, kind, toks, weights))
            entity_names[index].append(nid)
            keys: set[str] = set()
            for tok in toks:
                keys.update(token_keys(tok))
            for start, end in _spans(toks):
                keys.update(joined_keys(toks[start:end]))
            for key in keys:
                postings.setdefault(key, []).append(nid)
        return cls(
            ent_recs,
            names,
            {k: tuple(v) for k, v in postings.items()},
            dict(df),
            {k: tuple(v) for k, v in identifiers.items()},
            {k: tuple(v) for k, v in imos.items()},
            [tuple(v) for v in entity_names],
            _deletes({t.text for t in interned if not t.legal and t.tag != "stopword"}),
            _spellings(interned),
        )

    # --- persistence -----------------------------------------------------------------

    def save(self, path: str | Path) -> None:
        state = {
            "version": INDEX_VERSION,
            "entities": self.entities,
            "names": self.names,
            "postings": self.postings,
            "df": self.df,
            "identifiers": self.identifiers,
            "imos": self.imos,
            "entity_names": self.entity_names,
            "deletes": self.deletes,
            "spellings": self.spellings,
        }
        target = Path(path)
        tmp = target.with_name(target.name + ".tmp")
        with tmp.open("wb") as handle:
            pickle.dump(state, handle, protocol=5)
        tmp.replace(target)

    @classmethod
    def load(cls, path: str | Path) -> Screener:
        with Path(path).open("rb") as handle:
            state = pickle.load(handle)
        if not isinstance(state, dict) or state.get("version") != INDEX_VERSION:
            raise ValueError(f"{path}: not a screening index of version {INDEX_VERSION}; rebuild it")
        return cls(
            state["entities"],
            state["names"],
            state["postings"],
            state["df"],
            state["identifiers"],
            state["imos"],
            state["entity_names"],
            state["deletes"],
            state["spellings"],
        )

    def __len__(self) -> int:
        return len(self.entities)

    def clear_caches(self) -> None:
        """Forget the analysed queries and query tokens (for benchmarks of names seen
        for the first time; `corridor.names.clear_caches` does the same for names)."""
        self._query_cache.clear()
        self._group_cache.clear()

    # --- screening -------------------------------------------------------------------

    def screen(self, query: Query, threshold: float | None = None, limit: int = 10) -> list[Hit]:
        """Hits for one query, best first, only those scoring >= threshold."""
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
        if not 0.0 <= threshold <= 1.0:
            raise QueryError("threshold", f"{threshold} is not between 0 and 1")
        if limit < 1:
            raise QueryError("limit", f"{limit} is not a positive number")
        checked = check_query(query)
        schema = checked["schema"]
        qtoks, qweights, token_sets, total_weight, open_weight = self._analyse(checked["name"], schema)
        candidates = self._retrieve(token_sets, total_weight, open_weight, threshold - PRUNE_MARGIN)
        forced: set[int] = set()  # entities found by identifier / IMO
        for value in checked["identifiers"]:
            forced.update(self.identifiers.get(value, ()))
        if checked["imo"]:
            forced.update(self.imos.get(checked["imo"], ()))
        for index in forced:
            if qual.schema_allows(schema, self.entities[index][4]):
                candidates.extend(self.entity_names[index])

        cache: dict[int, RowHits] = {}
        aligned: dict[int, tuple[float, list[Pair]]] = {}  # by id() of the interned token tuple
        best: dict[int, tuple[float, int, list[Pair]]] = {}
        names = self.names
        entities = self.entities
        for nid in candidates:
            index, _full, kind_name, ltoks, lweights = names[nid]
            done = aligned.get(id(ltoks))
            if done is None:
                done = aligned[id(ltoks)] = align(qtoks, qweights, ltoks, lweights, cache)
            score, pairs = done
            score *= KIND_FACTOR[kind_name]
            current = best.get(index)
            if current is None or score > current[0]:
                best[index] = (score, nid, pairs)

        hits: list[tuple[float, int, int, float, list[Pair], list[Qualifier]]] = []
        floor = threshold - MAX_BOOST
        for index, (name_score, nid, pairs) in best.items():
            if name_score < floor and index not in forced:
                continue
            final, quals = self._qualify(index, name_score, checked)
            if final >= threshold:
                hits.append((final, index, nid, name_score, pairs, quals))
        hits.sort(key=lambda h: (-h[0], entities[h[1]][0]))
        return [self._hit(checked["name"], qtoks, *h) for h in hits[:limit]]

    def screen_many(
        self, queries: Iterable[Query], threshold: float | None = None, limit: int = 10
    ) -> Iterator[tuple[Query, list[Hit]]]:
        for query in queries:
            yield query, self.screen(query, threshold, limit)

    # --- internals ---------------------------------------------------------------------

    def _analyse(self, name: str, schema: str) -> tuple[Any, ...]:
        """(tokens, weights, retrieval sets, total weight, weight found nowhere) of a
        query name; the sets hold only names of the schemata the query may meet."""
        key = (name, schema)
        found = self._query_cache.get(key)
        if found is not None:
            return found
        qtoks = analyze(name, schema_kind(schema))
        total = len(self.names)
        df = self.df
        qweights = tuple(_weight(t, df.get(t.text, 0), total) for t in qtoks)
        # one retrieval set per query token, and per run of adjacent tokens;
        # `repeats` is the token's weight in quarters
        token_sets: list[tuple[int, frozenset[int]]] = []
        open_weight = 0.0
        for tok, weight in zip(qtoks, qweights, strict=True):
            sets, found_nowhere = self._token_group(tok, weight, schema)
            token_sets.extend(sets)
            open_weight += found_nowhere
        for start, end in _spans(qtoks):
            token_sets.extend(self._run_group(qtoks[start:end], sum(qweights[start:end]), schema))
        result = (qtoks, qweights, token_sets, sum(qweights), open_weight)
        if len(self._query_cache) >= QUERY_CACHE:
            self._query_cache.clear()
        self._query_cache[key] = result
        return result

    def _token_group(self, tok: Tok, weight: float, schema: str) -> tuple[GroupSets, float]:
        """(retrieval sets, weight found nowhere) of one query token; cached, since
        names share most of their words."""
        cache_key = (tok, weight, schema)
        found = self._group_cache.get(cache_key)
        if found is not None:
            return found
        postings = self.postings
        sets: list[tuple[int, frozenset[int]]] = []
        found_sets = [postings[k] for k in token_keys(tok) if k in postings]
        if not found_sets:
            # a token no listed name has: perhaps a typo
            found_sets = self._typo_sets(tok)
        elif weight >= 0.8 and len(tok.text) >= 5:
            # a rare token another listed name may spell one letter apart
            # (Zawiya/Zawiyah): those names count, a little less
            near = [postings["t" + t] for t in self._spelled_alike(tok, self._near_texts(tok))]
            near = [s for s in near if len(s) <= MAX_POSTINGS]
            if near:
                sets.append((max(1, round(weight * 3)), self._restrict(near, schema)))
        usable = [s for s in found_sets if len(s) <= MAX_POSTINGS]
        nowhere = 0.0
        if usable:
            sets.append((max(1, round(weight * 4)), self._restrict(usable, schema)))
        elif not found_sets and not tok.legal and tok.tag != "stopword":
            # found nowhere, yet it may still match by run-together or fuzzy
            # spelling: every candidate may count it, at UNFOUND_SHARE
            nowhere = weight * UNFOUND_SHARE
        result = (tuple((r, f) for r, f in sets if f), nowhere)
        self._remember(cache_key, result)
        return result

    def _run_group(self, toks: tuple[Tok, ...], weight: float, schema: str) -> GroupSets:
        """Retrieval set of a run of adjacent query tokens written together; cached."""
        cache_key = (toks, schema)
        found = self._group_cache.get(cache_key)
        if found is not None:
            return found[0]
        postings = self.postings
        usable = [
            postings[k] for k in joined_keys(toks) if k in postings and len(postings[k]) <= MAX_POSTINGS
        ]
        merged = self._restrict(usable, schema) if usable else frozenset()
        sets: GroupSets = ((max(1, round(weight * 4)), merged),) if merged else ()
        self._remember(cache_key, (sets, 0.0))
        return sets

    def _restrict(self, postings: list[tuple[int, ...]], schema: str) -> frozenset[int]:
        """The names of these postings that a query of this schema may meet."""
        merged = frozenset().union(*postings)
        return merged if schema == "Thing" else merged & self._allowed_names(schema)

    def _remember(self, key: Any, value: tuple[GroupSets, float]) -> None:
        if len(self._group_cache) >= GROUP_CACHE:
            self._group_cache.clear()
        self._group_cache[key] = value

    def _allowed_names(self, schema: str) -> frozenset[int]:
        """The names of entities a query of this schema may meet (computed once per schema)."""
        found = self._schema_names.get(schema)
        if found is None:
            entities = self.entities
            found = self._schema_names[schema] = frozenset(
                nid for nid, rec in enumerate(self.names) if qual.schema_allows(schema, entities[rec[0]][4])
            )
        return found

    def _typo_sets(self, tok: Tok) -> list[tuple[int, ...]]:
        """Names that may spell an unknown query token another way: those with a
        token one edit away (`_near_texts`) or sharing the first or last four sounds
        of its Russian key (a longer slip), kept only where the alignment would pair
        the two tokens (so the -ova of Markova does not fetch every -ova surname)."""
        texts = self._near_texts(tok)
        for key in typo_keys(tok):
            texts.update(self.spellings.get(key, ()))
        postings = self.postings
        return [postings["t" + text] for text in self._spelled_alike(tok, texts)]

    def _near_texts(self, tok: Tok) -> set[str]:
        """Listed tokens one edit away from a query token (symmetric deletion: a
        listed token equal to the query token less one letter, or sharing a
        one-letter deletion with it)."""
        text = tok.text
        if len(text) < 4 or tok.legal or not text.isalpha():
            return set()
        near: set[str] = set(self.deletes.get(text, ()))
        for variant in _one_deletions(text):
            near.add(variant)
            near.update(self.deletes.get(variant, ()))
        near.discard(text)
        return near

    def _spelled_alike(self, tok: Tok, texts: set[str]) -> list[str]:
        """Those listed token texts the alignment pairs with the query token."""
        listed = self.listed_tokens
        return [
            text
            for text in texts
            if "t" + text in self.postings and any(row_hits((tok,), other) for other in listed.get(text, ()))
        ]

    def _retrieve(
        self,
        token_sets: list[tuple[int, frozenset[int]]],
        total_weight: float,
        open_weight: float,
        floor: float,
    ) -> list[int]:
        """The names worth aligning: the CANDIDATES sharing the most query weight,
        leaving out those that share too little to reach `floor` even if every
        shared token matched exactly (bound 2M / (M + W), M the shared weight plus
        the weight of query tokens found nowhere, W the query's; so M must reach
        floor·W / (2 − floor)), and those whose own parts left over would keep them
        below `floor` (the weight of the listed name, less patronymics and legal
        forms, beyond LISTED_SPAN times the shared weight, counted at LISTED_LEFT).  Weights are in
        quarters; ties go to the lighter (shorter) names first (the bare alias
        SBERBANK before SBERBANK OF RUSSIA: fewer parts left over), then by position,
        so the choice never depends on set order."""
        if not token_sets:
            return []
        quarters = total_weight * 4
        open_quarters = open_weight * 4
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
        name_left = self.name_left
        viable: list[tuple[int, int]] = []
        for nid, count in counts.items():
            if count < need:
                continue
            shared = min(count + open_quarters, quarters)
            listed = 4 * name_left[nid] - LISTED_SPAN * shared
            if listed > 0 and 2 * shared / (shared + quarters + LISTED_LEFT * listed) < floor:
                continue
            viable.append((count, nid))
        if len(viable) > CANDIDATES:
            viable = self._best_viable(viable)
        return [nid for _count, nid in viable]

    def _best_viable(self, viable: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The CANDIDATES names sharing the most weight; at the cut, lighter names first."""
        by_count: dict[int, int] = {}
        for count, _nid in viable:
            by_count[count] = by_count.get(count, 0) + 1
        taken = 0
        boundary = 0
        for count in sorted(by_count, reverse=True):
            boundary = count
            taken += by_count[count]
            if taken >= CANDIDATES:
                break
        above = [(count, nid) for count, nid in viable if count > boundary]
        tied = sorted(nid for count, nid in viable if count == boundary)
        tied.sort(key=self.name_weights.__getitem__)  # stable: position breaks equal weights
        above.sort(reverse=True)
        return above + [(boundary, nid) for nid in tied[: CANDIDATES - len(above)]]

    def _qualify(
        self, index: int, name_score: float, checked: dict[str, Any]
    ) -> tuple[float, list[Qualifier]]:
        _id, _source, _ref, _caption, _schema, dates, countries, gender, idents, imos = self.entities[index]
        quals: list[Qualifier] = []
        for found in (
            qual.birth_date_qualifier(checked["birth_date"], dates),
            qual.country_qualifier(checked["country"], countries),
            qual.gender_qualifier(checked["gender"], gender),
        ):
            if found is not None:
                quals.append(found)
        score = name_score + sum(q.effect for q in quals)
        matched_ids = [v for v in checked["identifiers"] if v in idents]
        if matched_ids and score < qual.IDENTIFIER_FLOOR:
            quals.append(
                Qualifier("identifier", qual.IDENTIFIER_FLOOR - score, f"identifier {matched_ids[0]} matches")
            )
            score = qual.IDENTIFIER_FLOOR
        elif matched_ids:
            quals.append(Qualifier("identifier", 0.0, f"identifier {matched_ids[0]} matches"))
        imo = checked["imo"]
        if imo and imo in imos:
            effect = max(0.0, qual.IMO_FLOOR - score)
            quals.append(Qualifier("imo", effect, f"IMO {imo} matches the listed vessel"))
            score = max(score, qual.IMO_FLOOR)
        elif imo and imos:
            quals.append(
                Qualifier("imo", qual.IMO_MISMATCH, f"IMO {imo} differs from listed {', '.join(imos)}")
            )
            score += qual.IMO_MISMATCH
        return min(1.0, max(0.0, score)), quals

    def _hit(
        self,
        query_name: str,
        qtoks: tuple[Tok, ...],
        score: float,
        index: int,
        nid: int,
        name_score: float,
        pairs: list[Pair],
        quals: list[Qualifier],
    ) -> Hit:
        entity_id, source, ref, caption, schema, *_ = self.entities[index]
        _, listed, kind, ltoks, _w = self.names[nid]
        evidence = build_evidence(query_name, listed, kind, name_score, qtoks, ltoks, pairs)
        explanation = Explanation(evidence, quals, summarize(score, evidence, quals))
        return Hit(entity_id, score, source, ref, caption, schema, explanation)


def _weight(tok: Tok, df: int, total: int) -> float:
    if tok.legal or tok.tag == "stopword" or tok.tag == "number":
        return tok.weight
    return min(tok.weight, idf_weight(df, total))


def _entity_record(entity: Entity) -> EntityRec:
    dates = tuple((d.start, d.end, d.approximate) for d in entity.birth_dates if d.start)
    countries = list(dict.fromkeys([*entity.nationalities, *entity.countries]))
    for address in entity.addresses:
        if address.country and address.country not in countries:
            countries.append(address.country)
    idents: list[str] = []
    imos: list[str] = []
    for ident in entity.identifiers:
        if ident.type == "imo":
            digits = normalize_imo(ident.value)
            if digits:
                imos.append(digits)
                continue
        norm = normalize_identifier(ident.value)
        if len(norm) >= 4:
            idents.append(norm)
    return (
        entity.id,
        entity.source,
        entity.list_ref,
        entity.caption,
        entity.schema,
        dates,
        tuple(countries),
        entity.gender,
        tuple(dict.fromkeys(idents)),
        tuple(dict.fromkeys(imos)),
    )


def check_query(query: Query) -> dict[str, Any]:
    """The query's fields validated and normalised; QueryError names a bad field."""
    if not isinstance(query.name, str):
        raise QueryError("name", "must be a string")
    name = " ".join(strip_controls(query.name).split())
    if not name:
        raise QueryError("name", "is empty")
    if len(name) > MAX_NAME_LENGTH:
        raise QueryError("name", f"is {len(name)} characters long; the maximum is {MAX_NAME_LENGTH}")
    if not normalize(name):
        raise QueryError("name", "has no letters or digits")
    return {
        "name": name,
        "schema": qual.validate_schema(query.schema or "Thing"),
        "birth_date": qual.validate_birth_date(query.birth_date),
        "country": qual.validate_country(query.country),
        "gender": qual.validate_gender(query.gender),
        "imo": qual.validate_imo(query.imo),
        "identifiers": qual.validate_identifiers(query.identifiers),
    }


# --- explanations --------------------------------------------------------------------


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


__all__ = ["NameKind", "Screener", "check_query", "idf_weight"]
