"""The audit trail is append-only in the database itself: triggers refuse every UPDATE and DELETE of
``audit_entry``, whoever sends it (the application never does; raw SQL, another tool or a second program
is refused too). Written by hand.

SQLite: two ``BEFORE`` triggers that ``RAISE(ABORT, ...)``, which undoes the statement. PostgreSQL: one row
trigger calling a function that raises (SQLSTATE 42501, insufficient privilege). ``TRUNCATE`` is a separate
privilege on PostgreSQL and is not covered: a database owner can drop these triggers anyway, which is why the
chain of hashes (``oncotrial audit verify``) and not the triggers is what shows tampering.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:20:00
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

REFUSED = "audit_entry is append-only: an audit entry is never changed or deleted"

SQLITE_TRIGGERS = {
    "audit_entry_no_update": "UPDATE",
    "audit_entry_no_delete": "DELETE",
}

POSTGRES_FUNCTION = f"""
CREATE FUNCTION audit_entry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{REFUSED} (% refused)', TG_OP USING ERRCODE = '42501';
END
$$
"""

POSTGRES_TRIGGER = """
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name, action in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {action} ON audit_entry "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSED} ({action} refused)'); END"
            )
        return
    op.execute(POSTGRES_FUNCTION)
    op.execute(POSTGRES_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        return
    op.execute("DROP TRIGGER audit_entry_append_only ON audit_entry")
    op.execute("DROP FUNCTION audit_entry_append_only()")
