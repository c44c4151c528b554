"""The maps work under the strict Content-Security-Policy, and the browser reports no
violation of it: on the public map, a lookup answer, and django-leaflet's admin widgets."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from neighbourhoods.models import Neighbourhood, Practice

from .conftest import STAFF_PASSWORD, production_hash, sign_in, staff_forget, with_app

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def watch(page):
    """Collects CSP violations, from the page's own event and from the console."""
    problems = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on(
        "console",
        lambda message: (
            problems.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def violations(page, problems):
    return problems + page.evaluate("window.__cspViolations || []")


@pytest.mark.parametrize(
    ("path", "areas"),
    [("/neighbourhoods/map/", 8), ("/lookup/?postcode=E8+1DY", 8), ("/practices/F84640/", 8)],
)
def test_the_public_maps_draw_with_no_csp_violation(live_url, page, path, areas):
    problems = watch(page)
    response = page.goto(live_url + path)
    assert "'nonce-" in response.headers["content-security-policy"]
    expect(page.locator("#portal-map path.leaflet-interactive")).to_have_count(areas)
    expect(page.locator("#portal-map img.leaflet-marker-icon").first).to_be_visible()
    # The NHS.UK frontend's script ran too (it marks the body).
    expect(page.locator("body.js-enabled")).to_have_count(1)
    assert violations(page, problems) == []


def in_a_thread(work):
    """Playwright's sync API keeps an event loop on this thread, where Django refuses
    database calls; another thread has no loop (and its own connection)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


@pytest.fixture
def staff(django_db_blocker):
    """A superuser the served portal (another process) can see: committed, then removed."""
    from django.db import connection

    username, password = f"csp-{uuid.uuid4().hex[:8]}", STAFF_PASSWORD

    def create():
        user = with_app(get_user_model().objects.create_superuser(username, "", None))
        user.password = production_hash(password)
        user.save(update_fields=["password"])
        neighbourhood = Neighbourhood.objects.exclude(boundary=None).first()
        practice = Practice.objects.exclude(location=None).first()
        connection.close()
        return neighbourhood, practice

    def remove():
        staff_forget(username)
        connection.close()

    with django_db_blocker.unblock():
        neighbourhood, practice = in_a_thread(create)
    yield username, password, neighbourhood, practice
    with django_db_blocker.unblock():
        in_a_thread(remove)


def test_the_admin_map_widgets_work_with_no_csp_violation(live_url, page, staff):
    username, password, neighbourhood, practice = staff
    problems = watch(page)
    sign_in(page, live_url, username, password)

    page.goto(live_url + f"/admin/neighbourhoods/neighbourhood/{neighbourhood.pk}/change/")
    expect(page.locator(".leaflet-container path").first).to_be_visible()

    page.goto(live_url + f"/admin/neighbourhoods/practice/{practice.pk}/change/")
    expect(page.locator(".leaflet-container img.leaflet-marker-icon").first).to_be_visible()
    # The editable widget's drawing toolbar is there.
    expect(page.locator(".leaflet-draw").first).to_be_visible()
    assert violations(page, problems) == []
