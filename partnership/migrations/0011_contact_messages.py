"""Messages from the contact form, in staff's queue: the table; Editors and Publishers given
the permission to read and handle them (the roles again); and the scheduler's daily task
that deletes them when the privacy notice says (partnership.tasks.delete_expired_contact_messages),
at 03:30 London time."""

import datetime
from zoneinfo import ZoneInfo

import django.utils.timezone
from django.db import migrations, models

FUNC = "partnership.tasks.delete_expired_contact_messages"


def grant(apps, schema_editor):
    from neighbourhoods.audit.roles import grant_roles

    grant_roles(apps)


def schedule(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    london = ZoneInfo("Europe/London")
    tomorrow = datetime.datetime.now(london).date() + datetime.timedelta(days=1)
    Schedule.objects.update_or_create(
        func=FUNC,
        defaults={
            "name": "Delete messages from the contact form past their keeping time",
            "schedule_type": "D",  # daily, kept at the same London time across clock changes
            "repeats": -1,
            "next_run": datetime.datetime.combine(tomorrow, datetime.time(3, 30), london),
        },
    )


def unschedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(func=FUNC).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0010_content_true_today"),
        ("neighbourhoods", "0025_publishers_and_scheduled_publishing"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContactMessage",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("message", models.TextField()),
                (
                    "page",
                    models.CharField(
                        blank=True,
                        help_text="The address of the page the resident was on, without any search they made.",
                        max_length=300,
                        verbose_name="page it came from",
                    ),
                ),
                (
                    "reply_to",
                    models.EmailField(blank=True, max_length=254, verbose_name="reply-to email"),
                ),
                ("sent_at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                (
                    "status",
                    models.CharField(
                        choices=[("new", "New"), ("in_hand", "In hand"), ("closed", "Closed")],
                        default="new",
                        max_length=10,
                    ),
                ),
                ("closed_at", models.DateTimeField(blank=True, editable=False, null=True)),
            ],
            options={
                "verbose_name": "message from the contact form",
                "verbose_name_plural": "messages from the contact form",
                "ordering": ["-sent_at"],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
        migrations.RunPython(schedule, unschedule),
    ]
