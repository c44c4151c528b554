"""How `make fuzz` (scripts/fuzz.py) counts: the 5xx answers in nginx's access log, and the
cases, checks and failures in schemathesis's event stream."""

import json

import pytest

from tests.scripts import SCRIPTS, load_script


@pytest.fixture(scope="module")
def fuzz():
    with pytest.MonkeyPatch.context() as patch:
        patch.syspath_prepend(str(SCRIPTS))  # it imports bench, beside it
        return load_script("fuzz")


def test_the_5xx_answers_under_the_api_are_counted_from_nginxs_log(fuzz, tmp_path):
    # Lines as config/nginx.conf.template's log_format writes them.
    log = tmp_path / "access.log"
    log.write_text(
        '127.0.0.0 [05/Dec/2026:18:30:17 +0000] "GET / HTTP/1.1" 500 0 0.6\n'
        '127.0.0.0 [05/Dec/2026:18:30:18 +0000] "GET /api/v1/points HTTP/1.1" 200 912 0.004\n'
        '127.0.0.0 [05/Dec/2026:18:30:18 +0000] "POST /api/v1/postcodes HTTP/1.1" 502 0 0.1\n'
        '127.0.0.0 [05/Dec/2026:18:30:19 +0000] "GET /api/v1/outcodes/%F1 HTTP/1.1" 400 90 0.0\n'
        '127.0.0.0 [05/Dec/2026:18:30:19 +0000] "PUT /api/v1/practices HTTP/1.1" 504 0 30.0\n'
    )
    # The page's 500 is not the API's; the API's 502 and 504 are.
    assert fuzz.server_errors(log) == {"api_answers": 4, "api_5xx": 2}


def scenario(label, checks, statuses):
    """A ScenarioFinished event: one case per entry of `checks` (each a list of
    (check, status)), answered with the status at the same place in `statuses`."""
    ids = [f"case{label}{n}" for n in range(len(checks))]
    return {
        "ScenarioFinished": {
            "recorder": {
                "label": label,
                "cases": {i: {} for i in ids},
                "checks": {
                    i: [{"name": name, "status": status} for name, status in results]
                    for i, results in zip(ids, checks, strict=True)
                },
                "interactions": {
                    i: {"response": {"status_code": code}}
                    for i, code in zip(ids, statuses, strict=True)
                },
            }
        }
    }


def test_cases_checks_and_failures_are_counted_from_schemathesiss_events(fuzz, tmp_path):
    ok = [("not_a_server_error", "success"), ("max_response_time", "success")]
    refused = [("not_a_server_error", "success"), ("positive_data_acceptance", "failure")]
    events = [
        {"EngineStarted": {}},
        scenario("GET /api/v1/points", [ok, refused], [200, 400]),
        scenario("GET /api/v1/practices", [ok], [200]),
        {"ScenarioFinished": {"recorder": None, "status": "skip"}},
        {"EngineFinished": {}},
    ]
    path = tmp_path / "events.ndjson"
    path.write_text("".join(json.dumps(event) + "\n" for event in events))
    assert fuzz.schemathesis_summary(path) == {
        "cases": 3,
        "checks": 4,  # max_response_time checks nothing without a limit
        "failed_checks": 1,
        "failures": {"GET /api/v1/points: positive_data_acceptance": 1},
        "statuses": {"200": 2, "400": 1},
    }
