"""Priorities, work programmes and health challenges can be taken down, by hand or at a date
and time (the scheduler's publish_scheduled), as partners and workstreams can: every one
there is today stays published (docs/history.md, Drafts)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0011_contact_messages"),
    ]

    operations = [
        migrations.AddField(
            model_name="healthchallenge",
            name="expire_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: the date and time (London) it is taken off its place's page by itself.",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="healthchallenge",
            name="live",
            field=models.BooleanField(
                default=True,
                help_text="Residents see it on its place's page. Taking it down keeps it here, to publish again.",
                verbose_name="published",
            ),
        ),
        migrations.AddField(
            model_name="historicalhealthchallenge",
            name="expire_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: the date and time (London) it is taken off its place's page by itself.",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="historicalhealthchallenge",
            name="live",
            field=models.BooleanField(
                default=True,
                help_text="Residents see it on its place's page. Taking it down keeps it here, to publish again.",
                verbose_name="published",
            ),
        ),
        migrations.AddField(
            model_name="historicalpriority",
            name="expire_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: the date and time (London) it is taken off its place's page by itself.",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="historicalpriority",
            name="live",
            field=models.BooleanField(
                default=True,
                help_text="Residents see it on its place's page. Taking it down keeps it here, to publish again.",
                verbose_name="published",
            ),
        ),
        migrations.AddField(
            model_name="historicalworkprogramme",
            name="expire_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: the date and time (London) it is taken off its place's page by itself.",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="historicalworkprogramme",
            name="live",
            field=models.BooleanField(
                default=True,
                help_text="Residents see it on its place's page. Taking it down keeps it here, to publish again.",
                verbose_name="published",
            ),
        ),
        migrations.AddField(
            model_name="priority",
            name="expire_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: the date and time (London) it is taken off its place's page by itself.",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="priority",
            name="live",
            field=models.BooleanField(
                default=True,
                help_text="Residents see it on its place's page. Taking it down keeps it here, to publish again.",
                verbose_name="published",
            ),
        ),
        migrations.AddField(
            model_name="workprogramme",
            name="expire_at",
            field=models.DateTimeField(
                blank=True,
                help_text="Optional: the date and time (London) it is taken off its place's page by itself.",
                null=True,
                verbose_name="take down at",
            ),
        ),
        migrations.AddField(
            model_name="workprogramme",
            name="live",
            field=models.BooleanField(
                default=True,
                help_text="Residents see it on its place's page. Taking it down keeps it here, to publish again.",
                verbose_name="published",
            ),
        ),
    ]
