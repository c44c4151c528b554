"""Redirects lead to the portal's own paths, or to a site the configuration allows, and
never from the API's (partnership/redirects.py): an Editor cannot make a missing address
of the portal send residents, or a program reading the API, to any site at all."""

import json

import pytest
from django.conf import settings
from django.contrib.redirects.models import Redirect
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

ADD = "admin:redirects_redirect_add"


def add_redirect(client, old_path, new_path):
    return client.post(
        reverse(ADD), {"site": settings.SITE_ID, "old_path": old_path, "new_path": new_path}
    )


@pytest.mark.parametrize(
    "new_path",
    [
        "https://evil.example/api-help",
        "http://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https://www.nhs.uk@evil.example/",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_the_admin_refuses_a_redirect_to_an_outside_site(staff_client, new_path):
    response = add_redirect(staff_client, "/old-page/", new_path)
    assert response.status_code == 200  # the form again, with its message
    html = response.content.decode()
    assert "A redirect may lead only to one of the portal&#x27;s own addresses" in html or (
        "backslash" in html
    )
    assert not Redirect.objects.exists()


def test_the_admin_refuses_a_redirect_from_the_api(staff_client):
    response = add_redirect(staff_client, "/api/v1/help/", "/about/")
    assert response.status_code == 200
    assert "The API&#x27;s addresses (/api/...) cannot redirect" in response.content.decode()
    assert not Redirect.objects.exists()


def test_the_admin_takes_the_portals_own_paths_and_allowed_sites(staff_client):
    assert add_redirect(staff_client, "/old-page/", "/about/").status_code == 302
    with override_settings(PORTAL_REDIRECT_DOMAINS=["www.nhs.uk"]):
        response = add_redirect(staff_client, "/nhs/", "https://www.nhs.uk/service-search/")
        assert response.status_code == 302
        refused = add_redirect(staff_client, "/elsewhere/", "https://evil.example/")
        assert "on the allowed list: www.nhs.uk" in refused.content.decode()
    assert client_location(staff_client, "/old-page/") == "/about/"


def client_location(client, path):
    response = client.get(path)
    assert response.status_code == 301
    return response["Location"]


@pytest.mark.parametrize(
    "new_path", ["https://evil.example/api-help", "//evil.example/", "javascript:alert(1)"]
)
def test_a_stored_redirect_to_an_outside_site_is_not_followed(client, new_path):
    """Saved before the rule, or not through the admin: the address stays a 404."""
    Redirect.objects.create(site_id=settings.SITE_ID, old_path="/old-page/", new_path=new_path)
    response = client.get("/old-page/")
    assert response.status_code == 404
    assert "Location" not in response


def test_a_stored_redirect_from_the_api_is_not_followed(client):
    Redirect.objects.create(
        site_id=settings.SITE_ID, old_path="/api/v1/help/", new_path="https://evil.example/"
    )
    Redirect.objects.create(site_id=settings.SITE_ID, old_path="/api/v1/old/", new_path="/about/")
    for path in ("/api/v1/help/", "/api/v1/old/"):
        response = client.get(path)
        assert response.status_code == 404
        assert json.loads(response.content)["error"]["code"] == "not_found"
