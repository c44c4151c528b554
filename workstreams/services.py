"""Writes that change several of a workstream's rows at once."""

from django.db import transaction

from neighbourhoods.audit.trail import record_bulk

from .models import Workstream, WorkstreamPriority

REORDERED = "Priorities reordered"
CHANGED = "Priorities changed"


@transaction.atomic
def priorities_reorder(*, workstream, priorities=None, record=True):
    """Number a workstream's priorities 1, 2, 3… in the order given (a list of priorities or
    their ids; by default the order they have now), so no two share a number, in one UPDATE.

    The order is the workstream's: when it is not the order its latest version kept, this
    writes one new version of the workstream, "Priorities reordered" (or "Priorities changed"
    when one was added or removed). `record=False` leaves that to the caller's own save of
    the workstream (restoring a version, which writes one row that keeps the new order).
    Priorities not in `priorities` (added since a restored version) follow, in their order.
    Returns whether the order changed."""
    now = list(workstream.priorities.order_by("order", "pk"))
    by_id = {p.pk: p for p in now}
    wanted = [getattr(p, "pk", p) for p in (priorities if priorities is not None else now)]
    ordered = [by_id[pk] for pk in dict.fromkeys(wanted) if pk in by_id]
    ordered += [p for p in now if p not in ordered]
    renumbered = []
    for number, priority in enumerate(ordered, start=1):
        if priority.order != number:
            priority.order = number
            renumbered.append(priority)
    WorkstreamPriority.objects.bulk_update(renumbered, ["order"])

    latest = workstream.history.order_by("-history_date", "-history_id").first()
    if not record or latest is None or not latest.kept_parts_changed():
        return bool(renumbered)
    kept = {pk for pk, _ in latest.priority_order or []}
    same = latest.priority_order is not None and kept == set(by_id)
    record_bulk([workstream], Workstream, reason=REORDERED if same else CHANGED)
    return True
