"""Writes to the content records that change more than one row: a person marking pages as
reviewed (docs/history.md, "Review dates")."""

import datetime

from django.db import transaction
from django.utils import timezone

from neighbourhoods.audit import trail

from .models import ContactMessage

REVIEWED_REASON = "Marked as reviewed"


@transaction.atomic
def pages_mark_reviewed(*, records, by, on: datetime.date | None = None) -> int:
    """Record that `by`, a member of staff, checked the pages of `records` (a queryset of
    places, partners, workstreams or neighbourhoods) on `on` (default: today, London time):
    each page then says "Page last reviewed" with that date. Each record gets a history row
    naming them. Returns how many were marked.

    It writes around save(): saving a place or a neighbourhood works every postcode's answer
    out again, and a review changes no answer (nor anything cached: the line is drawn on
    every request)."""
    on = on or timezone.localdate()
    model = records.model
    ids = list(records.values_list("pk", flat=True))
    model._default_manager.filter(pk__in=ids).update(reviewed_on=on, reviewed_by=by)
    marked = list(model._default_manager.filter(pk__in=ids))
    for record in marked:
        record._history_user = by
    trail.record_bulk(marked, model, reason=REVIEWED_REASON)
    return len(marked)


def contact_message_send(*, message: str, page: str = "", reply_to: str = ""):
    """Put a resident's message in staff's queue, as new."""
    return ContactMessage.objects.create(message=message, page=page, reply_to=reply_to)


@transaction.atomic
def contact_messages_set_status(*, messages, status: str) -> int:
    """Mark messages new, in hand or closed (a closed one's retention starts now, once)."""
    now = timezone.now()
    messages = messages.exclude(status=status)
    if status == ContactMessage.Status.CLOSED:
        return messages.update(status=status, closed_at=now)
    return messages.update(status=status, closed_at=None)


def contact_messages_expire(*, now=None) -> int:
    """Delete the messages past the time the privacy notice says they are kept. Returns how
    many were deleted."""
    deleted, _ = ContactMessage.objects.past_keeping(now).delete()
    return deleted
