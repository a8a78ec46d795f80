"""Alerts and cases: one alert per (party, listed entity), decided under four eyes.

States (docs/monitoring.md draws them):

    open ──assign/review──▶ in_review ──decide──▶ decided ──approve──▶ approved
                               ▲                     │
                               └──────return─────────┘

`decide` needs an outcome (true_match, false_positive, inconclusive) and a reason;
`approve` and `return` need a different person from the one who decided (four
eyes, enforced here, whatever the interface) and, when the actor carries a role
(the API), the reviewer role or above.  The CLI's actor has the role `local` (it
owns the store); its four-eyes check compares the names given with `--actor`.
Every change writes its alert row, its event and its audit record in one
transaction.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine

from corridor.errors import ConflictError, ForbiddenError, InputError, NotFoundError
from corridor.services import audit
from corridor.services.keys import Permission, Role, minimum_role
from corridor.store import monitor as store
from corridor.store.audit import format_time, read_snapshot, write_transaction


class State(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    APPROVED = "approved"


class Outcome(StrEnum):
    TRUE_MATCH = "true_match"
    FALSE_POSITIVE = "false_positive"
    INCONCLUSIVE = "inconclusive"


class Kind(StrEnum):
    NEW = "new"
    CHANGED = "changed"  # the listed entity (or the party) changed since the alert was raised
    DELISTED = "delisted"  # the listed entity left its list


@dataclass(frozen=True, slots=True)
class Event:
    at: str
    actor: str
    role: str
    action: str
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "role": self.role,
            "action": self.action,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Alert:
    id: int
    party_id: str
    party_name: str
    entity_id: str
    caption: str
    kind: str
    state: str
    outcome: str | None
    reason: str | None
    decided_by: str | None
    approved_by: str | None
    assignee: str | None
    escalated: bool
    score: float
    explanation: dict[str, Any]
    list_version_id: int
    entity_digest: str
    party_digest: str
    raised_at: str
    updated_at: str
    events: list[Event] = field(default_factory=list)

    def age_days(self, now: datetime | None = None) -> int:
        raised = datetime.strptime(self.raised_at[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        return max(0, ((now or datetime.now(UTC)) - raised).days)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "party_id": self.party_id,
            "party_name": self.party_name,
            "entity_id": self.entity_id,
            "caption": self.caption,
            "kind": self.kind,
            "state": self.state,
            "outcome": self.outcome,
            "reason": self.reason,
            "decided_by": self.decided_by,
            "approved_by": self.approved_by,
            "assignee": self.assignee,
            "escalated": self.escalated,
            "score": round(self.score, 4),
            "explanation": self.explanation,
            "list_version_id": self.list_version_id,
            "raised_at": self.raised_at,
            "updated_at": self.updated_at,
            "age_days": self.age_days(),
            "events": [e.to_dict() for e in self.events],
        }


@dataclass(slots=True)
class Page:
    total: int
    offset: int
    alerts: list[Alert]

    def to_dict(self) -> dict[str, Any]:
        return {"total": self.total, "offset": self.offset, "alerts": [a.to_dict() for a in self.alerts]}


def from_row(row: Any, events: list[Any] | None = None) -> Alert:
    return Alert(
        id=row.id,
        party_id=row.party_id,
        party_name=row.party_name,
        entity_id=row.entity_id,
        caption=row.caption,
        kind=row.kind,
        state=row.state,
        outcome=row.outcome,
        reason=row.reason,
        decided_by=row.decided_by,
        approved_by=row.approved_by,
        assignee=row.assignee,
        escalated=bool(row.escalated),
        score=float(row.score),
        explanation=json.loads(row.explanation),
        list_version_id=row.list_version_id,
        entity_digest=row.entity_digest,
        party_digest=row.party_digest,
        raised_at=row.raised_at,
        updated_at=row.updated_at,
        events=[Event(e.at, e.actor, e.role, e.action, json.loads(e.detail)) for e in events or []],
    )


def now() -> str:
    return format_time(datetime.now(UTC))


def get(engine: Engine, alert_id: int) -> Alert:
    with read_snapshot(engine) as conn:
        row = store.get_alert(conn, alert_id)
        if row is None:
            raise NotFoundError(f"no alert {alert_id}")
        return from_row(row, store.events_of(conn, alert_id))


def list_page(
    engine: Engine,
    *,
    state: str | None = None,
    party_id: str | None = None,
    kind: str | None = None,
    assignee: str | None = None,
    escalated: bool | None = None,
    sort: str = "newest",
    offset: int = 0,
    limit: int = 50,
) -> Page:
    """One page of alerts, filtered and sorted (`SORTS`); the indexes of migration
    0007 serve a page by state sorted by score or age."""
    if state is not None and state not in {s.value for s in State}:
        raise InputError("state", f"{state!r} is not one of {', '.join(s.value for s in State)}")
    if kind is not None and kind not in {k.value for k in Kind}:
        raise InputError("kind", f"{kind!r} is not one of {', '.join(k.value for k in Kind)}")
    if sort not in SORTS:
        raise InputError("sort", f"{sort!r} is not one of {', '.join(SORTS)}")
    if not 1 <= limit <= 500:
        raise InputError("limit", "must be between 1 and 500")
    if offset < 0:
        raise InputError("offset", "must not be negative")
    with engine.connect() as conn:
        total, rows = store.list_alerts(
            conn,
            state=state,
            party_id=party_id,
            kind=kind,
            assignee=assignee,
            escalated=escalated,
            order=sort,
            offset=offset,
            limit=limit,
        )
    return Page(total, offset, [from_row(r) for r in rows])


SORTS = tuple(store.ALERT_ORDERS)
AGE_BANDS = ((0, "today"), (1, "1–6 days"), (7, "7–29 days"), (30, "30+ days"))


@dataclass(frozen=True, slots=True)
class Summary:
    """Alerts not yet approved, by state and by age band (the dashboard's table)."""

    by_state: dict[str, int]
    by_age: dict[str, dict[str, int]]  # age band -> state -> count
    escalated: int
    total: int


def summary(engine: Engine, at: datetime | None = None) -> Summary:
    moment = at or datetime.now(UTC)
    by_state = {s.value: 0 for s in State if s != State.APPROVED}
    by_age = {band: dict.fromkeys(by_state, 0) for _, band in AGE_BANDS}
    escalated = 0
    with engine.connect() as conn:
        rows = store.alert_counts(conn)
    for row in rows:
        raised = datetime.strptime(row.raised_at[:19], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=UTC)
        days = max(0, (moment - raised).days)
        band = next(name for floor, name in reversed(AGE_BANDS) if days >= floor)
        by_state[row.state] = by_state.get(row.state, 0) + 1
        by_age[band][row.state] = by_age[band].get(row.state, 0) + 1
        escalated += bool(row.escalated)
    return Summary(by_state, by_age, escalated, len(rows))


def _require_role(by: audit.Actor, permission: Permission) -> None:
    # the CLI's actor (role `local`) owns the store and is not checked against a role
    if by.role == audit.LOCAL_ROLE:
        return
    try:
        role = Role(by.role)
    except ValueError:
        raise ForbiddenError(f"role {by.role!r} may not {permission.value}") from None
    if role.rank < minimum_role(permission).rank:
        raise ForbiddenError(f"role {role.value} may not {permission.value}")


def _transition(
    engine: Engine,
    alert_id: int,
    by: audit.Actor,
    action: audit.Action,
    check: Any,
    detail: dict[str, Any],
) -> Alert:
    """Read the alert under the write lock, let `check` validate and return the new
    values, and write them, the event and the audit record together."""
    with write_transaction(engine) as conn:
        row = store.get_alert(conn, alert_id)
        if row is None:
            raise NotFoundError(f"no alert {alert_id}")
        values: dict[str, Any] = check(row)
        at = now()
        values["updated_at"] = at
        store.update_alert(conn, alert_id, values)
        store.add_event(
            conn, alert_id=alert_id, at=at, actor=by.name, role=by.role, action=action.value, detail=detail
        )
        _audit(conn, by, action, alert_id, row, detail, values)
        updated = store.get_alert(conn, alert_id)
        return from_row(updated, store.events_of(conn, alert_id))


def _audit(
    conn: Connection,
    by: audit.Actor,
    action: audit.Action,
    alert_id: int,
    row: Any,
    detail: dict[str, Any],
    values: dict[str, Any],
) -> None:
    audit.record_on(
        conn,
        actor=by.name,
        role=by.role,
        channel=by.channel,
        action=action,
        request={"alert_id": alert_id, **detail},
        result_summary={
            "alert_id": alert_id,
            "party_id": row.party_id,
            "entity_id": row.entity_id,
            "from": row.state,
            "to": values.get("state", row.state),
        },
    )


def assign(engine: Engine, alert_id: int, assignee: str, *, by: audit.Actor) -> Alert:
    """Give the alert to someone; an open alert goes into review."""
    _require_role(by, Permission.ALERT_DECIDE)
    if not assignee.strip():
        raise InputError("assignee", "must not be empty")

    def check(row: Any) -> dict[str, Any]:
        if row.state == State.APPROVED:
            raise ConflictError(f"alert {alert_id} is approved")
        values: dict[str, Any] = {"assignee": assignee.strip()}
        if row.state == State.OPEN:
            values["state"] = State.IN_REVIEW.value
        return values

    return _transition(engine, alert_id, by, audit.Action.ALERT_ASSIGN, check, {"assignee": assignee.strip()})


def comment(engine: Engine, alert_id: int, text: str, *, by: audit.Actor) -> Alert:
    _require_role(by, Permission.ALERT_DECIDE)
    if not text.strip():
        raise InputError("comment", "must not be empty")
    return _transition(
        engine, alert_id, by, audit.Action.ALERT_COMMENT, lambda row: {}, {"comment": text.strip()}
    )


def escalate(engine: Engine, alert_id: int, reason: str, *, by: audit.Actor) -> Alert:
    _require_role(by, Permission.ALERT_DECIDE)
    if not reason.strip():
        raise InputError("reason", "an escalation needs a reason")

    def check(row: Any) -> dict[str, Any]:
        if row.state == State.APPROVED:
            raise ConflictError(f"alert {alert_id} is approved")
        return {"escalated": True}

    return _transition(engine, alert_id, by, audit.Action.ALERT_ESCALATE, check, {"reason": reason.strip()})


def decide(engine: Engine, alert_id: int, outcome: str, reason: str, *, by: audit.Actor) -> Alert:
    """Decide an open or in-review alert (an open one passes through review)."""
    _require_role(by, Permission.ALERT_DECIDE)
    try:
        chosen = Outcome(outcome)
    except ValueError:
        raise InputError(
            "outcome", f"{outcome!r} is not one of {', '.join(o.value for o in Outcome)}"
        ) from None
    if not reason or not reason.strip():
        raise InputError("reason", "a decision needs a reason")

    def check(row: Any) -> dict[str, Any]:
        if row.state not in (State.OPEN, State.IN_REVIEW):
            raise ConflictError(
                f"alert {alert_id} is {row.state}: only an open or in-review alert is decided"
            )
        return {
            "state": State.DECIDED.value,
            "outcome": chosen.value,
            "reason": reason.strip(),
            "decided_by": by.name,
            "approved_by": None,
        }

    detail = {"outcome": chosen.value, "reason": reason.strip()}
    return _transition(engine, alert_id, by, audit.Action.ALERT_DECIDE, check, detail)


def _four_eyes(row: Any, by: audit.Actor, alert_id: int) -> None:
    if row.state != State.DECIDED:
        raise ConflictError(f"alert {alert_id} is {row.state}: only a decided alert is approved or returned")
    if row.decided_by == by.name:
        raise ForbiddenError(
            f"{by.name} decided alert {alert_id} and may not approve or return it (four eyes)"
        )


def approve(engine: Engine, alert_id: int, *, by: audit.Actor) -> Alert:
    """Approve someone else's decision (four eyes)."""
    _require_role(by, Permission.ALERT_APPROVE)

    def check(row: Any) -> dict[str, Any]:
        _four_eyes(row, by, alert_id)
        return {"state": State.APPROVED.value, "approved_by": by.name}

    return _transition(engine, alert_id, by, audit.Action.ALERT_APPROVE, check, {})


def send_back(engine: Engine, alert_id: int, reason: str, *, by: audit.Actor) -> Alert:
    """Return a decision to review (four eyes, like approval); the decision is cleared."""
    _require_role(by, Permission.ALERT_APPROVE)
    if not reason.strip():
        raise InputError("reason", "a return needs a reason")

    def check(row: Any) -> dict[str, Any]:
        _four_eyes(row, by, alert_id)
        return {"state": State.IN_REVIEW.value, "outcome": None, "decided_by": None}

    return _transition(engine, alert_id, by, audit.Action.ALERT_RETURN, check, {"reason": reason.strip()})


# --- case file -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Case:
    """One alert with what its review needs: the party as the portfolio holds it and
    the listed entity as it stood in the list version that raised the alert."""

    alert: Alert
    party: dict[str, Any]
    listed: dict[str, Any] | None

    def to_dict(self) -> dict[str, Any]:
        """The case file for a regulator: the party, the listed entity, the evidence
        and every decision with its author."""
        alert = self.alert
        return {
            "alert": {k: v for k, v in alert.to_dict().items() if k not in ("explanation", "events")},
            "party": self.party,
            "listed_entity": {
                "version_id": alert.list_version_id,
                "digest": alert.entity_digest,
                "record": self.listed,
            },
            "evidence": alert.explanation,
            "history": [e.to_dict() for e in alert.events],
        }


def case(engine: Engine, alert_id: int) -> Case:
    """The alert, its party and its listed entity, read once (NotFoundError for an unknown id)."""
    alert = get(engine, alert_id)
    with read_snapshot(engine) as conn:
        entity = store.entity_data(conn, alert.list_version_id, alert.entity_id)
        party = None
        latest = store.latest_version(conn)
        if latest is not None:
            party = next((p.data for p in store.party_rows_by_id(conn, latest.id, [alert.party_id])), None)
    return Case(alert, {"id": alert.party_id, "name": alert.party_name, **(party or {})}, entity)


def case_file(engine: Engine, alert_id: int) -> dict[str, Any]:
    """The case file of an alert as plain data (JSON, or `case_file_html`)."""
    return case(engine, alert_id).to_dict()


def _html_value(value: Any) -> str:
    if isinstance(value, dict):
        rows = "".join(
            f"<tr><th>{html.escape(str(k))}</th><td>{_html_value(v)}</td></tr>" for k, v in value.items()
        )
        return f"<table>{rows}</table>"
    if isinstance(value, list):
        return "<ul>" + "".join(f"<li>{_html_value(v)}</li>" for v in value) + "</ul>"
    return html.escape("" if value is None else str(value))


def case_file_html(case: dict[str, Any]) -> str:
    """The case file as one self-contained HTML page; every value is escaped."""
    title = html.escape(f"Case file: alert {case['alert']['id']}")
    sections = "".join(
        f"<h2>{html.escape(heading)}</h2>{_html_value(case[key])}"
        for heading, key in (
            ("Alert", "alert"),
            ("Party", "party"),
            ("Listed entity as it stood", "listed_entity"),
            ("Evidence", "evidence"),
            ("Decisions and history", "history"),
        )
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title></head><body><h1>{title}</h1>{sections}</body></html>\n"
    )
