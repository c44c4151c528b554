"""Data managers upload, preview and apply releases of the open data; Viewers read them."""

from django.db import migrations


def grant(apps, schema_editor):
    from neighbourhoods.audit.roles import grant_roles

    grant_roles(apps)


class Migration(migrations.Migration):
    dependencies = [("neighbourhoods", "0016_data_releases")]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
