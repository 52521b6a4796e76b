"""A larger statistics sample for ``search_text``: the planner estimates a ``LIKE '%word%'``
from the fraction of the histogram that matches, and with the default 101 entries a partial
number such as "0912" (about 1 % of the rows) matched none or one, so it was estimated at 500
rows of 5 million and read 44,000 rows through the trigram index (215 ms) instead of walking
the newest ids and stopping after 51 matches (3.5 ms)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0009_register_export")]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE dossiers_dossier ALTER COLUMN search_text SET STATISTICS 1000",
            "ALTER TABLE dossiers_dossier ALTER COLUMN search_text SET STATISTICS -1",
        )
    ]
