"""Drafts, preview and publishing in the admin, for the content residents read
(docs/history.md, Drafts).

A draft is the record's admin form as a member of staff submitted it, kept rather than
saved: *Save draft*, *Preview* and *Schedule* each save the form for real inside a
transaction that is then rolled back, so a draft is checked exactly as publishing will check
it, and *Preview* renders the public page from the saved record before the rollback: the
page as it will look, which residents never see. *Publish* (and the scheduler, at the time
a Publisher set) submits the kept form again through the same page, so every rule of saving
(the history, a workstream's order, the review date kept) applies once, in one place.
"""

import datetime
from contextlib import contextmanager
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType
from django.contrib.gis.geos import GEOSGeometry
from django.contrib.messages.storage.base import BaseStorage
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import CheckboxInput, MultiWidget
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from partnership import publishing
from partnership.models import Draft

from . import trail
from .admin import ReviewedAdmin
from .compare import when

ACTIONS = ("_save_draft", "_preview", "_publish", "_schedule", "_discard_draft", "_take_down")
# The buttons of the form, and the schedule's field: never kept in a draft.
NOT_KEPT = {"csrfmiddlewaretoken", "_save", "_continue", "_addanother", "_go_live_at", *ACTIONS}


class Discarded(BaseStorage):
    """Messages of a save that is rolled back (a draft's trial save): said to nobody. A
    message storage of our own, as Django's documentation says to write one (_get, _store)."""

    def _get(self, *args, **kwargs):
        return [], True

    def _store(self, messages_, response, *args, **kwargs):
        return []


@contextmanager
def rolled_back(request):
    """A trial: what is saved within is rolled back at its end, and the messages it leaves
    are said to nobody."""
    told, request._messages = request._messages, Discarded(request)
    try:
        with transaction.atomic():
            yield
            transaction.set_rollback(True)
    finally:
        request._messages = told


def form_data(draft) -> QueryDict:
    """The kept form as the request's POST would hold it."""
    data = QueryDict(mutable=True)
    for key, values in draft.data.items():
        data.setlist(key, values)
    return data


def kept(post: QueryDict) -> dict:
    return {key: post.getlist(key) for key in post if key not in NOT_KEPT}


def go_live_asked(post) -> datetime.datetime | None:
    """The date and time typed in "Publish at" (London time), or None when it is not one."""
    value = (post.get("_go_live_at") or "").strip()
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        return None
    return timezone.make_aware(moment)


def may_publish(user) -> bool:
    """Whether a member of staff may put changes in front of residents: the one permission
    every kind of publishing asks for (neighbourhoods.audit.roles, PUBLISH)."""
    return user.has_perm("partnership.publish_draft")


class LiveAsSavedAdmin:
    """The admin of a record that has no draft of its own but is shown on other records'
    public pages as it is saved (a source, named on every page whose text it is the source
    of): changing or deleting one is publishing, so it is for staff who may publish. Others
    may add one, which no page shows until a published page names it, and read the rest."""

    def has_change_permission(self, request, obj=None):
        return may_publish(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return may_publish(request.user) and super().has_delete_permission(request, obj)


class DraftedAdmin:
    """The admin of a record residents read: its form saves drafts, previews and publishes.
    Staff who may change the record may save drafts and preview; staff who may also publish
    (`partnership.publish_draft`: Publishers, Data managers and superusers) publish, now or at
    a date and time, take a page down, and delete or restore a record. A form submitted
    without one of these buttons (an older page, a script) publishes for those who may, and
    is kept as a draft for others.

    `preview_of(obj)` names the public page a record appears on; `draft_name` what a draft
    is called in lists; `seen_as` what residents see of it, in the words of its Publishing
    box ("its page"; a place's priority is a line on its place's page)."""

    change_form_template = "admin/drafts/change_form.html"
    seen_as = "its page"

    def get_exclude(self, request, obj=None):
        """Whether a page is live is set by Publish and Take down, not typed."""
        exclude = [*(super().get_exclude(request, obj) or [])]
        if hasattr(self.model, "live"):
            exclude.append("live")
        return exclude

    # Who may do what

    def may_publish(self, request) -> bool:
        return may_publish(request.user)

    def has_delete_permission(self, request, obj=None):
        """Deleting a record takes its page off the site, and restoring it from Deleted
        records (which asks the same) puts it back: both are publishing, so for staff who
        may publish as well as delete. An Editor may still mark a part of a page deleted
        (an inline row) in a draft: it is deleted when a Publisher publishes the draft."""
        return self.may_publish(request) and super().has_delete_permission(request, obj)

    # Finding a draft

    def content_type(self):
        return ContentType.objects.get_for_model(self.model, for_concrete_model=False)

    def draft_of(self, request, object_id) -> Draft | None:
        if object_id is not None:
            return Draft.objects.filter(
                content_type=self.content_type(), object_id=str(unquote(object_id))
            ).first()
        asked = request.GET.get("draft", "")
        if not asked.isdigit():
            return None
        return Draft.objects.filter(
            pk=int(asked), content_type=self.content_type(), object_id=""
        ).first()

    # Showing a draft in the form

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        draft = getattr(request, "draft_shown", None)
        if draft is None:
            return form
        data = form_data(draft)

        class DraftForm(form):
            def __init__(self, *args, **kwargs):
                if not args and kwargs.get("data") is None:
                    kwargs["data"] = data
                super().__init__(*args, **kwargs)

        return DraftForm

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        draft = getattr(request, "draft_shown", None)
        if draft is not None and "data" not in kwargs:
            kwargs["data"] = form_data(draft)
        return kwargs

    def get_changelist_instance(self, request):
        """Staff who may not publish change the order in a record's own page, as a draft:
        an order typed in the list would be live at once."""
        changelist = super().get_changelist_instance(request)
        if not self.may_publish(request):
            changelist.list_editable = ()
        return changelist

    def save_model(self, request, obj, form, change):
        # Published, or previewed as it will be once published: live, even if taken down.
        action = getattr(request, "draft_action", None)
        if action in ("_publish", "_preview") and hasattr(obj, "live"):
            obj.live = True
        super().save_model(request, obj, form, change)
        request.draft_saved = obj

    # The page

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        draft = self.draft_of(request, object_id)
        if object_id is None and request.GET.get("draft") and draft is None:
            messages.warning(request, "That draft has been published or discarded.")
        if request.method not in ("POST", "PUT"):
            if draft is not None and "live" not in request.GET:
                request.draft_shown = draft
            context = {**self.draft_context(request, object_id, draft), **(extra_context or {})}
            return super().changeform_view(request, object_id, form_url, context)
        action = next((a for a in ACTIONS if a in request.POST), None)
        if action is None:
            action = "_publish" if self.may_publish(request) else "_save_draft"
        request.draft_action = action
        if action in ("_publish", "_schedule", "_take_down") and not self.may_publish(request):
            raise PermissionDenied
        if action == "_discard_draft":
            return self.discard(request, object_id, draft)
        if action == "_take_down":
            return self.take_down(request, object_id)
        if action == "_publish":
            # The published version's form (opened with ?live) leaves the draft for later.
            kept_draft = None if "live" in request.GET else draft
            return self.publish(request, object_id, form_url, extra_context, kept_draft)
        return self.trial(request, object_id, form_url, extra_context, draft, action)

    def draft_context(self, request, object_id, draft):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        changed_since = publishing.changed_since(draft, obj) if draft and obj else None
        return {
            "change_form_base": self.change_form_base,
            "draft": draft,
            "draft_shown": getattr(request, "draft_shown", None) is not None,
            "draft_changed_since": changed_since,
            "may_publish": self.may_publish(request),
            "publishable": hasattr(self.model, "live"),
            "seen_as": self.seen_as,
            "live_url": f"{request.path}?live=1",
        }

    @property
    def change_form_base(self):
        if isinstance(self, ReviewedAdmin):
            return ReviewedAdmin.change_form_template
        return "admin/change_form.html"

    def trial(self, request, object_id, form_url, extra_context, draft, action):
        """Save the form inside a transaction rolled back at its end: an invalid form comes
        back with its errors; a valid one is kept as the draft (and previewed)."""
        schedule_at = None
        if action == "_schedule":
            schedule_at = go_live_asked(request.POST)
            if schedule_at is None or schedule_at <= timezone.now():
                messages.error(
                    request,
                    "Give the date and time to publish it, in the future, as the box "
                    "asks (for example 1 April 2027 at 09:00). Nothing was scheduled.",
                )
                return HttpResponseRedirect(request.get_full_path())
        preview = None
        with rolled_back(request):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            saved = getattr(request, "draft_saved", None)
            if saved is not None and action == "_preview":
                preview = self.preview(request, saved)
        if saved is None:
            return response  # the form, with what is wrong
        if preview is not None:
            return preview
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        kept_draft = publishing.draft_keep(
            # Saved from the published version (?live): a draft started afresh from it.
            draft=None if "live" in request.GET and draft is not None else draft,
            replacing=draft if "live" in request.GET else None,
            model=self.model,
            obj=obj,
            name=str(saved),
            data=kept(request.POST),
            by=request.user,
            go_live_at=schedule_at,
        )
        if schedule_at is not None:
            messages.success(
                request,
                f"“{saved}” will be published on {when(schedule_at)}. Until then residents "
                "see the page as it is; the draft can still be changed or discarded.",
            )
        elif obj is None:
            messages.success(
                request,
                f"Draft of “{saved}” saved. It is not on the site until it is published.",
            )
        else:
            messages.success(
                request,
                f"Draft of “{saved}” saved. Residents still see the published page; "
                "Preview shows it with your changes.",
            )
        if obj is None:
            return HttpResponseRedirect(f"{request.path}?draft={kept_draft.pk}")
        return HttpResponseRedirect(request.path)

    def publish(self, request, object_id, form_url, extra_context, draft):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        latest = publishing.latest_version(obj)
        if getattr(request, "draft_scheduled", False):
            reason = f"Published as scheduled by {publishing.person(request.user)}"
        elif draft is not None:
            reason = f"Published (draft by {publishing.person(draft.saved_by)})"
        else:
            reason = "Published"
        with transaction.atomic(), trail.recording(reason=reason, publication="published"):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            saved = getattr(request, "draft_saved", None)
            if saved is not None:
                publishing.published(
                    draft=draft,
                    obj=saved,
                    version_before=latest.history_id if latest is not None else None,
                    by=request.user,
                )
        return response

    def discard(self, request, object_id, draft):
        if draft is None:
            messages.info(request, "There is no draft to discard.")
        else:
            if not self.has_change_permission(request) and not self.has_add_permission(request):
                raise PermissionDenied
            publishing.draft_discard(draft=draft, by=request.user)
            messages.success(request, f"The draft of “{draft.name}” was discarded.")
        if object_id is None:
            return HttpResponseRedirect(reverse("admin:partnership_draft_changelist"))
        return HttpResponseRedirect(request.path)

    def take_down(self, request, object_id):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        if obj is None or not hasattr(obj, "live"):
            raise PermissionDenied
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        publishing.record_take_down(record=obj, by=request.user)
        messages.success(
            request,
            f"“{obj}” is taken down: residents no longer see {self.seen_as}. Publish it to put "
            "it back.",
        )
        return HttpResponseRedirect(request.path)

    # Restoring an earlier version

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """For staff who may not publish, "Restore this version" keeps the version as the
        record's draft: the restore runs inside a transaction rolled back at its end, and the
        record's form as the restore left it (its priorities in the version's order too) is
        kept, for a Publisher to publish."""
        if self.may_publish(request):
            return super().history_form_view(request, object_id, version_id, extra_context)
        words = (
            "Restore this version saves it as a draft of the record, with the values on this "
            "page: residents keep seeing the published page until a Publisher publishes the "
            "draft. Nothing is deleted."
        )
        extra_context = {"restore_words": words, **(extra_context or {})}
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        data = None
        with rolled_back(request):
            response = super().history_form_view(request, object_id, version_id, extra_context)
            saved = getattr(request, "draft_saved", None)
            if saved is not None:
                data = self.form_as_data(request, saved)
        if data is None:
            return response
        obj = self.get_object(request, unquote(object_id))
        publishing.draft_keep(
            draft=self.draft_of(request, object_id),
            model=self.model,
            obj=obj,
            name=str(saved),
            data=data,
            by=request.user,
        )
        messages.success(
            request,
            f"The earlier version of “{saved}” is now its draft: residents still see the "
            "published page. Preview it here; a Publisher publishes it.",
        )
        opts = self.model._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        )

    def form_as_data(self, request, obj) -> dict:
        """The record's page as a browser would submit it untouched: its form and each
        inline's, every value as its widget sends it."""
        forms_ = [self.get_form(request, obj, change=True)(instance=obj)]
        prefixes = {}
        for formset_class, inline in self.get_formsets_with_inlines(request, obj):
            prefix = formset_class.get_default_prefix()
            prefixes[prefix] = prefixes.get(prefix, 0) + 1
            if prefixes[prefix] != 1 or not prefix:
                prefix = f"{prefix}-{prefixes[prefix]}"
            formset = formset_class(
                instance=obj, prefix=prefix, queryset=inline.get_queryset(request)
            )
            forms_ += [formset.management_form, *formset.forms]
        data = {}
        for form in forms_:
            for name, field in form.fields.items():
                if field.disabled:
                    continue
                data.update(as_submitted(form.add_prefix(name), field.widget, form[name].value()))
        return data

    # Preview

    def preview_of(self, obj) -> str:
        """The public page the record is on."""
        return obj.get_absolute_url()

    def preview(self, request, obj):
        """The public page with the saved record, as residents will see it once published,
        for the signed-in member of staff: rendered now, inside the transaction."""
        path = self.preview_of(obj)
        response = None
        for _ in range(3):  # a page that sends on (the main place's to the home page)
            response = render_page(request, path)
            location = response.get("Location", "") if response.status_code in (301, 302) else ""
            if not location:
                break
            path = urlsplit(location).path
        preview = HttpResponse(
            response.content, status=response.status_code, content_type=response["Content-Type"]
        )
        preview["X-Robots-Tag"] = "noindex, nofollow"
        preview["Cache-Control"] = "private, no-store"
        return preview


def as_submitted(key, widget, value) -> dict:
    """What a browser sends for a field shown with `value`: {name: [values]}."""
    if isinstance(widget, MultiWidget):
        parts = value if isinstance(value, list | tuple) else widget.decompress(value)
        sent = {}
        for suffix, part_widget, part in zip(
            widget.widgets_names, widget.widgets, parts, strict=True
        ):
            sent.update(as_submitted(f"{key}{suffix}", part_widget, part))
        return sent
    if isinstance(widget, CheckboxInput):
        return {key: ["on"]} if value else {}
    if value is None:
        return {key: [""]}
    if isinstance(value, list | tuple):
        return {key: [str(v) for v in value]}
    if isinstance(value, GEOSGeometry):
        return {key: [value.geojson]}
    formatted = widget.format_value(value)  # a list, for a choice
    if isinstance(formatted, list):
        return {key: [str(v) for v in formatted]}
    return {key: ["" if formatted is None else str(formatted)]}


def render_page(request, path):
    """The public page at `path`, rendered for `request`'s member of staff as a preview:
    marked so (templates/base.html) and kept out of every cache (the page's own caching
    reads the preview flag)."""
    page = HttpRequest()
    page.method = "GET"
    page.path = page.path_info = path
    page.META = {**request.META, "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": ""}
    page.COOKIES = request.COOKIES
    page.user = request.user
    page.session = request.session
    page._messages = Discarded(page)
    page.csp_nonce = request.csp_nonce
    page.portal_preview = True
    try:
        match = resolve(path)
    except Resolver404:
        return HttpResponse("This record has no public page to preview.", status=404)
    page.resolver_match = match
    response = match.func(page, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    return response


def replay(model_admin, draft, user):
    """Submit the draft's form again through its admin page, as `user` (the scheduler
    publishing a scheduled draft). Returns the record saved, or raises PublishRefused with
    the form's errors in words."""
    opts = model_admin.model._meta
    if draft.object_id:
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[draft.object_id])
    else:
        path = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
    request = HttpRequest()
    request.method = "POST"
    request.path = request.path_info = path
    request.META = {"REQUEST_METHOD": "POST", "SERVER_NAME": "localhost", "SERVER_PORT": "80"}
    request.POST = form_data(draft)
    request.POST["_publish"] = "Publish"
    request.user = user
    request.draft_scheduled = True
    request.resolver_match = resolve(path)
    request._dont_enforce_csrf_checks = True
    request._messages = Discarded(request)
    previous = getattr(HistoricalRecords.context, "request", None)
    HistoricalRecords.context.request = request  # the history names the publisher
    try:
        response = model_admin.changeform_view(request, draft.object_id or None)
    finally:
        HistoricalRecords.context.request = previous
    saved = getattr(request, "draft_saved", None)
    if saved is None:
        errors = getattr(response, "context_data", {}).get("errors") or []
        words = "; ".join(
            error.as_text() if hasattr(error, "as_text") else str(error) for error in errors
        )
        words = words or f"the page answered {response.status_code}"
        raise publishing.PublishRefused(f"The form was refused: {' '.join(words.split())}")
    return saved
