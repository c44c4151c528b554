from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    """pg_trgm lets residents find their practice by a name they half remember."""

    dependencies = [("neighbourhoods", "0002_localauthority_lsoa_postcode")]

    operations = [TrigramExtension()]
