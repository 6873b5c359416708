"""Initial schema: trials, protocol versions, sites, users, patients (identity apart), consent, screening,
randomisation (the concealed list apart), dosing, tumour assessments, adverse events, labs, samples,
disposition, and the audit trail. Written by Alembic's autogenerate from the models, then reviewed by hand.

Revision ID: 0001
Revises:
Create Date: 2026-11-30 09:02:32.572127
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("table_name", sa.String(length=64), nullable=False),
        sa.Column("record_id", sa.BigInteger(), nullable=False),
        sa.Column("old_values", sa.Text(), nullable=True),
        sa.Column("new_values", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_entry")),
    )
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_record", ["table_name", "record_id", "seq"], unique=False)

    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "trial",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("current_protocol_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trial")),
        sa.UniqueConstraint("code", name=op.f("uq_trial_code")),
    )
    op.create_table(
        "allocation_secret",
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("block_sizes", sa.Text(), nullable=False),
        sa.Column("n_per_stratum", sa.Integer(), nullable=False),
        sa.Column("factors", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], name=op.f("fk_allocation_secret_trial_id_trial")),
        sa.PrimaryKeyConstraint("trial_id", name=op.f("pk_allocation_secret")),
    )
    op.create_table(
        "protocol_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("protocol_id", sa.String(length=64), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], name=op.f("fk_protocol_version_trial_id_trial")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_protocol_version")),
        sa.UniqueConstraint("trial_id", "number", name=op.f("uq_protocol_version_trial_id_number")),
        sa.UniqueConstraint("trial_id", "sha256", name=op.f("uq_protocol_version_trial_id_sha256")),
    )
    op.create_table(
        "site",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], name=op.f("fk_site_trial_id_trial")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site")),
        sa.UniqueConstraint("trial_id", "code", name=op.f("uq_site_trial_id_code")),
    )
    op.create_table(
        "app_user",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.Text(), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_app_user_site_id_site")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_app_user")),
        sa.UniqueConstraint("username", name=op.f("uq_app_user_username")),
    )
    op.create_table(
        "patient",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("enrolment_number", sa.Integer(), nullable=False),
        sa.Column("protocol_version_id", sa.Integer(), nullable=True),
        sa.Column("enrolled_on", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(length=16), nullable=True),
        sa.Column("age", sa.Double(), nullable=True),
        sa.Column("age_unit", sa.String(length=16), nullable=True),
        sa.Column("race", sa.Text(), nullable=True),
        sa.Column("ethnicity", sa.Text(), nullable=True),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("deleted_on", sa.DateTime(), nullable=True),
        sa.Column("deleted_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["protocol_version_id"],
            ["protocol_version.id"],
            name=op.f("fk_patient_protocol_version_id_protocol_version"),
        ),
        sa.ForeignKeyConstraint(["site_id"], ["site.id"], name=op.f("fk_patient_site_id_site")),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], name=op.f("fk_patient_trial_id_trial")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient")),
        sa.UniqueConstraint("trial_id", "enrolment_number", name=op.f("uq_patient_trial_id_enrolment_number")),
        sa.UniqueConstraint("trial_id", "subject_id", name=op.f("uq_patient_trial_id_subject_id")),
    )
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_patient_site_id"), ["site_id"], unique=False)

    op.create_table(
        "administration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("treatment", sa.String(length=128), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("given_at", sa.DateTime(), nullable=True),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.Column("amount", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("percent", sa.Double(), nullable=True),
        sa.Column("route", sa.String(length=64), nullable=True),
        sa.Column("form", sa.String(length=64), nullable=True),
        sa.Column("frequency", sa.String(length=64), nullable=True),
        sa.Column("visit", sa.String(length=64), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_administration_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_administration")),
        sa.UniqueConstraint(
            "patient_id",
            "treatment",
            "cycle",
            "number",
            name=op.f("uq_administration_patient_id_treatment_cycle_number"),
        ),
    )
    with op.batch_alter_table("administration", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_administration_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "adverse_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("term", sa.Text(), nullable=False),
        sa.Column("decoded_term", sa.Text(), nullable=True),
        sa.Column("body_system", sa.Text(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("severity", sa.String(length=16), nullable=True),
        sa.Column("onset", sa.Date(), nullable=False),
        sa.Column("onset_partial", sa.String(length=10), nullable=True),
        sa.Column("pre_consent", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Date(), nullable=True),
        sa.Column("attribution", sa.String(length=32), nullable=True),
        sa.Column("serious", sa.Boolean(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_adverse_event_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_event")),
    )
    with op.batch_alter_table("adverse_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_adverse_event_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "allocation_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trial_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=256), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("block_size", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_allocation_slot_patient_id_patient")),
        sa.ForeignKeyConstraint(["trial_id"], ["trial.id"], name=op.f("fk_allocation_slot_trial_id_trial")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allocation_slot")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_allocation_slot_patient_id")),
        sa.UniqueConstraint(
            "trial_id", "stratum", "sequence", name=op.f("uq_allocation_slot_trial_id_stratum_sequence")
        ),
    )
    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("visit", sa.String(length=64), nullable=False),
        sa.Column("visit_number", sa.Double(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_assessment_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment")),
        sa.UniqueConstraint(
            "patient_id",
            "evaluator",
            "evaluator_id",
            "visit",
            name=op.f("uq_assessment_patient_id_evaluator_evaluator_id_visit"),
        ),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assessment_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "consent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("form_version", sa.String(length=64), nullable=False),
        sa.Column("consent_date", sa.Date(), nullable=False),
        sa.Column("withdrawn_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_consent_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent")),
    )
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consent_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "crossover",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("from_arm", sa.String(length=64), nullable=False),
        sa.Column("to_arm", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=True),
        sa.Column("analysed_in_arm", sa.String(length=64), nullable=False),
        sa.Column("crossover_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_crossover_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crossover")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_crossover_patient_id")),
    )
    op.create_table(
        "cycle_start",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.Integer(), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_cycle_start_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle_start")),
        sa.UniqueConstraint("patient_id", "cycle", name=op.f("uq_cycle_start_patient_id_cycle")),
    )
    with op.batch_alter_table("cycle_start", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cycle_start_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "disposition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decoded", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("visit", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_disposition_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposition")),
    )
    with op.batch_alter_table("disposition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_disposition_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "lab_result",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("test_code", sa.String(length=16), nullable=False),
        sa.Column("test_name", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("normal_low", sa.Double(), nullable=True),
        sa.Column("normal_high", sa.Double(), nullable=True),
        sa.Column("collected_at", sa.DateTime(), nullable=True),
        sa.Column("visit", sa.String(length=64), nullable=True),
        sa.Column("visit_number", sa.Double(), nullable=True),
        sa.Column("baseline", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_lab_result_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lab_result")),
    )
    with op.batch_alter_table("lab_result", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lab_result_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "lesion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("location", sa.Text(), nullable=True),
        sa.Column("method", sa.String(length=64), nullable=True),
        sa.Column("identified_on", sa.String(length=10), nullable=False),
        sa.Column("visit", sa.String(length=64), nullable=True),
        sa.Column("visit_number", sa.Double(), nullable=True),
        sa.Column("irradiated", sa.Boolean(), nullable=False),
        sa.Column("accepted", sa.String(length=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_lesion_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lesion")),
        sa.UniqueConstraint(
            "patient_id",
            "evaluator",
            "evaluator_id",
            "code",
            name=op.f("uq_lesion_patient_id_evaluator_evaluator_id_code"),
        ),
    )
    with op.batch_alter_table("lesion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lesion_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "patient_identity",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_patient_identity_patient_id_patient")),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_patient_identity")),
    )
    op.create_table(
        "randomisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=64), nullable=False),
        sa.Column("stratum", sa.String(length=256), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("randomised_on", sa.Date(), nullable=False),
        sa.Column("factors", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_randomisation_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_randomisation")),
        sa.UniqueConstraint("patient_id", name=op.f("uq_randomisation_patient_id")),
    )
    op.create_table(
        "recorded_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("evaluator", sa.String(length=64), nullable=False),
        sa.Column("evaluator_id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("test_code", sa.String(length=16), nullable=False),
        sa.Column("test_name", sa.Text(), nullable=True),
        sa.Column("visit", sa.String(length=64), nullable=False),
        sa.Column("visit_number", sa.Double(), nullable=True),
        sa.Column("assessed_on", sa.Date(), nullable=True),
        sa.Column("original", sa.String(length=64), nullable=True),
        sa.Column("response", sa.String(length=64), nullable=True),
        sa.Column("not_done_reason", sa.Text(), nullable=True),
        sa.Column("link_group", sa.String(length=64), nullable=True),
        sa.Column("accepted", sa.String(length=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_recorded_response_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recorded_response")),
        sa.UniqueConstraint(
            "patient_id",
            "evaluator",
            "evaluator_id",
            "test_code",
            "visit",
            "assessed_on",
            "category",
            name="uq_recorded_response_reader_test_visit",
        ),
    )
    with op.batch_alter_table("recorded_response", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_recorded_response_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "sample",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("analyte", sa.String(length=64), nullable=False),
        sa.Column("analyte_name", sa.Text(), nullable=True),
        sa.Column("specimen", sa.String(length=64), nullable=True),
        sa.Column("collected_at", sa.DateTime(), nullable=True),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("value_text", sa.Text(), nullable=True),
        sa.Column("unit", sa.String(length=32), nullable=True),
        sa.Column("blq", sa.Boolean(), nullable=False),
        sa.Column("lloq", sa.Double(), nullable=True),
        sa.Column("timepoint", sa.String(length=64), nullable=True),
        sa.Column("timepoint_hours", sa.Double(), nullable=True),
        sa.Column("visit", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_sample_patient_id_patient")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sample")),
    )
    with op.batch_alter_table("sample", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sample_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "screening",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("screened_at", sa.DateTime(), nullable=False),
        sa.Column("record_json", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("protocol_version_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_screening_patient_id_patient")),
        sa.ForeignKeyConstraint(
            ["protocol_version_id"],
            ["protocol_version.id"],
            name=op.f("fk_screening_protocol_version_id_protocol_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening")),
    )
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_patient_id"), ["patient_id"], unique=False)

    op.create_table(
        "treatment_start",
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("arm", sa.String(length=64), nullable=False),
        sa.Column("start", sa.DateTime(), nullable=False),
        sa.Column("weight_kg", sa.Double(), nullable=True),
        sa.Column("height_cm", sa.Double(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patient.id"], name=op.f("fk_treatment_start_patient_id_patient")),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_treatment_start")),
    )
    op.create_table(
        "measurement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("lesion_id", sa.Integer(), nullable=True),
        sa.Column("test_code", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Double(), nullable=True),
        sa.Column("unit", sa.String(length=16), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=True),
        sa.Column("original", sa.String(length=64), nullable=True),
        sa.Column("original_unit", sa.String(length=16), nullable=True),
        sa.Column("not_done_reason", sa.Text(), nullable=True),
        sa.Column("measured_on", sa.String(length=10), nullable=True),
        sa.Column("method", sa.String(length=64), nullable=True),
        sa.Column("link_group", sa.String(length=64), nullable=True),
        sa.Column("accepted", sa.String(length=4), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_measurement_assessment_id_assessment")
        ),
        sa.ForeignKeyConstraint(["lesion_id"], ["lesion.id"], name=op.f("fk_measurement_lesion_id_lesion")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_measurement")),
        sa.UniqueConstraint(
            "assessment_id",
            "lesion_id",
            "test_code",
            "measured_on",
            name=op.f("uq_measurement_assessment_id_lesion_id_test_code_measured_on"),
        ),
    )
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_measurement_assessment_id"), ["assessment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_measurement_lesion_id"), ["lesion_id"], unique=False)

    op.create_table(
        "screening_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("type", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["screening_id"], ["screening.id"], name=op.f("fk_screening_criterion_screening_id_screening")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screening_criterion")),
        sa.UniqueConstraint(
            "screening_id", "criterion_id", name=op.f("uq_screening_criterion_screening_id_criterion_id")
        ),
    )
    with op.batch_alter_table("screening_criterion", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_screening_criterion_screening_id"), ["screening_id"], unique=False)

    op.create_table(
        "timepoint_response",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=32), nullable=True),
        sa.Column("non_target", sa.String(length=32), nullable=True),
        sa.Column("new_lesions", sa.String(length=16), nullable=True),
        sa.Column("overall", sa.String(length=16), nullable=False),
        sa.Column("rule_id", sa.String(length=64), nullable=False),
        sa.Column("sum_of_diameters", sa.Double(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assessment_id"], ["assessment.id"], name=op.f("fk_timepoint_response_assessment_id_assessment")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_timepoint_response")),
        sa.UniqueConstraint("assessment_id", name=op.f("uq_timepoint_response_assessment_id")),
    )


def downgrade() -> None:
    op.drop_table("timepoint_response")
    with op.batch_alter_table("screening_criterion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_criterion_screening_id"))

    op.drop_table("screening_criterion")
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_measurement_lesion_id"))
        batch_op.drop_index(batch_op.f("ix_measurement_assessment_id"))

    op.drop_table("measurement")
    op.drop_table("treatment_start")
    with op.batch_alter_table("screening", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_screening_patient_id"))

    op.drop_table("screening")
    with op.batch_alter_table("sample", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sample_patient_id"))

    op.drop_table("sample")
    with op.batch_alter_table("recorded_response", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recorded_response_patient_id"))

    op.drop_table("recorded_response")
    op.drop_table("randomisation")
    op.drop_table("patient_identity")
    with op.batch_alter_table("lesion", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lesion_patient_id"))

    op.drop_table("lesion")
    with op.batch_alter_table("lab_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lab_result_patient_id"))

    op.drop_table("lab_result")
    with op.batch_alter_table("disposition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_disposition_patient_id"))

    op.drop_table("disposition")
    with op.batch_alter_table("cycle_start", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cycle_start_patient_id"))

    op.drop_table("cycle_start")
    op.drop_table("crossover")
    with op.batch_alter_table("consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consent_patient_id"))

    op.drop_table("consent")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessment_patient_id"))

    op.drop_table("assessment")
    op.drop_table("allocation_slot")
    with op.batch_alter_table("adverse_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_adverse_event_patient_id"))

    op.drop_table("adverse_event")
    with op.batch_alter_table("administration", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_administration_patient_id"))

    op.drop_table("administration")
    with op.batch_alter_table("patient", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_site_id"))

    op.drop_table("patient")
    op.drop_table("app_user")
    op.drop_table("site")
    op.drop_table("protocol_version")
    op.drop_table("allocation_secret")
    op.drop_table("trial")
    op.drop_table("audit_head")
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_record")

    op.drop_table("audit_entry")
