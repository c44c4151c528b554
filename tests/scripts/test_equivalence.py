"""The equivalence check's own logic (scripts/equivalence.py): what it normalises, what it
asks, and how it compares two recordings. Tiny recordings are made in tmp_path; nothing
here reads the open data or the database."""

import io
import json

import pytest
from django.http import HttpResponse

from tests.scripts import load_script

CSP = (
    "script-src 'self' 'nonce-{nonce}'; default-src 'none'; "
    "style-src 'self' 'nonce-{nonce}'; img-src 'self' data:"
)


@pytest.fixture(scope="module")
def eq():
    return load_script("equivalence")


def page(nonce: str, token: str) -> bytes:
    return (
        f'<script nonce="{nonce}" src="/static/js/map.js"></script>'
        f"<style nonce='{nonce}'>p {{}}</style>"
        f'<form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="{token}">'
        f'<input value="{token}" type="hidden" name="csrfmiddlewaretoken"></form>'
        '<input name="q" value="london fields">'
    ).encode()


def test_nonces_and_csrf_tokens_are_made_constant_and_nothing_else_is(eq):
    one = eq.normalise_body(page("abc123", "tok1"))
    two = eq.normalise_body(page("zzz999", "tok2"))
    assert one == two
    assert b"abc123" not in one and b"tok1" not in one
    assert b'nonce="NONCE"' in one and b"nonce='NONCE'" in one
    assert one.count(b'value="CSRF"') == 2
    # An ordinary form value is behaviour, not a token.
    assert b'name="q" value="london fields"' in one


def test_the_policy_header_loses_its_nonce_and_its_directive_order(eq):
    first = eq.normalise_header("Content-Security-Policy", CSP.format(nonce="abc"))
    directives = [d.strip() for d in CSP.format(nonce="xyz").split(";")]
    shuffled = "; ".join(reversed(directives))
    assert eq.normalise_header("Content-Security-Policy", shuffled) == first
    assert "abc" not in first and "'nonce-NONCE'" in first
    # A source added or removed is still a difference.
    changed = CSP.format(nonce="abc").replace("img-src 'self' data:", "img-src 'self'")
    assert eq.normalise_header("Content-Security-Policy", changed) != first


def test_allow_is_compared_as_a_set_and_other_headers_as_they_are(eq):
    assert eq.normalise_header("Allow", "HEAD, GET") == eq.normalise_header("Allow", "GET, HEAD")
    assert eq.normalise_header("Cache-Control", "public, max-age=60") == "public, max-age=60"


def test_a_csrf_cookie_is_recorded_as_set_but_not_by_its_value(eq):
    response = HttpResponse(
        page("n1", "t1"), headers={"Content-Security-Policy": CSP.format(nonce="n1")}
    )
    response.set_cookie("csrftoken", "secret-token-1", samesite="Lax")
    recorded, body = eq.response_record(response)
    again = HttpResponse(
        page("n2", "t2"), headers={"Content-Security-Policy": CSP.format(nonce="n2")}
    )
    again.set_cookie("csrftoken", "secret-token-2", samesite="Lax")
    assert eq.response_record(again) == (recorded, body)
    assert recorded["cookies"]["csrftoken"].startswith("csrftoken=TOKEN;")
    assert "SameSite=Lax" in recorded["cookies"]["csrftoken"]
    assert recorded["sha256"] == eq.sha256(body)


def test_the_sample_is_the_same_for_a_seed_whatever_order_the_postcodes_come_in(eq):
    postcodes = [f"E8 {n}AA" for n in range(1, 10)]
    sample = eq.choose_sample(postcodes, 4, seed=2026)
    assert sample == eq.choose_sample(list(reversed(postcodes)), 4, seed=2026)
    assert sample == sorted(sample) and set(sample) <= set(postcodes) and len(sample) == 4
    assert eq.choose_sample(postcodes, 100, seed=1) == sorted(postcodes)


def test_every_request_is_asked_once_and_each_practice_has_its_page(eq):
    facts = {
        "sample": ["E8 1DY", "N16 9JT", "E1 0AA"],
        "outside": ["E1 0AA"],
        "terminated": [],
        "practices": ["F84003", "F84021"],
        "practice_search": ["The Practice", "F84003", "E8 1DY"],
        "partners": ["hackney-council"],
        "places": ["city-and-hackney"],
        "workstreams": ["prevention"],
        "neighbourhoods": ["london-fields"],
        "boundary_versions": ["1", "2"],
    }
    requests = eq.requests_for(facts, today="2026-12-05")
    keys = [r.key for r in requests]
    assert len(keys) == len(set(keys))
    assert requests == eq.requests_for(facts, today="2026-12-05")
    for expected in [
        "GET /practices/F84021/",
        "GET /practices/f84003/",
        "GET /lookup/?postcode=N16+9JT",
        "GET /api/v1/postcodes/E1%200AA",
        "GET /api/v1/postcodes/E8%201DY?on=2026-12-05",
        "GET /api/v1/boundary-versions/2/neighbourhoods",
        "HEAD /api/v1/postcodes/E8%201DY",
        "OPTIONS /api/v1/postcodes/E8%201DY "
        "[Origin: https://example.org; Access-Control-Request-Method: GET]",
        "POST /api/v1/postcodes (empty body)",
    ]:
        assert expected in keys
    assert any(r.method == "POST" and r.path == "/api/v1/postcodes" for r in requests)


# --- Comparing tiny recordings ----------------------------------------------------------------


def recording(eq, directory, answers: dict[str, tuple[int, bytes]]):
    """A recording of `answers` (key -> status and body), as `record` writes one."""
    entries = []
    for key, (status, body) in answers.items():
        digest = eq.store_body(directory, body)
        entries.append({
            "key": key, "name": key.split()[1], "status": status,
            "headers": {"Content-Type": "application/json"}, "cookies": {},
            "sha256": digest, "size": len(body),
        })  # fmt: skip
    eq.write_manifest(directory, entries, postcodes=1, seed=1, today="2026-12-05")
    return directory


ANSWER = json.dumps({"postcode": "E8 1DY", "neighbourhood": {"slug": "london-fields"}}).encode()
ANSWERS = {
    "GET /api/v1/postcodes/E8%201DY": (200, ANSWER),
    "GET /api/v1/postcodes/XX": (400, b'{"error": {"code": "invalid_postcode"}}'),
    "GET /": (200, b"<h1>Home</h1>\n<p>Welcome</p>\n"),
}


def compared(eq, a, b) -> tuple[int, str]:
    out = io.StringIO()
    status = eq.compare(a, b, out=out)
    return status, out.getvalue()


def test_identical_recordings_compare_equal(eq, tmp_path):
    a = recording(eq, tmp_path / "a", ANSWERS)
    b = recording(eq, tmp_path / "b", ANSWERS)
    status, text = compared(eq, a, b)
    assert status == 0
    assert "3 requests in both, 3 identical, 0 different" in text
    assert text.rstrip().endswith("IDENTICAL")


def test_a_changed_body_is_shown_as_a_diff(eq, tmp_path):
    changed = ANSWER.replace(b"london-fields", b"hackney-downs")
    a = recording(eq, tmp_path / "a", ANSWERS)
    b = recording(eq, tmp_path / "b", {**ANSWERS, "GET /api/v1/postcodes/E8%201DY": (200, changed)})
    status, text = compared(eq, a, b)
    assert status == 1
    assert "DIFFERENT (body): GET /api/v1/postcodes/E8%201DY" in text
    # The JSON is laid out a value a line, so the diff names the value that changed.
    assert '-  "slug": "london-fields"' in text
    assert '+  "slug": "hackney-downs"' in text
    assert text.rstrip().endswith("DIFFERENT")


def test_a_changed_status_is_reported(eq, tmp_path):
    a = recording(eq, tmp_path / "a", ANSWERS)
    b = recording(eq, tmp_path / "b", {**ANSWERS, "GET /api/v1/postcodes/XX": (404, b"{}")})
    status, text = compared(eq, a, b)
    assert status == 1
    assert "DIFFERENT (status, body): GET /api/v1/postcodes/XX" in text
    assert "status: A 400" in text and "status: B 404" in text


def test_a_request_only_one_recording_has_is_a_difference(eq, tmp_path):
    fewer = {key: answer for key, answer in ANSWERS.items() if key != "GET /"}
    a = recording(eq, tmp_path / "a", ANSWERS)
    b = recording(eq, tmp_path / "b", fewer)
    status, text = compared(eq, a, b)
    assert status == 1
    assert "Only in A: GET /" in text
    assert "2 requests in both, 2 identical, 0 different; 1 only in A, 0 only in B." in text
    assert compared(eq, b, a)[0] == 1


def test_a_long_diff_is_cut_short(eq, tmp_path):
    before = "".join(f"<p>{n}</p>\n" for n in range(200)).encode()
    after = "".join(f"<p>{n} changed</p>\n" for n in range(200)).encode()
    a = recording(eq, tmp_path / "a", {"GET /long/": (200, before)})
    b = recording(eq, tmp_path / "b", {"GET /long/": (200, after)})
    status, text = compared(eq, a, b)
    assert status == 1
    assert "more lines of diff" in text
    assert len(text.splitlines()) < eq.MAX_DIFF_LINES + 20
