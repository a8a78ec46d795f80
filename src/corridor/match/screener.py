"""`Screener`: screens queries against one index.

A query is validated (`match.query`), its name analysed and the candidate
names retrieved (`match.retrieval`), each candidate aligned part by part with
the query name (`match.align`; a name shared by several entities is aligned
once), the best name of each entity qualified by the features
(`match.features`), and every hit at or above the threshold explained
(`match.explain`).  Entities found by identifier or IMO join the candidates
whatever their names.  The threshold and every weight are the algorithm's
(`match.algorithm`).

The index is built with `from_entities` and persisted with `save` / `load`
(`match.index`: an authenticated file that cannot run code).

This module, the other match modules it calls and `corridor.names` are compiled
with mypyc when installed (`corridor._native`); they are plain typed Python,
and run unchanged when not compiled.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from corridor.match.algorithm import DEFAULT, Algorithm
from corridor.match.align import Pair, RowHits, align
from corridor.match.explain import explain
from corridor.match.features.countries import country_qualifier
from corridor.match.features.dates import birth_date_qualifier
from corridor.match.features.gender import gender_qualifier
from corridor.match.features.identifiers import identifier_qualifier, imo_qualifier
from corridor.match.features.schema import schema_allows
from corridor.match.index import Index
from corridor.match.model import Hit, Qualifier, Query, QueryError
from corridor.match.query import CheckedQuery, check_query
from corridor.match.retrieval import Retriever
from corridor.model import Entity
from corridor.names.glossary import variants as glossary_variants
from corridor.names.tokens import Tok

SCORE_DIGITS = 9  # a score is rounded so before it meets the threshold: sums of weights leave 1e-16 errors

# one entity's score for one spelling of the query: (score, entity position, name
# id, name score, aligned pairs, qualifiers, the query spelling, its tokens)
_Scored = tuple[float, int, int, float, list[Pair], list[Qualifier], str, tuple[Tok, ...]]


class Screener:
    """Screens queries against a fixed set of entities (see the module docstring)."""

    def __init__(self, index: Index, algorithm: Algorithm = DEFAULT) -> None:
        self.index = index
        self.algorithm = algorithm
        self.retriever = Retriever(index, algorithm)

    @classmethod
    def from_entities(cls, entities: Iterable[Entity], algorithm: Algorithm = DEFAULT) -> Screener:
        return cls(Index.build(entities), algorithm)

    def save(self, path: str | Path, key: bytes) -> None:
        """Write the index, authenticated with `key` (see `match.index`)."""
        self.index.save(path, key)

    @classmethod
    def load(cls, path: str | Path, key: bytes, algorithm: Algorithm = DEFAULT) -> Screener:
        """Read an index saved with the same key; `corridor.errors.IntegrityError`
        when the file is not intact."""
        return cls(Index.load(path, key), algorithm)

    def __len__(self) -> int:
        return len(self.index.entities)

    def clear_caches(self) -> None:
        """Forget the analysed queries and query tokens (for benchmarks of names seen
        for the first time; `corridor.names.clear_caches` does the same for names)."""
        self.retriever.clear_caches()

    # --- screening -------------------------------------------------------------------

    def screen(self, query: Query, threshold: float | None = None, limit: int = 10) -> list[Hit]:
        """Hits for one query, best first, only those scoring >= threshold."""
        algorithm = self.algorithm
        threshold = algorithm.threshold if threshold is None else threshold
        if not 0.0 <= threshold <= 1.0:
            raise QueryError("threshold", f"{threshold} is not between 0 and 1")
        if limit < 1:
            raise QueryError("limit", f"{limit} is not a positive number")
        checked = check_query(query)
        hits = self._scored(checked.name, checked, threshold)
        # a Hangul or Cyrillic organisation name is also screened in its English
        # readings (names.glossary), an abbreviation written out: each entity keeps
        # its best score, the reading it came from said in its explanation
        expansions = glossary_variants(checked.name, checked.schema)
        if expansions:
            best = {h[1]: h for h in hits}
            for variant in expansions:
                detail = f"{variant.source}: {', '.join(variant.notes)}; screened as '{variant.name}'"
                note = Qualifier(variant.source, 0.0, detail)
                for h in self._scored(variant.name, checked, threshold):
                    current = best.get(h[1])
                    if current is None or h[0] > current[0]:
                        best[h[1]] = (h[0], h[1], h[2], h[3], h[4], [*h[5], note], h[6], h[7])
            hits = list(best.values())
        entities = self.index.entities
        order = self.algorithm.list_order
        last = len(order)
        hits.sort(
            key=lambda h: (
                -h[0],
                order.index(entities[h[1]].source) if entities[h[1]].source in order else last,
                entities[h[1]].id,
            )
        )
        return [self._hit(*h) for h in self._within_limit(hits, limit)]

    def _scored(self, name: str, checked: CheckedQuery, threshold: float) -> list[_Scored]:
        """Every entity scoring >= threshold for one spelling of the query name."""
        algorithm = self.algorithm
        schema = checked.schema
        index = self.index
        entities = index.entities
        analysed = self.retriever.analyse(name, schema)
        # the names the algorithm's own threshold retrieves are always aligned,
        # whatever threshold is asked: a score never depends on the threshold
        base_floor = algorithm.threshold - algorithm.prune_margin
        floor = threshold - algorithm.prune_margin
        candidates = self.retriever.candidates(analysed, min(floor, base_floor), base_floor)
        forced: set[int] = set()  # entities found by identifier / IMO
        for value in checked.identifiers:
            forced.update(index.identifiers.get(value, ()))
        if checked.imo:
            forced.update(index.imos.get(checked.imo, ()))
        for position in forced:
            if schema_allows(schema, entities[position].schema):
                candidates.extend(index.entity_names[position])

        qtoks = analysed.tokens
        qweights = analysed.weights
        cache: dict[int, RowHits] = {}
        aligned: dict[int, tuple[float, list[Pair]]] = {}  # by id() of the interned token tuple
        best: dict[int, tuple[float, int, list[Pair]]] = {}
        names = index.names
        kind_factors = algorithm.kind_factors
        for nid in candidates:
            rec = names[nid]
            ltoks = rec.tokens
            done = aligned.get(id(ltoks))
            if done is None:
                done = aligned[id(ltoks)] = align(qtoks, qweights, ltoks, rec.weights, cache)
            score, pairs = done
            score *= kind_factors[rec.kind]
            current = best.get(rec.entity)
            if current is None or score > current[0]:
                best[rec.entity] = (score, nid, pairs)

        hits: list[_Scored] = []
        floor = threshold - algorithm.max_boost
        for position, (name_score, nid, pairs) in best.items():
            if name_score < floor and position not in forced:
                continue
            final, quals = self._qualify(position, name_score, checked)
            final = round(final, SCORE_DIGITS)  # 0.7999999999999999 is 0.8, shown and judged so
            if final >= threshold:
                hits.append((final, position, nid, name_score, pairs, quals, name, qtoks))
        return hits

    def screen_many(
        self, queries: Iterable[Query], threshold: float | None = None, limit: int = 10
    ) -> Iterator[tuple[Query, list[Hit]]]:
        for query in queries:
            yield query, self.screen(query, threshold, limit)

    # --- internals ---------------------------------------------------------------------

    def _within_limit(self, hits: list[_Scored], limit: int) -> list[_Scored]:
        """The hits (sorted, best first) of the first `limit` designations: every
        record of a designation kept stays, whatever its score (a UN designation
        never falls out behind its OFAC and UK copies), and the limit never
        separates equal scores (unlinked copies score alike)."""
        entities = self.index.entities
        parties: set[str] = set()
        kept: list[_Scored] = []
        last_score = -1.0
        for hit in hits:
            party = entities[hit[1]].party or entities[hit[1]].id
            if party not in parties:
                if len(parties) >= limit and hit[0] != last_score:
                    continue
                parties.add(party)
                last_score = hit[0]
            kept.append(hit)
        return kept

    def _qualify(
        self, position: int, name_score: float, checked: CheckedQuery
    ) -> tuple[float, list[Qualifier]]:
        """The final score of an entity's best name, and the features that moved it."""
        rec = self.index.entities[position]
        algorithm = self.algorithm
        quals: list[Qualifier] = []
        for found in (
            birth_date_qualifier(checked.birth_date, rec.birth_dates, algorithm),
            country_qualifier(checked.country, rec.countries, algorithm),
            gender_qualifier(checked.gender, rec.gender, algorithm),
        ):
            if found is not None:
                quals.append(found)
        score = name_score + sum(q.effect for q in quals)
        # in turn: the IMO floor applies to the score the identifiers left
        strong = identifier_qualifier(score, checked.identifiers, rec.identifiers, algorithm)
        if strong is not None:
            score, qualifier = strong
            quals.append(qualifier)
        strong = imo_qualifier(score, checked.imo, rec.imos, algorithm)
        if strong is not None:
            score, qualifier = strong
            quals.append(qualifier)
        return min(1.0, max(0.0, score)), quals

    def _hit(
        self,
        score: float,
        position: int,
        nid: int,
        name_score: float,
        pairs: list[Pair],
        quals: list[Qualifier],
        query_name: str,
        qtoks: tuple[Tok, ...],
    ) -> Hit:
        entity = self.index.entities[position]
        name = self.index.names[nid]
        explanation = explain(
            score, query_name, name.full, name.kind, name_score, qtoks, name.tokens, pairs, quals
        )
        return Hit(
            entity.id,
            score,
            entity.source,
            entity.ref,
            entity.caption,
            entity.schema,
            explanation,
            entity.lists or (entity.source,),
        )
