"""Deleting a practice or a neighbourhood in the admin removes it, and restoring puts it back.

A removed record is kept, marked removed (who, and when), and left out of everything the
portal shows (models.RemovableQuerySet). Its memberships in force that day are ended on that
day rather than deleted, and each remembers the end date it had, so that restoring the
record reopens exactly those memberships: not the ones that had ended before, and not one
whose reopening would put its practice in two neighbourhoods at once.

- `removal_preview` and `record_remove`: what deleting would do, then doing it;
- `restore_preview` and `record_restore`: what restoring would reopen, then doing it.

Both write the record, its memberships and their history rows (each with its reason) and
work the postcode answers out again, in one transaction.
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ..models import Membership, Neighbourhood, Practice, day_text
from .answers import answers_deferred, answers_recompute


class RemovalRefused(Exception):
    """The record cannot be removed, or restored, as it is: the message says why."""


def _kind(record) -> str:
    """Which side of its memberships a record is: "practice" or "neighbourhood"."""
    if isinstance(record, Practice):
        return Membership.EndedByRemoval.PRACTICE
    if isinstance(record, Neighbourhood):
        return Membership.EndedByRemoval.NEIGHBOURHOOD
    raise TypeError(f"Only practices and neighbourhoods are removed, not {type(record)}")


def _other_side(kind: str) -> str:
    if kind == Membership.EndedByRemoval.PRACTICE:
        return Membership.EndedByRemoval.NEIGHBOURHOOD
    return Membership.EndedByRemoval.PRACTICE


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


@dataclass
class RemovalPreview:
    """What removing a record would do, on a day: the memberships it would end, those left as
    they are (ended already, or starting later), or why it cannot be removed."""

    record: Practice | Neighbourhood
    today: datetime.date
    ending: list = field(default_factory=list)
    ended: list = field(default_factory=list)
    later: list = field(default_factory=list)
    refusal: str = ""


def removal_preview(record, *, today: datetime.date | None = None) -> RemovalPreview:
    today = today or timezone.localdate()
    preview = RemovalPreview(record=record, today=today)
    if isinstance(record, Neighbourhood):
        lsoas = record.lsoas.count()
        if lsoas:
            postcodes = record.postcodes.filter(terminated=False).count()
            preview.refusal = (
                f"{record.name} cannot be deleted: {lsoas} LSOA"
                f"{'s are' if lsoas != 1 else ' is'} assigned to it, and {postcodes:,} "
                f"postcode{'s' if postcodes != 1 else ''} would lose their answer. Move "
                'its LSOAs to other neighbourhoods first (LSOAs, action "Move to a '
                'neighbourhood").'
            )
    memberships = record.memberships.select_related("practice", "neighbourhood").order_by(
        "practice__name", "neighbourhood__name", "started_on"
    )
    for membership in memberships:
        if membership.started_on is not None and membership.started_on > today:
            preview.later.append(membership)
        elif membership.ended_on is not None and membership.ended_on <= today:
            preview.ended.append(membership)  # over, or ending today anyway
        else:
            preview.ending.append(membership)
    return preview


@transaction.atomic
def record_remove(*, record, by=None, today: datetime.date | None = None) -> RemovalPreview:
    """Remove a practice or a neighbourhood: mark it removed by `by`, now, and end on `today`
    every membership of it still in force after today, remembering each one's end date.
    Refuses (RemovalRefused) a neighbourhood that still holds LSOAs."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if record.is_removed:
        raise RemovalRefused(f"{record.name} has already been deleted.")
    preview = removal_preview(record, today=today)
    if preview.refusal:
        raise RemovalRefused(preview.refusal)
    kind = _kind(record)
    ended = preview.ending
    reason = f"Deleted: {_ended_in_words(record, ended, preview.today)}"
    with answers_deferred():
        record.removed_at, record.removed_by = timezone.now(), by
        _save(record, by, reason, ["removed_at", "removed_by"])
        for membership in ended:
            membership.ended_on_before_removal = membership.ended_on
            membership.ended_by_removal_of = kind
            membership.ended_on = preview.today
            _save(
                membership,
                by,
                f"Ended: {membership._named(kind)} was deleted",
                ["ended_on", "ended_on_before_removal", "ended_by_removal_of"],
            )
        answers_recompute(neighbourhood_ids=_neighbourhoods_of(record))
    return preview


def _ended_in_words(record, ended, today) -> str:
    if not ended:
        return "it had no membership in force, so none ended."
    return f"its {plural(len(ended), 'membership')} ended on {day_text(today)}."


def _neighbourhoods_of(record) -> set:
    """The neighbourhoods whose answers a record's removal or return can change: those of
    all its memberships (one ending today is still in force today), and its own."""
    ids = set(record.memberships.values_list("neighbourhood_id", flat=True))
    if isinstance(record, Neighbourhood):
        ids.add(record.pk)
    return ids


def _save(obj, by, reason, fields):
    """Save the fields given, with a history row that names who and why (the signed-in user
    comes from simple-history's middleware in a request; `by` says it everywhere else)."""
    obj._change_reason = reason
    if by is not None:
        obj._history_user = by
    obj.save(update_fields=fields)


@dataclass
class RestorePreview:
    """What restoring a removed record would do: the memberships its removal ended that
    reopen, those that stay ended because their other side has been removed too (they pass
    to that record, to reopen when it is restored), and why it cannot be restored, if not."""

    record: Practice | Neighbourhood
    reopening: list = field(default_factory=list)
    waiting: list = field(default_factory=list)
    refusal: str = ""


def restore_preview(record) -> RestorePreview:
    kind = _kind(record)
    other = _other_side(kind)
    preview = RestorePreview(record=record)
    ended = (
        record.memberships.filter(ended_by_removal_of=kind)
        .select_related("practice", "neighbourhood")
        .order_by("practice__name", "neighbourhood__name", "started_on")
    )
    for membership in ended:
        if getattr(membership, other).is_removed:
            preview.waiting.append(membership)
        else:
            preview.reopening.append(membership)
    clashes = []
    for membership in preview.reopening:
        reopened = Membership(
            pk=membership.pk,
            practice_id=membership.practice_id,
            neighbourhood_id=membership.neighbourhood_id,
            started_on=membership.started_on,
            ended_on=membership.ended_on_before_removal,
        )
        clash = reopened.overlapping().first()
        if clash is not None:
            clashes.append((reopened, clash))
    if clashes:
        preview.refusal = " ".join(
            _clash_in_words(record, reopened, clash) for reopened, clash in clashes
        ) + (
            " A practice can be in only one neighbourhood at a time: end or change "
            f"{'that membership' if len(clashes) == 1 else 'those memberships'} first "
            "(Memberships), then restore it."
        )
    return preview


def _clash_in_words(record, reopened, clash) -> str:
    practice = reopened.practice
    return (
        f"{record.name} cannot be restored as it was: it would reopen {practice.name}'s "
        f"membership of {reopened.neighbourhood.name} {reopened.period}, but {practice.name} "
        f"is now in {clash._named('neighbourhood')} {clash.period}."
    )


@transaction.atomic
def record_restore(*, record, by=None) -> RestorePreview:
    """Put a removed practice or neighbourhood back, and reopen the memberships its removal
    ended with the end dates they had. One whose other side has been removed too stays ended,
    and passes to that record's removal. Refuses (RemovalRefused) a restore that would put a
    practice in two neighbourhoods at once."""
    record = type(record).objects.select_for_update().get(pk=record.pk)
    if not record.is_removed:
        raise RemovalRefused(f"{record.name} is not deleted: there is nothing to restore.")
    preview = restore_preview(record)
    if preview.refusal:
        raise RemovalRefused(preview.refusal)
    kind = _kind(record)
    other = _other_side(kind)
    when = timezone.localtime(record.removed_at)
    with answers_deferred():
        record.removed_at, record.removed_by = None, None
        _save(
            record,
            by,
            f"Restored from Deleted records (deleted on {day_text(when.date())}): "
            f"{plural(len(preview.reopening), 'membership')} reopened.",
            ["removed_at", "removed_by"],
        )
        for membership in preview.reopening:
            membership.ended_on = membership.ended_on_before_removal
            membership.ended_on_before_removal = None
            membership.ended_by_removal_of = ""
            _save(
                membership,
                by,
                f"Reopened: {getattr(membership, kind).name} was restored",
                ["ended_on", "ended_on_before_removal", "ended_by_removal_of"],
            )
        # Stays ended, to reopen when its other side is restored. (Bookkeeping the history
        # leaves out: an update, with no history row to say nothing changed.)
        Membership.objects.filter(pk__in=[m.pk for m in preview.waiting]).update(
            ended_by_removal_of=other
        )
        answers_recompute(neighbourhood_ids=_neighbourhoods_of(record))
    return preview
