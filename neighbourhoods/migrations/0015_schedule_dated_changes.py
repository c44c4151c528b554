"""The scheduler's daily task: memberships that start or end on a date change the postcode
answers on that date (neighbourhoods.tasks.apply_dated_changes), run at 00:05 London time."""

import datetime
from zoneinfo import ZoneInfo

from django.db import migrations

FUNC = "neighbourhoods.tasks.apply_dated_changes"


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    london = ZoneInfo("Europe/London")
    tomorrow = datetime.datetime.now(london).date() + datetime.timedelta(days=1)
    Schedule.objects.update_or_create(
        func=FUNC,
        defaults={
            "name": "Apply memberships that start or end today",
            "schedule_type": "D",  # daily, kept at the same London time across clock changes
            "repeats": -1,
            "next_run": datetime.datetime.combine(tomorrow, datetime.time(0, 5), london),
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0014_postcode_location_without_spatial_index"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(schedule, unschedule)]
