"""A member of staff resets a forgotten password in Chromium, against the portal as `make run`
serves it: the email (sent by the scheduler, written to a file in the run folder's emails/)
links to the portal's own address, the new password signs in, and an address without an
account is answered the same, with no email. Under the site's Content-Security-Policy."""

import uuid

from playwright.sync_api import expect

from .conftest import give_code, shot
from .test_content_security_policy import violations, watch


def link_in(message, live_url):
    body = message.get_payload(decode=True).decode()
    [link] = [line for line in body.splitlines() if "/admin/password-reset/" in line]
    assert link.startswith(live_url + "/admin/password-reset/"), link
    return link.strip()


def ask_for_a_reset(page, live_url, address, *, screenshots=False):
    page.goto(live_url + "/admin/login/")
    if screenshots:
        shot(page, "admin-sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page).to_have_url(live_url + "/admin/password-reset/")
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Reset my password").click()
    expect(page).to_have_url(live_url + "/admin/password-reset/sent/")
    return page.locator("#content").inner_text()


def set_a_new_password(page, live_url, link, password):
    page.goto(link)
    expect(page).to_have_url(f"{link.rsplit('/', 2)[0]}/set-password/")
    page.get_by_label("New password").fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Change my password").click()
    expect(page).to_have_url(live_url + "/admin/password-reset/done/")


def test_a_forgotten_password_is_reset_by_email_and_the_new_one_signs_in(
    live_url, page, staff_with_email, outbox
):
    username, address, _ = staff_with_email
    problems = watch(page)

    said = ask_for_a_reset(page, live_url, address.upper(), screenshots=True)
    [message] = outbox(address)
    link = link_in(message, live_url)
    new_password = "A-new-one-" + uuid.uuid4().hex[:10]
    set_a_new_password(page, live_url, link, new_password)
    page.get_by_role("link", name="Log in").click()
    page.fill("#id_username", username)
    page.fill("#id_password", new_password)
    page.click("input[type=submit]")
    give_code(page)

    expect(page).to_have_url(live_url + "/admin/")
    assert "if an account exists with the email you entered" in said
    assert violations(page, problems) == []


def test_an_address_without_an_account_is_answered_the_same_and_sent_nothing(
    live_url, page, staff_with_email, outbox
):
    _, address, _ = staff_with_email
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@nhs.example"

    for_nobody = ask_for_a_reset(page, live_url, nobody)
    for_staff = ask_for_a_reset(page, live_url, address)

    assert for_nobody == for_staff
    assert len(outbox(address)) == 1
    assert outbox(nobody, wait=2) == []
