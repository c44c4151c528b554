from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

SAMPLE_ONSPD = Path(__file__).parent / "data" / "onspd_sample.csv"

# Every import `make run` runs, in its order, so the test database holds the same real data;
# then a few invented ONSPD postcodes (tests/data/README.md), for terminated postcodes.
IMPORTS = [
    ("load_content", []),
    ("import_boundaries", []),
    ("import_postcodes", []),
    ("import_practices", []),
    ("load_neighbourhood_areas", []),
    ("import_onspd", [str(SAMPLE_ONSPD)]),
]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the real open data once per run (a reused database only checks it is current)."""
    with django_db_blocker.unblock():
        for command, args in IMPORTS:
            call_command(command, *args, verbosity=0, stdout=StringIO(), stderr=StringIO())


@pytest.fixture
def shared_data() -> Path:
    """The open data folder the imports read (../shared/data unless PORTAL_DATA_DIR says)."""
    path = Path(settings.PORTAL_DATA_DIR)
    if not path.is_dir():
        pytest.fail(f"The open data folder {path} is missing; set PORTAL_DATA_DIR.")
    return path


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
