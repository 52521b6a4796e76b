"""Merge of the two issue 13 migrations numbered 0012 (results and store; timeliness facts),
made on the demo branch so both can be applied; the coordinator may renumber instead."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0012_results_and_store"),
        ("dossiers", "0012_timeliness_facts"),
    ]

    operations = []
