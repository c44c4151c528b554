"""The content part of Deleted records (docs/history.md): deleted partners, workstreams,
priorities, work programmes, health challenges and neighbourhood aims, each with who deleted
it and when, and a Restore page for staff who may delete that kind of record (restoring
undoes what they may do): deleting and restoring take a page off the site and put it back,
so both need permission to publish too (drafting.DraftedAdmin.has_delete_permission). The
service is undelete.record_undelete."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse

from . import undelete


def content_sections(request):
    """Deleted records' sections for the content kinds the member of staff may see."""
    sections = []
    for app, name in undelete.BIN:
        model = undelete.model_of(app, name)
        model_admin = admin.site.get_model_admin(model)
        if not model_admin.has_view_or_change_permission(request):
            continue
        opts = model._meta
        items = undelete.deleted(model)
        for item in items:
            item.restore_url = reverse(
                "deleted-content-restore", args=[opts.app_label, opts.model_name, item.pk]
            )
        sections.append(
            {
                "name": opts.verbose_name_plural.capitalize(),
                "kind": opts.model_name,
                "items": items,
                "may_restore": model_admin.has_delete_permission(request),
                "history_url": f"admin:{opts.app_label}_{opts.model_name}_history",
            }
        )
    return sections


def content_restore_view(request, app_label, model_name, pk):
    """Restore a deleted content record: a page saying what comes back with it, then the
    POST. Staff who may not delete that kind of record are refused first, every id alike."""
    kinds = {(a, n.lower()): (a, n) for a, n in undelete.BIN}
    if (app_label, model_name) not in kinds:
        raise Http404("Records of that kind are not kept in Deleted records.")
    model = undelete.model_of(*kinds[(app_label, model_name)])
    model_admin = admin.site.get_model_admin(model)
    if not model_admin.has_delete_permission(request):
        raise PermissionDenied
    item = undelete.deleted_one(model, pk)
    if item is None:
        messages.info(request, "That record is not in Deleted records: it was restored already.")
        return HttpResponseRedirect(reverse("deleted-records"))
    if request.method == "POST":
        try:
            said = undelete.record_undelete(model=model, pk=item.pk, by=request.user)
        except undelete.RestoreRefused as refused:
            messages.error(request, f"“{item.record}” was not restored: {refused}")
            return HttpResponseRedirect(request.path)
        messages.success(request, f"Restored {said}.")
        opts = model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])
        )
    context = {
        **admin.site.each_context(request),
        "title": f"Restore {item.record}",
        "opts": model._meta,
        "item": item,
        "links_to": [str(record) for record, _ in undelete.links_to(model, item.pk)],
    }
    return TemplateResponse(request, "admin/deleted_content_restore.html", context)


content_restore = admin.site.admin_view(content_restore_view)
