"""The scheduler's tasks for content (django-q2's cluster, `manage.py qcluster`, started by
`make run`): every minute, scheduled drafts are published and pages taken down at their time
(docs/history.md, Drafts; scheduled by migration neighbourhoods 0025); every day, residents'
messages are deleted when the privacy notice says (scheduled by migration partnership 0011)."""

from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.utils import timezone

from neighbourhoods.audit.drafting import replay

from . import publishing
from .models import Publishable
from .services import contact_messages_expire


def publishable_models():
    return [m for m in apps.get_models() if issubclass(m, Publishable)]


def publish_scheduled(now=None) -> str:
    """Publish every draft whose time has come, as the Publisher who scheduled it, and take
    down every page whose time has come. A draft that cannot be published stays, saying why
    (on its record's page and in the Drafts list); the others go ahead."""
    now = now or timezone.now()
    done = []
    for draft in publishing.drafts_due(now):
        model = draft.model
        record = (
            model._default_manager.filter(pk=draft.object_id).first() if draft.object_id else None
        )
        try:
            if draft.object_id and record is None:
                raise publishing.PublishRefused("The record was deleted after it was scheduled.")
            changed = publishing.changed_since(draft, record)
            if changed is not None:
                raise publishing.PublishRefused(
                    f"The published page was changed by {publishing.person(changed.history_user)} "
                    f"on {publishing.when(changed.history_date)}, after this draft was started: "
                    "publish it by hand once you have checked it keeps their change."
                )
            if draft.scheduled_by is None or not draft.scheduled_by.is_active:
                raise publishing.PublishRefused(
                    "The person who scheduled it can no longer sign in."
                )
            with transaction.atomic():
                saved = replay(admin.site.get_model_admin(model), draft, draft.scheduled_by)
            done.append(f"Published “{saved}”.")
        except publishing.PublishRefused as refused:
            publishing.draft_refused(draft=draft, problem=str(refused))
            done.append(f"Not published: “{draft.name}”: {refused}")
    for record in list(publishing.records_due_down(publishable_models(), now)):
        publishing.record_take_down(
            record=record, reason=f"Taken down as scheduled for {publishing.when(record.expire_at)}"
        )
        done.append(f"Taken down “{record}”.")
    return " ".join(done) or "Nothing was due."


def delete_expired_contact_messages() -> str:
    """Daily: messages from the contact form are kept no longer than the privacy notice says."""
    deleted = contact_messages_expire()
    return f"Deleted {deleted} message{'s' if deleted != 1 else ''} past their keeping time."
