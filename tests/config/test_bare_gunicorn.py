"""gunicorn started alone (without nginx in front), as a deployment might: it must not take
a client's word for the scheme (X-Forwarded-Proto) unless a setting says a proxy is in
front (docs/security.md)."""

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.db import connection

from tests import ROOT

pytestmark = pytest.mark.django_db


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(**env) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    environment = {
        **{k: v for k, v in os.environ.items()
           if k not in ("DJANGO_SECURE_PROXY_SSL_HEADER", "FORWARDED_ALLOW_IPS",
                        "GUNICORN_FORWARDED_ALLOW_IPS")},
        "DATABASE_URL": f"postgis:///{connection.settings_dict['NAME']}",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-test-value-" + "x9Q#" * 12,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "2",
        **env,
    }  # fmt: skip
    server = subprocess.Popen(
        [os.path.join(os.path.dirname(sys.executable), "gunicorn"),
         "config.wsgi", "--config", "config/gunicorn.py", "--bind", f"127.0.0.1:{port}"],
        cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                os.killpg(server.pid, signal.SIGKILL)
                pytest.fail("gunicorn did not start")
            time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def get(url: str, headers: dict) -> tuple[int, dict]:
    """One GET, its redirect not followed."""
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request("GET", parts.path, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status, response.headers
    finally:
        conn.close()


def stop(server: subprocess.Popen):
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


@pytest.mark.parametrize(
    ("header", "value"),
    [("X-Forwarded-Proto", "https"), ("X-Forwarded-Ssl", "on"), ("X-Forwarded-Protocol", "ssl")],
)
def test_bare_gunicorn_does_not_take_a_clients_word_for_https(header, value):
    """Production settings redirect plain HTTP to HTTPS: a client on the same machine that
    claims HTTPS must still be redirected, not answered as if it had come over TLS."""
    server, url = start_gunicorn()
    try:
        status, headers = get(url + "/api/no-such-thing", {header: value})
    finally:
        stop(server)
    assert status == 301
    assert headers["Location"].startswith("https://127.0.0.1")


def test_a_configured_proxy_is_trusted_for_the_scheme():
    """With the setting that says a proxy overwrites X-Forwarded-Proto (as `make run`'s
    nginx does), its word is taken."""
    server, url = start_gunicorn(DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO")
    try:
        status, headers = get(url + "/api/no-such-thing", {"X-Forwarded-Proto": "https"})
    finally:
        stop(server)
    assert status == 404
    assert headers["Strict-Transport-Security"]
