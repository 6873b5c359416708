"""Sign-offs (``sign_off``): an investigator's attestation of one version of a screening or an assessment. A new
table only: no existing table changes. Written from the model in ``oncotrial.store.models.signoff`` and checked
against it by tests/store/test_migration_matches_models.py.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 16:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sign_off",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("record_table", sa.String(length=32), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("record_version", sa.Integer(), nullable=False),
        sa.Column("signed_by", sa.Integer(), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_sign_off_patient_id_patient")),
        sa.ForeignKeyConstraint(["signed_by"], ["app_user.id"], name=op.f("fk_sign_off_signed_by_app_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_off")),
        sa.UniqueConstraint(
            "record_table",
            "record_id",
            "record_version",
            name=op.f("uq_sign_off_record_table_record_id_record_version"),
        ),
    )
    op.create_index(op.f("ix_sign_off_patient_id"), "sign_off", ["patient_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_sign_off_patient_id"), table_name="sign_off")
    op.drop_table("sign_off")
