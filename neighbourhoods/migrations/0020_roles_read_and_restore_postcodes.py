"""The roles again (neighbourhoods/audit/roles.py), now that postcodes have a history: every
role reads it, and Data managers, who keep the postcodes, may restore an earlier version."""

from django.db import migrations


def grant(apps, schema_editor):
    from neighbourhoods.audit.roles import grant_roles

    grant_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0019_postcode_history"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
