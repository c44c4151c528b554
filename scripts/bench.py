"""Benchmark the lookup API and page beside a floor and a request-time lookup, in one run.

Serves the portal with gunicorn on 127.0.0.1 (production settings, plus two views that
exist only for the benchmark: config/settings/bench.py), then drives it with wrk: concurrent
clients asking for a random sample of real postcodes. Four targets, in turn, for several
rounds so that a busy moment on a shared machine falls on all of them alike:

- api: /api/postcodes/<pc>, the portal's JSON answer;
- page: /lookup/?postcode=<pc>, the portal's HTML answer;
- floor: one indexed read of the postcode row, a tiny JSON answer;
- covers: read the point, then ST_Covers over neighbourhoods and boroughs (MapIt-style).

Prints req/s, p50 and p99 for each (the median round) and the ratios, writes them to
bench-results/latest.json and to the generated section of docs/performance.md.

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


DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
TARGETS = {
    "api": ("API `/api/postcodes/…`", "/api/postcodes/{}"),
    "page": ("page `/lookup/?postcode=…`", "/lookup/?postcode={}"),
    "floor": ("floor: one indexed read, bare view", "/bench/floor/{}"),
    "covers": ("request-time `ST_Covers`, bare view", "/bench/covers/{}"),
}
RATIOS = [("api", "covers"), ("api", "floor"), ("page", "floor")]


def sample_postcodes(size: int, seed: int) -> list[str]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    from neighbourhoods.models import Postcode

    postcodes = list(Postcode.objects.live().values_list("postcode", flat=True))
    if not postcodes:
        sys.exit("No postcodes in the database: run `make data` first.")
    return random.Random(seed).sample(postcodes, min(size, len(postcodes)))


def machine() -> dict:
    """What the figures were taken on: CPU, cores, memory, PostgreSQL and PostGIS."""
    from django.db import connection

    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        kib = int(next(line for line in f if line.startswith("MemTotal")).split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), postgis_lib_version()")
        postgres, postgis = cursor.fetchone()
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(kib / 1024**2, 1),
            "postgresql": postgres, "postgis": postgis}  # fmt: skip


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
    parser.add_argument("--seconds", type=int, default=10, help="length of each measured run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of every target, in turn")
    parser.add_argument("--no-doc", action="store_true", help="leave docs/performance.md alone")
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
        "DJANGO_SETTINGS_MODULE": "config.settings.bench",
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
        paths = {
            name: [template.format(pc.replace(" ", "")) for pc in postcodes]
            for name, (_, template) in TARGETS.items()
        }
        paths["page"] = [f"/lookup/?postcode={pc.replace(' ', '+')}" for pc in postcodes]
        runs = {name: [] for name in TARGETS}
        for name in TARGETS:  # warm up every target once: templates, connections, caches
            run_wrk(base, paths[name], 2, args.connections, args.threads)
        for _ in range(args.rounds):
            for name in TARGETS:
                runs[name].append(
                    run_wrk(base, paths[name], args.seconds, args.connections, args.threads)
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    # Each target's median round by throughput: one noisy moment does not decide a figure.
    results = {
        name: sorted(rs, key=lambda r: r["requests_per_second"])[len(rs) // 2]
        for name, rs in runs.items()
    }
    ratios = {
        f"{a}/{b}": round(results[a]["requests_per_second"] / results[b]["requests_per_second"], 2)
        for a, b in RATIOS
    }
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "settings": vars(args),
        "results": results,
        "rounds": runs,
        "ratios": ratios,
    }
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'target':<7} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(
            f"{name:<7} {r['requests_per_second']:>8} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['non_2xx']:>8}"
        )
    for name, ratio in ratios.items():
        print(f"{name:<13} {ratio:>6.2f}x req/s")
    print(f"Written to {out_dir / 'latest.json'}")
    if not args.no_doc:
        write_doc(report)
        print(f"Written to {DOC.relative_to(ROOT)}")


def write_doc(report: dict):
    """Replace the generated section of docs/performance.md with this run's figures."""
    m, settings = report["machine"], report["settings"]
    lines = [
        START,
        f"Generated by `make bench` on {report['when']}: {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB memory, PostgreSQL {m['postgresql']}, PostGIS {m['postgis']}. "
        f"gunicorn with {settings['workers']} processes × 2 threads (production settings), wrk "
        f"with {settings['connections']} connections on the same machine, {settings['sample']} "
        f"live postcodes (seed {settings['seed']}); each target ran {settings['rounds']} times "
        f"for {settings['seconds']} s, in turn, and the median run is shown.",
        "",
        "| target | req/s | p50 ms | p99 ms | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for name, r in report["results"].items():
        lines.append(
            f"| {TARGETS[name][0]} | {r['requests_per_second']:,.0f} | {r['p50_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['non_2xx']} |"
        )
    lines += ["", "| ratio of req/s | |", "| --- | ---: |"]
    lines += [f"| {name} | {ratio:.2f}× |" for name, ratio in report["ratios"].items()]
    lines.append(END)
    text = DOC.read_text()
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + "\n".join(lines) + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"
    DOC.write_text(text)


if __name__ == "__main__":
    main()
