"""A history row outlives the records it names: once a practice or a neighbourhood is
deleted, its memberships' rows still say plainly what they were, on "Recent changes" and on
the membership's own history page. Deleting one in the admin keeps it, removed, and ends its
memberships (services.removal): they are named "(deleted)" all the same, and their rows say
why they ended."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory, NeighbourhoodFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "deleted, named, reason",
    [
        ("practice", "Dalston Practice (deleted) in Test Fields", "Dalston Practice"),
        ("neighbourhood", "Dalston Practice in Test Fields (deleted)", "Test Fields"),
    ],
)
def test_a_membership_whose_practice_or_neighbourhood_is_deleted_is_still_named(
    staff_client, deleted, named, reason
):
    membership = MembershipFactory(
        practice__name="Dalston Practice", neighbourhood__name="Test Fields"
    )
    record = getattr(membership, deleted)
    delete = reverse(f"admin:neighbourhoods_{deleted}_delete", args=[record.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302

    recent = staff_client.get(reverse("recent-changes"))
    history = staff_client.get(
        reverse("admin:neighbourhoods_membership_history", args=[membership.pk])
    )

    assert recent.status_code == 200
    assert history.status_code == 200
    for page in (recent.content.decode(), history.content.decode()):
        assert named in page
        assert f"Ended: {reason} was deleted" in page  # ended, not deleted
    membership.refresh_from_db()
    assert membership.ended_on is not None


def test_a_change_to_a_since_deleted_neighbourhood_names_it(staff_client):
    membership = MembershipFactory(neighbourhood__name="Test Fields")
    was = membership.neighbourhood
    membership.neighbourhood = NeighbourhoodFactory(name="Test Park")
    membership.save()
    was.delete()

    history = staff_client.get(
        reverse("admin:neighbourhoods_membership_history", args=[membership.pk])
    ).content.decode()

    assert "Test Fields (deleted)" in " ".join(history.split())
