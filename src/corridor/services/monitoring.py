"""Monitoring: the portfolio screened against the active lists, and alerts raised.

`run_full` screens every party.  `run_delta` is what runs after a list import or
update: given the list versions active before (`previous`), it screens again only
the parties the update can touch, with the one candidate selection the batch
delta uses too (`services.delta` for the list delta, `match.reach` for the
selection):

1. the list delta (`delta.active_delta`): the added, changed and removed
   entities of every list whose active version changed, read by stored digest;
2. `Reach.of` the touched entities (new records of added and changed ones, old
   records of changed and removed ones): the retrieval keys of each of their
   names;
3. the portfolio's inverted keys (`PartyKeys`, stored in `monitor_keys` by every
   run: key → the parties' tokens and runs with their weights) give, by look-up
   of those keys only, the parties whose shared weight with a touched name can
   reach the hit floor (`PartyKeys.reached`); no party name is analysed;
4. those parties, the parties holding an alert on a changed entity (a changed
   entity whose names and screened fields are the same — `screening_view` —
   is left out of step 2: it scores as before against everyone), the parties
   added or changed in the portfolio since the keys were stored, and the *near*
   parties (a listed name within `NEAR` under the
   threshold at their last screening) are screened against the full index;
5. alerts on entities no longer on an active list become *delisted* from the
   alerts table, without screening — the same code as the full run.

Why it gives the full run's alerts: the alert table only changes on a hit whose
pair is new or whose digests changed, or on delisting.  A party not selected
shares with no touched name enough weight for a hit (nor for displacing one of
its hits from the candidates), so its hits are on unchanged entities, with
unchanged digests, which `apply` leaves untouched.  What a list update moves for
every party is the token weights (IDF over the whole index) — by well under the
margins (`reach.WEIGHT_MARGIN` on the bound, `NEAR` for scores just under the
threshold).  The tests compare a delta with a full run on two real UN snapshots
(tests/test_monitor.py); `monitor run --full` re-screens everyone.

`apply` turns hits into alerts: a new pair is raised (*new*); a known pair whose
entity or party digest changed is re-raised (*changed*; a decision on it is
cleared and the alert reopens); an unchanged pair is left as it is, which is how
an approved false positive stays quiet until either side changes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine

from corridor.errors import InputError, IntegrityError
from corridor.match import Hit, Screener
from corridor.match.algorithm import DEFAULT as DEFAULT_ALGORITHM
from corridor.match.model import QueryError
from corridor.match.reach import PartyKeys, Reach, query_terms
from corridor.services import audit, delta, screening
from corridor.services import portfolio as portfolio_service
from corridor.services.alerts import Kind, State, now
from corridor.store import monitor as store
from corridor.store import queries
from corridor.store.audit import write_transaction

HIT_LIMIT = 50  # hits kept per party: monitoring wants every pair, not the top few
NEAR = 0.02  # a listed name this close under the threshold: screened again on every delta


@dataclass(slots=True)
class RunResult:
    run_id: int | None
    kind: str  # full / delta / none
    parties: int
    screened: int
    raised: int
    changed: int
    delisted: int
    seconds: float
    probe_seconds: float = 0.0  # delta: choosing whom to screen (list delta, reach, look-ups)
    keys_seconds: float = 0.0  # computing and storing the portfolio's inverted keys

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (
            f"monitoring ({self.kind}): {self.screened:,} of {self.parties:,} parties screened, "
            f"{self.raised} new, {self.changed} changed, {self.delisted} delisted alerts "
            f"in {self.seconds:.2f} s"
        )


def active_version_ids(engine: Engine) -> dict[str, int]:
    return {v.source: v.id for v in queries.active_versions(engine)}


def _hits(screener: Screener, party: portfolio_service.Party, threshold: float) -> tuple[list[Hit], bool]:
    """The hits at `threshold`, and whether a listed name scored within `NEAR` under it
    (scores do not depend on the threshold asked: the hits above are the same)."""
    found = screener.screen(party.query(), max(0.0, threshold - NEAR), HIT_LIMIT)
    hits = [h for h in found if h.score >= threshold]
    return hits, len(hits) < len(found)


def _terms(screener: Screener, party: portfolio_service.Party) -> Any:
    try:
        return query_terms(screener, party.query())
    except QueryError:
        return None  # always screened again (and refused again)


def apply(
    conn: Connection,
    results: Iterable[tuple[portfolio_service.Party, list[Hit]]],
    digests: Mapping[str, tuple[int, str]],
    *,
    run_id: int,
    by: audit.Actor,
) -> tuple[int, int, int]:
    """Hits into alerts, then alerts on entities off every active list delisted:
    (raised, changed, delisted)."""
    existing = store.alerts_by_pair(conn)
    at = now()
    raised = changed = delisted = 0
    for party, hits in results:
        for hit in hits:
            version_id, digest = digests[hit.entity_id]
            values = {
                "score": hit.score,
                "caption": hit.caption,
                "party_name": party.name,
                "explanation": json.dumps(hit.to_dict(), sort_keys=True, ensure_ascii=False),
                "list_version_id": version_id,
                "entity_digest": digest,
                "party_digest": party.digest,
                "updated_at": at,
                "run_id": run_id,
            }
            old = existing.get((party.id, hit.entity_id))
            if old is None:
                alert_id = store.insert_alert(
                    conn,
                    {
                        **values,
                        "party_id": party.id,
                        "entity_id": hit.entity_id,
                        "kind": Kind.NEW.value,
                        "state": State.OPEN.value,
                        "escalated": False,
                        "raised_at": at,
                    },
                )
                raised += 1
                action = "raised"
            elif (
                old.kind != Kind.DELISTED and old.entity_digest == digest and old.party_digest == party.digest
            ):
                continue  # the same pair as decided: quiet (an approved false positive stays suppressed)
            else:
                alert_id = old.id
                # a changed side reopens the case: the decision was about the old records
                store.update_alert(
                    conn,
                    alert_id,
                    {
                        **values,
                        "kind": Kind.CHANGED.value,
                        "state": State.OPEN.value
                        if old.state in (State.DECIDED, State.APPROVED)
                        else old.state,
                        "outcome": None if old.state in (State.DECIDED, State.APPROVED) else old.outcome,
                        "decided_by": None
                        if old.state in (State.DECIDED, State.APPROVED)
                        else old.decided_by,
                        "approved_by": None,
                    },
                )
                changed += 1
                action = "changed"
            store.add_event(
                conn,
                alert_id=alert_id,
                at=at,
                actor=by.name,
                role=by.role,
                action=action,
                detail={"run_id": run_id, "score": round(hit.score, 4), "list_version_id": version_id},
            )
    for row in store.alerts_by_pair(conn).values():
        if row.entity_id not in digests and row.kind != Kind.DELISTED:
            store.update_alert(
                conn,
                row.id,
                {
                    "kind": Kind.DELISTED.value,
                    "state": State.OPEN.value if row.state == State.APPROVED else row.state,
                    "updated_at": at,
                    "run_id": run_id,
                },
            )
            store.add_event(
                conn,
                alert_id=row.id,
                at=at,
                actor=by.name,
                role=by.role,
                action="delisted",
                detail={"run_id": run_id},
            )
            delisted += 1
    return raised, changed, delisted


def _record_run(
    engine: Engine,
    kind: str,
    parties: int,
    results: list[tuple[portfolio_service.Party, list[Hit]]],
    *,
    version_id: int,
    started: float,
    by: audit.Actor,
    probe_seconds: float = 0.0,
    keys: tuple[PartyKeys, bool] | None = None,
) -> RunResult:
    versions = active_version_ids(engine)
    with write_transaction(engine) as conn:
        digests = store.entity_digests(conn, versions.values())
        run_id = store.add_run(
            conn,
            {
                "at": now(),
                "kind": kind,
                "portfolio_version": version_id,
                "list_versions": json.dumps(versions, sort_keys=True),
                "parties": parties,
                "screened": len(results),
                "raised": 0,
                "changed": 0,
                "delisted": 0,
                "seconds": 0.0,
            },
        )
        raised, changed, delisted = apply(conn, results, digests, run_id=run_id, by=by)
        keys_seconds = 0.0
        if keys is not None:
            keys_started = time.perf_counter()
            party_keys, rewrite = keys
            store.save_keys(
                conn,
                portfolio_version=version_id,
                list_versions=json.dumps(versions, sort_keys=True),
                at=now(),
                parties_count=parties,
                near=party_keys.near,
                data=party_keys.to_bytes() if rewrite else None,
            )
            keys_seconds = time.perf_counter() - keys_started
        seconds = time.perf_counter() - started
        from corridor.store.schema_monitor import monitor_runs

        conn.execute(
            monitor_runs.update()
            .where(monitor_runs.c.id == run_id)
            .values(raised=raised, changed=changed, delisted=delisted, seconds=seconds)
        )
        result = RunResult(
            run_id,
            kind,
            parties,
            len(results),
            raised,
            changed,
            delisted,
            seconds,
            probe_seconds,
            keys_seconds,
        )
        audit.record_on(
            conn,
            actor=by.name,
            role=by.role,
            channel=by.channel,
            action=audit.Action.MONITOR_RUN,
            request={"kind": kind, "portfolio_version": version_id},
            result_summary=result.to_dict(),
        )
    return result


def run_full(
    engine: Engine, *, home: Path | None = None, by: audit.Actor | None = None, threshold: float | None = None
) -> RunResult:
    """Screen every party of the portfolio against the active lists, and store the
    portfolio's inverted keys for the next delta."""
    by = by or audit.Actor.cli()
    started = time.perf_counter()
    version_id = _portfolio_version(engine)
    if version_id is None:
        return RunResult(None, "none", 0, 0, 0, 0, 0, 0.0)
    parties = portfolio_service.parties(engine)
    screener = screening.load_screener(engine, home)
    limit = DEFAULT_ALGORITHM.threshold if threshold is None else threshold
    keys = PartyKeys()
    results: list[tuple[portfolio_service.Party, list[Hit]]] = []
    keys_seconds = 0.0
    for party in parties:
        hits, near = _hits(screener, party, limit)
        results.append((party, hits))
        keys_started = time.perf_counter()
        keys.put(party.id, _terms(screener, party))  # the analysis is the screener's, cached
        if near:
            keys.near.add(party.id)
        keys_seconds += time.perf_counter() - keys_started
    result = _record_run(
        engine,
        "full",
        len(parties),
        results,
        version_id=version_id,
        started=started,
        by=by,
        keys=(keys, True),
    )
    result.keys_seconds += keys_seconds
    return result


def _portfolio_version(engine: Engine) -> int | None:
    with engine.connect() as conn:
        row = store.latest_version(conn)
    return None if row is None else int(row.id)


def _stored_keys(engine: Engine) -> tuple[PartyKeys, int] | None:
    """The stored inverted keys and the portfolio version they are of (None: none
    stored, or not readable — then the delta is a full run, which stores them)."""
    with engine.connect() as conn:
        row = store.load_keys(conn)
    if row is None:
        return None
    try:
        keys = PartyKeys.from_bytes(bytes(row.data), where="monitor_keys")
    except IntegrityError:
        return None
    keys.near = set(json.loads(row.near))
    return keys, int(row.portfolio_version)


def touched_entities(engine: Engine, previous: Mapping[str, int]) -> delta.ListDelta:
    """The list delta since `previous` (`services.delta.active_delta`: the one the
    batch delta uses)."""
    return delta.active_delta(engine, previous)


def run_delta(
    engine: Engine,
    previous: Mapping[str, int],
    *,
    home: Path | None = None,
    by: audit.Actor | None = None,
    threshold: float | None = None,
) -> RunResult:
    """Screen again only the parties the list changes since `previous` can touch
    (see the module docstring); a full run when monitoring never ran or its keys
    are not stored."""
    by = by or audit.Actor.cli()
    started = time.perf_counter()
    version_id = _portfolio_version(engine)
    if version_id is None:
        return RunResult(None, "none", 0, 0, 0, 0, 0, 0.0)
    with engine.connect() as conn:
        last = store.last_run(conn)
    stored = _stored_keys(engine) if last is not None else None
    if stored is None:
        return run_full(engine, home=home, by=by, threshold=threshold)
    keys, keys_version = stored
    limit = DEFAULT_ALGORITHM.threshold if threshold is None else threshold
    with engine.connect() as conn:
        changed_parties, removed_parties = store.party_changes(conn, keys_version, version_id)
        party_count = store.version_party_count(conn, version_id)
    for party_id in removed_parties:
        keys.drop(party_id)
    change = delta.active_delta(engine, previous)
    reach = Reach.of(change.touched, DEFAULT_ALGORITHM, threshold=limit)
    with engine.connect() as conn:
        # a changed entity screening reads alike scores as before: only the parties
        # it already alerted need screening again (the alert is re-raised as changed)
        alerted = store.parties_alerted_on(conn, change.changed)
    selected = keys.reached(reach) | keys.near | changed_parties | alerted
    probe_seconds = time.perf_counter() - started
    results: list[tuple[portfolio_service.Party, list[Hit]]] = []
    if selected:
        screener = screening.load_screener(engine, home)
        for party in parties_by_id(engine, version_id, selected):
            hits, near = _hits(screener, party, limit)
            results.append((party, hits))
            if party.id in changed_parties or party.id not in keys:
                keys.put(party.id, _terms(screener, party))
            if near:
                keys.near.add(party.id)
            else:
                keys.near.discard(party.id)
    # removed entities need no screening: `apply` delists every alert whose entity
    # is on no active list
    return _record_run(
        engine,
        "delta",
        party_count,
        results,
        version_id=version_id,
        started=started,
        by=by,
        probe_seconds=probe_seconds,
        keys=(keys, bool(changed_parties or removed_parties)),
    )


def parties_by_id(engine: Engine, version_id: int, party_ids: set[str]) -> list[portfolio_service.Party]:
    """These parties of one portfolio version, by id."""
    with engine.connect() as conn:
        rows = list(store.party_rows_by_id(conn, version_id, party_ids))
    return [
        portfolio_service.Party(r.party_id, r.name, r.schema, r.digest, r.data)
        for r in sorted(rows, key=lambda r: r.party_id)
    ]


def run(
    engine: Engine,
    *,
    full: bool = False,
    since: Mapping[str, str | None] | None = None,
    home: Path | None = None,
    by: audit.Actor | None = None,
    threshold: float | None = None,
) -> RunResult:
    """`corridor monitor run`: a full run with `full` (or when monitoring never
    ran); else a delta from the list versions of `since` (list → version id or
    publication date; None for the version before the active one), the other
    lists from the last run's versions; else a delta from the last run's versions
    (what changed in the lists and the portfolio since then)."""
    if full and since:
        raise InputError("--full", "a full run screens everyone: give --full or --since, not both")
    with engine.connect() as conn:
        last = store.last_run(conn)
    if full or last is None:
        return run_full(engine, home=home, by=by, threshold=threshold)
    previous: dict[str, int] = {str(k): int(v) for k, v in json.loads(last.list_versions).items()}
    if since:
        active = {v.source for v in queries.active_versions(engine)}
        unknown = sorted(set(since) - active)
        if unknown:
            raise InputError("--since", f"no active version of {', '.join(unknown)}")
        for source, ref in since.items():
            previous[source] = queries.resolve_version(engine, source, ref, "previous").id
    return run_delta(engine, previous, home=home, by=by, threshold=threshold)


def last_run(engine: Engine) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = store.last_run(conn)
    return None if row is None else dict(row._mapping)


def after_list_change(
    engine: Engine, before: Mapping[str, int], *, home: Path | None = None, by: audit.Actor | None = None
) -> RunResult | None:
    """What runs after any list import or update, whatever the interface: a delta
    run when the active versions changed and a portfolio exists, else nothing."""
    if dict(before) == active_version_ids(engine) or portfolio_service.current_version(engine) is None:
        return None
    return run_delta(engine, before, home=home, by=by)
