"""Review dates that no person set are cleared; each record gets the day it was published.

Residents read a record's review date as "Page last reviewed". Until now three things set
it: the content fixtures (fixtures/content.json gave every record 22 November 2026),
migration 0004 (which gave every record without a date the same one) and staff typing a
date into the admin's form. Only the last is a person saying they checked the page.

Checked before writing this (5 December 2026), on the databases we hold: every history row
of a place, partner, workstream or neighbourhood that carries a review date was written by
`load_content` ("Import: load_content", with its import run and no signed-in person), and
every date is 22 November 2026. No person has set one. So on those databases this clears
them all.

It decides from each record's history rather than assuming so: a date is kept only where
the history row that set it was saved by a signed-in person and not by an import run; that
person is named as its reviewer. Any other date is cleared, and the record gets a history
row saying why.

Each record's "published on this site" date is the earliest of the day of its first history
row and any review date that no person set (22 November 2026, the day the text the portal
started with was written for it). Every earlier version in the history gets the same date:
the column is new, and the text was on the site from then.

Nothing else changes: the text residents read is carried over as it was.
"""

from django.db import migrations
from django.utils import timezone

# The content records whose public page shows a review date (partnership's OrderedContent).
REVIEWED = [
    ("partnership", "Place"),
    ("partnership", "PartnerOrganisation"),
    ("workstreams", "Workstream"),
    ("neighbourhoods", "Neighbourhood"),
]
CLEARED = "Review date cleared: set when the content was loaded, not by a person"
NAMED = "Reviewer named: the person who set its review date"


def review_changes(rows):
    """Each change of a record's review date in its history rows (given oldest first), as
    (date, id of the person who made it): None where no signed-in person did, or an import
    run did (the content loader, a migration, the audit trail's first rows)."""
    changes, value = [], None
    for row in rows:
        if row.reviewed_on != value:
            value = row.reviewed_on
            changes.append((value, row.history_user_id if row.import_run_id is None else None))
    return changes


def clear_unset_review_dates(apps, schema_editor=None):
    from neighbourhoods.audit.trail import record_links

    now = timezone.now()
    for app, name in REVIEWED:
        model = apps.get_model(app, name)
        historical = apps.get_model(app, f"Historical{name}")
        names = {f.attname for f in model._meta.concrete_fields}
        copied = [f.attname for f in historical._meta.concrete_fields if f.attname in names]
        history = {}
        for row in historical._default_manager.order_by("history_date", "history_id"):
            history.setdefault(row.id, []).append(row)

        changed, reasons = [], {}
        for record in model._default_manager.all():
            rows = history.get(record.pk, [])
            changes = review_changes(rows)
            last_date, last_person = changes[-1] if changes else (None, None)
            person = last_person if last_date == record.reviewed_on else None
            unset = [day for day, who in changes if day is not None and who is None]
            if record.reviewed_on is not None and person is None:
                unset.append(record.reviewed_on)
                record.reviewed_on, record.reviewed_by_id = None, None
                changed.append(record)
                reasons[record.pk] = CLEARED
            elif record.reviewed_on is not None and record.reviewed_by_id != person:
                record.reviewed_by_id = person
                changed.append(record)
                reasons[record.pk] = NAMED
            first_day = [timezone.localdate(rows[0].history_date)] if rows else []
            record.published_on = min([*unset, *first_day], default=timezone.localdate(now))
            historical._default_manager.filter(id=record.pk).update(
                published_on=record.published_on
            )
            model._default_manager.filter(pk=record.pk).update(
                reviewed_on=record.reviewed_on,
                reviewed_by_id=record.reviewed_by_id,
                published_on=record.published_on,
            )

        rows = historical._default_manager.bulk_create(
            [
                historical(
                    **{f: getattr(record, f) for f in copied},
                    history_type="~",
                    history_date=now,
                    history_change_reason=reasons[record.pk],
                )
                for record in changed
            ]
        )
        record_links(apps, app, name, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("partnership", "0007_review_dates"),
        ("workstreams", "0005_review_dates"),
        ("neighbourhoods", "0023_review_dates"),
    ]

    operations = [migrations.RunPython(clear_unset_review_dates, migrations.RunPython.noop)]
