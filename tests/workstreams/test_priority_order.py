"""A workstream's priorities' order is the workstream's: reordering them is one change of
the workstream, shown in its History in words, undone by restoring the version before; two
priorities never share a number."""

import importlib
import re

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse

from tests import factories
from tests.neighbourhoods.audit.test_untouched_saves import as_the_browser_sends_it
from workstreams.models import WorkstreamPriority
from workstreams.services import priorities_reorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def workstream():
    return factories.workstream_with_priorities()


def titles(workstream):
    return list(workstream.priorities.order_by("order").values_list("title", flat=True))


def change_page(client, workstream):
    return reverse("admin:workstreams_workstream_change", args=[workstream.pk])


def reorder_in_the_admin(client, workstream, numbers):
    """The workstream's page saved with the priorities given these numbers, by title."""
    url = change_page(client, workstream)
    data = as_the_browser_sends_it(client.get(url))
    for key, value in list(data.items()):
        match = re.fullmatch(r"(priorities-\d+)-title", key)
        if match and value in numbers:
            data[f"{match[1]}-order"] = str(numbers[value])
    return client.post(url, data)


def the_version_as_shown(response):
    """A version's restore page posted as shown (it has no priorities' table)."""
    form = response.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, list | tuple):
            data[form.add_prefix(name)] = [str(v) for v in value]
        elif value is not None:
            data[form.add_prefix(name)] = str(value)
    return data


def test_reordering_in_the_admin_is_one_change_of_the_workstream(staff_client, workstream):
    rows = workstream.history.count()
    priority_rows = WorkstreamPriority.history.count()

    response = reorder_in_the_admin(staff_client, workstream, {"Falls": 3, "Loneliness": 1})

    assert response.status_code == 302
    assert titles(workstream) == ["Loneliness", "Frailty", "Falls"]
    assert workstream.history.count() == rows + 1
    assert WorkstreamPriority.history.count() == priority_rows  # their text did not change
    latest = workstream.history.latest()
    assert latest.history_change_reason == "Priorities reordered"
    assert latest.history_user.username == "editor"
    page = staff_client.get(
        reverse("admin:workstreams_workstream_history", args=[workstream.pk])
    ).content.decode()
    assert "Priorities in order" in page
    assert "1. Falls, 2. Frailty, 3. Loneliness" in page
    assert "1. Loneliness, 2. Frailty, 3. Falls" in page


def test_numbers_are_made_consecutive_and_the_public_page_numbers_them_1_to_n(
    client, staff_client, workstream
):
    reorder_in_the_admin(staff_client, workstream, {"Falls": 10, "Frailty": 7, "Loneliness": 8})

    assert list(workstream.priorities.values_list("title", "order")) == [
        ("Frailty", 1),
        ("Loneliness", 2),
        ("Falls", 3),
    ]
    html = client.get(workstream.get_absolute_url()).content.decode()
    listed = re.search(r'<ol class="nhsuk-list nhsuk-list--number">(.*?)</ol>', html, re.S)[1]
    assert re.findall(r"<strong>(.*?)</strong>", listed) == ["Frailty", "Loneliness", "Falls"]


def test_saving_the_same_order_again_records_nothing(staff_client, workstream):
    rows = workstream.history.count()

    reorder_in_the_admin(staff_client, workstream, {})

    assert workstream.history.count() == rows


def test_two_priorities_given_the_same_number_are_refused_in_words(staff_client, workstream):
    rows = workstream.history.count()

    response = reorder_in_the_admin(staff_client, workstream, {"Falls": 2})

    assert response.status_code == 200
    assert "“Falls” and “Frailty” are both number 2" in response.content.decode() or (
        "“Frailty” and “Falls” are both number 2" in response.content.decode()
    )
    assert titles(workstream) == ["Falls", "Frailty", "Loneliness"]
    assert workstream.history.count() == rows


def test_restoring_a_version_puts_its_priorities_back_in_its_order(staff_client, workstream):
    before = workstream.history.latest()
    reorder_in_the_admin(staff_client, workstream, {"Falls": 3, "Loneliness": 1})
    rows = workstream.history.count()
    url = reverse(
        "admin:workstreams_workstream_simple_history", args=[workstream.pk, before.history_id]
    )

    response = staff_client.post(url, the_version_as_shown(staff_client.get(url)))

    assert response.status_code == 302
    assert titles(workstream) == ["Falls", "Frailty", "Loneliness"]
    assert list(workstream.priorities.values_list("order", flat=True)) == [1, 2, 3]
    assert workstream.history.count() == rows + 1  # one step, one version
    assert workstream.history.latest().priority_order == before.priority_order


def test_a_priority_added_or_deleted_on_its_own_page_keeps_the_numbers_consecutive(
    staff_client, workstream
):
    falls = workstream.priorities.get(title="Falls")
    staff_client.post(
        reverse("admin:workstreams_workstreampriority_add"),
        {"workstream": workstream.pk, "title": "Dementia", "description": ""},
    )
    staff_client.post(
        reverse("admin:workstreams_workstreampriority_delete", args=[falls.pk]), {"post": "yes"}
    )

    assert list(workstream.priorities.values_list("title", "order")) == [
        ("Frailty", 1),
        ("Loneliness", 2),
        ("Dementia", 3),
    ]
    assert workstream.history.latest().history_change_reason == "Priorities changed"


def test_two_priorities_of_a_workstream_cannot_share_a_number(workstream):
    with pytest.raises(IntegrityError), transaction.atomic():
        workstream.priorities.filter(title="Falls").update(order=2)
        with connection.cursor() as cursor:  # the check is deferred to the commit
            cursor.execute("SET CONSTRAINTS one_priority_per_number IMMEDIATE")


def test_the_service_swaps_numbers_without_a_clash(workstream):
    falls, frailty, loneliness = workstream.priorities.order_by("order")

    assert priorities_reorder(workstream=workstream, priorities=[frailty, falls, loneliness])

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS one_priority_per_number IMMEDIATE")
    assert titles(workstream) == ["Frailty", "Falls", "Loneliness"]


def test_the_migration_numbers_shared_numbers_in_the_order_the_page_showed(workstream):
    from django.apps import apps

    migration = importlib.import_module("workstreams.migrations.0006_priority_order")
    other = factories.WorkstreamFactory()
    factories.WorkstreamPriorityFactory(workstream=other, title="Only", order=0)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS one_priority_per_number DEFERRED")
    # As the data was: Frailty and Loneliness both 2 (Frailty added first), Falls 5.
    WorkstreamPriority.objects.filter(title__in=["Frailty", "Loneliness"]).update(order=2)
    WorkstreamPriority.objects.filter(title="Falls").update(order=5)

    migration.priorities_numbered(apps, None)

    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS one_priority_per_number IMMEDIATE")
    assert list(workstream.priorities.values_list("title", "order")) == [
        ("Frailty", 1),
        ("Loneliness", 2),
        ("Falls", 3),
    ]
    assert list(other.priorities.values_list("order", flat=True)) == [1]
