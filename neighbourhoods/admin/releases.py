"""Releases of the open data: a Data manager uploads a file, reads what it would change, and
applies it with a reason; the check and the import run in the background while the page
shows their progress. An applied release is undone by applying the one before it again."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from ..audit.admin import PermissionFirst, PlainLineEndings
from ..importers.releases import (
    ReleaseRefused,
    release_queue_apply,
    release_undo,
    release_upload,
)
from ..models import DataRelease


class UploadForm(forms.Form):
    source = forms.ChoiceField(
        label="Which source is this a release of?",
        choices=[("", "Choose a source"), *DataRelease.Source.choices],
    )
    file = forms.FileField(
        label="The release's file",
        help_text="The file as its publisher gives it: a CSV file for NHS ODS, NHS England and "
        "the ONS Postcode Directory; the zip as Ordnance Survey gives it (codepo_gb.zip, not "
        "unzipped) for Code-Point Open; a GeoJSON file for LSOA boundaries. Nothing changes "
        "until you have read what it would change and applied it.",
    )


class ApplyForm(forms.Form):
    reason = forms.CharField(
        label="Why are you applying this release?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For the record, for example: ODS's March 2026 release.",
    )


@admin.register(DataRelease)
class DataReleaseAdmin(PermissionFirst, PlainLineEndings, admin.ModelAdmin):
    list_display = ["original_name", "source", "status", "uploaded_by", "uploaded_at", "applied_at"]
    list_filter = ["source", "status"]
    search_fields = ["original_name", "sha256", "reason"]
    date_hierarchy = "uploaded_at"
    change_form_template = "admin/neighbourhoods/datarelease/change_form.html"
    # The status, progress, preview and message are shown in words above the record.
    fields = [
        "source", "original_name", "size", "sha256", "uploaded_by", "uploaded_at",
        "reason", "applied_by", "applied_at", "import_run", "undoes",
    ]  # fmt: skip

    def has_change_permission(self, request, obj=None):
        return False  # a release is read, applied or undone, never edited

    def has_delete_permission(self, request, obj=None):
        return False  # its record stays, as import runs do

    def may_apply(self, request) -> bool:
        return request.user.has_perm("neighbourhoods.apply_datarelease")

    def get_urls(self):
        return [
            path(
                "<int:pk>/apply/",
                self.admin_site.admin_view(self.apply_view),
                name="neighbourhoods_datarelease_apply",
            ),
            path(
                "<int:pk>/undo/",
                self.admin_site.admin_view(self.undo_view),
                name="neighbourhoods_datarelease_undo",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                release = release_upload(
                    source=form.cleaned_data["source"],
                    uploaded=form.cleaned_data["file"],
                    user=request.user,
                )
            except ReleaseRefused as refusal:
                form.add_error("file", str(refusal))
            else:
                messages.success(
                    request, f"{release.original_name} is being checked. Nothing has changed yet."
                )
                return HttpResponseRedirect(self._page(release))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Upload a release of the open data",
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(request, "admin/neighbourhoods/datarelease/upload.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        release = self.get_object(request, object_id)
        context = {
            "release": release,
            "apply_form": ApplyForm(),
            "may_apply": self.may_apply(request),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, context)

    def apply_view(self, request, pk):
        if request.method != "POST" or not self.may_apply(request):
            raise PermissionDenied
        release = self._release(request, pk)
        form = ApplyForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Say why this release is being applied: the record keeps it.")
            return HttpResponseRedirect(self._page(release))
        try:
            release_queue_apply(
                release=release, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ReleaseRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, f"{release.original_name} is being applied.")
        return HttpResponseRedirect(self._page(release))

    def undo_view(self, request, pk):
        if request.method != "POST" or not self.may_apply(request):
            raise PermissionDenied
        release = self._release(request, pk)
        try:
            again = release_undo(release=release, user=request.user)
        except ReleaseRefused as refusal:
            messages.error(request, str(refusal))
            return HttpResponseRedirect(self._page(release))
        messages.success(
            request,
            f"The release before it, {again.original_name}, is being checked: read what putting "
            "it back would change, then apply it.",
        )
        return HttpResponseRedirect(self._page(again))

    def _release(self, request, pk) -> DataRelease:
        release = DataRelease.objects.filter(pk=pk).first()
        if release is None or not self.has_view_permission(request, release):
            raise Http404("No release has that number.")
        return release

    def _page(self, release) -> str:
        return reverse("admin:neighbourhoods_datarelease_change", args=[release.pk])
