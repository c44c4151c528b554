"""A practice is in one neighbourhood at a time: the database refuses two memberships of a
practice in force on a common day (both ends inclusive, an empty end unbounded). btree_gist
lets one GiST index compare the practice with = and the dates with &&.

Memberships that already overlap stop the migration with a list of them, to be put right in
the admin first, rather than with PostgreSQL's "could not create exclusion constraint"."""

import django.contrib.postgres.constraints
import django.contrib.postgres.fields.ranges
from django.contrib.postgres.operations import BtreeGistExtension
from django.core.management.base import CommandError
from django.db import migrations, models

OVERLAPS = """
    SELECT p.name, p.ods_code, na.name, a.started_on, a.ended_on, nb.name, b.started_on, b.ended_on
      FROM neighbourhoods_membership a
      JOIN neighbourhoods_membership b
        ON b.practice_id = a.practice_id AND b.id > a.id
       AND daterange(a.started_on, a.ended_on, '[]') && daterange(b.started_on, b.ended_on, '[]')
      JOIN neighbourhoods_practice p ON p.id = a.practice_id
      JOIN neighbourhoods_neighbourhood na ON na.id = a.neighbourhood_id
      JOIN neighbourhoods_neighbourhood nb ON nb.id = b.neighbourhood_id
     ORDER BY p.name, a.started_on, b.started_on
"""


def dates(started_on, ended_on):
    return f"{started_on or 'no start date'} to {ended_on or 'no end date'}"


def refuse_overlaps(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(OVERLAPS)
        rows = cursor.fetchall()
    if rows:
        pairs = "\n".join(
            f"- {name} ({code}): {first} ({dates(s1, e1)}) and {second} ({dates(s2, e2)})"
            for name, code, first, s1, e1, second, s2, e2 in rows
        )
        raise CommandError(
            f"{len(rows)} pair(s) of memberships put a practice in two neighbourhoods on the "
            f"same days:\n{pairs}\nA practice can be in only one neighbourhood at a time. In "
            "the admin (Memberships), end or delete one of each pair, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [("neighbourhoods", "0017_roles_for_releases")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(refuse_overlaps, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="membership",
            constraint=django.contrib.postgres.constraints.ExclusionConstraint(
                expressions=[
                    ("practice", "="),
                    (
                        models.Func(
                            models.F("started_on"),
                            models.F("ended_on"),
                            django.contrib.postgres.fields.ranges.RangeBoundary(
                                inclusive_lower=True, inclusive_upper=True
                            ),
                            function="DATERANGE",
                            output_field=django.contrib.postgres.fields.ranges.DateRangeField(),
                        ),
                        "&&",
                    ),
                ],
                name="membership_one_neighbourhood_at_a_time",
                violation_error_code="overlap",
                violation_error_message=(
                    "The practice is already in a neighbourhood on some of these dates: a "
                    "practice can be in only one neighbourhood at a time."
                ),
            ),
        ),
    ]
