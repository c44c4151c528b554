"""The admin side of the audit trail, for all three apps: simple-history's pages, with
restoring an earlier version allowed only to staff who may both change the record and
restore its history; a page comparing each version with the one before it; what keeps a
save that changes nothing from recording a change (text fields that keep their lines as LF,
no history row for a save that changes nothing); and marking a page as reviewed, which the
trail records with who and when."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils import dateformat, timezone
from simple_history.admin import SimpleHistoryAdmin

from partnership.reviews import page_review
from partnership.services import pages_mark_reviewed

from .compare import ReadableChanges, as_kept, compare_versions, done, when, with_related
from .trail import LINKS, differs_from_last_version, keep_version_before


class LineEndingsField(forms.CharField):
    """Browsers send a textarea's lines ending in CRLF: compare and save them as LF, so a form
    saved without touching the text neither changes it nor logs a change."""

    def to_python(self, value):
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


class PlainLineEndings:
    """Every text field of an admin form, the record's own or an inline's, as a
    LineEndingsField. (A `formfield_overrides` would be lost by an admin that sets its own.)"""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.TextField) and not db_field.choices:
            kwargs.setdefault("form_class", LineEndingsField)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class PermissionFirst:
    """Django's history page looks the record up before it asks whether the member of staff
    may see it, so someone without the permission could tell an id in use (a 403) from one
    that is not (sent on, "doesn't exist"). Here the permission comes first: without it,
    every id gets the same 403."""

    def history_view(self, request, object_id, extra_context=None):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)


class AuditedInline(PlainLineEndings, admin.TabularInline):
    """A table of an audited record's parts on its page (a place's priorities, a
    workstream's priorities, a practice's memberships)."""


class AuditedAdmin(PlainLineEndings, SimpleHistoryAdmin):
    def save_model(self, request, obj, form, change):
        """simple-history writes a history row on every save: a save that leaves the record
        as its latest version has it (a form saved untouched) writes none. Links changed on
        the same page (partners, places) still write their own rows when they are saved."""
        if change:
            keep_version_before(obj)  # a postcode the imports wrote has no version yet
        if change and not differs_from_last_version(obj):
            obj.save_without_historical_record()
        else:
            super().save_model(request, obj, form, change)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """A version opened to restore shows its own many-to-many links (partners, places),
        not today's: simple-history rebuilds the fields of a version, not its links.

        A version that kept no links (rows written before links were kept have none, and
        nor does a version that had no links at all) cannot say what its links were, so
        its form keeps today's links, and the page says so, rather than clearing them."""
        form = super().get_form(request, obj, change=change, **kwargs)
        version = getattr(obj, "_history", None)
        fields = LINKS.get((self.model._meta.app_label, self.model.__name__), [])
        if version is None or not fields:
            return form
        linked, kept_today = {}, []
        for name in fields:
            if name in form.base_fields:
                target = self.model._meta.get_field(name).related_model._meta.model_name
                ids = [getattr(link, f"{target}_id") for link in getattr(version, name).all()]
                if ids:
                    linked[name] = ids
                else:
                    kept_today.append(name)

        class VersionForm(form):
            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                self.initial.update(linked)
                for name in kept_today:
                    field = self.fields[name]
                    field.help_text = (
                        f"This version did not keep its {field.label.lower()}, so today's "
                        "are shown: restoring it leaves them as they are."
                    )

        return VersionForm

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def may_restore(self, request, obj=None):
        return self.has_change_history_permission(request, obj) and self.has_change_permission(
            request, obj
        )

    def revert_disabled(self, request, obj=None):
        return super().revert_disabled(request, obj) or not self.may_restore(request, obj)

    def history_view(self, request, object_id, extra_context=None):
        """simple-history's, with the permission asked first (see PermissionFirst)."""
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """An earlier version, to read or restore. Its words say what "Restore this version"
        does (simple-history's say "Press the 'Revert' button", and there is none)."""
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        if request.method == "POST" and not self.may_restore(request):
            raise PermissionDenied
        version = self.version(object_id, version_id)  # a 404 rather than simple-history's 500
        context = {
            "version": version,
            "version_when": when(version.history_date),
            "version_done": done(version),
            "compare_url": self.url("compare", version.id, version.history_id),
            "restore_words": self.restore_words(version),
            **(extra_context or {}),
        }
        return super().history_form_view(request, object_id, version_id, context)

    def history_form_view_title(self, request, obj):
        version = getattr(obj, "_history", None)
        said = f"{obj} as it was on {when(version.history_date)}" if version else str(obj)
        return said if self.revert_disabled(request, obj) else f"Restore {said}"

    def restore_words(self, version):
        """What pressing "Restore this version" does, said on the version's page."""
        return (
            "Restore this version saves the record with the values on this page as its newest "
            "version, in place of what it says now. Change a value here first and your change "
            "is saved with it. Nothing is deleted: the history keeps every version, the one "
            "this replaces too, so a restore can itself be undone."
        )

    def get_urls(self):
        opts = self.model._meta
        compare = path(
            "<str:object_id>/history/<str:version_id>/compare/",
            self.admin_site.admin_view(self.compare_view),
            name=f"{opts.app_label}_{opts.model_name}_compare",
        )
        return [compare, *super().get_urls()]

    def url(self, name, *args):
        opts = self.model._meta
        try:
            return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=args)
        except NoReverseMatch:
            return ""

    def version(self, object_id, version_id):
        """One history row of this model, with who made it and the records it names, or a
        404 (for an id that is not one too: the permission has been asked already)."""
        history = getattr(self.model, self.model._meta.simple_history_manager_attribute)
        try:
            return (
                with_related(history.select_related("history_user", "import_run"))
                .filter(id=unquote(object_id), history_id=int(version_id))
                .get()
            )
        except (history.model.DoesNotExist, ValueError, TypeError) as missing:
            raise Http404("There is no such version of this record.") from missing

    def compare_view(self, request, object_id, version_id):
        """One version beside the one before it: every field, with what changed marked.
        The permission comes first, so without it every id gets the same 403."""
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        version = self.version(object_id, version_id)
        history = type(version).objects.filter(id=version.id)
        earlier = models.Q(history_date__lt=version.history_date) | models.Q(
            history_date=version.history_date, history_id__lt=version.history_id
        )
        later = models.Q(history_date__gt=version.history_date) | models.Q(
            history_date=version.history_date, history_id__gt=version.history_id
        )
        before = with_related(history.filter(earlier).order_by("-history_date", "-history_id"))
        before = before.first()
        after = history.filter(later).order_by("history_date", "history_id").first()
        fields = compare_versions(self.model, version, before)
        exists = self.get_queryset(request).filter(pk=version.id).exists()
        name = str(as_kept(version))
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": COMPARE_TITLES[version.history_type].format(
                name=name, when=when(version.history_date)
            ),
            "opts": opts,
            "version": version,
            "done": done(version),
            "before": before,
            "exists": exists,
            "name": name,
            "changed": [field for field in fields if field.changed],
            "unchanged": [field for field in fields if not field.changed],
            "history_url": self.url("history", version.id),
            "version_url": self.url("simple_history", version.id, version.history_id),
            "record_url": self.url("change", version.id)
            if exists and self.has_view_or_change_permission(request)
            else "",
            "before_url": before and self.url("compare", before.id, before.history_id),
            "after_url": after and self.url("compare", after.id, after.history_id),
            "may_restore": not self.revert_disabled(request),
        }
        return TemplateResponse(request, "admin/audit/compare.html", context)


COMPARE_TITLES = {
    "+": "{name}: added on {when}",
    "~": "{name}: changes made on {when}",
    "-": "{name}: deleted on {when}",
}


class ReviewedAdmin:
    """For a record with a public page that says when a person last reviewed it (places,
    partners, workstreams, neighbourhoods): a "Mark as reviewed" button on its page and the
    bulk action "Mark selected as reviewed today", for staff who may change it. Both call
    partnership.services.pages_mark_reviewed, which records who and when in the history.
    Saving the form never changes the review, not even restoring an earlier version."""

    change_form_template = "admin/reviewed_change_form.html"
    actions = ["mark_reviewed"]
    review_fields = ["published_on", "reviewed_on", "reviewed_by"]

    def get_exclude(self, request, obj=None):
        """The form has no review fields: the page's "Review" box shows them (the template)."""
        return [*(super().get_exclude(request, obj) or []), *self.review_fields]

    def get_list_display(self, request):
        return [*super().get_list_display(request), "reviewed_on"]

    def get_urls(self):
        opts = self.model._meta
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(self.review_view),
            name=f"{opts.app_label}_{opts.model_name}_review",
        )
        return [review, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The page says who reviewed the record and when, and what its public page says."""
        obj = self.get_object(request, unquote(object_id))
        if obj is not None:
            opts = self.model._meta
            extra_context = {
                **(extra_context or {}),
                "review_wording": page_review([obj]).text,
                "may_mark_reviewed": self.has_change_permission(request, obj),
                "review_url": reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_review", args=[obj.pk]
                ),
            }
        return super().change_view(request, object_id, form_url, extra_context)

    def review_view(self, request, object_id):
        """The button: a POST from the record's page. Staff who may not change the record
        are refused first, the same for every id (see PermissionFirst)."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.model._meta, object_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        today = timezone.localdate()
        records = self.model._default_manager.filter(pk=obj.pk)
        pages_mark_reviewed(records=records, by=request.user, on=today)
        self.message_user(
            request,
            f"“{obj}” is marked as reviewed: its page now says “Page last reviewed: "
            f"{dateformat.format(today, 'j F Y')}”.",
            messages.SUCCESS,
        )
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    @admin.action(description="Mark selected as reviewed today", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        today = timezone.localdate()
        marked = pages_mark_reviewed(records=queryset, by=request.user, on=today)
        opts = self.model._meta
        noun, says = (
            (opts.verbose_name, "its page now says")
            if marked == 1
            else (opts.verbose_name_plural, "their pages now say")
        )
        self.message_user(
            request,
            f"Marked {marked} {noun} as reviewed: {says} “Page last reviewed: "
            f"{dateformat.format(today, 'j F Y')}”.",
            messages.SUCCESS,
        )

    def save_model(self, request, obj, form, change):
        """The review stays as the database has it: a version being restored carries the
        review it had then, which was of the text as it was then."""
        if change:
            saved = type(obj)._default_manager.filter(pk=obj.pk)
            kept = saved.values_list("reviewed_on", "reviewed_by").first()
            if kept is not None:
                obj.reviewed_on, obj.reviewed_by_id = kept
        super().save_model(request, obj, form, change)
