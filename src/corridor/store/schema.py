"""Database tables (SQLAlchemy Core).  Alembic migrations in `migrations/` create
exactly these; a change here needs a new migration.

list_versions   one row per imported list file (or file set): every version is kept;
                at most one active per list (a partial unique index)
entities        one row per entity per version, the entity as canonical JSON
entity_refs     UN reference numbers each entity is or cites (cross-list lookup)
entity_programs program / regime tags per entity (status counts)
import_events   the audit trail of every import attempt, failed ones included
cap_ledger      petroleum shipments counted against the UN caps (trade checks)
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

list_versions = Table(
    "list_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source", Text, nullable=False, index=True),
    Column("format", Text, nullable=False),
    Column("published", Text, nullable=False, default=""),
    Column("published_inferred", Boolean, nullable=False, default=False),
    Column("sha256", String(64), nullable=False),
    Column("files", Text, nullable=False, default=""),  # JSON list of file names
    Column("imported_at", DateTime(timezone=True), nullable=False),
    Column("record_count", Integer, nullable=False),
    Column("declared_count", Integer, nullable=True),
    Column("active", Boolean, nullable=False, default=False),
    UniqueConstraint("source", "sha256", name="uq_list_versions_source_sha"),
)
# at most one active version per list, guaranteed by the database (revision 0002)
Index(
    "uq_list_versions_one_active",
    list_versions.c.source,
    unique=True,
    postgresql_where=list_versions.c.active,
    sqlite_where=list_versions.c.active,
)

entities = Table(
    "entities",
    metadata,
    Column("version_id", Integer, ForeignKey("list_versions.id", ondelete="CASCADE"), primary_key=True),
    Column("entity_id", Text, primary_key=True),
    Column("schema", Text, nullable=False),
    Column("caption", Text, nullable=False),
    Column("list_ref", Text, nullable=False, default=""),
    Column("digest", String(40), nullable=False),
    Column("data", Text, nullable=False),
)
Index("ix_entities_entity_id", entities.c.entity_id)

entity_refs = Table(
    "entity_refs",
    metadata,
    Column("version_id", Integer, ForeignKey("list_versions.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("un_ref", Text, nullable=False),
)
Index("ix_entity_refs_un_ref", entity_refs.c.un_ref)
Index("ix_entity_refs_version", entity_refs.c.version_id)

entity_programs = Table(
    "entity_programs",
    metadata,
    Column("version_id", Integer, ForeignKey("list_versions.id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", Text, nullable=False),
    Column("program", Text, nullable=False),
)
Index("ix_entity_programs_version", entity_programs.c.version_id)

import_events = Table(
    "import_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("source", Text, nullable=False, default=""),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False, default=""),
    Column("outcome", Text, nullable=False),  # imported / unchanged / failed
    Column("version_id", Integer, nullable=True),
    Column("message", Text, nullable=False, default=""),
)

cap_ledger = Table(
    "cap_ledger",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("cap_id", Text, nullable=False),  # rule id of the cap, e.g. UN-2397-5
    Column("period", Text, nullable=False),  # "2024" or "2023-12-22/2024-12-21"
    Column("transaction_id", Text, nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("shipment_date", String(10), nullable=False),
    Column("hs_code", Text, nullable=False),
    Column("product", Text, nullable=False),
    Column("quantity", Numeric(20, 6), nullable=False),
    Column("unit", Text, nullable=False),
    Column("barrels", Numeric(20, 6), nullable=False),
    Column("tonnes", Numeric(20, 6), nullable=True),
    Column("conversion", Text, nullable=False, default=""),  # factor used and whether verified
    Column("notification_ref", Text, nullable=False, default=""),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("cap_id", "transaction_id", "line_no", name="uq_cap_ledger_line"),
)
Index("ix_cap_ledger_period", cap_ledger.c.cap_id, cap_ledger.c.period)
