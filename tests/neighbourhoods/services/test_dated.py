"""Dated changes happen on their date, by themselves: the scheduler's daily task works out
again the answers whose practices' memberships start or end, tested by moving the
clock (time-machine) on the small borough (tests/neighbourhoods/conftest.py), where Future
Surgery (F90004) joins London Fields in 30 days, nearer E8 1DY than any other practice."""

import datetime

import pytest
import time_machine
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task, result

from neighbourhoods.models import ImportRun, Membership
from neighbourhoods.selectors import lookup_postcode
from neighbourhoods.services.dated import SOURCE, dated_changes_apply

DAY = datetime.timedelta(days=1)


def practices_near(postcode: str) -> list[str]:
    return [p.ods_code for p in lookup_postcode(postcode).practices]


def at_noon(day: datetime.date):
    """Move the clock to midday, London time, on a day."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(12), timezone.get_current_timezone()),
        tick=False,
    )


def test_a_membership_starting_today_is_in_the_answers_once_the_task_has_run(borough):
    joins = timezone.localdate() + 30 * DAY
    assert "F90004" not in practices_near("E8 1DY")
    with at_noon(joins):
        assert "F90004" not in practices_near("E8 1DY")  # stored before its date
        done = dated_changes_apply()
        assert (done.started, done.ended) == (1, 0)
        assert done.answers > 0
        assert practices_near("E8 1DY")[0] == "F90004"  # the nearest, from today
        # In Clissold Park's answers too, next after its own practice.
        assert practices_near("N16 9JT")[:2] == ["F90005", "F90004"]
        # The day after, nothing is left to do, and nothing is done twice.
        again = dated_changes_apply()
        assert (again.started, again.ended, again.answers) == (0, 0, 0)
    run = ImportRun.objects.filter(source=SOURCE).latest()
    assert run.release_date == joins
    assert run.counts == {"Memberships": {"started": 1, "ended": 0}}
    assert "1 membership(s) started" in run.message


def test_a_membership_that_ended_yesterday_is_gone_from_the_answers_today(borough):
    today = timezone.localdate()
    dalston = Membership.objects.get(practice__ods_code="F90001")
    dalston.ended_on = today + 5 * DAY
    dalston.save()  # still current until the end of its last day
    assert "F90001" in practices_near("E8 1AA")
    with at_noon(today + 5 * DAY):
        dated_changes_apply()
        assert "F90001" in practices_near("E8 1AA")  # its last day
    with at_noon(today + 6 * DAY):
        assert "F90001" in practices_near("E8 1AA")  # stored, until the task runs
        done = dated_changes_apply()
        assert done.ended == 1
        assert "F90001" not in practices_near("E8 1AA")
        assert practices_near("N16 9JT") == ["F90005", "F90002"]  # Clissold Park's too


def test_days_the_scheduler_missed_are_caught_up_by_its_next_run(borough):
    """The task applies everything after the day its last run applied up to."""
    today = timezone.localdate()
    with at_noon(today):
        dated_changes_apply()
    with at_noon(today + 45 * DAY):  # 45 days without a run
        done = dated_changes_apply()
    assert done.since == today
    assert done.started == 1  # Future Surgery, on day 30
    assert practices_near("E8 1DY")[0] == "F90004"


def test_the_scheduler_runs_the_task_daily_after_midnight_london_time(borough):
    schedule = Schedule.objects.get(func="neighbourhoods.tasks.apply_dated_changes")
    assert schedule.schedule_type == Schedule.DAILY
    assert schedule.repeats == -1
    next_run = timezone.localtime(schedule.next_run)
    assert (next_run.hour, next_run.minute) == (0, 5)
    # Run as the cluster runs it (synchronously in the tests' settings).
    with at_noon(timezone.localdate() + 30 * DAY):
        task = async_task(schedule.func)
        assert "1 membership(s) started" in result(task)
        assert practices_near("E8 1DY")[0] == "F90004"


@pytest.mark.parametrize("offset", [0, -1])
def test_a_run_on_a_day_already_applied_does_nothing(borough, offset):
    today = timezone.localdate()
    with at_noon(today):
        dated_changes_apply()
    with at_noon(today + offset * DAY):
        done = dated_changes_apply()
    assert (done.started, done.ended, done.answers) == (0, 0, 0)
