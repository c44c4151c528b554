"""The admin's site-wide "Recent changes": the latest history rows of every audited model
the signed-in staff member may see, newest first, each with what changed from what to what."""

import heapq
from dataclasses import dataclass

from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.paginator import Paginator
from django.db.models import OuterRef, Subquery
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.text import capfirst

from .compare import ReadableChanges
from .trail import HISTORIES

PER_PAGE = 50
# Pages further back than this are not offered: older changes are on each record's history.
MAX_PAGES = 50


@dataclass
class Change:
    record: object
    model: type
    changes: list

    @property
    def model_name(self):
        return capfirst(self.model._meta.verbose_name)

    @property
    def kind(self):
        return self.record.get_history_type_display()

    @property
    def history_url(self):
        opts = self.model._meta
        try:
            return reverse(
                f"admin:{opts.app_label}_{opts.model_name}_history", args=[self.record.id]
            )
        except NoReverseMatch:
            return ""


def visible_models(user):
    models = []
    for app, name in HISTORIES:
        model = apps.get_model(app, name)
        opts = model.history.model._meta
        if user.has_perm(f"{opts.app_label}.{get_permission_codename('view', opts)}") or (
            user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")
        ):
            models.append(model)
    return models


def latest_changes(user, *, page=1):
    """A page of the newest changes across the models `user` may see.

    Page p needs at most the newest PER_PAGE * p rows of each model (one more, to know there
    is an older page), so no more are read; a page past MAX_PAGES, or past the last, gives
    the last page, and a page number that is not a number gives the first."""
    try:
        page = max(1, min(int(page), MAX_PAGES))
    except (TypeError, ValueError, OverflowError):
        page = 1
    models = visible_models(user)
    streams = []
    for model in models:
        rows = model.history.select_related("history_user", "import_run").order_by(
            "-history_date", "-history_id"
        )[: PER_PAGE * page + 1]
        streams.append([(row.history_date, model, row) for row in rows])
    merged = heapq.merge(*streams, key=lambda item: item[0], reverse=True)
    items = [(model, row) for _, model, row in merged][: PER_PAGE * MAX_PAGES]
    paginator = Paginator(items, PER_PAGE)
    page_obj = paginator.get_page(page)
    previous = _previous_records(page_obj.object_list)
    changes = []
    for model, row in page_obj.object_list:
        before = previous.get((model, row.history_id))
        delta = []
        if before is not None:
            diff = row.diff_against(before, foreign_keys_are_objs=True)
            delta = ReadableChanges(model, row).context_for_delta_changes(diff)
        changes.append(Change(row, model, delta))
    page_obj.object_list = changes
    return page_obj


def _previous_records(shown):
    """The version before each change shown (what `prev_record` gives), read in two queries
    per model rather than one per row: {(model, history_id): previous row}."""
    wanted = {}
    for model, row in shown:
        if row.history_type == "~":
            wanted.setdefault(model, []).append(row.history_id)
    found = {}
    for model, ids in wanted.items():
        historical = model.history.model
        earlier = (
            historical.objects.filter(id=OuterRef("id"), history_date__lt=OuterRef("history_date"))
            .order_by("-history_date", "-history_id")
            .values("history_id")[:1]
        )
        pairs = dict(
            historical.objects.filter(history_id__in=ids)
            .annotate(before=Subquery(earlier))
            .exclude(before=None)
            .values_list("history_id", "before")
        )
        rows = historical.objects.select_related("history_user", "import_run").in_bulk(
            pairs.values()
        )
        for history_id, before in pairs.items():
            found[(model, history_id)] = rows[before]
    return found


def recent_changes_view(request):
    page_obj = latest_changes(request.user, page=request.GET.get("p") or 1)
    context = {
        **admin.site.each_context(request),
        "title": "Recent changes",
        "page_obj": page_obj,
        "changes": page_obj.object_list,
    }
    return TemplateResponse(request, "admin/recent_changes.html", context)


recent_changes = admin.site.admin_view(recent_changes_view)
