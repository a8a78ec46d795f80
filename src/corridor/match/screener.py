"""The in-process screening index and `Screener`.

Build: every name of every entity is analysed once (`names.tokens.analyze`) and
stored with its token weights; an inverted index maps keys to the names that
have them:

  t<text>     the token's Latin form          k<loose Korean key>   Korean tokens
  r<key>      each Russian phonetic key        p<key[:4]> s<key[-4:]> typo-tolerant
  (the same keys for runs of 2-3 adjacent tokens joined: Kim Jong Un is also
  found as kimjongun, Yong Chol as yongchol)

plus exact lookups for identifiers (normalised) and IMO numbers, and a
symmetric-deletion table (every listed token less one letter → the token) that
finds the listed spelling of a query token with one typo.

Screen: the query is analysed (cached), each query token's keys give the set
of names sharing any of them (keys held by more than MAX_POSTINGS names are
skipped: they identify nothing), names are counted by how many query tokens
they share (rarer tokens count more), and only the best CANDIDATES names are
aligned part by part (`match.align`).  Entities found by identifier or IMO
join the candidates whatever their names.  So a query never scans the list.

Persistence: `save` pickles the built index (protocol 5); `load` reads it back
without re-analysing any name.
"""

from __future__ import annotations

import math
import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from corridor.match import qualifiers as qual
from corridor.match.align import Pair, RowHits, align
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
from corridor.names.normalize import normalize, strip_controls
from corridor.names.tokens import Tok, analyze, schema_kind

INDEX_VERSION = 3
CANDIDATES = 40  # names aligned per query
MAX_POSTINGS = 4000  # keys shared by more names than this are not used to retrieve
KIND_FACTOR = {"primary": 1.0, "alias": 1.0, "former": 1.0, "weak_alias": 0.92}
MAX_BOOST = 0.05  # the most qualifiers can add; names further below the threshold are not qualified
PRUNE_MARGIN = 0.15  # retrieval drops names whose best possible score is this far below the threshold
QUERY_CACHE = 20000


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
    ) -> None:
        self.entities = entities
        self.names = names
        self.postings = postings
        self.df = df
        self.identifiers = identifiers
        self.imos = imos
        self.entity_names = entity_names
        self.deletes = deletes
        self.name_weights = [sum(weights) for *_, weights in names]
        self._query_cache: dict[tuple[str, str], tuple[Any, ...]] = {}

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
                keys.update(typo_keys(tok))
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
        )

    def __len__(self) -> int:
        return len(self.entities)

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
        kind = schema_kind(schema)
        qtoks, qweights, token_sets, total_weight, open_weight = self._analyse(checked["name"], kind)

        candidates = self._retrieve(token_sets, total_weight, open_weight, threshold - PRUNE_MARGIN)
        forced: set[int] = set()  # entities found by identifier / IMO
        for value in checked["identifiers"]:
            forced.update(self.identifiers.get(value, ()))
        if checked["imo"]:
            forced.update(self.imos.get(checked["imo"], ()))
        for index in forced:
            candidates.extend(self.entity_names[index])

        cache: dict[int, RowHits] = {}
        aligned: dict[int, tuple[float, list[Pair]]] = {}  # by id() of the interned token tuple
        best: dict[int, tuple[float, int, list[Pair]]] = {}
        names = self.names
        entities = self.entities
        for nid in candidates:
            index, _full, kind_name, ltoks, lweights = names[nid]
            if schema != "Thing" and not qual.schema_allows(schema, entities[index][4]):
                continue
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

    def _analyse(self, name: str, kind: str) -> tuple[Any, ...]:
        key = (name, kind)
        found = self._query_cache.get(key)
        if found is not None:
            return found
        qtoks = analyze(name, kind)
        total = len(self.names)
        qweights = tuple(_weight(t, self.df.get(t.text, 0), total) for t in qtoks)
        # one retrieval set per query token, and per run of adjacent tokens;
        # `repeats` is the token's weight in quarters (Counter.update runs in C)
        token_sets: list[tuple[int, set[int]]] = []
        open_weight = 0.0
        postings = self.postings
        groups: list[tuple[float, list[str], Tok | None]] = [
            (w, token_keys(t), t) for t, w in zip(qtoks, qweights, strict=True)
        ]
        for start, end in _spans(qtoks):
            groups.append((sum(qweights[start:end]), joined_keys(qtoks[start:end]), None))
        for weight, keys, tok in groups:
            found_sets = [postings[k] for k in keys if k in postings]
            if tok is not None and not found_sets:
                # a token no listed name has: perhaps a typo
                found_sets = [postings[k] for k in self._typo_keys(tok) if k in postings]
            elif tok is not None and weight >= 0.8 and len(tok.text) >= 5:
                # a rare token another listed name may spell one letter apart
                # (Zawiya/Zawiyah): those names count, a little less
                near = [postings[k] for k in self._near_keys(tok) if k in postings]
                near = [s for s in near if len(s) <= MAX_POSTINGS]
                if near:
                    token_sets.append((max(1, round(weight * 3)), set().union(*near)))
            usable = [s for s in found_sets if len(s) <= MAX_POSTINGS]
            if not usable:
                if tok is not None and not found_sets and not tok.legal and tok.tag != "stopword":
                    # found nowhere, yet it may still match by run-together or fuzzy
                    # spelling: every candidate may count it
                    open_weight += weight
                continue
            merged: set[int] = set().union(*usable)
            token_sets.append((max(1, round(weight * 4)), merged))
        result = (qtoks, qweights, token_sets, sum(qweights), open_weight)
        if len(self._query_cache) >= QUERY_CACHE:
            self._query_cache.clear()
        self._query_cache[key] = result
        return result

    def _typo_keys(self, tok: Tok) -> list[str]:
        """Keys for an unknown query token: the sound prefix/suffix keys and the
        listed tokens one edit away (`_near_keys`)."""
        return typo_keys(tok) + self._near_keys(tok)

    def _near_keys(self, tok: Tok) -> list[str]:
        """Keys of listed tokens one edit away from a query token (symmetric
        deletion: a listed token equal to the query token less one letter, or
        sharing a one-letter deletion with it)."""
        text = tok.text
        if len(text) < 4 or tok.legal or not text.isalpha():
            return []
        near: set[str] = set(self.deletes.get(text, ()))
        for variant in _one_deletions(text):
            near.add(variant)
            near.update(self.deletes.get(variant, ()))
        near.discard(text)
        return ["t" + t for t in near]

    def _retrieve(
        self, token_sets: list[tuple[int, set[int]]], total_weight: float, open_weight: float, floor: float
    ) -> list[int]:
        """The names worth aligning: the CANDIDATES sharing the most query weight,
        leaving out those that share too little to reach `floor` even if every
        shared token matched exactly (bound 2M / (M + W), M the shared weight plus
        the weight of query tokens found nowhere, W the query's; so M must reach
        floor·W / (2 − floor))."""
        if not token_sets:
            return []
        quarters = total_weight * 4
        open_quarters = open_weight * 4
        need = floor * quarters / (2 - floor) - open_quarters if floor > 0 else 0.0
        groups = sorted(token_sets, key=lambda g: -g[0])
        # a name sharing none of the heavier groups cannot reach `need` with the
        # lighter ones alone: only names of the heavier groups are counted
        remaining = sum(g[0] for g in groups)
        pool: set[int] = set()
        for repeats, found in groups:
            if remaining < need:
                break
            pool |= found
            remaining -= repeats
        everything = remaining >= need  # every group went into the pool
        counts: Counter[int] = Counter()
        for repeats, found in groups:
            members = found if everything else found & pool
            for _ in range(repeats):
                counts.update(members)
        top = counts.most_common(CANDIDATES + 1)
        if len(top) > CANDIDATES and top[CANDIDATES][1] == top[CANDIDATES - 1][1]:
            top = self._break_ties(counts, top)
        out = []
        for nid, count in top[:CANDIDATES]:
            shared = min(count + open_quarters, quarters)
            if 2 * shared / (shared + quarters) < floor:
                break
            out.append(nid)
        return out

    def _break_ties(self, counts: Counter[int], top: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """More names tie at the cut than fit: the lighter (shorter) names go first
        (the bare alias SBERBANK before SBERBANK OF RUSSIA: fewer parts left over),
        then by position, so the choice never depends on set order."""
        boundary = top[CANDIDATES - 1][1]
        above = [(nid, c) for nid, c in top if c > boundary]
        tied = sorted(nid for nid, c in counts.items() if c == boundary)
        tied.sort(key=self.name_weights.__getitem__)  # stable: position breaks equal weights
        return above + [(nid, boundary) for nid in tied[: CANDIDATES - len(above)]]

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
            digits = qual.normalize_imo(ident.value)
            if digits:
                imos.append(digits)
                continue
        norm = qual.normalize_identifier(ident.value)
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
