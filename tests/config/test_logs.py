"""What the logs keep is what the privacy notice says: nginx's access log (`make run`) holds
the time, the method, the path without its query, the status, the size and the time taken,
and the client's network, not its address; no browser. nginx's error log holds faults alone,
never a request refused by a rate limit. Each is one file a day, deleted after
PORTAL_ACCESS_LOG_DAYS days. gunicorn keeps no access log, and Django's request log names
the path alone."""

import datetime
import logging
import os
import runpy
import time
import urllib.error
import urllib.request

import pytest

from tests import ROOT
from tests.scripts import load_script

serve = load_script("serve")


# -- Rotation and retention (scripts/serve.py) ----------------------------------------------


@pytest.mark.parametrize("name", ["access.log", "error.log"])
def test_a_days_log_is_moved_aside_and_deleted_after_its_days(tmp_path, name):
    today = datetime.date(2026, 12, 5)
    for days_ago in range(20):
        day = today - datetime.timedelta(days=days_ago + 1)
        (tmp_path / f"{name}.{day.isoformat()}").write_text("x\n")
    (tmp_path / f"{name}.2026-11-01.1").write_text("x\n")
    (tmp_path / f"{name}.not-a-day").write_text("x\n")
    (tmp_path / "other.log.2026-11-01").write_text("x\n")
    (tmp_path / name).write_text("today\n")

    serve.logs_expire(tmp_path, today, 14)

    kept = sorted(p.name for p in tmp_path.glob(f"{name}.*"))
    assert kept[0] == f"{name}.2026-11-22", "14 days, today's included"
    assert f"{name}.2026-11-21" not in kept and f"{name}.2026-11-01.1" not in kept
    assert f"{name}.not-a-day" in kept, "only the logs it names by day are its to delete"
    assert (tmp_path / "other.log.2026-11-01").exists(), "nor another program's"
    assert (tmp_path / name).read_text() == "today\n"


@pytest.mark.parametrize("name", ["access.log", "error.log"])
def test_a_log_left_from_an_earlier_day_is_that_days_at_start(tmp_path, name):
    log = tmp_path / name
    log.write_text("old\n")
    written = datetime.datetime(2026, 12, 1, 15, 0).timestamp()
    os.utime(log, (written, written))
    (tmp_path / f"{name}.2026-12-01").write_text("earlier\n")

    serve.logs_keep(tmp_path, datetime.date(2026, 12, 5), 14)

    assert not log.exists()
    assert (tmp_path / f"{name}.2026-12-01").read_text() == "earlier\n"
    assert (tmp_path / f"{name}.2026-12-01.1").read_text() == "old\n"
    serve.logs_keep(tmp_path, datetime.date(2026, 12, 15), 14)
    assert not list(tmp_path.glob(f"{name}.2026-12-01*"))


def test_at_midnight_both_logs_become_the_days(tmp_path):
    (tmp_path / "access.log").write_text("requests\n")
    (tmp_path / "error.log").write_text("faults\n")

    kept = serve.logs_rotate(tmp_path, datetime.date(2026, 12, 5))

    assert sorted(p.name for p in kept) == ["access.log.2026-12-05", "error.log.2026-12-05"]
    assert (tmp_path / "error.log.2026-12-05").read_text() == "faults\n"
    assert not (tmp_path / "access.log").exists() and not (tmp_path / "error.log").exists()


def test_the_days_kept_must_be_a_number(monkeypatch):
    monkeypatch.setenv("PORTAL_ACCESS_LOG_DAYS", "a week")
    with pytest.raises(SystemExit):
        serve.access_log_days()
    monkeypatch.setenv("PORTAL_ACCESS_LOG_DAYS", "7")
    assert serve.access_log_days() == 7
    monkeypatch.delenv("PORTAL_ACCESS_LOG_DAYS")
    assert serve.access_log_days() == serve.DEFAULT_ACCESS_LOG_DAYS == 14


def test_the_log_format_names_no_query_address_or_browser():
    template = (ROOT / "config" / "nginx.conf.template").read_text()
    log_format = template[template.index("log_format portal") :]
    log_format = log_format[: log_format.index(";")]
    for kept_out in ["$remote_addr", "$request ", '$request"', "$request_uri", "$args",
                     "$query_string", "$http_user_agent", "$http_referer", "$uri"]:  # fmt: skip
        assert kept_out not in log_format
    assert "$client_network" in log_format and "$path_without_query" in log_format


# nginx's levels, least severe first.
LEVELS = ["debug", "info", "notice", "warn", "error", "crit", "alert", "emerg"]


def directives(name: str) -> list[list[str]]:
    template = (ROOT / "config" / "nginx.conf.template").read_text()
    lines = (line.split("#", 1)[0].strip() for line in template.splitlines())
    return [line.rstrip(";").split()[1:] for line in lines if line.split()[:1] == [name]]


def test_the_error_log_is_a_file_of_the_run_folders_that_no_refused_request_reaches():
    [(where, level)] = directives("error_log")
    assert where == "@RUN_DIR@/error.log"  # rotated and deleted with the access log
    assert LEVELS.index(level) >= LEVELS.index("warn")
    # A request refused by a rate limit is logged beneath the error log's level: not at all.
    for name in ("limit_req_log_level", "limit_conn_log_level"):
        for (refused,) in directives(name):
            assert LEVELS.index(refused) < LEVELS.index(level), name
    assert directives("limit_req_log_level"), "nginx's default for it is error: written"
    if directives("limit_conn"):
        assert directives("limit_conn_log_level")


@pytest.mark.django_db
def test_the_privacy_notice_says_what_the_error_log_keeps_and_for_how_long(client, settings):
    settings.PORTAL_ACCESS_LOG_DAYS = 9
    page = " ".join(client.get("/privacy/").content.decode().split())
    notice = page[page.index('id="error-log"') :]
    notice = notice[: notice.index("</p>")]
    for said in ["full internet address", "the request in full", "postcode",
                 "deleted after 9 days", "too many requests"]:  # fmt: skip
        assert said in notice, said


# -- gunicorn and Django ---------------------------------------------------------------------


def test_gunicorn_keeps_no_access_log():
    config = runpy.run_path(str(ROOT / "config" / "gunicorn.py"))
    assert config["accesslog"] is None


@pytest.mark.django_db
def test_djangos_request_log_names_the_path_never_the_postcode(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        client.get("/lookup/", {"postcode": "<b>E8 1DY"})
        client.get("/no-such-page/", {"postcode": "E8 1DY", "lat": "51.5"})
        client.get("/api/v1/postcodes/ZZ99 9ZZ")  # the API's postcode is in its path
        client.get("/api/v1/postcodes/E8<b>1DY")
    assert len(caplog.records) >= 3, "the 400s and the page's 404 are logged"
    for record in caplog.records:
        text = record.getMessage()
        assert "E8" not in text and "ZZ99" not in text and "postcode=" not in text
        assert "lat=" not in text
    said = [record.getMessage() for record in caplog.records]
    assert "Bad Request: /api/v1/postcodes/{postcode}" in said


# -- The served portal, as `make run` runs it ------------------------------------------------


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def wait_for_log(log, *requests: tuple[str, int], after: int = 0) -> str:
    """The access log from character `after`, once that part holds each request line (the
    start of it, "GET /path ") as many times as asked. Each nginx worker writes its own
    buffer at least every 5 s, so lines need not arrive in the order they were answered."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        text = (log.read_text() if log.exists() else "")[after:]
        if all(text.count(f'"{line}') >= times for line, times in requests):
            return text
        time.sleep(0.5)
    pytest.fail(f"{requests} were not all logged:\n{text[-2000:]}")


def test_the_access_log_keeps_only_what_the_notice_declares(served_portal, served_run_dir):
    marker = f"/lookup/?postcode=E8+1DY&check={time.monotonic_ns()}"
    browser = {"User-Agent": "ResidentsBrowser/1.0 (test)", "Referer": "http://x.example/r"}
    log = served_run_dir / "access.log"
    # The served portal is the whole run's: read only what this test's requests add.
    fetch(served_portal + "/no-such-page/before", browser)
    seen = wait_for_log(log, ("GET /no-such-page/before ", 1))
    fetch(served_portal + marker, browser)
    fetch(served_portal + "/lookup/?lat=51.54200&lon=-0.06100", browser)
    fetch(served_portal + "/api/v1/postcodes/E5%200LL?on=2026-01-01", browser)
    fetch(served_portal + "/api/v1/postcodes/ZZ99%209ZZ", browser)
    fetch(served_portal + "/no-such-page/?postcode=N16+7EA", browser)
    asked_for = [("GET /lookup/ ", 2), ("GET /api/v1/postcodes/{postcode} ", 2),
                 ("GET /no-such-page/ ", 1)]  # fmt: skip
    text = wait_for_log(log, *asked_for, after=len(seen))
    asked = ("/lookup/", "no-such-page", "/api/v1/postcodes/")
    lines = [line for line in text.splitlines() if any(path in line for path in asked)]
    assert lines
    for line in lines:
        assert "?" not in line and "postcode=" not in line and "E8" not in line
        assert "E5" not in line and "0LL" not in line and "ZZ99" not in line
        assert "lat" not in line and "51.542" not in line and "N16" not in line
        assert "ResidentsBrowser" not in line and "x.example" not in line
        assert line.startswith("127.0.0.0 ["), line  # 127.0.0.1 with its last part zeroed
        assert "127.0.0.1" not in line
    assert any('"GET /lookup/ HTTP/1.1" 200 ' in line for line in lines)
    assert any('"GET /no-such-page/ HTTP/1.1" 404 ' in line for line in lines)
    # The API's postcode, in its path, is kept out as its query is.
    api = [line for line in lines if '"GET /api/v1/postcodes/{postcode} HTTP/1.1" ' in line]
    assert len(api) >= 2, lines  # (an earlier test's lines may come in a later buffer)


def test_requests_refused_by_the_rate_limit_leave_no_trace_in_the_error_log(
    served_portal, served_run_dir
):
    """Past the API's limit from one address, nginx answers 429 and writes no line of it (a
    line that would carry the client's full address and its request, query and all),
    anywhere nginx writes: its error log, and the terminal, which the served portal's
    serve.log holds. (A request that does reach the application is still written there if
    something goes wrong with it: while the cache is down, say, as another test makes it.)"""
    from tests.config.test_security import requests_from

    address = "127.0.0.61"  # an address of its own: its own count, and easy to find
    used_up = requests_from(address, served_portal, "/api/v1/postcodes/E81DY", 330)
    assert 429 in [status for status, _, _ in used_up]
    # Then each refused request asks for a point of its own, so each can be looked for.
    asked = [f"lat=51.5{4000 + n}&lon=-0.06117" for n in range(20)]
    refused = [
        where
        for where in asked
        if requests_from(address, served_portal, f"/api/v1/points?{where}", 1)[0][0] == 429
    ]
    assert len(refused) >= 10, "the limit, once used up, refuses what comes at once after"
    time.sleep(1)  # the error log is not buffered
    logs = [served_run_dir / "error.log", served_run_dir / "serve.log"]
    assert logs[0].exists(), "nginx's error log is a file of the run folder"
    for log in logs:
        text = log.read_text()
        assert "limiting requests" not in text, log.name
        assert not [where for where in refused if where in text], log.name
