"""Doses linked to the adverse event that held, delayed or reduced them (``administration.adverse_event_id``,
``cycle_start.adverse_event_id``), and a dose above the planned one given on purpose
(``administration.allow_above_planned``, false for every dose recorded before). New nullable or defaulted
columns only: every row is kept. Written by hand and checked against the models by
tests/store/test_migration_matches_models.py.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 13:10:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch mode: SQLite cannot add a foreign key to a table in place, so the table is copied (every row kept)
    with op.batch_alter_table("administration") as batch:
        batch.add_column(sa.Column("adverse_event_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("allow_above_planned", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch.create_index(batch.f("ix_administration_adverse_event_id"), ["adverse_event_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_administration_adverse_event_id_adverse_event"), "adverse_event", ["adverse_event_id"], ["id"]
        )
    with op.batch_alter_table("cycle_start") as batch:
        batch.add_column(sa.Column("adverse_event_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_cycle_start_adverse_event_id"), ["adverse_event_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_cycle_start_adverse_event_id_adverse_event"), "adverse_event", ["adverse_event_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("cycle_start") as batch:
        batch.drop_constraint(batch.f("fk_cycle_start_adverse_event_id_adverse_event"), type_="foreignkey")
        batch.drop_index(batch.f("ix_cycle_start_adverse_event_id"))
        batch.drop_column("adverse_event_id")
    with op.batch_alter_table("administration") as batch:
        batch.drop_constraint(batch.f("fk_administration_adverse_event_id_adverse_event"), type_="foreignkey")
        batch.drop_index(batch.f("ix_administration_adverse_event_id"))
        batch.drop_column("allow_above_planned")
        batch.drop_column("adverse_event_id")
