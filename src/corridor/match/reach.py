"""Reach: which queries a set of listed entities can reach, without screening.

The one candidate-selection mechanism of both delta runs — the batch job
(`services.delta`, row by row) and portfolio monitoring (`services.monitoring`,
over a stored inverted index of the portfolio).

A listed name can only become a hit of a query if retrieval hands it to the
alignment (`match.retrieval`), and retrieval only finds a name through keys the
query and the index share, counting for each name the weight of the query
tokens (and runs of tokens) behind the shared keys:

  direct   the token keys of `match.terms` (text, loose and coarse Korean keys,
           Russian keys; a query's as `terms.query_keys` picks them) — the
           token's weight, in quarters;
  fuzzy    the deletion keys (the token and the token less one letter) and the
           typo keys (first and last four sounds) — the weight again for a token
           found nowhere (typo sets), or three quarters of it for a rare token
           of 5+ letters (the names one letter apart);
  runs     the joined keys of 2-3 adjacent tokens — the run's weight;
  forced   a shared identifier or IMO number: the entity is a candidate whatever
           its names.

A name is aligned only if that count can reach the retrieval floor (the
algorithm's threshold less its prune margin; bound 2M / (M + W), see
`Retriever.candidates`).  `Reach` holds the keys of each name of the touched
entities (`Index.build`, the build the screening index uses, so both sides are
keyed alike) and says whether a query's count against any of them can reach the
floor, less `WEIGHT_MARGIN` for the token weights a list update moves.  That is
an upper bound of what retrieval counts (every key kind counted at its most,
the listed side's left-over test and the schema filter left out), so a query
`Reach` does not touch cannot have a touched name among its candidates: it
errs on the side of screening again.

`PartyKeys` is the inverted form over a portfolio: key → (party, token or run),
with each party's token weights as its last screening saw them, built while
the portfolio is screened and stored; `PartyKeys.reached(reach)` gives the
parties a list update can touch with look-ups of the touched names' keys only,
without analysing a single party name.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from corridor.errors import IntegrityError, Where
from corridor.match.algorithm import DEFAULT, Algorithm
from corridor.match.index import Index, _name_text, entity_record
from corridor.match.model import Query
from corridor.match.query import check_query
from corridor.match.screener import Screener
from corridor.match.terms import joined_keys, one_deletions, query_keys, spans, token_keys, typo_keys
from corridor.model import Entity
from corridor.names.tokens import Tok

FORMAT = 3  # of `PartyKeys.to_bytes` (2: coarse Korean keys; 3: Russian keys of Korean tokens)
WEIGHT_MARGIN = 0.05  # floor lowered by this: token weights move a little with every list update
SLOTS = 512  # an entry is position * SLOTS + slot; slots: tokens 0..255, runs 256..511
RUN = 256
DIRECT, FUZZY, FORCED = 0, 1, 2


def key_kind(key: str) -> int:
    """What a shared key counts for (see the module docstring)."""
    first = key[0]
    if first in "tkrcC":
        return DIRECT
    if first in "dps":
        return FUZZY
    return FORCED


def _token_keys(tok: Tok) -> set[str]:
    keys = set(token_keys(tok))
    if tok.legal or tok.tag == "stopword":
        return keys
    if tok.rkeys:
        keys.update(typo_keys(tok))
    text = tok.text
    if len(text) >= 4 and text.isalpha():
        keys.add("d" + text)
        keys.update("d" + v for v in one_deletions(text))
    return keys


def slotted_keys(toks: tuple[Tok, ...]) -> dict[str, list[int]] | None:
    """Key → the slots (token positions, RUN + run number) having it; None for a
    name too long to slot (then it is always screened)."""
    runs = list(spans(toks))
    if len(toks) >= RUN or len(runs) >= SLOTS - RUN:
        return None
    found: dict[str, list[int]] = {}
    # the keys a query looks up (`terms.query_keys`), as retrieval does
    for i, tok in enumerate(toks):
        for key in query_keys(list(_token_keys(tok)), tok.script):
            found.setdefault(key, []).append(i)
    for j, (start, end) in enumerate(runs):
        for key in query_keys(joined_keys(toks[start:end]), toks[start].script):
            found.setdefault(key, []).append(RUN + j)
    return found


def name_keys(toks: tuple[Tok, ...]) -> frozenset[str]:
    """Every key of one analysed name (tokens and runs)."""
    keys: set[str] = set()
    for tok in toks:
        keys.update(_token_keys(tok))
    for start, end in spans(toks):
        keys.update(joined_keys(toks[start:end]))
    return frozenset(keys)


@dataclass(frozen=True, slots=True)
class Terms:
    """A query as `Reach` weighs it: its tokens' weights, which tokens have 5+
    letters, its runs, the weight of tokens found nowhere, and its keys."""

    weights: tuple[float, ...]
    long: frozenset[int]
    runs: tuple[tuple[int, int], ...]
    open_weight: float
    keys: dict[str, list[int]]  # key → slots; forced keys (identifiers, IMO) → []

    @classmethod
    def of(
        cls,
        toks: tuple[Tok, ...],
        weights: tuple[float, ...],
        open_weight: float,
        identifiers: Iterable[str] = (),
        imo: str | None = None,
    ) -> Terms | None:
        keys = slotted_keys(toks)
        if keys is None:
            return None
        for value in identifiers:
            keys["i" + value] = []
        if imo:
            keys["m" + imo] = []
        long = frozenset(i for i, t in enumerate(toks) if len(t.text) >= 5)
        return cls(tuple(weights), long, tuple(spans(toks)), open_weight, keys)


def _quarters(weight: float, share: int = 4) -> int:
    return max(1, round(weight * share))


def viable(
    slots: Iterable[tuple[int, int]],
    weights: tuple[float, ...] | list[float],
    long: frozenset[int] | set[int],
    runs: tuple[tuple[int, int], ...] | list[tuple[int, int]],
    open_weight: float,
    floor: float,
) -> bool:
    """Whether the (slot, kind) pairs a query shares with one listed name can
    count enough weight to reach `floor` (an upper bound of `Retriever.candidates`)."""
    direct: set[int] = set()
    fuzzy: set[int] = set()
    joined: set[int] = set()
    for slot, kind in slots:
        if kind == FORCED:
            return True
        if slot >= RUN:
            joined.add(slot - RUN)
        elif kind == DIRECT:
            direct.add(slot)
        else:
            fuzzy.add(slot)
    count = 0
    for i in direct:
        count += _quarters(weights[i])
        if i in fuzzy and i in long:
            count += _quarters(weights[i], 3)  # the names one letter apart, counted 3/4
    for i in fuzzy - direct:
        count += _quarters(weights[i])  # typo sets of a token found nowhere
    for j in joined:
        start, end = runs[j]
        count += _quarters(sum(weights[start:end]))
    quarters = sum(weights) * 4
    if floor <= 0:
        return count > 0
    return count >= floor * quarters / (2 - floor)


def screening_view(entity: Entity) -> tuple[Any, ...]:
    """What screening reads of an entity: two records with the same view score
    alike against every query (remarks, programs, dates of listing and the like
    are left out)."""
    return (
        entity.schema,
        entity_record(entity),
        tuple((_name_text(n, entity.schema), str(n.kind.value)) for n in entity.names),
    )


@dataclass(frozen=True, slots=True)
class TouchedName:
    entity_id: str
    keys: frozenset[str]


class Reach:
    """The names (and numbers) of a set of touched entities (see the module docstring)."""

    def __init__(self, names: list[TouchedName], forced: frozenset[str], floor: float) -> None:
        self.names = names
        self.forced = forced  # identifier and IMO keys
        self.floor = floor
        self.by_key: dict[str, list[int]] = {}
        for n, name in enumerate(names):
            for key in name.keys:
                self.by_key.setdefault(key, []).append(n)

    @classmethod
    def of(
        cls,
        entities: Iterable[Entity],
        algorithm: Algorithm = DEFAULT,
        *,
        threshold: float | None = None,
        margin: float = WEIGHT_MARGIN,
    ) -> Reach:
        """The reach of these entities for hits at `threshold` (the algorithm's by default)."""
        index = Index.build(entities)
        cache: dict[tuple[Tok, ...], frozenset[str]] = {}
        names = []
        for rec in index.names:
            keys = cache.get(rec.tokens)
            if keys is None:
                keys = cache[rec.tokens] = name_keys(rec.tokens)
            names.append(TouchedName(index.entities[rec.entity].id, keys))
        forced = frozenset(["i" + v for v in index.identifiers] + ["m" + v for v in index.imos])
        limit = algorithm.threshold if threshold is None else threshold
        return cls(names, forced, limit - algorithm.max_boost - margin)

    def __bool__(self) -> bool:
        return bool(self.names or self.forced)

    def touches(self, terms: Terms | None) -> bool:
        """Whether a query (as `Terms`; None: not slotted) can have a touched name
        among its candidates."""
        if terms is None:
            return bool(self)
        found: dict[int, list[tuple[int, int]]] = {}
        forced = self.forced
        by_key = self.by_key
        for key, slots in terms.keys.items():
            kind = key_kind(key)
            if kind == FORCED:
                if key in forced:
                    return True
                continue
            for n in by_key.get(key, ()):
                found.setdefault(n, []).extend((s, kind) for s in slots)
        return any(
            viable(pairs, terms.weights, terms.long, terms.runs, terms.open_weight, self.floor)
            for pairs in found.values()
        )


def query_terms(screener: Screener, query: Query) -> Terms | None:
    """`Terms` of a query, its tokens weighed as `screener`'s index weighs them
    (the retriever's analysis, cached); `QueryError` for a query it refuses."""
    checked = check_query(query)
    analysed = screener.retriever.analyse(checked.name, checked.schema)
    return Terms.of(analysed.tokens, analysed.weights, analysed.open_weight, checked.identifiers, checked.imo)


class _Pending:
    """Parties added since the keys were last frozen (plain lists)."""

    def __init__(self) -> None:
        self.postings: dict[str, list[int]] = {}  # key → global token / run numbers (runs offset later)
        self.tok_pos: list[int] = []
        self.tok_w: list[float] = []
        self.tok_long: list[bool] = []
        self.run_pos: list[int] = []
        self.run_w: list[float] = []
        self.forced: dict[str, list[int]] = {}  # key → party positions


@dataclass(slots=True)
class Segment:
    """Frozen keys of some parties: tokens and runs are numbered in the segment;
    an entry below `len(tok_pos)` is a token, above it a run."""

    keys: dict[str, int]  # key → its number
    bounds: np.ndarray  # int64: key k's entries are entries[bounds[k]:bounds[k + 1]]
    entries: np.ndarray  # int64
    tok_pos: np.ndarray  # int64: token → party position
    tok_q4: np.ndarray  # int64: the token's weight in quarters (at least 1)
    tok_q3: np.ndarray  # int64: three quarters of it for a token of 5+ letters, else 0
    run_pos: np.ndarray  # int64
    run_q4: np.ndarray  # int64
    forced: dict[str, list[int]]  # identifier / IMO key → party positions

    ARRAYS = ("bounds", "entries", "tok_pos", "tok_q4", "tok_q3", "run_pos", "run_q4")

    @classmethod
    def freeze(cls, pending: _Pending) -> Segment:
        names = sorted(pending.postings)
        lists = [pending.postings[k] for k in names]
        bounds = np.zeros(len(names) + 1, dtype=np.int64)
        np.cumsum([len(v) for v in lists], out=bounds[1:])
        flat = np.fromiter((e for v in lists for e in v), dtype=np.int64, count=int(bounds[-1]))
        ntok = len(pending.tok_pos)
        flat = np.where(flat >= 0, flat, ntok - flat - 1)  # runs follow the tokens
        weights = np.asarray(pending.tok_w, dtype=np.float64)
        return cls(
            dict(zip(names, range(len(names)), strict=True)),
            bounds,
            flat,
            np.asarray(pending.tok_pos, dtype=np.int64),
            _q(weights, 4),
            np.where(np.asarray(pending.tok_long, dtype=bool), _q(weights, 3), 0).astype(np.int64),
            np.asarray(pending.run_pos, dtype=np.int64),
            _q(np.asarray(pending.run_w, dtype=np.float64), 4),
            {k: list(v) for k, v in pending.forced.items()},
        )


def _q(weights: np.ndarray, share: int) -> np.ndarray:
    """Weights in quarters as retrieval counts them: max(1, round(w · share))."""
    return np.maximum(1, np.rint(weights * share)).astype(np.int64)


class PartyKeys:
    """Inverted keys of a portfolio (see the module docstring): key → the tokens
    and runs of parties having it, with their weights as the last screening of
    each party saw them, in frozen segments (numpy arrays) plus the parties put
    since.  Parties are numbered by position; `drop` leaves a hole.  `always`
    holds parties screened on every delta (a query too long to slot, or one the
    screener refuses); `near` those whose last screening found a listed name just
    under the threshold (`services.monitoring`; stored beside, not in `to_bytes`)."""

    def __init__(self) -> None:
        self.ids: list[str | None] = []
        self.need4: list[float] = []  # the query's weight in quarters (4 W)
        self.segments: list[Segment] = []
        self.near: set[str] = set()
        self.always: set[str] = set()
        self._pending = _Pending()
        self._where: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._where)

    def __contains__(self, party_id: object) -> bool:
        return party_id in self._where or party_id in self.always

    def party_ids(self) -> set[str]:
        return set(self._where) | self.always

    def put(self, party_id: str, terms: Terms | None) -> None:
        """Add a party's terms (replacing what it had); None: always screened."""
        self.drop(party_id)
        if terms is None:
            self.always.add(party_id)
            return
        position = len(self.ids)
        self.ids.append(party_id)
        self.need4.append(4 * sum(terms.weights))
        self._where[party_id] = position
        pending = self._pending
        tok0 = len(pending.tok_pos)
        run0 = len(pending.run_pos)
        for i, weight in enumerate(terms.weights):
            pending.tok_pos.append(position)
            pending.tok_w.append(weight)
            pending.tok_long.append(i in terms.long)
        for start, end in terms.runs:
            pending.run_pos.append(position)
            pending.run_w.append(sum(terms.weights[start:end]))
        postings = pending.postings
        for key, slots in terms.keys.items():
            if not slots:
                pending.forced.setdefault(key, []).append(position)
                continue
            # tokens as their number, runs as -(number + 1) until frozen
            entries = [tok0 + s if s < RUN else -(run0 + s - RUN) - 1 for s in slots]
            found = postings.get(key)
            if found is None:
                postings[key] = entries
            else:
                found.extend(entries)

    def drop(self, party_id: str) -> None:
        position = self._where.pop(party_id, None)
        if position is not None:
            self.ids[position] = None
        self.near.discard(party_id)
        self.always.discard(party_id)

    def freeze(self) -> None:
        """Turn the parties put since the last freeze into a segment."""
        if self._pending.tok_pos or self._pending.forced:
            self.segments.append(Segment.freeze(self._pending))
        self._pending = _Pending()

    def reached(self, reach: Reach) -> set[str]:
        """The parties `reach` touches, and those always screened."""
        self.freeze()
        found: set[str] = set(self.always)
        if not reach:
            return found
        positions: set[int] = set()
        need = np.asarray(self.need4, dtype=np.float64) * reach.floor / (2 - reach.floor)
        for segment in self.segments:
            for key in reach.forced:
                positions.update(segment.forced.get(key, ()))
            positions.update(_viable_positions(segment, reach, need))
        ids = self.ids
        found.update(p for p in (ids[i] for i in positions) if p is not None)
        return found

    # --- persistence: a JSON head and raw arrays, so a stored copy can never run code ---

    def to_bytes(self) -> bytes:
        self.freeze()
        arrays: list[bytes] = []
        segments = []
        for segment in self.segments:
            sizes = []
            for name in Segment.ARRAYS:
                data = np.ascontiguousarray(getattr(segment, name), dtype="<i8").tobytes()
                arrays.append(data)
                sizes.append(len(data) // 8)
            segments.append({"keys": list(segment.keys), "forced": segment.forced, "sizes": sizes})
        head = orjson.dumps(
            {
                "format": FORMAT,
                "ids": self.ids,
                "need4": self.need4,
                "always": sorted(self.always),
                "segments": segments,
            }
        )
        return _HEAD.pack(len(head)) + head + b"".join(arrays)

    @classmethod
    def from_bytes(cls, data: bytes, *, where: str = "party keys") -> PartyKeys:
        """Read `to_bytes` output; `IntegrityError` naming `where` when it is not one."""
        try:
            if len(data) < _HEAD.size:
                raise ValueError("truncated")
            (size,) = _HEAD.unpack_from(data)
            doc: Any = orjson.loads(data[_HEAD.size : _HEAD.size + size])
            if not isinstance(doc, dict) or doc.get("format") != FORMAT:
                raise ValueError(f"not party keys of format {FORMAT}")
            found = cls()
            found.ids = list(doc["ids"])
            found.need4 = [float(x) for x in doc["need4"]]
            if len(found.need4) != len(found.ids):
                raise ValueError("tables of unequal length")
            found.always = {str(p) for p in doc["always"]}
            found._where = {p: i for i, p in enumerate(found.ids) if p is not None}
            at = _HEAD.size + size
            parties = len(found.ids)
            for item in doc["segments"]:
                tables = []
                for count in item["sizes"]:
                    end = at + 8 * int(count)
                    if end > len(data):
                        raise ValueError("truncated arrays")
                    tables.append(np.frombuffer(data, dtype="<i8", count=int(count), offset=at))
                    at = end
                bounds, entries, tok_pos, tok_q4, tok_q3, run_pos, run_q4 = tables
                names = item["keys"]
                if not isinstance(names, list) or not all(isinstance(k, str) for k in names):
                    raise ValueError("keys are not strings")
                ntok = len(tok_pos)
                if len(tok_q4) != ntok or len(tok_q3) != ntok or len(run_q4) != len(run_pos):
                    raise ValueError("tables of unequal length")
                if len(bounds) != len(names) + 1 or bounds[0] != 0 or bounds[-1] != len(entries):
                    raise ValueError("key bounds do not cover the entries")
                if len(names) and np.any(np.diff(bounds) < 0):
                    raise ValueError("key bounds out of order")
                if len(entries) and (entries.min() < 0 or entries.max() >= ntok + len(run_pos)):
                    raise ValueError("an entry refers to no token or run")
                for table in (tok_pos, run_pos):
                    if len(table) and (table.min() < 0 or table.max() >= parties):
                        raise ValueError("a token refers to no party")
                keys = dict(zip(names, range(len(names)), strict=True))
                forced = {str(k): [int(p) for p in v] for k, v in item["forced"].items()}
                if any(not 0 <= p < parties for v in forced.values() for p in v):
                    raise ValueError("an identifier refers to no party")
                found.segments.append(
                    Segment(keys, bounds, entries, tok_pos, tok_q4, tok_q3, run_pos, run_q4, forced)
                )
            if at != len(data):
                raise ValueError("trailing bytes")
        except (ValueError, KeyError, TypeError, IndexError, struct.error, orjson.JSONDecodeError) as exc:
            raise IntegrityError(
                f"stored party keys are not readable: {exc}", where=Where(file=where)
            ) from None
        return found


_HEAD = struct.Struct("<Q")


def _viable_positions(segment: Segment, reach: Reach, need: np.ndarray) -> set[int]:
    """Party positions of one segment whose count against some touched name can
    reach the floor (`viable`, vectorised over every touched name at once)."""
    keys = segment.keys
    bounds = segment.bounds
    starts: list[int] = []
    lengths: list[int] = []
    names: list[int] = []
    kinds: list[int] = []
    for key, having in reach.by_key.items():
        number = keys.get(key)
        if number is None:
            continue
        start, end = int(bounds[number]), int(bounds[number + 1])
        kind_of = key_kind(key)
        for n in having:
            starts.append(start)
            lengths.append(end - start)
            names.append(n)
            kinds.append(kind_of)
    if not starts:
        return set()
    size = np.asarray(lengths, dtype=np.int64)
    first = np.asarray(starts, dtype=np.int64)
    # the entries of every (key, name) span, one after the other
    offsets = np.repeat(first - (np.cumsum(size) - size), size) + np.arange(int(size.sum()), dtype=np.int64)
    entry = segment.entries[offsets]
    name_of = np.repeat(np.asarray(names, dtype=np.int64), size)
    kind = np.repeat(np.asarray(kinds, dtype=np.int64), size)
    ntok = len(segment.tok_pos)
    # one row per (name, token or run, kind): a token counts once directly, once fuzzily
    width = ntok + len(segment.run_pos)
    combined = np.unique((name_of * width + entry) * 2 + kind)
    kind = combined % 2
    pair = combined // 2
    name_of, entry = pair // width, pair % width
    is_tok = entry < ntok
    tok = np.where(is_tok, entry, 0)
    run = np.where(is_tok, 0, entry - ntok)
    # a fuzzy row adds three quarters (5+ letters) when its token is also direct, the
    # whole weight when not: rows are sorted by pair, direct (0) before fuzzy (1)
    has_direct = np.zeros(len(pair), dtype=bool)
    if len(pair) > 1:
        same = pair[1:] == pair[:-1]
        has_direct[1:] = same & (kind[:-1] == DIRECT)
    count = np.where(
        is_tok,
        np.where(
            kind == DIRECT,
            segment.tok_q4[tok],
            np.where(has_direct, segment.tok_q3[tok], segment.tok_q4[tok]),
        ),
        np.where(kind == DIRECT, segment.run_q4[run], 0),
    )
    position = np.where(is_tok, segment.tok_pos[tok], segment.run_pos[run])
    group = name_of * len(need) + position
    groups, inverse = np.unique(group, return_inverse=True)
    totals = np.bincount(inverse, weights=count)
    party = groups % len(need)
    return {int(p) for p in party[totals >= need[party]]}
