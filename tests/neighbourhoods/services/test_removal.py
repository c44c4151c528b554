"""Deleting a practice or a neighbourhood removes it (services.removal): it is kept, its
memberships in force are ended on the day rather than deleted, and it leaves every answer;
restoring it reopens exactly the memberships its removal ended. On the small borough
(tests/neighbourhoods/conftest.py), with the clock moved (time-machine) to a day of the
test's own."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from neighbourhoods.models import BoundaryVersion, Membership, Neighbourhood, Practice
from neighbourhoods.selectors import lookup_point, lookup_postcode
from neighbourhoods.services.dated import dated_changes_apply
from neighbourhoods.services.removal import (
    RemovalRefused,
    record_remove,
    record_restore,
    removal_preview,
    restore_preview,
)
from tests.factories import MembershipFactory, NeighbourhoodFactory, PracticeFactory

DAY = datetime.timedelta(days=1)
# The borough's dates count from the day it was built: the clock stays on that day, at noon.
TODAY = datetime.date.today()


def at_noon(day: datetime.date):
    """The clock stopped at noon on `day`, or just after now if that is later: the history
    rows written then must come after those the borough was built with."""
    noon = datetime.datetime.combine(day, datetime.time(12), timezone.get_current_timezone())
    return time_machine.travel(
        max(noon, timezone.now() + datetime.timedelta(seconds=1)), tick=False
    )


@pytest.fixture
def noon():
    with at_noon(TODAY):
        yield


@pytest.fixture
def manager(db):
    return get_user_model().objects.create_user("data-manager", is_staff=True)


def practices_near(postcode: str) -> list[str]:
    return [p.ods_code for p in lookup_postcode(postcode).practices]


@pytest.fixture
def city_practice(borough):
    """City Practice (F90002): in London Fields since 2,000 days ago, and before that in
    Clissold Park, a membership that ended long ago."""
    practice = borough.practices["F90002"]
    MembershipFactory(
        practice=practice,
        neighbourhood=borough.clissold_park,
        started_on=TODAY - 3000 * DAY,
        ended_on=TODAY - 2500 * DAY,
    )
    return practice


def test_removing_a_practice_ends_its_membership_today_and_leaves_the_answers(
    borough, city_practice, manager, noon
):
    [current] = borough.memberships["F90002"]
    earlier = city_practice.memberships.get(neighbourhood=borough.clissold_park)
    assert "F90002" in practices_near("E8 1DY")

    record_remove(record=city_practice, by=manager)

    city_practice.refresh_from_db()
    assert city_practice.removed_at is not None and city_practice.removed_by == manager
    current.refresh_from_db()
    assert current.ended_on == TODAY  # ended, not deleted
    assert current.ended_on_before_removal is None
    assert current.ended_by_removal_of == "practice"
    untouched = Membership.objects.get(pk=earlier.pk)
    assert (untouched.ended_on, untouched.ended_by_removal_of) == (TODAY - 2500 * DAY, "")
    # Out of every answer at once, though its membership is in force until tonight.
    assert "F90002" not in practices_near("E8 1DY")
    assert "F90002" not in [p.ods_code for p in lookup_point(51.545, -0.065).practices]
    assert city_practice not in Practice.objects.not_removed()
    # And tomorrow, once the scheduler has run, it is still out.
    with at_noon(TODAY + DAY):
        dated_changes_apply()
        assert "F90002" not in practices_near("E8 1DY")


def test_the_history_says_who_removed_it_and_why(borough, city_practice, manager, noon):
    record_remove(record=city_practice, by=manager)

    row = city_practice.history.latest()
    assert row.history_user == manager
    assert row.history_change_reason.startswith("Deleted: its 1 membership ended on ")
    membership_row = borough.memberships["F90002"][0].history.latest()
    assert membership_row.history_user == manager
    assert membership_row.history_change_reason == "Ended: City Practice was deleted"
    assert membership_row.ended_on == TODAY


def test_restoring_reopens_exactly_the_memberships_its_removal_ended(
    borough, city_practice, manager, noon
):
    [current] = borough.memberships["F90002"]
    current.ended_on = TODAY + 90 * DAY  # it was to end in three months
    current.save()
    record_remove(record=city_practice, by=manager)
    assert restore_preview(city_practice).reopening == [current]

    record_restore(record=city_practice, by=manager)

    city_practice.refresh_from_db()
    assert (city_practice.removed_at, city_practice.removed_by) == (None, None)
    current.refresh_from_db()
    assert current.ended_on == TODAY + 90 * DAY  # the end date it had
    assert (current.ended_by_removal_of, current.ended_on_before_removal) == ("", None)
    earlier = city_practice.memberships.get(neighbourhood=borough.clissold_park)
    assert earlier.ended_on == TODAY - 2500 * DAY  # had ended before: left as it was
    assert "F90002" in practices_near("E8 1DY")
    assert city_practice.history.latest().history_change_reason.startswith(
        "Restored from Deleted records"
    )


def test_a_membership_ending_today_anyway_is_left_as_it_is(borough, manager, noon):
    [membership] = borough.memberships["F90001"]
    membership.ended_on = TODAY
    membership.save()

    preview = record_remove(record=borough.practices["F90001"], by=manager)

    assert (preview.ending, preview.ended) == ([], [membership])
    membership.refresh_from_db()
    assert membership.ended_by_removal_of == ""
    assert "F90001" not in practices_near("E8 1AA")  # in force today, but removed


def test_restoring_is_refused_when_the_practice_has_joined_another_neighbourhood(
    borough, city_practice, manager, noon
):
    record_remove(record=city_practice, by=manager)
    # Since then, the practice (the ePCN import, say) joined Clissold Park from tomorrow.
    MembershipFactory(
        practice=city_practice, neighbourhood=borough.clissold_park, started_on=TODAY + DAY
    )

    with pytest.raises(RemovalRefused) as refused:
        record_restore(record=city_practice, by=manager)

    said = str(refused.value)
    assert "City Practice cannot be restored as it was" in said
    assert "membership of London Fields" in said
    assert f"is now in Clissold Park from {(TODAY + DAY).day} " in said
    assert "only one neighbourhood at a time" in said
    city_practice.refresh_from_db()
    assert city_practice.removed_at is not None  # nothing changed
    assert Membership.objects.get(pk=borough.memberships["F90002"][0].pk).ended_on == TODAY


@pytest.fixture
def marshes(borough):
    """A neighbourhood with no LSOAs, and one practice, Marsh Practice, in it."""
    neighbourhood = NeighbourhoodFactory(
        place=borough.place, name="Test Marshes", slug="test-marshes", pcn_code="U99901"
    )
    practice = PracticeFactory(ods_code="F99901", name="Marsh Practice")
    MembershipFactory(practice=practice, neighbourhood=neighbourhood, started_on=None)
    return neighbourhood


def test_removing_a_neighbourhood_ends_its_practices_memberships(marshes, manager, noon):
    versions = BoundaryVersion.objects.count()

    record_remove(record=marshes, by=manager)

    membership = Membership.objects.get(neighbourhood=marshes)
    assert (membership.ended_on, membership.ended_by_removal_of) == (TODAY, "neighbourhood")
    assert marshes not in Neighbourhood.objects.not_removed()
    assert not Membership.objects.current().not_removed().filter(pk=membership.pk).exists()
    # The areas as published no longer name it: a new boundary version without it.
    assert BoundaryVersion.objects.count() == versions + 1
    assert not BoundaryVersion.objects.latest().areas.filter(neighbourhood=marshes).exists()

    record_restore(record=marshes, by=manager)

    membership.refresh_from_db()
    assert (membership.ended_on, membership.ended_by_removal_of) == (None, "")
    assert BoundaryVersion.objects.latest().areas.filter(neighbourhood=marshes).exists()


def test_a_neighbourhood_with_lsoas_is_not_removed(borough, manager):
    preview = removal_preview(borough.london_fields)
    assert preview.refusal.startswith("London Fields cannot be deleted: 3 LSOAs are assigned")
    with pytest.raises(RemovalRefused):
        record_remove(record=borough.london_fields, by=manager)
    assert not Neighbourhood.objects.get(pk=borough.london_fields.pk).is_removed


def test_a_membership_waits_for_both_its_records_to_be_restored(marshes, manager, noon):
    membership = Membership.objects.get(neighbourhood=marshes)
    practice = membership.practice
    record_remove(record=practice, by=manager)  # ends the membership today
    record_remove(record=marshes, by=manager)  # finds it ending today: leaves it

    preview = record_restore(record=practice, by=manager)

    assert (preview.reopening, preview.waiting) == ([], [membership])
    membership.refresh_from_db()
    assert (membership.ended_on, membership.ended_by_removal_of) == (TODAY, "neighbourhood")
    record_restore(record=marshes, by=manager)
    membership.refresh_from_db()
    assert (membership.ended_on, membership.ended_by_removal_of) == (None, "")
