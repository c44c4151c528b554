"""The help residents came for and the pages whose content was put right, in Chromium at a
phone's and a desktop's width: axe-core finds no WCAG 2.2 AA violation on any of them, the
contact form's errors and the admin's queue of messages included; "Report a problem with
this page" reaches the form with the page it came from, without JavaScript, and the message
is sent. Screenshots go to artifacts/screenshots/."""

import uuid

import pytest
from playwright.sync_api import expect

from .axe import axe_violations
from .conftest import (
    DESKTOP,
    PHONE,
    STAFF_PASSWORD,
    new_page,
    production_hash,
    shot,
    sign_in,
    staff_forget,
    with_app,
)
from .test_content_security_policy import in_a_thread
from .test_data_releases import axe_violations as admin_axe_violations

CHANGED_PAGES = {
    "contact": "/contact/",
    "contact-sent": "/contact/sent/",
    "privacy": "/privacy/",
    "accessibility": "/accessibility/",
    "home": "/",
    "islington": "/places/islington/",
    "workstreams": "/workstreams/",
    "workstream": "/workstreams/unplanned-care/",
    "practice": "/practices/F84640/",
    "practice-closed-elm": "/practices/F84685/",
    "neighbourhood-hackney-downs": "/neighbourhoods/hackney-downs/",
    "neighbourhoods": "/neighbourhoods/",
    "neighbourhood-map": "/neighbourhoods/map/",
    "lookup-in-area": "/lookup/?postcode=E8+1DY",
    "lookup-outside": "/lookup/?postcode=E1+0AA",
    "lookup-district": "/lookup/?postcode=E1",
    "lookup-not-found-with-district": "/lookup/?postcode=E17+7NT",
    "lookup-not-found": "/lookup/?postcode=E8+9ZZ",
    "lookup-nearest-outside-the-area": "/lookup/?postcode=EC4Y+9AH",
    "practice-results-by-postcode-start": "/practices/?q=E5+0",
    "practice-results": "/practices/?q=elm",
    "about-the-data": "/about-the-data/",
}
WIDTHS = {"phone": PHONE, "desktop": DESKTOP}


@pytest.fixture(params=list(WIDTHS))
def sized(request, browser):
    page = new_page(browser, viewport=WIDTHS[request.param])
    page.width_name = request.param
    yield page
    page.context.close()


@pytest.mark.parametrize("name", CHANGED_PAGES)
def test_each_changed_page_has_no_wcag_violations(live_url, sized, name):
    sized.goto(live_url + CHANGED_PAGES[name], wait_until="networkidle")
    assert axe_violations(sized) == []
    shot(sized, f"help-{name}-{sized.width_name}")


def test_the_contact_forms_errors_have_no_wcag_violations(live_url, sized):
    sized.goto(live_url + "/contact/")
    sized.fill("#reply_to", "not an email")
    sized.click("button[type=submit]")
    expect(sized.locator(".nhsuk-error-summary")).to_be_visible()
    expect(sized).to_have_title("Error: Contact us – City and Hackney Neighbourhoods")
    assert axe_violations(sized) == []
    shot(sized, f"help-contact-errors-{sized.width_name}")


def test_report_a_problem_reaches_the_form_and_sends_without_javascript(live_url, browser):
    page = new_page(browser, viewport=PHONE, javascript=False)
    try:
        page.goto(live_url + "/neighbourhoods/hackney-downs/")
        page.click("#report-a-problem")
        expect(page.locator("#about-page")).to_contain_text("/neighbourhoods/hackney-downs/")
        # The error first, said in the summary and by the field; the focus link leads to it.
        page.click("button[type=submit]")
        expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter your message")
        expect(page.locator("#message-error")).to_contain_text("Enter your message")
        expect(page.locator("#about-page")).to_contain_text("/neighbourhoods/hackney-downs/")
        page.fill("#message", "The phone number for one practice is out of date.")
        page.click("button[type=submit]")
        expect(page.locator("h1")).to_have_text("Message sent")
        shot(page, "help-contact-sent-after-report-phone")
    finally:
        page.context.close()


def test_the_honeypot_is_out_of_sight_and_out_of_the_tab_order(live_url, page):
    page.goto(live_url + "/contact/")
    expect(page.locator("#website")).to_be_hidden()
    page.focus("#reply_to")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.tagName") == "BUTTON"


MESSAGE = "The phone number for one practice is out of date."


@pytest.fixture
def editor_with_a_message(django_db_blocker):
    """An Editor (Editors handle the contact form's messages) the served portal can see, and
    a message in the queue; both deleted afterwards."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from partnership.models import ContactMessage

    username = f"queue-{uuid.uuid4().hex[:8]}"

    def create():
        user = with_app(get_user_model().objects.create_user(username, is_staff=True))
        user.password = production_hash(STAFF_PASSWORD)
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name="Editors"))
        message = ContactMessage.objects.create(
            message=MESSAGE, page="/practices/F84640/", reply_to="resident@example.org"
        )
        connection.close()
        return message.pk

    def remove(pk):
        ContactMessage.objects.filter(pk=pk).delete()
        staff_forget(username)
        connection.close()

    with django_db_blocker.unblock():
        pk = in_a_thread(create)
    yield username, STAFF_PASSWORD, pk
    with django_db_blocker.unblock():
        in_a_thread(lambda: remove(pk))


def test_the_admins_queue_of_messages_has_no_wcag_violations(
    live_url, sized, editor_with_a_message
):
    username, password, pk = editor_with_a_message
    sign_in(sized, live_url, username, password)

    sized.goto(live_url + "/admin/partnership/contactmessage/")
    expect(sized.locator("#result_list")).to_contain_text(MESSAGE)
    assert admin_axe_violations(sized) == []
    shot(sized, f"admin-contact-messages-{sized.width_name}")

    sized.goto(live_url + f"/admin/partnership/contactmessage/{pk}/change/")
    expect(sized.locator("#content-main")).to_contain_text(MESSAGE)
    expect(sized.locator("#content-main")).to_contain_text("/practices/F84640/")
    assert admin_axe_violations(sized) == []
    shot(sized, f"admin-contact-message-{sized.width_name}")
