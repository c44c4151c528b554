"""A postcode changed in the admin is audited as every other record is: its History says what
changed from what to what, Recent changes lists it, and an earlier version can be restored.
The imports, which write millions of postcodes around save(), leave no history rows."""

import datetime
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.urls import reverse

from neighbourhoods.audit.trail import FIRST_SAVE_REASON
from neighbourhoods.models import Postcode
from tests import TEST_DATA
from tests.factories import PostcodeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("dev", "dev@example.org", "pw")


def imported(**fields):
    """A postcode as the imports write it: around save(), so with no history."""
    [postcode] = Postcode.objects.bulk_create([PostcodeFactory.build(**fields)])
    assert not postcode.history.exists()
    return postcode


def form(postcode, **changes):
    data = {
        "postcode": postcode.postcode, "location": postcode.location.geojson,
        "positional_quality": postcode.positional_quality or "",
        "local_authority_code": postcode.local_authority_code,
        "ward_code": postcode.ward_code, "terminated": "on" if postcode.terminated else "",
        "terminated_on": postcode.terminated_on or "", "source": postcode.source,
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def terminate(client, postcode):
    url = reverse("admin:neighbourhoods_postcode_change", args=[postcode.pk])
    response = client.post(url, form(postcode, terminated="on", terminated_on="2026-05-01"))
    assert response.status_code == 302, response.content.decode()[:2000]


def test_ticking_terminated_is_kept_with_what_it_changed_from(staff_client, staff):
    postcode = imported(postcode="E8 9ZZ")

    terminate(staff_client, postcode)

    before, after = postcode.history.order_by("history_date", "history_id")
    assert (before.terminated, before.terminated_on, before.history_user) == (False, None, None)
    assert before.history_change_reason == FIRST_SAVE_REASON
    assert (after.terminated, after.terminated_on) == (True, datetime.date(2026, 5, 1))
    assert after.history_user == staff and after.history_type == "~"
    assert sorted(after.diff_against(before).changed_fields) == ["terminated", "terminated_on"]
    page = staff_client.get(
        reverse("admin:neighbourhoods_postcode_history", args=[postcode.pk])
    ).content.decode()
    assert "<strong>terminated:</strong> no &rarr; yes" in page.lower()
    assert "<strong>terminated on:</strong> (none) &rarr; 1 may 2026" in page.lower()
    assert "dev" in page


def test_recent_changes_lists_a_postcode_changed_in_the_admin(staff_client):
    postcode = imported(postcode="E8 9ZZ")
    terminate(staff_client, postcode)

    html = staff_client.get(reverse("recent-changes")).content.decode()

    table = html[html.index('<table id="recent-changes">') :]
    row = table[: table.index("</tr>", table.index("E8 9ZZ"))]
    row = row[row.rindex("<tr>") :]
    assert "<td>Postcode</td>" in row and "no &rarr; yes" in row.lower()


def test_a_postcode_saved_untouched_records_no_change(staff_client):
    postcode = imported(postcode="E8 9ZZ")
    url = reverse("admin:neighbourhoods_postcode_change", args=[postcode.pk])

    assert staff_client.post(url, form(postcode)).status_code == 302

    assert [(v.history_type, v.history_change_reason) for v in postcode.history.all()] == [
        ("+", FIRST_SAVE_REASON)
    ]


def test_only_the_first_change_keeps_the_version_before_it(staff_client):
    postcode = imported(postcode="E8 9ZZ")
    terminate(staff_client, postcode)
    postcode.refresh_from_db()
    url = reverse("admin:neighbourhoods_postcode_change", args=[postcode.pk])

    staff_client.post(url, form(postcode, ward_code="E05009999"))

    assert list(postcode.history.values_list("history_type", flat=True)) == ["~", "~", "+"]


def test_restoring_the_version_before_puts_the_postcode_back(staff_client):
    postcode = imported(postcode="E8 9ZZ")
    terminate(staff_client, postcode)
    before = postcode.history.earliest()
    url = reverse(
        "admin:neighbourhoods_postcode_simple_history", args=[postcode.pk, before.history_id]
    )

    page = staff_client.get(url).content.decode()
    response = staff_client.post(url, form(before.instance))

    assert 'value="Restore this version"' in page
    assert response.status_code == 302
    postcode.refresh_from_db()
    assert (postcode.terminated, postcode.terminated_on) == (False, None)
    latest = postcode.history.latest()
    assert sorted(latest.diff_against(latest.prev_record).changed_fields) == [
        "terminated", "terminated_on",
    ]  # fmt: skip


def test_a_postcode_moved_on_the_map_shows_where_from(staff_client):
    postcode = imported(postcode="E8 9ZZ", location=Point(-0.05, 51.55, srid=4326))
    url = reverse("admin:neighbourhoods_postcode_change", args=[postcode.pk])

    moved = '{"type": "Point", "coordinates": [-0.06, 51.54]}'
    assert staff_client.post(url, form(postcode, location=moved)).status_code == 302

    latest = postcode.history.latest()
    assert latest.diff_against(latest.prev_record).changed_fields == ["location"]
    assert latest.prev_record.location.coords == (-0.05, 51.55)
    page = staff_client.get(
        reverse("admin:neighbourhoods_postcode_history", args=[postcode.pk])
    ).content.decode()
    assert (
        "<strong>Location:</strong> latitude 51.55000, longitude -0.05000 &rarr; "
        "latitude 51.54000, longitude -0.06000"
    ) in page


def test_adding_and_deleting_a_postcode_in_the_admin_are_kept(staff_client):
    response = staff_client.post(
        reverse("admin:neighbourhoods_postcode_add"),
        form(PostcodeFactory.build(postcode="E9 9ZY")),
    )
    assert response.status_code == 302
    postcode = Postcode.objects.get(postcode="E9 9ZY")
    staff_client.post(
        reverse("admin:neighbourhoods_postcode_delete", args=[postcode.pk]), {"post": "yes"}
    )
    assert list(Postcode.history.filter(id=postcode.pk).values_list("history_type", flat=True)) == [
        "-", "+",
    ]  # fmt: skip


def test_an_import_leaves_no_postcode_history():
    """The import adds its postcodes (in the fast tests' empty database), then changes them
    back after they were changed around save(): no history either way."""
    sample = str(TEST_DATA / "onspd_sample.csv")
    before = Postcode.history.count()
    call_command("import_onspd", sample, stdout=io.StringIO(), stderr=io.StringIO())
    Postcode.objects.filter(postcode__in=["E9 9ZX", "E8 9ZY", "E1 9ZZ"]).update(ward_code="")
    out = io.StringIO()

    call_command("import_onspd", sample, stdout=out, stderr=io.StringIO())

    assert "Postcodes: 3 changed" in out.getvalue()
    assert Postcode.history.count() == before


@pytest.mark.parametrize(
    ("group", "may_restore"), [("Data managers", True), ("Editors", False), ("Viewers", False)]
)
def test_every_role_reads_a_postcodes_history_and_data_managers_restore_it(
    client, group, may_restore
):
    user = get_user_model().objects.create_user("someone", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    postcode = PostcodeFactory()
    version = postcode.history.latest()

    history = client.get(reverse("admin:neighbourhoods_postcode_history", args=[postcode.pk]))
    opened = client.get(
        reverse(
            "admin:neighbourhoods_postcode_simple_history",
            args=[postcode.pk, version.history_id],
        )
    )

    assert history.status_code == 200 and opened.status_code == 200
    assert ('value="Restore this version"' in opened.content.decode()) is may_restore
    assert user.has_perm("neighbourhoods.change_historicalpostcode") is may_restore
