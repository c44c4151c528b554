"""A preview (Importer.preview, or an import command's --dry-run) reads, checks and saves as the
import does, inside its transaction, then rolls it all back: it says what would change, or
gives the refusal the import would meet, and changes and records nothing."""

import io

import pytest
from django.core.management import CommandError, call_command

from neighbourhoods.importers.base import Importer, SourceFileError
from neighbourhoods.importers.onspd import OnspdImport
from neighbourhoods.models import ImportRun, Practice
from tests import TEST_DATA
from tests.neighbourhoods.importers.ods_releases import (
    BASELINE,
    CLISSOLD_PARK,
    practice,
    write_release,
)
from tests.neighbourhoods.importers.snapshots import table_digests


class OnePractice(Importer):
    """An import that adds one practice, or refuses when asked to."""

    source_name = "test_one_practice"
    primary_kind = "Practices"
    uses_data_dir = False

    def run_import(self, summary, *, refuse=False, **options):
        Practice.objects.create(ods_code="F99999", name="Preview Surgery")
        summary.count("Practices", "added")
        if refuse:
            raise SourceFileError("test.csv, line 2: not a practice.")
        return "Imported one practice"


def test_a_preview_saves_as_the_import_would_then_changes_nothing(borough):
    runs = ImportRun.objects.count()

    preview = OnePractice().preview()

    assert (preview.preview, preview.outcome, preview.run) == (True, "succeeded", None)
    assert preview.heading == (
        "Preview of test_one_practice: nothing has been changed; the import would do this:"
    )
    assert preview.lines == ["Practices: 1 would be added", "Postcode answers: none would change."]
    assert not Practice.objects.filter(ods_code="F99999").exists()
    assert ImportRun.objects.count() == runs  # a preview is not recorded

    done = OnePractice().run()

    assert (done.preview, done.outcome, done.heading) == (
        False,
        "succeeded",
        "Imported one practice",
    )
    assert done.lines == ["Practices: 1 added"]
    assert Practice.objects.filter(ods_code="F99999").exists()
    assert ImportRun.objects.get(source="test_one_practice").outcome == "succeeded"


def test_a_preview_meets_the_refusal_the_import_would_and_records_nothing(borough):
    runs = ImportRun.objects.count()

    preview = OnePractice().run(dry_run=True, refuse=True)

    assert (preview.preview, preview.outcome) == (True, "refused")
    assert preview.message == "test.csv, line 2: not a practice. Nothing was changed."
    assert ImportRun.objects.count() == runs
    assert OnePractice().run(refuse=True).message == preview.message
    assert ImportRun.objects.get(source="test_one_practice").outcome == "refused"


def run_import(**options):
    out = io.StringIO()
    call_command("import_practices", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def test_a_dry_run_of_a_release_changes_no_table(borough, tmp_path):
    run_import(**write_release(tmp_path / "march", BASELINE))
    options = write_release(
        tmp_path / "april",
        [*BASELINE[:2], practice("F90005", "STOKE NEWINGTON HEALTH CENTRE", pcn=CLISSOLD_PARK)],
        month="2026-04",
    )
    before = table_digests()

    output = run_import(**options, dry_run=True)

    assert "Practices: 1 would change, 2 unchanged" in output
    assert "Postcode answers: " in output
    assert table_digests() == before


def test_a_dry_run_of_a_broken_release_is_refused_as_the_import_would_be(borough, tmp_path):
    options = write_release(tmp_path, BASELINE, status_of=lambda p: "OPEN")
    before = table_digests()

    with pytest.raises(CommandError) as preview:
        run_import(**options, dry_run=True)
    assert table_digests() == before
    with pytest.raises(CommandError) as run:
        run_import(**options)

    assert str(preview.value) == str(run.value)
    assert "the status_code 'OPEN' is not one ODS uses" in str(run.value)


def test_a_previews_notes_say_what_would_be_done_not_what_was(borough):
    """The notes under the counts are worded for a preview too: a Data manager reading one
    before applying a release must not be told the answers were worked out again."""
    preview = OnspdImport().preview(file=str(TEST_DATA / "onspd_sample.csv"))
    done = OnspdImport().run(file=str(TEST_DATA / "onspd_sample.csv"))

    assert "1 postcode(s) with no grid reference would be left out." in preview.lines
    assert "Postcodes in each neighbourhood (would change):" in preview.lines
    assert "1 postcode(s) with no grid reference left out." in done.lines
    assert "Postcodes in each neighbourhood:" in done.lines
