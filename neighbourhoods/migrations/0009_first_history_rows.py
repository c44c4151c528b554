"""Every audited record there before the audit trail began gets a first history row, as it
is now, so its first change shows what changed from what."""

from django.db import migrations


def first_rows(apps, schema_editor):
    from neighbourhoods.audit.trail import record_missing_history

    record_missing_history(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0008_history_and_boundary_versions"),
        ("partnership", "0005_history"),
        ("workstreams", "0003_history"),
    ]

    operations = [migrations.RunPython(first_rows, migrations.RunPython.noop)]
