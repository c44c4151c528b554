"""Recent changes answers "what did a colleague do yesterday": filters by who, from and to which
day (London's days), kind of record, what was done and words in the record's name or the
reason, alone and together; says in words what it shows; refuses bad values in words; pages
with Django's paginator, keeping the filters; links each line to its record and its
comparison; and reads a page in as many queries however long it is."""

import datetime
import re
import zoneinfo
from html import unescape

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.audit.changes import Filters
from neighbourhoods.audit.trail import recording
from neighbourhoods.models import ImportRun, Membership, Practice
from partnership.models import PartnerOrganisation
from tests.factories import (
    MembershipFactory,
    NeighbourhoodFactory,
    PartnerFactory,
    PlaceFactory,
    PracticeFactory,
)

# The real data, where a whole run has loaded it, holds records named as these tests name theirs.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_portal")]

LONDON = zoneinfo.ZoneInfo("Europe/London")
DEC = {day: datetime.date(2026, 12, day) for day in range(1, 32)}


def at(day, hour=12, minute=0):
    """A moment on `day`, London time."""
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=LONDON)


def saved(record, *, by=None, on=None, reason=None, **values):
    """`record` changed and saved by `by` at `on`: its history row."""
    for name, value in values.items():
        setattr(record, name, value)
    record._history_user = by
    record._change_reason = reason
    with time_machine.travel(on or timezone.now(), tick=False):
        record.save()
    return record.history.latest()


def person(username, first="", last=""):
    return get_user_model().objects.create_user(
        username, first_name=first, last_name=last, is_staff=True
    )


@pytest.fixture
def sam(db):
    return person("sjones", "Sam", "Jones")


@pytest.fixture
def amina(db):
    return person("amina", "Amina", "Khan")


def recent(client, **query):
    response = client.get(reverse("recent-changes"), query)
    assert response.status_code == 200
    return response


def lines(response):
    """(kind of record, record, what was done) of each line shown."""
    return [(c.model_name, c.name, c.done) for c in response.context["changes"]]


def words(response) -> str:
    """The page's text as read: tags taken out, spaces collapsed."""
    html = re.sub(r"<(script|style).*?</\1>", "", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


def dates(prefix, day):
    return {f"{prefix}_day": day.day, f"{prefix}_month": day.month, f"{prefix}_year": day.year}


def test_changes_by_one_person_leave_out_everyone_elses(staff_client, sam, amina):
    partner = PartnerFactory(name="Derman")
    saved(partner, by=sam, summary="Talking therapies.")
    saved(partner, by=amina, summary="Talking therapies in Turkish.")

    response = recent(staff_client, person=sam.pk)

    assert lines(response) == [("Partner organisation", "Derman", "Changed")]
    assert "1 change by Sam Jones." in words(response)
    assert "Sam Jones (sjones)" in words(response)  # the choice, by name
    assert f'<option value="{sam.pk}" selected>' in response.content.decode()


def test_a_date_range_counts_whole_days_in_london(staff_client, sam):
    partner = PartnerFactory(name="Derman")
    saved(partner, by=sam, on=at(datetime.date(2026, 11, 30), 23, 50), summary="Before.")
    saved(partner, by=sam, on=at(DEC[1], 0, 10), summary="First day.")
    saved(partner, by=sam, on=at(DEC[4], 23, 50), summary="Last day.")
    saved(partner, by=sam, on=at(DEC[5], 0, 10), summary="After.")

    response = recent(staff_client, person=sam.pk, **dates("date_from", DEC[1]),
                      **dates("date_to", DEC[4]))  # fmt: skip

    assert [c.row.summary for c in response.context["changes"]] == ["Last day.", "First day."]
    assert "2 changes by Sam Jones from 1 to 4 December 2026." in words(response)
    assert 'name="date_from_day" id="id_date_from_0" value="1"' in response.content.decode()


def test_a_day_in_summer_time_starts_at_midnight_in_london_not_utc(staff_client, sam):
    partner = PartnerFactory()
    saved(partner, by=sam, on=at(datetime.date(2026, 7, 2), 0, 30), summary="Early.")  # 23:30 UTC

    first = recent(staff_client, **dates("date_from", datetime.date(2026, 7, 1)),
                   **dates("date_to", datetime.date(2026, 7, 1)))  # fmt: skip
    second = recent(staff_client, **dates("date_from", datetime.date(2026, 7, 2)),
                    **dates("date_to", datetime.date(2026, 7, 2)))  # fmt: skip

    assert lines(first) == []
    assert [c.row.summary for c in second.context["changes"]] == ["Early."]
    assert "1 change on 2 July 2026." in words(second)


@pytest.mark.parametrize(
    "filters, said",
    [
        ({}, "3 changes"),
        ({"date_from": DEC[1], "date_to": DEC[1]}, "3 changes on 1 December 2026"),
        ({"date_from": datetime.date(2026, 11, 30), "date_to": DEC[4]},
         "3 changes from 30 November to 4 December 2026"),
        ({"date_from": datetime.date(2025, 12, 30), "date_to": DEC[4]},
         "3 changes from 30 December 2025 to 4 December 2026"),
        ({"date_from": DEC[1]}, "3 changes on or after 1 December 2026"),
        ({"date_to": DEC[4]}, "3 changes on or before 4 December 2026"),
        ({"action": "added"}, "3 records added"),
        ({"action": "deleted", "kind": PartnerOrganisation}, "3 partner organisations deleted"),
        ({"action": "changed", "kind": Practice}, "3 changes to existing practices"),
        ({"action": "imported"}, "3 changes made by imports"),
        ({"kind": Membership, "search": "dalston"},
         "3 changes to memberships whose name or reason contains “dalston”"),
    ],
)  # fmt: skip
def test_what_is_shown_is_said_in_words(filters, said):
    assert Filters(**filters).in_words(3) == said


def test_words_for_one_and_for_none():
    assert Filters(action="added", kind=Practice).in_words(1) == "1 practice added"
    assert Filters(kind=Practice).in_words(0) == "No changes to practices"
    assert Filters().in_words(0) == "No changes recorded yet"
    assert Filters().in_words(1234) == "1,234 changes"


def test_no_changes_are_said_to_be_none_with_the_filters_in_words(staff_client, sam):
    saved(PartnerFactory(), by=sam, on=at(DEC[2]), summary="Another day.")

    response = recent(staff_client, person=sam.pk, **dates("date_from", DEC[1]),
                      **dates("date_to", DEC[1]))  # fmt: skip

    assert "No changes by Sam Jones on 1 December 2026." in words(response)
    assert 'id="recent-changes"' not in response.content.decode()


def test_yesterdays_changes_are_one_link_away_and_keep_the_person(staff_client, sam):
    saved(PartnerFactory(name="Derman"), by=sam, on=at(DEC[4], 16), summary="Yesterday.")
    saved(PartnerFactory(name="Today"), by=sam, on=at(DEC[5], 9), summary="Today.")

    # Both requests on the same morning: the staff session, saved on each request, ends a
    # working day after the first, whatever the real clock says.
    with time_machine.travel(at(DEC[5], 10), tick=False):
        page = recent(staff_client, person=sam.pk).content.decode()
        link = re.search(r'<a href="([^"]+)">changes made yesterday \(4 December 2026\)</a>', page)
        yesterday = staff_client.get(reverse("recent-changes") + unescape(link[1]))

    assert [name for _, name, _ in lines(yesterday)] == ["Derman"]
    assert "1 change by Sam Jones on 4 December 2026." in words(yesterday)


def test_every_audited_model_says_what_its_records_are_called_by():
    from neighbourhoods.audit.trail import HISTORIES, NAMES

    assert set(NAMES) == set(HISTORIES)


def test_a_kind_of_record_leaves_out_the_other_kinds(staff_client, sam):
    saved(PartnerFactory(), by=sam, summary="Changed.")
    saved(PracticeFactory(name="Dalston Practice"), by=sam, phone="020 7000 0001")

    response = recent(staff_client, person=sam.pk, kind="neighbourhoods.practice")

    [(kind, name, done)] = lines(response)
    assert (kind, done) == ("Practice", "Changed") and name.startswith("Dalston Practice")
    assert "1 change to practices by Sam Jones." in words(response)


@pytest.fixture
def one_of_each(sam):
    """A partner added, one changed, one deleted (all by Sam), and a practice changed by an
    import run."""
    with time_machine.travel(at(DEC[2]), tick=False):
        added = PartnerFactory.build(name="Added Partner")
        added._history_user = sam
        added.save()
        changed = PartnerFactory(name="Changed Partner")
        deleted = PartnerFactory(name="Deleted Partner")
        imported = PracticeFactory(name="Imported Practice", ods_code="F99999")
    saved(changed, by=sam, on=at(DEC[3]), summary="Changed by Sam.")
    deleted._history_user = sam
    with time_machine.travel(at(DEC[3]), tick=False):
        deleted.delete()
        run = ImportRun.objects.create(
            source="import_practices", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
            started_at=timezone.now(), finished_at=timezone.now(),
        )  # fmt: skip
        with recording(import_run=run):
            imported.phone = "020 7249 5511"
            imported.save()
    return run


@pytest.mark.parametrize(
    "action, shown",
    [
        ("added", {("Partner organisation", "Added Partner", "Added")}),
        ("changed", {("Partner organisation", "Changed Partner", "Changed"),
                     ("Practice", "Imported Practice (F99999)", "Changed")}),
        ("deleted", {("Partner organisation", "Deleted Partner", "Deleted")}),
        ("imported", {("Practice", "Imported Practice (F99999)", "Changed")}),
    ],
)  # fmt: skip
def test_what_was_done_narrows_to_additions_changes_deletions_or_imports(
    staff_client, one_of_each, action, shown
):
    response = recent(staff_client, action=action, **dates("date_from", DEC[2]))

    found = set(lines(response))
    if action == "added":  # the factories' own additions on that day are additions too
        assert shown <= found and all(done == "Added" for _, _, done in found)
    else:
        assert found == shown


def test_an_import_runs_change_names_the_run(staff_client, one_of_each):
    response = recent(staff_client, action="imported")

    [change] = response.context["changes"]
    assert change.row.import_run == one_of_each
    assert "import run: import_practices" in words(response)
    assert "Phone: 020 7000 0000 → 020 7249 5511" in words(response)


def test_filters_together_narrow_together(staff_client, sam, amina):
    dalston = PracticeFactory(name="Dalston Practice")
    homerton = PracticeFactory(name="Homerton Practice")
    partner = PartnerFactory(name="Dalston Partner")
    saved(dalston, by=sam, on=at(DEC[2]), phone="1")  # the one wanted
    saved(dalston, by=sam, on=at(DEC[9]), phone="2")  # too late
    saved(dalston, by=amina, on=at(DEC[2]), phone="3")  # someone else
    saved(homerton, by=sam, on=at(DEC[2]), phone="4")  # no "dalston" in its name
    saved(partner, by=sam, on=at(DEC[2]), summary="5")  # another kind

    response = recent(
        staff_client, person=sam.pk, kind="neighbourhoods.practice", action="changed",
        q="dalston", **dates("date_from", DEC[1]), **dates("date_to", DEC[4]),
    )  # fmt: skip

    assert [c.row.phone for c in response.context["changes"]] == ["1"]
    assert (
        "1 change to existing practices by Sam Jones from 1 to 4 December 2026 whose name or "
        "reason contains “dalston”."
    ) in words(response)


def test_search_finds_words_in_a_records_name_or_the_reason(staff_client, sam):
    saved(PartnerFactory(name="Derman"), by=sam, reason="Agreed at the board", summary="x")
    saved(PartnerFactory(name="Shoreditch Trust"), by=sam, summary="y")
    membership = MembershipFactory(
        practice__name="Dalston Practice", neighbourhood__name="Test Fields"
    )
    saved(membership, by=sam, ended_on=datetime.date(2030, 1, 1))

    def found(q):
        return {name for _, name, _ in lines(recent(staff_client, person=sam.pk, q=q))}

    assert found("BOARD") == {"Derman"}
    assert found("derman") == {"Derman"}
    assert found("dalston") == {"Dalston Practice in Test Fields"}
    assert found("fields dalston") == {"Dalston Practice in Test Fields"}  # any order
    assert found('"test fields"') == {"Dalston Practice in Test Fields"}  # a phrase
    assert found("dalston derman") == set()  # every word must be found


def test_a_membership_is_found_by_its_practices_name_after_the_practice_is_deleted(
    staff_client, sam
):
    membership = MembershipFactory(practice__name="Dalston Practice")
    saved(membership, by=sam, ended_on=datetime.date(2030, 1, 1))
    membership.practice.delete()

    response = recent(staff_client, q="dalston", kind="neighbourhoods.membership")

    assert {done for _, _, done in lines(response)} == {"Added", "Changed", "Deleted"}
    assert all(
        name.startswith("Dalston Practice (") and "(deleted) in" in name
        for _, name, _ in lines(response)
    )


@pytest.mark.parametrize(
    "query, message",
    [
        ({"date_from_day": 31, "date_from_month": 2, "date_from_year": 2026},
         "The ‘from’ date must be a real date: there is no 31/2/2026."),
        ({"date_to_day": 4, "date_to_year": 2026}, "The ‘to’ date must include a month."),
        ({"date_from_year": 2026}, "The ‘from’ date must include a day and a month."),
        ({"date_from_day": "4", "date_from_month": "Dec", "date_from_year": 2026},
         "The ‘from’ date must be a real date, in numbers, like 4 12 2026."),
        ({"date_from_day": 4, "date_from_month": 12, "date_from_year": 26},
         "The year in the ‘from’ date must have 4 numbers."),
        ({**dates("date_from", DEC[4]), **dates("date_to", DEC[1])},
         "The ‘to’ date must be the same as or after the ‘from’ date."),
        ({"person": 987654321}, "Choose a person from the list"),
        ({"person": "sam"}, "Choose a person from the list"),
        ({"kind": "auth.user"}, "Choose a kind of record from the list: “auth.user” is not one"),
        ({"kind": "nonsense"}, "Choose a kind of record from the list"),
        ({"action": "purged"}, "Choose what was done from the list."),
        ({"q": "x" * 201}, "Search for at most 200 characters."),
    ],
)  # fmt: skip
def test_a_bad_filter_is_refused_in_words_and_shows_nothing(staff_client, query, message):
    saved(PartnerFactory(), summary="Something to show.")

    response = recent(staff_client, **query)

    assert message in words(response)
    assert "These filters could not be used, so no changes are shown" in words(response)
    assert response.context["changes"] == []
    assert 'id="recent-changes"' not in response.content.decode()


def test_a_kind_the_member_of_staff_may_not_see_is_refused_and_not_offered(client):
    user = person("partners-only")
    user.user_permissions.add(Permission.objects.get(codename="view_historicalpartnerorganisation"))
    client.force_login(user)
    saved(PartnerFactory(name="Derman"), summary="Seen.")
    saved(PracticeFactory(name="Dalston Practice"), phone="Not seen.")

    everything = recent(client)
    refused = recent(client, kind="neighbourhoods.practice")

    assert {kind for kind, _, _ in lines(everything)} == {"Partner organisation"}
    assert 'value="neighbourhoods.practice"' not in everything.content.decode()
    assert "Choose a kind of record from the list" in words(refused)


def test_pages_of_fifty_keep_the_filters(staff_client, sam, amina):
    with time_machine.travel(at(DEC[1]), tick=False) as traveller:
        for n in range(55):
            partner = PartnerFactory.build(name=f"Partner {n:02d}")
            partner._history_user = sam
            partner.save()
            traveller.shift(60)
        saved(PartnerFactory(), by=amina, summary="Not Sam's.")

    first = recent(staff_client, person=sam.pk)
    second = recent(staff_client, person=sam.pk, p=2)
    past_the_end = recent(staff_client, person=sam.pk, p=99)

    assert len(lines(first)) == 50 and lines(first)[0][1] == "Partner 54"
    assert [name for _, name, _ in lines(second)] == [f"Partner {n:02d}" for n in range(4, -1, -1)]
    assert lines(past_the_end) == lines(second)
    assert "55 changes by Sam Jones. Showing 1 to 50, newest first." in words(first)
    html = first.content.decode()
    assert f'href="?person={sam.pk}&amp;p=2" rel="next">Older changes' in html
    assert f'href="?person={sam.pk}&amp;p=1" rel="prev">Newer changes' in second.content.decode()


def test_each_line_links_to_its_record_and_its_comparison(staff_client, sam):
    kept = PartnerFactory(name="Kept Partner")
    gone = PartnerFactory(name="Gone Partner")
    change = saved(kept, by=sam, summary="Changed.")
    gone._history_user = sam
    gone.delete()

    response = recent(staff_client, person=sam.pk)
    html = response.content.decode()

    compare = reverse(
        "admin:partnership_partnerorganisation_compare", args=[kept.pk, change.history_id]
    )
    record = reverse("admin:partnership_partnerorganisation_change", args=[kept.pk])
    assert f'<a href="{record}">Kept Partner</a>' in html
    assert f'<a href="{compare}">Compare with the version before</a>' in html
    assert "Gone Partner (since deleted)" in words(response)
    assert reverse("admin:partnership_partnerorganisation_change", args=[gone.pk]) not in html
    [deletion] = [c for c in response.context["changes"] if c.done == "Deleted"]
    assert deletion.compare_url and staff_client.get(deletion.compare_url).status_code == 200
    assert staff_client.get(compare).status_code == 200


def test_a_text_change_shows_the_changed_words_not_a_count_of_characters(staff_client, sam):
    partner = PartnerFactory(
        summary="Derman gives talking therapies to Turkish and Kurdish speakers across "
        "the borough, in homes, surgeries and community centres, every weekday."
    )
    saved(partner, by=sam, summary=partner.summary.replace("every weekday", "on Saturdays"))

    text = words(recent(staff_client, person=sam.pk))

    assert "chars]" not in text
    assert (
        "… in homes, surgeries and community centres, [removed: every weekday] "
        "[added: on Saturdays]."
    ) in text


def many_changes(sam, n):
    """n changes of each of three kinds: a partner's places (many-to-many), a membership's
    neighbourhood (a foreign key) and a practice's address (text)."""
    place = PlaceFactory()
    for i in range(n):
        partner = PartnerFactory()
        partner._history_user = sam
        partner.places.add(place)
        membership = MembershipFactory()
        saved(membership, by=sam, neighbourhood=NeighbourhoodFactory())
        practice = PracticeFactory()
        saved(practice, by=sam, address=f"{i} Mare Street\nLondon")


def test_a_page_reads_as_many_rows_however_long_it_is(
    staff_client, sam, django_assert_max_num_queries
):
    many_changes(sam, 2)
    with CaptureQueriesContext(connection) as few:
        assert len(lines(recent(staff_client, person=sam.pk))) == 6

    many_changes(sam, 15)
    with django_assert_max_num_queries(len(few)):
        assert len(lines(recent(staff_client, person=sam.pk))) == 50  # of 51

    assert len(few) < 30


def test_a_practice_deleted_in_the_admin_is_not_linked_as_if_it_were_there(staff_client, sam):
    """Deleting a practice in the admin keeps its row, marked removed (services.removal): the
    admin cannot open it, so its lines link to its comparison and history, not to it."""
    from neighbourhoods.services.removal import record_remove

    practice = PracticeFactory(name="Dalston Practice")
    saved(practice, by=sam, phone="020 7000 0001")
    record_remove(record=practice, by=sam)

    response = recent(staff_client, person=sam.pk, kind="neighbourhoods.practice")

    html = response.content.decode()
    assert reverse("admin:neighbourhoods_practice_change", args=[practice.pk]) not in html
    assert {done for _, _, done in lines(response)} == {"Changed"}
    assert all(not change.exists for change in response.context["changes"])
    assert "(since deleted)" in words(response)
