"""The audit trail: who changed what, when, from what to what (django-simple-history).

Every audited model carries `history = audited()`. A change saved through the ORM (the admin,
an import's `save()`) writes its history row by itself; the few writes that go around
`save()` (an `update()`, a bulk update) call `record_bulk()` so they leave rows too.

A row says who made the change (the signed-in user, from simple-history's middleware) or
which import run did (`import_run`, set while an import command runs), and why, when a
reason was given (`history_change_reason`).
"""

import threading
from contextlib import contextmanager

from django.db import models
from django.db.models.signals import pre_save
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

_current = threading.local()


# What a version did to the record's public page, beyond changing it (docs/history.md).
PUBLICATION = [
    ("published", "Published"),
    ("scheduled", "Scheduled to publish"),
    ("unpublished", "Taken down"),
]


class AuditRecord(models.Model):
    """Fields every history row has beyond simple-history's own."""

    import_run = models.ForeignKey(
        "neighbourhoods.ImportRun",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The import run that made this change, when an import made it.",
    )
    publication = models.CharField(
        max_length=12,
        blank=True,
        choices=PUBLICATION,
        help_text="Whether this version published the record, scheduled it or took it down "
        "(docs/history.md, Drafts).",
    )

    class Meta:
        abstract = True


def audited(*, excluded_fields=(), m2m_fields=(), base=AuditRecord):
    """The history of one model. Geometry is left out where boundary versions keep it;
    many-to-many links listed in `m2m_fields` are kept with each version. A `base` (an
    AuditRecord) can keep a record's parts too: its rows' `keep_parts()` is called for every
    row written, as simple-history keeps the links (a workstream's priorities in order)."""
    return HistoricalRecords(
        bases=[base], excluded_fields=list(excluded_fields), m2m_fields=list(m2m_fields)
    )


def last_version(model, pk):
    """The record `pk` of an audited model as its latest history row has it, or None: how a
    history row names a record it has outlived (a membership's practice, once deleted)."""
    if pk is None:
        return None
    manager = getattr(model._meta, "simple_history_manager_attribute", None)
    if manager is None:  # not audited
        return None
    row = getattr(model, manager).filter(id=pk).order_by("-history_date", "-history_id").first()
    return row.instance if row is not None else None


def differs_from_last_version(obj) -> bool:
    """Whether saving `obj` as it is now would record a change: its values differ from its
    latest history row's (simple-history's diff_against), or it has none. Many-to-many
    links are left out: changing them writes rows of its own."""
    history = getattr(obj, obj._meta.simple_history_manager_attribute)
    latest = history.order_by("-history_date", "-history_id").first()
    if latest is None:
        return True
    if hasattr(latest, "kept_parts_changed") and latest.kept_parts_changed():
        return True
    fields = latest.tracked_fields
    now = type(latest)(**{f.attname: getattr(obj, f.attname) for f in fields})
    return bool(now.diff_against(latest, included_fields=[f.name for f in fields]).changes)


def current_import_run():
    return getattr(_current, "import_run", None)


def current_reason():
    return getattr(_current, "reason", None)


def current_publication():
    return getattr(_current, "publication", "")


@contextmanager
def recording(*, import_run=None, reason=None, publication=""):
    """Within it, every history row names the import run, the reason given and what it did
    to the public page (a key of PUBLICATION)."""
    previous = current_import_run(), current_reason(), current_publication()
    _current.import_run, _current.reason, _current.publication = (
        import_run or previous[0],
        reason or previous[1],
        publication or previous[2],
    )
    try:
        yield
    finally:
        _current.import_run, _current.reason, _current.publication = previous


def _name_the_run(sender, history_instance, **kwargs):
    run = current_import_run()
    if run is not None and history_instance.import_run_id is None:
        history_instance.import_run = run
    if not history_instance.publication:
        history_instance.publication = current_publication()
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = current_reason() or (
            f"Import: {run.source}" if run is not None else None
        )


pre_create_historical_record.connect(_name_the_run, dispatch_uid="audit-import-run")


def _keep_parts(sender, history_instance, **kwargs):
    if hasattr(history_instance, "keep_parts"):
        history_instance.keep_parts()


pre_create_historical_record.connect(_keep_parts, dispatch_uid="audit-keep-parts")


def record_bulk(objs, model, *, reason=None):
    """History rows for objects written around `save()` (an `update()` or a bulk update),
    as they are now."""
    run = current_import_run()
    reason = reason or current_reason() or (f"Import: {run.source}" if run else "")
    attrs = {"import_run": run} if run else {}
    if current_publication():
        attrs["publication"] = current_publication()
    rows = model.history.bulk_history_create(
        list(objs),
        update=True,
        default_change_reason=reason,
        custom_historical_attrs=attrs or None,
    )
    _links_now(model, rows)
    return rows


def _links_now(model, rows):
    """Rows written in bulk keep links and parts as they are now, as rows saved one at a
    time do."""
    from django.apps import apps

    opts = model._meta
    if (opts.app_label, model.__name__) in LINKS:
        record_links(apps, opts.app_label, model.__name__, rows)
    for row in rows:
        if hasattr(row, "keep_parts"):
            row.keep_parts()
            row.save(update_fields=row.kept_part_fields)


# Audited models whose every record has history, (app, model): the first history rows, the
# scan of what loading fixtures changed, and (with AUDITED_ON_SAVE) Recent changes and roles.
AUDITED = [
    ("partnership", "Place"),
    ("partnership", "PartnerOrganisation"),
    ("partnership", "Priority"),
    ("partnership", "WorkProgramme"),
    ("partnership", "HealthChallenge"),
    ("workstreams", "Workstream"),
    ("workstreams", "WorkstreamPriority"),
    ("neighbourhoods", "Neighbourhood"),
    ("neighbourhoods", "NeighbourhoodAim"),
    ("neighbourhoods", "Practice"),
    ("neighbourhoods", "Membership"),
    ("neighbourhoods", "Lsoa"),
]

# Audited only where they are saved one at a time (the admin): the imports write postcodes,
# millions at a time, around save(), and leave no history rows. They are never scanned for
# missing rows; a record's first change keeps the version before it (_version_before).
AUDITED_ON_SAVE = [
    ("neighbourhoods", "Postcode"),
]

# Every model with a history.
HISTORIES = [*AUDITED, *AUDITED_ON_SAVE]

# The many-to-many links kept with each version: (app, model) -> link fields.
LINKS = {
    ("partnership", "PartnerOrganisation"): ["places"],
    ("workstreams", "Workstream"): ["partners"],
    ("neighbourhoods", "Neighbourhood"): ["partners"],
}

# What each audited record is called by: the fields its name (str) is made of, which Recent
# changes searches. A related record's field ("practice__name") is looked for in that record's
# history, so a membership is found by its practice's name after the practice is deleted.
NAMES = {
    ("partnership", "Place"): ["name"],
    ("partnership", "PartnerOrganisation"): ["name"],
    ("partnership", "Priority"): ["title"],
    ("partnership", "WorkProgramme"): ["title"],
    ("partnership", "HealthChallenge"): ["title"],
    ("workstreams", "Workstream"): ["name"],
    ("workstreams", "WorkstreamPriority"): ["title"],
    ("neighbourhoods", "Neighbourhood"): ["name"],
    ("neighbourhoods", "NeighbourhoodAim"): ["text"],
    ("neighbourhoods", "Practice"): ["name", "ods_code"],
    ("neighbourhoods", "Membership"): [
        "practice__name",
        "practice__ods_code",
        "neighbourhood__name",
    ],
    ("neighbourhoods", "Lsoa"): ["name", "code"],
    ("neighbourhoods", "Postcode"): ["postcode"],
}

FIRST_ROW_REASON = "As it was when the audit trail began"
FIRST_SAVE_REASON = "As it was before its first recorded change"


def keep_version_before(obj):
    """A record written around save() has no history: before its first saved change, keep it
    as it was, so that change shows what it changed from, and can be undone. (For the models
    in AUDITED_ON_SAVE; every other audited record has history from the start.)"""
    model = type(obj)
    if obj.pk is None or (model._meta.app_label, model.__name__) not in AUDITED_ON_SAVE:
        return
    history = getattr(model, model._meta.simple_history_manager_attribute)
    if history.filter(id=obj.pk).exists():
        return
    before = model._default_manager.filter(pk=obj.pk).first()
    if before is not None:
        before._history_user = None  # nobody made it so here: not the one saving now
        history.bulk_history_create([before], default_change_reason=FIRST_SAVE_REASON)


def _version_before(sender, instance, raw=False, **kwargs):
    if not raw:
        keep_version_before(instance)


def connect():
    """Called once the models are ready (neighbourhoods.signals.connect)."""
    from django.apps import apps

    for app, name in AUDITED_ON_SAVE:
        pre_save.connect(
            _version_before, sender=apps.get_model(app, name), dispatch_uid=f"before-{name}"
        )


def record_links(apps, app, name, history_rows):
    """Keep each history row's many-to-many links as they are now, as simple-history does
    for a row it writes itself (rows written in bulk get none from it). Works on the
    migration state's models too."""
    rows = list(history_rows)
    model = apps.get_model(app, name)
    for field_name in LINKS.get((app, name), []):
        through = model._meta.get_field(field_name).remote_field.through
        try:
            link_history = apps.get_model(app, f"Historical{name}_{field_name}")
        except LookupError:  # a migration before links were kept (0012 adds them then)
            continue
        source = next(
            f.attname for f in through._meta.fields
            if f.is_relation and f.related_model == model
        )  # fmt: skip
        copied = [f.attname for f in through._meta.fields]
        kept = set(
            link_history._default_manager.filter(
                history_id__in=[r.history_id for r in rows]
            ).values_list("history_id", flat=True)
        )
        links = {}
        for link in through._default_manager.filter(**{f"{source}__in": [r.id for r in rows]}):
            links.setdefault(getattr(link, source), []).append(link)
        link_history._default_manager.bulk_create(
            [
                link_history(history_id=row.history_id, **{f: getattr(link, f) for f in copied})
                for row in rows
                if row.history_id not in kept
                for link in links.get(row.id, [])
            ],
            batch_size=500,
        )


def record_missing_history(apps, app_label=None, reason=FIRST_ROW_REASON, import_run=None):
    """Give every audited object without history a first row, as it is now: rows loaded
    from fixtures (loaddata saves raw, and writes none) or there before the trail began.
    Works on the migration state's models too (pass its `apps`)."""
    created = 0
    for app, name in AUDITED:
        if app_label and app != app_label:
            continue
        model = apps.get_model(app, name)
        historical = apps.get_model(app, f"Historical{name}")
        missing = model._default_manager.exclude(pk__in=historical._default_manager.values("id"))
        names = {f.attname for f in model._meta.concrete_fields}
        fields = [f.attname for f in historical._meta.concrete_fields if f.attname in names]
        rows = [
            historical(
                **{f: getattr(obj, f) for f in fields},
                history_type="+",
                history_change_reason=reason,
                import_run_id=getattr(import_run, "pk", None),
                history_date=_now(),
            )
            for obj in missing.iterator()
        ]
        rows = historical._default_manager.bulk_create(rows, batch_size=500)
        record_links(apps, app, name, rows)
        created += len(rows)
    return created


def _now():
    from django.utils import timezone

    return timezone.now()


def record_unrecorded_changes(*, reason=None):
    """History rows for audited objects whose values differ from their latest history row
    (or that have none): what a raw write, such as loading fixtures, changed. Returns how
    many rows it wrote."""
    from django.apps import apps

    run = current_import_run()
    extra = {"import_run": run} if run else None
    reason = reason or current_reason() or (f"Import: {run.source}" if run else "")
    written = 0
    for app, name in AUDITED:
        model = apps.get_model(app, name)
        historical = model.history.model
        fields = [f.attname for f in historical.tracked_fields]
        latest = {}
        for row in (
            historical.objects.order_by("id", "-history_date", "-history_id")
            .distinct("id")
            .values(*fields)
        ):
            latest[row["id"]] = row
        parts_changed = set()
        if hasattr(historical, "kept_parts_changed"):  # a raw write can reorder the parts too
            parts_changed = {
                row.id
                for row in historical.objects.order_by("id", "-history_date", "-history_id")
                .distinct("id")
                .iterator()
                if row.kept_parts_changed()
            }
        new, changed = [], []
        for obj in model._default_manager.all():
            values = {f: getattr(obj, f) for f in fields}
            if obj.pk not in latest:
                new.append(obj)
            elif latest[obj.pk] != values or obj.pk in parts_changed:
                changed.append(obj)
        if new:
            rows = model.history.bulk_history_create(
                new, default_change_reason=reason, custom_historical_attrs=extra
            )
            _links_now(model, rows)
        if changed:
            rows = model.history.bulk_history_create(
                changed, update=True, default_change_reason=reason, custom_historical_attrs=extra
            )
            _links_now(model, rows)
        written += len(new) + len(changed)
    return written
