"""Initial schema: list versions, entities, references, programs, audit, cap ledger.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("format", sa.Text, nullable=False),
        sa.Column("published", sa.Text, nullable=False),
        sa.Column("published_inferred", sa.Boolean, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("files", sa.Text, nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("record_count", sa.Integer, nullable=False),
        sa.Column("declared_count", sa.Integer, nullable=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.UniqueConstraint("source", "sha256", name="uq_list_versions_source_sha"),
    )
    op.create_index("ix_list_versions_source", "list_versions", ["source"])
    op.create_table(
        "entities",
        sa.Column(
            "version_id", sa.Integer, sa.ForeignKey("list_versions.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("entity_id", sa.Text, primary_key=True),
        sa.Column("schema", sa.Text, nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("list_ref", sa.Text, nullable=False),
        sa.Column("digest", sa.String(40), nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_entities_entity_id", "entities", ["entity_id"])
    op.create_table(
        "entity_refs",
        sa.Column(
            "version_id", sa.Integer, sa.ForeignKey("list_versions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("un_ref", sa.Text, nullable=False),
    )
    op.create_index("ix_entity_refs_un_ref", "entity_refs", ["un_ref"])
    op.create_index("ix_entity_refs_version", "entity_refs", ["version_id"])
    op.create_table(
        "entity_programs",
        sa.Column(
            "version_id", sa.Integer, sa.ForeignKey("list_versions.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("entity_id", sa.Text, nullable=False),
        sa.Column("program", sa.Text, nullable=False),
    )
    op.create_index("ix_entity_programs_version", "entity_programs", ["version_id"])
    op.create_table(
        "import_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("outcome", sa.Text, nullable=False),
        sa.Column("version_id", sa.Integer, nullable=True),
        sa.Column("message", sa.Text, nullable=False),
    )
    op.create_table(
        "cap_ledger",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cap_id", sa.Text, nullable=False),
        sa.Column("period", sa.Text, nullable=False),
        sa.Column("transaction_id", sa.Text, nullable=False),
        sa.Column("line_no", sa.Integer, nullable=False),
        sa.Column("shipment_date", sa.String(10), nullable=False),
        sa.Column("hs_code", sa.Text, nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("quantity", sa.Numeric(20, 6), nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("barrels", sa.Numeric(20, 6), nullable=False),
        sa.Column("tonnes", sa.Numeric(20, 6), nullable=True),
        sa.Column("conversion", sa.Text, nullable=False),
        sa.Column("notification_ref", sa.Text, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("cap_id", "transaction_id", "line_no", name="uq_cap_ledger_line"),
    )
    op.create_index("ix_cap_ledger_period", "cap_ledger", ["cap_id", "period"])


def downgrade() -> None:
    for table in (
        "cap_ledger",
        "import_events",
        "entity_programs",
        "entity_refs",
        "entities",
        "list_versions",
    ):
        op.drop_table(table)
