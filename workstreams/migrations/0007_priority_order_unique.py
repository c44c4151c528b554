"""No two priorities of a workstream share a number (0006 numbered them 1, 2, 3…). Checked
at the end of each transaction, so a reorder can swap two numbers."""

import django.db.models.constraints
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("workstreams", "0006_priority_order"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="workstreampriority",
            constraint=models.UniqueConstraint(
                deferrable=django.db.models.constraints.Deferrable["DEFERRED"],
                fields=("workstream", "order"),
                name="one_priority_per_number",
            ),
        ),
    ]
