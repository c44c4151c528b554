"""A source has no draft of its own: a page names it as the source of its text the moment it
is saved. So changing or deleting a source is publishing, for Publishers; an Editor adds new
sources, which no page names until a Publisher publishes one that does, and reads the rest."""

import pytest
from django.test import Client
from django.urls import reverse

from partnership.models import Source
from tests import factories
from tests.partnership.test_drafted_kinds import signed_in
from tests.partnership.test_drafts import change_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def cited():
    """A source the City and Hackney place's published page names."""
    source = factories.SourceFactory(title="City and Hackney Neighbourhoods", publisher="CCG")
    place = factories.PlaceFactory(source=source)
    assert "Text from City and Hackney Neighbourhoods, CCG" in home_page()
    return source, place


def home_page():
    return " ".join(Client().get("/").content.decode().split())


def form(source, **changes):
    return {"key": source.key, "title": source.title, "publisher": source.publisher,
            "published": source.published, "url": source.url, "notes": source.notes,
            **changes}  # fmt: skip


def delete(source):
    return reverse("admin:partnership_source_delete", args=[source.pk])


def test_an_editor_cannot_change_what_residents_read_through_a_source(cited):
    source, _ = cited
    editor = signed_in("Editors")
    page = editor.get(change_url(source))
    assert page.status_code == 200  # read, without a Save button
    assert 'name="_save"' not in page.content.decode()
    assert editor.post(change_url(source), form(source, title="Changed live")).status_code == 403
    assert editor.post(delete(source), {"post": "yes"}).status_code == 403
    source.refresh_from_db()
    assert source.title == "City and Hackney Neighbourhoods"
    assert "Text from City and Hackney Neighbourhoods, CCG" in home_page()


def test_an_editor_adds_a_source_that_no_page_names_yet():
    editor = signed_in("Editors")
    add = reverse("admin:partnership_source_add")
    assert 'name="_save"' in editor.get(add).content.decode()
    response = editor.post(add, {"key": "ncmp-2023", "title": "National Child Measurement "
                                 "Programme", "publisher": "NHS England", "published": "2023",
                                 "url": "", "notes": ""})  # fmt: skip
    assert response.status_code == 302
    assert Source.objects.filter(key="ncmp-2023").exists()


def test_a_publishers_change_to_a_source_is_live_at_once(cited):
    source, _ = cited
    publisher = signed_in("Publishers")
    response = publisher.post(change_url(source), form(source, title="Neighbourhoods 2019"))
    assert response.status_code == 302
    assert "Text from Neighbourhoods 2019, CCG" in home_page()
    assert publisher.post(delete(source), {"post": "yes"}).status_code == 302
    assert not Source.objects.filter(pk=source.pk).exists()
