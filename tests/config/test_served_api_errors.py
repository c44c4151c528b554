"""Errors that nginx or gunicorn answer before Django sees the request keep the API's shape:
under /api/ every status comes as the documented JSON error, {"error": {"code", "message"}},
with the headers the API's own errors carry (docs/security.md). nginx answers a TRACE, a
body over 1 MiB, a URL over 8 kB and a NUL byte in the path itself; gunicorn's limit on the
request line is above nginx's, so nginx answers every URL too long for either.

The stack is `make run`'s (scripts/serve.py's nginx configuration and config/gunicorn.py)
over the fast tests' database: none of these answers reads the data."""

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from http.client import HTTPConnection

import pytest
from django.db import connection

from tests import ROOT
from tests.scripts import load_script

pytestmark = pytest.mark.django_db

# The headers every API error carries, as Django's own API errors do.
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
    "Access-Control-Allow-Origin": "*",
    "Cross-Origin-Resource-Policy": "cross-origin",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(port: int, process: subprocess.Popen, what: str):
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"{what} did not start")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def behind_nginx(django_db_setup, tmp_path_factory):
    """nginx in front of gunicorn, configured as `make run` configures them."""
    serve = load_script("serve")
    run_dir = tmp_path_factory.mktemp("errors")
    port, upstream_port = _free_port(), _free_port()
    env = {
        **serve.production_env(run_dir, "127.0.0.1", port),
        "DATABASE_URL": f"postgis:///{connection.settings_dict['NAME']}",
        "DJANGO_SECRET_KEY": "a-long-random-test-value-" + "x9Q#" * 12,
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        "CACHE_URL": "locmemcache://",
    }
    upstream = f"127.0.0.1:{upstream_port}"
    conf = serve.nginx_conf(run_dir, "127.0.0.1", port, upstream, "300/m")
    processes = []
    try:
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        processes.append(subprocess.Popen(
            [gunicorn, "config.wsgi", "--config", "config/gunicorn.py", "--bind", upstream],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        ))  # fmt: skip
        _wait_for(upstream_port, processes[0], "gunicorn")
        processes.append(subprocess.Popen(
            [serve.nginx_binary(), "-e", "stderr", "-p", str(run_dir), "-c", str(conf),
             "-g", "daemon off;"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,
        ))  # fmt: skip
        _wait_for(port, processes[1], "nginx")
        yield port
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def ask(port: int, method: str, path: str, body: bytes | None = None, headers=None):
    """One request as sent, path and all (http.client does not quote it)."""
    conn = HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for name, value in {"Origin": "https://example.org", **(headers or {})}.items():
            conn.putheader(name, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders()
        if body is not None:
            # nginx may answer and close before the whole body is sent
            with contextlib.suppress(OSError):
                conn.send(body)
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def assert_api_error(status, headers, body, expected_status, code):
    assert status == expected_status, body[:300]
    assert headers["Content-Type"] == "application/json", body[:300]
    error = json.loads(body)["error"]
    assert set(error) == {"code", "message"}
    assert error["code"] == code
    assert error["message"]
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    return error


def test_trace_gets_the_apis_405_with_an_allow_header(behind_nginx):
    answer = ask(behind_nginx, "TRACE", "/api/v1/postcodes/E81DY")
    assert_api_error(*answer, 405, "method_not_allowed")
    assert answer[1]["Allow"] == "GET, HEAD"


def test_a_body_over_a_mebibyte_gets_the_apis_413(behind_nginx):
    body = b'{"postcodes": ["' + b"E8 1DY" * 200_000 + b'"]}'
    answer = ask(behind_nginx, "POST", "/api/v1/postcodes", body,
                 {"Content-Type": "application/json"})  # fmt: skip
    error = assert_api_error(*answer, 413, "request_too_large")
    assert "1 MiB" in error["message"]


@pytest.mark.parametrize("length", [9_000, 20_000])
def test_a_url_longer_than_nginx_reads_gets_the_apis_414(behind_nginx, length):
    path = "/api/v1/postcodes/" + "A" * length
    assert_api_error(*ask(behind_nginx, "GET", path), 414, "uri_too_long")


def test_every_long_url_is_answered_in_the_apis_shape(behind_nginx):
    """gunicorn used to refuse a request line of 4-8 kB itself, in HTML: now nginx passes on
    only what gunicorn reads, and refuses the rest."""
    for length in [5_000, 7_000, *range(8_140, 8_200)]:
        status, headers, body = ask(behind_nginx, "GET", "/api/v1/postcodes/" + "A" * length)
        assert status in (400, 414), (length, body[:300])
        code = "invalid_postcode" if status == 400 else "uri_too_long"
        assert_api_error(status, headers, body, status, code)


@pytest.mark.parametrize(
    "path", ["/api/v1/postcodes/E8%001DY", "/api/%00", "/api/v1/%2e%2e/../%00"]
)
def test_a_nul_byte_in_the_path_gets_the_apis_400(behind_nginx, path):
    assert_api_error(*ask(behind_nginx, "GET", path), 400, "bad_request")


def test_the_pages_keep_their_own_error_answers(behind_nginx):
    """Outside /api/ a browser gets a plain page, not JSON."""
    status, headers, body = ask(behind_nginx, "TRACE", "/")
    assert status == 405
    assert "json" not in headers["Content-Type"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    status, headers, body = ask(behind_nginx, "GET", "/lookup/?postcode=" + "A" * 9_000)
    assert status == 414
    assert "json" not in headers["Content-Type"]


def test_while_gunicorn_is_down_the_api_answers_503_in_its_shape(tmp_path):
    """nginx with no gunicorn behind it: its 502 becomes the API's 503, with when to retry."""
    serve = load_script("serve")
    port = _free_port()
    conf = serve.nginx_conf(tmp_path, "127.0.0.1", port, f"127.0.0.1:{_free_port()}", "300/m")
    nginx = subprocess.Popen(
        [serve.nginx_binary(), "-e", "stderr", "-p", str(tmp_path), "-c", str(conf),
         "-g", "daemon off;"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        _wait_for(port, nginx, "nginx")
        answer = ask(port, "GET", "/api/v1/postcodes/E81DY")
        page = ask(port, "GET", "/")
    finally:
        os.killpg(nginx.pid, signal.SIGTERM)
        nginx.wait(timeout=30)
    assert_api_error(*answer, 503, "unavailable")
    assert answer[1]["Retry-After"] == "30"
    assert page[0] == 503 and b"briefly unavailable" in page[2]


def test_a_header_too_large_gets_the_apis_400(behind_nginx):
    answer = ask(behind_nginx, "GET", "/api/v1/postcodes/E81DY", headers={"X-Big": "a" * 10_000})
    assert_api_error(*answer, 400, "bad_request")
