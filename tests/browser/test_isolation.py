"""The browser tests' Chromium reaches the served portal and nothing else (conftest.NOWHERE):
what the tests measure and check is what this machine serves, with or without a network."""

from .conftest import new_page

FETCH = "url => fetch(url, {mode: 'no-cors'}).then(() => 'reached', () => 'refused')"
ELSEWHERE = [
    "http://example.org/",
    "https://assets.nhs.uk/fonts/FrutigerLTW01-55Roman.woff2",  # the NHS.UK fonts
    "http://192.0.2.1/",  # an address, no name to look up
    "http://localhost.example.org/",
]


def test_the_browser_reaches_this_machine_and_is_refused_anywhere_else(live_url, browser):
    # The policy set aside, so that it is not what refuses the requests.
    page = new_page(browser, bypass_csp=True)
    try:
        failures = {}
        page.on("requestfailed", lambda request: failures.update({request.url: request.failure}))
        page.goto(live_url + "/")
        assert page.evaluate(FETCH, live_url + "/contact/") == "reached"
        assert [page.evaluate(FETCH, url) for url in ELSEWHERE] == ["refused"] * len(ELSEWHERE)
        # Refused by going to the closed proxy, not by there being no network here; so were
        # the page's own requests for the NHS.UK fonts, and nothing else failed.
        assert set(ELSEWHERE) <= set(failures)
        assert set(failures.values()) == {"net::ERR_PROXY_CONNECTION_FAILED"}
    finally:
        page.context.close()
