"""Alembic environment: run with the connection handed over by corridor.store.db."""

from alembic import context

from corridor.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only through corridor.store.db.migrate
    raise RuntimeError("run migrations through corridor.store.db.migrate()")
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
