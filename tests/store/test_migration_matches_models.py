"""The schema that migration 0001 creates is the one the models describe (on SQLite and PostgreSQL), so a
column added to a model without the migration (or the other way round) fails here, not in production."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from oncotrial.store import Store
from oncotrial.store.models import Base


def test_migrated_schema_has_no_difference_from_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []
