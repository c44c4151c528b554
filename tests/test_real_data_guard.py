"""The tests marked realdata fail, never pass, when the real open data is not there
(tests/conftest.py): a missing folder, or a load that leaves a table empty."""

import pytest

from tests.conftest import (
    needs_real_data,
    real_data_counts,
    require_open_data_folder,
    require_real_data_loaded,
)

pytestmark = pytest.mark.django_db

LOADED = {"postcodes": 6200, "LSOAs": 155, "local authorities": 33, "GP practices": 40,
          "neighbourhood areas": 8}  # fmt: skip


def test_a_missing_open_data_folder_fails_with_its_name(settings, tmp_path):
    settings.PORTAL_DATA_DIR = tmp_path / "no-such-folder"
    with pytest.raises(pytest.fail.Exception) as failed:
        require_open_data_folder()
    message = str(failed.value)
    assert f"The open data folder {tmp_path / 'no-such-folder'} is missing" in message
    assert "PORTAL_DATA_DIR" in message


def test_an_open_data_folder_that_is_there_is_used(settings, tmp_path):
    settings.PORTAL_DATA_DIR = tmp_path
    assert require_open_data_folder() == tmp_path


def test_a_load_that_leaves_tables_empty_fails_naming_them():
    with pytest.raises(pytest.fail.Exception) as failed:
        require_real_data_loaded({**LOADED, "postcodes": 0, "LSOAs": 0})
    message = str(failed.value)
    assert "The real data did not load" in message
    assert "holds no postcodes, no LSOAs." in message
    assert "GP practices" not in message


def test_a_load_that_fills_every_table_passes():
    assert require_real_data_loaded(dict(LOADED)) == LOADED


def test_this_runs_database_is_checked_as_the_real_data_tests_would_check_it(request):
    """A fast run's own database holds no open data, so the check refuses it; a run with
    the real data loaded passes it."""
    if needs_real_data(request.session):
        counts = require_real_data_loaded()
        assert min(counts.values()) > 0
    else:
        assert set(real_data_counts().values()) == {0}
        with pytest.raises(pytest.fail.Exception, match="holds no postcodes, no LSOAs"):
            require_real_data_loaded()
