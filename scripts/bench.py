"""Benchmark the lookup API and the lookup page under a production server on loopback.

Serves the portal with gunicorn (production settings) on 127.0.0.1, then drives it with
wrk: concurrent clients asking for a random sample of real postcodes. Prints requests per
second and p50/p95/p99 latency for each target and writes them to bench-results/.

Run with `make bench` after `make data`. Traffic goes to 127.0.0.1 only, and every run is
bounded in time.
"""

import argparse
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def sample_postcodes(size: int, seed: int) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    from neighbourhoods.models import Postcode

    postcodes = list(Postcode.objects.live().values_list("postcode", flat=True))
    if not postcodes:
        sys.exit("No postcodes in the database: run `make data` first.")
    return random.Random(seed).sample(postcodes, min(size, len(postcodes)))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    sys.exit(f"The server did not answer at {url} within {timeout} s.")


def run_wrk(base: str, paths: list[str], seconds: int, connections: int, threads: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join(paths) + "\n")
        paths_file = f.name
    try:
        result = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
             "-s", str(ROOT / "scripts" / "bench.lua"), base],
            env={**os.environ, "BENCH_PATHS": paths_file},
            capture_output=True, text=True, check=True, timeout=seconds + 30,
        )  # fmt: skip
    finally:
        os.unlink(paths_file)
    match = re.search(r"^RESULT (.*)$", result.stdout, re.MULTILINE)
    if not match:
        sys.exit(f"wrk gave no result:\n{result.stdout}\n{result.stderr}")
    values = {k: int(v) for k, v in (pair.split("=") for pair in match.group(1).split())}
    seconds_run = values["duration_us"] / 1e6
    return {
        "requests": values["requests"],
        "requests_per_second": round(values["requests"] / seconds_run, 1),
        "p50_ms": values["p50_us"] / 1000,
        "p95_ms": values["p95_us"] / 1000,
        "p99_ms": values["p99_us"] / 1000,
        "max_ms": values["max_us"] / 1000,
        "non_2xx": values["non2xx"],
        "socket_errors": values["socket_errors"],
        "connect_errors": values["connect_errors"],
        "timeouts": values["timeouts"],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="length of each measured run")
    parser.add_argument("--connections", type=int, default=4, help="concurrent clients")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument(
        "--workers", type=int, default=2, help="gunicorn processes (2 threads each)"
    )
    parser.add_argument("--sample", type=int, default=2000, help="postcodes in the sample")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it.")

    postcodes = sample_postcodes(args.sample, args.seed)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # Every request comes from one address: the API's per-client rate limit (300 a
        # minute by default) is raised far above what one machine can send, so the
        # benchmark measures lookups, not 429s. It still counts each request in Redis.
        "PORTAL_API_RATE_LIMIT": "100000000/m",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env,
        check=True,
    )  # fmt: skip
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", str(args.workers), "--worker-class", "gthread",
         "--threads", "2", "--keep-alive", "5", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        wait_until_up(f"{base}/api/postcodes/E81DY")
        targets = {
            "api": [f"/api/postcodes/{pc.replace(' ', '')}" for pc in postcodes],
            "page": [f"/lookup/?postcode={pc.replace(' ', '+')}" for pc in postcodes],
        }
        results = {}
        for name, paths in targets.items():
            run_wrk(base, paths, 3, args.connections, args.threads)  # warm up
            results[name] = run_wrk(base, paths, args.seconds, args.connections, args.threads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count()},
        "settings": vars(args),
        "results": results,
    }
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'target':<6} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(
            f"{name:<6} {r['requests_per_second']:>8} {r['p50_ms']:>8.1f} {r['p95_ms']:>8.1f} "
            f"{r['p99_ms']:>8.1f} {r['non_2xx']:>8}"
        )
    print(f"Written to {out_dir / 'latest.json'}")


if __name__ == "__main__":
    main()
