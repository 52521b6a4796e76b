from django.contrib.postgres.operations import BtreeGistExtension, TrigramExtension, UnaccentExtension
from django.db import migrations


class Migration(migrations.Migration):
    """PostgreSQL extensions used by search (unaccent, pg_trgm) and exclusion constraints."""

    initial = True
    dependencies = []
    operations = [UnaccentExtension(), TrigramExtension(), BtreeGistExtension()]
