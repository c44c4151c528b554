"""Drafts, preview and publishing (docs/history.md, Drafts): what residents see while staff
draft, what an Editor and a Publisher may each do, scheduled publishing and taking down by
the scheduler's task, and what the history says."""

import datetime
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnership.models import Draft, PartnerOrganisation
from partnership.tasks import publish_scheduled
from tests import factories
from tests.neighbourhoods.audit.test_untouched_saves import as_the_browser_sends_it
from tests.second_factor import StaffClient
from tests.workstreams.test_priority_order import the_version_as_shown
from workstreams.services import priorities_reorder

pytestmark = pytest.mark.django_db


def member_of(group, username=None):
    user = get_user_model().objects.create_user(
        username or group.lower(), password="pw", is_staff=True, first_name=group[:-1]
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def editor_client():
    client = StaffClient()
    client.force_login(member_of("Editors"))
    return client


@pytest.fixture
def publisher_client():
    client = StaffClient()
    client.force_login(member_of("Publishers"))
    return client


@pytest.fixture
def partner():
    place = factories.PlaceFactory()
    partner = factories.PartnerFactory(name="Hackney CVS", summary="Supports community groups.")
    partner.places.set([place])
    return partner


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def edited(client, obj, **changes):
    data = as_the_browser_sends_it(client.get(change_url(obj)))
    data.update(changes)
    return data


def public(obj):
    return Client().get(obj.get_absolute_url())


def test_an_editors_draft_is_not_what_residents_see(editor_client, partner):
    response = editor_client.post(
        change_url(partner), {**edited(editor_client, partner, summary="Draft words."),
                              "_save_draft": "Save draft"},
    )  # fmt: skip

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."
    assert "Draft words." not in public(partner).content.decode()
    draft = Draft.objects.get()
    assert draft.name == "Hackney CVS" and draft.saved_by.username == "editors"
    # The admin page opens on the draft, and says so; the published version is a link away.
    page = editor_client.get(change_url(partner)).content.decode()
    assert "Draft words." in page and "shows the <strong>draft</strong>" in page
    live = editor_client.get(change_url(partner) + "?live=1").content.decode()
    assert "Draft words." not in live


def test_an_editor_may_not_publish_and_their_plain_save_is_a_draft(editor_client, partner):
    refused = editor_client.post(
        change_url(partner), {**edited(editor_client, partner, summary="Now."), "_publish": "1"}
    )
    assert refused.status_code == 403
    editor_client.post(change_url(partner), edited(editor_client, partner, summary="Plain."))
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."
    assert Draft.objects.get().data["summary"] == ["Plain."]
    page = editor_client.get(change_url(partner)).content.decode()
    assert 'name="_publish"' not in page and 'name="_schedule"' not in page
    assert 'name="_save_draft"' in page and 'name="_preview"' in page


def test_preview_shows_the_page_with_the_draft_and_saves_nothing(editor_client, partner):
    rows = partner.history.count()
    response = editor_client.post(
        change_url(partner), {**edited(editor_client, partner, summary="Previewed words."),
                              "_preview": "Preview"},
    )  # fmt: skip

    page = response.content.decode()
    assert response.status_code == 200
    assert "Previewed words." in page and 'id="preview-banner"' in page
    assert "<h1" in page and "Hackney CVS" in page  # the public page, not the admin's
    assert "no-store" in response["Cache-Control"] and "noindex" in response["X-Robots-Tag"]
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."
    assert partner.history.count() == rows and not Draft.objects.exists()
    assert "Previewed words." not in public(partner).content.decode()


def test_a_draft_that_is_not_valid_is_refused_as_a_save_would_be(editor_client, partner):
    response = editor_client.post(
        change_url(partner), {**edited(editor_client, partner, summary=""), "_save_draft": "1"}
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Draft.objects.exists()


def test_a_publisher_publishes_the_draft(editor_client, publisher_client, partner):
    editor_client.post(
        change_url(partner), {**edited(editor_client, partner, summary="Reviewed words."),
                              "_save_draft": "1"},
    )  # fmt: skip
    # The Publisher's page opens on the draft: published as it is.
    response = publisher_client.post(
        change_url(partner), {**edited(publisher_client, partner), "_publish": "Publish now"}
    )

    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.summary == "Reviewed words."
    assert "Reviewed words." in public(partner).content.decode()
    assert not Draft.objects.exists()
    latest = partner.history.latest()
    assert latest.publication == "published"
    assert latest.history_change_reason == "Published (draft by Editor)"
    assert latest.history_user.username == "publishers"


def test_a_new_partner_is_not_public_until_published(editor_client, publisher_client):
    place = factories.PlaceFactory()
    add = reverse("admin:partnership_partnerorganisation_add")
    data = {
        "name": "Shoreditch Trust", "slug": "shoreditch-trust", "kind": "voluntary",
        "summary": "Health and wellbeing.", "places": [str(place.pk)], "order": "1",
    }  # fmt: skip
    response = editor_client.post(add, {**data, "_save_draft": "1"})

    draft = Draft.objects.get()
    assert response["Location"] == f"{add}?draft={draft.pk}"
    assert not PartnerOrganisation.objects.filter(slug="shoreditch-trust").exists()
    assert Client().get("/partners/shoreditch-trust/").status_code == 404
    listed = editor_client.get(reverse("admin:partnership_draft_changelist")).content.decode()
    assert "Shoreditch Trust (new, not yet published)" in listed
    opened = publisher_client.get(f"{add}?draft={draft.pk}")
    assert "Health and wellbeing." in opened.content.decode()

    publisher_client.post(f"{add}?draft={draft.pk}", {**data, "_publish": "1"})

    partner = PartnerOrganisation.objects.get(slug="shoreditch-trust")
    assert public(partner).status_code == 200
    assert not Draft.objects.exists()
    assert partner.history.latest().publication == "published"


def test_scheduled_publishing_happens_at_its_time(editor_client, publisher_client, partner):
    at = timezone.localtime() + datetime.timedelta(days=2)
    publisher_client.post(
        change_url(partner),
        {**edited(publisher_client, partner, summary="From Monday."), "_schedule": "1",
         "_go_live_at": at.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    draft = Draft.objects.get()
    assert draft.go_live_at == at.replace(second=0, microsecond=0)
    scheduled = partner.history.latest()
    assert scheduled.publication == "scheduled"
    assert scheduled.history_change_reason.startswith("Scheduled to publish on ")

    assert publish_scheduled(now=at - datetime.timedelta(minutes=1)) == "Nothing was due."
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."

    said = publish_scheduled(now=at + datetime.timedelta(seconds=30))

    assert said == "Published “Hackney CVS”."
    partner.refresh_from_db()
    assert partner.summary == "From Monday."
    latest = partner.history.latest()
    assert latest.publication == "published"
    assert latest.history_change_reason == "Published as scheduled by Publisher"
    assert latest.history_user.username == "publishers"
    assert not Draft.objects.exists()


def test_the_scheduler_runs_the_task_every_minute(partner):
    """Migration neighbourhoods 0025 made the row django-q2's cluster reads; run as the
    cluster runs it (synchronously in the tests' settings), the task does what is due now."""
    from django_q.models import Schedule
    from django_q.tasks import async_task, result

    schedule = Schedule.objects.get(func="partnership.tasks.publish_scheduled")
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == 1
    assert schedule.repeats == -1  # for ever
    assert schedule.args is None and schedule.kwargs is None  # `now` is the time it runs

    assert result(async_task(schedule.func)) == "Nothing was due."
    PartnerOrganisation.objects.filter(pk=partner.pk).update(
        expire_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert result(async_task(schedule.func)) == "Taken down “Hackney CVS”."
    partner.refresh_from_db()
    assert not partner.live


def test_a_past_or_missing_schedule_is_refused_in_words(publisher_client, partner):
    for typed in ["", "2020-01-01T09:00", "tomorrow"]:
        response = publisher_client.post(
            change_url(partner),
            {**edited(publisher_client, partner), "_schedule": "1", "_go_live_at": typed},
            follow=True,
        )
        assert "Give the date and time to publish it, in the future" in response.content.decode()
    assert not Draft.objects.exists()


def test_a_schedule_waits_when_the_page_changed_since(editor_client, publisher_client, partner):
    at = timezone.localtime() + datetime.timedelta(hours=1)
    publisher_client.post(
        change_url(partner),
        {**edited(publisher_client, partner, summary="Scheduled words."), "_schedule": "1",
         "_go_live_at": at.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    # Someone publishes another change in the meantime (its page opens on the draft: they
    # look at the published version and change that).
    live = as_the_browser_sends_it(publisher_client.get(change_url(partner) + "?live=1"))
    publisher_client.post(
        change_url(partner) + "?live=1", {**live, "website": "https://example.org/"}
    )

    said = publish_scheduled(now=at + datetime.timedelta(minutes=1))

    assert said.startswith("Not published: “Hackney CVS”: The published page was changed by")
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."
    assert partner.website == "https://example.org/"
    draft = Draft.objects.get()
    assert "publish it by hand" in draft.problem
    page = publisher_client.get(change_url(partner)).content.decode()
    assert "The scheduled publish did not happen" in page
    assert "Since this draft was started, the published page was changed" in page
    # It is not tried again every minute.
    assert publish_scheduled(now=at + datetime.timedelta(minutes=2)) == "Nothing was due."


def test_taking_a_page_down_and_publishing_it_again(publisher_client, partner):
    publisher_client.post(change_url(partner), {"_take_down": "1"})

    partner.refresh_from_db()
    assert not partner.live
    assert public(partner).status_code == 404
    assert "Hackney CVS" not in Client().get("/partners/").content.decode()
    latest = partner.history.latest()
    assert latest.publication == "unpublished"
    assert latest.history_change_reason == "Taken down by Publisher"

    publisher_client.post(change_url(partner), {**edited(publisher_client, partner),
                                                "_publish": "1"})  # fmt: skip
    partner.refresh_from_db()
    assert partner.live and public(partner).status_code == 200


def test_an_editor_may_not_take_a_page_down(editor_client, partner):
    assert editor_client.post(change_url(partner), {"_take_down": "1"}).status_code == 403
    partner.refresh_from_db()
    assert partner.live


def test_a_page_is_taken_down_at_its_time(partner):
    at = timezone.now() + datetime.timedelta(days=1)
    PartnerOrganisation.objects.filter(pk=partner.pk).update(expire_at=at)

    assert publish_scheduled(now=at - datetime.timedelta(seconds=1)) == "Nothing was due."
    assert publish_scheduled(now=at) == "Taken down “Hackney CVS”."

    partner.refresh_from_db()
    assert not partner.live
    assert partner.history.latest().publication == "unpublished"
    assert partner.history.latest().history_change_reason.startswith("Taken down as scheduled")


PLACE_ITEMS = {
    "priority": factories.PriorityFactory,
    "workprogramme": factories.WorkProgrammeFactory,
    "healthchallenge": factories.HealthChallengeFactory,
}


@pytest.mark.parametrize("kind", PLACE_ITEMS)
def test_a_place_item_is_taken_down_and_published_again(
    editor_client, publisher_client, django_capture_on_commit_callbacks, kind
):
    """A priority, work programme or health challenge leaves its place's page (City and
    Hackney's: the home page) when a Publisher takes it down, and comes back when they
    publish it; an Editor may do neither."""
    item = PLACE_ITEMS[kind](title="Tackle loneliness")
    assert "Tackle loneliness" in Client().get("/").content.decode()
    assert editor_client.post(change_url(item), {"_take_down": "1"}).status_code == 403

    with django_capture_on_commit_callbacks(execute=True):
        taken = publisher_client.post(change_url(item), {"_take_down": "1"}, follow=True)

    item.refresh_from_db()
    assert not item.live
    assert "residents no longer see it on its place's page" in unescape(taken.content.decode())
    assert "Tackle loneliness" not in Client().get("/").content.decode()
    assert item.history.latest().publication == "unpublished"
    place = editor_client.get(change_url(item.place)).content.decode()
    assert "Tackle loneliness" in place and "No: taken down" in place  # staff still see it
    with django_capture_on_commit_callbacks(execute=True):
        publisher_client.post(change_url(item), {**edited(publisher_client, item),
                                                 "_publish": "1"})  # fmt: skip
    item.refresh_from_db()
    assert item.live and "Tackle loneliness" in Client().get("/").content.decode()


@pytest.mark.parametrize("kind", PLACE_ITEMS)
def test_a_place_item_is_taken_down_at_its_time(django_capture_on_commit_callbacks, kind):
    item = PLACE_ITEMS[kind](title="Winter pressures")
    at = timezone.now() + datetime.timedelta(days=1)
    type(item).objects.filter(pk=item.pk).update(expire_at=at)

    assert publish_scheduled(now=at - datetime.timedelta(seconds=1)) == "Nothing was due."
    with django_capture_on_commit_callbacks(execute=True):
        assert publish_scheduled(now=at) == "Taken down “Winter pressures”."

    item.refresh_from_db()
    assert not item.live
    assert item.history.latest().history_change_reason.startswith("Taken down as scheduled")
    assert "Winter pressures" not in Client().get("/").content.decode()


def test_a_taken_down_priority_is_not_on_another_places_page(publisher_client):
    factories.PlaceFactory(order=0)  # City and Hackney
    islington = factories.PlaceFactory(name="Islington", order=1)
    factories.PriorityFactory(place=islington, title="Start well")
    gone = factories.PriorityFactory(place=islington, title="Age well")

    publisher_client.post(change_url(gone), {"_take_down": "1"})

    page = public(islington).content.decode()
    assert "Start well" in page and "Age well" not in page


def test_discarding_a_draft(editor_client, partner):
    editor_client.post(change_url(partner), {**edited(editor_client, partner, summary="x"),
                                             "_save_draft": "1"})  # fmt: skip
    response = editor_client.post(change_url(partner), {"_discard_draft": "1"}, follow=True)
    assert "was discarded" in response.content.decode()
    assert not Draft.objects.exists()
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."


def test_a_workstreams_new_order_is_drafted_previewed_and_published_as_one_change(
    editor_client, publisher_client
):
    workstream = factories.workstream_with_priorities()
    data = as_the_browser_sends_it(editor_client.get(change_url(workstream)))
    for key, value in list(data.items()):
        if key.endswith("-title"):
            prefix = key.removesuffix("-title")
            data[f"{prefix}-order"] = {"Falls": "3", "Frailty": "2", "Loneliness": "1"}[value]

    preview = editor_client.post(change_url(workstream), {**data, "_preview": "1"})
    page = preview.content.decode()
    assert page.index("Loneliness") < page.index("Frailty") < page.index("Falls")
    editor_client.post(change_url(workstream), {**data, "_save_draft": "1"})
    residents = public(workstream).content.decode()
    assert residents.index("Falls") < residents.index("Frailty") < residents.index("Loneliness")

    rows = workstream.history.count()
    publisher_client.post(change_url(workstream), {**edited(publisher_client, workstream),
                                                   "_publish": "1"})  # fmt: skip

    residents = public(workstream).content.decode()
    assert residents.index("Loneliness") < residents.index("Frailty") < residents.index("Falls")
    assert workstream.history.count() == rows + 1
    latest = workstream.history.latest()
    assert latest.publication == "published"
    assert [title for _, title in latest.priority_order] == ["Loneliness", "Frailty", "Falls"]


def test_a_priority_drafted_on_the_home_page_is_previewed_past_its_cache(editor_client):
    place = factories.PlaceFactory(name="City and Hackney", slug="city-and-hackney", order=0)
    priority = factories.PriorityFactory(place=place, title="Tackle inequality")
    assert "Tackle inequality" in Client().get("/").content.decode()  # now cached

    url = reverse("admin:partnership_priority_change", args=[priority.pk])
    data = as_the_browser_sends_it(editor_client.get(url))
    preview = editor_client.post(url, {**data, "title": "Tackle health inequality",
                                       "_preview": "1"})  # fmt: skip

    assert "Tackle health inequality" in preview.content.decode()
    assert "Tackle health inequality" not in Client().get("/").content.decode()


def test_recent_changes_lists_what_was_published_scheduled_and_taken_down(
    publisher_client, partner
):
    at = timezone.localtime() + datetime.timedelta(days=1)
    publisher_client.post(
        change_url(partner),
        {**edited(publisher_client, partner, summary="Later."), "_schedule": "1",
         "_go_live_at": at.strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    publish_scheduled(now=at)
    publisher_client.post(change_url(partner), {"_take_down": "1"})
    recent = reverse("recent-changes")

    for action, words, reason in [
        ("published", "1 record published", "Published as scheduled by Publisher"),
        ("scheduled", "1 record scheduled to publish", "Scheduled to publish on"),
        ("unpublished", "1 record taken down", "Taken down by Publisher"),
    ]:
        page = publisher_client.get(recent, {"action": action}).content.decode()
        assert words in page, action
        assert reason in page, action


def test_an_editors_restore_of_an_earlier_version_is_a_draft(
    editor_client, publisher_client, partner
):
    publisher_client.post(change_url(partner), edited(publisher_client, partner, summary="New."))
    earlier = partner.history.filter(summary="Supports community groups.").latest()
    url = reverse(
        "admin:partnership_partnerorganisation_simple_history",
        args=[partner.pk, earlier.history_id],
    )
    page = editor_client.get(url).content.decode()
    assert "Restore this version saves it as a draft" in page
    form = the_version_as_shown(editor_client.get(url))

    response = editor_client.post(url, form, follow=True)

    assert "is now its draft" in response.content.decode()
    partner.refresh_from_db()
    assert partner.summary == "New."
    assert Draft.objects.get().data["summary"] == ["Supports community groups."]
    publisher_client.post(change_url(partner), {**edited(publisher_client, partner),
                                                "_publish": "1"})  # fmt: skip
    partner.refresh_from_db()
    assert partner.summary == "Supports community groups."


def test_an_editors_restore_of_a_workstreams_order_is_a_draft_of_that_order(
    editor_client, publisher_client
):
    workstream = factories.workstream_with_priorities()
    before = workstream.history.latest()
    priorities = list(workstream.priorities.order_by("order"))
    priorities_reorder(workstream=workstream, priorities=priorities[::-1])
    url = reverse(
        "admin:workstreams_workstream_simple_history", args=[workstream.pk, before.history_id]
    )

    editor_client.post(url, the_version_as_shown(editor_client.get(url)))

    residents = public(workstream).content.decode()
    assert residents.index("Loneliness") < residents.index("Frailty") < residents.index("Falls")
    publisher_client.post(change_url(workstream), {**edited(publisher_client, workstream),
                                                   "_publish": "1"})  # fmt: skip
    residents = public(workstream).content.decode()
    assert residents.index("Falls") < residents.index("Frailty") < residents.index("Loneliness")


@pytest.mark.parametrize(
    "make",
    [
        lambda: factories.PlaceFactory(local_authority_codes=["E09000001", "E09000012"]),
        lambda: factories.PartnerFactory(
            expire_at=datetime.datetime(2031, 3, 1, 9, 30, tzinfo=datetime.UTC)
        ),
        lambda: factories.WorkstreamPriorityFactory(),
        lambda: factories.HealthChallengeFactory(
            expire_at=datetime.datetime(2031, 3, 1, 9, 30, tzinfo=datetime.UTC)
        ),
        factories.NeighbourhoodFactory,
        factories.PracticeFactory,
    ],
    ids=[
        "place",
        "partner",
        "workstreampriority",
        "healthchallenge",
        "neighbourhood",
        "practice",
    ],  # fmt: skip
)
def test_a_page_kept_as_a_draft_is_the_page_unchanged(staff_client, staff, make):
    """The form as the admin keeps it for a restore (split dates, lists of codes, links,
    maps) publishes back as it was: nothing changes, nothing is recorded."""
    from django.contrib import admin
    from django.test import RequestFactory

    record = make()
    model_admin = admin.site.get_model_admin(type(record))
    request = RequestFactory().get("/")
    request.user = staff
    data = model_admin.form_as_data(request, record)
    rows = record.history.count()

    response = staff_client.post(change_url(record), {**data, "_publish": "1"})

    assert response.status_code == 302, response.context and response.context.get("errors")
    assert record.history.count() == rows


@pytest.mark.parametrize(
    ("group", "kind", "may_draft", "may_publish"),
    [
        ("Viewers", "partner", False, False),
        ("Editors", "partner", True, False),
        ("Publishers", "partner", True, True),
        ("Data managers", "partner", False, False),
        ("Viewers", "practice", False, False),
        ("Editors", "practice", False, False),
        ("Publishers", "practice", False, False),
        ("Data managers", "practice", True, True),
    ],
)
def test_what_each_role_may_do(staff_client, group, kind, may_draft, may_publish):
    """Drafting, publishing, taking down and deleting: all but drafting put something in
    front of residents or take it away, so they go together (deleting and restoring from
    Deleted records: tests/partnership/test_deleted_content.py)."""
    record = factories.PartnerFactory() if kind == "partner" else factories.PracticeFactory()
    data = edited(staff_client, record)  # the page as a superuser sees it
    client = StaffClient()
    client.force_login(member_of(group))
    opts = record._meta
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[record.pk])
    changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")

    drafted = client.post(change_url(record), {**data, "_save_draft": "1"})
    published = client.post(change_url(record), {**data, "name": "Renamed", "_publish": "1"})
    deleting = client.get(delete)
    listed = client.get(changelist)

    assert (drafted.status_code == 302) is may_draft
    assert (drafted.status_code == 403) is not may_draft
    assert (published.status_code == 302) is may_publish
    assert (published.status_code == 403) is not may_publish
    record.refresh_from_db()
    assert (record.name == "Renamed") is may_publish
    assert (deleting.status_code == 200) is may_publish
    assert (deleting.status_code == 403) is not may_publish
    if may_draft:  # their own page of the record offers to delete it only if they may
        page = client.get(change_url(record)).content.decode()
        assert (delete in page) is may_publish
    if listed.status_code == 200 and kind == "partner":  # practices have no bulk delete
        assert ('value="delete_selected"' in listed.content.decode()) is may_publish
    if kind == "partner" and may_publish:
        client.post(change_url(record), {"_take_down": "1"})
        record.refresh_from_db()
        assert not record.live


def test_an_editor_drafts_the_deletion_of_a_part_of_a_page(editor_client, publisher_client):
    """An Editor may not delete a priority, but may mark it deleted in a draft of its place's
    page: residents keep seeing it until a Publisher publishes the draft."""
    factories.PlaceFactory(order=0)  # the main place: the one below has a page of its own
    place = factories.PlaceFactory(name="Islington", order=1)
    factories.PriorityFactory(place=place, title="Tackle inequality", order=1)
    gone = factories.PriorityFactory(place=place, title="Reduce falls", order=2)
    data = edited(editor_client, place)
    row = next(k for k, v in data.items() if k.startswith("priorities-") and v == str(gone.pk))
    marked = row.removesuffix("-id") + "-DELETE"

    editor_client.post(change_url(place), {**data, marked: "on", "_save_draft": "1"})

    assert "Reduce falls" in public(place).content.decode()
    assert Draft.objects.get().data[marked] == ["on"]
    publisher_client.post(change_url(place), {**edited(publisher_client, place),
                                              "_publish": "1"})  # fmt: skip
    residents = public(place).content.decode()
    assert "Reduce falls" not in residents and "Tackle inequality" in residents
    assert not type(gone).objects.filter(pk=gone.pk).exists()


def test_an_editor_cannot_reorder_live_from_the_list(editor_client, publisher_client, partner):
    url = reverse("admin:partnership_partnerorganisation_changelist")
    assert 'name="form-0-order"' not in editor_client.get(url).content.decode()
    assert 'name="form-0-order"' in publisher_client.get(url).content.decode()


def test_a_taken_down_page_is_previewed_as_it_will_be_once_published(publisher_client, partner):
    publisher_client.post(change_url(partner), {"_take_down": "1"})
    preview = publisher_client.post(
        change_url(partner), {**edited(publisher_client, partner), "_preview": "1"}
    )
    assert preview.status_code == 200 and "Supports community groups." in preview.content.decode()
    partner.refresh_from_db()
    assert not partner.live
