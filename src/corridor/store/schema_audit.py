"""Tables of the audit trail and the API keys (SQLAlchemy Core).  Migration 0004
creates exactly these, with the append-only triggers named here.

audit_records  the hash-chained audit trail: one row per screening, check, import,
               key change or alert decision; rows are never updated or deleted
audit_head     one row (id 1): the sequence number and hash of the newest record.
               Appenders lock it (FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on
               SQLite) so the chain cannot fork; `verify` compares it with the last
               record, so a cut-off tail is seen too
api_keys       API keys: a non-secret key id for lookup, a salted PBKDF2 hash of the
               key (never the key), name, role, when created, last used, revoked
users          web sign-in accounts (migration 0006): name, role, an argon2id hash
               of the password (never the password), when created, when the
               password last changed, when disabled

Times in `audit_records.at` are text (`2026-12-03T07:42:26.123456Z`) because they
are hashed: a DateTime column would come back from SQLite without its time zone
and the recomputed hash would differ.
"""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# the hash a first record points back to
GENESIS_HASH = "0" * 64

audit_records = Table(
    "audit_records",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),
    Column("at", String(32), nullable=False),
    Column("actor", Text, nullable=False),
    Column("role", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("action", Text, nullable=False),
    Column("request_sha256", String(64), nullable=False),
    Column("versions", Text, nullable=False),  # canonical JSON: list -> {version_id, sha256}
    Column("summary", Text, nullable=False),  # canonical JSON: hits and scores, or the verdict
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)
# Separate unique indexes (not table constraints) so a test can drop them the way
# a database superuser could, and show that `verify` still finds the tampering.
Index("uq_audit_records_prev_hash", audit_records.c.prev_hash, unique=True)
Index("uq_audit_records_hash", audit_records.c.hash, unique=True)
Index("ix_audit_records_at", audit_records.c.at)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),  # always 1
    Column("seq", Integer, nullable=False),
    Column("hash", String(64), nullable=False),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key_id", String(16), nullable=False, unique=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("kdf", Text, nullable=False),  # "pbkdf2_sha256$<iterations>"
    Column("salt", String(64), nullable=False),  # hex
    Column("key_hash", String(128), nullable=False),  # hex
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False, unique=True),
    Column("role", Text, nullable=False),
    Column("password_hash", Text, nullable=False),  # argon2id, PHC string format
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("password_changed_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True), nullable=True),
)

# Trigger (and on PostgreSQL, function) names: the migration creates them; tests
# drop them to play a superuser who tampers with the trail.
SQLITE_TRIGGERS = ("audit_records_no_update", "audit_records_no_delete")
POSTGRES_TRIGGERS = ("audit_records_append_only", "audit_records_no_truncate")
POSTGRES_FUNCTION = "corridor_audit_append_only"
