"""Django's cache after a publish (config/generation.py): what a request read before the
publish, and stores after its clear, is never served again."""

import datetime

import pytest

from config import generation
from neighbourhoods.api import downloads
from neighbourhoods.importers.base import Importer
from neighbourhoods.services.publishing import caches_clear

pytestmark = pytest.mark.django_db


def test_a_value_worked_out_before_a_publish_and_kept_after_it_is_not_read(
    django_capture_on_commit_callbacks,
):
    token, value = generation.kept("example")
    assert value is None
    with django_capture_on_commit_callbacks(execute=True):
        caches_clear()  # a publish, between the read and the keep
    generation.keep("example", token, "as before the publish", None)
    assert generation.kept("example")[1] is None

    token, _ = generation.kept("example")
    generation.keep("example", token, "as after the publish", None)
    assert generation.kept("example")[1] == "as after the publish"


class CodePointRelease(Importer):
    """A release of Code-Point Open applied, its rows as they were."""

    source_name = "import_postcodes"
    release = datetime.date(2031, 2, 1)

    def run_import(self, summary, **options):
        self.release_date = self.release
        return "Nothing new"


def test_a_download_being_made_while_a_release_is_applied_is_made_again(
    borough, monkeypatch, django_capture_on_commit_callbacks
):
    """The race the never-stale test of the served cache found under load: a request reads
    the rows, the release is applied and clears the cache, and the request then keeps the
    file it made from before the release."""
    read_rows = downloads._live_postcodes_in_area

    def rows_then_a_release():
        rows = read_rows()
        with django_capture_on_commit_callbacks(execute=True):
            assert CodePointRelease().run(run_by="test").outcome == "unchanged"
        return rows

    monkeypatch.setattr(downloads, "_live_postcodes_in_area", rows_then_a_release)
    before = downloads.postcodes_csv_text()
    assert "release date 2031-02-01" not in before
    monkeypatch.setattr(downloads, "_live_postcodes_in_area", read_rows)
    assert "release date 2031-02-01" in downloads.postcodes_csv_text()
