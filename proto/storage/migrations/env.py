"""Alembic environment: migrations run on the connection Proto hands over."""

from alembic import context

connection = context.config.attributes["connection"]
# Batch mode lets ALTER TABLE migrations run on SQLite too.
context.configure(connection=connection, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
