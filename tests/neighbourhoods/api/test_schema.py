"""Every documented answer validates: schemathesis generates requests from /api/openapi.json
for every operation and checks each answer against the description (status, media type,
headers and body schema), against the real app and the test database.

A bounded number of examples per operation keeps it to well under a minute; the seed is
fixed, so a failure can be run again as it was.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = {GenerationMode.POSITIVE: 25, GenerationMode.NEGATIVE: 10}
# A postcode or a district is free text that the lookup itself decides on: "hello" is a string
# the description allows, and its documented answer is a 400 invalid_postcode. So "schema-valid
# input is accepted" does not hold for those two operations; every other check does
# (statuses, media types, headers, bodies, and that input the description forbids is
# refused), and on every other operation all of them do. `make fuzz` leaves out the same.
FREE_TEXT = {"/api/v1/postcodes/{postcode}", "/api/v1/outcodes/{outcode}"}


def excluded(path: str) -> list:
    return [positive_data_acceptance] if path in FREE_TEXT else []


def run_operation(operation, mode, examples, failures) -> int:
    cases = 0

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def check(case):
        nonlocal cases
        cases += 1
        try:
            case.call_and_validate(excluded_checks=excluded(operation.path))
        except (AssertionError, FailureGroup) as failure:  # each is listed, then failed
            failures.append(f"{operation.label} ({mode.value}): {failure}")

    try:
        check()
    except Unsatisfiable:
        # No input the description forbids exists (an operation without parameters).
        assert mode == GenerationMode.NEGATIVE, operation.label
    return cases


@pytest.fixture
def wsgi_app():
    """The real WSGI app on the test database: like Django's test client, it must not close
    the connection that holds the test's transaction after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield application
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# Real answers, one of each outcome, that generated input would rarely reach.
REAL = (
    [
        ("GET", "/api/v1/postcodes/{postcode}", {"path_parameters": {"postcode": code}})
        for code in ["E8 1DY", "EC1A 7HF", "E1 0AA", "SW1A 1AA", "E8 9ZY", "E8 9ZZ", "E8", "E8 1D"]
    ]
    + [
        ("GET", "/api/v1/points", {"query": {"lat": lat, "lon": lon}})
        for lat, lon in [(51.542, -0.061), (51.5455, -0.104), (53.48, -2.24), (48.85, 2.35)]
    ]
    + [
        ("GET", "/api/v1/outcodes/{outcode}", {"path_parameters": {"outcode": code}})
        for code in ["E8", "N16", "ZZ9", "E8 1DY"]
    ]
    + [
        ("POST", "/api/v1/postcodes", {"body": {"postcodes": ["E8 1DY", "E1 0AA", "hello", "E8"]}}),
        ("POST", "/api/v1/postcodes", {"body": {"postcodes": ["E8 1DY"] * 101}}),
        ("GET", "/api/v1/neighbourhoods", {"query": {"simplified": "true"}}),
        ("GET", "/api/v1/neighbourhoods", {"query": {}}),
        ("GET", "/api/v1/neighbourhoods/{slug}", {"path_parameters": {"slug": "london-fields"}}),
        (
            "GET",
            "/api/v1/neighbourhoods/{slug}/profile",
            {"path_parameters": {"slug": "london-fields"}},
        ),
        (
            "GET",
            "/api/v1/neighbourhoods/{slug}/profile.csv",
            {"path_parameters": {"slug": "london-fields"}},
        ),
        ("GET", "/api/v1/practices", {}),
        ("GET", "/api/v1/postcodes.csv", {}),
        ("GET", "/api/v1/neighbourhoods.geojson", {}),
    ]
    + [  # as on a date: before the first version, a date that does not exist, the future
        (
            "GET",
            "/api/v1/postcodes/{postcode}",
            {"path_parameters": {"postcode": "E8 1DY"}, "query": {"on": on}},
        )
        for on in ["1999-12-31", "2026-02-30", "9999-12-31"]
    ]  # fmt: skip
    + [
        ("GET", "/api/v1/points", {"query": {"lat": 51.542, "lon": -0.061, "on": "9999-12-31"}}),
        ("GET", "/api/v1/neighbourhoods", {"query": {"on": "9999-12-31", "simplified": "true"}}),
        ("GET", "/api/v1/boundary-versions", {}),
        (
            "GET",
            "/api/v1/boundary-versions/{version_id}/neighbourhoods",
            {"path_parameters": {"version_id": 999999}},
        ),
    ]  # fmt: skip
)


def test_every_documented_answer_validates(wsgi_app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    cases = sum(
        run_operation(operation, mode, examples, failures)
        for operation in operations
        for mode, examples in EXAMPLES.items()
    )
    for method, path, given_input in REAL:
        case = schema[path][method].Case(**given_input)
        cases += 1
        try:
            case.call_and_validate(excluded_checks=excluded(path))
        except (AssertionError, FailureGroup) as failure:
            failures.append(f"{method} {path} {given_input}: {failure}")
    print(f"schemathesis: {len(operations)} operations, {cases} cases, {len(failures)} failures")
    assert len(operations) == 13
    assert cases >= len(operations) * 10
    assert not failures, "\n\n".join(failures[:10])
