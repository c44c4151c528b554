"""Drafts and publishing (docs/history.md, Drafts): the roles again, now with Publishers and
the drafts' permissions, and the scheduler's task that publishes scheduled drafts and takes
pages down at their time, every minute (partnership.tasks.publish_scheduled)."""

import datetime

from django.db import migrations

FUNC = "partnership.tasks.publish_scheduled"


def grant(apps, schema_editor):
    from neighbourhoods.audit.roles import grant_roles

    grant_roles(apps)


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    now = datetime.datetime.now(datetime.UTC).replace(second=0, microsecond=0)
    Schedule.objects.update_or_create(
        func=FUNC,
        defaults={
            "name": "Publish scheduled drafts and take pages down at their time",
            "schedule_type": "I",  # every `minutes`
            "minutes": 1,
            "repeats": -1,
            "next_run": now + datetime.timedelta(minutes=1),
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


def ungrant(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Publishers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0024_history_publication"),
        ("partnership", "0009_drafts_and_publishable"),
        ("workstreams", "0008_publishable"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.RunPython(grant, ungrant),
        migrations.RunPython(schedule, unschedule),
    ]
