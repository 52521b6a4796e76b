from django.db import migrations

TABLES = ("dossiers_dossierevent", "dossiers_clockentry")

FORBID = "\n".join(
    f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
    "FOR EACH ROW EXECUTE FUNCTION caicach_forbid_change();"
    for table in TABLES
)
ALLOW = "\n".join(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES)


class Migration(migrations.Migration):
    """The dossier history and the clock ledger refuse UPDATE and DELETE at the database level,
    with the function of ``core.0003_audit_append_only``: what happened to a dossier, and when
    its clock ran, is never rewritten (NĐ 61/2018 art. 17: history of every step)."""

    dependencies = [
        ("core", "0003_audit_append_only"),
        ("dossiers", "0001_initial"),
    ]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
