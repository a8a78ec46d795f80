"""Password sign-in, throttled: too many failures for one account name, or from one
client address, within a window refuse further attempts until the window has moved
past them.

The failures are counted from the audit trail itself (action `sign_in.failed`, one
record per wrong name or password, with the name tried and the client address), so
every server process of one store sees the same count and an auditor sees each
attempt.  A refused attempt checks no password and writes no record: it costs an
attacker nothing to send, so it must cost the store nothing either, and it cannot
prolong its own refusal.  A correct password does not lift a refusal early (that
would tell a guesser it was right).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from corridor.errors import CorridorError, UnauthorizedError
from corridor.services import audit, sessions
from corridor.store import audit as store_audit
from corridor.store.audit import read_snapshot

ANONYMOUS = "anonymous"  # the actor of a failed attempt: nobody has signed in


class SignInRefused(CorridorError):
    """Too many failed sign-ins for the name or the address (HTTP 429)."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        minutes = max(1, math.ceil(retry_after / 60))
        super().__init__(
            f"too many failed sign-ins for this account or from this address: try again in {minutes} min"
        )
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Limits:
    """How many failures (per account name, per client address) within `window` seconds."""

    per_name: int = 5
    per_address: int = 20
    window: float = 900.0


def name_key(name: str) -> str:
    """The form a name is counted under: "Alice " and "alice" are one account to a guesser."""
    return name.strip().casefold()[:64]


def _failures(engine: Engine, since: float) -> list[store_audit.AuditRecord]:
    moment = store_audit.format_time(datetime.fromtimestamp(since, UTC))
    with read_snapshot(engine) as conn:
        return store_audit.records_of(conn, audit.Action.SIGN_IN_FAILED.value, since=moment)


def retry_after(engine: Engine, name: str, address: str, limits: Limits, *, now: float | None = None) -> int:
    """Seconds until `name` may try again from `address` (0: it may now)."""
    moment = now if now is not None else time.time()
    key = name_key(name)
    by_name: list[float] = []
    by_address: list[float] = []
    for record in _failures(engine, moment - limits.window):
        summary = record.summary if isinstance(record.summary, dict) else {}
        at = record.time.timestamp()
        if summary.get("name") == key:
            by_name.append(at)
        if address and summary.get("address") == address:
            by_address.append(at)
    wait = 0.0
    for times, limit in ((by_name, limits.per_name), (by_address, limits.per_address)):
        if len(times) >= limit:
            # the refusal ends when the oldest failure that still makes up the limit leaves the window
            wait = max(wait, sorted(times)[-limit] + limits.window - moment)
    return max(0, math.ceil(wait))


async def open_session(
    engine: Engine,
    recorder: audit.LoopRecorder,
    secret: bytes,
    name: str,
    password: str,
    address: str,
    limits: Limits,
    *,
    endpoint: str,
) -> tuple[str, sessions.Session]:
    """A session for a name and password (UnauthorizedError after recording the
    failure; SignInRefused, recording nothing, while the name or address is over its limit)."""
    wait = retry_after(engine, name, address, limits)
    if wait:
        raise SignInRefused(wait)
    try:
        return sessions.open_user_session(engine, secret, name, password)
    except UnauthorizedError:
        await recorder.record(
            audit.Actor(ANONYMOUS, ANONYMOUS, audit.Channel.WEB),
            audit.Action.SIGN_IN_FAILED,
            {"endpoint": endpoint, "name": name_key(name), "address": address},
            {"name": name_key(name), "address": address},
        )
        raise
