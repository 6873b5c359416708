"""Data queries (``data_query``): a question raised on a patient's data, the site's answer, its closing. A new
table only: no existing table changes. Written from the model in ``oncotrial.store.models.query`` and checked
against it by tests/store/test_migration_matches_models.py.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 14:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "data_query",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("record_table", sa.String(length=64), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=64), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("raised_by", sa.Integer(), nullable=False),
        sa.Column("raised_at", sa.DateTime(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("answered_by", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_data_query_patient_id_patient")),
        sa.ForeignKeyConstraint(["raised_by"], ["app_user.id"], name=op.f("fk_data_query_raised_by_app_user")),
        sa.ForeignKeyConstraint(["answered_by"], ["app_user.id"], name=op.f("fk_data_query_answered_by_app_user")),
        sa.ForeignKeyConstraint(["closed_by"], ["app_user.id"], name=op.f("fk_data_query_closed_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_query")),
    )
    op.create_index(op.f("ix_data_query_patient_id"), "data_query", ["patient_id"], unique=False)
    op.create_index(op.f("ix_data_query_status"), "data_query", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_data_query_status"), table_name="data_query")
    op.drop_index(op.f("ix_data_query_patient_id"), table_name="data_query")
    op.drop_table("data_query")
