"""Store side of the portfolio, the monitoring runs and the alerts: plain reads and
writes on a connection the caller holds (the services open the transactions, so
each change commits with its audit record)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from corridor.store.schema import entities
from corridor.store.schema_monitor import (
    alert_events,
    alerts,
    monitor_keys,
    monitor_runs,
    parties,
    portfolio_versions,
)


@dataclass(frozen=True, slots=True)
class PartyRow:
    party_id: str
    name: str
    schema: str
    digest: str
    data: dict[str, Any]


def _party(row: Any) -> PartyRow:
    return PartyRow(row.party_id, row.name, row.schema, row.digest, json.loads(row.data))


def _id(key: Any) -> int:
    if key is None:  # every table here has an autoincrement key
        raise RuntimeError("no key returned by the insert")
    return int(key[0])


# --- portfolio -------------------------------------------------------------------------


def latest_version(conn: Connection) -> Any | None:
    return conn.execute(select(portfolio_versions).order_by(portfolio_versions.c.id.desc()).limit(1)).first()


def party_rows(conn: Connection, version_id: int) -> Iterator[PartyRow]:
    result = conn.execute(
        select(parties).where(parties.c.version_id == version_id).order_by(parties.c.party_id)
    )
    for row in result:
        yield _party(row)


def party_rows_by_id(conn: Connection, version_id: int, party_ids: Iterable[str]) -> Iterator[PartyRow]:
    """The rows of these parties in one version (ids it does not hold are left out)."""
    wanted = sorted(set(party_ids))
    for start in range(0, len(wanted), 500):
        result = conn.execute(
            select(parties).where(
                parties.c.version_id == version_id, parties.c.party_id.in_(wanted[start : start + 500])
            )
        )
        for row in result:
            yield _party(row)


def party_changes(conn: Connection, old_version: int, new_version: int) -> tuple[set[str], set[str]]:
    """(added or changed, removed) party ids from one portfolio version to another,
    compared by digest in the database."""
    if old_version == new_version:
        return set(), set()
    old = select(parties.c.party_id, parties.c.digest).where(parties.c.version_id == old_version).subquery()
    new = select(parties.c.party_id, parties.c.digest).where(parties.c.version_id == new_version).subquery()
    changed = {
        r[0]
        for r in conn.execute(
            select(new.c.party_id)
            .select_from(new.outerjoin(old, old.c.party_id == new.c.party_id))
            .where((old.c.digest.is_(None)) | (old.c.digest != new.c.digest))
        )
    }
    removed = {
        r[0]
        for r in conn.execute(
            select(old.c.party_id)
            .select_from(old.outerjoin(new, old.c.party_id == new.c.party_id))
            .where(new.c.party_id.is_(None))
        )
    }
    return changed, removed


def version_party_count(conn: Connection, version_id: int) -> int:
    found = conn.execute(
        select(portfolio_versions.c.party_count).where(portfolio_versions.c.id == version_id)
    ).scalar_one_or_none()
    return int(found or 0)


def add_version(conn: Connection, *, at: str, source: str, sha256: str, rows: Sequence[PartyRow]) -> int:
    version_id = _id(
        conn.execute(
            insert(portfolio_versions).values(at=at, source=source, sha256=sha256, party_count=len(rows))
        ).inserted_primary_key
    )
    for start in range(0, len(rows), 2000):
        conn.execute(
            insert(parties),
            [
                {
                    "version_id": version_id,
                    "party_id": r.party_id,
                    "name": r.name,
                    "schema": r.schema,
                    "digest": r.digest,
                    "data": json.dumps(r.data, sort_keys=True, ensure_ascii=False),
                }
                for r in rows[start : start + 2000]
            ],
        )
    return int(version_id)


def portfolio_versions_list(conn: Connection) -> list[Any]:
    return list(conn.execute(select(portfolio_versions).order_by(portfolio_versions.c.id)))


# --- listed entities -------------------------------------------------------------------


def entity_digests(conn: Connection, version_ids: Iterable[int]) -> dict[str, tuple[int, str]]:
    """entity id -> (version id, digest) in these list versions."""
    found: dict[str, tuple[int, str]] = {}
    ids = list(version_ids)
    if not ids:
        return found
    for row in conn.execute(
        select(entities.c.entity_id, entities.c.version_id, entities.c.digest).where(
            entities.c.version_id.in_(ids)
        )
    ):
        found[row.entity_id] = (row.version_id, row.digest)
    return found


def entity_data(conn: Connection, version_id: int, entity_id: str) -> dict[str, Any] | None:
    row = conn.execute(
        select(entities.c.data).where(entities.c.version_id == version_id, entities.c.entity_id == entity_id)
    ).first()
    return None if row is None else dict(json.loads(row.data))


# --- alerts ----------------------------------------------------------------------------


def alerts_by_pair(conn: Connection) -> dict[tuple[str, str], Any]:
    return {(r.party_id, r.entity_id): r for r in conn.execute(select(alerts))}


def parties_alerted_on(conn: Connection, entity_ids: Iterable[str]) -> set[str]:
    """The parties holding an alert on any of these entities."""
    wanted = sorted(set(entity_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        found.update(
            r[0]
            for r in conn.execute(
                select(alerts.c.party_id).where(alerts.c.entity_id.in_(wanted[start : start + 500]))
            )
        )
    return found


def get_alert(conn: Connection, alert_id: int) -> Any | None:
    return conn.execute(select(alerts).where(alerts.c.id == alert_id)).first()


def insert_alert(conn: Connection, values: dict[str, Any]) -> int:
    return _id(conn.execute(insert(alerts).values(**values)).inserted_primary_key)


def update_alert(conn: Connection, alert_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id).values(**values))


def add_event(
    conn: Connection, *, alert_id: int, at: str, actor: str, role: str, action: str, detail: Any
) -> None:
    conn.execute(
        insert(alert_events).values(
            alert_id=alert_id,
            at=at,
            actor=actor,
            role=role,
            action=action,
            detail=json.dumps(detail, sort_keys=True, ensure_ascii=False),
        )
    )


def events_of(conn: Connection, alert_id: int) -> list[Any]:
    return list(
        conn.execute(
            select(alert_events).where(alert_events.c.alert_id == alert_id).order_by(alert_events.c.id)
        )
    )


# how a page of alerts may be ordered; the id breaks ties so pages never overlap
ALERT_ORDERS = {
    "newest": (alerts.c.id.desc(),),
    "age": (alerts.c.raised_at.asc(), alerts.c.id.asc()),  # the longest waiting first
    "score": (alerts.c.score.desc(), alerts.c.id.desc()),
    "updated": (alerts.c.updated_at.desc(), alerts.c.id.desc()),
}


def list_alerts(
    conn: Connection,
    *,
    state: str | None = None,
    party_id: str | None = None,
    kind: str | None = None,
    assignee: str | None = None,
    escalated: bool | None = None,
    order: str = "newest",
    offset: int = 0,
    limit: int = 50,
) -> tuple[int, list[Any]]:
    """One page of alerts in `order` (ALERT_ORDERS), and how many match in all."""
    where = []
    if state:
        where.append(alerts.c.state == state)
    if party_id:
        where.append(alerts.c.party_id == party_id)
    if kind:
        where.append(alerts.c.kind == kind)
    if assignee:
        where.append(alerts.c.assignee == assignee)
    if escalated is not None:
        where.append(alerts.c.escalated == escalated)
    total = conn.execute(select(func.count()).select_from(alerts).where(*where)).scalar_one()
    rows = list(
        conn.execute(select(alerts).where(*where).order_by(*ALERT_ORDERS[order]).offset(offset).limit(limit))
    )
    return int(total), rows


def alert_counts(conn: Connection) -> list[Any]:
    """(state, kind, raised_at) of every alert not yet approved: the dashboard's
    open alerts by state and age."""
    return list(
        conn.execute(
            select(alerts.c.state, alerts.c.kind, alerts.c.raised_at, alerts.c.escalated).where(
                alerts.c.state != "approved"
            )
        )
    )


def add_run(conn: Connection, values: dict[str, Any]) -> int:
    return _id(conn.execute(insert(monitor_runs).values(**values)).inserted_primary_key)


def last_run(conn: Connection) -> Any | None:
    return conn.execute(select(monitor_runs).order_by(monitor_runs.c.id.desc()).limit(1)).first()


# --- the portfolio's inverted keys (delta monitoring) ----------------------------------


def load_keys(conn: Connection) -> Any | None:
    return conn.execute(select(monitor_keys).where(monitor_keys.c.id == 1)).first()


def save_keys(
    conn: Connection,
    *,
    portfolio_version: int,
    list_versions: str,
    at: str,
    parties_count: int,
    near: Iterable[str],
    data: bytes | None,
) -> None:
    """Replace the stored keys; `data` None keeps the stored array data (only the
    versions and the near parties change)."""
    values = {
        "portfolio_version": portfolio_version,
        "list_versions": list_versions,
        "at": at,
        "parties": parties_count,
        "near": json.dumps(sorted(near)),
    }
    if data is None:
        conn.execute(update(monitor_keys).where(monitor_keys.c.id == 1).values(**values))
        return
    conn.execute(delete(monitor_keys))
    conn.execute(insert(monitor_keys).values(id=1, data=data, **values))
