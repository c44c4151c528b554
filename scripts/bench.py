"""Benchmark the lookup API and page beside a floor and a request-time lookup, in one run.

Serves the portal with gunicorn on 127.0.0.1 (production settings, plus two views that
exist only for the benchmark: scripts/benchsite/), then drives it with wrk: concurrent
clients asking for a random sample of real postcodes. Four targets, in turn, for several
rounds so that a busy moment on a shared machine falls on all of them alike:

- api: /api/postcodes/<pc>, the portal's JSON answer;
- page: /lookup/?postcode=<pc>, the portal's HTML answer;
- floor: one indexed read of the postcode row, a tiny JSON answer;
- covers: read the point, then ST_Covers over neighbourhoods and boroughs (MapIt-style).

Prints req/s, p50 and p99 for each (the median round) and the ratios (each the median of
the rounds' ratios, a round's two runs paired), writes them to
bench-results/latest.json and to the generated section of docs/performance.md.

With --national it also writes a synthetic national ONSPD file (scripts/national_onspd.py,
about 2.7 million postcodes, into bench-results/, never committed), makes a second database
(portal_bench_national) with the same City and Hackney data, loads the file into it twice
(timing each load and its peak memory), and serves that database too, so that every target
is measured with 2.7 million postcode rows beside ~40,000, in the same rounds.

With --baseline DIR it also serves a second checkout (an older commit, in DIR) on the same
database, so that a change is measured before and after in the same run.

Run with `make bench` after `make data`. Traffic goes to 127.0.0.1 only, and every run is
bounded in time.
"""

import argparse
import contextlib
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
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


DOC = ROOT / "docs" / "performance.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
NATIONAL_START, NATIONAL_END = "<!-- bench-national:start -->", "<!-- bench-national:end -->"
NATIONAL_DB = "portal_bench_national"
DATA_STEPS = [  # what `make data` runs, for the national database
    ["migrate", "--no-input"],
    ["createcachetable"],
    ["load_content", "--run-by", "make bench"],
    ["import_boundaries", "--run-by", "make bench"],
    ["import_postcodes", "--run-by", "make bench"],
    ["import_practices", "--run-by", "make bench"],
    ["load_neighbourhood_areas", "--run-by", "make bench"],
    ["recompute_answers"],
]
# The production settings plus the benchmark's comparison views, kept out of config/ since
# no deployment serves them (scripts/benchsite/).
BENCH_SETTINGS = "scripts.benchsite.settings"
BULK_SIZE = 100  # the most one bulk request may ask for
TARGETS = {
    "api": ("API `/api/postcodes/…`", "/api/postcodes/{}"),
    "page": ("page `/lookup/?postcode=…`", "/lookup/?postcode={}"),
    "floor": ("floor: one indexed read, bare view", "/bench/floor/{}"),
    "covers": ("request-time `ST_Covers`, bare view", "/bench/covers/{}"),
    "floor_api": ("floor, behind the API's middleware", "/api/bench/floor/{}"),
    "covers_api": ("request-time `ST_Covers`, behind the API's middleware", "/api/bench/covers/{}"),
    "point": ("API by point `/api/v1/points?lat=…&lon=…`", "/api/v1/points?lat={}&lon={}"),
    "bulk": (f"API in bulk `POST /api/v1/postcodes`, {BULK_SIZE} a request", "/api/v1/postcodes"),
    "geojson": ("GeoJSON `/api/v1/neighbourhoods`", "/api/v1/neighbourhoods"),
    "api_all": ("API `/api/postcodes/…`, every postcode in a neighbourhood", "/api/postcodes/{}"),
}
# Targets only this checkout has: an older checkout (--baseline) is not asked for them.
NEW_TARGETS = {"floor", "covers", "floor_api", "covers_api", "point", "bulk", "api_all"}
# Through `make run`'s front (scripts/serve.py: nginx, Varnish unless "front", gunicorn): the
# API and GeoJSON served from the cache ("cached"), the API from a cache of its own purged
# before each run ("cold"), and through nginx straight to gunicorn ("front"); and the API
# reading a streaming replica through the router ("replica", with --replica).
FRONT_LABELS = {"front", "cached", "cold"}
FRONT_TARGETS = {"api", "api_all", "geojson"}
REPLICA_TARGETS = {"api", "geojson"}
# Targets also served by the application counting the rate limit itself.
COUNTED_TARGETS = {"api", "floor_api"}
RATIOS = [("api", "covers"), ("api", "floor"), ("page", "floor"), ("api", "covers_api"),
          ("api", "floor_api"), ("point", "covers_api"), ("counted:api", "covers"),
          ("cached:api", "floor"), ("cached:api", "front:api"), ("cached:geojson", "front:geojson"),
          ("cached:api_all", "front:api_all"), ("cold:api", "front:api"),
          ("cold:api_all", "front:api_all"),
          ("replica:api", "api"), ("replica:geojson", "geojson")]  # fmt: skip


def nginx_counts_limit(root: Path) -> bool:
    """Whether that checkout's `make run` has nginx count the API's rate limit (from 65acb78
    on) and so runs the application without counting it; older code counted it in Redis."""
    template = root / "config" / "nginx.conf.template"
    return template.exists() and "limit_req_zone" in template.read_text()


def sample_postcodes(size: int, seed: int) -> list[tuple[str, float, float]]:
    """A fixed sample of live postcodes, each with its point's latitude and longitude."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    django.setup()
    from neighbourhoods.models import Postcode

    postcodes = [
        (row.postcode, row.location.y, row.location.x)
        for row in Postcode.objects.live().only("postcode", "location").order_by("postcode")
    ]
    if not postcodes:
        sys.exit("No postcodes in the database: run `make data` first.")
    return random.Random(seed).sample(postcodes, min(size, len(postcodes)))


def neighbourhood_postcodes() -> list[str]:
    """Every live postcode in a neighbourhood: all the distinct answers City and Hackney's
    residents ask for (6,153 with the open data of 2026)."""
    from neighbourhoods.models import Postcode

    return list(
        Postcode.objects.live()
        .filter(neighbourhood__isnull=False)
        .order_by("postcode")
        .values_list("postcode", flat=True)
    )


def bulk_requests(postcodes: list[str], seed: int, count: int = 200) -> list[str]:
    """Lines for bench.lua: each a POST of BULK_SIZE postcodes drawn from the sample."""
    rng = random.Random(seed)
    path = TARGETS["bulk"][1]
    return [
        f"POST {path} " + json.dumps({"postcodes": rng.sample(postcodes, BULK_SIZE)})
        for _ in range(count)
    ]


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


@contextlib.contextmanager
def served(prefix: str, env: dict | None = None, timeout: float = 90):
    """The portal as `make run` serves it (scripts/serve.py: nginx, Varnish, gunicorn and the
    scheduler, production settings) on a free loopback port, in a run folder of its own
    (`prefix` and a random tail, under the temporary folder) that keeps its log (serve.log)
    and nginx's access.log. Yields the base address and the run folder; stops it all on
    leaving, however the block ends. `env` adds to or overrides this environment."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run_dir = Path(tempfile.mkdtemp(prefix=prefix))
    with open(run_dir / "serve.log", "w") as log:
        server = subprocess.Popen(
            [sys.executable, "scripts/serve.py", "--port", str(port), "--run-dir", str(run_dir)],
            cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_until_up(base + "/", timeout=timeout)
            yield base, run_dir
        finally:
            server.terminate()
            server.wait(timeout=60)


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


def database_url(name: str) -> str:
    return f"postgis:///{name}"


def manage(args: list[str], *, env: dict, cwd: Path = ROOT, quiet=True):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )  # fmt: skip


def timed_import(path: Path, env: dict) -> dict:
    """Run import_onspd on the file in a child process: wall time, peak RSS, and the CPU
    time of the import and of its PostgreSQL backend (found by its application name), which
    is what the load would take on an idle machine, less what runs side by side."""
    start = time.monotonic()
    load_before = os.getloadavg()[0]
    name = f"bench-import-{secrets.token_hex(4)}"
    child = subprocess.Popen(
        [sys.executable, "manage.py", "import_onspd", str(path), "-v0", "--run-by",
         "make bench"],
        cwd=ROOT, env={**env, "PGAPPNAME": name}, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    backend = {"pid": None, "cpu": 0.0, "rss": 0}
    stop = threading.Event()

    def watch():  # the backend's CPU time, read until it ends with the import
        while not stop.wait(0.25):
            if backend["pid"] is None:
                backend["pid"] = backend_pid(name)
            if backend["pid"] is not None:
                backend["cpu"] = max(backend["cpu"], process_cpu_seconds(backend["pid"]))
                backend["rss"] = max(backend["rss"], peak_rss_kib(backend["pid"]))

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    stop.set()
    watcher.join()
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status):
        sys.exit(f"import_onspd failed:\n{output}")
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
        "postgres_cpu_seconds": round(backend["cpu"], 1),
        "peak_rss_mib": round(usage.ru_maxrss / 1024),
        "postgres_peak_rss_mib": round(backend["rss"] / 1024),
        "load_average": round((load_before + os.getloadavg()[0]) / 2, 1),
        "summary": output.strip().splitlines()[0] if output.strip() else "",
    }


def backend_pid(application_name: str) -> int | None:
    result = subprocess.run(
        ["psql", "-qtAX", "-d", "postgres", "-c",
         f"SELECT pid FROM pg_stat_activity WHERE application_name = '{application_name}'"],
        capture_output=True, text=True,
    )  # fmt: skip
    return int(result.stdout.split()[0]) if result.stdout.split() else None


def peak_rss_kib(pid: int) -> int:
    """A process's peak resident set (VmHWM), in KiB; for a PostgreSQL backend it includes
    the pages of shared buffers it touched."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:  # it has ended
        pass
    return 0


def process_cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # it has ended
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def national_database(args, env: dict) -> dict:
    """Make the national database afresh and load the synthetic file into it twice."""
    folder = ROOT / "bench-results" / "national"
    path = folder / f"ONSPD_NOV_2026_SYNTHETIC_{args.national_rows}_{args.seed}.csv"
    if not path.exists():
        print(f"Writing {path.relative_to(ROOT)} ({args.national_rows:,} postcodes)")
        subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "national_onspd.py"), str(path),
             "--rows", str(args.national_rows), "--seed", str(args.seed)], check=True,
        )  # fmt: skip
    subprocess.run(["dropdb", "--if-exists", NATIONAL_DB], check=True)
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "database.sh")],
        env={**os.environ, "PORTAL_DB_NAME": NATIONAL_DB}, check=True,
    )  # fmt: skip
    national_env = {**env, "DATABASE_URL": database_url(NATIONAL_DB)}
    print(f"Loading the City and Hackney data into {NATIONAL_DB}")
    for step in DATA_STEPS:
        manage([*step, "-v0"], env=national_env)
    figures = {"file": path.name, "bytes": path.stat().st_size}
    for load in ("first", "second"):
        print(f"Importing {path.name} ({load} load)")
        figures[load] = timed_import(path, national_env)
        print(f"  {figures[load]}")
    figures["rows"] = count_postcodes(NATIONAL_DB)
    return figures


def default_db_name() -> str:
    from django.conf import settings

    return settings.DATABASES["default"]["NAME"]


def count_postcodes(db: str) -> dict:
    result = subprocess.run(
        ["psql", "-qtAX", "-d", db, "-c",
         "SELECT count(*), count(*) FILTER (WHERE terminated) FROM neighbourhoods_postcode"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    total, terminated = (int(v) for v in result.stdout.strip().split("|"))
    return {"postcodes": total, "terminated": terminated}


def settings_module_of(root: Path) -> str:
    """The benchmark's settings in a checkout: older ones kept them in config/."""
    if (root / "scripts" / "benchsite" / "settings.py").is_file():
        return BENCH_SETTINGS
    return "config.settings.bench"


def start_front(label: str, port: int, env: dict, workers: int) -> tuple[subprocess.Popen, Path]:
    """`make run`'s front (scripts/serve.py, production settings), with the same gunicorn
    processes and threads as the bare servers and no rate limit; without Varnish for
    "front". Its run folder holds the cache's purge address and Varnish's statistics."""
    run_dir = Path(tempfile.mkdtemp(prefix=f"bench-{label}-"))
    front_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.production",
                 "GUNICORN_WORKERS": str(workers), "GUNICORN_THREADS": "2",
                 "PORTAL_API_RATE_LIMIT": ""}  # fmt: skip
    command = [sys.executable, "scripts/serve.py", "--port", str(port), "--run-dir",
               str(run_dir), "--no-collectstatic"]  # fmt: skip
    if label == "front":
        command.append("--no-cache")
    server = subprocess.Popen(command, cwd=ROOT, env=front_env, start_new_session=True,
                              stdout=subprocess.DEVNULL)  # fmt: skip
    return server, run_dir


def cache_purge(run_dir: Path):
    """Empty the cache of a front, as a publish does."""
    url = (run_dir / "cache_purge_url").read_text().strip()
    request = urllib.request.Request(url, method="PURGE", headers={"xkey-purge": "portal"})
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


def cache_counters(run_dir: Path) -> tuple[int, int]:
    """Varnish's hits and misses so far."""
    result = subprocess.run(
        ["varnishstat", "-n", str(run_dir / "varnish"), "-1", "-f", "MAIN.cache_hit",
         "-f", "MAIN.cache_miss"], capture_output=True, text=True, check=True,
    )  # fmt: skip
    values = dict(line.split()[:2] for line in result.stdout.splitlines() if line.strip())
    return int(values.get("MAIN.cache_hit", 0)), int(values.get("MAIN.cache_miss", 0))


def start_server(root: Path, port: int, env: dict, workers: int) -> subprocess.Popen:
    return subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi", "--bind",
         f"127.0.0.1:{port}", "--workers", str(workers), "--worker-class", "gthread",
         "--threads", "2", "--keep-alive", "5", "--log-level", "warning"],
        cwd=root, env=env, start_new_session=True,
    )  # fmt: skip


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
    parser.add_argument(
        "--national", action="store_true",
        help=f"also load a synthetic national ONSPD into {NATIONAL_DB} and measure there",
    )  # fmt: skip
    parser.add_argument("--national-rows", type=int, default=2_700_000)
    parser.add_argument(
        "--reuse-national", action="store_true",
        help=f"with --national: serve {NATIONAL_DB} as a previous run left it, loading nothing",
    )  # fmt: skip
    parser.add_argument(
        "--baseline", type=Path, metavar="DIR",
        help="also serve the checkout in DIR (an older commit) on the same database",
    )  # fmt: skip
    parser.add_argument(
        "--targets", default=",".join(TARGETS), help="comma-separated, of " + ", ".join(TARGETS)
    )
    parser.add_argument(
        "--replica", default=os.environ.get("DATABASE_REPLICA_URL", ""), metavar="URL",
        help="also serve the API reading this streaming replica (`make replica`)",
    )  # fmt: skip
    parser.add_argument("--no-front", action="store_true", help="no `make run` front, no cache")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: `make bench` installs it.")
    targets = args.targets.split(",")

    sample = sample_postcodes(args.sample, args.seed)
    postcodes = [postcode for postcode, _, _ in sample]
    every_postcode = neighbourhood_postcodes()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        # As `make run` runs gunicorn: nginx in front counts the API's rate limit, so the
        # application does not (docs/security.md). The "counted" server below counts it.
        "PORTAL_API_RATE_LIMIT": "",
    }
    national = None
    if args.national and args.reuse_national:
        national = {"rows": count_postcodes(NATIONAL_DB)}
    elif args.national:
        national = national_database(args, env)
    # The servers: this checkout on its database, and as asked, on the national database and
    # an older checkout on the same database. Each target runs on every server in turn.
    settle(default_db_name())
    if national:
        settle(NATIONAL_DB)
    servers = {"": (ROOT, env)}
    # The application counting the API's rate limit in Redis, as it does without our nginx
    # in front: raised far above what one machine can send, so it counts every request but
    # refuses none.
    servers["counted"] = (ROOT, {**env, "PORTAL_API_RATE_LIMIT": "100000000/m"})
    if args.national:
        servers["national"] = (ROOT, {**env, "DATABASE_URL": database_url(NATIONAL_DB)})
    # An older checkout is served as its own `make run` served it.
    baseline_counted = bool(args.baseline) and not nginx_counts_limit(args.baseline)
    if args.baseline:
        baseline_env = servers["counted" if baseline_counted else ""][1]
        servers["baseline"] = (
            args.baseline.resolve(),
            {**baseline_env, "DJANGO_SETTINGS_MODULE": settings_module_of(args.baseline)},
        )
    if args.replica:
        servers["replica"] = (ROOT, {**env, "DATABASE_REPLICA_URL": args.replica})
    if not args.no_front and shutil.which("varnishd"):
        for label in ("front", "cached", "cold"):  # "cold": a cache of its own, emptied
            servers[label] = (ROOT, env)
    for root, server_env in {str(r): (r, e) for r, e in servers.values()}.values():
        manage(["collectstatic", "--no-input", "-v0"], env=server_env, cwd=root)
    running, bases, run_dirs = [], {}, {}
    try:
        for label, (root, server_env) in servers.items():
            port = free_port()
            if label in FRONT_LABELS:
                server, run_dirs[label] = start_front(label, port, server_env, args.workers)
                running.append(server)
            else:
                running.append(start_server(root, port, server_env, args.workers))
            bases[label] = f"http://127.0.0.1:{port}"
            wait_until_up(f"{bases[label]}/api/postcodes/E81DY", timeout=120)
        paths = {
            name: [template.format(pc.replace(" ", "")) for pc in postcodes]
            for name, (_, template) in TARGETS.items()
            if name not in ("point", "bulk")
        }
        paths["page"] = [f"/lookup/?postcode={pc.replace(' ', '+')}" for pc in postcodes]
        paths["point"] = [
            TARGETS["point"][1].format(f"{lat:.6f}", f"{lon:.6f}") for _, lat, lon in sample
        ]
        paths["bulk"] = bulk_requests(postcodes, args.seed)
        paths["api_all"] = [
            TARGETS["api_all"][1].format(pc.replace(" ", "")) for pc in every_postcode
        ]
        paths["geojson"] = [TARGETS["geojson"][1]]
        runs = {
            key(label, name): [] for name in targets for label in bases
            if not (label == "baseline" and name in NEW_TARGETS)
            and not (label == "counted" and name not in COUNTED_TARGETS)
            and not (label in FRONT_LABELS and name not in FRONT_TARGETS)
            and not (label == "cold" and name not in ("api", "api_all"))
            and not (label == "replica" and name not in REPLICA_TARGETS)
            and not (label == "" and name == "api_all")
        }  # fmt: skip
        plan = [(k, bases[k.partition(":")[0] if ":" in k else ""], k.rpartition(":")[2])
                for k in runs]  # fmt: skip
        for _k, base, name in plan:  # warm up every target once: templates, connections, caches
            run_wrk(base, paths[name], 2, args.connections, args.threads)
        for _ in range(args.rounds):
            for k, base, name in plan:
                label = k.rpartition(":")[0]
                if label == "cold":
                    cache_purge(run_dirs[label])
                counted = label in ("cached", "cold")
                before = cache_counters(run_dirs[label]) if counted else None
                result = run_wrk(base, paths[name], args.seconds, args.connections, args.threads)
                if counted:
                    hits, misses = (
                        b - a for a, b in zip(before, cache_counters(run_dirs[label]), strict=True)
                    )
                    result["cache_hits"], result["cache_misses"] = hits, misses
                runs[k].append(result)
    finally:
        for server in running:
            os.killpg(server.pid, signal.SIGTERM)
        for server in running:
            server.wait(timeout=30)

    # Each target's median round by throughput: one noisy moment does not decide a figure.
    results = {
        k: sorted(rs, key=lambda r: r["requests_per_second"])[len(rs) // 2]
        for k, rs in runs.items()
    }
    pairs = [(a, b) for a, b in RATIOS if a in results and b in results]
    for name in targets:
        pairs += [(key(label, name), name) for label in ("national", "baseline", "counted")
                  if key(label, name) in results]  # fmt: skip
    # Each ratio pairs the two targets' runs of the same round, minutes apart at most, and is
    # the median of those rounds' ratios: a machine that slows down or speeds up between
    # rounds moves both runs of a pair alike.
    ratios = {f"{a}/{b}": paired_ratio(runs[a], runs[b]) for a, b in pairs}
    report = {
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine(),
        "settings": {
            **vars(args),
            "baseline": str(args.baseline) if args.baseline else None,
            "baseline_commit": commit_of(args.baseline) if args.baseline else None,
            "baseline_counted": baseline_counted,
            "commit": commit_of(ROOT),
        },  # fmt: skip
        "results": results,
        "rounds": runs,
        "ratios": ratios,
        "national": national,
    }
    out_dir = ROOT / "bench-results"
    out_dir.mkdir(exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"{'target':<17} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'non-2xx':>8}")
    for name, r in results.items():
        print(
            f"{name:<17} {r['requests_per_second']:>8} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['non_2xx']:>8}"
        )
    for name, ratio in ratios.items():
        print(f"{name:<25} {ratio:>6.2f}x req/s")
    print(f"Written to {out_dir / 'latest.json'}")
    if not args.no_doc:
        write_doc(report)
        print(f"Written to {DOC.relative_to(ROOT)}")


def paired_ratio(runs_a: list[dict], runs_b: list[dict]) -> float:
    """The median, over rounds, of one round's req/s of a over the same round's of b."""
    each = sorted(a["requests_per_second"] / b["requests_per_second"]
                  for a, b in zip(runs_a, runs_b, strict=True))  # fmt: skip
    middle = len(each) // 2
    median = each[middle] if len(each) % 2 else (each[middle - 1] + each[middle]) / 2
    return round(median, 2)


def settle(db: str):
    """VACUUM and ANALYZE a database before it is measured, as autovacuum would soon after a
    load, so that autovacuum does not start on a national load's 2.7 million new rows during
    the measuring and take one of the two cores from the servers."""
    print(f"Vacuuming and analysing {db}")
    subprocess.run(["vacuumdb", "--analyze", "--quiet", "-d", db], check=True)


def key(label: str, name: str) -> str:
    return f"{label}:{name}" if label else name


def commit_of(root: Path) -> str:
    result = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%h %s"],
                            capture_output=True, text=True)  # fmt: skip
    return result.stdout.strip()[:72]


def label_of(k: str, report: dict) -> str:
    label, _, name = k.rpartition(":")
    text = TARGETS[name][0]
    if label == "national":
        rows = report["national"]["rows"]["postcodes"]
        return f"{text}, {rows / 1e6:.2f} M postcode rows"
    if label == "counted":
        return f"{text}, the application counting the rate limit in Redis"
    if label == "baseline":
        return f"{text}, before: {report['settings']['baseline_commit'].split()[0]}"
    if label == "front":
        return f"{text}, through nginx to gunicorn (`make run` without the cache)"
    if label == "cached":
        return f"{text}, through nginx and the cache (`make run`)"
    if label == "cold":
        return f"{text}, through nginx and the cache, purged before each run"
    if label == "replica":
        return f"{text}, public reads from the streaming replica"
    return text


def write_doc(report: dict):
    """Replace the generated sections of docs/performance.md with this run's figures."""
    m, settings = report["machine"], report["settings"]
    national = report["national"]
    held = count_postcodes(default_db_name())
    lines = [
        START,
        f"Generated by `make bench` on {report['when']}: {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB memory, PostgreSQL {m['postgresql']}, PostGIS {m['postgis']}. "
        f"gunicorn with {settings['workers']} processes × 2 threads (production settings), wrk "
        f"with {settings['connections']} connections on the same machine, {settings['sample']} "
        f"live postcodes (seed {settings['seed']}); each target ran {settings['rounds']} times "
        f"for {settings['seconds']} s, in turn, and the median run is shown; each ratio is the "
        "median of the rounds' ratios, each round's two runs paired. Before the runs, each "
        "database was vacuumed and analysed. Unless marked, "
        f"with the City and Hackney data alone ({held['postcodes']:,} postcode rows). Code: "
        f"{settings['commit'].split()[0]}.",
        "",
        "| target | req/s | p50 ms | p99 ms | non-2xx |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for k, r in report["results"].items():
        lines.append(
            f"| {label_of(k, report)} | {r['requests_per_second']:,.0f} | {r['p50_ms']:.1f} "
            f"| {r['p99_ms']:.1f} | {r['non_2xx']} |"
        )
    cache_rows = [(k, r) for k, r in report["results"].items() if "cache_hits" in r]
    if cache_rows:
        lines += [
            "",
            "| through the cache | hits | misses | hit ratio |",
            "| --- | ---: | ---: | ---: |",
        ]
        for k, r in cache_rows:
            total = max(1, r["cache_hits"] + r["cache_misses"])
            lines.append(f"| {label_of(k, report)} | {r['cache_hits']:,} | {r['cache_misses']:,} "
                         f"| {r['cache_hits'] / total:.1%} |")  # fmt: skip
    lines += ["", "| ratio of req/s | |", "| --- | ---: |"]
    lines += [f"| {name} | {ratio:.2f}× |" for name, ratio in report["ratios"].items()]
    if "bulk" in report["results"]:
        per_second = report["results"]["bulk"]["requests_per_second"] * BULK_SIZE
        lines += ["", f"In bulk, {per_second:,.0f} postcodes answered a second ({BULK_SIZE} a "
                  "request)."]  # fmt: skip
    if settings.get("baseline"):
        counting = (
            "the application counting the rate limit in Redis, as it did then"
            if settings.get("baseline_counted")
            else "the rate limit left to nginx"
        )
        before = settings["baseline_commit"].split()[0]
        lines += ["", f"`before` is {before}, served from a second checkout on the same "
                  f"database, in the same rounds ({counting})."]  # fmt: skip
    lines.append(END)
    text = replace_section(DOC.read_text(), START, END, lines)
    if national and "first" in national:  # loaded in this run
        lines = [NATIONAL_START, *national_lines(report), NATIONAL_END]
        text = replace_section(text, NATIONAL_START, NATIONAL_END, lines)
    DOC.write_text(text)


def national_lines(report: dict) -> list[str]:
    national, m = report["national"], report["machine"]
    rows = national["rows"]
    out = [
        f"Generated by `make bench BENCH_ARGS=--national` on {report['when']} ({m['cpu']}, "
        f"{m['cores']} cores, {m['memory_gib']} GiB memory, PostgreSQL {m['postgresql']}): "
        f"`{national['file']}` ({national['bytes'] / 1e9:.2f} GB), loaded into "
        f"`{NATIONAL_DB}` beside the City and Hackney data, which then holds "
        f"{rows['postcodes']:,} postcodes ({rows['terminated']:,} terminated).",
        "",
        "| load | wall s | CPU s, import | CPU s, its PostgreSQL backend | peak RSS MiB, import "
        "| peak RSS MiB, backend | load average |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for load in ("first", "second"):
        f = national[load]
        out.append(
            f"| {load}: {f['summary'] or '?'} | {f['seconds']:.1f} | {f['cpu_seconds']:.1f} "
            f"| {f.get('postgres_cpu_seconds', 0):.1f} | {f['peak_rss_mib']:,} "
            f"| {f.get('postgres_peak_rss_mib', 0):,} | {f['load_average']} |"
        )
    return out


def replace_section(text: str, start: str, end: str, lines: list[str]) -> str:
    if start in text and end in text:
        before, rest = text.split(start, 1)
        return before + "\n".join(lines) + rest.split(end, 1)[1]
    return text.rstrip("\n") + "\n\n" + "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
