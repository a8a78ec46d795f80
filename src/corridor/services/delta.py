"""Delta screening: after a list update, screen again only the rows the update
can touch, and say what changed.  One mechanism for the batch job (`screen_delta`
over files) and for portfolio monitoring (`services.monitoring.run_delta`): both
take the list delta from here (`list_delta`, `store_delta`, `active_delta`) and
select what to screen again with `match.reach` — the batch job row by row
(`Reach.touches`), monitoring over the portfolio's stored inverted keys
(`PartyKeys.reached`), the same keys and the same bound.

Given the entities of the old and the new list versions (added, changed and
removed entities, compared record by record or by stored digest), a row is
screened again with the new index when

* its previous result was an error, or had a hit on a changed or removed entity
  (a changed name may lose the hit; a removed one may let another in under the
  limit);
* it *touches* the update (`match.reach`): its retrieval keys meet those of a
  name of an added, changed (new and old record) or removed entity, and the
  weight behind the shared keys can reach the hit floor (threshold less the
  features' largest boost less a margin for weights).  Token weights depend on
  how many listed names share a token (`match.terms.token_weight`), so a row
  sharing a token with an added name may score differently against *unchanged*
  entities too; such a row scores near a hit only if it shares enough weight
  with the added name, and then it is touched;
* a previous hit scores within `drift` of the threshold: the weights also depend
  on the number of listed names, which every update changes a little (well under
  0.001 of a score for a few hundred names), so a hit right at the threshold is
  checked again.

Every other row keeps its previous result line as it was.  What is not covered:
an unchanged entity just *below* the threshold that the few-names drift lifts
above it, for a row sharing no token with the update (docs/scaling.md).

The changes (`changes` file): one record per hit that is new, changed (score or
listed record), delisted (its entity was removed) or dropped (no longer a hit,
the entity still listed), with the row and query id.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from corridor.errors import InputError
from corridor.match.model import Query
from corridor.match.reach import Reach, query_terms, screening_view
from corridor.match.screener import Screener
from corridor.model import Entity
from corridor.services import audit, streaming
from corridor.services.batch import _parse_line, query_from_dict
from corridor.services.screening import unique_entities

DRIFT = 0.005  # see the module docstring


@dataclass(frozen=True, slots=True)
class ListDelta:
    """What changed between two sets of list entities."""

    added: frozenset[str]
    changed: frozenset[str]
    removed: frozenset[str]
    # new records of added and changed entities, old records of changed and removed ones
    # (a removed name frees a candidate place another name may take); not those of
    # changed entities screening reads alike (`same_view`)
    touched: tuple[Entity, ...]
    # changed entities whose names and screened fields did not change
    # (`match.reach.screening_view`): they score as before against every query, so
    # only the results that already hit them need screening again
    same_view: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def list_delta(old: Iterable[Entity], new: Iterable[Entity]) -> ListDelta:
    """Added, changed and removed entities (records compared as a whole)."""
    before = {e.id: e for e in unique_entities(old)}
    after = {e.id: e for e in unique_entities(new)}
    added = frozenset(after.keys() - before.keys())
    removed = frozenset(before.keys() - after.keys())
    changed = frozenset(i for i in before.keys() & after.keys() if before[i].to_dict() != after[i].to_dict())
    return _delta(added, changed, removed, after, before)


def _delta(
    added: frozenset[str],
    changed: frozenset[str],
    removed: frozenset[str],
    after: Mapping[str, Entity],
    before: Mapping[str, Entity],
) -> ListDelta:
    same = frozenset(
        i
        for i in changed
        if i in after and i in before and screening_view(after[i]) == screening_view(before[i])
    )
    touched = [after[i] for i in sorted((added | changed) - same) if i in after]
    # the old record under another id: both records are in the touch index
    touched += [_renamed(before[i]) for i in sorted((changed - same) | removed) if i in before]
    return ListDelta(added, changed, removed, tuple(touched), same)


def _renamed(entity: Entity) -> Entity:
    return dataclasses.replace(entity, id=f"{entity.id}#before")


def store_delta(engine: Engine, old_versions: Iterable[int], new_versions: Iterable[int]) -> ListDelta:
    """The delta between two sets of stored list versions (by id), compared by the
    stored digests; only the records that differ are read."""
    from corridor.store import monitor as store
    from corridor.store.queries import active_entities

    olds, news = sorted(set(old_versions)), sorted(set(new_versions))
    with engine.connect() as conn:
        before = store.entity_digests(conn, olds) if olds != news else {}
        after = store.entity_digests(conn, news) if olds != news else {}
    added = frozenset(after.keys() - before.keys())
    removed = frozenset(before.keys() - after.keys())
    changed = frozenset(i for i in before.keys() & after.keys() if before[i][1] != after[i][1])
    new_records = active_entities(engine, sorted(added | changed), news)
    old_records = active_entities(engine, sorted(changed | removed), olds)
    return _delta(added, changed, removed, new_records, old_records)


def active_delta(engine: Engine, previous: Mapping[str, int]) -> ListDelta:
    """The delta from the list versions active before (`previous`: list → version
    id) to those active now, over the lists whose active version changed."""
    from corridor.store.queries import active_versions

    olds: list[int] = []
    news: list[int] = []
    for version in active_versions(engine):
        old = previous.get(version.source)
        if old == version.id:
            continue
        news.append(version.id)
        if old is not None:
            olds.append(old)
    for source, old in previous.items():  # a list no longer active at all
        if old not in olds and all(v.source != source for v in active_versions(engine)):
            olds.append(old)
    if not news and not olds:
        return ListDelta(frozenset(), frozenset(), frozenset(), ())
    return store_delta(engine, olds, news)


@dataclass(slots=True)
class DeltaSummary:
    rows: int = 0
    rescreened: int = 0
    kept: int = 0
    errors: int = 0
    changes: dict[str, int] = field(default_factory=dict)  # new / changed / delisted / dropped


@dataclass(frozen=True, slots=True)
class DeltaRow:
    """One row after the delta: its result line and what changed in it."""

    row: int
    line: bytes  # the result line (JSONL), the previous one when kept
    rescreened: bool
    changes: tuple[dict[str, Any], ...]
    error: bool


class DeltaScreener:
    """Decides which rows a list delta touches and screens them again (see the
    module docstring); reusable over any stream of (row, previous result)."""

    def __init__(
        self,
        screener: Screener,
        delta: ListDelta,
        *,
        threshold: float | None = None,
        limit: int = 10,
        drift: float = DRIFT,
    ) -> None:
        self.screener = screener
        self.delta = delta
        self.threshold = screener.algorithm.threshold if threshold is None else threshold
        self.limit = limit
        self.drift = drift
        self.reach = Reach.of(delta.touched, screener.algorithm, threshold=self.threshold)
        self._moved = delta.changed | delta.removed

    def touches(self, query: Query) -> bool:
        """Whether the update can touch this query's hits (`match.reach`)."""
        if not self.reach:
            return False
        return self.reach.touches(query_terms(self.screener, query))

    def needs_screening(self, data: dict[str, Any] | None, previous: dict[str, Any]) -> bool:
        if data is None or "error" in previous or "hits" not in previous:
            return True
        hits = previous["hits"]
        if any(h["entity_id"] in self._moved for h in hits):
            return True
        if any(h["score"] < self.threshold + self.drift for h in hits):
            return True
        try:
            return self.touches(query_from_dict(data))
        except Exception:  # a query the engine refuses: screened again, it gives its error
            return True

    def row(self, record: streaming.Record, previous_line: bytes) -> DeltaRow:
        previous = json.loads(previous_line)
        data: dict[str, Any] | None
        try:
            raw = record.data
            data = _parse_line(raw) if isinstance(raw, str) else raw
            if record.error is not None:
                data = None
        except Exception:
            data = None
        if not self.needs_screening(data, previous):
            return DeltaRow(record.row, previous_line, False, (), False)
        result, error = streaming.screen_one(self.screener, record, self.threshold, self.limit)
        line = streaming._encode_json(result)
        return DeltaRow(
            record.row, line, True, tuple(self._changes(record, previous, result)), error is not None
        )

    def _changes(
        self, record: streaming.Record, old: dict[str, Any], new: dict[str, Any]
    ) -> Iterator[dict[str, Any]]:
        before = {h["entity_id"]: h for h in old.get("hits") or ()}
        after = {h["entity_id"]: h for h in new.get("hits") or ()}
        ident = new.get("id", old.get("id"))
        for entity_id, hit in after.items():
            was = before.get(entity_id)
            if was is None:
                kind = "new"
            elif was["score"] != hit["score"] or entity_id in self.delta.changed:
                kind = "changed"
            else:
                continue
            yield {
                "row": record.row,
                "id": ident,
                "change": kind,
                "entity_id": entity_id,
                "old_score": None if was is None else was["score"],
                "new_score": hit["score"],
                "caption": hit["caption"],
            }
        for entity_id, hit in before.items():
            if entity_id in after:
                continue
            yield {
                "row": record.row,
                "id": ident,
                "change": "delisted" if entity_id in self.delta.removed else "dropped",
                "entity_id": entity_id,
                "old_score": hit["score"],
                "new_score": None,
                "caption": hit["caption"],
            }


def delta_rows(deciding: DeltaScreener, rows: Iterable[tuple[streaming.Record, bytes]]) -> Iterator[DeltaRow]:
    """Each (input record, previous result line) after the delta, in order."""
    for record, previous in rows:
        yield deciding.row(record, previous)


def screen_delta(
    screener: Screener,
    delta: ListDelta,
    input_path: str | Path,
    previous_path: str | Path,
    output_path: str | Path,
    changes_path: str | Path,
    *,
    threshold: float | None = None,
    limit: int = 10,
) -> DeltaSummary:
    """The new results of `input` (as a full run with `screener` would write them,
    JSONL) from the previous ones, screening again only the touched rows; the
    changes in `changes_path` (JSONL)."""
    source, previous, target, changes = (
        Path(p) for p in (input_path, previous_path, output_path, changes_path)
    )
    streaming.output_kind(target, ("jsonl",))
    if streaming.output_kind(previous, ("jsonl",)) and not previous.is_file():
        raise InputError("previous", f"{previous}: no such file")
    for path in (target, changes):
        if path.exists() and any(path.resolve() == p.resolve() for p in (source, previous)):
            raise InputError("output", f"{path} is an input of the delta: give another file")
    deciding = DeltaScreener(screener, delta, threshold=threshold, limit=limit)
    summary = DeltaSummary()
    counts: dict[str, int] = {}
    reader = streaming._Reader(source)
    try:
        with previous.open("rb") as old, target.open("wb") as out, changes.open("wb") as changed:
            old_lines = (line for line in old if line.strip())
            for result in delta_rows(deciding, _paired(reader.records(), old_lines, previous)):
                summary.rows += 1
                summary.rescreened += result.rescreened
                summary.kept += not result.rescreened
                summary.errors += result.error
                out.write(result.line)
                for change in result.changes:
                    counts[change["change"]] = counts.get(change["change"], 0) + 1
                    changed.write(streaming._encode_json(change))
    finally:
        reader.close()
    summary.changes = counts
    return summary


def _paired(
    records: Iterator[streaming.Record], previous: Iterator[bytes], path: Path
) -> Iterator[tuple[streaming.Record, bytes]]:
    for record in records:
        line = next(previous, None)
        if line is None:
            raise InputError(
                "previous", f"{path} has fewer results than the input has rows (row {record.row})"
            )
        yield record, line
    if next(previous, None) is not None:
        raise InputError("previous", f"{path} has more results than the input has rows")


def run_delta(
    engine: Engine,
    input_path: str | Path,
    previous_path: str | Path,
    output_path: str | Path,
    changes_path: str | Path,
    *,
    by: audit.Actor,
    since: dict[str, str | None] | None = None,
    threshold: float | None = None,
    limit: int = 10,
) -> tuple[DeltaSummary, ListDelta]:
    """A delta run against the store: from the list versions the previous results
    were screened with (`since`: list → version id or publication date; default,
    for every list, the version before the active one) to the active versions, with
    the process's index; recorded in the audit trail (one record)."""
    from corridor.services.screening import service_for
    from corridor.store import queries

    active = queries.active_versions(engine)
    refs = since if since is not None else {v.source: None for v in active}
    old_ids = []
    for version in active:
        if version.source in refs:
            old_ids.append(
                queries.resolve_version(engine, version.source, refs[version.source], "previous").id
            )
        else:
            old_ids.append(version.id)  # a list not named: unchanged
    unknown = sorted(set(refs) - {v.source for v in active})
    if unknown:
        raise InputError("since", f"no active version of {', '.join(unknown)}")
    change = store_delta(engine, old_ids, [v.id for v in active])
    screener = service_for(engine).current()
    summary = screen_delta(
        screener,
        change,
        input_path,
        previous_path,
        output_path,
        changes_path,
        threshold=threshold,
        limit=limit,
    )
    audit.record_by(
        engine,
        by,
        audit.Action.SCREEN,
        {
            "input": str(input_path),
            "input_sha256": streaming.output_digest(Path(input_path)),
            "previous_sha256": streaming.output_digest(Path(previous_path)),
            "delta": {"from_versions": old_ids, "to_versions": [v.id for v in active]},
            "threshold": threshold,
            "limit": limit,
        },
        {
            "batch": {"queries": summary.rows, "rescreened": summary.rescreened, "errors": summary.errors},
            "list_delta": {
                "added": len(change.added),
                "changed": len(change.changed),
                "removed": len(change.removed),
            },
            "changes": summary.changes,
            "output_sha256": streaming.output_digest(Path(output_path)),
        },
    )
    return summary, change
