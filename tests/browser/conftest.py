"""Browser tests: Debian's Chromium, driven by Playwright, against the portal as `make run`
serves it: nginx in front of gunicorn, with the production settings (WhiteNoise, compressed
static files), on the test database that tests/conftest.py filled with the real open data.
Every request the browser makes to anywhere but this machine is refused (NOWHERE), and the
map's tile server is set to a closed local port, as when no tile server can be reached.
"""

import email
import functools
import re
import secrets
import time
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium sends every request for another host to a proxy at a closed local port, so it
# refuses them itself. (A Playwright route did it before, with a round trip to Python for
# every request of every page: about half of each page's load time.)
NOWHERE = {"server": "http://127.0.0.1:9", "bypass": "127.0.0.1,localhost"}
ARTIFACTS = ROOT / "artifacts"
# A neighbourhood page's table of its practices, by its caption: the profile below it has
# tables of its own, one of them naming the practices too.
PRACTICES_TABLE = re.compile(r"^GP practices in ")
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


@pytest.fixture(scope="session")
def live_url(served_portal):
    """The portal as `make run` serves it (see tests/conftest.py)."""
    return served_portal


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make install` installs Debian's chromium.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, proxy=NOWHERE
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def visits(live_url, browser):
    """Each public page, visited once on a desktop for all the tests that look at it
    (visits.py). The served portal comes first: Django's database calls are refused once
    Playwright's loop runs on this thread."""
    from .visits import Visits

    return Visits(browser, live_url)


def new_page(browser, *, viewport=DESKTOP, javascript=True, bypass_csp=False):
    context = browser.new_context(
        viewport=viewport, java_script_enabled=javascript, bypass_csp=bypass_csp
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def page(browser):
    page = new_page(browser)
    yield page
    page.context.close()


@pytest.fixture
def page_without_js(browser):
    page = new_page(browser, javascript=False)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser):
    page = new_page(browser, viewport=PHONE)
    yield page
    page.context.close()


@pytest.fixture(params=["with JavaScript", "without JavaScript"])
def any_page(request, browser):
    """A desktop page, once with JavaScript and once without: the site must work both ways."""
    page = new_page(browser, javascript=request.param == "with JavaScript")
    yield page
    page.context.close()


FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').trim().slice(0, 60),
    visible: style.outlineStyle !== 'none' || style.boxShadow !== 'none'
             || style.backgroundColor === 'rgb(255, 235, 59)',
  };
}"""


def focused(page):
    return page.evaluate(FOCUS_STYLE)


def shot(page, name, *, tries=3):
    """A full-page screenshot for review in artifacts/screenshots/ (not committed).

    Headless Chromium sometimes answers "Unable to capture screenshot" while the compositor
    is busy (seen under CI's load on a long admin list); a screenshot is evidence for people,
    not the behaviour under test, so it is taken again after the next frame before failing.
    """
    target = ARTIFACTS / "screenshots" / f"{name}.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, tries + 1):
        try:
            page.screenshot(path=str(target), full_page=True)
            break
        except PlaywrightError as error:
            if "Unable to capture screenshot" not in str(error) or attempt == tries:
                raise
            page.evaluate("() => new Promise(requestAnimationFrame)")
            page.wait_for_timeout(250 * attempt)
    assert target.stat().st_size > 10_000
    return target


def tab_through(page, *, presses=40, until=None):
    """Press Tab until focus leaves the page, `until(stop)` is true or `presses` run out,
    checking that each element focused shows it; the stops in order, as `focused` gives them."""
    stops = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        now = focused(page)
        if now["tag"] == "BODY":
            break
        assert now["visible"], now
        stops.append(now)
        if until is not None and until(now):
            break
    return stops


# The password of every member of staff the browser tests sign up, made for this run.
STAFF_PASSWORD = uuid.uuid4().hex


@functools.cache
def production_hash(password: str) -> str:
    """The password as the served portal's production settings check it (the test settings'
    own hasher is MD5, for speed): PBKDF2's million iterations take half a second, so each
    password is hashed once a run, not once for each member of staff."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher

    return PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt())


# Every member of staff the browser tests sign up has an authenticator app with this key,
# made for this run, whose codes sign_in types as a member of staff would.
STAFF_APP_KEY = secrets.token_hex(20)


def with_app(user):
    """The user, with an authenticator app set up (config/second_factor.py)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=user, name="Phone", key=STAFF_APP_KEY, confirmed=True)
    return user


def app_code(*, steps_ahead: int = 0) -> str:
    """The code the staff's app shows now (or that many 30-second steps from now)."""
    from django_otp.oath import TOTP

    totp = TOTP(bytes.fromhex(STAFF_APP_KEY))
    totp.time = time.time() + steps_ahead * totp.step
    return f"{totp.token():06d}"


def give_code(page):
    """On the second factor's page, the app's code; the next one if this one was taken
    already (by a sign-in of the same member of staff less than 30 seconds ago)."""
    for steps_ahead in (0, 1):
        page.get_by_label("Code from your authenticator app").fill(
            app_code(steps_ahead=steps_ahead)
        )
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        if "/admin/second-factor/" not in page.url:
            return
        time.sleep(1.1)  # a wrong code makes the next wait a second


def staff_forget(username):
    """Delete a browser test's staff account and axes' records of its sign-ins."""
    from axes.models import AccessAttempt, AccessLog
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username=username).delete()
    AccessLog.objects.filter(username=username).delete()
    AccessAttempt.objects.filter(username=username).delete()


def sign_in(page, live_url, username, password, *, expected="/admin/"):
    """Through the admin's sign-in page: the password, then the code from the app."""
    page.goto(live_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    expect(page).to_have_url(re.compile(re.escape(live_url + "/admin/second-factor/")))
    give_code(page)
    expect(page).to_have_url(live_url + expected)


# The LSOAs the admin tests move, put back where they were after each test.
HARMLESS = ("E01001722", "Springfield Park")
SPLITS = ("E01001762", "Clissold Park")  # the LSOA of E8 1DY, in London Fields


@pytest.fixture
def data_manager(django_db_blocker):
    """A staff member in the Data managers group that the served portal can see; the LSOAs
    these tests move are put back where they were afterwards."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from neighbourhoods.models import Lsoa
    from neighbourhoods.services.moves import lsoas_move

    from .test_content_security_policy import in_a_thread

    username, password = f"dm-{uuid.uuid4().hex[:8]}", STAFF_PASSWORD
    codes = [HARMLESS[0], SPLITS[0]]

    def create():
        user = with_app(get_user_model().objects.create_user(username, is_staff=True))
        user.password = production_hash(password)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="Data managers"))
        homes = dict(Lsoa.objects.filter(code__in=codes).values_list("code", "neighbourhood"))
        connection.close()
        return homes

    def restore(homes):
        from neighbourhoods.models import Neighbourhood

        for code, home in homes.items():
            lsoa = Lsoa.objects.get(code=code)
            if lsoa.neighbourhood_id != home:
                lsoas_move(
                    lsoa_ids=[lsoa.pk], neighbourhood=Neighbourhood.objects.get(pk=home),
                    reason="Put back after a browser test",
                )  # fmt: skip
        staff_forget(username)
        connection.close()

    with django_db_blocker.unblock():
        homes = in_a_thread(create)
    yield username, password
    with django_db_blocker.unblock():
        in_a_thread(lambda: restore(homes))


@pytest.fixture
def staff_with_email(django_db_blocker):
    """(username, email address, password) of a staff account the served portal can see."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from .test_content_security_policy import in_a_thread

    name = f"reset-{uuid.uuid4().hex[:8]}"
    address, password = f"{name}@nhs.example", STAFF_PASSWORD

    def create():
        user = with_app(get_user_model().objects.create_user(name, address, is_staff=True))
        user.password = production_hash(password)
        user.save(update_fields=["password"])
        connection.close()

    def remove():
        staff_forget(name)
        connection.close()

    with django_db_blocker.unblock():
        in_a_thread(create)
    yield name, address, password
    with django_db_blocker.unblock():
        in_a_thread(remove)


@pytest.fixture
def outbox(served_run_dir):
    """The emails the served portal sends from now on, to an address: waits for them."""
    folder = served_run_dir / "emails"
    before = set(folder.glob("*")) if folder.exists() else set()

    def sent_to(address, *, wait=30.0):
        deadline = time.monotonic() + wait
        while True:
            found = []
            for path in sorted(set(folder.glob("*")) - before if folder.exists() else []):
                for chunk in path.read_bytes().split(b"-" * 79):
                    if chunk.strip():
                        message = email.message_from_bytes(chunk.strip())
                        if address in message.get("To", ""):
                            found.append(message)
            if found or time.monotonic() > deadline:
                return found
            time.sleep(0.2)

    return sent_to
