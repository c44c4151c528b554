"""Load and slow-connection test of the portal as `make run` serves it (nginx + gunicorn).

Starts scripts/serve.py on a free loopback port, then:
1. the slow-connection probe: opens N connections (8 by default) that send the start of a
   request and then one more header line a second, never finishing, and meanwhile times a
   normal lookup once a second;
2. the load: wrk with 100 concurrent clients for 60 s, each request a lookup page for a
   random live City and Hackney postcode (or another public page).
Prints both results, writes them to bench-results/loadtest.json, and exits non-zero if any
request failed, any connection was refused, or a normal request took 1 s or more during
the probe. Traffic goes to 127.0.0.1 only, and every part is bounded in time.

    python scripts/loadtest.py [--clients 100] [--seconds 60] [--slow 8]
"""

import argparse
import contextlib
import json
import os
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import run_wrk, sample_postcodes, served

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/neighbourhoods/", "/neighbourhoods/map/", "/practices/?q=surgery"]


def timed_get(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url} answered {response.status}")
    return time.monotonic() - started


def slow_connection_probe(host: str, port: int, path: str, count: int, hold: float) -> dict:
    """Open `count` connections that never finish their headers, trickling a header line a
    second so that no idle timeout fires early, and time a normal request each second."""
    stalled = []
    for _ in range(count):
        conn = socket.create_connection((host, port), timeout=5)
        conn.sendall(f"GET / HTTP/1.1\r\nHost: {host}\r\n".encode())
        stalled.append(conn)
    stop = threading.Event()

    def trickle():
        n = 0
        while not stop.wait(1.0):
            n += 1
            for conn in stalled:
                # The server may give up on a connection, as it should in the end.
                with contextlib.suppress(OSError):
                    conn.sendall(f"X-Slow-{n}: 1\r\n".encode())

    trickler = threading.Thread(target=trickle, daemon=True)
    trickler.start()
    timings = []
    deadline = time.monotonic() + hold
    try:
        time.sleep(0.5)
        while time.monotonic() < deadline:
            timings.append(timed_get(f"http://{host}:{port}{path}"))
            time.sleep(1.0)
    finally:
        stop.set()
        trickler.join()
        for conn in stalled:
            conn.close()
    return {
        "slow_connections": count,
        "held_s": hold,
        "normal_requests": len(timings),
        "slowest_ms": round(max(timings) * 1000, 1),
        "median_ms": round(sorted(timings)[len(timings) // 2] * 1000, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--slow", type=int, default=8, help="stalled connections in the probe")
    parser.add_argument("--hold", type=float, default=15.0, help="how long the probe lasts")
    parser.add_argument("--sample", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    postcodes = sample_postcodes(args.sample, args.seed)
    paths = [f"/lookup/?postcode={pc.replace(' ', '+')}" for pc, _, _ in postcodes] + PAGES * 20
    with served("portal-loadtest-") as (base, _):
        port = urllib.parse.urlsplit(base).port
        probe = slow_connection_probe("127.0.0.1", port, paths[0], args.slow, args.hold)
        run_wrk(base, paths, 3, args.clients, args.threads)  # warm up
        load = run_wrk(base, paths, args.seconds, args.clients, args.threads)

    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": {"cpus": os.cpu_count()},
        "settings": vars(args),
        "slow_connection_probe": probe,
        "load": load,
    }
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "loadtest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"Slow-connection probe: {probe['slow_connections']} stalled connections held for "
        f"{probe['held_s']:.0f} s; {probe['normal_requests']} normal requests meanwhile, "
        f"median {probe['median_ms']} ms, slowest {probe['slowest_ms']} ms."
    )
    print(
        f"Load: {args.clients} clients for {args.seconds} s: {load['requests']:,} requests, "
        f"{load['requests_per_second']} req/s, p50 {load['p50_ms']:.1f} ms, "
        f"p99 {load['p99_ms']:.1f} ms, max {load['max_ms']:.1f} ms; "
        f"{load['non_2xx']} error answers, {load['connect_errors']} refused connections, "
        f"{load['socket_errors']} socket errors in all ({load['timeouts']} timeouts)."
    )
    failures = []
    if probe["slowest_ms"] >= 1000:
        failures.append("a normal request took 1 s or more beside the stalled connections")
    if load["non_2xx"] or load["socket_errors"]:
        failures.append("some requests failed under load")
    for failure in failures:
        print(f"FAILED: {failure}.", file=sys.stderr)
    print(f"Written to {out_dir / 'loadtest.json'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
