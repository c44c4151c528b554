"""Review dates that mean something: a page is marked reviewed only by a person, who is
named in its history."""

import datetime

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.utils import timezone

from partnership.models import PartnerOrganisation
from partnership.services import REVIEWED_REASON, pages_mark_reviewed
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db

LOADED_ON = datetime.date(2026, 11, 22)  # the day the fixtures' text was written for the site
TODAY = datetime.date(2026, 12, 5)


def on(day, hour=12):
    """The clock moved to midday, London time, on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(hour), timezone.get_current_timezone())
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def amina(db):
    return get_user_model().objects.create_user("amina", is_staff=True)


# -- Marking pages reviewed ----------------------------------------------------------------


def test_marking_pages_reviewed_dates_them_and_names_the_person_in_their_history(amina):
    first, second, untouched = PartnerFactory.create_batch(3)
    summary = first.summary

    with on(TODAY):
        marked = pages_mark_reviewed(
            records=PartnerOrganisation.objects.filter(pk__in=[first.pk, second.pk]), by=amina
        )

    assert marked == 2
    for partner in (first, second):
        partner.refresh_from_db()
        assert (partner.reviewed_on, partner.reviewed_by) == (TODAY, amina)
        assert partner.summary == summary
        row = partner.history.latest()
        assert row.history_user == amina
        assert row.history_change_reason == REVIEWED_REASON
        delta = row.diff_against(row.prev_record)
        assert {c.field: c.new for c in delta.changes} == {
            "reviewed_on": TODAY, "reviewed_by": amina.pk,
        }  # fmt: skip
    untouched.refresh_from_db()
    assert untouched.reviewed_on is None and untouched.reviewed_by is None


def test_a_new_record_is_published_today_and_not_reviewed():
    with on(TODAY):
        partner = PartnerFactory()
    assert partner.published_on == TODAY
    assert partner.reviewed_on is None
