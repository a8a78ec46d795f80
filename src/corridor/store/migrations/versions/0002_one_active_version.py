"""At most one active version per list: a partial unique index on list_versions(source).

Before the index is created, a store that already holds several active versions of
one list (possible before this revision, e.g. after two concurrent PostgreSQL
imports) keeps only the newest of them active: the latest publication, then the
latest import.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

INDEX = "uq_list_versions_one_active"


def upgrade() -> None:
    conn = op.get_bind()
    rows = conn.execute(
        sa.text(
            "SELECT id, source FROM list_versions WHERE active = :yes ORDER BY source, published DESC, id DESC"
        ),
        {"yes": True},
    ).fetchall()
    kept: set[str] = set()
    for row in rows:
        if row.source in kept:
            conn.execute(
                sa.text("UPDATE list_versions SET active = :no WHERE id = :id"), {"no": False, "id": row.id}
            )
        kept.add(row.source)
    op.create_index(
        INDEX,
        "list_versions",
        ["source"],
        unique=True,
        postgresql_where=sa.text("active"),
        sqlite_where=sa.text("active"),
    )


def downgrade() -> None:
    op.drop_index(INDEX, table_name="list_versions")
