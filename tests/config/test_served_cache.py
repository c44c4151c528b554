"""The shared cache under `make run` (Varnish between nginx and gunicorn): cached answers are
the uncached ones, headers included; the rate limit counts a hit; and once a publish returns,
no client is given what it replaced (never stale). On the real data, through the served
portal."""

import http.client
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import pytest
from django.db import connection
from django.db.models import Count, Q

from neighbourhoods.models import Lsoa, Neighbourhood, Practice
from tests import ROOT

pytestmark = pytest.mark.django_db

# Headers that say how an answer was served, not what it is.
HOW_SERVED = {"date", "age", "x-cache", "connection", "keep-alive"}


class Client:
    """One keep-alive connection from its own loopback address: nginx counts the rate limit
    per address, so each reader here has a limit of its own."""

    def __init__(self, url: str, address: str = "127.0.0.1"):
        parts = urlsplit(url)
        self.connection = http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=30, source_address=(address, 0)
        )

    def get(self, path: str, headers: dict | None = None):
        self.connection.request("GET", path, headers=headers or {})
        response = self.connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()


def test_a_cached_answer_is_the_uncached_one_headers_and_cors_included(served_portal):
    client = Client(served_portal, "127.0.0.11")
    path = "/api/v1/postcodes/" + quote("E8 1DY")
    for headers in ({}, {"Origin": "https://example.org"}):
        answers = [client.get(path + "?cors" * bool(headers), headers) for _ in range(3)]
        (s1, h1, b1), (s2, h2, b2), (_, h3, _) = answers
        assert s1 == s2 == 200 and b1 == b2
        assert h2["x-cache"] == "HIT" and h3["x-cache"] == "HIT"
        assert {k: v for k, v in h1.items() if k not in HOW_SERVED} == {
            k: v for k, v in h2.items() if k not in HOW_SERVED
        }
        assert "xkey" not in h2  # the keys are the cache's own
        for name in ("content-security-policy", "x-content-type-options", "x-frame-options",
                     "cross-origin-resource-policy", "referrer-policy"):  # fmt: skip
            assert name in h2
    assert h2["access-control-allow-origin"] == "*"


def test_pages_and_the_admin_are_never_kept(served_portal):
    client = Client(served_portal, "127.0.0.12")
    for path in ("/", "/lookup/?postcode=E8+1DY", "/admin/login/"):
        for _ in range(2):
            status, headers, _ = client.get(path)
        assert headers["x-cache"] == "MISS", path


def test_the_rate_limit_counts_answers_from_the_cache(served_portal):
    """nginx counts every request before the cache sees it: 300 at once, then 5 a second."""
    client = Client(served_portal, "127.0.0.13")
    path = "/api/v1/postcodes/" + quote("E8 1DY")
    statuses = [client.get(path)[0] for _ in range(450)]
    assert statuses.count(200) < 450 and 429 in statuses
    assert statuses[:300].count(200) == 300  # the burst, nearly all from the cache


def purge_url(served_run_dir) -> str:
    return (served_run_dir / "cache_purge_url").read_text().strip()


# Each publish as staff would make it, committed in a process of its own that purges the
# served cache; it prints when it started and when it returned (its commit and purge both
# before that).
PUBLISH = """
import json, sys, time
from neighbourhoods.models import Neighbourhood, Practice
from neighbourhoods.services.moves import lsoas_move
kind, pk, value = sys.argv[-3:]
started = time.time()
if kind == "move":
    to = Neighbourhood.objects.get(pk=int(value))
    lsoas_move(lsoa_ids=[int(pk)], neighbourhood=to, reason="never-stale test")
elif kind == "rename":
    practice = Practice.objects.get(pk=int(pk))
    practice.name = value
    practice.save()
elif kind == "release":  # a release of Code-Point Open applied, its rows as they were
    import datetime
    from neighbourhoods.importers.base import Importer

    class Release(Importer):
        source_name = "import_postcodes"

        def run_import(self, summary, **options):
            self.release_date = datetime.date.fromisoformat(value)
            return "Nothing new"

    assert Release().run(run_by="never-stale test").outcome == "unchanged"
print(json.dumps({"started": started, "returned": time.time()}))
"""


def publish(kind: str, pk: int, value, purge: str) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis:///{connection.settings_dict['NAME']}",
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "CACHE_URL": "dbcache://portal_cache",  # the served portal's (tests/conftest.py)
        "PORTAL_CACHE_PURGE_URLS": purge,
    }
    if os.environ.get("DATABASE_REPLICA_URL"):  # the replica's copy of the test database
        parts = urlsplit(os.environ["DATABASE_REPLICA_URL"])
        env["DATABASE_REPLICA_URL"] = urlunsplit(parts._replace(path=env["DATABASE_URL"][10:]))
    result = subprocess.run(
        [sys.executable, "-c", "import sys, django; django.setup(); exec(sys.argv[1])", PUBLISH,
         kind, str(pk), str(value)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def read_through(served_portal, paths, change, undo, what, readers=6, as_json=True):
    """Readers, each from its own address, ask for the paths round and round through the
    cache while `change` publishes; every answer's `what` (the part the change changes) is
    recorded with when its request was sent. Returns the answers and the publish's times."""
    seen = []  # (sent, received, what) for every answer
    stop = threading.Event()

    def read(n: int):
        client = Client(served_portal, f"127.0.0.{20 + n}")
        i = n
        while not stop.is_set():
            sent = time.time()
            status, _, body = client.get(paths[i % len(paths)])
            if status == 200:
                seen.append(
                    (sent, time.time(), what(json.loads(body) if as_json else body.decode()))
                )
            i += 1
            time.sleep(0.04)  # 25 a second a reader: within each address's limit

    threads = [threading.Thread(target=read, args=(n,)) for n in range(readers)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)  # every path read, and kept by the cache
        published = change()
        time.sleep(2.0)
    finally:
        stop.set()
        for thread in threads:
            thread.join()
        undo()  # as it was
    return seen, published


def assert_never_stale(seen, published, old, new, capsys, label):
    started, returned = published["started"], published["returned"]
    early = [s for s in seen if s[1] < started]
    during = [s for s in seen if started <= s[0] <= returned]
    late = [s for s in seen if s[0] > returned]
    assert early and all(s[2] == old for s in early)
    assert len(late) >= 50, f"only {len(late)} answers read after the publish returned"
    stale = [s for s in late if s[2] != new]
    assert not stale, f"{len(stale)} of {len(late)} answers after the publish were stale"
    with capsys.disabled():
        print(
            f"\nnever stale, {label}: {len(seen)} answers, {len(early)} before the publish"
            f" began, {len(during)} sent while it ran ({returned - started:.2f} s,"
            f" {sum(s[2] == old for s in during)} of them the old answer),"
            f" {len(late)} after it returned, none stale"
        )


def lsoa_with_postcodes():
    return (
        Lsoa.objects.filter(neighbourhood__isnull=False)
        .annotate(live=Count("postcode", filter=Q(postcode__terminated=False)))
        .filter(live__gte=10)
        .select_related("neighbourhood")
        .order_by("code")
        .first()
    )


def postcode_paths(lsoa) -> list[str]:
    postcodes = lsoa.postcode_set.filter(terminated=False).values_list("postcode", flat=True)
    return ["/api/v1/postcodes/" + quote(p) for p in list(postcodes)[:20]]


def test_once_a_move_is_published_no_client_gets_the_old_neighbourhood(
    served_portal, served_run_dir, capsys
):
    lsoa = lsoa_with_postcodes()
    before = lsoa.neighbourhood
    after = Neighbourhood.objects.exclude(pk=before.pk).filter(removed_at__isnull=True).first()
    purge = purge_url(served_run_dir)
    seen, published = read_through(
        served_portal,
        postcode_paths(lsoa),
        change=lambda: publish("move", lsoa.pk, after.pk, purge),
        undo=lambda: publish("move", lsoa.pk, before.pk, purge),
        what=lambda body: (body["neighbourhood"] or {}).get("slug"),
    )
    assert_never_stale(seen, published, before.slug, after.slug, capsys, "an LSOA moved")


def test_once_a_practice_is_renamed_no_client_gets_its_old_name(
    served_portal, served_run_dir, client, capsys
):
    lsoa = lsoa_with_postcodes()
    paths = postcode_paths(lsoa)
    nearest = client.get(paths[0]).json()["practices"][0]
    practice = Practice.objects.get(ods_code=nearest["ods_code"])
    old, new = practice.name, practice.name + " (renamed)"
    purge = purge_url(served_run_dir)
    paths = [  # the postcodes whose answers name it
        path for path in paths
        if any(p["ods_code"] == practice.ods_code for p in client.get(path).json()["practices"])
    ]  # fmt: skip

    def names(body):  # whether the answer names the practice by its old name or its new
        found = {p["name"] for p in body["practices"] if p["ods_code"] == practice.ods_code}
        return next(iter(found), None)

    seen, published = read_through(
        served_portal,
        paths,
        change=lambda: publish("rename", practice.pk, new, purge),
        undo=lambda: publish("rename", practice.pk, old, purge),
        what=names,
    )
    assert_never_stale(seen, published, old, new, capsys, "a practice renamed")


def codepoint_release(text: str) -> str | None:
    """The release date of Code-Point Open the postcodes download names."""
    for line in text.splitlines():
        if line.startswith("# OS Code-Point Open:"):
            return line.rsplit("release date ", 1)[1].rstrip(".")
    return None


def test_once_a_release_is_applied_no_client_gets_the_old_release(
    served_portal, served_run_dir, capsys
):
    path = "/api/v1/postcodes.csv"
    status, _, body = Client(served_portal, "127.0.0.15").get(path)
    assert status == 200
    old = codepoint_release(body.decode())
    new = "2031-02-01"
    assert old and old != new
    purge = purge_url(served_run_dir)
    seen, published = read_through_text(
        served_portal,
        [path],
        change=lambda: publish("release", 0, new, purge),
        undo=lambda: publish("release", 0, old if old != "not imported" else "2020-01-01", purge),
        what=codepoint_release,
    )
    assert_never_stale(seen, published, old, new, capsys, "a release applied")


def read_through_text(served_portal, paths, change, undo, what):
    return read_through(served_portal, paths, change, undo, what, as_json=False)


def test_a_practice_edit_purges_the_answers_naming_it_and_keeps_the_rest(
    served_portal, served_run_dir, client
):
    """Through the real cache: once a practice's edit is published, the answers that name it
    are fetched afresh (a MISS), while a neighbourhood's answer that does not name it is
    still the cache's (a HIT)."""
    lsoa = lsoa_with_postcodes()
    path = postcode_paths(lsoa)[0]
    ods_code = client.get(path).json()["practices"][0]["ods_code"]
    practice = Practice.objects.get(ods_code=ods_code)
    other = (
        Neighbourhood.objects.filter(removed_at__isnull=True)
        .exclude(memberships__practice=practice)
        .order_by("slug")
        .first()
    )
    unrelated = f"/api/v1/neighbourhoods/{other.slug}"
    reader = Client(served_portal, "127.0.0.16")
    for url in (path, unrelated, path, unrelated):  # each kept
        assert reader.get(url)[0] == 200
    assert reader.get(path)[1]["x-cache"] == "HIT"
    assert reader.get(unrelated)[1]["x-cache"] == "HIT"
    purge = purge_url(served_run_dir)
    old = practice.name
    try:
        publish("rename", practice.pk, old + " (edited)", purge)
        status, headers, body = reader.get(path)
        assert status == 200 and headers["x-cache"] == "MISS"
        assert old + " (edited)" in {p["name"] for p in json.loads(body)["practices"]}
        assert reader.get(unrelated)[1]["x-cache"] == "HIT"  # not purged
    finally:
        publish("rename", practice.pk, old, purge)


# Last in this module: it stops the served portal's Varnish for the rest of the run, which
# the other served tests pass without (nginx goes to gunicorn).
def test_a_cache_that_is_down_changes_nothing_but_speed(served_portal, served_run_dir, capsys):
    work = str((served_run_dir / "varnish").resolve())
    varnish = {
        int(p.name) for p in Path("/proc").iterdir()
        if p.name.isdigit() and _cmdline(p).startswith("/usr/sbin/varnishd") and work in _cmdline(p)
    }  # fmt: skip
    # Its manager (whose child, the cache, it would start again if the child alone stopped).
    (pid,) = [p for p in varnish if _parent(p) not in varnish]
    client = Client(served_portal, "127.0.0.14")
    path = "/api/v1/postcodes/" + quote("E8 1DY")
    status, cached, body = client.get(path)
    assert status == 200
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 20
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    for _ in range(3):
        client = Client(served_portal, "127.0.0.14")
        status, headers, again = client.get(path)
        assert status == 200 and again == body
        assert "x-cache" not in headers  # from gunicorn, through nginx alone
        assert {k: v for k, v in headers.items() if k not in HOW_SERVED} == {
            k: v for k, v in cached.items() if k not in HOW_SERVED | {"accept-ranges"}
        }
    # A publish whose purge cannot reach the cache still publishes, and logs it.
    lsoa = lsoa_with_postcodes()
    published = publish("move", lsoa.pk, lsoa.neighbourhood.pk, purge_url(served_run_dir))
    assert published["returned"] >= published["started"]


def _cmdline(proc: Path) -> str:
    try:
        return (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
