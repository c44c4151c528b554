"""Each neighbourhood's and workstream's partners and each partner's places, as they are now,
kept with the record's latest history row, so the first change to them shows from what."""

from django.db import migrations
from django.db.models import Max


def first_links(apps, schema_editor):
    from neighbourhoods.audit.trail import LINKS, record_links

    for app, name in LINKS:
        historical = apps.get_model(app, f"Historical{name}")
        latest = historical.objects.values("id").annotate(last=Max("history_id"))
        rows = historical.objects.filter(history_id__in=[r["last"] for r in latest])
        record_links(apps, app, name, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0011_history_of_partners"),
        ("workstreams", "0004_history_of_partners"),
        ("partnership", "0006_history_of_places"),
    ]

    operations = [migrations.RunPython(first_links, migrations.RunPython.noop)]
