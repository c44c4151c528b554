"""A second factor for every staff account (config/second_factor.py, docs/security.md):
unverified staff are sent to give a code, or to set up an app, from every admin address; a
wrong code is refused; a recovery code works once; a password alone cannot set up a device on
an account that has one."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.second_factor import app_device, code_now

pytestmark = pytest.mark.django_db

PASSWORD = "a long passphrase nobody guesses"


@pytest.fixture
def member():
    return get_user_model().objects.create_superuser("morgan", "morgan@example.org", PASSWORD)


def sign_in(client, next_url="/admin/"):
    return client.post(
        f"/admin/login/?next={quote(next_url)}", {"username": "morgan", "password": PASSWORD}
    )


def admin_paths():
    """Every address under /admin/, with a 1 for each part of it the address takes."""

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    paths = set()
    for route in walk(get_resolver().url_patterns, ""):
        route = route.lstrip("^").rstrip("$").replace("\\Z", "").replace("^", "")
        if not route.startswith("admin/"):
            continue
        route = re.sub(r"<[^>]+>", "1", route)
        route = re.sub(r"\(\?P<[^>]+>[^)]+\)", "1", route)
        paths.add("/" + route.replace("\\", ""))
    return sorted(paths)


ADMIN_PATHS = admin_paths()
# Open to a session with its password alone: signing out, a forgotten password, and the
# second factor's own pages.
OPEN = ("/admin/logout/", "/admin/password-reset/", "/admin/second-factor/")


def test_the_walk_finds_the_admin_and_the_portals_own_admin_pages():
    for expected in [
        "/admin/", "/admin/recent-changes/", "/admin/neighbourhoods/lsoa/",
        "/admin/neighbourhoods/neighbourhood/1/change/", "/admin/auth/user/1/password/",
        "/admin/otp_totp/totpdevice/",
    ]:  # fmt: skip
        assert expected in ADMIN_PATHS
    assert len(ADMIN_PATHS) > 150


@pytest.mark.parametrize("has_device", [True, False], ids=["with an app", "without"])
def test_signed_in_with_a_password_alone_every_admin_address_sends_staff_on(
    client, member, has_device
):
    if has_device:
        app_device(member)
    client.password_only_login(member)
    target = "/admin/second-factor/" if has_device else "/admin/second-factor/enrol/"
    sent_on = []
    for path in ADMIN_PATHS:
        if path.startswith(OPEN):
            continue
        response = client.get(path)
        assert response.status_code == 302, path
        location = response["Location"]
        assert location.split("?")[0] == target, (path, location)
        sent_on.append(path)
        # POSTs too: nothing is changed by a session without its second factor (but
        # signing in again, as the same member of staff or another).
        if path != "/admin/login/":
            assert client.post(path, {}).status_code == 302, path
    assert len(sent_on) > 150


def test_the_admin_site_itself_refuses_a_session_without_the_second_factor(
    client, member, settings
):
    """Even were the middleware gone, the admin would send the session to sign in."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "config.second_factor.SecondFactorMiddleware"
    ]
    client.password_only_login(member)
    response = client.get("/admin/neighbourhoods/neighbourhood/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_password_then_code_signs_in_and_a_wrong_code_is_refused(client, member):
    device = app_device(member)
    response = sign_in(client, "/admin/neighbourhoods/practice/")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert (
        response["Location"] == "/admin/second-factor/?next=%2Fadmin%2Fneighbourhoods%2Fpractice%2F"
    )

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_code"' in html
    field = re.search(r"<input [^>]*id=\"id_code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field
    assert 'inputmode="numeric"' in field
    assert 'aria-describedby="id_code_helptext"' in field
    assert "no-store" in page["Cache-Control"]

    wrong = f"{(int(code_now(device)) + 1) % 1_000_000:06d}"
    refused = client.post(page.request["PATH_INFO"] + "?next=/admin/", {"code": wrong})
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert client.get("/admin/")["Location"].startswith("/admin/second-factor/")

    # Straight after a wrong code, even the right one must wait (django-otp's throttling).
    waiting = client.post("/admin/second-factor/", {"code": code_now(device)})
    assert "Too many wrong codes: wait 1 second" in waiting.content.decode()

    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=5)
    )
    done = client.post(
        "/admin/second-factor/",
        {"code": code_now(device, steps_ahead=1), "next": "/admin/neighbourhoods/practice/"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/admin/neighbourhoods/practice/"
    assert client.get("/admin/neighbourhoods/practice/").status_code == 200


def test_a_code_is_taken_once(client, member):
    device = app_device(member)
    sign_in(client)
    code = code_now(device)
    assert client.post("/admin/second-factor/", {"code": code}).status_code == 302
    client.post("/admin/logout/")
    sign_in(client)
    again = client.post("/admin/second-factor/", {"code": code})
    assert again.status_code == 200


def test_after_the_code_the_next_address_is_the_sites_own(client, member):
    device = app_device(member)
    sign_in(client)
    response = client.post(
        "/admin/second-factor/?next=https://evil.example/", {"code": code_now(device)}
    )
    assert response["Location"] == "/admin/"


def enrol(client):
    """Through the enrolment pages, as a member of staff with no app: the recovery codes."""
    enrolment = client.get("/admin/second-factor/enrol/")
    assert enrolment.status_code == 200
    html = enrolment.content.decode()
    assert 'src="data:image/svg+xml;base64,' in html
    assert 'alt="QR code to add your staff account' in html
    device = TOTPDevice.objects.get(user__username="morgan", confirmed=False)
    secret = re.search(r'<code id="second-factor-key"[^>]*>([A-Z2-7 ]+)</code>', html).group(1)
    assert (
        secret.replace(" ", "")
        == TOTPDevice.objects.get(pk=device.pk).config_url.split("secret=")[1].split("&")[0]
    )
    field = re.search(r"<input [^>]*id=\"id_code\"[^>]*>", html).group(0)
    assert 'autocomplete="one-time-code"' in field and 'inputmode="numeric"' in field

    done = client.post("/admin/second-factor/enrol/?next=/admin/", {"code": code_now(device)})
    assert done.status_code == 302
    assert done["Location"].startswith("/admin/second-factor/recovery-codes/")
    shown = client.get(done["Location"])
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", shown.content.decode())
    assert len(codes) == 10
    # Shown once.
    assert client.get(done["Location"]).status_code == 302
    return codes


def test_staff_without_a_device_set_up_an_app_and_get_ten_recovery_codes_once(client, member):
    sign_in(client)
    assert client.get("/admin/")["Location"] == "/admin/second-factor/enrol/?next=%2Fadmin%2F"
    codes = enrol(client)
    assert TOTPDevice.objects.get(user=member).confirmed
    assert sorted(
        StaticToken.objects.filter(device__user=member).values_list("token", flat=True)
    ) == sorted(codes)
    assert client.get("/admin/").status_code == 200


def test_a_recovery_code_works_once(client, member):
    sign_in(client)
    codes = enrol(client)
    client.post("/admin/logout/")

    sign_in(client)
    page = client.get("/admin/second-factor/recovery-code/")
    field = re.search(r"<input [^>]*id=\"id_code\"[^>]*>", page.content.decode()).group(0)
    assert 'autocomplete="one-time-code"' in field and "inputmode" not in field
    used = client.post("/admin/second-factor/recovery-code/", {"code": codes[0].upper()})
    assert used.status_code == 302 and used["Location"] == "/admin/"
    assert "You have 9 left" in client.get("/admin/").content.decode()
    client.post("/admin/logout/")

    sign_in(client)
    again = client.post("/admin/second-factor/recovery-code/", {"code": codes[0]})
    assert again.status_code == 200
    assert "That code is not right" in again.content.decode()
    assert client.get("/admin/").status_code == 302
    # A recovery code is no code for the app's page.
    assert StaticToken.objects.filter(device__user=member).count() == 9


def test_a_password_alone_cannot_set_up_an_app_on_an_account_that_has_one(client, member):
    app_device(member)
    sign_in(client)
    response = client.get("/admin/second-factor/enrol/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/second-factor/?")
    assert TOTPDevice.objects.filter(user=member).count() == 1


def test_after_a_recovery_code_staff_without_an_app_set_up_a_new_one(client, member):
    """The way back for staff who lost their phone: an administrator removes the app, they
    sign in with a recovery code and set up the new phone."""
    sign_in(client)
    codes = enrol(client)
    client.post("/admin/logout/")
    TOTPDevice.objects.filter(user=member).delete()

    sign_in(client)
    assert client.get("/admin/")["Location"].startswith("/admin/second-factor/?")
    assert client.get("/admin/second-factor/enrol/")["Location"].startswith(
        "/admin/second-factor/?"
    )
    used = client.post("/admin/second-factor/recovery-code/?next=/admin/", {"code": codes[1]})
    assert used["Location"].startswith("/admin/second-factor/enrol/")
    enrol(client)


def test_the_pages_send_anyone_not_signed_in_to_sign_in(client):
    for path in ["/admin/second-factor/", "/admin/second-factor/enrol/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_the_sign_in_page_sends_a_half_signed_in_member_to_the_code(client, member):
    app_device(member)
    client.password_only_login(member)
    response = client.get("/admin/login/?next=/admin/auth/user/")
    assert response["Location"] == "/admin/second-factor/?next=%2Fadmin%2Fauth%2Fuser%2F"


def test_the_admin_shows_no_ones_secret(client, member):
    device = app_device(member)
    client.force_login(member)
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code == 403


# Sessions


@override_settings(SESSION_COOKIE_AGE=8 * 3600)
def test_a_staff_session_ends_after_a_working_day_without_a_request(client, member, settings):
    import time_machine

    assert settings.SESSION_SAVE_EVERY_REQUEST
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client.force_login(member)
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(hours=7))
        assert client.get("/admin/").status_code == 200  # each request moves the end on
        clock.shift(timedelta(hours=7, minutes=50))
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(hours=8, minutes=1))
        assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_staff_sessions_last_eight_hours_by_default():
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_the_server_gives_a_recovery_code_to_an_administrator_who_lost_everything(client, member):
    """README: `manage.py addstatictoken USERNAME`."""
    from io import StringIO

    from django.core.management import call_command

    app_device(member)
    out = StringIO()
    call_command("addstatictoken", "morgan", stdout=out)
    sign_in(client)
    used = client.post("/admin/second-factor/recovery-code/", {"code": out.getvalue().strip()})
    assert used["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
