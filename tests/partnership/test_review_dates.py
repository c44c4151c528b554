"""Review dates that mean something: a page says "Page last reviewed" only once a person has
marked it reviewed; until then it says where its text came from and when it was published
here. Loaders and migrations never set a review date, and the migration that came with this
cleared those they had set. Staff see which pages are due for review."""

import datetime
import importlib
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from neighbourhoods.audit import trail
from neighbourhoods.models import ImportRun, Neighbourhood, day_text
from partnership.models import PartnerOrganisation, Place
from partnership.reviews import PageReview, page_review, pages_due_for_review
from partnership.services import REVIEWED_REASON, pages_mark_reviewed
from partnership.views import TEXT_UPDATED_ON
from tests import ROOT
from tests.factories import (
    NeighbourhoodFactory,
    PartnerFactory,
    PlaceFactory,
    SourceFactory,
    WorkstreamFactory,
)
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


@pytest.fixture
def document():
    return SourceFactory(
        title="City and Hackney Neighbourhoods",
        publisher="NHS City and Hackney Clinical Commissioning Group",
        published="About 2019",
    )


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
        # Newest first by id: the clock is moved to midday, before or after the rows the
        # factory wrote at the real time.
        row, before = partner.history.order_by("-history_id")[:2]
        assert row.history_user == amina
        assert row.history_change_reason == REVIEWED_REASON
        delta = row.diff_against(before)
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


# -- What the public page says -----------------------------------------------------------------


def test_a_page_nobody_reviewed_says_where_its_text_came_from_and_when_it_was_published(
    client, document
):
    partner = PartnerFactory(source=document, published_on=LOADED_ON)

    html = client.get(partner.get_absolute_url()).content.decode()

    assert '<div class="nhsuk-review-date">' in html
    assert (
        "Text from City and Hackney Neighbourhoods, NHS City and Hackney Clinical Commissioning "
        "Group (About 2019). Published on this site 22 November 2026."
    ) in html
    assert "Page last reviewed" not in html


def test_a_page_a_person_reviewed_says_when(client, document, amina):
    neighbourhood = NeighbourhoodFactory(source=document, published_on=LOADED_ON)
    with on(TODAY):
        pages_mark_reviewed(records=Neighbourhood.objects.filter(pk=neighbourhood.pk), by=amina)

    html = client.get(neighbourhood.get_absolute_url()).content.decode()

    assert '<div class="nhsuk-review-date">' in html
    assert "Page last reviewed: 5 December 2026" in html
    assert "Text from" not in html and "Published on this site" not in html


def test_a_list_page_is_reviewed_once_all_of_it_is_on_its_oldest_day(client, document, amina):
    place = PlaceFactory(published_on=LOADED_ON)
    older, newer = WorkstreamFactory.create_batch(2, place=place, source=document)
    with on(datetime.date(2026, 11, 30)):  # `older` and any other workstream on the page
        pages_mark_reviewed(records=Workstream.objects.exclude(pk=newer.pk), by=amina)

    partly = client.get(reverse("workstreams:list")).content.decode()
    with on(TODAY):
        pages_mark_reviewed(records=Workstream.objects.filter(pk=newer.pk), by=amina)
    wholly = client.get(reverse("workstreams:list")).content.decode()

    assert "Page last reviewed" not in partly
    assert "Text from City and Hackney Neighbourhoods" in partly
    assert "Page last reviewed: 30 November 2026" in wholly


def test_the_wording_names_each_source_once_and_the_earliest_publication():
    sources = [SourceFactory(title=t, publisher="", published="") for t in ("A", "B", "C")]
    records = [
        PartnerOrganisation(source=sources[0], published_on=TODAY),
        PartnerOrganisation(source=sources[0], published_on=LOADED_ON),
        PartnerOrganisation(source=sources[1], published_on=TODAY),
        PartnerOrganisation(source=sources[2], published_on=TODAY),
        PartnerOrganisation(source=None, published_on=TODAY, reviewed_on=TODAY),
    ]

    assert page_review(records).text == (
        "Text from A; B; and C. Published on this site 22 November 2026."
    )
    assert page_review(records[2:4]).text == (
        "Text from B and C. Published on this site 5 December 2026."
    )
    assert page_review(records[4:]).text == "Page last reviewed: 5 December 2026"
    assert PageReview(None, updated_on=TODAY).text == "Page last updated: 5 December 2026"
    assert PageReview(None).text == ""
    assert page_review([]) is None


# -- Pages whose text is in their templates ------------------------------------------------

INFORMATION_PAGES = ["partnership:contact", "partnership:contact-sent",
                     "partnership:accessibility", "partnership:privacy"]  # fmt: skip


@pytest.mark.parametrize("url_name", INFORMATION_PAGES)
def test_a_page_whose_text_is_in_its_template_says_when_it_was_last_updated(client, url_name):
    """Nobody marks the contact, accessibility and privacy pages reviewed (their text is
    code): they say the day their text last changed, and no review."""
    PlaceFactory()  # the contact page names the place's partners
    response = client.get(reverse(url_name))
    day = TEXT_UPDATED_ON[response.templates[0].name]
    html = " ".join(response.content.decode().split())

    assert f"Page last updated: {day_text(day)}" in html
    assert "Page last reviewed" not in html


def git_day(path: Path) -> datetime.date:
    """The day of the last commit that changed `path` (merges aside: they bring changes made
    elsewhere), or today for a file changed and not yet committed."""
    git = ["git", "-C", str(ROOT)]
    if subprocess.run([*git, "diff", "--quiet", "HEAD", "--", str(path)]).returncode:
        return timezone.localdate()
    said = subprocess.run(
        [*git, "log", "-1", "--no-merges", "--format=%cs", "--", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return datetime.date.fromisoformat(said)


def made_of(template: str) -> list[Path]:
    """The template's file and those of the partials it includes, and theirs."""
    path = ROOT / "templates" / template
    included = re.findall(r'{%\s*include\s+"([^"]+)"', path.read_text())
    return [path, *(part for name in included for part in made_of(name))]


def test_each_pages_date_is_the_day_its_text_last_changed():
    """Kept with the text: a template changed without its date fails here, naming it."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs the git history of a checkout")
    shallow = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--is-shallow-repository"],
        capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    if shallow == "true":
        pytest.skip("a shallow clone dates every file by its one commit: needs the history")
    for template, day in TEXT_UPDATED_ON.items():
        changed = max(git_day(path) for path in made_of(template))
        assert day == changed, f"{template}'s text last changed on {changed}: say so in views.py"


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
        row = partner.history.order_by("-history_id").first()
        assert row.history_change_reason == migration.CLEARED and row.history_user is None
    # The loader's date was in the history, so the cleared one shows as a change from it.
    row = by_the_loader.history.order_by("-history_id").first()
    delta = row.diff_against(row.prev_record)
    assert [(c.field, c.old, c.new) for c in delta.changes] == [("reviewed_on", LOADED_ON, None)]
    by_a_person.refresh_from_db()
    assert by_a_person.reviewed_on == datetime.date(2026, 12, 1)
    assert by_a_person.reviewed_by == amina
    assert by_a_person.published_on == datetime.date(2026, 12, 1)  # its first version
    assert (
        by_a_person.history.order_by("-history_id").first().history_change_reason == migration.NAMED
    )
    never.refresh_from_db()
    assert (never.reviewed_on, never.published_on) == (None, TODAY)
    assert never.history.count() == 1  # nothing to record
    assert dict(PartnerOrganisation.objects.values_list("pk", "summary")) == text


# -- Due for review ---------------------------------------------------------------------------


@pytest.fixture
def reviewed_at_different_times(amina):
    def reviewed(day, **fields):
        partner = PartnerFactory(**fields)
        with on(day):
            pages_mark_reviewed(records=PartnerOrganisation.objects.filter(pk=partner.pk), by=amina)
        return partner

    return {
        "never, published later": PartnerFactory(published_on=TODAY),
        "never, published first": PartnerFactory(published_on=LOADED_ON),
        "13 months ago": reviewed(datetime.date(2025, 11, 5)),
        "12 months and a day ago": reviewed(datetime.date(2025, 12, 4)),
        "12 months ago to the day": reviewed(datetime.date(2025, 12, 5)),
        "6 months ago": reviewed(datetime.date(2026, 6, 1)),
    }


def test_pages_never_reviewed_or_reviewed_over_a_year_ago_are_due_oldest_first(
    reviewed_at_different_times,
):
    partners = reviewed_at_different_times

    due = pages_due_for_review([PartnerOrganisation], today=TODAY)

    assert [p for p in due if p in partners.values()] == [
        partners["never, published first"],
        partners["never, published later"],
        partners["13 months ago"],
        partners["12 months and a day ago"],
    ]


def test_the_review_period_is_a_setting(settings, reviewed_at_different_times):
    settings.PORTAL_REVIEW_AFTER_MONTHS = 6
    partners = reviewed_at_different_times

    due = pages_due_for_review([PartnerOrganisation], today=TODAY)

    assert partners["12 months ago to the day"] in due
    assert partners["6 months ago"] in due


def test_a_deleted_neighbourhood_is_not_due_for_review():
    """It has no public page to review; it is in Deleted records instead."""
    from neighbourhoods.services.removal import record_remove

    kept, deleted = NeighbourhoodFactory(), NeighbourhoodFactory()
    record_remove(record=deleted)

    due = pages_due_for_review([Neighbourhood], today=TODAY)

    assert kept in due and deleted not in due
