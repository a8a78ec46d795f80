"""Portfolio, monitoring runs, alerts and their events.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "portfolio_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("party_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "parties",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("portfolio_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("party_id", sa.Text, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("schema", sa.Text, nullable=False),
        sa.Column("digest", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_table(
        "monitor_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("portfolio_version", sa.Integer, nullable=False),
        sa.Column("list_versions", sa.Text, nullable=False),
        sa.Column("parties", sa.Integer, nullable=False),
        sa.Column("screened", sa.Integer, nullable=False),
        sa.Column("raised", sa.Integer, nullable=False),
        sa.Column("changed", sa.Integer, nullable=False),
        sa.Column("delisted", sa.Integer, nullable=False),
        sa.Column("seconds", sa.Float, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("party_id", sa.Text, nullable=False),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("kind", sa.Text, nullable=False),
        sa.Column("state", sa.Text, nullable=False),
        sa.Column("outcome", sa.Text, nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("decided_by", sa.Text, nullable=True),
        sa.Column("approved_by", sa.Text, nullable=True),
        sa.Column("assignee", sa.Text, nullable=True),
        sa.Column("escalated", sa.Boolean, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("party_name", sa.Text, nullable=False),
        sa.Column("explanation", sa.Text, nullable=False),
        sa.Column("list_version_id", sa.Integer, nullable=False),
        sa.Column("entity_digest", sa.String(40), nullable=False),
        sa.Column("party_digest", sa.String(40), nullable=False),
        sa.Column("raised_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
        sa.Column("run_id", sa.Integer, nullable=True),
        sa.UniqueConstraint("party_id", "entity_id", name="uq_alerts_pair"),
    )
    op.create_index("ix_alerts_state", "alerts", ["state", "id"])
    op.create_index("ix_alerts_entity", "alerts", ["entity_id"])
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id", ondelete="CASCADE"), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("action", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_alert_events_alert", "alert_events", ["alert_id"])


def downgrade() -> None:
    op.drop_table("alert_events")
    op.drop_table("alerts")
    op.drop_table("monitor_runs")
    op.drop_table("parties")
    op.drop_table("portfolio_versions")
