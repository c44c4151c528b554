"""Review dates that mean something: a page is marked reviewed only by a person, who is
named in its history. Loaders and migrations never set a review date, and the migration
that came with this cleared those they had set."""

import datetime
import importlib
import io

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from neighbourhoods.audit import trail
from neighbourhoods.models import ImportRun, Neighbourhood
from partnership.models import PartnerOrganisation, Place
from partnership.services import REVIEWED_REASON, pages_mark_reviewed
from tests.factories import PartnerFactory
from workstreams.models import Workstream

pytestmark = pytest.mark.django_db

LOADED_ON = datetime.date(2026, 11, 22)  # the day the fixtures' text was written for the site
TODAY = datetime.date(2026, 12, 5)
migration = importlib.import_module("partnership.migrations.0008_review_dates_cleared")


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


# -- Forms, loaders and migrations never set it ----------------------------------------------


def test_loading_the_content_sets_no_review_date():
    call_command("load_content", stdout=io.StringIO())

    for model in (Place, PartnerOrganisation, Workstream, Neighbourhood):
        assert model.objects.exists(), model
        assert not model.objects.filter(reviewed_on__isnull=False).exists(), model
        assert set(model.objects.values_list("published_on", flat=True)) == {LOADED_ON}, model


def test_reloading_the_content_puts_back_text_nobody_has_reviewed(amina):
    call_command("load_content", stdout=io.StringIO())
    pages_mark_reviewed(records=Place.objects.all(), by=amina)

    call_command("load_content", force=True, stdout=io.StringIO())

    assert not Place.objects.filter(reviewed_on__isnull=False).exists()


def loaded(**fields):
    """A partner as the content loader writes it: its history row names the import run."""
    now = timezone.now()
    run = ImportRun.objects.create(
        source="load_content", outcome=ImportRun.Outcome.SUCCEEDED, run_by="test",
        started_at=now, finished_at=now,
    )  # fmt: skip
    with trail.recording(import_run=run):
        return PartnerFactory(**fields)


def test_the_migration_clears_review_dates_no_person_set_and_keeps_a_persons(amina):
    with on(datetime.date(2026, 12, 1)):
        by_a_person = PartnerFactory()
        by_a_person.reviewed_on, by_a_person._history_user = datetime.date(2026, 12, 1), amina
        by_a_person.save()
    with on(TODAY):
        by_the_loader = loaded(reviewed_on=LOADED_ON)
        by_a_migration = PartnerFactory()  # then given a date by an update, as 0004 did
        PartnerOrganisation.objects.filter(pk=by_a_migration.pk).update(reviewed_on=LOADED_ON)
        never = PartnerFactory()
    text = dict(PartnerOrganisation.objects.values_list("pk", "summary"))

    with on(datetime.date(2026, 12, 6)):
        migration.clear_unset_review_dates(apps)

    for partner in (by_the_loader, by_a_migration):
        partner.refresh_from_db()
        assert (partner.reviewed_on, partner.reviewed_by, partner.published_on) == (
            None, None, LOADED_ON,
        )  # fmt: skip
        row = partner.history.latest()
        assert row.history_change_reason == migration.CLEARED and row.history_user is None
    # The loader's date was in the history, so the cleared one shows as a change from it.
    row = by_the_loader.history.latest()
    delta = row.diff_against(row.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("reviewed_on", LOADED_ON, None)]
    by_a_person.refresh_from_db()
    assert by_a_person.reviewed_on == datetime.date(2026, 12, 1)
    assert by_a_person.reviewed_by == amina
    assert by_a_person.published_on == datetime.date(2026, 12, 1)  # its first version
    assert by_a_person.history.latest().history_change_reason == migration.NAMED
    never.refresh_from_db()
    assert (never.reviewed_on, never.published_on) == (None, TODAY)
    assert never.history.count() == 1  # nothing to record
    assert dict(PartnerOrganisation.objects.values_list("pk", "summary")) == text
