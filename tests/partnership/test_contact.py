"""A way to contact us: the contact form and "Report a problem with this page" reach staff's
queue in the admin; spam is kept out without outside services (a per-address limit and a
honeypot); nothing is stored that the privacy notice does not declare, and nothing is kept
longer than it says."""

import datetime
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partnership.models import KEEP_ANY_MONTHS, KEEP_CLOSED_MONTHS, ContactMessage
from partnership.services import contact_messages_expire, contact_messages_set_status
from partnership.tasks import delete_expired_contact_messages
from tests.factories import PlaceFactory

pytestmark = pytest.mark.django_db

CONTACT = "/contact/"


@pytest.fixture(autouse=True)
def place(settings):
    # Each test counts on its own: the limit's counters are in the real Redis.
    settings.CACHES = {**settings.CACHES, "ratelimit": {**settings.CACHES["ratelimit"],
                       "KEY_PREFIX": f"test-contact-{uuid.uuid4().hex}"}}  # fmt: skip
    return PlaceFactory()


def text_of(response):
    return " ".join(response.content.decode().split())


def test_every_page_links_to_report_a_problem_with_itself(client):
    for path in ["/", "/neighbourhoods/", "/privacy/"]:
        page = text_of(client.get(path))
        link = f'href="/contact/?page={path}#send-a-message" id="report-a-problem"'
        assert link in page, path
        assert "Report a problem with this page</a>" in page


def test_the_report_link_never_carries_a_search(client):
    page = text_of(client.get("/lookup/", {"postcode": "E8 1DY"}))
    assert 'href="/contact/?page=/lookup/#send-a-message"' in page
    assert "E8" not in page[page.index('id="report-a-problem"') - 80 :][:120]


def test_the_form_says_which_page_it_is_about(client):
    page = text_of(client.get(CONTACT, {"page": "/neighbourhoods/london-fields/?x=1"}))
    assert '<input type="hidden" name="page" value="/neighbourhoods/london-fields/">' in page
    assert "You are telling us about the page <strong>/neighbourhoods/london-fields/" in page
    for field in ['for="message"', 'id="message-hint"', 'for="reply_to"', 'id="reply_to-hint"']:
        assert field in page


def test_a_page_that_fails_offers_a_report_of_itself_too(monkeypatch):
    """The 500 page, which residents meet when something breaks, links to the form with
    the page (never its query) like every other page."""
    from partnership import views

    def broken():
        raise RuntimeError("the release records broke")

    monkeypatch.setattr(views, "imported_releases", broken)
    client = Client(raise_request_exception=False)
    failed = client.get("/about-the-data/", {"postcode": "E8 1DY"})
    assert failed.status_code == 500
    assert failed["Content-Type"].startswith("text/html")
    page = text_of(failed)
    assert "<h1>Sorry, there is a problem with the service</h1>" in page
    assert "the release records broke" not in page
    link = re.search(r'href="([^"]+)">report a problem with this page</a>', page)
    assert link and link[1] == "/contact/?page=/about-the-data/#send-a-message"
    form = text_of(client.get(link[1].split("#")[0]))
    assert '<input type="hidden" name="page" value="/about-the-data/">' in form


@pytest.mark.parametrize("page", ["https://evil.example/", "//evil.example/x", "javascript:x",
                                  "/a b", "/\\evil"])  # fmt: skip
def test_a_page_that_is_not_ours_is_dropped(client, page):
    html = text_of(client.get(CONTACT, {"page": page}))
    assert 'name="page"' not in html
    client.post(CONTACT, {"message": "Hello", "page": page})
    assert ContactMessage.objects.get().page == ""


def test_a_message_reaches_the_queue_with_its_page_and_reply_to(client):
    response = client.post(
        CONTACT,
        {"message": "The map\nis wrong", "page": "/lookup/?postcode=E8+1DY",
         "reply_to": "resident@example.org", "website": ""},
    )  # fmt: skip
    assert response.status_code == 303
    assert response["Location"] == reverse("partnership:contact-sent")
    message = ContactMessage.objects.get()
    assert message.message == "The map\nis wrong"
    assert message.page == "/lookup/", "the path only: never the postcode searched for"
    assert message.reply_to == "resident@example.org"
    assert message.status == ContactMessage.Status.NEW
    # Exactly what the privacy notice declares, and nothing else (no address, no browser).
    fields = {f.name for f in ContactMessage._meta.get_fields()}
    assert fields == {"id", "message", "page", "reply_to", "sent_at", "status", "closed_at"}
    sent = client.get(response["Location"])
    assert sent.status_code == 200
    assert "Message sent" in text_of(sent)


def test_residents_get_no_cookie_from_the_form(client):
    assert not client.get(CONTACT).cookies
    assert not client.post(CONTACT, {"message": "Hi"}).cookies


@pytest.mark.parametrize(
    "data, errors",
    [
        ({}, ["Enter your message"]),
        ({"message": "   "}, ["Enter your message"]),
        ({"message": "x" * 2001}, ["Your message must be 2,000 characters or fewer"]),
        ({"message": "Hi", "reply_to": "not-an-email"},
         ["Enter an email address in the correct format, like name@example.com"]),
        ({"message": "", "reply_to": "x@"},
         ["Enter your message", "Enter an email address in the correct format"]),
    ],
)  # fmt: skip
def test_errors_follow_the_nhs_pattern_with_a_400(client, data, errors):
    response = client.post(CONTACT, data)
    assert response.status_code == 400
    page = text_of(response)
    assert "<title>Error: Contact us" in page
    summary = page[page.index("nhsuk-error-summary") : page.index("<h1>")]
    for error in errors:
        assert error in summary
        assert page.count(error) == 2, "in the summary and by its field"
    assert not ContactMessage.objects.exists()
    if data.get("reply_to"):
        assert f'value="{data["reply_to"]}"' in page, "what they typed is kept"


@pytest.mark.parametrize(
    "data",
    [{"message": "\x00"}, {"message": "a\x00b"}, {"message": ["a", "b"]}, {"page": "\x00"},
     {"message": "Hi", "reply_to": "a@" + "b" * 300 + ".org"}, {"message": "é" * 3000}],
)  # fmt: skip
def test_odd_input_is_an_error_or_a_message_never_a_500(client, data):
    response = client.post(CONTACT, data)
    assert response.status_code in (303, 400)


def test_a_filled_honeypot_is_thanked_and_dropped(client):
    response = client.post(CONTACT, {"message": "Buy now", "website": "http://spam.example"})
    assert response.status_code == 303
    assert not ContactMessage.objects.exists()


def test_the_honeypot_is_hidden_from_people(client):
    page = text_of(client.get(CONTACT))
    honeypot = page[page.index('class="portal-honeypot"') :][:300]
    assert 'tabindex="-1"' in honeypot and 'autocomplete="off"' in honeypot
    css = (settings_static_dir() / "css" / "portal.css").read_text()
    assert ".portal-honeypot { display: none; }" in css


def settings_static_dir():
    from django.conf import settings

    return settings.BASE_DIR / "static"


def test_an_address_that_sends_too_many_is_refused_with_a_429(client, settings):
    settings.PORTAL_CONTACT_RATE_LIMIT = "3/h"
    for n in range(3):
        assert client.post(CONTACT, {"message": f"Message {n}"}).status_code == 303
    refused = client.post(CONTACT, {"message": "One more", "reply_to": "me@example.org"})
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    page = text_of(refused)
    assert "You have sent a lot of messages" in page
    assert "One more</textarea>" in page, "what they wrote is kept"
    assert ContactMessage.objects.count() == 3
    # Another address is not limited by this one's.
    other = client.post(CONTACT, {"message": "Hi"}, REMOTE_ADDR="192.0.2.9")
    assert other.status_code == 303


def test_the_form_works_without_its_limit_when_the_counter_is_down(client, settings):
    settings.CACHES = {**settings.CACHES, "ratelimit": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.1, "socket_timeout": 0.1}}}  # fmt: skip
    assert client.post(CONTACT, {"message": "Hi"}).status_code == 303


def sent(days_ago, status=ContactMessage.Status.NEW, closed_days_ago=None):
    now = timezone.now()
    message = ContactMessage.objects.create(
        message="m", sent_at=now - datetime.timedelta(days=days_ago)
    )
    if closed_days_ago is not None:
        ContactMessage.objects.filter(pk=message.pk).update(
            status=ContactMessage.Status.CLOSED,
            closed_at=now - datetime.timedelta(days=closed_days_ago),
        )
    elif status != ContactMessage.Status.NEW:
        ContactMessage.objects.filter(pk=message.pk).update(status=status)
    return message


def test_messages_are_deleted_when_the_privacy_notice_says():
    keep_closed = KEEP_CLOSED_MONTHS * 31
    keep_any = KEEP_ANY_MONTHS * 31
    kept = [
        sent(400, closed_days_ago=keep_closed - 1),
        sent(10, ContactMessage.Status.IN_HAND),
        sent(keep_any - 1),
    ]
    gone = [sent(400, closed_days_ago=keep_closed + 1), sent(keep_any + 1),
            sent(keep_any + 1, ContactMessage.Status.IN_HAND)]  # fmt: skip
    assert contact_messages_expire() == len(gone)
    assert set(ContactMessage.objects.values_list("pk", flat=True)) == {m.pk for m in kept}


def test_the_scheduler_deletes_them_daily(django_db_setup):
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="partnership.tasks.delete_expired_contact_messages")
    assert schedule.schedule_type == Schedule.DAILY and schedule.repeats == -1
    sent(KEEP_ANY_MONTHS * 31 + 1)
    assert delete_expired_contact_messages() == "Deleted 1 message past their keeping time."


def test_closing_starts_the_clock_and_reopening_stops_it():
    message = sent(1)
    contact_messages_set_status(messages=ContactMessage.objects.all(), status="closed")
    message.refresh_from_db()
    assert message.closed_at is not None
    contact_messages_set_status(messages=ContactMessage.objects.all(), status="in_hand")
    message.refresh_from_db()
    assert message.closed_at is None
    message.status = "closed"
    message.save()
    assert message.closed_at is not None


def member_of(group):
    user = get_user_model().objects.create_user(group.replace(" ", "-"), is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.mark.parametrize("group", ["Editors", "Publishers"])
def test_editors_read_and_handle_the_queue(client, group):
    message = ContactMessage.objects.create(
        message="The <b>map</b> is wrong", page="/lookup/", reply_to="r@example.org"
    )
    client.force_login(member_of(group))
    queue = client.get(reverse("admin:partnership_contactmessage_changelist"))
    assert queue.status_code == 200
    html = text_of(queue)
    assert "The &lt;b&gt;map&lt;/b&gt; is wrong" in html
    assert 'href="/lookup/"' in html
    page = client.get(reverse("admin:partnership_contactmessage_change", args=[message.pk]))
    assert page.status_code == 200
    assert 'href="mailto:r@example.org"' in text_of(page)
    response = client.post(
        reverse("admin:partnership_contactmessage_changelist"),
        {"action": "mark_closed", "_selected_action": [message.pk]},
    )
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == "closed" and message.closed_at is not None
    add = client.get(reverse("admin:partnership_contactmessage_add"))
    assert add.status_code == 403, "messages come only from the form"


@pytest.mark.parametrize("group", ["Viewers", "Data managers"])
def test_other_roles_do_not_read_messages(client, group):
    message = ContactMessage.objects.create(message="Private", reply_to="r@example.org")
    client.force_login(member_of(group))
    assert client.get(reverse("admin:partnership_contactmessage_changelist")).status_code == 403
    page = client.get(reverse("admin:partnership_contactmessage_change", args=[message.pk]))
    assert page.status_code == 403


def test_the_privacy_notice_declares_what_a_message_keeps_and_for_how_long(client):
    page = text_of(client.get("/privacy/"))
    section = page[page.index('id="contact-form"') :]
    declared = [
        "your message",
        "the address of the page you came from",
        "your email address, only if you give one",
        "the date and time you sent it",
    ]
    for item in declared:
        assert item in section
    assert f"{KEEP_CLOSED_MONTHS} months after our staff have dealt with it" in section
    assert f"any message {KEEP_ANY_MONTHS} months after it was sent" in section
    assert "(up to 10 an hour)" in section
    assert "Your internet address is not stored with your message" in section
