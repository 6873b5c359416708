"""Alembic environment: the engine comes from :func:`oncotrial.store.migrate` (never from a settings file)."""

from alembic import context

from oncotrial.store.models import Base

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    # SQLite cannot ALTER most constraints: batch mode copies the table, keeping its rows
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
