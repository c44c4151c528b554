"""Removal: a practice or neighbourhood deleted in the admin is kept, marked removed (who,
and when), and a membership its removal ended remembers the end date it had, so restoring the
record reopens it (neighbourhoods/services/removal.py). The memberships', LSOAs' and
postcodes' foreign keys offer only records that are not removed (limit_choices_to: no SQL)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('neighbourhoods', '0021_datarelease_geo_sources'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='membership',
            name='ended_by_removal_of',
            field=models.CharField(blank=True, choices=[('practice', "its practice's deletion"), ('neighbourhood', "its neighbourhood's deletion")], editable=False, max_length=13),
        ),
        migrations.AddField(
            model_name='membership',
            name='ended_on_before_removal',
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name='neighbourhood',
            name='removed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='deleted at'),
        ),
        migrations.AddField(
            model_name='neighbourhood',
            name='removed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='deleted by'),
        ),
        migrations.AddField(
            model_name='practice',
            name='removed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='deleted at'),
        ),
        migrations.AddField(
            model_name='practice',
            name='removed_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='deleted by'),
        ),
        migrations.AlterField(
            model_name='historicallsoa',
            name='neighbourhood',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="Changing this redraws both neighbourhoods' areas and every postcode's answer.", limit_choices_to={'removed_at__isnull': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='neighbourhoods.neighbourhood'),
        ),
        migrations.AlterField(
            model_name='historicalmembership',
            name='neighbourhood',
            field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'removed_at__isnull': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='neighbourhoods.neighbourhood'),
        ),
        migrations.AlterField(
            model_name='historicalmembership',
            name='practice',
            field=models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'removed_at__isnull': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='neighbourhoods.practice'),
        ),
        migrations.AlterField(
            model_name='lsoa',
            name='neighbourhood',
            field=models.ForeignKey(blank=True, help_text="Changing this redraws both neighbourhoods' areas and every postcode's answer.", limit_choices_to={'removed_at__isnull': True}, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='lsoas', to='neighbourhoods.neighbourhood'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='neighbourhood',
            field=models.ForeignKey(limit_choices_to={'removed_at__isnull': True}, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='neighbourhoods.neighbourhood'),
        ),
        migrations.AlterField(
            model_name='membership',
            name='practice',
            field=models.ForeignKey(limit_choices_to={'removed_at__isnull': True}, on_delete=django.db.models.deletion.CASCADE, related_name='memberships', to='neighbourhoods.practice'),
        ),
        migrations.AlterField(
            model_name='postcode',
            name='neighbourhood',
            field=models.ForeignKey(blank=True, db_index=False, limit_choices_to={'removed_at__isnull': True}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='postcodes', to='neighbourhoods.neighbourhood'),
        ),
    ]
