"""A workstream's priorities' order becomes the workstream's: each version of a workstream
keeps its priorities in order, and a priority's own history no longer keeps its number.
Priorities that share a number are numbered 1, 2, 3… in the order the public page lists them
(by number, then the one added first), so the page looks as it did; each workstream's latest
version keeps that order, so the first reorder shows what it changed from."""

from django.db import migrations, models
from django.db.models import Max


def priorities_numbered(apps, schema_editor):
    """Number every workstream's priorities 1, 2, 3…, keeping their order."""
    priority = apps.get_model("workstreams", "WorkstreamPriority")
    renumbered, previous, number = [], None, 0
    for row in priority.objects.order_by("workstream_id", "order", "pk"):
        number = number + 1 if row.workstream_id == previous else 1
        previous = row.workstream_id
        if row.order != number:
            row.order = number
            renumbered.append(row)
    priority.objects.bulk_update(renumbered, ["order"], batch_size=500)
    return len(renumbered)


def latest_versions_keep_order(apps, schema_editor):
    historical = apps.get_model("workstreams", "HistoricalWorkstream")
    priority = apps.get_model("workstreams", "WorkstreamPriority")
    latest = historical.objects.values("id").annotate(last=Max("history_id"))
    for row in historical.objects.filter(history_id__in=[r["last"] for r in latest]):
        row.priority_order = [
            [pk, title]
            for pk, title in priority.objects.filter(workstream_id=row.id)
            .order_by("order", "pk")
            .values_list("pk", "title")
        ]
        row.save(update_fields=["priority_order"])


def forwards(apps, schema_editor):
    priorities_numbered(apps, schema_editor)
    latest_versions_keep_order(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0008_review_dates_cleared"),
        ("workstreams", "0005_review_dates"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="historicalworkstreampriority",
            name="order",
        ),
        migrations.AddField(
            model_name="historicalworkstream",
            name="priority_order",
            field=models.JSONField(
                blank=True,
                help_text="The priorities in order, as [id, title]; none if this version kept none.",
                null=True,
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
