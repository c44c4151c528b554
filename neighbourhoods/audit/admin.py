"""The admin side of the audit trail, for all three apps: simple-history's pages, with
restoring an earlier version allowed only to staff who may both change the record and
restore its history; and what keeps a save that changes nothing from recording a change
(text fields that keep their lines as LF, no history row for a save that changes nothing)."""

import datetime

from django import forms
from django.contrib import admin
from django.contrib.gis.geos import Point
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import dateformat
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import DeletedObject
from simple_history.template_utils import HistoricalRecordContextHelper

from .trail import LINKS, differs_from_last_version, keep_version_before, last_version


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
        if not self.has_view_history_or_change_history_permission(request):
            raise PermissionDenied
        if request.method == "POST" and not self.may_restore(request):
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadableChanges(HistoricalRecordContextHelper):
    """Values in a diff as staff read them: "(none)" rather than None or a missing object, a
    deleted record by the name its last version had, "(blank)" for empty text, a date as
    "1 October 2019", "yes" and "no" for ticks, a point by its latitude and longitude (to
    five places, about a metre) rather than "SRID=4326;POINT (…)"."""

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        if isinstance(value, Point):
            return f"latitude {value.y:.5f}, longitude {value.x:.5f}"
        if isinstance(value, DeletedObject):
            if value.pk is None:
                return "(none)"
            last = last_version(value.model, value.pk)
            if last is not None:
                return f"{last} (deleted)"
            return f"a deleted {value.model._meta.verbose_name} (no. {value.pk})"
        if value is None:
            return "(none)"
        if value == "":
            return "(blank)"
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return dateformat.format(value, "j F Y")
        if isinstance(value, bool):
            return "yes" if value else "no"
        return value
