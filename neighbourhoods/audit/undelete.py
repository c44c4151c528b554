"""The recycle bin for content (docs/history.md, "Deleted records"): partners, workstreams,
priorities, work programmes, health challenges and neighbourhood aims are deleted for real,
and their history keeps each as it was deleted. Restoring one puts it back from that row,
with what hung on it: its links (a partner's places, a workstream's partners), the links
other records had to it (the workstreams and neighbourhoods a partner was a partner of),
and the parts deleted with it (a workstream's priorities, in the order they had).

Practices and neighbourhoods are not deleted but removed (services/removal.py); their
restore is there."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction

from . import trail

# The content kinds the bin holds, (app, model), in the page's order.
BIN = [
    ("partnership", "PartnerOrganisation"),
    ("workstreams", "Workstream"),
    ("workstreams", "WorkstreamPriority"),
    ("partnership", "Priority"),
    ("partnership", "WorkProgramme"),
    ("partnership", "HealthChallenge"),
    ("neighbourhoods", "NeighbourhoodAim"),
]
# Parts deleted with their record: (app, model) -> [(app, part model, its key to the record)].
PARTS = {("workstreams", "Workstream"): [("workstreams", "WorkstreamPriority", "workstream")]}
# How long a cascade takes: parts deleted this close to their record went with it.
WITH_IT = datetime.timedelta(seconds=60)
RESTORED = "Restored from Deleted records"


class RestoreRefused(Exception):
    """The words say why."""


@dataclass
class Deleted:
    """A deleted record as its last history row keeps it."""

    model: type
    row: object  # the deletion's history row
    parts: list = field(default_factory=list)  # deletion rows of the parts that went with it

    @property
    def record(self):
        return self.row.instance

    @property
    def pk(self):
        return self.row.id


def model_of(app, name):
    return apps.get_model(app, name)


def deleted(model, *, limit=200):
    """The records of `model` deleted and not since restored, most recently deleted first."""
    history = model.history
    gone = (
        history.filter(history_type="-")
        .exclude(id__in=model._default_manager.values("pk"))
        .select_related("history_user")
        .order_by("id", "-history_date", "-history_id")
        .distinct("id")
    )
    rows = sorted(gone, key=lambda row: row.history_date, reverse=True)[:limit]
    return [Deleted(model, row, _parts_of(model, row)) for row in rows]


def deleted_one(model, pk) -> Deleted | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError, OverflowError):
        return None
    if model._default_manager.filter(pk=pk).exists():
        return None
    row = (
        model.history.filter(id=pk, history_type="-")
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    return Deleted(model, row, _parts_of(model, row)) if row is not None else None


def _parts_of(model, row):
    found = []
    for app, name, key in PARTS.get((model._meta.app_label, model.__name__), []):
        part = model_of(app, name)
        found += list(
            part.history.filter(
                history_type="-",
                **{f"{key}_id": row.id},
                history_date__gte=row.history_date - WITH_IT,
                history_date__lte=row.history_date + WITH_IT,
            )
            .exclude(id__in=part._default_manager.values("pk"))
            .order_by("id", "-history_date")
            .distinct("id")
        )
    return found


def _kept_order(model, pk):
    """The parts in order, as the last version of the record that kept them had it."""
    for version in model.history.filter(id=pk).order_by("-history_date", "-history_id"):
        kept = getattr(version, "priority_order", None)
        if kept:
            return [part_pk for part_pk, _ in kept]
    return []


def _version_links(model, version, name):
    target = model._meta.get_field(name).related_model._meta.model_name
    return [getattr(link, f"{target}_id") for link in getattr(version, name).all()]


def _own_links(model, pk):
    """Each link field's ids, from the newest version that kept any."""
    links = {}
    for name in trail.LINKS.get((model._meta.app_label, model.__name__), []):
        for version in model.history.filter(id=pk).order_by("-history_date", "-history_id"):
            ids = _version_links(model, version, name)
            if ids:
                links[name] = ids
                break
    return links


def links_to(model, pk):
    """Records whose newest version kept a link to the deleted record: [(record, field)]."""
    found = []
    for (app, name), fields in trail.LINKS.items():
        other = model_of(app, name)
        for field_name in fields:
            if other._meta.get_field(field_name).related_model is not model:
                continue
            for record in other._default_manager.all():
                latest = record.history.order_by("-history_date", "-history_id").first()
                if latest is not None and pk in _version_links(other, latest, field_name):
                    found.append((record, field_name))
    return found


@transaction.atomic
def record_undelete(*, model, pk, by) -> str:
    """Put the deleted record back as it was deleted, with its links, the links others had
    to it and the parts deleted with it. Returns what was restored, in words."""
    item = deleted_one(model, pk)
    if item is None:
        raise RestoreRefused("It is not in Deleted records: it was restored already.")
    record = item.record
    for field_ in model._meta.concrete_fields:
        if field_.unique and not field_.primary_key:
            value = getattr(record, field_.attname)
            if model._default_manager.filter(**{field_.attname: value}).exists():
                raise RestoreRefused(
                    f"Another {model._meta.verbose_name} now has the {field_.verbose_name} "
                    f"“{value}”: change that one first."
                )
    for field_ in model._meta.concrete_fields:
        if field_.is_relation and getattr(record, field_.attname) is not None:
            target = field_.related_model
            if not target._default_manager.filter(pk=getattr(record, field_.attname)).exists():
                if field_.null:
                    setattr(record, field_.attname, None)
                else:
                    raise RestoreRefused(
                        f"Its {field_.verbose_name} has been deleted too: restore that first."
                    )
    said = [f"“{record}”"]
    _goes_last(model, record)
    with trail.recording(reason=RESTORED):
        record._history_user = by
        record.save()
        for name, ids in _own_links(model, pk).items():
            target = model._meta.get_field(name).related_model
            getattr(record, name).set(target._default_manager.filter(pk__in=ids))
        order = _kept_order(model, pk)
        parts = []
        for row in item.parts:
            part = row.instance
            part.order = order.index(part.pk) + 1 if part.pk in order else len(order) + 1
            part._history_user = by
            part.save()
            parts.append(part)
        if parts:
            said.append(f"its {len(parts)} {_noun(parts)}")
            trail.record_bulk([record], model)  # a version that keeps them, in order
        relinked = []
        for other, field_name in links_to(model, pk):
            other._history_user = by
            getattr(other, field_name).add(record)
            relinked.append(str(other))
        if relinked:
            said.append(f"its place in {', '.join(sorted(relinked))}")
    return " with ".join([said[0], " and ".join(said[1:])]) if len(said) > 1 else said[0]


def _goes_last(model, record):
    """A record numbered within its parent, one number each (a workstream's priority), comes
    back last: its number may have been given to another since."""
    for constraint in model._meta.constraints:
        fields = list(getattr(constraint, "fields", ()))
        if "order" in fields and len(fields) > 1:
            siblings = model._default_manager.filter(
                **{name: getattr(record, model._meta.get_field(name).attname) for name in fields
                   if name != "order"}
            )  # fmt: skip
            last = siblings.aggregate(models.Max("order"))["order__max"]
            record.order = (last or 0) + 1


def _noun(parts):
    opts = parts[0]._meta
    return opts.verbose_name if len(parts) == 1 else opts.verbose_name_plural
