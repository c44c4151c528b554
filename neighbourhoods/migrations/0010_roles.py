"""The staff roles: Editors, Data managers and Viewers (neighbourhoods/roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from neighbourhoods.audit.roles import grant_roles

    grant_roles(apps)


def remove_roles(apps, schema_editor):
    from neighbourhoods.audit.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=list(ROLES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("neighbourhoods", "0009_first_history_rows"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("redirects", "0002_alter_redirect_new_path_help_text"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
