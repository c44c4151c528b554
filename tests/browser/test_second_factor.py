"""A member of staff sets up the second factor and signs in with it, in Chromium against the
portal as `make run` serves it: enrolment with its QR code and typed key, the recovery codes
shown once, then the code page and the recovery code page at the next sign-in. Each page, and
each with an error, passes axe-core at WCAG 2.2 AA; no Content-Security-Policy violation.
Screenshots go to artifacts/screenshots/."""

import base64
import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import STAFF_PASSWORD, new_page, production_hash, shot, staff_forget
from .test_content_security_policy import in_a_thread, violations, watch


@pytest.fixture
def newcomer(django_db_blocker):
    """A staff account with a password and no authenticator app yet: its first sign-in."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    username = f"new-{uuid.uuid4().hex[:8]}"

    def create():
        user = get_user_model().objects.create_user(username, is_staff=True)
        user.password = production_hash(STAFF_PASSWORD)
        user.save(update_fields=["password"])
        connection.close()

    def remove():
        staff_forget(username)
        connection.close()

    with django_db_blocker.unblock():
        in_a_thread(create)
    yield username
    with django_db_blocker.unblock():
        in_a_thread(remove)


def code_for(key: str, *, steps_ahead: int = 0) -> str:
    """What an authenticator app shows for a key typed from the enrolment page."""
    from django_otp.oath import TOTP

    secret = key.replace(" ", "")
    secret += "=" * (-len(secret) % 8)
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + steps_ahead * totp.step
    return f"{totp.token():06d}"


def password(page, live_url, username):
    page.goto(live_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", STAFF_PASSWORD)
    page.click("input[type=submit]")


def test_a_newcomer_sets_up_an_app_then_signs_in_with_a_code_or_a_recovery_code(
    live_url, browser, newcomer
):
    # The policy is set aside so that axe-core can be added to these pages (which carry no
    # nonce); the same journey is watched for violations under the policy below.
    page = new_page(browser, bypass_csp=True)
    found = {}

    def check(name):
        found[name] = axe_violations(page)

    password(page, live_url, newcomer)
    expect(page).to_have_url(re.compile(r"/admin/second-factor/enrol/"))
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = page.locator("#second-factor-key").inner_text()
    check("enrolment")
    shot(page, "second-factor-enrolment")

    field = page.get_by_label("Code from your authenticator app")
    assert field.get_attribute("autocomplete") == "one-time-code"
    assert field.get_attribute("inputmode") == "numeric"
    field.fill("12345")
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator(".errorlist")).to_be_visible()
    check("enrolment, with an error")
    time.sleep(1.1)  # a wrong code makes the next wait a second

    page.get_by_label("Code from your authenticator app").fill(code_for(key))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page).to_have_url(re.compile(r"/admin/second-factor/recovery-codes/"))
    codes = page.locator(".second-factor-codes code").all_inner_texts()
    assert len(codes) == 10
    check("recovery codes")
    shot(page, "second-factor-recovery-codes")
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page).to_have_url(live_url + "/admin/")
    page.get_by_role("button", name="Log out").click()

    # The next sign-in asks for the code.
    password(page, live_url, newcomer)
    expect(page).to_have_url(re.compile(r"/admin/second-factor/\?"))
    expect(page.get_by_label("Code from your authenticator app")).to_be_focused()
    check("code")
    shot(page, "second-factor-code")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".errorlist")).to_contain_text("not right")
    check("code, with an error")
    shot(page, "second-factor-code-wrong")

    page.get_by_role("link", name=re.compile("use a recovery code")).click()
    check("recovery code")
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(live_url + "/admin/")
    expect(page.get_by_text("You have 9 left")).to_be_visible()
    page.context.close()

    assert found == dict.fromkeys(found, [])


def test_the_second_factor_pages_run_under_the_policy_with_no_violation(live_url, page, newcomer):
    problems = watch(page)
    password(page, live_url, newcomer)
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    key = page.locator("#second-factor-key").inner_text()
    page.get_by_label("Code from your authenticator app").fill(code_for(key))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page).to_have_url(re.compile(r"/admin/second-factor/recovery-codes/"))
    page.get_by_role("link", name=re.compile("continue")).click()
    expect(page).to_have_url(live_url + "/admin/")
    assert violations(page, problems) == []
