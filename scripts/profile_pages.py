"""Time the pages that matter in-process, and optionally profile one with pyinstrument.

Runs Django's test client against the database in DATABASE_URL with the production
settings (DEBUG off, the same middleware and templates), so the figures are what a
gunicorn thread spends in Python and PostgreSQL, without the network. For each page it
prints the mean and median time per request and the database queries one request makes.

    python scripts/profile_pages.py                  # the table
    python scripts/profile_pages.py --profile /lookup/?postcode=E8+1DY   # pyinstrument tree
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "home": "/",
    "lookup, in area": "/lookup/?postcode=E8+1DY",
    "lookup, out of area": "/lookup/?postcode=E1+0AA",
    "lookup, district": "/lookup/?postcode=E8",
    "api, in area": "/api/postcodes/E81DY",
    "api, out of area": "/api/postcodes/E10AA",
    "lookup, by point": "/lookup/?lat=51.54200&lon=-0.06100",
    "api, point": "/api/points?lat=51.542&lon=-0.061",
}


def setup():
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    os.environ.setdefault("DJANGO_SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    import django

    django.setup()


def time_page(client, url: str, repeat: int) -> tuple[float, float, int]:
    from django.db import connection

    for _ in range(20):  # warm up: connection, templates, caches
        client.get(url)
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, *a: queries.append(sql) or execute(sql, *a)
    ):
        response = client.get(url)
    if response.status_code >= 500:
        sys.exit(f"{url} answered {response.status_code}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.mean(times), statistics.median(times), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300, help="requests timed per page")
    parser.add_argument("--profile", metavar="URL", help="print a pyinstrument profile of URL")
    args = parser.parse_args()
    setup()
    from django.test import Client

    client = Client()
    if args.profile:
        from pyinstrument import Profiler

        for _ in range(20):
            client.get(args.profile)
        with Profiler(interval=0.001) as profiler:
            for _ in range(args.repeat):
                client.get(args.profile)
        print(profiler.output_text(unicode=True, show_all=True))
        return
    print(f"{'page':<22} {'mean ms':>8} {'p50 ms':>8} {'queries':>8}")
    for name, url in PAGES.items():
        mean, median, queries = time_page(client, url, args.repeat)
        print(f"{name:<22} {mean:>8.2f} {median:>8.2f} {queries:>8}")


if __name__ == "__main__":
    main()
