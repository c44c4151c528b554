import hashlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import setup_databases

from tests import ROOT, TEST_DATA
from tests.second_factor import StaffClient

SAMPLE_ONSPD = TEST_DATA / "onspd_sample.csv"

# Every import `make run` runs, in its order, so the test database holds the same real data;
# then a few invented ONSPD postcodes (tests/data/README.md), for terminated postcodes.
IMPORTS = [
    ("load_content", []),
    ("import_boundaries", []),
    ("import_postcodes", []),
    ("import_practices", []),
    ("load_neighbourhood_areas", []),
    ("import_profiles", []),
    ("import_onspd", [str(SAMPLE_ONSPD)]),
]


REAL_DATA_MARKERS = {"realdata", "browser"}


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in item.fixturenames:
            item.add_marker(pytest.mark.browser)
        elif "served_portal" in item.fixturenames:  # the served portal holds the real data
            item.add_marker(pytest.mark.realdata)


# The served portal's own secret (its settings are production's, which require one).
SERVED_SECRET_KEY = "served-portal-test-" + "k3Y!" * 12


def pytest_collection_finish(session):
    """When a selected test needs the served portal, its static files are collected now, in
    the background, while the test database is made and filled: compressing them (gzip and
    brotli, as production serves them) is most of what starting the portal costs, and it
    needs neither the database nor this process."""
    if session.config.option.collectonly:
        return
    if any("served_portal" in item.fixturenames for item in session.items):
        session.config.stash[COLLECTING] = collect_static()


COLLECTING = pytest.StashKey[tuple[subprocess.Popen, Path]]()


# One run's mark that its static files are collected: under pytest-xdist every test process
# starts the same collection, and those after the first find the mark and wait for nothing.
RUN_ID = os.environ.get("PYTEST_XDIST_TESTRUNUID") or uuid.uuid4().hex
COLLECTED_MARK = Path(tempfile.gettempdir()) / f"portal-collectstatic-{RUN_ID}.done"


def collect_static() -> tuple[subprocess.Popen, Path]:
    """`manage.py collectstatic` as scripts/serve.py runs it, started; and its log. One at a
    time (flock), and once a run: two writing the same files at once would corrupt them."""
    log = Path(tempfile.mkdtemp(prefix="collectstatic-")) / "collectstatic.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": SERVED_SECRET_KEY,
    }
    collect = shlex.join([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"])
    mark = shlex.quote(str(COLLECTED_MARK))
    script = f"test -e {mark} || {{ {collect} && touch {mark}; }}"
    checkout = hashlib.sha256(str(ROOT).encode()).hexdigest()[:12]
    lock = str(Path(tempfile.gettempdir()) / f"portal-collectstatic-{checkout}.lock")
    with log.open("w") as out:
        process = subprocess.Popen(
            ["flock", lock, "sh", "-c", script],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, log


def static_collected(config) -> None:
    """Waits for the collectstatic started with the run (or runs one, if none was), and
    fails with its output if it failed."""
    process, log = config.stash.get(COLLECTING, None) or collect_static()
    if process.wait() != 0:
        pytest.fail(f"collectstatic failed for the served portal:\n{log.read_text()}")


def pytest_sessionfinish(session):
    """A collectstatic still running (the run stopped before the portal was served) is
    stopped: the next one collects everything again."""
    if COLLECTING in session.config.stash:
        process = session.config.stash[COLLECTING][0]
        if process.poll() is None:
            process.terminate()
        process.wait()


def needs_real_data(session) -> bool:
    return any(
        marker.name in REAL_DATA_MARKERS for item in session.items for marker in item.iter_markers()
    )


# The database named in the settings, before pytest-django points the connection at the
# test database.
CONFIGURED_DATABASE = settings.DATABASES["default"]["NAME"]


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request):
    """A run of fast tests alone (`-m "not realdata and not browser"`) gets a test database
    of its own that holds no open data, so its tests see only what their factories build
    and it never empties the real-data test database a full run reuses."""
    if not needs_real_data(request.session):
        test = settings.DATABASES["default"].setdefault("TEST", {})
        # Under pytest-xdist, one for each test process (gw0, gw1), as pytest-django names
        # the real data's.
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        test["NAME"] = f"test_{CONFIGURED_DATABASE}_fast" + (f"_{worker}" if worker else "")


@pytest.fixture(scope="session")
def django_db_setup(
    request, django_db_setup, django_db_blocker, django_db_keepdb, django_db_createdb
):
    """Load the real open data once per run (a reused database only checks it is current),
    when a selected test needs it."""
    if not needs_real_data(request.session):
        return
    with django_db_blocker.unblock():
        if connection.settings_dict["NAME"] == CONFIGURED_DATABASE:
            # pytest-django sets up the test database only when a selected test is marked
            # django_db. Browser tests alone read it through the served portal, so set it up
            # for them too, rather than fill the developer's own database.
            setup_databases(
                verbosity=0,
                interactive=False,
                keepdb=django_db_keepdb and not django_db_createdb,
                aliases={"default"},
            )
        require_open_data_folder()
        for command, args in IMPORTS:
            call_command(command, *args, verbosity=0, stdout=StringIO(), stderr=StringIO())
        require_real_data_loaded()


def require_open_data_folder() -> Path:
    """The open data folder the imports read, or a failure that names it: a test that reads
    the real data must never pass, or be skipped, without it."""
    path = Path(settings.PORTAL_DATA_DIR)
    if not path.is_dir():
        pytest.fail(
            f"The open data folder {path} is missing, so the real data cannot be loaded and "
            "the tests marked realdata or browser cannot run. Put the open data there "
            "(../shared/data beside the checkout) or set PORTAL_DATA_DIR; to run only the "
            'fast tests, pass -m "not realdata and not browser".',
            pytrace=False,
        )
    return path


def real_data_counts() -> dict[str, int]:
    """How many rows the test database holds of each kind the real data must fill."""
    from neighbourhoods.models import LocalAuthority, Lsoa, Neighbourhood, Postcode, Practice

    return {
        "postcodes": Postcode.objects.count(),
        "LSOAs": Lsoa.objects.count(),
        "local authorities": LocalAuthority.objects.count(),
        "GP practices": Practice.objects.count(),
        "neighbourhood areas": Neighbourhood.objects.filter(boundary__isnull=False).count(),
    }


def require_real_data_loaded(counts: dict[str, int] | None = None) -> dict[str, int]:
    """The counts of real_data_counts, or a failure naming the kinds the load left empty: a
    test that loops over an empty table would pass without testing anything."""
    counts = real_data_counts() if counts is None else counts
    empty = [name for name, count in counts.items() if count == 0]
    if empty:
        imports = ", ".join(command for command, _ in IMPORTS)
        pytest.fail(
            f"The real data did not load: after the imports ({imports}) read "
            f"{settings.PORTAL_DATA_DIR}, the test database {connection.settings_dict['NAME']} "
            f"holds no {', no '.join(empty)}. Check that the folder holds the open data "
            "(its SOURCES.md lists the files), then run again with --create-db.",
            pytrace=False,
        )
    return counts


@pytest.fixture(autouse=True)
def _real_data_loaded(request):
    """A test marked realdata gets the real data loaded, or fails, even if it asks for no
    database itself."""
    if request.node.get_closest_marker("realdata") or request.node.get_closest_marker("browser"):
        request.getfixturevalue("django_db_setup")


@pytest.fixture
def shared_data() -> Path:
    """The open data folder the imports read (../shared/data unless PORTAL_DATA_DIR says)."""
    return require_open_data_folder()


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def served_run_dir(tmp_path_factory):
    """The served portal's run folder (its --run-dir): sockets, logs, and in emails/ every
    email it sends, one file each, as under `make run`."""
    return tmp_path_factory.mktemp("serve")


@pytest.fixture(scope="session")
def served_portal(request, django_db_setup, served_run_dir):
    """The portal as `make run` serves it (scripts/serve.py: nginx in front of gunicorn,
    production settings), on a free loopback port, over the test database."""
    run_dir = served_run_dir
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis:///{connection.settings_dict['NAME']}",
        "DJANGO_SECRET_KEY": SERVED_SECRET_KEY,
        "GUNICORN_WORKERS": "1",
        # Django's cache in the test database, as in production one cache for every process:
        # a publish made beside the served portal (tests/config/test_served_cache.py) clears
        # what the portal kept, as it would in a deployment.
        "CACHE_URL": "dbcache://portal_cache",
        # No tile server answers here: the map must still show areas and markers.
        "MAP_TILES_URL": "http://127.0.0.1:9/{z}/{x}/{y}.png",
        # Releases uploaded in the browser tests are kept with this run, not the checkout's.
        "PORTAL_RELEASES_DIR": str(run_dir / "releases"),
        # Every browser test sends from 127.0.0.1: at the default 10 an hour, the messages of
        # one process's earlier tests refused its later ones, by the order they ran in. The
        # limit itself is tested in tests/partnership/test_contact.py.
        "PORTAL_CONTACT_RATE_LIMIT": "1000/h",
    }
    # With a replica (`make replica`), the served portal reads the test database's copy on it.
    replica = os.environ.get("DATABASE_REPLICA_URL")
    if replica:
        parts = urllib.parse.urlsplit(replica)
        path = "/" + connection.settings_dict["NAME"]
        env["DATABASE_REPLICA_URL"] = urllib.parse.urlunsplit(parts._replace(path=path))
    static_collected(request.config)
    subprocess.run([sys.executable, "manage.py", "createcachetable"], cwd=ROOT, check=True,
                   env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"})  # fmt: skip
    log = (run_dir / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "scripts/serve.py", "--port", str(port), "--run-dir", str(run_dir),
         "--no-collectstatic"],
        cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/", timeout=2):
                break
        except (OSError, urllib.error.HTTPError):
            if time.monotonic() > deadline or server.poll() is not None:
                os.killpg(server.pid, signal.SIGKILL)
                pytest.fail(f"scripts/serve.py did not start: see {log.name}")
            time.sleep(0.3)
    yield url
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=60)
    log.close()


@pytest.fixture
def client():
    """Django's test client, whose force_login signs staff in with their second factor
    given, as the admin asks (tests/second_factor.py)."""
    return StaffClient()


@pytest.fixture
def staff(db):
    """A member of staff who may do everything in the admin. A module whose tests name the
    user (in history rows, say) defines its own `staff`; staff_client then signs that in."""
    return get_user_model().objects.create_superuser("editor", "editor@example.org", "pw")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
