"""Dated changes: what staff or a release dated ahead happens by itself on its date.

A membership that starts or ends on a date changes which practices the postcode answers list
(the nearest, whatever their neighbourhood), and a stored answer only changes when it is
worked out again. The scheduler (neighbourhoods.tasks, run by django-q2's cluster) calls
`dated_changes_apply` shortly after midnight every day: it finds the memberships whose start
or end has come since the last run, works out every answer in City and Hackney again when
there are any, and records the run
(ImportRun, source "dated_changes", its release_date the day it applied changes up to), so a
day the scheduler missed is caught up by the next run.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ..models import ImportRun, Membership
from ..selectors import area_authority_codes
from .answers import answers_recompute

SOURCE = "dated_changes"
# A first run, with no run before it, looks back this far.
FIRST_LOOKBACK = datetime.timedelta(days=31)


@dataclass(frozen=True)
class DatedChanges:
    since: datetime.date  # changes after this day (exclusive) ...
    today: datetime.date  # ... up to and including this one
    started: int
    ended: int
    answers: int

    @property
    def summary(self) -> str:
        if not (self.started or self.ended):
            return f"No membership started or ended after {self.since} up to {self.today}."
        return (
            f"{self.started} membership(s) started and {self.ended} ended after {self.since} up "
            f"to {self.today}; {self.answers} postcode answer(s) worked out again."
        )


def last_applied(today: datetime.date) -> datetime.date:
    """The day the last run applied changes up to (a first run looks FIRST_LOOKBACK back)."""
    last = (
        ImportRun.objects.succeeded()
        .filter(source=SOURCE, release_date__isnull=False)
        .order_by("-release_date")
        .values_list("release_date", flat=True)
        .first()
    )
    return last if last is not None else today - FIRST_LOOKBACK


@transaction.atomic
def dated_changes_apply(*, today: datetime.date | None = None, run_by="scheduler") -> DatedChanges:
    """Apply the memberships that started or ended after the last run, up to today: a
    membership is current from its start date to its end date inclusive, so one that ended
    on day D stops counting on D + 1."""
    started_at = timezone.now()
    today = today or timezone.localdate()
    since = last_applied(today)
    if since >= today:
        return DatedChanges(since, today, 0, 0, 0)
    day = datetime.timedelta(days=1)
    started = Membership.objects.filter(started_on__gt=since, started_on__lte=today)
    ended = Membership.objects.filter(ended_on__gte=since, ended_on__lte=today - day)
    neighbourhoods = set(
        Membership.objects.filter(Q(pk__in=started) | Q(pk__in=ended)).values_list(
            "neighbourhood_id", flat=True
        )
    )
    # Whether a practice is offered, and the neighbourhood named beside it, show in the
    # answer of every postcode in City and Hackney, whatever its neighbourhood.
    answers = (
        answers_recompute(authority_codes=area_authority_codes(), now=True) if neighbourhoods else 0
    )
    done = DatedChanges(since, today, started.count(), ended.count(), answers)
    ImportRun.objects.create(
        source=SOURCE,
        release_date=today,
        changed=answers,
        counts={"Memberships": {"started": done.started, "ended": done.ended}},
        outcome=ImportRun.Outcome.SUCCEEDED if answers else ImportRun.Outcome.UNCHANGED,
        message=done.summary,
        run_by=run_by,
        started_at=started_at,
        finished_at=timezone.now(),
    )
    return done
