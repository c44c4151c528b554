"""Marking pages reviewed in the admin: the button on a record's page and the bulk action,
for staff who may change the record, recorded with who and when; saving the form never
marks it; and the "Due for review" page, which every member of staff who can read the
records may open."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.models import Neighbourhood
from partnership.models import PartnerOrganisation
from partnership.services import REVIEWED_REASON, pages_mark_reviewed
from tests.factories import NeighbourhoodFactory, PartnerFactory, SourceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 5)


def on(day):
    moment = datetime.datetime.combine(day, datetime.time(12), timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("amina", "amina@example.org", "pw")


def member_of(group_name):
    user = get_user_model().objects.create_user(
        group_name.lower().replace(" ", "-"), password="pw", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def partner():
    source = SourceFactory(title="Our work", publisher="NHS City and Hackney CCG", published="")
    return PartnerFactory(source=source, published_on=datetime.date(2026, 11, 22))


def review_url(record):
    opts = record._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_review", args=[record.pk])


def partner_form(partner, **changes):
    data = {
        "name": partner.name, "slug": partner.slug, "kind": partner.kind,
        "summary": partner.summary, "role_in_partnership": partner.role_in_partnership,
        "website": partner.website, "order": partner.order, "source": partner.source_id or "",
        "places": [p.pk for p in partner.places.all()],
        "is_core_partner": "on" if partner.is_core_partner else "",
        "based_outside_area": "on" if partner.based_outside_area else "",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


# -- The button on a record's page -------------------------------------------------------------


def test_the_record_page_says_what_residents_see_and_offers_the_button(staff_client, partner):
    html = staff_client.get(
        reverse("admin:partnership_partnerorganisation_change", args=[partner.pk])
    ).content.decode()

    assert "Nobody has marked it as reviewed yet." in html
    assert (
        "Its page says: “Text from Our work, NHS City and Hackney CCG. Published on this site "
        "22 November 2026.”"
    ) in html
    assert f'action="{review_url(partner)}"' in html
    assert 'value="Mark as reviewed"' in html
    assert 'name="reviewed_on"' not in html  # not in the record's form


def test_the_button_marks_the_page_reviewed_today_by_the_person(staff_client, staff, partner):
    # The history read on the same day: the stopped clock's staff session ends a working day
    # after the button's request, whatever the real clock says.
    with on(TODAY):
        response = staff_client.post(review_url(partner), follow=True)
        history = staff_client.get(
            reverse("admin:partnership_partnerorganisation_history", args=[partner.pk])
        ).content.decode()

    partner.refresh_from_db()
    assert (partner.reviewed_on, partner.reviewed_by) == (TODAY, staff)
    row = partner.history.order_by("-history_id").first()
    assert (row.history_user, row.history_change_reason) == (staff, REVIEWED_REASON)
    html = response.content.decode()
    assert "its page now says “Page last reviewed: 5 December 2026”" in html
    assert "Last reviewed on 5 December 2026 by amina." in html
    assert REVIEWED_REASON in history and "5 December 2026" in history


def test_the_button_needs_a_post(staff_client, partner):
    assert staff_client.get(review_url(partner)).status_code == 405
    partner.refresh_from_db()
    assert partner.reviewed_on is None


# -- The bulk action ---------------------------------------------------------------------------


def test_the_bulk_action_marks_the_selected_pages_reviewed_today(staff_client, staff):
    first, second, third = NeighbourhoodFactory.create_batch(3)

    with on(TODAY):
        response = staff_client.post(
            reverse("admin:neighbourhoods_neighbourhood_changelist"),
            {"action": "mark_reviewed", "_selected_action": [first.pk, second.pk]},
            follow=True,
        )

    assert "Marked 2 neighbourhoods as reviewed" in response.content.decode()
    made = Neighbourhood.objects.filter(pk__in=[first.pk, second.pk, third.pk])
    reviewed = dict(made.values_list("pk", "reviewed_on"))
    assert reviewed == {first.pk: TODAY, second.pk: TODAY, third.pk: None}
    assert first.history.order_by("-history_id").first().history_user == staff


# -- Saving the form does not --------------------------------------------------------------------


def test_saving_the_form_neither_marks_a_page_reviewed_nor_changes_its_review(
    staff_client, staff, partner
):
    url = reverse("admin:partnership_partnerorganisation_change", args=[partner.pk])
    sneaked = partner_form(partner, summary="New words.", reviewed_on="2026-12-01")

    with on(TODAY):
        assert staff_client.post(url, sneaked).status_code == 302
    partner.refresh_from_db()
    assert partner.summary == "New words." and partner.reviewed_on is None

    pages_mark_reviewed(
        records=PartnerOrganisation.objects.filter(pk=partner.pk), by=staff, on=TODAY
    )
    with on(datetime.date(2026, 12, 9)):
        staff_client.force_login(staff)  # days later: a staff session lasts a working day
        assert staff_client.post(url, partner_form(partner, summary="Newer.")).status_code == 302
    partner.refresh_from_db()
    assert (partner.summary, partner.reviewed_on, partner.reviewed_by) == ("Newer.", TODAY, staff)


def test_restoring_an_earlier_version_keeps_the_review(staff_client, staff, partner):
    before = partner.history.order_by("-history_id").first()
    pages_mark_reviewed(
        records=PartnerOrganisation.objects.filter(pk=partner.pk), by=staff, on=TODAY
    )
    url = reverse(
        "admin:partnership_partnerorganisation_simple_history",
        args=[partner.pk, before.history_id],
    )

    assert staff_client.post(url, partner_form(before.instance)).status_code == 302
    partner.refresh_from_db()
    assert (partner.reviewed_on, partner.reviewed_by) == (TODAY, staff)


# -- Who may do what -------------------------------------------------------------------------------


def test_a_viewer_reads_the_review_but_may_not_mark_a_page(client, partner):
    client.force_login(member_of("Viewers"))

    page = client.get(reverse("admin:partnership_partnerorganisation_change", args=[partner.pk]))
    refused = client.post(review_url(partner))
    client.post(
        reverse("admin:partnership_partnerorganisation_changelist"),
        {"action": "mark_reviewed", "_selected_action": [partner.pk]},
    )

    assert page.status_code == 200
    assert "Nobody has marked it as reviewed yet." in page.content.decode()
    assert "Mark as reviewed" not in page.content.decode()
    assert refused.status_code == 403
    partner.refresh_from_db()
    assert partner.reviewed_on is None


# -- Due for review -----------------------------------------------------------------------------


def test_the_due_list_links_each_record_and_its_page_oldest_first(client, partner, staff):
    recent = PartnerFactory(name="Reviewed last month")
    old = PartnerFactory(name="Reviewed two years ago")
    for record, day in ((recent, datetime.date(2026, 11, 5)), (old, datetime.date(2024, 12, 1))):
        pages_mark_reviewed(
            records=PartnerOrganisation.objects.filter(pk=record.pk), by=staff, on=day
        )
    client.force_login(member_of("Viewers"))

    with on(TODAY):  # both reads on one day, within the staff session's working day
        response = client.get(reverse("due-for-review"))
        admin_home = client.get(reverse("admin:index")).content.decode()

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(partner.name) < html.index("Reviewed two years ago")  # never reviewed
    assert "Reviewed last month" not in html
    assert "1 December 2024 by amina" in html
    admin_url = reverse("admin:partnership_partnerorganisation_change", args=[partner.pk])
    assert f'href="{admin_url}"' in html
    assert f'{partner.get_absolute_url()}">{partner.get_absolute_url()}</a>' in html
    assert "more than 12 months ago" in html
    assert reverse("due-for-review") in admin_home


def test_staff_see_on_the_due_list_only_the_records_they_may_read(client, partner):
    neighbourhood = NeighbourhoodFactory()
    client.force_login(member_of("Data managers"))  # may read neighbourhoods, not partners

    html = client.get(reverse("due-for-review")).content.decode()

    assert neighbourhood.name in html
    assert partner.name not in html


def test_the_due_list_is_for_staff_who_may_read_the_records(client):
    assert "/admin/login/" in client.get(reverse("due-for-review"))["Location"]
    client.force_login(get_user_model().objects.create_user("nobody", is_staff=True))
    assert client.get(reverse("due-for-review")).status_code == 403
