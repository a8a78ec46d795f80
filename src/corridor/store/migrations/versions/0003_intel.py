"""Reports into facts: stories, reports and their facts (corridor.store.intel).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "intel_stories",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "intel_reports",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("story_id", sa.Integer, sa.ForeignKey("intel_stories.id"), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("report_date", sa.String(10), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("partial", sa.Boolean, nullable=False),
        sa.Column("warnings", sa.Text, nullable=False),
        sa.Column("signature", sa.Text, nullable=False),
        sa.Column("shingles", sa.Integer, nullable=False),
        sa.Column("story_score", sa.Float, nullable=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("screening", sa.Text, nullable=False),
        sa.Column("checks", sa.Text, nullable=False),
        sa.Column("ingested_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("sha256", name="uq_intel_reports_sha256"),
    )
    op.create_index("ix_intel_reports_story", "intel_reports", ["story_id"])
    op.create_table(
        "intel_facts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "report_id", sa.Integer, sa.ForeignKey("intel_reports.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("attrs", sa.Text, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
        sa.Column("span_start", sa.Integer, nullable=False),
        sa.Column("span_end", sa.Integer, nullable=False),
        sa.Column("sentence", sa.Text, nullable=False),
    )
    op.create_index("ix_intel_facts_key", "intel_facts", ["kind", "key"])
    op.create_index("ix_intel_facts_report", "intel_facts", ["report_id"])


def downgrade() -> None:
    for table in ("intel_facts", "intel_reports", "intel_stories"):
        op.drop_table(table)
