"""Drafts and publishing (docs/history.md, Drafts): keeping a draft, what publishing,
scheduling and taking a page down record in the history, and what the scheduler finds due.
The admin's form is the draft (neighbourhoods.audit.drafting); these write its rows."""

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import dateformat, timezone

from neighbourhoods.audit import trail

from .models import Draft


class PublishRefused(Exception):
    """A draft could not be published: the words say why."""


def person(user) -> str:
    if user is None:
        return "someone since removed"
    return user.get_full_name() or user.get_username()


def when(moment) -> str:
    """ "5 December 2026 at 14:00", London time."""
    local = timezone.localtime(moment)
    return f"{dateformat.format(local, 'j F Y')} at {local:%H:%M}"


def latest_version(obj):
    """The record's newest history row, or None."""
    if obj is None or obj.pk is None:
        return None
    return obj.history.order_by("-history_date", "-history_id").first()


def changed_since(draft, obj):
    """The newest change to the published record made after the draft was started (not its
    scheduling or taking down, which change no text), or None: publishing the draft would
    replace it."""
    if draft is None or obj is None or draft.based_on is None:
        return None
    return (
        obj.history.filter(history_id__gt=draft.based_on)
        .exclude(publication__in=["scheduled", "unpublished"])
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )


@transaction.atomic
def draft_keep(*, draft, model, obj, name, data, by, go_live_at=None, replacing=None):
    """Keep the form as the record's draft (a new one, or the draft it had; `replacing` is a
    draft a new one takes the place of), scheduled to be published at `go_live_at` when
    given: the history of the record says so."""
    if replacing is not None:
        replacing.delete()
    if draft is None:
        latest = latest_version(obj)
        draft = Draft(
            content_type=ContentType.objects.get_for_model(model, for_concrete_model=False),
            object_id=str(obj.pk) if obj is not None else "",
            based_on=latest.history_id if latest is not None else None,
        )
    draft.name, draft.data, draft.saved_by = name[:300], data, by
    draft.go_live_at = go_live_at
    draft.scheduled_by = by if go_live_at else None
    draft.problem = ""
    draft.save()
    if go_live_at is not None and obj is not None:
        reason = f"Scheduled to publish on {when(go_live_at)}"
        obj._history_user = by
        with trail.recording(reason=reason, publication="scheduled"):
            trail.record_bulk([obj], type(obj))
    return draft


def draft_discard(*, draft, by):
    draft.delete()


def draft_refused(*, draft, problem):
    """A scheduled draft the scheduler could not publish: it stays, saying why."""
    Draft.objects.filter(pk=draft.pk).update(problem=problem)


def published(*, draft, obj, version_before, by):
    """After a publish saved `obj`: its draft is done with, and its history has a version
    saying it was published (one is written when the draft changed nothing)."""
    if draft is None:
        return  # a form published directly: its save wrote a version if it changed anything
    draft.delete()
    latest = latest_version(obj)
    if latest is None or (version_before is not None and latest.history_id == version_before):
        obj._history_user = by
        trail.record_bulk([obj], type(obj))


def record_take_down(*, record, by=None, reason=None):
    """Residents no longer see the record's page: it stays here, to publish again."""
    record.live = False
    if by is not None:
        record._history_user = by
    reason = reason or f"Taken down by {person(by)}"
    with trail.recording(reason=reason, publication="unpublished"):
        record.save()


def drafts_due(now):
    return (
        Draft.objects.filter(go_live_at__lte=now, problem="")
        .exclude(go_live_at=None)
        .select_related("content_type", "scheduled_by", "saved_by")
        .order_by("go_live_at", "pk")
    )


def records_due_down(models, now):
    """Live records whose time to be taken down has come."""
    for model in models:
        yield from model.objects.filter(live=True, expire_at__lte=now).order_by("pk")
