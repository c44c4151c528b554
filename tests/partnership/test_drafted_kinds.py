"""Every kind of record residents read is drafted, previewed and published the same way
(docs/history.md, Drafts): an Editor's save is a draft residents do not see on its public
page, Preview shows it, and a Publisher's publish puts it live. Partners, workstreams,
priorities and practices have tests of their own in test_drafts.py; a new neighbourhood,
which would renumber the public map, is tested here too."""

import re

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from neighbourhoods.audit.drafting import DraftedAdmin
from neighbourhoods.models import Neighbourhood
from partnership.models import Draft
from tests import factories
from tests.neighbourhoods.audit.test_untouched_saves import as_the_browser_sends_it
from tests.partnership.test_drafts import change_url, edited, member_of
from tests.second_factor import StaffClient

pytestmark = pytest.mark.django_db


def signed_in(group):
    client = StaffClient()
    client.force_login(member_of(group))
    return client


@pytest.fixture
def editor_client():
    return signed_in("Editors")


@pytest.fixture
def publisher_client():
    return signed_in("Publishers")


# kind: (make the record, the field an Editor changes, the public page it shows on)
KINDS = {
    "place": (factories.PlaceFactory, "summary", lambda record: "/"),
    "workprogramme": (factories.WorkProgrammeFactory, "title", lambda record: "/"),
    "healthchallenge": (factories.HealthChallengeFactory, "title", lambda record: "/"),
    "workstreampriority": (
        factories.WorkstreamPriorityFactory,
        "title",
        lambda record: record.workstream.get_absolute_url(),
    ),
    "neighbourhood": (
        factories.NeighbourhoodFactory,
        "summary",
        lambda record: record.get_absolute_url(),
    ),
    "neighbourhoodaim": (
        factories.NeighbourhoodAimFactory,
        "text",
        lambda record: reverse("neighbourhoods:list"),
    ),
}
# Drafted, and tested in test_drafts.py.
TESTED_ELSEWHERE = {"partnerorganisation", "workstream", "priority", "practice"}


def test_every_drafted_kind_is_tested():
    """A new admin that drafts must be added to the table above (or tested elsewhere)."""
    drafted = {
        model._meta.model_name
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, DraftedAdmin)
    }
    assert drafted == set(KINDS) | TESTED_ELSEWHERE


def residents_see(path) -> str:
    response = Client().get(path, follow=True)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("kind", KINDS)
def test_an_editors_draft_is_previewed_and_published_by_a_publisher(
    editor_client, publisher_client, django_capture_on_commit_callbacks, kind
):
    make, field, page_of = KINDS[kind]
    record = make()
    page = page_of(record)
    was = getattr(record, field)
    words = f"Drafted words for the {record._meta.verbose_name}"
    assert was in residents_see(page)

    drafted = editor_client.post(
        change_url(record), {**edited(editor_client, record, **{field: words}),
                             "_save_draft": "Save draft"},
    )  # fmt: skip

    assert drafted.status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == was
    assert Draft.objects.get().data[field] == [words]
    assert words not in residents_see(page) and was in residents_see(page)

    preview = editor_client.post(
        change_url(record), {**edited(editor_client, record), "_preview": "Preview"}
    )  # the page opens on the draft: previewed as it is

    assert preview.status_code == 200
    assert words in preview.content.decode() and 'id="preview-banner"' in preview.content.decode()
    assert words not in residents_see(page)

    # The cached pages are cleared once the publish commits, as in production.
    with django_capture_on_commit_callbacks(execute=True):
        published = publisher_client.post(
            change_url(record), {**edited(publisher_client, record), "_publish": "Publish now"}
        )

    assert published.status_code == 302
    record.refresh_from_db()
    assert getattr(record, field) == words
    assert words in residents_see(page)
    assert not Draft.objects.exists()
    assert record.history.latest().publication == "published"


@pytest.fixture
def two_areas():
    place = factories.PlaceFactory()
    return [
        factories.NeighbourhoodFactory(
            place=place, name=name, slug=name.lower().replace(" ", "-"), order=number,
            boundary=factories.square(-0.08 + number * 0.01, 51.54),
        )
        for number, name in [(1, "Hackney Marshes"), (2, "London Fields")]
    ]  # fmt: skip


def public_map():
    """The map page's lede ("The 2 neighbourhood areas and their GP practices."), its list's
    names, and the areas its map draws (each with its number and label's place)."""
    response = Client().get(reverse("neighbourhoods:map"))
    words = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
    lede = re.search(r"The \d+ neighbourhood areas[^.]*\.", words)[0]
    names = [n.name for n in response.context["neighbourhoods"]]
    return lede, names, response.context["map_config"]["areas"]


def listed() -> str:
    return " ".join(Client().get(reverse("neighbourhoods:list")).content.decode().split())


def test_a_new_neighbourhood_changes_the_map_only_once_published(
    staff_client, django_capture_on_commit_callbacks, two_areas
):
    """Drafted, a new neighbourhood is not a record at all: the map keeps its areas, numbers
    and heading, and the list its count, until it is published. (Only superusers add
    neighbourhoods: no role may.)"""
    lede, names, areas = public_map()
    assert lede == "The 2 neighbourhood areas and their GP practices."
    assert names == ["Hackney Marshes", "London Fields"]
    assert {slug: area["number"] for slug, area in areas.items()} == {
        "hackney-marshes": 1, "london-fields": 2,
    }  # fmt: skip
    add = reverse("admin:neighbourhoods_neighbourhood_add")
    data = {
        **as_the_browser_sends_it(staff_client.get(add)),
        "place": str(two_areas[0].place_id), "name": "Clissold Park",
        "slug": "clissold-park", "park_name": "Clissold Park", "pcn_code": "U99999",
        "summary": "Practices around Stoke Newington.", "order": "0",
    }  # fmt: skip

    drafted = staff_client.post(add, {**data, "_save_draft": "Save draft"})

    assert drafted.status_code == 302
    assert not Neighbourhood.objects.filter(slug="clissold-park").exists()
    assert public_map() == (lede, names, areas)
    assert "work in 2 neighbourhoods" in listed() and "Clissold Park" not in listed()
    draft = Draft.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"{add}?draft={draft.pk}", {**data, "_publish": "Publish now"})

    assert Neighbourhood.objects.filter(slug="clissold-park").exists()
    lede, names, areas = public_map()
    assert lede == "The 3 neighbourhood areas and their GP practices."
    assert names == ["Clissold Park", "Hackney Marshes", "London Fields"]
    # First in the order, it numbers the others on; it has no area until LSOAs move to it.
    assert {slug: area["number"] for slug, area in areas.items()} == {
        "hackney-marshes": 2, "london-fields": 3,
    }  # fmt: skip
    assert "work in 3 neighbourhoods" in listed() and "Clissold Park" in listed()
