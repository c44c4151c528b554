"""Fuzz the API as `make run` serves it (nginx, Varnish, gunicorn) with schemathesis's CLI
and every check it has.

Starts scripts/serve.py on a free loopback port (the same served copy as `make loadtest`),
with the API's rate limit raised through its setting (PORTAL_API_RATE_LIMIT) so that every
generated request reaches the API rather than nginx's 429, then runs

    schemathesis run <served>/api/openapi.json --checks all ...

over every operation in the description, with a fixed seed, leaving out one check where it
cannot hold (CONFIG below). Afterwards it counts, from nginx's access log, the answers under
/api/ with a 5xx status. Prints the figures, writes them to bench-results/fuzz.json (with
schemathesis's output and JUnit report beside it), and exits non-zero if schemathesis found
a failure or any answer was a 5xx. Traffic goes to 127.0.0.1 only, and the run is bounded in
time (--timeout).

    python scripts/fuzz.py [--max-examples 500] [--seed 2026] [--workers 2]
"""

import argparse
import collections
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from bench import served

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
# High enough that a run never meets it; nginx still counts it (docs/security.md).
RATE_LIMIT = "100000/s"
# One exception, and only where the check cannot hold as it stands (docs/api.md, "Fuzzing
# the served API"): a postcode or a district is free text that the lookup decides on, so a
# string the description allows ("hello") rightly gets its documented 400 invalid_postcode
# or invalid_outcode. For those two operations "input the description allows is accepted"
# also takes a 400; every other status it would refuse, it still refuses.
# tests/neighbourhoods/api/test_schema.py leaves the check out for the same two.
CONFIG = """\
[[operations]]
include-path = ["/api/v1/postcodes/{postcode}", "/api/v1/outcodes/{outcode}"]
[operations.checks.positive_data_acceptance]
expected-statuses = ["2xx", "3xx", "400", "401", "403", "404", "409", "429", "5xx"]
"""
# nginx's access log (config/nginx.conf.template): '... "METHOD /path HTTP/1.1" STATUS ...'
ACCESS_LINE = re.compile(r'"(?P<method>\S+) (?P<path>\S*) [^"]*" (?P<status>\d{3}) ')


def server_errors(access_log: Path) -> dict[str, int]:
    """How many answers under /api/ nginx logged, and how many of them had a 5xx status."""
    counts = {"api_answers": 0, "api_5xx": 0}
    for line in access_log.read_text(errors="replace").splitlines():
        match = ACCESS_LINE.search(line)
        if match and match["path"].startswith("/api/"):
            counts["api_answers"] += 1
            counts["api_5xx"] += match["status"].startswith("5")
    return counts


def schemathesis_summary(events: Path) -> dict:
    """From schemathesis's event stream (one JSON object a line): the cases it generated,
    the checks it ran on their answers (max_response_time aside: no limit is set, so it
    checks nothing), the failed checks by operation and check, and the answers by status."""
    cases, checks = set(), 0
    failures: collections.Counter = collections.Counter()
    statuses: collections.Counter = collections.Counter()
    with events.open() as lines:
        for line in lines:
            scenario = json.loads(line).get("ScenarioFinished")
            if not scenario:
                continue
            recorder = scenario.get("recorder") or {}
            cases.update(recorder.get("cases", {}))
            for results in recorder.get("checks", {}).values():
                for result in results:
                    if result["name"] == "max_response_time":
                        continue
                    checks += 1
                    if result["status"] == "failure":
                        failures[f"{recorder['label']}: {result['name']}"] += 1
            for interaction in recorder.get("interactions", {}).values():
                if interaction.get("response"):
                    statuses[str(interaction["response"]["status_code"])] += 1
    return {
        "cases": len(cases),
        "checks": checks,
        "failed_checks": sum(failures.values()),
        "failures": dict(failures),
        "statuses": dict(sorted(statuses.items())),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=500, help="cases per operation")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=3600, help="seconds the run may take")
    args = parser.parse_args()

    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    started = time.monotonic()
    with served("portal-fuzz-", env={"PORTAL_API_RATE_LIMIT": RATE_LIMIT}) as (base, run_dir):
        (run_dir / "schemathesis.toml").write_text(CONFIG)
        command = [
            str(SCHEMATHESIS), "--config-file", str(run_dir / "schemathesis.toml"), "--no-color",
            "run", f"{base}/api/openapi.json", "--checks", "all",
            "--max-examples", str(args.max_examples), "--seed", str(args.seed),
            "--workers", str(args.workers), "--request-timeout", "30",
            "--report", "junit,ndjson", "--report-junit-path", str(out_dir / "fuzz-junit.xml"),
            "--report-ndjson-path", str(run_dir / "events.ndjson"),
        ]  # fmt: skip
        # In the run folder, where schemathesis keeps its own cache.
        run = subprocess.run(command, cwd=run_dir, text=True, capture_output=True,
                             timeout=args.timeout)  # fmt: skip
    output = run.stdout + run.stderr
    print(output)
    (out_dir / "fuzz-output.txt").write_text(output)
    # nginx writes the rest of its access log as it stops.
    errors = server_errors(run_dir / "access.log")
    summary = schemathesis_summary(run_dir / "events.ndjson")
    (run_dir / "events.ndjson").unlink()  # every request and answer: large
    generated = re.search(r"^\s*([0-9]+) generated", output, re.MULTILINE)
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": round(time.monotonic() - started),
        "settings": vars(args),
        "command": "schemathesis run <served>/api/openapi.json --checks all (--config-file: "
        "positive_data_acceptance also expects 400 from the postcode and district lookups)",
        "schemathesis_exit": run.returncode,
        "cases_schemathesis_says": int(generated[1]) if generated else None,
        **summary,
        **errors,
    }
    (out_dir / "fuzz.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Fuzzing: {report['cases']:,} cases generated, {report['checks']:,} checks run on "
        f"their answers, {report['failed_checks']} failed; answers {report['statuses']}; "
        f"nginx logged {errors['api_answers']:,} answers under /api/, {errors['api_5xx']} "
        f"with a 5xx."
    )
    print(f"Written to {out_dir / 'fuzz.json'}")
    if run.returncode or errors["api_5xx"] or report["failed_checks"]:
        print("FAILED: schemathesis found failures or the API answered 5xx.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
