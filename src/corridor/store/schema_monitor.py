"""Tables of the portfolio, the monitoring runs and the alerts (SQLAlchemy Core).
Migration 0005 creates exactly these.

portfolio_versions  one row per portfolio import (or removal): every version is kept;
                    the newest is the portfolio
parties             one row per party per portfolio version, the party as canonical
                    JSON (the screening query) and its digest
monitor_runs        one row per monitoring run: full or delta, what it re-screened
alerts              one row per (party, listed entity): its state, the score, the
                    explanation, the list version that raised it and the digests of
                    both sides (an approved false positive stays quiet until either
                    digest changes)
alert_events        every transition, comment, assignment and decision of an alert
                    (who, when, what): the case history a case file shows
monitor_keys        (migration 0007) one row: the portfolio's inverted retrieval keys
                    (`match.reach.PartyKeys`) as the last run left them, for the
                    delta after a list update; a cache a full run rebuilds
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

portfolio_versions = Table(
    "portfolio_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("source", Text, nullable=False),  # the file imported, or "remove <id>"
    Column("sha256", String(64), nullable=False),
    Column("party_count", Integer, nullable=False),
)

parties = Table(
    "parties",
    metadata,
    Column("version_id", Integer, ForeignKey("portfolio_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("party_id", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("schema", Text, nullable=False),
    Column("digest", String(40), nullable=False),
    Column("data", Text, nullable=False),
)

monitor_runs = Table(
    "monitor_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", String(32), nullable=False),
    Column("kind", Text, nullable=False),  # full / delta
    Column("portfolio_version", Integer, nullable=False),
    Column("list_versions", Text, nullable=False),  # canonical JSON: list -> version id
    Column("parties", Integer, nullable=False),
    Column("screened", Integer, nullable=False),
    Column("raised", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("delisted", Integer, nullable=False),
    Column("seconds", Float, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("party_id", Text, nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("kind", Text, nullable=False),  # new / changed / delisted
    Column("state", Text, nullable=False),  # open / in_review / decided / approved
    Column("outcome", Text, nullable=True),  # true_match / false_positive / inconclusive
    Column("reason", Text, nullable=True),
    Column("decided_by", Text, nullable=True),
    Column("approved_by", Text, nullable=True),
    Column("assignee", Text, nullable=True),
    Column("escalated", Boolean, nullable=False, default=False),
    Column("score", Float, nullable=False),
    Column("caption", Text, nullable=False),
    Column("party_name", Text, nullable=False),
    Column("explanation", Text, nullable=False),  # JSON: the hit as screening explained it
    Column("list_version_id", Integer, nullable=False),
    Column("entity_digest", String(40), nullable=False),
    Column("party_digest", String(40), nullable=False),
    Column("raised_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("run_id", Integer, nullable=True),
    UniqueConstraint("party_id", "entity_id", name="uq_alerts_pair"),
)
Index("ix_alerts_state", alerts.c.state, alerts.c.id)
Index("ix_alerts_entity", alerts.c.entity_id)
# the alert queue: a page by state, sorted by score or age (migration 0007)
Index("ix_alerts_state_score", alerts.c.state, alerts.c.score, alerts.c.id)
Index("ix_alerts_state_raised", alerts.c.state, alerts.c.raised_at, alerts.c.id)
Index("ix_alerts_score", alerts.c.score, alerts.c.id)
Index("ix_alerts_raised", alerts.c.raised_at, alerts.c.id)

alert_events = Table(
    "alert_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON
)
Index("ix_alert_events_alert", alert_events.c.alert_id)

monitor_keys = Table(
    "monitor_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("portfolio_version", Integer, nullable=False),
    Column("list_versions", Text, nullable=False),  # canonical JSON: list -> version id
    Column("at", String(32), nullable=False),
    Column("parties", Integer, nullable=False),
    Column("near", Text, nullable=False),  # JSON: parties just under the threshold at their last screening
    Column("data", LargeBinary, nullable=False),  # match.reach.PartyKeys.to_bytes
)
