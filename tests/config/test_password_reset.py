"""Staff who have forgotten their password set a new one from the admin's sign-in page: an
email with a link goes to a staff account's address, and the page says the same whether or
not the address has an account. (In Chromium, with axe-core: tests/browser/.)"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db

BASE = "https://neighbourhoods.example.nhs.uk"
LINK = re.compile(re.escape(BASE) + r"(/admin/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def portal_address(settings):
    settings.PORTAL_BASE_URL = BASE


@pytest.fixture
def amina(db):
    return get_user_model().objects.create_user(
        "amina", "Amina.Khan@nhs.example", "old-password-1!", is_staff=True
    )


def ask_for_a_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email}, follow=True)


def link_in(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found[1]


def test_the_sign_in_page_offers_a_password_reset(client):
    html = client.get(reverse("admin:login")).content.decode()
    assert f'<a href="{reverse("password_reset")}">Forgotten your password?</a>' in html
    assert "login credentials" not in html


def test_the_reset_pages_are_the_admins_and_list_no_models(client):
    html = client.get(reverse("password_reset")).content.decode()
    assert "City and Hackney Neighbourhoods: staff admin" in html
    assert "Django administration" not in html
    assert 'id="nav-sidebar"' not in html and "permission" not in html


def test_a_staff_member_resets_a_forgotten_password_and_signs_in_with_the_new_one(client, amina):
    asked = ask_for_a_reset(client, "amina.khan@NHS.example")  # however it is typed

    assert asked.redirect_chain == [(reverse("password_reset_done"), 302)]
    [message] = mail.outbox
    assert message.to == ["Amina.Khan@nhs.example"]
    assert message.subject == "Set a new password for the City and Hackney Neighbourhoods admin"
    assert "amina" in message.body  # the username, in case that was forgotten too
    opened = client.get(link_in(message), follow=True)
    assert opened.status_code == 200
    assert 'name="new_password1"' in opened.content.decode()
    set_password = opened.redirect_chain[-1][0]
    done = client.post(
        set_password,
        {"new_password1": "a-new-Passw0rd-for-amina", "new_password2": "a-new-Passw0rd-for-amina"},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert f'href="{reverse("admin:login")}"' in done.content.decode()

    client.logout()
    old = client.post(reverse("admin:login"), {"username": "amina", "password": "old-password-1!"})
    assert old.status_code == 200  # the form again, with its error
    signed_in = client.post(
        reverse("admin:login"),
        {"username": "amina", "password": "a-new-Passw0rd-for-amina", "next": "/admin/"},
    )
    assert signed_in.status_code == 302 and signed_in["Location"] == reverse("admin:index")
    # ...and then gives the second factor, here setting up an app (test_second_factor.py).
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("second-factor-enrol"))


def test_the_link_works_once(client, amina):
    ask_for_a_reset(client, amina.email)
    link = link_in(mail.outbox[0])
    set_password = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(set_password, {"new_password1": "Once-only-9x!", "new_password2": "Once-only-9x!"})

    again = client.get(link, follow=True).content.decode()

    assert 'name="new_password1"' not in again
    assert "The password reset link was invalid" in again


@pytest.mark.parametrize(
    "email",
    ["nobody@nhs.example", "resident@nhs.example", "inactive@nhs.example", "not an address"],
)
def test_nothing_different_is_shown_for_an_address_without_a_staff_account(client, amina, email):
    """A resident's account (not staff) and an inactive one get no email either."""
    get_user_model().objects.create_user("resident", "resident@nhs.example", "pw-resident-1")
    get_user_model().objects.create_user(
        "gone", "inactive@nhs.example", "pw-gone-1", is_staff=True, is_active=False
    )
    known = ask_for_a_reset(client, amina.email)
    mail.outbox.clear()

    unknown = ask_for_a_reset(client, email)

    if email == "not an address":  # the form asks again, for anyone
        assert unknown.status_code == 200 and "Enter a valid email address" in (
            unknown.content.decode()
        )
    else:
        assert unknown.redirect_chain == known.redirect_chain
        assert unknown.content == known.content
    assert mail.outbox == []


def test_the_page_never_waits_for_the_mail_server(client, amina, monkeypatch):
    """The email is queued for the scheduler (django-q2; the tests run its tasks at once), so
    an address with an account is answered as quickly as one without. Only the account's id
    is queued: the link is made when the email is sent, and kept nowhere."""
    from config import password_reset

    queued = []
    monkeypatch.setattr(password_reset, "async_task", lambda *args, **kw: queued.append(args))

    ask_for_a_reset(client, amina.email)

    assert mail.outbox == []
    assert queued == [("config.password_reset.send_reset_email", amina.pk)]
