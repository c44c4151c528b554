"""A practice is in one neighbourhood at a time: the database refuses two memberships of a
practice in force on the same day (both ends inclusive, an open end unbounded), and the
admin says so in plain English, naming the other neighbourhood and its dates."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from neighbourhoods.models import Membership
from tests.factories import MembershipFactory, NeighbourhoodFactory, PracticeFactory

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def dalston():
    """Dalston Practice, in Test Fields since 1 October 2019 with no end date."""
    return MembershipFactory(
        practice__name="Dalston Practice",
        neighbourhood__name="Test Fields",
        started_on=D(2019, 10, 1),
        ended_on=None,
    )


@pytest.mark.parametrize(
    "first, second, refused",
    [
        ((D(2019, 10, 1), None), (D(2024, 4, 1), None), True),
        ((D(2019, 10, 1), D(2024, 3, 31)), (D(2024, 4, 1), None), False),
        ((D(2019, 10, 1), D(2024, 4, 1)), (D(2024, 4, 1), None), True),  # both ends count
        ((None, D(2024, 3, 31)), (None, None), True),  # an open start is unbounded
        ((None, D(2024, 3, 31)), (D(2024, 4, 1), D(2025, 1, 1)), False),
    ],
)
def test_the_database_refuses_a_practice_in_two_neighbourhoods_at_once(first, second, refused):
    practice = PracticeFactory()
    MembershipFactory(practice=practice, started_on=first[0], ended_on=first[1])
    other = NeighbourhoodFactory()

    def add():
        with transaction.atomic():
            Membership.objects.create(
                practice=practice, neighbourhood=other, started_on=second[0], ended_on=second[1]
            )

    if refused:
        with pytest.raises(IntegrityError, match="membership_one_neighbourhood_at_a_time"):
            add()
    else:
        add()


def membership_form(membership=None, **values):
    data = {"started_on": "", "ended_on": ""}
    if membership is not None:
        data |= {
            "practice": membership.practice_id,
            "neighbourhood": membership.neighbourhood_id,
            "started_on": membership.started_on or "",
            "ended_on": membership.ended_on or "",
        }
    return data | values


def test_the_membership_form_names_the_neighbourhood_a_practice_is_already_in(
    staff_client, dalston
):
    other = NeighbourhoodFactory(name="Test Park")

    response = staff_client.post(
        reverse("admin:neighbourhoods_membership_add"),
        membership_form(practice=dalston.practice_id, neighbourhood=other.pk,
                        started_on="2024-04-01"),
    )  # fmt: skip

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert (
        "Dalston Practice is already in Test Fields from 1 October 2019, with no end date"
    ) in html
    assert "violated" not in html
    assert dalston.practice.memberships.count() == 1


def test_an_end_before_the_start_is_explained(staff_client, dalston):
    url = reverse("admin:neighbourhoods_membership_change", args=[dalston.pk])

    response = staff_client.post(url, membership_form(dalston, ended_on="2019-09-30"))

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert "ends on 30 September 2019, before it starts on 1 October 2019" in html
    assert "violated" not in html
    dalston.refresh_from_db()
    assert dalston.ended_on is None


def practice_page(practice, rows):
    """The practice's change form as staff would send it, with its memberships `rows`:
    (membership or None, neighbourhood, started_on, ended_on)."""
    data = {
        "ods_code": practice.ods_code, "name": practice.name, "address": practice.address,
        "postcode": practice.postcode, "phone": practice.phone, "status": practice.status,
        "location": practice.location.geojson, "registered_patients": 10000,
        "registered_patients_as_of": "2026-04-01",
        "memberships-TOTAL_FORMS": len(rows), "memberships-INITIAL_FORMS": sum(
            1 for row in rows if row[0] is not None
        ),
        "memberships-MIN_NUM_FORMS": 0, "memberships-MAX_NUM_FORMS": 1000,
    }  # fmt: skip
    for i, (membership, neighbourhood, started_on, ended_on) in enumerate(rows):
        data |= {
            f"memberships-{i}-id": membership.pk if membership else "",
            f"memberships-{i}-practice": practice.pk,
            f"memberships-{i}-neighbourhood": neighbourhood.pk,
            f"memberships-{i}-started_on": started_on,
            f"memberships-{i}-ended_on": ended_on,
        }
    return data


def test_the_practice_page_refuses_a_second_neighbourhood_at_once(staff_client, dalston):
    practice, other = dalston.practice, NeighbourhoodFactory(name="Test Park")
    url = reverse("admin:neighbourhoods_practice_change", args=[practice.pk])

    response = staff_client.post(
        url,
        practice_page(
            practice,
            [(dalston, dalston.neighbourhood, "2019-10-01", ""), (None, other, "2024-04-01", "")],
        ),
    )

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert (
        "Dalston Practice is already in Test Fields from 1 October 2019, with no end date"
    ) in html
    assert "violated" not in html
    assert practice.memberships.count() == 1


def test_the_practice_page_moves_a_practice_in_one_save(staff_client, dalston):
    """Ending one membership and starting the next on the same page is one change."""
    practice, other = dalston.practice, NeighbourhoodFactory(name="Test Park")
    url = reverse("admin:neighbourhoods_practice_change", args=[practice.pk])

    response = staff_client.post(
        url,
        practice_page(
            practice,
            [
                (dalston, dalston.neighbourhood, "2019-10-01", "2024-03-31"),
                (None, other, "2024-04-01", ""),
            ],
        ),
    )

    assert response.status_code == 302
    assert [
        (m.neighbourhood.name, m.ended_on) for m in practice.memberships.order_by("started_on")
    ] == [("Test Fields", D(2024, 3, 31)), ("Test Park", None)]


def test_two_new_rows_on_the_practice_page_are_checked_against_each_other(staff_client):
    practice = PracticeFactory(name="Dalston Practice")
    fields, clissold = (
        NeighbourhoodFactory(name="Test Fields"),
        NeighbourhoodFactory(name="Test Park"),
    )
    url = reverse("admin:neighbourhoods_practice_change", args=[practice.pk])

    response = staff_client.post(
        url,
        practice_page(
            practice,
            [(None, fields, "2019-10-01", "2024-06-30"), (None, clissold, "2024-04-01", "")],
        ),
    )

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert (
        "Dalston Practice is already in Test Fields from 1 October 2019 to 30 June 2024"
    ) in html
    assert not practice.memberships.exists()


def test_a_new_practice_with_two_neighbourhoods_at_once_is_refused(staff_client):
    fields, clissold = (
        NeighbourhoodFactory(name="Test Fields"),
        NeighbourhoodFactory(name="Test Park"),
    )
    practice = PracticeFactory.build(name="Dalston Practice", ods_code="F99999")
    data = practice_page(
        practice, [(None, fields, "2019-10-01", ""), (None, clissold, "2024-04-01", "")]
    )

    response = staff_client.post(
        reverse("admin:neighbourhoods_practice_add"),
        {k: v for k, v in data.items() if not k.endswith("-practice")},
    )

    html = " ".join(response.content.decode().split())
    assert response.status_code == 200
    assert (
        "Dalston Practice is already in Test Fields from 1 October 2019, with no end date"
    ) in html
    assert not Membership.objects.filter(practice__ods_code="F99999").exists()
