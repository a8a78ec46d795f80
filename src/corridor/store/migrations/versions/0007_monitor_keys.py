"""The stored inverted keys of the portfolio for delta monitoring, and the
indexes the alert queue pages by (state, then score or age).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "monitor_keys",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("portfolio_version", sa.Integer, nullable=False),
        sa.Column("list_versions", sa.Text, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("parties", sa.Integer, nullable=False),
        sa.Column("near", sa.Text, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_alerts_state_score", "alerts", ["state", "score", "id"])
    op.create_index("ix_alerts_state_raised", "alerts", ["state", "raised_at", "id"])
    op.create_index("ix_alerts_score", "alerts", ["score", "id"])
    op.create_index("ix_alerts_raised", "alerts", ["raised_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_raised", "alerts")
    op.drop_index("ix_alerts_score", "alerts")
    op.drop_index("ix_alerts_state_raised", "alerts")
    op.drop_index("ix_alerts_state_score", "alerts")
    op.drop_table("monitor_keys")
