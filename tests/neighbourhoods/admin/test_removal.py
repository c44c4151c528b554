"""Deleting a practice or a neighbourhood in the admin: the page says what will happen, the
record is kept and taken off the portal, its memberships end that day, it is listed in
Deleted records, and restoring it there brings it back with exactly the memberships its
deletion ended. On the small borough (tests/neighbourhoods/conftest.py), the clock held at
noon on the day it was built (time-machine)."""

import datetime
import re

import pytest
import time_machine
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Membership, Neighbourhood, Practice, day_text
from tests.factories import MembershipFactory, NeighbourhoodFactory, PracticeFactory

DAY = datetime.timedelta(days=1)
TODAY = datetime.date.today()


@pytest.fixture(autouse=True)
def noon():
    with time_machine.travel(
        datetime.datetime.combine(TODAY, datetime.time(12), timezone.get_current_timezone()),
        tick=False,
    ):
        yield


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


def admin_url(record, view):
    return reverse(f"admin:neighbourhoods_{record._meta.model_name}_{view}", args=[record.pk])


def text(response) -> str:
    """The page's words, as read: its tags left out and its spaces collapsed."""
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    return re.sub(r" ([,.:;?])", r"\1", words)


def html(response) -> str:
    return response.content.decode()


def memberships_of(practice):
    return {m.neighbourhood.name: m.ended_on for m in Membership.objects.filter(practice=practice)}


def delete(client, record):
    return client.post(admin_url(record, "delete"), {"post": "yes"})


def test_the_delete_page_says_what_deleting_a_practice_does(staff_client, city_practice):
    page = text(staff_client.get(admin_url(city_practice, "delete")))

    assert f"Its 1 membership will end today, {day_text(TODAY)}, rather than be deleted" in page
    assert f"London Fields, from {day_text(TODAY - 2000 * DAY)}, with no end date" in page
    assert "Its 1 membership that had already ended, or ends today anyway, is kept as it is" in (
        page
    )
    assert "City Practice is kept in Deleted records: it can be restored from there, with the " \
        "membership that ends today" in page  # fmt: skip
    assert 'value="Yes, delete it"' in html(staff_client.get(admin_url(city_practice, "delete")))
    assert not Practice.objects.get(pk=city_practice.pk).is_removed  # nothing done yet


def test_deleting_a_practice_ends_its_membership_and_takes_it_off_the_portal(
    staff_client, city_practice
):
    search = staff_client.get(reverse("practice-search"), {"q": "City Practice"})
    assert "F90002" in search.content.decode()

    response = delete(staff_client, city_practice)

    assert response.status_code == 302
    assert response["Location"] == reverse("admin:neighbourhoods_practice_changelist")
    assert memberships_of(city_practice) == {
        "London Fields": TODAY,  # ended today, not deleted
        "Clissold Park": TODAY - 2500 * DAY,  # had ended: untouched
    }
    assert staff_client.get(city_practice.get_absolute_url()).status_code == 404
    neighbourhood_page = text(
        staff_client.get(reverse("neighbourhoods:detail", args=["london-fields"]))
    )
    assert "Dalston Practice" in neighbourhood_page
    assert "City Practice" not in neighbourhood_page  # neither a current nor a past member
    api = staff_client.get(reverse("api:practices")).json()
    assert "F90002" not in [f["id"] for f in api["features"]]
    answer = staff_client.get("/api/v1/postcodes/E8 1DY").json()
    assert "F90002" not in [p["ods_code"] for p in answer["practices"]]
    search = staff_client.get(reverse("practice-search"), {"q": "City Practice"})
    assert "F90002" not in search.content.decode()
    listed = staff_client.get(reverse("admin:neighbourhoods_practice_changelist"))
    assert admin_url(city_practice, "change") not in html(listed)
    entry = LogEntry.objects.get(object_id=str(city_practice.pk), action_flag=DELETION)
    assert entry.user.username == "editor"


def test_a_deleted_practice_is_listed_in_deleted_records(staff_client, city_practice):
    delete(staff_client, city_practice)

    page = text(staff_client.get(reverse("deleted-records")))

    assert "City Practice (F90002)" in page
    assert f"{TODAY.day} {TODAY:%B %Y}, 12:00" in page
    assert "editor" in page
    assert f"London Fields, from {day_text(TODAY - 2000 * DAY)}, with no end date" in page
    assert admin_url(city_practice, "restore") in html(staff_client.get(reverse("deleted-records")))
    assert "Clissold Park" not in page  # ended before: its deletion did not end it


def test_history_and_recent_changes_say_what_happened(staff_client, city_practice):
    [current] = Membership.objects.filter(practice=city_practice, ended_on=None)
    delete(staff_client, city_practice)
    staff_client.post(admin_url(city_practice, "restore"))

    recent = staff_client.get(reverse("recent-changes"))
    history = staff_client.get(admin_url(city_practice, "history"))
    membership_history = staff_client.get(admin_url(current, "history"))

    assert recent.status_code == history.status_code == membership_history.status_code == 200
    assert f"Deleted: its 1 membership ended on {day_text(TODAY)}." in text(history)
    assert "Restored from Deleted records" in text(history)
    for page in (text(recent), text(membership_history)):
        assert "Ended: City Practice was deleted" in page
        assert "Reopened: City Practice was restored" in page


def test_restoring_a_practice_reopens_exactly_the_membership_its_deletion_ended(
    staff_client, city_practice
):
    delete(staff_client, city_practice)
    restore = admin_url(city_practice, "restore")

    confirmation = staff_client.get(restore)
    page = text(confirmation)
    assert "Its 1 membership that its deletion ended will reopen" in page
    assert f"London Fields, from {day_text(TODAY - 2000 * DAY)}, with no end date" in page
    assert 'value="Yes, restore it"' in html(confirmation)
    response = staff_client.post(restore)

    assert response.status_code == 302
    assert response["Location"] == admin_url(city_practice, "change")
    assert memberships_of(city_practice) == {
        "London Fields": None,
        "Clissold Park": TODAY - 2500 * DAY,
    }
    assert staff_client.get(city_practice.get_absolute_url()).status_code == 200
    answer = staff_client.get("/api/v1/postcodes/E8 1DY").json()
    assert "F90002" in [p["ods_code"] for p in answer["practices"]]
    assert "No practices have been deleted." in text(staff_client.get(reverse("deleted-records")))


def test_restoring_is_refused_in_words_when_the_practice_has_joined_another_neighbourhood(
    staff_client, borough, city_practice
):
    delete(staff_client, city_practice)
    MembershipFactory(
        practice=city_practice, neighbourhood=borough.clissold_park, started_on=TODAY + DAY
    )
    restore = admin_url(city_practice, "restore")

    confirmation = staff_client.get(restore)
    page = text(confirmation)
    response = staff_client.post(restore, follow=True)

    assert "City Practice cannot be restored as it was" in page
    assert f"is now in Clissold Park from {day_text(TODAY + DAY)}, with no end date" in page
    assert 'value="Yes, restore it"' not in html(confirmation)
    assert response.status_code == 200
    assert Practice.objects.get(pk=city_practice.pk).is_removed
    assert memberships_of(city_practice)["London Fields"] == TODAY


def test_a_restore_that_is_already_done_is_said_so(staff_client, city_practice):
    delete(staff_client, city_practice)
    staff_client.post(admin_url(city_practice, "restore"))

    again = staff_client.post(admin_url(city_practice, "restore"), follow=True)

    assert "No deleted practice has that number" in text(again)


def test_a_deleted_practice_is_not_restored_from_its_history(staff_client, city_practice):
    version = city_practice.history.earliest()
    delete(staff_client, city_practice)

    response = staff_client.post(
        reverse(
            "admin:neighbourhoods_practice_simple_history",
            args=[city_practice.pk, version.history_id],
        ),
        {"name": city_practice.name, "ods_code": city_practice.ods_code, "status": "A"},
        follow=True,
    )

    assert "City Practice (F90002) is deleted: restore it from Deleted records" in text(response)
    assert Practice.objects.get(pk=city_practice.pk).is_removed


def test_viewers_read_deleted_records_without_a_restore_link(client, city_practice):
    from neighbourhoods.services.removal import record_remove

    record_remove(record=city_practice)
    viewer = get_user_model().objects.create_user("viewer", password="pw", is_staff=True)
    viewer.groups.add(Group.objects.get(name="Viewers"))
    client.force_login(viewer)

    page = html(client.get(reverse("deleted-records")))

    assert "City Practice (F90002)" in page
    assert admin_url(city_practice, "restore") not in page
    assert admin_url(city_practice, "history") in page


@pytest.fixture
def marshes(borough):
    """A neighbourhood with no LSOAs, and one practice, Marsh Practice, in it."""
    neighbourhood = NeighbourhoodFactory(
        place=borough.place, name="Test Marshes", slug="test-marshes", pcn_code="U99901"
    )
    practice = PracticeFactory(ods_code="F99901", name="Marsh Practice")
    MembershipFactory(practice=practice, neighbourhood=neighbourhood, started_on=None)
    return neighbourhood


def test_deleting_and_restoring_a_neighbourhood_without_lsoas(staff_client, marshes):
    page = text(staff_client.get(admin_url(marshes, "delete")))
    assert f"Its 1 membership will end today, {day_text(TODAY)}" in page
    assert "Marsh Practice, with no start or end date" in page
    assert staff_client.get(marshes.get_absolute_url()).status_code == 200

    assert delete(staff_client, marshes).status_code == 302

    membership = Membership.objects.get(neighbourhood=marshes)
    assert membership.ended_on == TODAY
    assert staff_client.get(marshes.get_absolute_url()).status_code == 404
    api = staff_client.get(reverse("api:neighbourhood", kwargs={"slug": "test-marshes"}))
    assert api.status_code == 404
    assert "Test Marshes" not in text(staff_client.get(reverse("neighbourhoods:list")))
    practice_page = text(staff_client.get(membership.practice.get_absolute_url()))
    assert "Test Marshes" not in practice_page
    assert "Test Marshes (U99901)" not in text(
        staff_client.get(reverse("admin:neighbourhoods_neighbourhood_changelist"))
    )
    assert "Test Marshes" in text(staff_client.get(reverse("deleted-records")))
    assert staff_client.get(admin_url(marshes, "history")).status_code == 200
    assert staff_client.get(reverse("recent-changes")).status_code == 200

    assert staff_client.post(admin_url(marshes, "restore")).status_code == 302

    membership.refresh_from_db()
    assert membership.ended_on is None
    assert staff_client.get(marshes.get_absolute_url()).status_code == 200
    assert staff_client.get(reverse("recent-changes")).status_code == 200


def test_publishers_who_may_not_change_memberships_are_told_so(client, marshes):
    """Publishers may restore a neighbourhood (its text is theirs, and restoring it is a
    publish), but not reopen its practices' memberships."""
    from neighbourhoods.services.removal import record_remove

    record_remove(record=marshes)
    publisher = get_user_model().objects.create_user("a-publisher", password="pw", is_staff=True)
    publisher.groups.add(Group.objects.get(name="Publishers"))
    client.force_login(publisher)

    confirmation = client.get(admin_url(marshes, "restore"))
    client.post(admin_url(marshes, "restore"))

    assert "your account may not change memberships" in text(confirmation)
    assert 'value="Yes, restore it"' not in html(confirmation)
    assert Neighbourhood.objects.get(pk=marshes.pk).is_removed


def test_an_editor_may_not_put_a_deleted_neighbourhood_back_on_the_site(client, borough):
    """Editors change a neighbourhood's text as drafts; restoring one would put it back on
    the map and the list at once, so they are refused, and Deleted records says why."""
    from neighbourhoods.services.removal import record_remove

    empty = NeighbourhoodFactory(place=borough.place, name="Test Meadows", slug="test-meadows")
    record_remove(record=empty)  # no membership to reopen
    editor = get_user_model().objects.create_user("an-editor", password="pw", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)

    listed = client.get(reverse("deleted-records"))

    assert client.get(admin_url(empty, "restore")).status_code == 403
    assert client.post(admin_url(empty, "restore")).status_code == 403
    assert Neighbourhood.objects.get(pk=empty.pk).is_removed
    assert "Your account may not restore neighbourhoods" in text(listed)
    assert admin_url(empty, "restore") not in html(listed)
