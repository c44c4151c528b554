"""What Recent changes reads: the history rows of every audited model a member of staff may
see, narrowed by who made them, when, the kind of record, what was done and words in the
record's name or the reason; newest first, a page at a time, each with what it changed.

A page is read in a fixed number of queries for each kind of record on it, however long
the page: the rows, the versions before them, their links and whether each record still
exists are each read for all the page's rows of a kind at once."""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.contrib.auth import get_permission_codename, get_user_model
from django.core.paginator import Paginator
from django.db import models
from django.db.models import OuterRef, Q, Subquery, Value
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import capfirst, smart_split, unescape_string_literal
from simple_history.utils import get_m2m_reverse_field_name

from .compare import ReadableChanges, as_kept, day, done, related, with_related
from .trail import HISTORIES, NAMES

PER_PAGE = 50

# What was done, as the filter offers it: a history row's type, or made by an import run
# (of any type).
ACTIONS = {
    "added": "Added",
    "changed": "Changed",
    "deleted": "Deleted",
    "published": "Published",
    "scheduled": "Scheduled to publish",
    "unpublished": "Taken down",
    "imported": "Made by an import",
}
# Actions a version's `publication` says (drafts: docs/history.md).
PUBLICATIONS = {"published", "scheduled", "unpublished"}
HISTORY_TYPES = {"added": "+", "changed": "~", "deleted": "-"}


def visible_models(user):
    """The audited models whose history `user` may read."""
    models_ = []
    for app, name in HISTORIES:
        model = apps.get_model(app, name)
        opts = model.history.model._meta
        if user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}") or (
            user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")
        ):
            models_.append(model)
    return models_


def kind_key(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def people(models_):
    """The people who made a change to any of `models_`, by name."""
    if not models_:
        return get_user_model().objects.none()
    found = Q()
    for model in models_:
        made = model.history.filter(history_user__isnull=False).values("history_user_id")
        found |= Q(pk__in=made)
    return get_user_model().objects.filter(found).order_by("first_name", "last_name", "username")


def person_name(user) -> str:
    return user.get_full_name() or user.get_username()


def start_of(date: datetime.date) -> datetime.datetime:
    """Midnight at the start of `date`, in London."""
    return timezone.make_aware(datetime.datetime.combine(date, datetime.time.min))


@dataclass(frozen=True)
class Filters:
    person: object = None  # a user
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    kind: type | None = None  # an audited model
    action: str = ""  # a key of ACTIONS
    search: str = ""

    def narrow(self, model, rows):
        """`rows`, history rows of `model`, narrowed to those these filters ask for."""
        if self.person is not None:
            rows = rows.filter(history_user=self.person)
        if self.date_from:
            rows = rows.filter(history_date__gte=start_of(self.date_from))
        if self.date_to:
            rows = rows.filter(history_date__lt=start_of(self.date_to + datetime.timedelta(1)))
        if self.action == "imported":
            rows = rows.filter(import_run__isnull=False)
        elif self.action in PUBLICATIONS:
            rows = rows.filter(publication=self.action)
        elif self.action:
            rows = rows.filter(history_type=HISTORY_TYPES[self.action])
        for word in smart_split(self.search):
            if word[0] in "\"'" and word[-1] == word[0]:
                word = unescape_string_literal(word)
            rows = rows.filter(named(model, word) | Q(history_change_reason__icontains=word))
        return rows

    def in_words(self, count: int) -> str:
        """What is shown: "42 changes by Sam Jones from 1 to 4 December 2026"."""
        if count == 0 and self == Filters():
            return "No changes recorded yet"
        one = count == 1
        number = "No" if count == 0 else f"{count:,}"
        opts = self.kind._meta if self.kind else None
        records = (
            (opts.verbose_name if one else opts.verbose_name_plural)
            if opts
            else ("record" if one else "records")
        )
        changes = "change" if one else "changes"
        if self.action in ("added", "deleted"):
            said = f"{number} {records} {self.action}"
        elif self.action in PUBLICATIONS:
            said = f"{number} {records} {ACTIONS[self.action].lower()}"
        elif self.action == "changed":
            said = (
                f"{number} {changes} to existing {opts.verbose_name_plural if opts else 'records'}"
            )
        else:
            said = f"{number} {changes}" + (f" to {opts.verbose_name_plural}" if opts else "")
        if self.person is not None:
            said += f" by {person_name(self.person)}"
        if self.action == "imported":
            said += " made by imports"
        said += dates_in_words(self.date_from, self.date_to)
        if self.search:
            said += f" whose name or reason contains “{self.search}”"
        return said


def dates_in_words(date_from, date_to) -> str:
    if date_from and date_to:
        if date_from == date_to:
            return f" on {day(date_to)}"
        if (date_from.year, date_from.month) == (date_to.year, date_to.month):
            return f" from {date_from.day} to {day(date_to)}"
        if date_from.year == date_to.year:
            return f" from {date_from.day} {date_from:%B} to {day(date_to)}"
        return f" from {day(date_from)} to {day(date_to)}"
    if date_from:
        return f" on or after {day(date_from)}"
    if date_to:
        return f" on or before {day(date_to)}"
    return ""


def named(model, word) -> Q:
    """History rows of `model` whose record's name holds `word` (trail.NAMES). A name taken
    from a related record is looked for in that record's history, so a membership of a
    practice since deleted is still found by the practice's name."""
    found = Q()
    for path in NAMES[(model._meta.app_label, model.__name__)]:
        relation, _, name = path.partition("__")
        if not name:
            found |= Q(**{f"{path}__icontains": word})
            continue
        target = model._meta.get_field(relation).related_model
        manager = getattr(target._meta, "simple_history_manager_attribute", None)
        if manager is None:
            found |= Q(**{f"{path}__icontains": word})
        else:
            ids = getattr(target, manager).filter(**{f"{name}__icontains": word}).values("id")
            found |= Q(**{f"{relation}_id__in": ids})
    return found


@dataclass
class Change:
    """One line of Recent changes."""

    row: object  # the history row
    model: type
    name: str
    changes: list = field(default_factory=list)
    exists: bool = True  # the record has not been deleted since
    record_url: str = ""  # the record's page, while it exists, for staff who may open it
    compare_url: str = ""
    history_url: str = ""

    @property
    def model_name(self):
        return capfirst(self.model._meta.verbose_name)

    @property
    def done(self):
        return done(self.row)


def changes_page(user, filters: Filters, page=1, *, per_page=PER_PAGE, current=None):
    """The page `page` (Django's Paginator: a page that is not a number gives the first, one
    past the last the last) of the changes `filters` ask for among the models `user` may
    see, newest first. Its object_list is Changes. `current(model)` is the records there now
    (the admin's own queryset, which leaves out a practice deleted in the admin); by default,
    every row in the model's table."""
    models_ = visible_models(user)
    if filters.kind is not None:
        models_ = [model for model in models_ if model == filters.kind]
    parts = [
        filters.narrow(model, model.history.all())
        .annotate(audited_model=Value(i, output_field=models.IntegerField()))
        .values("audited_model", "history_id", "history_date")
        for i, model in enumerate(models_)
    ]
    if not parts:
        everything = []
    elif len(parts) == 1:
        everything = parts[0].order_by("-history_date", "-history_id")
    else:
        everything = parts[0].union(*parts[1:], all=True).order_by("-history_date", "-history_id")
    page_obj = Paginator(everything, per_page).get_page(page)
    shown = [(models_[p["audited_model"]], p["history_id"]) for p in page_obj]
    page_obj.object_list = lines(user, shown, current or (lambda model: model._default_manager))
    return page_obj


def lines(user, shown, current):
    """A Change for each (model, history id) in `shown`, in its order."""
    wanted = {}
    for model, history_id in shown:
        wanted.setdefault(model, []).append(history_id)
    found = {}
    for model, ids in wanted.items():
        rows = with_related(model.history.select_related("history_user", "import_run"))
        rows = rows.in_bulk(ids)
        before = _versions_before(model, ids)
        links = _links(model, [*ids, *(row.history_id for row in before.values())])
        record_ids = {row.id for row in rows.values()}
        existing = set(current(model).filter(pk__in=record_ids).values_list("pk", flat=True))
        may_open = _may_open(user, model)
        for history_id, row in rows.items():
            found[(model, history_id)] = Change(
                row=row,
                model=model,
                name=str(as_kept(row)),
                changes=_changes(model, before.get(history_id), row, links),
                exists=row.id in existing,
                record_url=_url(model, "change", row.id) if may_open and row.id in existing else "",
                compare_url=_url(model, "compare", row.id, row.history_id),
                history_url=_url(model, "history", row.id),
            )
    return [found[key] for key in shown]


def _versions_before(model, ids):
    """{history id: the version before it} for the changes ("~") among `ids`, in two
    queries rather than one a row."""
    historical = model.history.model
    earlier = (
        historical.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    pairs = dict(
        historical.objects.filter(history_id__in=ids, history_type="~")
        .annotate(before=Subquery(earlier))
        .exclude(before=None)
        .values_list("history_id", "before")
    )
    rows = with_related(historical.objects.all()).in_bulk(pairs.values())
    return {history_id: rows[before] for history_id, before in pairs.items()}


def _links(model, history_ids):
    """{(link field, history id): [{target: record}]}: the many-to-many links each version
    kept, as simple-history's diff gives them, one query for each link field."""
    historical = model.history.model
    kept = {}
    for link_field in historical._history_m2m_fields:
        target = get_m2m_reverse_field_name(link_field)
        link_model = getattr(historical, link_field.name).model
        target_field = link_model._meta.get_field(target)
        for link in link_model.objects.filter(history_id__in=history_ids).select_related(target):
            kept.setdefault((link_field.name, link.history_id), []).append(
                {target: related(link, target_field)}
            )
    return kept


def _changes(model, before, row, links):
    """What `row` changed from `before`, as ReadableChanges says it (the history page's
    words), from values already read."""
    if before is None:
        return []
    helper = ReadableChanges(model, row)
    historical = type(row)
    said = []
    for tracked in sorted(historical.tracked_fields, key=lambda f: f.name):
        if not tracked.editable or tracked.primary_key:
            continue
        if getattr(before, tracked.attname) == getattr(row, tracked.attname):
            continue
        old, new = getattr(before, tracked.attname), getattr(row, tracked.attname)
        if isinstance(tracked, models.ForeignKey):
            kept = historical._meta.get_field(tracked.name)
            old, new = related(before, kept), related(row, kept)
        said.append((tracked.name, old, new))
    for link_field in historical._history_m2m_fields:
        target = get_m2m_reverse_field_name(link_field)
        old = links.get((link_field.name, before.history_id), [])
        new = links.get((link_field.name, row.history_id), [])
        if _pks(old, target) != _pks(new, target):
            said.append((link_field.name, old, new))
    return [helper.change(name, old, new) for name, old, new in sorted(said, key=lambda c: c[0])]


def _pks(links, target):
    return sorted(link[target].pk for link in links)


def _may_open(user, model):
    opts = model._meta
    return any(
        user.has_perm(f"{opts.app_label}.{get_permission_codename(action, opts)}")
        for action in ("view", "change")
    )


def _url(model, name, *args):
    opts = model._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
    except NoReverseMatch:
        return ""
