"""Abuse and browsers: the API's rate limit, the admin's sign-in lockout, the browser
security headers, Cache-Control, CORS, and the API's JSON error shape (docs/security.md)."""

import itertools
import json
import logging
import os
import re
import subprocess
import sys
import uuid

import pytest
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.test import Client, override_settings

from neighbourhoods.api import middleware as api_middleware
from tests import ROOT
from tests.config.test_server import get

pytestmark = pytest.mark.django_db

# The rate-limit counters are in the real, shared Redis and outlive a test: each test asks
# from addresses nobody else uses, so no test sees another's count.
_addresses = (f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}" for n in itertools.count(
    int.from_bytes(os.urandom(3), "big")))  # fmt: skip


def fresh_ip() -> str:
    return next(_addresses)


def error_of(response) -> dict:
    assert response["Content-Type"].startswith("application/json")
    body = json.loads(response.content)
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    return body["error"]


# The API's rate limit


@pytest.mark.realdata
@override_settings(PORTAL_API_RATE_LIMIT="3/h")
def test_the_api_answers_429_with_retry_after_once_a_client_passes_its_limit(client):
    ip = fresh_ip()
    for _ in range(3):
        assert client.get("/api/postcodes/E81DY", REMOTE_ADDR=ip).status_code == 200
    response = client.get("/api/postcodes/E81DY", REMOTE_ADDR=ip)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    assert error_of(response)["code"] == "rate_limited"
    assert "no-store" in response["Cache-Control"]
    # Another client is answered as before.
    assert client.get("/api/postcodes/E81DY", REMOTE_ADDR=fresh_ip()).status_code == 200


@pytest.mark.realdata
@override_settings(PORTAL_API_RATE_LIMIT="2/h")
def test_the_limit_covers_the_whole_api_but_not_the_pages(client):
    ip = fresh_ip()
    assert client.get("/api/neighbourhoods", REMOTE_ADDR=ip).status_code == 200
    assert client.get("/api/no-such-thing", REMOTE_ADDR=ip).status_code == 404
    assert client.get("/api/practices", REMOTE_ADDR=ip).status_code == 429
    assert client.get("/lookup/?postcode=E8+1DY", REMOTE_ADDR=ip).status_code == 200


@override_settings(PORTAL_API_RATE_LIMIT="2/h", CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_behind_the_proxy_the_client_is_the_address_in_the_configured_header(client):
    proxy, resident, other = "127.0.0.1", fresh_ip(), fresh_ip()
    for _ in range(2):
        client.get("/api/neighbourhoods", REMOTE_ADDR=proxy, HTTP_X_REAL_IP=resident)
    limited = client.get("/api/neighbourhoods", REMOTE_ADDR=proxy, HTTP_X_REAL_IP=resident)
    assert limited.status_code == 429
    # Everyone else behind the same proxy is still answered.
    answer = client.get("/api/neighbourhoods", REMOTE_ADDR=proxy, HTTP_X_REAL_IP=other)
    assert answer.status_code == 200


@override_settings(PORTAL_API_RATE_LIMIT="2/h", CLIENT_IP_HEADER=None)
def test_without_a_configured_header_a_client_cannot_dodge_the_limit_by_sending_one(client):
    ip = fresh_ip()
    for n in range(2):
        client.get("/api/neighbourhoods", REMOTE_ADDR=ip, HTTP_X_REAL_IP=f"192.0.2.{n}")
    again = client.get("/api/neighbourhoods", REMOTE_ADDR=ip, HTTP_X_REAL_IP="192.0.2.99")
    assert again.status_code == 429


def test_the_rate_limit_counter_increments_only_while_its_window_lasts():
    counter = caches["ratelimit"]
    key = f"test-counter-{uuid.uuid4()}"
    assert counter.add(key, 1, 60)
    assert counter.incr(key) == 2
    assert counter.incr(key) == 3
    redis = counter._cache.get_client(write=True)
    assert 0 < redis.ttl(counter.make_and_validate_key(key)) <= 60
    counter.delete(key)  # as when the window's counter expires
    with pytest.raises(ValueError):
        counter.incr(key)
    assert counter.get(key) is None  # not made again without an expiry


def test_the_rate_limit_counts_in_the_shared_redis(client):
    from django.core.cache import caches

    assert settings.CACHES["ratelimit"]["BACKEND"].endswith("RedisCache")
    redis_cache = caches["ratelimit"]
    redis_cache.set("probe", 1, 5)
    assert redis_cache.get("probe") == 1
    assert client.get("/api/neighbourhoods", REMOTE_ADDR=fresh_ip()).status_code == 200


@pytest.mark.realdata
def test_if_redis_is_unreachable_the_api_still_answers_and_says_so_in_the_log(
    client, caplog, monkeypatch
):
    closed = {**settings.CACHES["ratelimit"], "LOCATION": "redis://127.0.0.1:9/0"}
    monkeypatch.setattr(api_middleware, "_last_logged", 0.0)
    with (
        override_settings(CACHES={**settings.CACHES, "ratelimit": closed}),
        caplog.at_level(logging.ERROR, logger="neighbourhoods.api.middleware"),
    ):
        response = client.get("/api/postcodes/E81DY", REMOTE_ADDR=fresh_ip())
    assert response.status_code == 200
    assert json.loads(response.content)["postcode"] == "E8 1DY"
    assert "rate-limit cache cannot be reached" in caplog.text


# The admin's sign-in lockout


@pytest.fixture
def staff_user():
    return get_user_model().objects.create_superuser(
        "casey", "casey@example.org", "correct horse battery staple"
    )


def sign_in(client, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "casey", "password": password},
        **extra,
    )


@override_settings(AXES_FAILURE_LIMIT=5)
def test_the_admin_locks_a_username_and_address_out_after_repeated_failures(client, staff_user):
    for _ in range(4):
        assert sign_in(client, "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, "wrong")
    assert locked.status_code == 429
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert int(locked["Retry-After"]) == 15 * 60
    assert "no-store" in locked["Cache-Control"]

    # The right password is refused too while the lockout lasts...
    refused = sign_in(client, "correct horse battery staple")
    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session

    # ...and works once staff reset it.
    axes_reset(username="casey")
    allowed = sign_in(client, "correct horse battery staple")
    assert allowed.status_code == 302 and allowed["Location"] == "/admin/"


@override_settings(AXES_FAILURE_LIMIT=2, CLIENT_IP_HEADER="HTTP_X_REAL_IP")
def test_the_lockout_is_per_address_from_the_configured_header(client, staff_user):
    attacker, colleague = fresh_ip(), fresh_ip()
    for _ in range(2):
        sign_in(client, "wrong", HTTP_X_REAL_IP=attacker)
    assert (
        sign_in(client, "correct horse battery staple", HTTP_X_REAL_IP=attacker).status_code == 429
    )
    assert (
        sign_in(client, "correct horse battery staple", HTTP_X_REAL_IP=colleague).status_code == 302
    )


@override_settings(
    AXES_FAILURE_LIMIT=5, AXES_ADDRESS_FAILURE_LIMIT=20, CLIENT_IP_HEADER="HTTP_X_REAL_IP"
)
def test_an_address_trying_many_usernames_is_locked_out_too(client, staff_user):
    """The probe's 44 tries over 41 usernames from one address: each username failed once
    or twice, under its own limit, but the address's failures are counted too."""
    attacker, colleague = fresh_ip(), fresh_ip()
    statuses = []
    for n in range(44):
        response = client.post(
            "/admin/login/",
            {"username": f"guess-{n % 41}", "password": "wrong"},
            HTTP_X_REAL_IP=attacker,
        )
        statuses.append(response.status_code)
    assert statuses[:19] == [200] * 19
    assert set(statuses[19:]) == {429}
    # The right password from that address waits too; a colleague elsewhere signs in.
    assert (
        sign_in(client, "correct horse battery staple", HTTP_X_REAL_IP=attacker).status_code == 429
    )
    assert (
        sign_in(client, "correct horse battery staple", HTTP_X_REAL_IP=colleague).status_code == 302
    )


@override_settings(
    AXES_FAILURE_LIMIT=5, AXES_ADDRESS_FAILURE_LIMIT=6, CLIENT_IP_HEADER="HTTP_X_REAL_IP"
)
def test_signing_in_to_ones_own_account_does_not_clear_the_addresss_count(client, staff_user):
    address = fresh_ip()
    for n in range(5):
        client.post(
            "/admin/login/", {"username": f"other-{n}", "password": "wrong"},
            HTTP_X_REAL_IP=address,
        )  # fmt: skip
    assert (
        sign_in(client, "correct horse battery staple", HTTP_X_REAL_IP=address).status_code == 302
    )
    client.post("/admin/logout/")
    assert sign_in(client, "wrong", HTTP_X_REAL_IP=address).status_code == 429


def test_superusers_see_the_sign_in_attempts_in_the_admin(client, staff_user):
    client.force_login(staff_user)
    index = client.get("/admin/")
    assert "Access attempts" in index.content.decode()
    assert client.get("/admin/axes/accessattempt/").status_code == 200


# Security headers and Cache-Control


def nonce_of(response) -> str:
    csp = response["Content-Security-Policy"]
    match = re.search(r"script-src [^;]*'nonce-([^']+)'", csp)
    assert match, csp
    return match.group(1)


@pytest.mark.parametrize("path", ["/", "/lookup/?postcode=E8+1DY", "/neighbourhoods/map/"])
def test_pages_have_a_strict_content_security_policy_with_a_fresh_nonce(client, path):
    first, second = client.get(path), client.get(path)
    csp = first["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    for directive in ("default-src 'none'", "frame-ancestors 'none'", "base-uri 'none'",
                      "object-src 'none'", "form-action 'self'"):  # fmt: skip
        assert directive in csp
    assert re.search(r"style-src [^;]*'nonce-", csp)
    nonce = nonce_of(first)
    assert nonce != nonce_of(second)
    html = first.content.decode()
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)
    assert scripts, "the page has inline scripts to check"
    assert all(f'nonce="{nonce}"' in attributes for attributes in scripts), scripts
    assert " style=" not in html


def test_the_policy_written_once_is_the_one_django_csp_builds(client):
    """config.middleware.CSPMiddleware writes the policy once per process: each answer's
    header must still be exactly what django-csp would build for it."""
    from csp.utils import build_policy

    page = client.get("/")
    assert page["Content-Security-Policy"] == build_policy(nonce=nonce_of(page))
    api = client.get("/api/neighbourhoods", REMOTE_ADDR=fresh_ip())
    assert api["Content-Security-Policy"] == build_policy()  # no nonce asked for
    assert "nonce" not in api["Content-Security-Policy"]
    narrower = {"DIRECTIVES": {"default-src": ["'none'"], "img-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=narrower):
        policy = client.get("/")["Content-Security-Policy"]
    assert set(policy.split("; ")) == {"default-src 'none'", "img-src 'self'"}


def test_the_api_builds_no_session_user_or_messages_the_pages_do(client):
    api = client.get("/api/neighbourhoods", REMOTE_ADDR=fresh_ip())
    assert api.status_code == 200 and not api.cookies
    for attribute in ("session", "user", "_messages"):
        assert not hasattr(api.wsgi_request, attribute)
    page = client.get("/")
    for attribute in ("session", "user", "_messages"):
        assert hasattr(page.wsgi_request, attribute)


def test_pages_send_the_other_browser_security_headers(client):
    response = client.get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy
    assert "camera=()" in policy and "microphone=()" in policy and "payment=()" in policy


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", {"no-cache"}),
        ("/lookup/?postcode=E8+1DY", {"no-cache"}),
        ("/no-such-page/", {"no-cache"}),
        ("/api/postcodes/E81DY", {"public", "max-age=60"}),
        ("/api/openapi.json", {"public", "max-age=60"}),
        ("/api/postcodes/NOTAPOSTCODE", {"no-store"}),
        ("/api/no-such-thing", {"no-store"}),
        ("/admin/login/", {"private", "no-store"}),
    ],
)
@pytest.mark.realdata
def test_every_answer_says_how_long_it_may_be_kept(client, path, expected):
    response = client.get(path, REMOTE_ADDR=fresh_ip())
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert expected <= directives, response["Cache-Control"]


def test_a_page_that_sets_a_csrf_cookie_is_never_stored(client):
    response = client.get("/admin/login/")
    assert "csrftoken" in response.cookies
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


# CORS


def test_the_api_may_be_read_from_any_site(client):
    response = client.get(
        "/api/neighbourhoods", HTTP_ORIGIN="https://example.org", REMOTE_ADDR=fresh_ip()
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cross-Origin-Resource-Policy"] == "cross-origin"


def test_the_api_answers_a_cors_preflight_for_get(client):
    response = client.options(
        "/api/postcodes/E81DY",
        HTTP_ORIGIN="https://example.org",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response["Access-Control-Allow-Methods"]
    assert "POST" not in response["Access-Control-Allow-Methods"]


@pytest.mark.parametrize("path", ["/", "/lookup/?postcode=E8+1DY", "/admin/login/"])
def test_pages_and_the_admin_send_no_cors_headers(client, path):
    response = client.get(path, HTTP_ORIGIN="https://example.org")
    assert not any(h.lower().startswith("access-control-") for h in response.headers)
    preflight = client.options(
        path, HTTP_ORIGIN="https://example.org", HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET"
    )
    assert "Access-Control-Allow-Origin" not in preflight


# Every API status in the API's error shape


def test_400_in_json(client):
    response = client.get("/api/postcodes/NOT-A-POSTCODE!", REMOTE_ADDR=fresh_ip())
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_postcode"


def test_400_for_a_bad_host_in_json(client):
    response = client.get("/api/neighbourhoods", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error_of(response)["code"] == "bad_request"


def test_the_api_needs_no_csrf_token_as_it_uses_no_cookies():
    csrf_client = Client(enforce_csrf_checks=True)
    bulk = csrf_client.post(
        "/api/postcodes", {"postcodes": ["E8 1DY"]}, "application/json", REMOTE_ADDR=fresh_ip()
    )
    assert bulk.status_code == 200
    assert not bulk.cookies
    refused = csrf_client.post("/api/postcodes/E81DY", REMOTE_ADDR=fresh_ip())
    assert refused.status_code == 405
    assert error_of(refused)["code"] == "method_not_allowed"


@pytest.mark.parametrize("path", ["/api/no-such-thing", "/api/postcodes/E8 9ZZ"])
def test_404_in_json(client, path):
    response = client.get(path, REMOTE_ADDR=fresh_ip())
    assert response.status_code == 404
    assert error_of(response)["code"] in {"not_found", "postcode_not_found"}


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_405_in_json_with_the_allowed_methods(client, method):
    response = getattr(client, method)("/api/postcodes/E81DY", REMOTE_ADDR=fresh_ip())
    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_500_in_json(monkeypatch):
    from neighbourhoods import maps

    def broken(**kwargs):
        raise RuntimeError("the map data broke")

    monkeypatch.setattr(maps, "practices_collection", broken)
    response = Client(raise_request_exception=False).get("/api/practices", REMOTE_ADDR=fresh_ip())
    assert response.status_code == 500
    assert error_of(response)["code"] == "server_error"
    assert "the map data broke" not in response.content.decode()


def test_pages_keep_their_html_error_pages():
    csrf_client = Client(enforce_csrf_checks=True)
    refused = csrf_client.post("/lookup/")
    assert refused.status_code == 403
    assert refused["Content-Type"].startswith("text/html")
    missing = csrf_client.get("/no-such-page/")
    assert missing.status_code == 404
    assert "Page not found" in missing.content.decode()


def test_the_openapi_description_lists_the_429_answer(client):
    schema = client.get("/api/openapi.json", REMOTE_ADDR=fresh_ip()).json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert len(operations) == 13  # with the two profile answers
    for operation in operations:
        responses = operation["responses"]
        assert responses["429"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/Error"
        }
        assert "Retry-After" in responses["429"]["headers"]


# Trusting the proxy's HTTPS header


def production_setting(name: str, **env) -> str:
    code = f"from django.conf import settings; print(repr(getattr(settings, {name!r}, None)))"
    environment = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_SECURE_PROXY_SSL_HEADER"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-long-random-test-value-" + "x9Q#" * 12,
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_the_proxy_https_header_is_trusted_only_when_configured():
    assert production_setting("SECURE_PROXY_SSL_HEADER") == "None"
    configured = production_setting(
        "SECURE_PROXY_SSL_HEADER", DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO"
    )
    assert configured == "('HTTP_X_FORWARDED_PROTO', 'https')"


# The real stack: nginx in front of gunicorn


def test_the_served_page_api_and_static_files_carry_the_headers(served_portal):
    status, page, body = get(served_portal + "/")
    assert status == 200
    assert "'nonce-" in page["Content-Security-Policy"]
    assert "unsafe-inline" not in page["Content-Security-Policy"]
    assert "geolocation=(self)" in page["Permissions-Policy"]
    assert page["X-Frame-Options"] == "DENY"
    assert page["Cache-Control"] == "no-cache"
    assert page["Strict-Transport-Security"] is None  # plain HTTP on loopback

    status, api, _ = get(served_portal + "/api/neighbourhoods", {"Origin": "https://example.org"})
    assert status == 200
    assert api["Access-Control-Allow-Origin"] == "*"
    assert api["Cache-Control"] == "public, max-age=60, s-maxage=600"  # a shared cache: 10 min
    assert api["X-Content-Type-Options"] == "nosniff"

    css = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body).group(1).decode()
    status, static, _ = get(served_portal + css)
    assert status == 200
    assert "immutable" in static["Cache-Control"] and "max-age=315360000" in static["Cache-Control"]
    assert static["X-Content-Type-Options"] == "nosniff"
    assert static["Access-Control-Allow-Origin"] is None  # CORS on /api/ only


def test_a_client_cannot_claim_https_or_another_address_through_nginx(served_portal):
    status, headers, _ = get(
        served_portal + "/", {"X-Forwarded-Proto": "https", "X-Real-IP": "203.0.113.9"}
    )
    assert status == 200
    # nginx overwrites X-Forwarded-Proto: the answer is for plain HTTP, so no HSTS.
    assert headers["Strict-Transport-Security"] is None


def test_the_served_api_answers_errors_in_json(served_portal):
    status, headers, body = get(served_portal + "/api/no-such-thing")
    assert status == 404
    assert json.loads(body)["error"]["code"] == "not_found"
    assert headers["Cache-Control"] == "no-store"


def requests_from(address: str, base: str, path: str, count: int) -> list[tuple[int, dict, bytes]]:
    """`count` GETs on one kept-alive connection from a loopback address of its own, so that
    nginx counts them apart from every other test's."""
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    url = urlsplit(base)
    connection = HTTPConnection(url.hostname, url.port, timeout=30, source_address=(address, 0))
    answers = []
    try:
        for _ in range(count):
            connection.request("GET", path)
            response = connection.getresponse()
            answers.append((response.status, dict(response.getheaders()), response.read()))
    finally:
        connection.close()
    return answers


def test_nginx_limits_each_api_client_and_answers_429_in_the_apis_shape(served_portal):
    """`make run` counts the API's limit in nginx (300 a minute, up to 300 more at once):
    past it nginx answers, gunicorn is never asked."""
    answers = requests_from("127.0.0.2", served_portal, "/api/postcodes/E81DY", 320)
    statuses = [status for status, _, _ in answers]
    assert set(statuses[:300]) == {200}  # the burst
    assert 429 in statuses[300:]
    status, headers, body = next(a for a in answers if a[0] == 429)
    assert headers["Content-Type"] == "application/json"
    assert headers["Retry-After"] == "1"
    assert headers["Cache-Control"] == "no-store"
    assert headers["Access-Control-Allow-Origin"] == "*"
    error = json.loads(body)["error"]
    assert error["code"] == "rate_limited"
    assert "300 a minute" in error["message"]
    # Another address is answered as before; the pages are not limited.
    assert requests_from("127.0.0.3", served_portal, "/api/postcodes/E81DY", 1)[0][0] == 200
    assert requests_from("127.0.0.2", served_portal, "/lookup/?postcode=E81DY", 1)[0][0] == 200


def test_nginx_limits_sign_in_attempts_from_each_address(served_portal):
    """Past 20 POSTs at once (and 20 a minute) to the sign-in or second factor's pages from
    one address, nginx answers 429 before gunicorn is asked; the pages themselves are not
    limited, nor is another address."""
    from http.client import HTTPConnection
    from urllib.parse import urlsplit

    url = urlsplit(served_portal)

    def posts(address, path, count):
        connection = HTTPConnection(url.hostname, url.port, timeout=30, source_address=(address, 0))
        answers = []
        try:
            for _ in range(count):
                connection.request("POST", path, body="username=x&password=y", headers={
                    "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
                response = connection.getresponse()
                answers.append((response.status, dict(response.getheaders()), response.read()))
        finally:
            connection.close()
        return answers

    answers = posts("127.0.0.4", "/admin/login/", 21) + posts(
        "127.0.0.4", "/admin/second-factor/", 3
    )
    statuses = [status for status, _, _ in answers]
    assert 429 not in statuses[:21]  # the burst: Django answers (403, no CSRF token)
    assert set(statuses[21:]) == {429}
    _, headers, body = answers[-1]
    assert headers["Retry-After"] == "60"
    assert headers["Cache-Control"] == "no-store"
    assert b"Too many attempts to sign in" in body
    assert requests_from("127.0.0.4", served_portal, "/admin/login/", 1)[0][0] == 200
    assert posts("127.0.0.5", "/admin/login/", 1)[0][0] != 429
