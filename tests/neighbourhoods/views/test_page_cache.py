"""The lookup page's answer is rendered once per distinct answer, and served again with each
request's own CSP nonce; a changed answer is a different page at once."""

import re

import pytest
from django.core.cache import caches

from neighbourhoods.models import Neighbourhood
from neighbourhoods.templatetags.portal import NONCE_PLACEHOLDER

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


def nonce_of(response) -> str:
    return re.search(r"script-src [^;]*'nonce-([^']+)'", response["Content-Security-Policy"])[1]


def inline_scripts(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", html)


def test_a_cached_answer_carries_each_requests_own_nonce(client):
    caches["answers"].clear()
    first = client.get("/lookup/?postcode=E8+1DY")
    assert len(caches["answers"]._cache) == 1  # rendered once, kept
    second = client.get("/lookup/?postcode=E8+1DY")
    assert len(caches["answers"]._cache) == 1  # served from it
    assert nonce_of(first) != nonce_of(second)
    for response in (first, second):
        html = response.content.decode()
        assert "London Fields" in html and 'id="portal-map"' in html
        assert NONCE_PLACEHOLDER not in html
        scripts = inline_scripts(response)
        assert len(scripts) >= 2  # the page's own and the map's
        assert all(f'nonce="{nonce_of(response)}"' in s for s in scripts), scripts
    assert first.content.decode().replace(nonce_of(first), "N") == (
        second.content.decode().replace(nonce_of(second), "N")
    )


def test_a_changed_answer_shows_at_once(client):
    assert "London Fields" in client.get("/lookup/?postcode=E8+1DY").content.decode()
    neighbourhood = Neighbourhood.objects.get(name="London Fields")
    neighbourhood.name = "London Fields and Broadway Market"
    neighbourhood.save()
    html = client.get("/lookup/?postcode=E8+1DY").content.decode()
    assert "London Fields and Broadway Market neighbourhood" in html


def test_each_query_gets_its_own_page(client):
    caches["answers"].clear()
    spaced, compact = client.get("/lookup/?postcode=E8+1DY"), client.get("/lookup/?postcode=e81dy")
    assert 'value="e81dy"' in compact.content.decode()
    assert 'value="E8 1DY"' in spaced.content.decode()
    outside = client.get("/lookup/?postcode=E1+0AA").content.decode()
    assert "Tower Hamlets" in outside and "London Fields" not in outside


def test_an_answer_for_a_point_is_never_kept(client):
    caches["answers"].clear()
    response = client.get("/lookup/", {"lat": "51.542", "lon": "-0.061"})
    assert response.status_code == 200
    assert "London Fields" in response.content.decode()
    assert len(caches["answers"]._cache) == 0
