from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION caicach_forbid_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'append-only table %: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW EXECUTE FUNCTION caicach_forbid_change();
"""

ALLOW = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
"""


class Migration(migrations.Migration):
    """The audit trail refuses UPDATE and DELETE at the database level.

    TRUNCATE is left to the table owner (the test runner flushes with it); in production the
    application's database role should not own the tables.

    ``caicach_forbid_change()`` is reused by other append-only tables (clock ledgers, events).
    """

    dependencies = [("core", "0002_audit_entry")]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
