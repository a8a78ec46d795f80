"""Monitoring: the portfolio screened against the active lists, and alerts raised.

`run_full` screens every party.  `run_delta` is what runs after a list import or
update: given the list versions active before (`previous`), it re-screens only
the parties that can gain or change a hit:

1. the diff of each changed list (`store.queries.diff`) gives the added, changed
   and removed entities;
2. a small index over only the added and changed entities is built
   (`Screener.from_entities`) and every party is screened against it at the
   threshold less `PROBE_MARGIN`; a party with any hit there is re-screened
   against the full index (as are parties added or changed in the portfolio
   since the last run);
3. alerts on entities no longer on an active list become *delisted* — for both
   kinds of run, from the alerts table, so they agree by construction.

Why it is exact: an alert is only raised or changed by a hit, and a party whose
hits involve only unchanged entities has the same pairs and digests as before,
which `apply` leaves untouched.  A party can only gain a hit on an added or
changed entity if it scores ≥ threshold against it; the probe index scores the
same name against the same entity, only with token weights (IDF) taken from the
small index instead of the whole list, which the margin absorbs.  The tests
compare a delta with a full run on two real UN snapshots (tests/test_monitor.py).

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

from sqlalchemy import Connection, Engine, select

from corridor.match import Hit, Screener
from corridor.match.algorithm import DEFAULT as DEFAULT_ALGORITHM
from corridor.services import audit, screening
from corridor.services import portfolio as portfolio_service
from corridor.services.alerts import Kind, State, now
from corridor.store import monitor as store
from corridor.store import queries
from corridor.store.audit import write_transaction
from corridor.store.schema_monitor import parties as parties_table

HIT_LIMIT = 50  # hits kept per party: monitoring wants every pair, not the top few
PROBE_MARGIN = 0.1  # probe below the threshold: the small index weighs tokens differently


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
    probe_seconds: float = 0.0

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


def _hits(screener: Screener, party: portfolio_service.Party, threshold: float) -> list[Hit]:
    return screener.screen(party.query(), threshold, HIT_LIMIT)


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
    parties: list[portfolio_service.Party],
    results: list[tuple[portfolio_service.Party, list[Hit]]],
    *,
    version_id: int,
    started: float,
    by: audit.Actor,
    probe_seconds: float = 0.0,
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
                "parties": len(parties),
                "screened": len(results),
                "raised": 0,
                "changed": 0,
                "delisted": 0,
                "seconds": 0.0,
            },
        )
        raised, changed, delisted = apply(conn, results, digests, run_id=run_id, by=by)
        seconds = time.perf_counter() - started
        from corridor.store.schema_monitor import monitor_runs

        conn.execute(
            monitor_runs.update()
            .where(monitor_runs.c.id == run_id)
            .values(raised=raised, changed=changed, delisted=delisted, seconds=seconds)
        )
        result = RunResult(
            run_id, kind, len(parties), len(results), raised, changed, delisted, seconds, probe_seconds
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
    """Screen every party of the portfolio against the active lists."""
    by = by or audit.Actor.cli()
    started = time.perf_counter()
    version_id = portfolio_service.current_version(engine)
    if version_id is None:
        return RunResult(None, "none", 0, 0, 0, 0, 0, 0.0)
    parties = portfolio_service.parties(engine)
    screener = screening.load_screener(engine, home)
    limit = DEFAULT_ALGORITHM.threshold if threshold is None else threshold
    results = [(p, _hits(screener, p, limit)) for p in parties]
    return _record_run(engine, "full", parties, results, version_id=version_id, started=started, by=by)


def _changed_parties(engine: Engine, parties: list[portfolio_service.Party]) -> set[str] | None:
    """Parties added or changed since the last run's portfolio version (None: no run yet)."""
    with engine.connect() as conn:
        last = store.last_run(conn)
        if last is None:
            return None
        before = dict(
            conn.execute(
                select(parties_table.c.party_id, parties_table.c.digest).where(
                    parties_table.c.version_id == last.portfolio_version
                )
            ).all()
        )
    return {p.id for p in parties if before.get(p.id) != p.digest}


def touched_entities(engine: Engine, previous: Mapping[str, int]) -> tuple[list[Any], list[str]]:
    """The added and changed entities (as they are now) and the removed entity ids of
    every list whose active version differs from `previous`."""
    ids: dict[int, list[str]] = {}
    removed: list[str] = []
    for version in queries.active_versions(engine):
        old = previous.get(version.source)
        if old == version.id:
            continue
        if old is None:
            with engine.connect() as conn:
                digests = store.entity_digests(conn, [version.id])
            ids[version.id] = list(digests)
            continue
        change = queries.diff(engine, version.source, str(old), str(version.id))
        ids[version.id] = [i for i, _ in change.added] + [c.entity_id for c in change.changed]
        removed.extend(i for i, _ in change.removed)
    found: list[Any] = []
    for version_id, entity_ids in ids.items():
        found.extend(queries.active_entities(engine, entity_ids, [version_id]).values())
    return found, removed


def run_delta(
    engine: Engine,
    previous: Mapping[str, int],
    *,
    home: Path | None = None,
    by: audit.Actor | None = None,
    threshold: float | None = None,
) -> RunResult:
    """Re-screen only the parties the list changes since `previous` can touch (see
    the module docstring); a full run when monitoring never ran."""
    by = by or audit.Actor.cli()
    started = time.perf_counter()
    version_id = portfolio_service.current_version(engine)
    if version_id is None:
        return RunResult(None, "none", 0, 0, 0, 0, 0, 0.0)
    parties = portfolio_service.parties(engine)
    changed_parties = _changed_parties(engine, parties)
    if changed_parties is None:
        return run_full(engine, home=home, by=by, threshold=threshold)
    limit = DEFAULT_ALGORITHM.threshold if threshold is None else threshold
    entities, _removed = touched_entities(engine, previous)
    probe_started = time.perf_counter()
    selected = set(changed_parties)
    if entities:
        probe = Screener.from_entities(entities)
        probe_floor = max(0.0, limit - PROBE_MARGIN)
        for party in parties:
            if party.id not in selected and probe.screen(party.query(), probe_floor, 1):
                selected.add(party.id)
    probe_seconds = time.perf_counter() - probe_started
    results: list[tuple[portfolio_service.Party, list[Hit]]] = []
    if selected:
        screener = screening.load_screener(engine, home)
        results = [(p, _hits(screener, p, limit)) for p in parties if p.id in selected]
    # removed entities need no screening: `apply` delists every alert whose entity
    # is on no active list
    return _record_run(
        engine,
        "delta",
        parties,
        results,
        version_id=version_id,
        started=started,
        by=by,
        probe_seconds=probe_seconds,
    )


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
