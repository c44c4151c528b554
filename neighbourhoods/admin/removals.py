"""Deleting a practice or a neighbourhood, and restoring it: the admin's pages for the
removal service (services/removal.py).

- `RemovableAdmin`, for the practice and neighbourhood admins: their delete page says in
  plain words what deleting does, and removes the record rather than deleting it; their
  lists leave removed records out; a removed record is restored from Deleted records, never
  by restoring an earlier version from its history (which would leave its memberships
  ended), and only by staff who may change it and publish, since that puts its page back
  in front of residents;
- `deleted_records`: the "Deleted records" page, listing removed records with who deleted
  them and when, and a Restore link for staff who may restore them.

Each page asks for the permission first, and answers every id alike without it.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from ..audit.bin_admin import content_sections
from ..models import Neighbourhood, Practice
from ..services.removal import (
    RemovalRefused,
    plural,
    record_remove,
    record_restore,
    removal_preview,
    restore_preview,
)

# Ending or reopening memberships changes them: as Django's own delete asks for permission to
# delete what a deletion would take with it, these ask for permission to change memberships.
CHANGE_MEMBERSHIPS = "neighbourhoods.change_membership"


def _deleted_records_link():
    return format_html('<a href="{}">Deleted records</a>', reverse("deleted-records"))


class RemovableAdmin:
    """For the admins of practices and neighbourhoods (before AuditedAdmin in the bases; they
    are drafted admins, whose `may_publish` says who publishes)."""

    def may_restore_removed(self, request) -> bool:
        """Restoring a deleted record puts its page back on the site: a publish, so for
        staff who may change it and publish (drafting.DraftedAdmin.has_delete_permission
        asks the same of deleting)."""
        return self.has_change_permission(request) and self.may_publish(request)

    def get_queryset(self, request):
        return super().get_queryset(request).not_removed()

    def get_actions(self, request):
        """No bulk delete: each deletion is removal, said and checked on its own page."""
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_urls(self):
        opts = self.model._meta
        restore = path(
            "<path:object_id>/restore/",
            self.admin_site.admin_view(self.restore_view),
            name=f"{opts.app_label}_{opts.model_name}_restore",
        )
        return [restore, *super().get_urls()]

    def delete_view(self, request, object_id, extra_context=None):
        """Say what deleting would do, then remove the record (services.record_remove).
        Staff who may not delete it are refused first, the same for every id, and told
        nothing; a neighbourhood that holds LSOAs is refused in words."""
        if not self.has_delete_permission(request):
            raise PermissionDenied
        record = self.get_object(request, unquote(object_id))
        if record is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        preview = removal_preview(record)
        change_url = reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk]
        )
        if preview.refusal:
            messages.error(request, preview.refusal)
            return HttpResponseRedirect(change_url)
        lacking = bool(preview.ending) and not request.user.has_perm(CHANGE_MEMBERSHIPS)
        if request.method == "POST" and not lacking:
            try:
                record_remove(record=record, by=request.user, today=preview.today)
            except RemovalRefused as refused:
                messages.error(request, str(refused))
                return HttpResponseRedirect(change_url)
            self.log_deletions(request, self.model.objects.filter(pk=record.pk))
            ended = (
                f"its {plural(len(preview.ending), 'membership')} ended today"
                if preview.ending
                else "it had no membership in force"
            )
            messages.success(
                request,
                format_html(
                    "{} was deleted: {}. It is kept in {}, where it can be restored.",
                    record,
                    ended,
                    _deleted_records_link(),
                ),
            )
            return HttpResponseRedirect(
                reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Delete {record}?",
            "opts": self.opts,
            "object": record,
            "preview": preview,
            "is_practice": self.model is Practice,
            "lacking": lacking,
            "change_url": change_url,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/neighbourhoods/removal_confirmation.html", context)

    def restore_view(self, request, object_id):
        """Say what restoring would reopen, then restore (services.record_restore) on POST.
        Needs permission to change the record and to publish, asked before the id is looked
        up."""
        if not self.may_restore_removed(request):
            raise PermissionDenied
        record = _removed(self.model, unquote(object_id))
        if record is None:
            messages.warning(
                request,
                f"No deleted {self.opts.verbose_name} has that number: it may have been "
                "restored already.",
            )
            return HttpResponseRedirect(reverse("deleted-records"))
        preview = restore_preview(record)
        changes_memberships = bool(preview.reopening or preview.waiting)
        lacking = changes_memberships and not request.user.has_perm(CHANGE_MEMBERSHIPS)
        if request.method == "POST" and not (preview.refusal or lacking):
            try:
                record_restore(record=record, by=request.user)
            except RemovalRefused as refused:
                messages.error(request, str(refused))
                return HttpResponseRedirect(request.path)
            reopened = len(preview.reopening)
            self.log_change(
                request,
                record,
                f"Restored from Deleted records: {plural(reopened, 'membership')} reopened.",
            )
            messages.success(
                request,
                f"{record} was restored"
                + (
                    f", with the {plural(reopened, 'membership')} its deletion ended."
                    if reopened
                    else "."
                ),
            )
            return HttpResponseRedirect(
                reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[record.pk]
                )
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Restore {record}?",
            "opts": self.opts,
            "object": record,
            "preview": preview,
            "is_practice": self.model is Practice,
            "lacking": lacking,
            "removed_at": timezone.localtime(record.removed_at),
        }
        return TemplateResponse(request, "admin/neighbourhoods/restore_confirmation.html", context)

    def may_restore(self, request, obj=None):
        """An earlier version of a removed record is never restored from its history: that
        would leave the memberships its removal ended as they are. It is restored from
        Deleted records."""
        if obj is not None and _removed(self.model, obj.pk) is not None:
            return False
        return super().may_restore(request, obj)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        may_restore = self.has_change_history_permission(request) and self.has_change_permission(
            request
        )
        if request.method == "POST" and may_restore:
            record = _removed(self.model, unquote(object_id))
            if record is not None:
                messages.error(
                    request,
                    format_html(
                        "{} is deleted: restore it from {}, which reopens the memberships "
                        "its deletion ended, before restoring an earlier version.",
                        record,
                        _deleted_records_link(),
                    ),
                )
                return HttpResponseRedirect(
                    reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_history",
                        args=[record.pk],
                    )
                )
        return super().history_form_view(request, object_id, version_id, extra_context)


def _removed(model, object_id):
    """The removed record with that id, or None (for an id that is not one, too)."""
    try:
        return model.objects.removed().filter(pk=int(object_id)).first()
    except (TypeError, ValueError, OverflowError):
        return None


# The kinds of record Deleted records lists, in its order.
REMOVABLE = [Practice, Neighbourhood]


def deleted_records_view(request):
    """Every removed practice and neighbourhood, most recently deleted first, with who deleted
    it and when, and the memberships its deletion ended; a Restore link where the member of
    staff may restore it."""
    sections = []
    for model in REMOVABLE:
        model_admin = admin.site.get_model_admin(model)
        if not model_admin.has_view_or_change_permission(request):
            continue
        opts = model._meta
        records = list(
            model.objects.removed().select_related("removed_by").order_by("-removed_at", "pk")
        )
        kind = model.__name__.lower()
        for record in records:
            record.ended_memberships = list(
                record.memberships.filter(ended_by_removal_of=kind)
                .select_related("practice", "neighbourhood")
                .order_by("practice__name", "neighbourhood__name")
            )
        sections.append(
            {
                "name": opts.verbose_name_plural.capitalize(),
                "kind": kind,
                "records": records,
                "may_restore": model_admin.may_restore_removed(request),
                "history_url": f"admin:{opts.app_label}_{opts.model_name}_history",
                "restore_url": f"admin:{opts.app_label}_{opts.model_name}_restore",
            }
        )
    content = content_sections(request)
    if not sections and not content:
        raise PermissionDenied
    context = {
        **admin.site.each_context(request),
        "title": "Deleted records",
        "sections": sections,
        "content_sections": content,
    }
    return TemplateResponse(request, "admin/deleted_records.html", context)


deleted_records = admin.site.admin_view(deleted_records_view)
